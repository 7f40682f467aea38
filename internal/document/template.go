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
		return nil, apperr.Invalidf("lang", "模板语言应为 zh 或 en", "a template's language is zh or en")
	}
	if len(source) > MaxTemplate {
		return nil, apperr.Invalidf("template", "模板超过 %s", "the template is over %s", apperr.Size(MaxTemplate))
	}
	if !utf8.ValidString(source) || strings.ContainsRune(source, 0) {
		return nil, apperr.Invalidf("template", "模板须为不含 NUL 的 UTF-8 文本", "a template is UTF-8 text without NUL")
	}
	trees, err := parse.Parse("template", source, "{{", "}}", map[string]any{"seal": funcs["seal"], "qr": funcs["qr"]})
	if err != nil {
		return nil, apperr.List{parseError(err)}
	}
	c := checker{source: source, used: map[string]bool{}}
	for name, tree := range trees {
		if name != "template" {
			c.fail(tree.Root, "不能定义子模板（{{define}}）", "sub-templates ({{define}}) are not allowed")
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
		return nil, apperr.List{apperr.Invalidf("template", "模板无法生成文书：%v", "the template cannot produce a document: %v", err)}
	}
	return tp, nil
}

func missingField(f string) *apperr.Error {
	switch f {
	case "seal":
		return apperr.Invalidf("template", "此类文书须加盖行政审批专用章：模板缺少 {{seal}}", "documents of this kind bear the approval seal: the template lacks {{seal}}")
	case "qr":
		return apperr.Invalidf("template", "模板缺少办件查询二维码 {{qr}}", "the template lacks the case's QR code {{qr}}")
	}
	return apperr.Invalidf("template", "模板缺少必填字段 {{.%s}}", "the template lacks the required field {{.%s}}", f)
}

var lineOf = regexp.MustCompile(`template:(\d+)(?::\d+)?:\s*(.*)$`)

// parseError turns the template parser's error into one naming the line.
func parseError(err error) *apperr.Error {
	msg := err.Error()
	if m := lineOf.FindStringSubmatch(msg); m != nil {
		return apperr.Invalidf("template", "第 %s 行：模板语法错误：%s", "line %s: template syntax error: %s", m[1], m[2])
	}
	return apperr.Invalidf("template", "模板语法错误：%s", "template syntax error: %s", msg)
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

func (c *checker) fail(n parse.Node, zh, en string) {
	l := c.line(n)
	c.errs = append(c.errs, invalid("template", fmt.Sprintf("第 %d 行：%s", l, zh), fmt.Sprintf("line %d: %s", l, en)))
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
		c.fail(node, fmt.Sprintf("不支持此动作：%s", node), fmt.Sprintf("unsupported action: %s", node))
	}
}

// pipe: one command of one operand, no variables declared.
func (c *checker) pipe(n parse.Node, p *parse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		c.fail(n, fmt.Sprintf("动作只能是一个字段或函数：%s", n), fmt.Sprintf("an action is one field or function: %s", n))
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
			c.fail(a, fmt.Sprintf("在 {{range}} 中 {{.}} 是列表的一项；字段请写 {{$%s}}", a), fmt.Sprintf("inside {{range}}, {{.}} is the entry; write a field as {{$%s}}", a))
			return
		}
		if len(a.Ident) != 1 {
			c.fail(a, fmt.Sprintf("未知字段 %s", a), fmt.Sprintf("unknown field %s", a))
			return
		}
		name = a.Ident[0]
	case *parse.VariableNode:
		if len(a.Ident) != 2 || a.Ident[0] != "$" {
			c.fail(a, fmt.Sprintf("不支持变量 %s", a), fmt.Sprintf("variables are not supported: %s", a))
			return
		}
		name = a.Ident[1]
	case *parse.DotNode:
		if !inRange || list {
			c.fail(a, "{{.}} 只能用在 {{range}} 中", "{{.}} is only for use inside {{range}}")
		}
		return
	case *parse.IdentifierNode:
		switch {
		case use != asValue:
			c.fail(a, fmt.Sprintf("{{%s}} 是要打印的，不能用于 {{if}} 或 {{range}}", a), fmt.Sprintf("{{%s}} prints; it cannot be tested by {{if}} or gone over by {{range}}", a))
			return
		case inRange:
			c.fail(a, fmt.Sprintf("{{%s}} 只能打印一次，不能放在 {{range}} 中", a), fmt.Sprintf("{{%s}} is printed once, not inside {{range}}", a))
			return
		}
		c.used[a.Ident] = true
		return
	default:
		c.fail(a, fmt.Sprintf("不支持 %s：只能使用字段、{{seal}}、{{qr}}", a), fmt.Sprintf("%s is not supported: only fields, {{seal}} and {{qr}}", a))
		return
	}
	isList, ok := fieldKinds[name]
	switch {
	case !ok:
		c.fail(a, fmt.Sprintf("未知字段 .%s（可用字段见 docs/DOCUMENTS.md）", name), fmt.Sprintf("unknown field .%s (docs/DOCUMENTS.md lists the fields)", name))
	case list && !isList:
		c.fail(a, fmt.Sprintf("{{range}} 只能遍历列表字段，.%s 不是", name), fmt.Sprintf("{{range}} goes over a list field; .%s is not one", name))
	case use == asValue && isList:
		c.fail(a, fmt.Sprintf(".%s 是列表，请用 {{range .%s}}", name, name), fmt.Sprintf(".%s is a list: use {{range .%s}}", name, name))
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
				c.failAt(n, i, "“<” 不能出现在标签内", "“<” inside a tag")
				return
			}
			depth++
		case '>':
			if depth == 0 {
				c.failAt(n, i, "正文中的 “>” 请写作 &gt;", "write a “>” in text as &gt;")
				return
			}
			depth--
		}
	}
	if depth > 0 {
		c.failAt(n, len(text), "标签未闭合，或标签内有 {{…}}", "a tag is left open, or holds a {{…}} action")
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
			c.failAt(n, strings.Index(text, "<!"), "模板中不能有 HTML 注释或 DOCTYPE（请用 {{/* … */}}）", "no HTML comments or doctype in a template (use {{/* … */}})")
			continue
		}
		if tt != html.StartTagToken && tt != html.EndTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		at := strings.Index(text, "<"+tok.Data)
		if !allowedTags[tok.Data] {
			c.failAt(n, at, fmt.Sprintf("不允许的元素 <%s>", tok.Data), fmt.Sprintf("element <%s> is not allowed", tok.Data))
			continue
		}
		for _, a := range tok.Attr {
			if a.Key != "class" {
				c.failAt(n, at, fmt.Sprintf("<%s> 不允许属性 %s（只能用 class）", tok.Data, a.Key), fmt.Sprintf("<%s>: attribute %s is not allowed (only class)", tok.Data, a.Key))
				continue
			}
			for _, cl := range strings.Fields(a.Val) {
				if !allowedClasses[cl] {
					c.failAt(n, at, fmt.Sprintf("不允许的 class「%s」", cl), fmt.Sprintf("class %q is not allowed", cl))
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
		c.failAt(n, 0, "无法读取文书字体", "the documents' font cannot be read")
		return
	}
	for i, r := range text {
		if r > ' ' && f.Glyph(r) == 0 {
			c.failAt(n, i, fmt.Sprintf("文书字体中没有「%c」（U+%04X），PDF 中无法显示", r, r), fmt.Sprintf("the documents' font has no %q (U+%04X): the PDF cannot show it", r, r))
			return
		}
	}
}

func (c *checker) failAt(n *parse.TextNode, offset int, zh, en string) {
	if offset < 0 {
		offset = 0
	}
	p := int(n.Position()) + offset
	if p > len(c.source) {
		p = len(c.source)
	}
	l := 1 + strings.Count(c.source[:p], "\n")
	c.errs = append(c.errs, invalid("template", fmt.Sprintf("第 %d 行：%s", l, zh), fmt.Sprintf("line %d: %s", l, en)))
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
