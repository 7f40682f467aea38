// Package ttf reads TrueType fonts (glyf outlines) and writes subsets of
// them with their glyphs renumbered: the generator uses it to cut the
// vendored Chinese font down to the characters documents need, and the PDF
// writer to embed only the glyphs one document uses. It reads what those
// two need, no more: the tables it copies, the cmap (formats 4 and 12) and
// composite glyphs' components. Pure Go.
package ttf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Font is a parsed TrueType font. Its byte slices alias the input.
type Font struct {
	tables     map[string][]byte
	UnitsPerEm int
	NumGlyphs  int
	Ascent     int // hhea
	Descent    int // hhea, negative
	BBox       [4]int
	loca       []uint32
	glyf       []byte
	advance    []uint16
	lsb        []int16
	cmap       map[rune]uint16
}

var errFont = errors.New("ttf: malformed font")

// Parse reads a TrueType font, or font index of a collection (TTC).
func Parse(b []byte, index int) (*Font, error) {
	off := 0
	if len(b) >= 12 && string(b[:4]) == "ttcf" {
		n := int(u32(b, 8))
		if index < 0 || index >= n || len(b) < 12+4*n {
			return nil, fmt.Errorf("ttf: collection has no font %d", index)
		}
		off = int(u32(b, 12+4*index))
	}
	if len(b) < off+12 {
		return nil, errFont
	}
	if v := u32(b, off); v != 0x00010000 && v != 0x74727565 {
		return nil, fmt.Errorf("ttf: not a TrueType font (version %#x)", v)
	}
	nt := int(u16(b, off+4))
	f := &Font{tables: map[string][]byte{}}
	for i := range nt {
		e := off + 12 + 16*i
		if len(b) < e+16 {
			return nil, errFont
		}
		to, tl := int(u32(b, e+8)), int(u32(b, e+12))
		if to < 0 || tl < 0 || to+tl > len(b) {
			return nil, fmt.Errorf("ttf: table %q out of range", b[e:e+4])
		}
		f.tables[string(b[e:e+4])] = b[to : to+tl]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("ttf: no %s table", t)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, errFont
	}
	f.UnitsPerEm = int(u16(head, 18))
	f.BBox = [4]int{int(int16(u16(head, 36))), int(int16(u16(head, 38))), int(int16(u16(head, 40))), int(int16(u16(head, 42)))}
	f.Ascent, f.Descent = int(int16(u16(hhea, 4))), int(int16(u16(hhea, 6)))
	f.NumGlyphs = int(u16(maxp, 4))
	long := int16(u16(head, 50)) == 1
	loca := f.tables["loca"]
	f.loca = make([]uint32, f.NumGlyphs+1)
	for i := range f.loca {
		if long {
			if len(loca) < 4*i+4 {
				return nil, errFont
			}
			f.loca[i] = u32(loca, 4*i)
		} else {
			if len(loca) < 2*i+2 {
				return nil, errFont
			}
			f.loca[i] = 2 * uint32(u16(loca, 2*i))
		}
	}
	f.glyf = f.tables["glyf"]
	for i := range f.NumGlyphs {
		if f.loca[i] > f.loca[i+1] || int(f.loca[i+1]) > len(f.glyf) {
			return nil, fmt.Errorf("ttf: glyph %d out of range", i)
		}
	}
	nh := int(u16(hhea, 34))
	hmtx := f.tables["hmtx"]
	if nh < 1 || nh > f.NumGlyphs || len(hmtx) < 4*nh+2*(f.NumGlyphs-nh) {
		return nil, errFont
	}
	f.advance = make([]uint16, f.NumGlyphs)
	f.lsb = make([]int16, f.NumGlyphs)
	for i := range f.NumGlyphs {
		if i < nh {
			f.advance[i], f.lsb[i] = u16(hmtx, 4*i), int16(u16(hmtx, 4*i+2))
		} else {
			f.advance[i], f.lsb[i] = f.advance[nh-1], int16(u16(hmtx, 4*nh+2*(i-nh)))
		}
	}
	var err error
	if f.cmap, err = readCmap(f.tables["cmap"], f.NumGlyphs); err != nil {
		return nil, err
	}
	return f, nil
}

// Glyph is the glyph of r, 0 (.notdef) when the font has none.
func (f *Font) Glyph(r rune) uint16 { return f.cmap[r] }

// Advance is glyph g's advance width in font units.
func (f *Font) Advance(g uint16) int {
	if int(g) >= len(f.advance) {
		return 0
	}
	return int(f.advance[g])
}

// Runes lists the characters the font maps, in order.
func (f *Font) Runes() []rune {
	out := make([]rune, 0, len(f.cmap))
	for r := range f.cmap {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// readCmap reads the Unicode subtable: format 12 (3,10) when present, else
// format 4 (3,1 or 0,x).
func readCmap(b []byte, numGlyphs int) (map[rune]uint16, error) {
	if len(b) < 4 {
		return nil, errFont
	}
	n := int(u16(b, 2))
	best, bestFmt := -1, 0
	for i := range n {
		e := 4 + 8*i
		if len(b) < e+8 {
			return nil, errFont
		}
		pid, eid, off := u16(b, e), u16(b, e+2), int(u32(b, e+4))
		if off+2 > len(b) {
			return nil, errFont
		}
		format := int(u16(b, off))
		unicode := pid == 0 || (pid == 3 && (eid == 1 || eid == 10))
		if unicode && (format == 12 || (format == 4 && bestFmt != 12)) {
			best, bestFmt = off, format
		}
	}
	if best < 0 {
		return nil, errors.New("ttf: no Unicode cmap")
	}
	m := map[rune]uint16{}
	add := func(r rune, g int) {
		if g > 0 && g < numGlyphs {
			m[r] = uint16(g)
		}
	}
	t := b[best:]
	if bestFmt == 12 {
		if len(t) < 16 {
			return nil, errFont
		}
		groups := int(u32(t, 12))
		if len(t) < 16+12*groups {
			return nil, errFont
		}
		for i := range groups {
			e := 16 + 12*i
			start, end, g := u32(t, e), u32(t, e+4), u32(t, e+8)
			if end < start || end-start > 0x10FFFF {
				return nil, errFont
			}
			for c := start; c <= end; c++ {
				add(rune(c), int(g+c-start))
			}
		}
		return m, nil
	}
	if len(t) < 14 {
		return nil, errFont
	}
	segs := int(u16(t, 6)) / 2
	if len(t) < 16+8*segs {
		return nil, errFont
	}
	ends, starts, deltas, ranges := 14, 16+2*segs, 16+4*segs, 16+6*segs
	for s := range segs {
		end, start := int(u16(t, ends+2*s)), int(u16(t, starts+2*s))
		delta, ro := int(u16(t, deltas+2*s)), int(u16(t, ranges+2*s))
		for c := start; c <= end && c != 0xFFFF; c++ {
			if ro == 0 {
				add(rune(c), (c+delta)&0xFFFF)
				continue
			}
			p := ranges + 2*s + ro + 2*(c-start)
			if p+2 > len(t) {
				return nil, errFont
			}
			if g := int(u16(t, p)); g != 0 {
				add(rune(c), (g+delta)&0xFFFF)
			}
		}
	}
	return m, nil
}

// glyph is glyph g's outline bytes.
func (f *Font) glyph(g uint16) []byte { return f.glyf[f.loca[g]:f.loca[g+1]] }

// Composite glyph flags.
const (
	argsAreWords    = 0x0001
	weHaveAScale    = 0x0008
	moreComponents  = 0x0020
	weHaveXYScale   = 0x0040
	weHave2x2       = 0x0080
	compositeHeader = 10
)

// components lists the glyph indices a composite glyph's outline uses and
// the offsets of those indices in its bytes.
func components(b []byte) (gids []uint16, at []int, err error) {
	if len(b) < compositeHeader || int16(u16(b, 0)) >= 0 {
		return nil, nil, nil
	}
	p := compositeHeader
	for {
		if p+4 > len(b) {
			return nil, nil, errFont
		}
		flags := u16(b, p)
		gids, at = append(gids, u16(b, p+2)), append(at, p+2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&weHaveAScale != 0:
			p += 2
		case flags&weHaveXYScale != 0:
			p += 4
		case flags&weHave2x2 != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return gids, at, nil
		}
	}
}

// Subset is a font cut down to some glyphs, renumbered from 0.
type Subset struct {
	Font   []byte         // a TrueType file
	Glyphs map[uint16]int // old glyph → new glyph
	Old    []uint16       // new glyph → old glyph
}

// Subset writes a font holding .notdef and the glyphs given, numbered
// from 1 in the order given, then the components of composite ones. cmap maps
// characters to old glyphs for the new font's cmap (format 12); nil
// writes none (a PDF's CIDFontType2 addresses glyphs directly).
func (f *Font) Subset(glyphs []uint16, cmap map[rune]uint16) (*Subset, error) {
	s := &Subset{Glyphs: map[uint16]int{0: 0}, Old: []uint16{0}}
	add := func(g uint16) error {
		if _, ok := s.Glyphs[g]; ok {
			return nil
		}
		if int(g) >= f.NumGlyphs {
			return fmt.Errorf("ttf: no glyph %d", g)
		}
		s.Glyphs[g] = len(s.Old)
		s.Old = append(s.Old, g)
		return nil
	}
	for _, g := range glyphs {
		if err := add(g); err != nil {
			return nil, err
		}
	}
	// Components come after every glyph given, so those keep the numbers
	// 1, 2, … in the order given (the PDF writer's CIDs).
	for i := 0; i < len(s.Old); i++ {
		comps, _, err := components(f.glyph(s.Old[i]))
		if err != nil {
			return nil, err
		}
		for _, c := range comps {
			if err := add(c); err != nil {
				return nil, err
			}
		}
	}
	n := len(s.Old)
	var glyf []byte
	loca := make([]byte, 4*(n+1))
	hmtx := make([]byte, 4*n)
	for i, old := range s.Old {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		start := len(glyf)
		glyf = append(glyf, f.glyph(old)...)
		if comps, at, err := components(glyf[start:]); err != nil {
			return nil, err
		} else {
			for j, c := range comps {
				binary.BigEndian.PutUint16(glyf[start+at[j]:], uint16(s.Glyphs[c]))
			}
		}
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		binary.BigEndian.PutUint16(hmtx[4*i:], f.advance[old])
		binary.BigEndian.PutUint16(hmtx[4*i+2:], uint16(f.lsb[old]))
	}
	binary.BigEndian.PutUint32(loca[4*n:], uint32(len(glyf)))

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1)
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	tables := map[string][]byte{"head": head, "hhea": hhea, "maxp": maxp, "hmtx": hmtx, "loca": loca, "glyf": glyf}
	// Hinting programs are kept: glyph instructions may call their functions.
	for _, t := range []string{"cvt ", "fpgm", "prep", "OS/2", "name"} {
		if b := f.tables[t]; b != nil {
			tables[t] = b
		}
	}
	post := make([]byte, 32) // format 3: no glyph names
	copy(post, f.tables["post"])
	binary.BigEndian.PutUint32(post, 0x00030000)
	tables["post"] = post
	if cmap != nil {
		tables["cmap"] = writeCmap(cmap, s.Glyphs)
	}
	s.Font = writeFont(tables)
	return s, nil
}

// writeCmap writes a format 12 cmap (3,10) of the characters whose old
// glyph is in the subset.
func writeCmap(cmap map[rune]uint16, glyphs map[uint16]int) []byte {
	runes := make([]rune, 0, len(cmap))
	for r, g := range cmap {
		if _, ok := glyphs[g]; ok {
			runes = append(runes, r)
		}
	}
	slices.Sort(runes)
	type group struct{ start, end, g uint32 }
	var groups []group
	for _, r := range runes {
		g := uint32(glyphs[cmap[r]])
		if k := len(groups) - 1; k >= 0 && groups[k].end+1 == uint32(r) && groups[k].g+uint32(r)-groups[k].start == g {
			groups[k].end++
			continue
		}
		groups = append(groups, group{uint32(r), uint32(r), g})
	}
	b := make([]byte, 12, 12+16+12*len(groups))
	binary.BigEndian.PutUint16(b[2:], 1)     // one subtable
	binary.BigEndian.PutUint16(b[4:], 3)     // Windows
	binary.BigEndian.PutUint16(b[6:], 10)    // UCS-4
	binary.BigEndian.PutUint32(b[8:], 12)    // its offset
	b = binary.BigEndian.AppendUint16(b, 12) // format
	b = binary.BigEndian.AppendUint16(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(16+12*len(groups)))
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(len(groups)))
	for _, g := range groups {
		b = binary.BigEndian.AppendUint32(b, g.start)
		b = binary.BigEndian.AppendUint32(b, g.end)
		b = binary.BigEndian.AppendUint32(b, g.g)
	}
	return b
}

// writeFont lays the tables out as a TrueType file with its directory,
// table checksums and head's checkSumAdjustment.
func writeFont(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	es, sel := 1, 0
	for es*2 <= n {
		es *= 2
		sel++
	}
	size := 12 + 16*n
	for _, t := range tags {
		size += (len(tables[t]) + 3) &^ 3
	}
	b := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(b, 0x00010000)
	binary.BigEndian.PutUint16(b[4:], uint16(n))
	binary.BigEndian.PutUint16(b[6:], uint16(16*es))
	binary.BigEndian.PutUint16(b[8:], uint16(sel))
	binary.BigEndian.PutUint16(b[10:], uint16(16*n-16*es))
	headAt := 0
	for i, t := range tags {
		data := tables[t]
		e := 12 + 16*i
		copy(b[e:], t)
		binary.BigEndian.PutUint32(b[e+4:], checksum(data))
		binary.BigEndian.PutUint32(b[e+8:], uint32(len(b)))
		binary.BigEndian.PutUint32(b[e+12:], uint32(len(data)))
		if t == "head" {
			headAt = len(b)
		}
		b = append(b, data...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	binary.BigEndian.PutUint32(b[headAt+8:], 0xB1B0AFBA-checksum(b))
	return b
}

func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}

func u16(b []byte, i int) uint16 { return binary.BigEndian.Uint16(b[i:]) }
func u32(b []byte, i int) uint32 { return binary.BigEndian.Uint32(b[i:]) }
