package yamlread

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/qingdan/qingdan/internal/apperr"
)

var fieldLine = regexp.MustCompile(`^line ([1-9][0-9]*), column ([0-9]+)(: |$)`)

// walk reads any node with every reader of the kernel: a mapping by table
// (keys a, b, c: a text, b a number, c anything below) and by asking, a
// list item by item.
func walk(r *Reader, n *yaml.Node, path string, depth int) {
	if depth > 20 {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		if depth%2 == 0 {
			r.Mapping(n, path,
				Key{"a", true, func(v *yaml.Node, p string) { r.Text(v, p) }},
				Key{"b", false, func(v *yaml.Node, p string) { r.Number(v, p, -5, 5) }},
				Key{"c", false, func(v *yaml.Node, p string) { walk(r, v, p, depth+1) }},
				Key{"d", false, func(v *yaml.Node, p string) { r.Bool(v, p) }},
			)
			return
		}
		m := r.Open(n, path)
		if m == nil {
			return
		}
		for k, v := range m.All() {
			if k != "x" {
				m.Get(k)
				walk(r, v, Join(path, k), depth+1)
			}
		}
		m.Need("y")
		m.Close()
	case yaml.SequenceNode:
		for i, c := range r.Sequence(n, path) {
			walk(r, c, Index(path, i), depth+1)
		}
	default:
		r.Text(n, path)
		r.Int(n, path)
		r.Add(path+".z", "yamlread.a_list")
	}
}

// FuzzReader: any input gives a document or mistakes that each name a line
// and column in file order, at most MaxErrors and one more, each worded in
// both languages without a formatting fault. Never a panic.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"a: 1\nb: [x]\n", "a: x\nb: 3\nc: {q: [1, {a: t, b: 9}], x: 1}\n", "- 1\n- {a: ''}\n",
		"a: &x [1]\nb: *x\n", "---\n---\n", "a: [\n", "{a: 1, a: 2, [k]: 3}", `{"a":"\u00e9\t","b":1.5,"d":yes}`,
		"a:\n  - b: ~\n    c: null\n", "", "\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := Document(data)
		var l apperr.List
		if err != nil {
			if root != nil {
				t.Fatal("a root returned with an error")
			}
			l = mistakes(t, err)
		} else {
			r := New(Format{MaxErrors: 7, Positions: len(data)%2 == 0})
			walk(r, root, "", 0)
			if l = r.List(); len(l) > 8 || r.Failed() != (len(l) > 0) {
				t.Fatalf("%d mistakes listed (bound 7 and one more)", len(l))
			}
		}
		last := 0
		for _, e := range l {
			m := fieldLine.FindStringSubmatch(e.Field)
			if m == nil {
				t.Fatalf("field %q names no line", e.Field)
			}
			line, err := strconv.Atoi(m[1])
			if err != nil {
				t.Fatal(err)
			}
			if line < last {
				t.Fatalf("mistakes out of order:\n%s", lines(l))
			}
			last = line
			for _, lang := range []string{"zh", "en"} {
				if s := e.Message(lang); s == "" || strings.Contains(s, "%!") || strings.Contains(s, "yamlread.") {
					t.Fatalf("%s: %q", lang, s)
				}
			}
		}
	})
}
