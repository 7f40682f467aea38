package document

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"regexp"
	"strings"
	"text/template/parse"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/msg"
)

// A template is HTML with Go template actions, restricted so that an
// administrator's edit cannot break the page, the PDF or the rules
// (docs/DOCUMENTS.md):
//
//   - actions: {{.Field}} (a field of Data), {{seal}}, {{qr}},
//     {{if .Field}}…{{else}}…{{end}}, {{range .Materials}}…{{.}}…{{end}}
//     (inside range, {{.}} is the entry and {{$.Field}} a field), comments;
//   - elements: h1 h2 p div br ol ul li table tr th td strong span, with
//     at most a class of center, right, sign, note, indent;
//   - no action inside a tag;
//   - every required field of the kind used (Spec.Required): the number,
//     the date and the QR code always, the seal where the kind needs it.

// funcs are the template's functions. Their output is a marker the
// renderer replaces with the seal or the QR code; a field's value is
// escaped and so can never forge one.
var funcs = template.FuncMap{
	"seal": func() template.HTML { return sealMarker },
	"qr":   func() template.HTML { return qrMarker },
}

const (
	sealMarker = `<div class="seal"></div>`
	qrMarker   = `<div class="qr"></div>`
)

var allowedTags = map[string]bool{"h1": true, "h2": true, "p": true, "div": true, "br": true, "ol": true, "ul": true,
	"li": true, "table": true, "tr": true, "th": true, "td": true, "strong": true, "span": true}

var allowedClasses = map[string]bool{"center": true, "right": true, "sign": true, "note": true, "indent": true}

// Template is a parsed, checked document template.
type Template struct {
	Kind   casework.DocumentKind
	Lang   string // "zh" or "en"
	Source string
	t      *template.Template
}

// MaxTemplate bounds a template's source.
const MaxTemplate = 64 << 10

// ParseTemplate checks source as a template for kind in lang and returns
// it, or an apperr.List naming every mistake by line (field "template").
// It also renders the preview's sample data through it, so a template
// that parses but cannot run is refused here too.
func ParseTemplate(kind casework.DocumentKind, lang, source string) (*Template, error) {
	spec, err := SpecOf("kind", kind)
	if err != nil {
		return nil, err
	}
	if lang != "zh" && lang != "en" {
		return nil, apperr.Invalidf("lang", "document.a_template_s_language_is_zh")
	}
	if len(source) > MaxTemplate {
		return nil, apperr.Invalidf("template", "document.the_template_is_over", apperr.Size(MaxTemplate))
	}
	if !utf8.ValidString(source) || strings.ContainsRune(source, 0) {
		return nil, apperr.Invalidf("template", "document.a_template_is_utf_8_text")
	}
	trees, err := parse.Parse("template", source, "{{", "}}", map[string]any{"seal": funcs["seal"], "qr": funcs["qr"]})
	if err != nil {
		return nil, apperr.List{parseError(err)}
	}
	c := checker{source: source, used: map[string]bool{}}
	for name, tree := range trees {
		if name != "template" {
			c.fail(tree.Root, "document.sub_templates_define_are_not_allowed")
			continue
		}
		c.walk(tree.Root, false)
	}
	for _, f := range spec.Required() {
		if !c.used[f] {
			c.errs = append(c.errs, missingField(f))
		}
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	t, err := template.New("template").Funcs(funcs).Parse(source)
	if err != nil {
		return nil, apperr.List{parseError(err)}
	}
	tp := &Template{Kind: kind, Lang: lang, Source: source, t: t}
	if _, err := tp.execute(Sample(kind, lang)); err != nil {
		return nil, apperr.List{apperr.Invalidf("template", "document.the_template_cannot_produce_a_document", err)}
	}
	return tp, nil
}

func missingField(f string) *apperr.Error {
	switch f {
	case "seal":
		return apperr.Invalidf("template", "document.documents_of_this_kind_bear_the")
	case "qr":
		return apperr.Invalidf("template", "document.the_template_lacks_the_case_s")
	}
	return apperr.Invalidf("template", "document.the_template_lacks_the_required_field", f)
}

var lineOf = regexp.MustCompile(`template:(\d+)(?::\d+)?:\s*(.*)$`)

// parseError turns the template parser's error into one naming the line.
func parseError(err error) *apperr.Error {
	msg := err.Error()
	if m := lineOf.FindStringSubmatch(msg); m != nil {
		return apperr.Invalidf("template", "document.line_template_syntax_error", m[1], m[2])
	}
	return apperr.Invalidf("template", "document.template_syntax_error", msg)
}

type checker struct {
	source string
	used   map[string]bool
	errs   apperr.List
}

func (c *checker) line(n parse.Node) int {
	p := int(n.Position())
	if p > len(c.source) {
		p = len(c.source)
	}
	return 1 + strings.Count(c.source[:p], "\n")
}

// fail records a mistake at node n: message key with its args, after the
// line number.
func (c *checker) fail(n parse.Node, key string, args ...any) {
	l := c.line(n)
	c.errs = append(c.errs, apperr.Invalidf("template", "document.line", l, msg.M(key, args...)))
}

// walk checks node; inRange: inside {{range}}, where dot is a list entry.
func (c *checker) walk(node parse.Node, inRange bool) {
	switch n := node.(type) {
	case nil:
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, ch := range n.Nodes {
			c.walk(ch, inRange)
		}
	case *parse.TextNode:
		c.markup(n)
	case *parse.CommentNode:
	case *parse.ActionNode:
		if c.pipe(n, n.Pipe) {
			c.operand(n.Pipe.Cmds[0].Args[0], inRange, asValue)
		}
	case *parse.IfNode:
		if c.pipe(n, n.Pipe) {
			c.operand(n.Pipe.Cmds[0].Args[0], inRange, asTest)
		}
		c.walk(n.List, inRange)
		c.walk(n.ElseList, inRange)
	case *parse.RangeNode:
		if c.pipe(n, n.Pipe) {
			c.operand(n.Pipe.Cmds[0].Args[0], inRange, asList)
		}
		c.walk(n.List, true)
		c.walk(n.ElseList, inRange)
	default:
		c.fail(node, "document.unsupported_action", node)
	}
}

// pipe: one command of one operand, no variables declared.
func (c *checker) pipe(n parse.Node, p *parse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		c.fail(n, "document.an_action_is_one_field_or", n)
		return false
	}
	return true
}

// How an operand is used: printed, tested by {{if}}, gone over by {{range}}.
const (
	asValue = iota
	asTest
	asList
)

// operand checks what an action, if or range uses.
func (c *checker) operand(a parse.Node, inRange bool, use int) {
	list := use == asList
	var name string
	switch a := a.(type) {
	case *parse.FieldNode:
		if inRange {
			c.fail(a, "document.inside_range_is_the_entry_write", a)
			return
		}
		if len(a.Ident) != 1 {
			c.fail(a, "document.unknown_field", a)
			return
		}
		name = a.Ident[0]
	case *parse.VariableNode:
		if len(a.Ident) != 2 || a.Ident[0] != "$" {
			c.fail(a, "document.variables_are_not_supported", a)
			return
		}
		name = a.Ident[1]
	case *parse.DotNode:
		if !inRange || list {
			c.fail(a, "document.is_only_for_use_inside_range")
		}
		return
	case *parse.IdentifierNode:
		switch {
		case use != asValue:
			c.fail(a, "document.prints_it_cannot_be_tested_by", a)
			return
		case inRange:
			c.fail(a, "document.is_printed_once_not_inside_range", a)
			return
		}
		c.used[a.Ident] = true
		return
	default:
		c.fail(a, "document.is_not_supported_only_fields_seal", a)
		return
	}
	isList, ok := fieldKinds[name]
	switch {
	case !ok:
		c.fail(a, "document.unknown_field_docs_documents_md_lists", name)
	case list && !isList:
		c.fail(a, "document.range_goes_over_a_list_field", name)
	case use == asValue && isList:
		c.fail(a, "document.is_a_list_use_range", name, name)
	default:
		c.used[name] = true
	}
}

// markup checks a text node's HTML: only allowed elements and classes, and
// no tag left open for an action to land in.
func (c *checker) markup(n *parse.TextNode) {
	text := string(n.Text)
	depth := 0
	for i, r := range text {
		switch r {
		case '<':
			if depth > 0 {
				c.failAt(n, i, "document.inside_a_tag")
				return
			}
			depth++
		case '>':
			if depth == 0 {
				c.failAt(n, i, "document.write_a_in_text_as_gt")
				return
			}
			depth--
		}
	}
	if depth > 0 {
		c.failAt(n, len(text), "document.a_tag_is_left_open_or")
		return
	}
	c.printable(n, text)
	z := html.NewTokenizer(strings.NewReader(text))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt == html.CommentToken || tt == html.DoctypeToken {
			c.failAt(n, strings.Index(text, "<!"), "document.no_html_comments_or_doctype_in")
			continue
		}
		if tt != html.StartTagToken && tt != html.EndTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		at := strings.Index(text, "<"+tok.Data)
		if !allowedTags[tok.Data] {
			c.failAt(n, at, "document.element_is_not_allowed", tok.Data)
			continue
		}
		for _, a := range tok.Attr {
			if a.Key != "class" {
				c.failAt(n, at, "document.attribute_is_not_allowed_only_class", tok.Data, a.Key)
				continue
			}
			for _, cl := range strings.Fields(a.Val) {
				if !allowedClasses[cl] {
					c.failAt(n, at, "document.class_is_not_allowed", cl)
				}
			}
		}
	}
}

// printable refuses a character of the template's own text that the
// PDF's font lacks: it would print as a box on every document. (Data may
// hold such characters, a rare name; the renderer reports those.)
func (c *checker) printable(n *parse.TextNode, text string) {
	f, err := loadFont()
	if err != nil {
		c.failAt(n, 0, "document.the_documents_font_cannot_be_read")
		return
	}
	for i, r := range text {
		if r > ' ' && f.Glyph(r) == 0 {
			c.failAt(n, i, "document.the_documents_font_has_no_u", r, r)
			return
		}
	}
}

func (c *checker) failAt(n *parse.TextNode, offset int, key string, args ...any) {
	if offset < 0 {
		offset = 0
	}
	p := int(n.Position()) + offset
	if p > len(c.source) {
		p = len(c.source)
	}
	l := 1 + strings.Count(c.source[:p], "\n")
	c.errs = append(c.errs, apperr.Invalidf("template", "document.line", l, msg.M(key, args...)))
}

// execute runs the template on d: the document's HTML fragment, markers in
// place of the seal and the QR code.
func (t *Template) execute(d Data) (string, error) {
	var b bytes.Buffer
	if err := t.t.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

//go:embed templates/*.html
var shipped embed.FS

// Default is the shipped template of kind in lang ("en" or "zh").
func Default(kind casework.DocumentKind, lang string) (*Template, error) {
	if lang != "en" {
		lang = "zh"
	}
	b, err := fs.ReadFile(shipped, "templates/"+string(kind)+"."+lang+".html")
	if err != nil {
		return nil, fmt.Errorf("document: no shipped template %s.%s: %w", kind, lang, err)
	}
	return ParseTemplate(kind, lang, string(b))
}

// Sample is the preview's data for kind in lang: every field filled, the
// personal data obviously made up.
func Sample(kind casework.DocumentKind, lang string) Data {
	spec, err := SpecOf("kind", kind)
	if err != nil {
		spec = Specs[0]
	}
	n := Number{Prefix: "青山", Word: spec.Word, Year: 2026, Seq: 1}
	d := Data{
		Number: n.String(), Body: "青山镇人民政府", Case: "330102001-2026-000123", Item: "个体工商户设立登记",
		ItemCode: "11330102MB1234567X4000111100001", Applicant: "张三", ApplicantID: "110101199003071234", Person: true,
		Officer: "李四", Unit: "青山镇市场监管所", Date: "2026年3月5日", AcceptedOn: "2026年3月2日", Due: "2026年3月16日",
		Limit: "10个工作日", Materials: []string{"营业执照申请书", "经营场所证明"}, Reason: "申请材料不符合法定形式",
		Basis: "《中华人民共和国行政许可法》第三十二条", Remedies: DefaultRemedies(lang), Outcome: "准予许可",
		Opinion: "经现场勘察，符合条件。", Special: "现场勘察", Certificate: "330102600123456", Delivery: "窗口领取",
		PublicURL: "https://qingdan.example.gov.cn/portal/cases/330102001-2026-000123",
	}
	if lang == "en" {
		d.Date, d.AcceptedOn, d.Due, d.Limit, d.Outcome, d.Special, d.Delivery = "5 March 2026", "2 March 2026", "16 March 2026",
			"10 working days", "approved", "site survey", "collection at the window"
	}
	return d
}

// Preview renders t on the sample data with a sample seal: what an
// administrator sees before saving an edited template.
func Preview(t *Template) (*Rendered, error) {
	s := Seal{Name: "青山镇人民政府", Title: SealTitle}
	return Render(Input{Template: t, Data: Sample(t.Kind, t.Lang), Seal: &s})
}
