package flow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
)

// MaxSize bounds a flow file (a large flow is a few tens of kilobytes).
const MaxSize = 1 << 20

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
	p := &parser{opt: opt, pos: map[string]position{}}
	if root := p.document(data); root != nil {
		f := p.flow(root)
		p.validate(f)
		if len(p.errs) == 0 {
			f.index()
			return f, nil
		}
	}
	return nil, p.sorted()
}

// ReadDocument reads data as one YAML document the way Parse does — at most
// MaxSize bytes, one document, no anchors or aliases — for other formats
// that report their mistakes as flow files do (scenario files,
// docs/SCENARIOS.md). It returns the root node, or an apperr.List whose
// Fields are "line 3, column 1".
func ReadDocument(data []byte) (*yaml.Node, error) {
	p := &parser{pos: map[string]position{}}
	if root := p.document(data); root != nil {
		return root, nil
	}
	return nil, p.sorted()
}

// position is a place in the file, 1-based.
type position struct{ line, col int }

func posOf(n *yaml.Node) position { return position{n.Line, n.Column} }

// located is one mistake and where it is.
type located struct {
	at  position
	err *apperr.Error
}

type parser struct {
	opt  Options
	errs []located
	full bool
	// pos maps a path ("steps[3].role") to where its value is, so that the
	// checks after reading can name the line of what they refuse.
	pos map[string]position
}

// errAt records a mistake at a position: message key with its args.
func (p *parser) errAt(at position, path, key string, args ...any) {
	if len(p.errs) >= MaxErrors {
		p.full = true
		return
	}
	p.errs = append(p.errs, located{at, apperr.New(apperr.Invalid, fieldAt(at, path), key, args...)})
}

// fieldAt names a place: "line 12, column 5: steps[3].role".
func fieldAt(at position, path string) string {
	field := fmt.Sprintf("line %d, column %d", at.line, at.col)
	if path != "" {
		field += ": " + path
	}
	return field
}

// add records a mistake about path, at the nearest place the file has for
// it (a missing key is reported where its mapping is).
func (p *parser) add(path, key string, args ...any) {
	p.errAt(p.at(path), path, key, args...)
}

func (p *parser) at(path string) position {
	for path != "" {
		if at, ok := p.pos[path]; ok {
			return at
		}
		path = parent(path)
	}
	if at, ok := p.pos[""]; ok {
		return at
	}
	return position{1, 1}
}

// parent strips the last element of a path: steps[3].role → steps[3] → steps.
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// sorted returns the mistakes in file order.
func (p *parser) sorted() apperr.List {
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i].at, p.errs[j].at
		return a.line < b.line || a.line == b.line && a.col < b.col
	})
	out := make(apperr.List, len(p.errs))
	for i, e := range p.errs {
		out[i] = e.err
	}
	if p.full {
		out = append(out, apperr.New(apperr.Invalid, fieldAt(p.errs[len(p.errs)-1].at, ""), "flow.more_than_mistakes_the_rest_are", MaxErrors))
	}
	return out
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// document reads the YAML into a node tree: one document whose root is a
// mapping, without anchors or aliases (they would let a small file expand
// into a huge one, and a flow has no need of them).
func (p *parser) document(data []byte) *yaml.Node {
	start := position{1, 1}
	switch {
	case len(data) > MaxSize:
		p.errAt(start, "", "flow.the_file_is_larger_than_kb", MaxSize>>10)
		return nil
	case len(bytes.TrimSpace(data)) == 0:
		p.errAt(start, "", "flow.the_file_is_empty")
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		p.errAt(start, "", "flow.the_file_is_empty")
		return nil
	} else if err != nil {
		p.syntax(err)
		return nil
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		at := posOf(&more)
		if err != nil || at.line == 0 {
			at = position{strings.Count(string(data), "\n") + 1, 1}
		}
		p.errAt(at, "", "flow.the_file_must_hold_one_yaml")
		return nil
	}
	p.noAliases(&doc)
	if len(p.errs) > 0 {
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		p.errAt(start, "", "flow.the_file_is_empty")
		return nil
	}
	return doc.Content[0]
}

// syntax reports a YAML syntax error at the line the YAML reader names.
func (p *parser) syntax(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	at := position{1, 1}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n > 0 {
			at.line = n
		}
	}
	p.errAt(at, "", "flow.yaml_syntax_error", msg)
}

func (p *parser) noAliases(n *yaml.Node) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.errAt(posOf(n), "", "flow.yaml_anchors_and_aliases_are_not")
		return
	}
	for _, c := range n.Content {
		p.noAliases(c)
	}
}

// mapping walks one YAML mapping: each key is asked for once by get or
// need, and close reports the keys nobody asked for.
type mapping struct {
	p     *parser
	path  string
	node  *yaml.Node
	vals  map[string]*yaml.Node // by key
	asked []string
}

// mapping returns the mapping at n, or nil (with a mistake recorded) if n
// is something else.
func (p *parser) mapping(n *yaml.Node, path string) *mapping {
	if n.Kind != yaml.MappingNode {
		p.wrongType(n, path, "flow.a_mapping_key_value")
		return nil
	}
	m := &mapping{p: p, path: path, node: n, vals: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			p.errAt(posOf(k), path, "flow.a_key_must_be_plain_text")
			continue
		}
		if _, dup := m.vals[k.Value]; dup {
			p.errAt(posOf(k), kp, "flow.key_appears_twice", k.Value)
			continue
		}
		m.vals[k.Value] = v
		p.pos[kp] = posOf(v)
	}
	return m
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// get returns the value of key, or nil when it is absent or null.
func (m *mapping) get(key string) *yaml.Node {
	m.asked = append(m.asked, key)
	v := m.vals[key]
	if v == nil || v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	return v
}

// need is get for a required key.
func (m *mapping) need(key string) *yaml.Node {
	v := m.get(key)
	if v == nil {
		m.p.missing(m.node, join(m.path, key))
	}
	return v
}

// close reports every key that was not asked for.
func (m *mapping) close() {
	for i := 0; i+1 < len(m.node.Content); i += 2 {
		k := m.node.Content[i]
		if k.Kind == yaml.ScalarNode && !slices.Contains(m.asked, k.Value) {
			m.p.errAt(posOf(k), join(m.path, k.Value), "flow.unknown_key_known_keys", k.Value, strings.Join(m.asked, ", "))
		}
	}
}

// missing reports a required key absent from the mapping at n. A missing
// role has its own words: it is the mistake the format most often sees.
func (p *parser) missing(n *yaml.Node, path string) {
	key := path[strings.LastIndex(path, ".")+1:]
	if key == "role" || key == "roles" {
		p.errAt(posOf(n), path, "flow.missing_role_key", key)
		return
	}
	p.errAt(posOf(n), path, "flow.missing_required_key", key)
}

// wrongType records a value of the wrong type; want is the message key of
// what it must be.
func (p *parser) wrongType(n *yaml.Node, path, want string) {
	if path == "" {
		p.errAt(posOf(n), path, "flow.the_file_must_be", msg.M(want))
		return
	}
	p.errAt(posOf(n), path, "flow.the_value_of_must_be", lastKey(path), msg.M(want))
}

// lastKey names the element a path ends with, for messages.
func lastKey(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[i+1:]
	}
	return path
}

// str reads a text value. Any scalar but null is text: a YAML number or
// boolean is read as the characters written.
func (p *parser) str(n *yaml.Node, path string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.wrongType(n, path, "flow.text")
		return ""
	}
	if strings.TrimSpace(n.Value) == "" {
		p.errAt(posOf(n), path, "flow.must_not_be_blank", lastKey(path))
	}
	return n.Value
}

func (p *parser) integer(n *yaml.Node, path string) int {
	var v int
	if n == nil {
		return 0
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.wrongType(n, path, "flow.a_whole_number")
		return 0
	}
	return v
}

func (p *parser) boolean(n *yaml.Node, path string) bool {
	var v bool
	if n == nil {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		p.wrongType(n, path, "flow.true_or_false")
		return false
	}
	return v
}

// sequence returns the items of a sequence, recording their positions.
func (p *parser) sequence(n *yaml.Node, path string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.wrongType(n, path, "flow.a_list")
		return nil
	}
	for i, c := range n.Content {
		p.pos[index(path, i)] = posOf(c)
	}
	return n.Content
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// text reads a name: {zh: …, en: …}, or a single text taken as Chinese.
func (p *parser) text(n *yaml.Node, path string) Text {
	if n == nil {
		return Text{}
	}
	if n.Kind == yaml.ScalarNode {
		return Text{Zh: p.str(n, path)}
	}
	m := p.mapping(n, path)
	if m == nil {
		return Text{}
	}
	t := Text{Zh: p.str(m.need("zh"), join(path, "zh")), En: p.str(m.get("en"), join(path, "en"))}
	m.close()
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
	p.errAt(posOf(n), path, "flow.is_invalid_known", msg.M(what), s, list)
	return s
}

// role reads a role name, which must be the applicant or a caller's role.
func (p *parser) role(n *yaml.Node, path string) string {
	r := p.str(n, path)
	if n != nil && r != "" && r != Applicant && !slices.Contains(p.opt.Roles, r) {
		p.errAt(posOf(n), path, "flow.unknown_role_known", r, strings.Join(append([]string{Applicant}, p.opt.Roles...), ", "))
	}
	return r
}

// id reads an identifier (validID).
func (p *parser) id(n *yaml.Node, path string) string {
	s := p.str(n, path)
	if s != "" && !validID(s) {
		p.errAt(posOf(n), path, "flow.id_is_invalid_a_lower_case", s)
	}
	return s
}

// limit reads a time limit {n: 5, unit: working_days}.
func (p *parser) limit(n *yaml.Node, path string) calendar.Budget {
	if n == nil {
		return calendar.Budget{}
	}
	m := p.mapping(n, path)
	if m == nil {
		return calendar.Budget{}
	}
	b := calendar.Budget{N: p.integer(m.need("n"), join(path, "n"))}
	un := m.need("unit")
	b.Unit = calendar.Unit(p.str(un, join(path, "unit")))
	m.close()
	if un != nil && b.Unit != "" && !b.Unit.Valid() {
		p.errAt(posOf(un), join(path, "unit"), "flow.time_limit_unit_is_invalid_known", b.Unit)
	}
	if nn := m.vals["n"]; nn != nil && (b.N <= 0 || b.N > maxLimit) && nn.ShortTag() == "!!int" {
		p.errAt(posOf(nn), join(path, "n"), "flow.a_limit_must_be_1_not", maxLimit, b.N)
	}
	return b
}
