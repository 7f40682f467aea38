package document

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Seal is a body's approval seal (行政审批专用章, H8): one per body, for
// all items transferred to it. It is a picture drawn from the body's name
// — a red ring, the name along the upper arc, a five-pointed star in the
// centre and the seal's title below it, the layout of official seals
// (GA 241) — not a cryptographic signature. Who may configure it and the
// register of its uses belong to storage.
type Seal struct {
	Name  string // the body's full name along the arc: 青山镇人民政府
	Title string // below the star; 行政审批专用章 by default
}

// SealTitle is the title of the approval seal.
const SealTitle = "行政审批专用章"

// NewSeal checks a body's name for its seal: 2–24 characters, no spaces
// or controls (the arc has room for that many).
func NewSeal(name string) (Seal, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	if n < 2 || n > 24 || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == '\u3000' || r == 0x7F }) {
		return Seal{}, apperr.Invalidf("seal", "document.the_body_s_name_on_the")
	}
	return Seal{Name: name, Title: SealTitle}, nil
}

// Seal geometry, in millimetres, centre (0, 0), y upwards.
const (
	SealDiameter = 42.0 // a township's official seal
	sealRing     = 1.2  // the ring's width
	sealStar     = 7.0  // the star's outer radius
)

// sealColor is the seal's red, as sRGB.
var sealColor = [3]float64{0.85, 0.08, 0.11}

// placed is one character of the seal: the middle of its baseline, its
// size and its rotation (radians, counter-clockwise; 0 upright).
type placed struct {
	r          rune
	x, y, size float64
	angle      float64
}

// layout places the seal's characters: the name along the upper arc,
// spread over at most 240°, each upright towards the rim; the title on
// a line below the star.
func (s Seal) layout() []placed {
	R := SealDiameter / 2
	name := []rune(s.Name)
	n := float64(len(name))
	const span = 240 * math.Pi / 180
	size := min(6.5, span*(R-5)/n/1.08)
	rb := R - sealRing - 1.0 - size*0.86 // the baseline's radius
	step := min(span/n, size*1.18/rb)
	out := make([]placed, 0, len(name)+8)
	for i, r := range name {
		theta := math.Pi/2 + step*(n-1)/2 - step*float64(i)
		out = append(out, placed{r: r, x: rb * math.Cos(theta), y: rb * math.Sin(theta), size: size, angle: theta - math.Pi/2})
	}
	title := []rune(s.Title)
	ts := min(4.4, 30/float64(max(len(title), 1)))
	y := -R * 0.56
	for i, r := range title {
		x := (float64(i) - float64(len(title)-1)/2) * ts
		out = append(out, placed{r: r, x: x, y: y, size: ts})
	}
	return out
}

// star is the five-pointed star's outline, ten points from the top.
func star() [][2]float64 {
	pts := make([][2]float64, 10)
	inner := sealStar * 0.382
	for i := range pts {
		r := sealStar
		if i%2 == 1 {
			r = inner
		}
		a := math.Pi/2 + float64(i)*math.Pi/5
		pts[i] = [2]float64{r * math.Cos(a), r * math.Sin(a)}
	}
	return pts
}

// SVG draws the seal, 42 mm across.
func (s Seal) SVG() string {
	R := SealDiameter / 2
	var b strings.Builder
	fill := fmt.Sprintf("rgb(%d,%d,%d)", int(sealColor[0]*255), int(sealColor[1]*255), int(sealColor[2]*255))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="seal-image" role="img" viewBox="%g %g %g %g" width="%gmm" height="%gmm">`,
		-R, -R, SealDiameter, SealDiameter, SealDiameter, SealDiameter)
	fmt.Fprintf(&b, `<title>%s%s</title>`, esc(s.Name), esc(s.Title))
	fmt.Fprintf(&b, `<circle cx="0" cy="0" r="%g" fill="none" stroke="%s" stroke-width="%g"/>`, R-sealRing/2, fill, sealRing)
	b.WriteString(`<polygon fill="` + fill + `" points="`)
	for i, p := range star() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.3f,%.3f", p[0], -p[1])
	}
	b.WriteString(`"/>`)
	fmt.Fprintf(&b, `<g fill="%s" font-family="SimSun,'Songti SC','Noto Serif CJK SC','WenQuanYi Micro Hei',serif" text-anchor="middle">`, fill)
	for _, p := range s.layout() {
		fmt.Fprintf(&b, `<text font-size="%.3f" transform="translate(%.3f %.3f) rotate(%.2f)">%s</text>`,
			p.size, p.x, -p.y, -p.angle*180/math.Pi, esc(string(p.r)))
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

var esc = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace
