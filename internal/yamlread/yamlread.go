// Package yamlread is the kernel the YAML file formats share (flows,
// docs/FLOWS.md; scenarios, docs/SCENARIOS.md; supervision rules,
// docs/SUPERVISION.md): one document read within limits, and a Reader that
// walks its nodes and collects every mistake as an apperr naming its line,
// column and path ("line 12, column 5: steps[3].role"), in file order and
// bounded in number.
//
// The kernel's own mistakes (a key twice, an unknown key, a missing key, a
// value of the wrong type, a blank text, a number out of range) are worded
// by its catalogue (yamlread.*); what a format says beyond them stays in
// the format's package, and where two formats say the same thing
// differently a Format parameter chooses (Format.Missing).
package yamlread

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
	"github.com/qingdan/qingdan/internal/msg"
)

// MaxSize bounds a file (a large flow or scenario is a few tens of
// kilobytes).
const MaxSize = 1 << 20

// Format is what differs between the formats that use the kernel.
type Format struct {
	// MaxErrors bounds the mistakes listed for one file; past it one last
	// mistake says the rest are not listed.
	MaxErrors int
	// Missing, when set, returns the message ID (with the key as its one
	// argument) for a required key that is absent, or "" for the kernel's.
	Missing func(key string) string
	// Positions records where each value read is, by path, so that checks
	// made after reading can name the line of what they refuse (Add).
	Positions bool
}

// Position is a place in the file, 1-based.
type Position struct{ Line, Col int }

// PosOf is where node n is.
func PosOf(n *yaml.Node) Position { return Position{n.Line, n.Column} }

type located struct {
	at  Position
	err *apperr.Error
}

// Reader collects the mistakes of one file.
type Reader struct {
	f    Format
	errs []located
	pos  map[string]Position
}

// New returns a Reader for a file of format f.
func New(f Format) *Reader {
	r := &Reader{f: f}
	if f.Positions {
		r.pos = map[string]Position{}
	}
	return r
}

// Failed reports whether any mistake was recorded.
func (r *Reader) Failed() bool { return len(r.errs) > 0 }

// FailAt records a mistake about path at a position: message key with its
// args. Past MaxErrors+1 mistakes the rest are not kept (List says so).
func (r *Reader) FailAt(at Position, path, key string, args ...any) {
	if len(r.errs) > r.f.MaxErrors {
		return
	}
	r.errs = append(r.errs, located{at, apperr.New(apperr.Invalid, FieldAt(at, path), key, args...)})
}

// Fail records a mistake about path at node n.
func (r *Reader) Fail(n *yaml.Node, path, key string, args ...any) {
	r.FailAt(PosOf(n), path, key, args...)
}

// FieldAt names a place: "line 12, column 5: steps[3].role".
func FieldAt(at Position, path string) string {
	field := fmt.Sprintf("line %d, column %d", at.Line, at.Col)
	if path != "" {
		field += ": " + path
	}
	return field
}

// List returns the mistakes in file order: at most MaxErrors, and one more
// saying the rest are not listed.
func (r *Reader) List() apperr.List {
	sort.SliceStable(r.errs, func(i, j int) bool {
		a, b := r.errs[i].at, r.errs[j].at
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	out := apperr.List{}
	for i, e := range r.errs {
		if i == r.f.MaxErrors {
			out = append(out, apperr.New(apperr.Invalid, e.err.Field, "yamlread.more_than_mistakes_the_rest_are", r.f.MaxErrors))
			break
		}
		out = append(out, e.err)
	}
	return out
}

// Note records that the value at path is at n (with Format.Positions).
func (r *Reader) Note(path string, n *yaml.Node) {
	if r.pos != nil {
		r.pos[path] = PosOf(n)
	}
}

// Add records a mistake about path at the nearest place the file has for
// it: its own value, else its parents' (a missing key is reported where
// its mapping is), else the start of the file.
func (r *Reader) Add(path, key string, args ...any) {
	r.FailAt(r.at(path), path, key, args...)
}

func (r *Reader) at(path string) Position {
	for path != "" {
		if at, ok := r.pos[path]; ok {
			return at
		}
		path = Parent(path)
	}
	if at, ok := r.pos[""]; ok {
		return at
	}
	return Position{1, 1}
}

// Parent strips the last element of a path: steps[3].role → steps[3] →
// steps.
func Parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// Join is the path of key under path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index is the path of item i of the list at path.
func Index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// LastKey names the element a path ends with, for messages: steps[3].role
// → role, steps[3] → steps[3].
func LastKey(path string) string { return path[strings.LastIndex(path, ".")+1:] }

var yamlLine = regexp.MustCompile(`line (\d+)`)

// Document reads data as one YAML document — at most MaxSize bytes, one
// document, no anchors or aliases (they would let a small file expand into
// a huge one, and no format needs them) — and returns its root node, or an
// apperr.List whose Fields are "line 3, column 1".
func Document(data []byte) (*yaml.Node, error) {
	r := New(Format{MaxErrors: 100})
	if root := r.document(data); root != nil {
		return root, nil
	}
	return nil, r.List()
}

func (r *Reader) document(data []byte) *yaml.Node {
	start := Position{1, 1}
	switch {
	case len(data) > MaxSize:
		r.FailAt(start, "", "yamlread.the_file_is_larger_than_kb", MaxSize>>10)
		return nil
	case len(bytes.TrimSpace(data)) == 0:
		r.FailAt(start, "", "yamlread.the_file_is_empty")
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		r.FailAt(start, "", "yamlread.the_file_is_empty")
		return nil
	} else if err != nil {
		r.syntax(err)
		return nil
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		at := PosOf(&more)
		if err != nil || at.Line == 0 {
			at = Position{strings.Count(string(data), "\n") + 1, 1}
		}
		r.FailAt(at, "", "yamlread.the_file_must_hold_one_yaml")
		return nil
	}
	r.noAliases(&doc)
	if r.Failed() {
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		r.FailAt(start, "", "yamlread.the_file_is_empty")
		return nil
	}
	return doc.Content[0]
}

// syntax reports a YAML syntax error at the line the YAML reader names.
func (r *Reader) syntax(err error) {
	text := strings.TrimPrefix(err.Error(), "yaml: ")
	at := Position{1, 1}
	if m := yamlLine.FindStringSubmatch(text); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n > 0 {
			at.Line = n
		}
	}
	r.FailAt(at, "", "yamlread.yaml_syntax_error", text)
}

func (r *Reader) noAliases(n *yaml.Node) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		r.Fail(n, "", "yamlread.yaml_anchors_and_aliases_are_not")
		return
	}
	for _, c := range n.Content {
		r.noAliases(c)
	}
}

// IsNull reports whether n is YAML's null (an absent value).
func IsNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// WrongType records a value of the wrong type; want is the message ID of
// what it must be ("yamlread.text", or a format's own).
func (r *Reader) WrongType(n *yaml.Node, path, want string) {
	if path == "" {
		r.Fail(n, path, "yamlread.the_file_must_be", msg.M(want))
		return
	}
	r.Fail(n, path, "yamlread.the_value_of_must_be", LastKey(path), msg.M(want))
}

// Missing records a required key absent from the mapping at n.
func (r *Reader) Missing(n *yaml.Node, path string) {
	key := LastKey(path)
	id := "yamlread.missing_required_key"
	if r.f.Missing != nil {
		id = cmpOr(r.f.Missing(key), id)
	}
	r.Fail(n, path, id, key)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Text reads a text value, as written (not trimmed): any scalar but a
// mapping or list is text, a YAML number or boolean read as its
// characters. A blank text is a mistake.
func (r *Reader) Text(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode {
		r.WrongType(n, path, "yamlread.text")
		return ""
	}
	if strings.TrimSpace(n.Value) == "" {
		r.Fail(n, path, "yamlread.must_not_be_blank", LastKey(path))
	}
	return n.Value
}

// Int reads a whole number; ok is false (and the mistake recorded) when n
// is something else.
func (r *Reader) Int(n *yaml.Node, path string) (v int, ok bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		r.WrongType(n, path, "yamlread.a_whole_number")
		return 0, false
	}
	return v, true
}

// Number reads a whole number in [lo, hi].
func (r *Reader) Number(n *yaml.Node, path string, lo, hi int) int {
	v, ok := r.Int(n, path)
	if ok && (v < lo || v > hi) {
		r.Fail(n, path, "yamlread.the_number_must_be_not", lo, hi, v)
	}
	return v
}

// Bool reads true or false.
func (r *Reader) Bool(n *yaml.Node, path string) bool {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		r.WrongType(n, path, "yamlread.true_or_false")
		return false
	}
	return v
}

// Sequence returns the items of a list (noting their positions).
func (r *Reader) Sequence(n *yaml.Node, path string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		r.WrongType(n, path, "yamlread.a_list")
		return nil
	}
	for i, c := range n.Content {
		r.Note(Index(path, i), c)
	}
	return n.Content
}

// Key is one key a mapping may hold: its name, whether it must be there,
// and what reads its value (never called for an absent or null value).
type Key struct {
	Name     string
	Required bool
	Read     func(v *yaml.Node, path string)
}

// Keys are the keys a mapping held: Written all of them, Given those with
// a value that is not null.
type Keys struct{ Written, Given []string }

// Mapping reads the mapping at n key by key, in file order. It reports a
// value that is no mapping, a key that is not text, a key twice, a key not
// among keys (naming the known ones) and a required key absent or null.
func (r *Reader) Mapping(n *yaml.Node, path string, keys ...Key) Keys {
	var out Keys
	if n.Kind != yaml.MappingNode {
		r.WrongType(n, path, "yamlread.a_mapping_key_value")
		return out
	}
	r.Note(path, n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := Join(path, k.Value)
		j := slices.IndexFunc(keys, func(x Key) bool { return x.Name == k.Value })
		switch {
		case k.Kind != yaml.ScalarNode:
			r.Fail(k, path, "yamlread.a_key_must_be_plain_text")
		case slices.Contains(out.Written, k.Value):
			r.Fail(k, kp, "yamlread.key_appears_twice", k.Value)
		case j < 0:
			r.unknown(k, kp, keyNames(keys))
		default:
			out.Written = append(out.Written, k.Value)
			r.Note(kp, v)
			if !IsNull(v) {
				out.Given = append(out.Given, k.Value)
				keys[j].Read(v, kp)
			}
		}
	}
	for _, k := range keys {
		if k.Required && !slices.Contains(out.Given, k.Name) {
			r.Missing(n, Join(path, k.Name))
		}
	}
	return out
}

func (r *Reader) unknown(k *yaml.Node, path string, known []string) {
	r.Fail(k, path, "yamlread.unknown_key_known_keys", k.Value, strings.Join(known, ", "))
}

func keyNames(keys []Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name
	}
	return out
}

// Map is a mapping read by asking for its keys one by one, for readers
// whose code names the keys as it goes (flows): each key is asked for once
// by Get or Need, and Close reports the keys nobody asked for.
type Map struct {
	r     *Reader
	path  string
	node  *yaml.Node
	vals  map[string]*yaml.Node
	asked []string
}

// Open returns the mapping at n, or nil (with the mistake recorded) if n is
// something else. A key that is not text or is there twice is a mistake.
func (r *Reader) Open(n *yaml.Node, path string) *Map {
	if n.Kind != yaml.MappingNode {
		r.WrongType(n, path, "yamlread.a_mapping_key_value")
		return nil
	}
	r.Note(path, n)
	m := &Map{r: r, path: path, node: n, vals: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := Join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			r.Fail(k, path, "yamlread.a_key_must_be_plain_text")
			continue
		}
		if _, dup := m.vals[k.Value]; dup {
			r.Fail(k, kp, "yamlread.key_appears_twice", k.Value)
			continue
		}
		m.vals[k.Value] = v
		r.Note(kp, v)
	}
	return m
}

// Get returns the value of key, or nil when it is absent or null.
func (m *Map) Get(key string) *yaml.Node {
	m.asked = append(m.asked, key)
	v := m.vals[key]
	if v == nil || IsNull(v) {
		return nil
	}
	return v
}

// Need is Get for a required key.
func (m *Map) Need(key string) *yaml.Node {
	v := m.Get(key)
	if v == nil {
		m.Missing(key)
	}
	return v
}

// Missing records key as missing from the mapping, reported where the
// mapping is (for a value given but empty, as a list of none).
func (m *Map) Missing(key string) { m.r.Missing(m.node, Join(m.path, key)) }

// Value returns the value written for key, null included, without asking
// for it.
func (m *Map) Value(key string) *yaml.Node { return m.vals[key] }

// All returns every key written (once) with its value, null included, for
// a mapping whose keys are data rather than a format's names; it does not
// ask for them.
func (m *Map) All() map[string]*yaml.Node { return m.vals }

// Close reports every key that was not asked for.
func (m *Map) Close() {
	for i := 0; i+1 < len(m.node.Content); i += 2 {
		k := m.node.Content[i]
		if k.Kind == yaml.ScalarNode && !slices.Contains(m.asked, k.Value) {
			m.r.unknown(k, Join(m.path, k.Value), m.asked)
		}
	}
}
