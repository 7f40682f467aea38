package document_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/color"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// A reader of the PDFs this package writes, independent of the writer: it
// finds objects through the xref table (so wrong offsets fail), inflates
// streams, reads the font's ToUnicode CMap and decodes every string shown.

type pdfFile struct {
	raw     []byte
	objects map[int][]byte // object number → body between "obj" and "endobj"
}

func readPDF(t *testing.T, b []byte) *pdfFile {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF: %q … %q", b[:min(len(b), 10)], b[max(0, len(b)-10):])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref")
	}
	at, _ := strconv.Atoi(string(m[1]))
	if at >= len(b) || !bytes.HasPrefix(b[at:], []byte("xref\n")) {
		t.Fatalf("startxref %d does not point at the xref table", at)
	}
	lines := strings.Split(string(b[at:]), "\n")
	var first, count int
	if _, err := fmt.Sscanf(lines[1], "%d %d", &first, &count); err != nil {
		t.Fatalf("xref header %q: %v", lines[1], err)
	}
	f := &pdfFile{raw: b, objects: map[int][]byte{}}
	for i := 1; i < count; i++ {
		e := lines[2+i]
		if len(e) != 19 || !strings.HasSuffix(e, " n ") { // 20 bytes with the newline
			t.Fatalf("xref entry %d: %q", i, e)
		}
		off, _ := strconv.Atoi(e[:10])
		head := fmt.Sprintf("%d 0 obj\n", i)
		if !bytes.HasPrefix(b[off:], []byte(head)) {
			t.Fatalf("xref: object %d is not at %d", i, off)
		}
		end := bytes.Index(b[off:], []byte("\nendobj\n"))
		f.objects[i] = b[off+len(head) : off+end]
	}
	return f
}

var refRE = regexp.MustCompile(`/(\w+) (\d+) 0 R`)

// ref is the object a dictionary's key refers to.
func ref(t *testing.T, body []byte, key string) int {
	t.Helper()
	for _, m := range refRE.FindAllSubmatch(body, -1) {
		if string(m[1]) == key {
			n, _ := strconv.Atoi(string(m[2]))
			return n
		}
	}
	t.Fatalf("no /%s in %.200s", key, body)
	return 0
}

// stream inflates object n's stream.
func (f *pdfFile) stream(t *testing.T, n int) []byte {
	t.Helper()
	body := f.objects[n]
	m := regexp.MustCompile(`/Length (\d+)`).FindSubmatch(body)
	i := bytes.Index(body, []byte("stream\n"))
	if m == nil || i < 0 {
		t.Fatalf("object %d has no stream", n)
	}
	l, _ := strconv.Atoi(string(m[1]))
	data := body[i+len("stream\n") : i+len("stream\n")+l]
	if !bytes.Contains(body[:i], []byte("/FlateDecode")) {
		return data
	}
	z, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("object %d: %v", n, err)
	}
	out, err := io.ReadAll(z)
	if err != nil {
		t.Fatalf("object %d: %v", n, err)
	}
	return out
}

// pages lists the pages' objects in order.
func (f *pdfFile) pages(t *testing.T) []int {
	t.Helper()
	catalog := ref(t, f.raw[bytes.LastIndex(f.raw, []byte("trailer")):], "Root")
	kids := regexp.MustCompile(`/Kids \[([^\]]*)\]`).FindSubmatch(f.objects[ref(t, f.objects[catalog], "Pages")])
	var out []int
	for _, m := range regexp.MustCompile(`(\d+) 0 R`).FindAllSubmatch(kids[1], -1) {
		n, _ := strconv.Atoi(string(m[1]))
		out = append(out, n)
	}
	return out
}

// text is every string the pages show, one per line, through the fonts'
// ToUnicode maps.
func (f *pdfFile) text(t *testing.T) string {
	t.Helper()
	var out strings.Builder
	for _, p := range f.pages(t) {
		fonts := regexp.MustCompile(`/F1 (\d+) 0 R`).FindSubmatch(f.objects[p])
		fn, _ := strconv.Atoi(string(fonts[1]))
		cmap := map[string]string{}
		for _, m := range regexp.MustCompile(`<([0-9A-F]{4})> <([0-9A-F]+)>`).FindAllSubmatch(f.stream(t, ref(t, f.objects[fn], "ToUnicode")), -1) {
			var u []rune
			for i := 0; i < len(m[2]); i += 4 {
				v, _ := strconv.ParseUint(string(m[2][i:i+4]), 16, 16)
				u = append(u, rune(v))
			}
			cmap[string(m[1])] = string(u)
		}
		content := f.stream(t, ref(t, f.objects[p], "Contents"))
		for _, m := range regexp.MustCompile(`<([0-9A-F]*)> Tj`).FindAllSubmatch(content, -1) {
			for i := 0; i+4 <= len(m[1]); i += 4 {
				if s, ok := cmap[string(m[1][i:i+4])]; ok {
					out.WriteString(s)
				} else {
					out.WriteString("\uFFFD")
				}
			}
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// qrModules reads back the QR code a page draws (the squares between
// "q 0 g" and "f Q") as an image, 4 pixels a point, and decodes it.
func (f *pdfFile) qrPayload(t *testing.T) string {
	t.Helper()
	var content []byte
	i := -1
	for _, p := range f.pages(t) {
		content = f.stream(t, ref(t, f.objects[p], "Contents"))
		if i = bytes.Index(content, []byte("q 0 g\n")); i >= 0 {
			break
		}
	}
	if i < 0 {
		t.Fatal("no QR code on any page")
	}
	j := bytes.Index(content[i:], []byte("f Q\n"))
	type rect struct{ x, y, w, h float64 }
	var rs []rect
	minX, minY, maxX, maxY := 1e9, 1e9, -1e9, -1e9
	for _, l := range strings.Split(string(content[i+6:i+j]), "\n") {
		var r rect
		if _, err := fmt.Sscanf(l, "%g %g %g %g re", &r.x, &r.y, &r.w, &r.h); err != nil {
			continue
		}
		rs = append(rs, r)
		minX, minY, maxX, maxY = min(minX, r.x), min(minY, r.y), max(maxX, r.x+r.w), max(maxY, r.y+r.h)
	}
	return decodeQR(t, func(img *image.Gray, scale, quiet float64) {
		for _, r := range rs {
			for y := int((maxY - r.y - r.h) * scale); y < int((maxY-r.y)*scale); y++ {
				for x := int((r.x - minX) * scale); x < int((r.x-minX+r.w)*scale); x++ {
					img.SetGray(x+int(quiet), y+int(quiet), color.Gray{})
				}
			}
		}
	}, maxX-minX, maxY-minY)
}

// decodeQR paints a code of w×h units on white with a quiet zone and
// decodes it with zxing.
func decodeQR(t *testing.T, paint func(img *image.Gray, scale, quiet float64), w, h float64) string {
	t.Helper()
	const scale, quiet = 4.0, 40.0
	img := image.NewGray(image.Rect(0, 0, int(w*scale+2*quiet), int(h*scale+2*quiet)))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	paint(img, scale, quiet)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("QR code does not decode: %v", err)
	}
	return res.GetText()
}

// svgQRPayload decodes the QR code of a page's inline SVG.
func svgQRPayload(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `class="qr-image"`)
	if i < 0 {
		t.Fatal("no QR code in the page")
	}
	svg := page[i:]
	svg = svg[:strings.Index(svg, "</svg>")]
	var n int
	if _, err := fmt.Sscanf(svg[strings.Index(svg, "viewBox="):], `viewBox="0 0 %d`, &n); err != nil {
		t.Fatal(err)
	}
	rects := regexp.MustCompile(`<rect x="(\d+)" y="(\d+)" width="(\d+)" height="1"/>`).FindAllStringSubmatch(svg, -1)
	return decodeQR(t, func(img *image.Gray, scale, quiet float64) {
		for _, m := range rects {
			x, _ := strconv.Atoi(m[1])
			y, _ := strconv.Atoi(m[2])
			w, _ := strconv.Atoi(m[3])
			for py := y * int(scale); py < (y+1)*int(scale); py++ {
				for px := x * int(scale); px < (x+w)*int(scale); px++ {
					img.SetGray(px+int(quiet), py+int(quiet), color.Gray{})
				}
			}
		}
	}, float64(n), float64(n))
}
