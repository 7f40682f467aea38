package document

import (
	"strings"
	"unicode"
)

// PDF is a rendered PDF file.
type PDF struct {
	Bytes []byte
	Pages int
	// Missing lists the characters the embedded font lacks (outside
	// GB2312 and the templates' own); they print as empty boxes, so the
	// caller can warn whoever issues the document.
	Missing []rune
}

// PDF draws the document on A4 pages.
func (r *Rendered) PDF() (*PDF, error) {
	c, err := newCanvas()
	if err != nil {
		return nil, err
	}
	p := &painter{c: c, y: marginT, r: r}
	for _, b := range blocks(r.Fragment) {
		p.block(b)
	}
	out, err := c.finish(r.Spec.Title(r.Lang) + " " + r.Data.Number)
	if err != nil {
		return nil, err
	}
	return &PDF{Bytes: out, Pages: len(c.pages), Missing: c.missing}, nil
}

// painter lays blocks out top to bottom, y the top of what comes next
// (points from the page's top).
type painter struct {
	c *canvas
	y float64
	r *Rendered
}

const textW = pageW - marginL - marginR

// style is how a block's text is set.
type style struct {
	size, leading, after float64
	bold                 bool
	align                string // left, center, right
	indent, hang         float64
}

func (p *painter) style(b *block) style {
	s := style{size: 12, leading: 1.7, after: 6, align: "left"}
	switch b.tag {
	case "h1":
		s = style{size: 20, leading: 1.4, after: 8, bold: true, align: "center"}
	case "h2":
		s = style{size: 14, leading: 1.5, after: 6, bold: true, align: "left"}
	case "li":
		s.hang, s.after = 24, 2
	}
	if b.has("note") {
		s.size = 10
	}
	if b.has("center") {
		s.align = "center"
	}
	if b.has("right") || b.has("sign") {
		s.align = "right"
	}
	if b.has("indent") {
		s.indent = 2 * s.size
	}
	if b.has("sign") {
		s.leading = 2
	}
	return s
}

// room starts a new page unless h points fit above the bottom margin.
func (p *painter) room(h float64) {
	if p.y+h > pageH-marginB && p.y > marginT {
		p.c.newPage()
		p.y = marginT
	}
}

func (p *painter) block(b *block) {
	switch b.kind {
	case qrBlock:
		side := 25 * mm
		p.room(side + 4)
		x := marginL
		switch {
		case b.has("right"):
			x = pageW - marginR - side
		case b.has("center"):
			x = marginL + (textW-side)/2
		}
		p.c.qr(p.r.QR(), x, p.y, side)
		p.y += side + 4
	case tableBlock:
		p.table(b)
	default:
		p.text(b)
	}
}

func (p *painter) text(b *block) {
	s := p.style(b)
	left, width := marginL+s.hang, textW-s.hang
	right := 0.0
	sign := b.has("sign")
	if sign {
		right = 2 * s.size
		width -= right
		p.y += 2.5 * s.size
	}
	lines := p.wrap(b.runs, s, width)
	lh := s.size * s.leading
	h := float64(len(lines)) * lh
	if sign && b.seal && p.r.Seal != nil {
		h = max(h, 24*mm)
		p.room(max(h, SealDiameter*mm))
	}
	top := p.y
	for i, l := range lines {
		p.room(lh)
		if i == 0 {
			top = p.y
		}
		w := lineWidth(l)
		x := left
		if i == 0 && s.align == "left" {
			x += s.indent
		}
		switch s.align {
		case "center":
			x = left + (width-w)/2
		case "right":
			x = left + width - w
		}
		base := p.y + (lh-s.size)/2 + s.size*0.88
		for _, seg := range segments(l) {
			p.c.text(x, base, s.size, seg.text, seg.bold || s.bold)
			x += seg.w
		}
		p.y += lh
	}
	if sign {
		p.y = max(p.y, top+24*mm)
		if b.seal && p.r.Seal != nil {
			// As the stylesheet places it: its right edge at the sign-off's,
			// its centre on the sign-off's middle.
			p.c.seal(*p.r.Seal, pageW-marginR-right-SealDiameter*mm/2, (top+p.y)/2)
		}
		p.y += 1.5 * s.size
		return
	}
	p.y += s.after
}

// table draws rows of cells with borders: two columns 30 % and 70 %,
// otherwise equal.
func (p *painter) table(b *block) {
	cols := 0
	for _, r := range b.rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	widths := make([]float64, cols)
	for i := range widths {
		widths[i] = textW / float64(cols)
	}
	if cols == 2 {
		widths[0], widths[1] = textW*0.3, textW*0.7
	}
	const pad, padX = 4.0, 6.0
	s := style{size: 12, leading: 1.5, align: "left"}
	lh := s.size * s.leading
	p.y += 4
	for _, row := range b.rows {
		cells := make([][][]atom, len(row))
		h := 0.0
		for i, c := range row {
			cs := s
			cs.bold = c.header
			cells[i] = p.wrap(c.runs, cs, widths[i]-2*padX)
			h = max(h, float64(max(len(cells[i]), 1))*lh+2*pad)
		}
		p.room(h)
		x := marginL
		p.c.line(marginL, p.y, marginL+textW, p.y, 0.5)
		p.c.line(marginL, p.y+h, marginL+textW, p.y+h, 0.5)
		for i := range widths {
			p.c.line(x, p.y, x, p.y+h, 0.5)
			if i < len(row) {
				y := p.y + pad
				for _, l := range cells[i] {
					base := y + (lh-s.size)/2 + s.size*0.88
					tx := x + padX
					for _, seg := range segments(l) {
						p.c.text(tx, base, s.size, seg.text, seg.bold || row[i].header)
						tx += seg.w
					}
					y += lh
				}
			}
			x += widths[i]
		}
		p.c.line(marginL+textW, p.y, marginL+textW, p.y+h, 0.5)
		p.y += h
	}
	p.y += 10
}

// atom is what a line is not broken inside: a Han character with the
// punctuation that may not begin or end a line, a word, a space, a break.
type atom struct {
	parts []part
	w     float64
	space bool
	br    bool
}

type part struct {
	text string
	bold bool
	w    float64
}

// Punctuation that may not begin a line (it joins the atom before), and
// that may not end one (it joins the atom after).
const (
	noStart = "，。、；：？！）》」』】〕”’,.;:?!)%…"
	noEnd   = "（《「『【〔“‘("
)

func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x30FF) || (r >= 0xFF00 && r <= 0xFFEF) || r == '“' || r == '”' || r == '‘' || r == '’' || r == '…'
}

// atoms splits runs into atoms at size.
func (p *painter) atoms(runs []run, size float64) []atom {
	var out []atom
	for _, rn := range runs {
		if rn.text == "\n" {
			out = append(out, atom{br: true})
			continue
		}
		var word []rune
		flush := func() {
			if len(word) > 0 {
				t := string(word)
				w := p.c.textWidth(t, size)
				out = append(out, atom{parts: []part{{t, rn.bold, w}}, w: w})
				word = word[:0]
			}
		}
		for _, r := range rn.text {
			switch {
			case r == ' ':
				flush()
				w := p.c.width(' ', size)
				out = append(out, atom{parts: []part{{" ", rn.bold, w}}, w: w, space: true})
			case wide(r):
				flush()
				w := p.c.width(r, size)
				out = append(out, atom{parts: []part{{string(r), rn.bold, w}}, w: w})
			default:
				word = append(word, r)
			}
		}
		flush()
	}
	// Keep punctuation with its neighbour (禁则).
	var joined []atom
	for i := 0; i < len(out); i++ {
		a := out[i]
		first := firstRune(a)
		if k := len(joined) - 1; k >= 0 && !a.br && !a.space && !joined[k].br && !joined[k].space && strings.ContainsRune(noStart, first) {
			joined[k].parts = append(joined[k].parts, a.parts...)
			joined[k].w += a.w
			continue
		}
		joined = append(joined, a)
	}
	out = joined[:0:0]
	for i := 0; i < len(joined); i++ {
		a := joined[i]
		for i+1 < len(joined) && !a.br && !a.space && !joined[i+1].br && !joined[i+1].space && strings.ContainsRune(noEnd, lastRune(a)) {
			i++
			a.parts = append(a.parts, joined[i].parts...)
			a.w += joined[i].w
		}
		out = append(out, a)
	}
	return out
}

func firstRune(a atom) rune {
	for _, p := range a.parts {
		for _, r := range p.text {
			return r
		}
	}
	return 0
}

func lastRune(a atom) rune {
	var last rune
	for _, p := range a.parts {
		for _, r := range p.text {
			last = r
		}
	}
	return last
}

// wrap breaks runs into lines of at most width (the first line less the
// indent); a word wider than a line is cut by character.
func (p *painter) wrap(runs []run, s style, width float64) [][]atom {
	var lines [][]atom
	var cur []atom
	w := 0.0
	limit := width - s.indent
	for _, a := range p.atoms(runs, s.size) {
		switch {
		case a.br:
			lines, cur, w, limit = append(lines, trim(cur)), nil, 0, width
			continue
		case a.space && len(cur) == 0:
			continue
		case w+a.w > limit && len(cur) > 0 && !a.space:
			lines, cur, w, limit = append(lines, trim(cur)), nil, 0, width
		}
		if a.w > limit && len(a.parts) == 1 {
			for _, r := range a.parts[0].text {
				rw := p.c.width(r, s.size)
				if w+rw > limit && len(cur) > 0 {
					lines, cur, w, limit = append(lines, trim(cur)), nil, 0, width
				}
				cur = append(cur, atom{parts: []part{{string(r), a.parts[0].bold, rw}}, w: rw})
				w += rw
			}
			continue
		}
		cur = append(cur, a)
		w += a.w
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, trim(cur))
	}
	return lines
}

// trim drops a line's trailing spaces.
func trim(l []atom) []atom {
	for len(l) > 0 && l[len(l)-1].space {
		l = l[:len(l)-1]
	}
	return l
}

func lineWidth(l []atom) float64 {
	w := 0.0
	for _, a := range l {
		w += a.w
	}
	return w
}

// segments merges a line's parts of the same weight, one Tj each.
func segments(l []atom) []part {
	var out []part
	for _, a := range l {
		for _, pt := range a.parts {
			if k := len(out) - 1; k >= 0 && out[k].bold == pt.bold {
				out[k].text += pt.text
				out[k].w += pt.w
				continue
			}
			out = append(out, pt)
		}
	}
	return out
}
