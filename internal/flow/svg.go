package flow

import (
	"bytes"
	"cmp"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
)

// DrawOptions say how a flow is drawn.
type DrawOptions struct {
	// Lang is "en" for English labels, anything else for Chinese.
	Lang string
	// RoleName labels a role (auth's role names in the page's language);
	// nil shows the role ids.
	RoleName func(role string) string
}

// Geometry of the drawing, in px of the viewBox.
const (
	maxWidth   = 900 // an item page's column
	margin     = 12
	gapX       = 24 // between boxes in a layer
	gapY       = 60 // between layers: room for arrow labels
	dummyW     = 8  // the slot an arrow passing through a layer takes
	maxBoxW    = 180
	minBoxW    = 96
	nameSize   = 13.0
	smallSize  = 11.0
	lineHeight = 1.35
	padX       = 8
	padY       = 7
	startR     = 7
)

// SVG draws the flow: steps as boxes in layers by their longest path from
// the start, actions as labelled arrows (an action that stays at its step,
// such as an extension, as a ↻ line inside the box), special procedures
// dashed and amber, steps at the level above blue, terminal outcomes as
// rounded boxes coloured by status. The drawing is deterministic,
// self-contained (no script, no external font or stylesheet) and scales
// down with its viewBox.
func (f *Flow) SVG(opt DrawOptions) []byte {
	d := newDrawing(f, opt)
	d.layout()
	return d.render()
}

// box is one node of the drawing: the start marker, a step, an outcome, or
// a dummy — the point where an arrow spanning several layers crosses one.
type box struct {
	id      string
	step    *Step
	outcome *Outcome
	dummy   bool
	layer   int
	pos     float64 // position in its layer while ordering
	x, y    float64 // top-left
	w, h    float64
	lines   []string // the name, wrapped
	sub     []string // level, role and limit, or the special procedure
	loops   []string // actions that stay at the step
	ups     []*box   // neighbours one layer up, along arrows
	downs   []*box
}

func (b *box) cx() float64 { return b.x + b.w/2 }

// edge is one arrow, laid out from its upper end down to its lower end
// through a dummy per layer in between. back: the action goes upwards
// (supplement back to the window, a survey's opinion back to the review).
type edge struct {
	label string
	chain []*box
	back  bool
}

type drawing struct {
	f      *Flow
	opt    DrawOptions
	start  *box
	boxes  []*box // start, steps, outcomes, then dummies
	edges  []*edge
	layers [][]*box
	w, h   float64
}

func newDrawing(f *Flow, opt DrawOptions) *drawing {
	d := &drawing{f: f, opt: opt}
	d.start = &box{w: 2 * startR, h: 2 * startR}
	d.boxes = append(d.boxes, d.start)
	byID := map[string]*box{}
	for i := range f.Steps {
		b := &box{id: f.Steps[i].ID, step: &f.Steps[i]}
		d.boxes, byID[b.id] = append(d.boxes, b), b
	}
	for i := range f.Outcomes {
		b := &box{id: f.Outcomes[i].ID, outcome: &f.Outcomes[i]}
		d.boxes, byID[b.id] = append(d.boxes, b), b
	}
	for _, a := range f.Actions {
		label := a.Name.In(opt.Lang)
		to := byID[a.To]
		if a.Start {
			d.edges = append(d.edges, &edge{label: label, chain: []*box{d.start, to}})
		}
		for _, id := range a.From {
			if from := byID[id]; from == to {
				from.loops = append(from.loops, label)
			} else {
				d.edges = append(d.edges, &edge{label: label, chain: []*box{from, to}})
			}
		}
	}
	return d
}

// layout turns back edges round, assigns layers, threads long arrows
// through dummies, orders each layer to shorten arrows, and sizes and
// places the boxes.
func (d *drawing) layout() {
	d.turnBackEdges()
	d.assignLayers()
	d.addDummies()
	d.orderLayers()
	d.place()
}

// turnBackEdges finds, by a depth-first walk from the start in file order,
// the edges that close a cycle and turns them round, so that the arrows
// form layers; they are drawn pointing back up.
func (d *drawing) turnBackEdges() {
	out := map[*box][]*edge{}
	for _, e := range d.edges {
		out[e.chain[0]] = append(out[e.chain[0]], e)
	}
	const (
		unseen = iota
		open
		closed
	)
	state := map[*box]int{}
	var walk func(b *box)
	walk = func(b *box) {
		state[b] = open
		for _, e := range out[b] {
			switch to := e.chain[1]; state[to] {
			case open:
				e.back = true
			case unseen:
				walk(to)
			}
		}
		state[b] = closed
	}
	for _, b := range d.boxes { // the start first; a valid flow reaches every box from it
		if state[b] == unseen {
			walk(b)
		}
	}
	for _, e := range d.edges {
		if e.back {
			e.chain[0], e.chain[1] = e.chain[1], e.chain[0]
		}
	}
}

// assignLayers gives each box its longest distance from the start.
func (d *drawing) assignLayers() {
	in := map[*box]int{}
	for _, e := range d.edges {
		in[e.chain[1]]++
	}
	var queue []*box
	for _, b := range d.boxes {
		if in[b] == 0 {
			queue = append(queue, b)
		}
	}
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		for _, e := range d.edges {
			if e.chain[0] != b {
				continue
			}
			to := e.chain[1]
			to.layer = max(to.layer, b.layer+1)
			if in[to]--; in[to] == 0 {
				queue = append(queue, to)
			}
		}
	}
}

// addDummies threads every edge through one dummy per layer it crosses
// and links neighbours.
func (d *drawing) addDummies() {
	for _, e := range d.edges {
		upper, lower := e.chain[0], e.chain[1]
		chain := []*box{upper}
		for l := upper.layer + 1; l < lower.layer; l++ {
			dm := &box{dummy: true, layer: l, w: dummyW}
			d.boxes = append(d.boxes, dm)
			chain = append(chain, dm)
		}
		e.chain = append(chain, lower)
		for i := 1; i < len(e.chain); i++ {
			a, b := e.chain[i-1], e.chain[i]
			a.downs, b.ups = append(a.downs, b), append(b.ups, a)
		}
	}
	for _, b := range d.boxes {
		for len(d.layers) <= b.layer {
			d.layers = append(d.layers, nil)
		}
		b.pos = float64(len(d.layers[b.layer]))
		d.layers[b.layer] = append(d.layers[b.layer], b)
	}
}

// orderLayers sweeps down, up and down again, ordering each layer by the
// mean position of each box's neighbours in the layer just swept (the
// barycentre heuristic); boxes without neighbours there keep their place.
func (d *drawing) orderLayers() {
	sweep := func(l int, near func(*box) []*box) {
		for _, b := range d.layers[l] {
			if n := near(b); len(n) > 0 {
				sum := 0.0
				for _, o := range n {
					sum += o.pos
				}
				b.pos = sum / float64(len(n))
			}
		}
		slices.SortStableFunc(d.layers[l], func(a, b *box) int { return cmp.Compare(a.pos, b.pos) })
		for i, b := range d.layers[l] {
			b.pos = float64(i)
		}
	}
	ups := func(b *box) []*box { return b.ups }
	downs := func(b *box) []*box { return b.downs }
	for l := 1; l < len(d.layers); l++ {
		sweep(l, ups)
	}
	for l := len(d.layers) - 2; l >= 0; l-- {
		sweep(l, downs)
	}
	for l := 1; l < len(d.layers); l++ {
		sweep(l, ups)
	}
}

// place sizes the boxes — as wide as the widest layer allows within
// maxWidth, between minBoxW and maxBoxW — and centres each layer.
func (d *drawing) place() {
	boxW := float64(maxBoxW)
	for _, l := range d.layers {
		real, dummies := 0, 0
		for _, b := range l {
			if b.dummy {
				dummies++
			} else if b != d.start {
				real++
			}
		}
		if real > 0 {
			room := float64(maxWidth-2*margin-(len(l)-1)*gapX-dummies*dummyW) / float64(real)
			boxW = min(boxW, math.Floor(room))
		}
	}
	boxW = max(boxW, minBoxW)
	for _, b := range d.boxes {
		if b != d.start && !b.dummy {
			d.label(b, boxW)
		}
	}
	y := float64(margin)
	for _, l := range d.layers {
		rowH, rowW := 0.0, float64(len(l)-1)*gapX
		for _, b := range l {
			rowH, rowW = max(rowH, b.h), rowW+b.w
		}
		d.w = max(d.w, rowW+2*margin)
		for _, b := range l {
			b.y = y + (rowH-b.h)/2
			if b.dummy {
				b.y, b.h = y, rowH
			}
		}
		y += rowH + gapY
	}
	d.h = y - gapY + margin
	for _, l := range d.layers {
		rowW := float64(len(l)-1) * gapX
		for _, b := range l {
			rowW += b.w
		}
		x := (d.w - rowW) / 2
		for _, b := range l {
			b.x = x
			x += b.w + gapX
		}
	}
}

// label sets a box's text and size.
func (d *drawing) label(b *box, w float64) {
	lang := d.opt.Lang
	b.w = w
	if b.outcome != nil {
		b.lines = wrap(b.outcome.Name.In(lang), w-2*padX, nameSize, 2)
	} else {
		s := b.step
		name := s.Name.In(lang)
		if s.Optional {
			name += pick(lang, "flow.optional")
		}
		b.lines = wrap(name, w-2*padX, nameSize, 3)
		var parts []string
		if s.Level == Parent {
			parts = append(parts, pick(lang, "flow.level_above"))
		}
		parts = append(parts, d.roleName(s.Role))
		if s.Special != nil {
			parts = append(parts, pick(lang, "flow.not_counted_at_most")+limitText(s.Special.Max, lang))
		} else if s.Limit.N > 0 {
			parts = append(parts, limitText(s.Limit, lang))
		}
		b.sub = wrap(strings.Join(parts, " · "), w-2*padX, smallSize, 2)
	}
	if len(b.loops) > 0 {
		b.loops = []string{truncate("↻ "+strings.Join(b.loops, " · "), w-2*padX, smallSize)}
	}
	b.h = 2*padY + float64(len(b.lines))*nameSize*lineHeight + float64(len(b.sub)+len(b.loops))*smallSize*lineHeight
}

func (d *drawing) roleName(r string) string {
	if d.opt.RoleName != nil {
		return d.opt.RoleName(r)
	}
	return r
}

func pick(lang, key string) string { return msg.Text(lang, key) }

// limitText renders a limit: "5个工作日", "5 working days".
func limitText(b calendar.Budget, lang string) string {
	u := b.Unit.In(lang)
	if lang != "en" {
		return fmt.Sprintf("%d%s", b.N, u)
	}
	if b.N == 1 {
		u = strings.TrimSuffix(u, "s")
	}
	return fmt.Sprintf("%d %s", b.N, u)
}

// textWidth estimates the width of s at a font size: a CJK or full-width
// character is one em, other characters a little over half.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x2E80:
			w += size
		case r >= 'A' && r <= 'Z':
			w += 0.68 * size
		default:
			w += 0.56 * size
		}
	}
	return w
}

// wrap breaks s into at most n lines of width w: at spaces where there are
// any, else between characters; the last line ends in … if s is longer.
func wrap(s string, w, size float64, n int) []string {
	var lines []string
	line := ""
	for _, word := range splitWords(s) {
		try := line + word
		if line != "" && textWidth(strings.TrimRight(try, " "), size) > w {
			lines = append(lines, strings.TrimRight(line, " "))
			try = strings.TrimLeft(word, " ")
		}
		for textWidth(strings.TrimRight(try, " "), size) > w && utf8.RuneCountInString(try) > 1 {
			cut := fit(try, w, size)
			lines = append(lines, try[:cut])
			try = try[cut:]
		}
		line = try
	}
	if strings.TrimSpace(line) != "" || len(lines) == 0 {
		lines = append(lines, strings.TrimRight(line, " "))
	}
	if len(lines) > n {
		lines = append(lines[:n-1], truncate(strings.Join(lines[n-1:], " "), w, size))
	}
	return lines
}

// splitWords splits s after each space and around each CJK character, so
// that Chinese breaks anywhere and English at spaces.
func splitWords(s string) []string {
	var words []string
	cur := ""
	for _, r := range s {
		switch {
		case r >= 0x2E80:
			if cur != "" {
				words = append(words, cur)
			}
			words, cur = append(words, string(r)), ""
		case r == ' ':
			words, cur = append(words, cur+" "), ""
		default:
			cur += string(r)
		}
	}
	if cur != "" {
		words = append(words, cur)
	}
	return words
}

// fit returns how many bytes of s fit in width w (at least one character).
func fit(s string, w, size float64) int {
	end := 0
	for i, r := range s {
		next := i + utf8.RuneLen(r)
		if end > 0 && textWidth(s[:next], size) > w {
			break
		}
		end = next
	}
	return end
}

// truncate shortens s to width w, ending it with … when cut.
func truncate(s string, w, size float64) string {
	if textWidth(s, size) <= w {
		return s
	}
	cut := fit(s, w-textWidth("…", size), size)
	return strings.TrimRight(s[:cut], " ") + "…"
}

// Colours: neutral steps, amber special procedures, blue steps at the
// level above, outcomes by status.
const (
	inkColour     = "#1f2933"
	subColour     = "#52606d"
	lineColour    = "#52606d"
	stepFill      = "#f5f7fa"
	stepStroke    = "#7b8794"
	specialFill   = "#fff7e6"
	specialStroke = "#c77c02"
	parentFill    = "#eaf2fd"
	parentStroke  = "#2f6fbd"
)

func outcomeColours(s Status) (fill, stroke string) {
	switch s {
	case Completed:
		return "#e3f9e5", "#1f7a3a"
	case Refused:
		return "#fde8e8", "#b42318"
	}
	return "#eef0f2", "#616e7c"
}

func (d *drawing) render() []byte {
	arrow := "flow-" + d.f.Code + "-arrow"
	var paths, boxes bytes.Buffer
	var labels []*label
	for _, e := range d.edges {
		labels = append(labels, d.renderEdge(&paths, e, arrow))
	}
	for _, bx := range d.boxes[1:] {
		if !bx.dummy {
			d.renderBox(&boxes, bx)
		}
	}
	labels = spread(labels)
	// A label wider than the boxes it lies between may reach past them.
	left, right := 0.0, d.w
	for _, l := range labels {
		left, right = min(left, l.x-l.w/2-margin), max(right, l.x+l.w/2+margin)
	}
	var b bytes.Buffer
	title := html.EscapeString(d.f.Name.In(d.opt.Lang))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="%s 0 %s %s" width="%s" height="%s" role="img" aria-label="%s" style="max-width:100%%;height:auto" font-family="sans-serif">`+"\n",
		num(left), num(right-left), num(d.h), num(right-left), num(d.h), title)
	fmt.Fprintf(&b, "<title>%s</title>\n", title)
	fmt.Fprintf(&b, `<defs><marker id="%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="%s"/></marker></defs>`+"\n", arrow, lineColour)
	// Arrows first, so that boxes and labels are drawn over their ends.
	b.Write(paths.Bytes())
	fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%d" fill="%s"/>`+"\n", num(d.start.cx()), num(d.start.y+startR), startR, inkColour)
	b.Write(boxes.Bytes())
	for _, l := range labels {
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" rx="2" fill="#ffffff" opacity="0.9"/><text x="%s" y="%s" text-anchor="middle" font-size="%s" fill="%s">%s</text>`+"\n",
			num(l.x-l.w/2), num(l.y-smallSize), num(l.w), num(smallSize*1.35), num(l.x), num(l.y), num(smallSize), inkColour, html.EscapeString(l.text))
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func (d *drawing) renderBox(b *bytes.Buffer, bx *box) {
	fill, stroke, extra, rx := stepFill, stepStroke, "", 4
	var name string
	switch {
	case bx.outcome != nil:
		fill, stroke = outcomeColours(bx.outcome.Status)
		extra, rx, name = ` stroke-width="2.5"`, int(bx.h/2), bx.outcome.Name.In(d.opt.Lang)
	case bx.step.Special != nil:
		fill, stroke, extra = specialFill, specialStroke, ` stroke-dasharray="5 3"`
	case bx.step.Level == Parent:
		fill, stroke = parentFill, parentStroke
	}
	if bx.step != nil {
		name = bx.step.Name.In(d.opt.Lang)
	}
	fmt.Fprintf(b, `<g class="%s" data-id="%s"><title>%s</title>`, boxClass(bx), bx.id, html.EscapeString(name))
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="%d" fill="%s" stroke="%s"%s/>`,
		num(bx.x), num(bx.y), num(bx.w), num(bx.h), rx, fill, stroke, extra)
	y := bx.y + padY
	line := func(text string, size float64, colour string) {
		y += size * lineHeight
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle" font-size="%s" fill="%s">%s</text>`,
			num(bx.cx()), num(y-size*(lineHeight-1)-1), num(size), colour, html.EscapeString(text))
	}
	for _, l := range bx.lines {
		line(l, nameSize, inkColour)
	}
	for _, l := range append(bx.sub, bx.loops...) {
		line(l, smallSize, subColour)
	}
	b.WriteString("</g>\n")
}

func boxClass(bx *box) string {
	switch {
	case bx.outcome != nil:
		return "outcome " + string(bx.outcome.Status)
	case bx.step.Special != nil:
		return "step special"
	case bx.step.Level == Parent:
		return "step parent"
	}
	return "step"
}

// label is an arrow's label, centred at x on the baseline y, in the gap
// below layer gap.
type label struct {
	text    string
	x, y, w float64
	gap     int
}

// renderEdge draws an arrow through its chain — curves across the gaps
// between layers, straight through the layers it crosses — and returns
// its label, placed in the gap next to the box the action leaves.
func (d *drawing) renderEdge(b *bytes.Buffer, e *edge, arrow string) *label {
	type point struct{ x, y float64 }
	n := len(e.chain)
	upper, lower := e.chain[0], e.chain[n-1]
	pts := []point{{d.port(upper, e, true), upper.y + upper.h}}
	for _, dm := range e.chain[1 : n-1] {
		pts = append(pts, point{dm.cx(), dm.y}, point{dm.cx(), dm.y + dm.h})
	}
	pts = append(pts, point{d.port(lower, e, false), lower.y})
	var path strings.Builder
	fmt.Fprintf(&path, "M%s,%s", num(pts[0].x), num(pts[0].y))
	for i := 1; i < len(pts); i++ {
		p, q := pts[i-1], pts[i]
		if i%2 == 0 { // through a dummy's layer
			fmt.Fprintf(&path, "L%s,%s", num(q.x), num(q.y))
			continue
		}
		dy := (q.y - p.y) / 2
		fmt.Fprintf(&path, "C%s,%s %s,%s %s,%s", num(p.x), num(p.y+dy), num(q.x), num(q.y-dy), num(q.x), num(q.y))
	}
	end := "marker-end"
	gapPts := pts[:2]
	gap := upper.layer
	if e.back {
		end, gapPts, gap = "marker-start", pts[len(pts)-2:], lower.layer-1
	}
	fmt.Fprintf(b, `<path d="%s" fill="none" stroke="%s" stroke-width="1.3" %s="url(#%s)"/>`+"\n", path.String(), lineColour, end, arrow)
	return &label{text: e.label, gap: gap, w: textWidth(e.label, smallSize) + 6,
		x: (gapPts[0].x + gapPts[1].x) / 2, y: (gapPts[0].y+gapPts[1].y)/2 + smallSize/2 - 1}
}

// spread moves labels in one gap that would overlap down (and up) a line
// at a time, so that every label stays readable.
func spread(labels []*label) []*label {
	const step = smallSize * 1.4
	var placed []*label
	overlaps := func(l *label) bool {
		for _, p := range placed {
			if p.gap == l.gap && math.Abs(p.x-l.x) < (p.w+l.w)/2 && math.Abs(p.y-l.y) < step {
				return true
			}
		}
		return false
	}
	for _, l := range labels {
		y := l.y
		for k := 1; overlaps(l) && k <= 4; k++ {
			l.y = y + float64((k+1)/2)*step*float64(1-2*(k%2)) // -1, +1, -2, +2 lines
		}
		placed = append(placed, l)
	}
	return placed
}

// port spreads the arrows leaving a box's bottom (or entering its top):
// ordered by where their next point is, then by action, so that two
// actions between the same boxes (a request and its answer) do not lie on
// one line.
func (d *drawing) port(b *box, e *edge, bottom bool) float64 {
	if b.dummy || b == d.start {
		return b.cx()
	}
	type end struct {
		next *box
		e    int
	}
	var ends []end
	for i, o := range d.edges {
		n := len(o.chain)
		switch {
		case bottom && o.chain[0] == b:
			ends = append(ends, end{o.chain[1], i})
		case !bottom && o.chain[n-1] == b:
			ends = append(ends, end{o.chain[n-2], i})
		}
	}
	slices.SortStableFunc(ends, func(p, q end) int {
		if c := cmp.Compare(p.next.x, q.next.x); c != 0 {
			return c
		}
		return cmp.Compare(p.e, q.e)
	})
	i := slices.IndexFunc(ends, func(x end) bool { return d.edges[x.e] == e })
	return b.x + b.w*float64(i+1)/float64(len(ends)+1)
}

// num writes a coordinate with at most one decimal.
func num(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	return strings.TrimSuffix(s, ".0")
}
