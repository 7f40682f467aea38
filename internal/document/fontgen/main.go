// Command fontgen cuts the vendored Chinese font down to the characters
// qingdan's documents need — printable ASCII and Latin-1, all of GB2312
// (its symbols and both levels of hanzi: 6,763 characters cover nearly
// every name and address) and every character of the shipped templates —
// and writes it for the document package to embed. Run from
// internal/document with `go generate` after changing a template; the
// source is Debian's fonts-wqy-microhei (WenQuanYi Micro Hei, Apache 2.0:
// font/LICENSE). Characters outside the set print as the font's .notdef
// box, and the renderer lists them (document.PDF.Missing).
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/qingdan/qingdan/internal/document/ttf"
)

func main() {
	src := flag.String("src", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "the source font (TTF or TTC)")
	index := flag.Int("index", 0, "the font's index in a collection")
	templates := flag.String("templates", "templates", "the shipped templates' directory")
	out := flag.String("out", "font/wqy-microhei-gb2312.ttf", "the subset to write")
	flag.Parse()
	if err := run(*src, *index, *templates, *out); err != nil {
		log.Fatal(err)
	}
}

func run(src string, index int, templates, out string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("%w (apt-get install fonts-wqy-microhei)", err)
	}
	f, err := ttf.Parse(b, index)
	if err != nil {
		return err
	}
	want, err := charset(templates)
	if err != nil {
		return err
	}
	cmap := map[rune]uint16{}
	var glyphs []uint16
	var missing []rune
	for _, r := range want {
		g := f.Glyph(r)
		if g == 0 {
			missing = append(missing, r)
			continue
		}
		cmap[r] = g
		glyphs = append(glyphs, g)
	}
	s, err := f.Subset(glyphs, cmap)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, s.Font, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d characters, %d glyphs, %d bytes; not in the source: %q\n", out, len(cmap), len(s.Old), len(s.Font), string(missing))
	return nil
}

// charset is every character the subset keeps, sorted.
func charset(templates string) ([]rune, error) {
	set := map[rune]bool{}
	for r := rune(0x20); r < 0x7F; r++ {
		set[r] = true
	}
	for r := rune(0xA0); r <= 0xFF; r++ {
		set[r] = true
	}
	// GB2312: rows 0xA1–0xF7, cells 0xA1–0xFE; rows 0xAA–0xAF and
	// 0xF8– are empty, which the decoder reports as U+FFFD.
	dec := simplifiedchinese.GBK.NewDecoder()
	for hi := 0xA1; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			s, err := dec.String(string([]byte{byte(hi), byte(lo)}))
			if err != nil {
				continue
			}
			for _, r := range s {
				if r != 0xFFFD {
					set[r] = true
				}
			}
		}
	}
	// What the seal, numbers and forms print beyond GB2312.
	for _, r := range "〔〕★☆•–—‘’“”…·" {
		set[r] = true
	}
	err := filepath.WalkDir(templates, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		for _, r := range string(b) {
			if r >= 0x20 {
				set[r] = true
			}
		}
		return err
	})
	out := make([]rune, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	slices.Sort(out)
	return out, err
}
