package flow

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/yamlread"
)

// MaxSize bounds a flow file (a large flow is a few tens of kilobytes).
const MaxSize = yamlread.MaxSize

// MaxErrors bounds the mistakes listed for one file; past it one last
// error says the rest are not listed.
const MaxErrors = 100

// maxLimit bounds a limit's value, as the calendar does.
const maxLimit = 100000

// Options are what a flow is checked against besides its own rules.
type Options struct {
	// Roles are the staff roles a step or action may name (auth's roles,
	// given by the caller); Applicant is always known besides.
	Roles []string
	// Checks are the supervision check kinds a supervision point may name
	// (catalog's CheckKind values).
	Checks []string
}

// Parse reads a flow file (YAML, or JSON, which is YAML) and checks it
// against the format and the rules of docs/FLOWS.md. On any mistake it
// returns nil and an apperr.List naming every mistake, each with Field
// "line 12, column 5: steps[3].role" and a message in Chinese and English.
func Parse(data []byte, opt Options) (*Flow, error) {
	root, err := yamlread.Document(data)
	if err != nil {
		return nil, err
	}
	p := &parser{opt: opt, Reader: yamlread.New(yamlread.Format{MaxErrors: MaxErrors, Missing: missingKey, Positions: true})}
	f := p.flow(root)
	p.validate(f)
	if p.Failed() {
		return nil, p.List()
	}
	f.index()
	return f, nil
}

type parser struct {
	opt Options
	// Reader collects the mistakes, and where each path's value is, so
	// that the checks after reading (Add) can name the line of what they
	// refuse.
	*yamlread.Reader
}

var (
	join  = yamlread.Join
	index = yamlread.Index
)

// missingKey: a missing role has its own words, being the mistake the
// format most often sees.
func missingKey(key string) string {
	if key == "role" || key == "roles" {
		return "flow.missing_role_key"
	}
	return ""
}

// mapping opens the mapping at n, or returns nil (with the mistake
// recorded) if n is something else.
func (p *parser) mapping(n *yaml.Node, path string) *yamlread.Map { return p.Open(n, path) }

// str reads a text value. Any scalar but null is text: a YAML number or
// boolean is read as the characters written.
func (p *parser) str(n *yaml.Node, path string) string {
	if n == nil {
		return ""
	}
	return p.Text(n, path)
}

func (p *parser) integer(n *yaml.Node, path string) int {
	if n == nil {
		return 0
	}
	v, _ := p.Int(n, path) // a mistake is recorded
	return v
}

func (p *parser) boolean(n *yaml.Node, path string) bool {
	if n == nil {
		return false
	}
	return p.Bool(n, path)
}

// sequence returns the items of a sequence, recording their positions.
func (p *parser) sequence(n *yaml.Node, path string) []*yaml.Node {
	if n == nil {
		return nil
	}
	return p.Sequence(n, path)
}

// text reads a name: {zh: …, en: …}, or a single text taken as Chinese.
func (p *parser) text(n *yaml.Node, path string) Text {
	if n == nil {
		return Text{}
	}
	if n.Kind == yaml.ScalarNode {
		return Text{Zh: p.str(n, path)}
	}
	m := p.Open(n, path)
	if m == nil {
		return Text{}
	}
	t := Text{Zh: p.str(m.Need("zh"), join(path, "zh")), En: p.str(m.Get("en"), join(path, "en"))}
	m.Close()
	return t
}

// oneOf reads a text that must be one of known, naming them when it is not.
// what is the message key naming the value.
func oneOf[T ~string](p *parser, n *yaml.Node, path string, known []T, what string) T {
	s := T(p.str(n, path))
	if n == nil || s == "" || slices.Contains(known, s) {
		return s
	}
	names := make([]string, len(known))
	for i, k := range known {
		names[i] = string(k)
	}
	list := strings.Join(names, ", ")
	p.Fail(n, path, "flow.is_invalid_known", msg.M(what), s, list)
	return s
}

// role reads a role name, which must be the applicant or a caller's role.
func (p *parser) role(n *yaml.Node, path string) string {
	r := p.str(n, path)
	if n != nil && r != "" && r != Applicant && !slices.Contains(p.opt.Roles, r) {
		p.Fail(n, path, "flow.unknown_role_known", r, strings.Join(append([]string{Applicant}, p.opt.Roles...), ", "))
	}
	return r
}

// id reads an identifier (validID).
func (p *parser) id(n *yaml.Node, path string) string {
	s := p.str(n, path)
	if s != "" && !validID(s) {
		p.Fail(n, path, "flow.id_is_invalid_a_lower_case", s)
	}
	return s
}

// limit reads a time limit {n: 5, unit: working_days}.
func (p *parser) limit(n *yaml.Node, path string) calendar.Budget {
	if n == nil {
		return calendar.Budget{}
	}
	m := p.Open(n, path)
	if m == nil {
		return calendar.Budget{}
	}
	b := calendar.Budget{N: p.integer(m.Need("n"), join(path, "n"))}
	un := m.Need("unit")
	b.Unit = calendar.Unit(p.str(un, join(path, "unit")))
	m.Close()
	if un != nil && b.Unit != "" && !b.Unit.Valid() {
		p.Fail(un, join(path, "unit"), "flow.time_limit_unit_is_invalid_known", b.Unit)
	}
	if nn := m.Value("n"); nn != nil && (b.N <= 0 || b.N > maxLimit) && nn.ShortTag() == "!!int" {
		p.Fail(nn, join(path, "n"), "flow.a_limit_must_be_1_not", maxLimit, b.N)
	}
	return b
}
