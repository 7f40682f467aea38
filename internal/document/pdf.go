package document

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"sync"
	"unicode/utf16"

	"github.com/qingdan/qingdan/internal/document/ttf"
)

// The PDF is written here, not by a library: a document is one or two A4
// pages of text in one font, lines, a QR code's squares and the seal, and
// writing that directly keeps the binary free of cgo and the output
// deterministic (the same document gives the same bytes, so its hash can
// be registered). Text is a Type0 font with Identity-H encoding over a
// TrueType subset of just the glyphs the document uses, with a ToUnicode
// map so the text can be searched and extracted.

//go:generate go run ./fontgen -out font/wqy-microhei-gb2312.ttf

//go:embed font/wqy-microhei-gb2312.ttf
var fontTTF []byte

// fontName is the embedded font's PostScript name.
const fontName = "WenQuanYiMicroHei"

var loadFont = sync.OnceValues(func() (*ttf.Font, error) { return ttf.Parse(fontTTF, 0) })

// A4 in points, and the page's margins (公文: 26 mm top and left).
const (
	mm      = 72 / 25.4
	pageW   = 210 * mm
	pageH   = 297 * mm
	marginL = 26 * mm
	marginR = 24 * mm
	marginT = 26 * mm
	marginB = 24 * mm
)

// canvas collects pages of drawing operators and the glyphs they use.
type canvas struct {
	font    *ttf.Font
	upem    float64
	cid     map[uint16]uint16 // glyph → CID, from 1
	glyphs  []uint16          // CID-1 → glyph
	uni     []rune            // CID-1 → the character it was drawn for
	missing []rune
	pages   []*bytes.Buffer
	page    *bytes.Buffer
}

func newCanvas() (*canvas, error) {
	f, err := loadFont()
	if err != nil {
		return nil, fmt.Errorf("document: embedded font: %w", err)
	}
	c := &canvas{font: f, upem: float64(f.UnitsPerEm), cid: map[uint16]uint16{}}
	c.newPage()
	return c, nil
}

func (c *canvas) newPage() {
	c.page = &bytes.Buffer{}
	c.pages = append(c.pages, c.page)
}

// width is r's advance at size.
func (c *canvas) width(r rune, size float64) float64 {
	return float64(c.font.Advance(c.font.Glyph(r))) * size / c.upem
}

func (c *canvas) textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += c.width(r, size)
	}
	return w
}

// encode writes s as the hex string of its CIDs.
func (c *canvas) encode(b *bytes.Buffer, s string) {
	b.WriteByte('<')
	for _, r := range s {
		g := c.font.Glyph(r)
		id := uint16(0)
		if g == 0 {
			if r > ' ' {
				c.missing = append(c.missing, r)
			}
		} else if id = c.cid[g]; id == 0 {
			c.glyphs = append(c.glyphs, g)
			c.uni = append(c.uni, r)
			id = uint16(len(c.glyphs))
			c.cid[g] = id
		}
		fmt.Fprintf(b, "%04X", id)
	}
	b.WriteByte('>')
}

// text draws s with its baseline's left end at (x, y) (points, from the
// page's top). Bold is the glyphs' outline stroked as well as filled.
func (c *canvas) text(x, y, size float64, s string, bold bool) {
	b := c.page
	b.WriteString("BT\n")
	if bold {
		fmt.Fprintf(b, "2 Tr %s w\n", num(size*0.03))
	}
	fmt.Fprintf(b, "/F1 %s Tf %s %s Td ", num(size), num(x), num(pageH-y))
	c.encode(b, s)
	b.WriteString(" Tj\n")
	if bold {
		b.WriteString("0 Tr\n")
	}
	b.WriteString("ET\n")
}

// glyphAt draws r centred on (x, y) (points, y upwards here) rotated by
// angle: the seal's characters.
func (c *canvas) glyphAt(x, y, size, angle float64, r rune) {
	w := c.width(r, size)
	cos, sin := math.Cos(angle), math.Sin(angle)
	ox, oy := x-w/2*cos, y-w/2*sin // the baseline's left end
	fmt.Fprintf(c.page, "BT /F1 1 Tf %s %s %s %s %s %s Tm ", num(size*cos), num(size*sin), num(-size*sin), num(size*cos), num(ox), num(oy))
	c.encode(c.page, string(r))
	c.page.WriteString(" Tj ET\n")
}

// line strokes a line from (x1, y1) to (x2, y2), y from the top.
func (c *canvas) line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(c.page, "%s w %s %s m %s %s l S\n", num(width), num(x1), num(pageH-y1), num(x2), num(pageH-y2))
}

func num(f float64) string {
	s := strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// qr draws the QR code's dark modules as squares, top left at (x, y), side size.
func (c *canvas) qr(bm [][]bool, x, y, size float64) {
	n := float64(len(bm))
	m := size / n
	b := c.page
	b.WriteString("q 0 g\n")
	for i, row := range bm {
		for j := 0; j < len(row); {
			if !row[j] {
				j++
				continue
			}
			k := j
			for k < len(row) && row[k] {
				k++
			}
			fmt.Fprintf(b, "%s %s %s %s re\n", num(x+float64(j)*m), num(pageH-y-float64(i+1)*m), num(float64(k-j)*m), num(m))
			j = k
		}
	}
	b.WriteString("f Q\n")
}

// seal stamps s centred on (cx, cy) (points, from the top).
func (c *canvas) seal(s Seal, cx, cy float64) {
	b := c.page
	X, Y := cx, pageH-cy
	col := fmt.Sprintf("%s %s %s", num(sealColor[0]), num(sealColor[1]), num(sealColor[2]))
	fmt.Fprintf(b, "q %s rg %s RG\n", col, col)
	// The ring: four Bézier quarter circles.
	r := (SealDiameter/2 - sealRing/2) * mm
	k := r * 0.5522847498
	fmt.Fprintf(b, "%s w %s %s m ", num(sealRing*mm), num(X+r), num(Y))
	fmt.Fprintf(b, "%s %s %s %s %s %s c ", num(X+r), num(Y+k), num(X+k), num(Y+r), num(X), num(Y+r))
	fmt.Fprintf(b, "%s %s %s %s %s %s c ", num(X-k), num(Y+r), num(X-r), num(Y+k), num(X-r), num(Y))
	fmt.Fprintf(b, "%s %s %s %s %s %s c ", num(X-r), num(Y-k), num(X-k), num(Y-r), num(X), num(Y-r))
	fmt.Fprintf(b, "%s %s %s %s %s %s c S\n", num(X+k), num(Y-r), num(X+r), num(Y-k), num(X+r), num(Y))
	for i, p := range star() {
		op := "l"
		if i == 0 {
			op = "m"
		}
		fmt.Fprintf(b, "%s %s %s ", num(X+p[0]*mm), num(Y+p[1]*mm), op)
	}
	b.WriteString("h f\n")
	for _, p := range s.layout() {
		c.glyphAt(X+p.x*mm, Y+p.y*mm, p.size*mm, p.angle, p.r)
	}
	b.WriteString("Q\n")
}

// pdfWriter numbers objects and records their offsets for the xref table.
type pdfWriter struct {
	b       bytes.Buffer
	offsets []int
}

func (w *pdfWriter) reserve() int {
	w.offsets = append(w.offsets, 0)
	return len(w.offsets)
}

func (w *pdfWriter) object(id int, body string) {
	w.offsets[id-1] = w.b.Len()
	fmt.Fprintf(&w.b, "%d 0 obj\n%s\nendobj\n", id, body)
}

// zlibWriters are reused: a compressor's state is most of what a PDF
// would otherwise allocate (four of them, 600 KB each).
var zlibWriters = sync.Pool{New: func() any {
	zw, err := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	if err != nil {
		panic(err) // BestSpeed is a valid level
	}
	return zw
}}

// stream writes a zlib-compressed stream; extra goes into its dictionary.
func (w *pdfWriter) stream(id int, data []byte, extra string) error {
	var z bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(zw)
	zw.Reset(&z)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	w.offsets[id-1] = w.b.Len()
	fmt.Fprintf(&w.b, "%d 0 obj\n<< /Length %d /Filter /FlateDecode%s >>\nstream\n", id, z.Len(), extra)
	w.b.Write(z.Bytes())
	w.b.WriteString("\nendstream\nendobj\n")
	return nil
}

// finish writes the pages and the font, and returns the file.
func (c *canvas) finish(title string) ([]byte, error) {
	sub, err := c.font.Subset(c.glyphs, nil)
	if err != nil {
		return nil, fmt.Errorf("document: font subset: %w", err)
	}
	// The subset's tag (six letters) follows from its glyphs, so the same
	// document always gives the same file.
	h := sha256.New()
	for _, g := range c.glyphs {
		fmt.Fprintf(h, "%d,", g)
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	base := string(tag) + "+" + fontName

	w := &pdfWriter{}
	w.b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	catalog, pages, font, cidFont, toUni, desc, file, info := w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve()
	w.object(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Lang (zh-CN) >>", pages))
	var kids bytes.Buffer
	pageIDs := make([]int, len(c.pages))
	for i := range c.pages {
		pageIDs[i] = w.reserve()
		w.reserve()
		fmt.Fprintf(&kids, "%d 0 R ", pageIDs[i])
	}
	w.object(pages, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), len(c.pages)))
	w.object(font, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", base, cidFont, toUni))
	var widths bytes.Buffer
	for _, g := range c.glyphs {
		fmt.Fprintf(&widths, "%d ", int(math.Round(float64(c.font.Advance(g))*1000/c.upem)))
	}
	w.object(cidFont, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [1 [%s]] /CIDToGIDMap /Identity >>", base, desc, widths.String()))
	if err := w.stream(toUni, toUnicode(c.uni), ""); err != nil {
		return nil, err
	}
	s := 1000 / c.upem
	bb := c.font.BBox
	w.object(desc, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>",
		base, int(float64(bb[0])*s), int(float64(bb[1])*s), int(float64(bb[2])*s), int(float64(bb[3])*s),
		int(float64(c.font.Ascent)*s), int(float64(c.font.Descent)*s), int(float64(c.font.Ascent)*s), file))
	if err := w.stream(file, sub.Font, fmt.Sprintf(" /Length1 %d", len(sub.Font))); err != nil {
		return nil, err
	}
	w.object(info, fmt.Sprintf("<< /Title %s /Producer (qingdan) >>", pdfText(title)))
	for i, p := range c.pages {
		id := pageIDs[i]
		w.object(id, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
			pages, num(pageW), num(pageH), font, id+1))
		if err := w.stream(id+1, p.Bytes(), ""); err != nil {
			return nil, err
		}
	}
	xref := w.b.Len()
	fmt.Fprintf(&w.b, "xref\n0 %d\n0000000000 65535 f \n", len(w.offsets)+1)
	for _, o := range w.offsets {
		fmt.Fprintf(&w.b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&w.b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.offsets)+1, catalog, info, xref)
	return w.b.Bytes(), nil
}

// toUnicode is the CMap from CIDs to the characters drawn.
func toUnicode(uni []rune) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n")
	b.WriteString("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n")
	b.WriteString("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n")
	b.WriteString("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(uni); i += 100 {
		chunk := uni[i:min(i+100, len(uni))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for j, r := range chunk {
			fmt.Fprintf(&b, "<%04X> <", i+j+1)
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// pdfText is a text string as UTF-16BE with its byte order mark, in hex.
func pdfText(s string) string {
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return b.String()
}
