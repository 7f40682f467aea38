package yamlread

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/qingdan/qingdan/internal/apperr"
)

// mistakes is the list err is: the kernel returns its mistakes as one
// apperr.List, never wrapped.
func mistakes(t testing.TB, err error) apperr.List {
	t.Helper()
	if l, ok := err.(apperr.List); ok && len(l) > 0 {
		return l
	}
	t.Fatalf("want a non-empty apperr.List, got %T %v", err, err)
	return nil
}

// lines renders mistakes one a line, "field: English".
func lines(l apperr.List) string {
	var b strings.Builder
	for _, e := range l {
		b.WriteString(e.Field + ": " + e.Message("en") + "\n")
	}
	return b.String()
}

// TestDocument_H1_oneDocumentWithinLimits: every format reads its YAML
// the same way, with the same mistakes by line.
func TestDocument_H1_oneDocumentWithinLimits(t *testing.T) {
	root, err := Document([]byte("a: 1\nb: [x]\n"))
	if err != nil || root == nil || len(root.Content) != 4 || root.Content[2].Line != 2 {
		t.Fatalf("root %+v, err %v", root, err)
	}
	for src, want := range map[string]string{
		"":                             "line 1, column 1: the file is empty",
		" \n\t\n":                      "line 1, column 1: the file is empty",
		"# only a comment\n":           "line 1, column 1: the file is empty",
		"a: [\n":                       "YAML syntax error",
		"a: 1\n---\nb: 2\n":            "line 2, column 1: the file must hold one YAML document",
		"a: &x [1]\nb: *x\n":           "line 1, column 4: YAML anchors and aliases",
		strings.Repeat("#", MaxSize+1): "line 1, column 1: the file is larger than 1024 kB",
	} {
		root, err := Document([]byte(src))
		l := mistakes(t, err)
		if root != nil || !strings.Contains(lines(l), want) {
			t.Errorf("%.20q: %s", src, lines(l))
		}
	}
}

func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	root, err := Document([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestMapping_H1_keysByTable: unknown, duplicate, missing and null keys,
// and values of the wrong type, each named by line, column and path.
func TestMapping_H1_keysByTable(t *testing.T) {
	r := New(Format{MaxErrors: 100})
	var name string
	var n int
	var on bool
	keys := r.Mapping(node(t, "name: 甲\nn: 7\nname: 乙\nx: 1\non: yes\nlist: ~\n[a]: 1\n"), "top",
		Key{"name", true, func(v *yaml.Node, p string) { name = r.Text(v, p) }},
		Key{"n", true, func(v *yaml.Node, p string) { n = r.Number(v, p, 1, 5) }},
		Key{"on", false, func(v *yaml.Node, p string) { on = r.Bool(v, p) }},
		Key{"list", true, func(v *yaml.Node, p string) { r.Sequence(v, p) }},
		Key{"need", true, func(v *yaml.Node, p string) {}},
	)
	if name != "甲" || n != 7 || on {
		t.Errorf("read name %q, n %d, on %v", name, n, on)
	}
	if strings.Join(keys.Written, ",") != "name,n,on,list" || strings.Join(keys.Given, ",") != "name,n,on" {
		t.Errorf("keys %+v", keys)
	}
	want := `line 1, column 1: top.list: missing required key "list"
line 1, column 1: top.need: missing required key "need"
line 2, column 4: top.n: the number must be 1–5, not 7
line 3, column 1: top.name: key "name" appears twice
line 4, column 1: top.x: unknown key "x" (known keys: name, n, on, list, need)
line 5, column 5: top.on: the value of "on" must be true or false
line 7, column 1: top: a key must be plain text
`
	if got := lines(r.List()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	zh := r.List()[0].Message("zh")
	if zh != "缺少必填的键“list”" {
		t.Errorf("zh %q", zh)
	}
}

// TestMap_H1_keysAskedFor: a mapping read by asking names the keys nobody
// asked for, a format may word a missing key its own way, and a check made
// after reading is placed at the line of the path it names.
func TestMap_H1_keysAskedFor(t *testing.T) {
	r := New(Format{MaxErrors: 100, Positions: true, Missing: func(k string) string {
		if k == "role" {
			return "yamlread.must_not_be_blank" // any message with one argument
		}
		return ""
	}})
	root := node(t, "steps:\n  - id: a\n    extra: 1\n  - [x]\n")
	m := r.Open(root, "")
	steps := r.Sequence(m.Need("steps"), "steps")
	m.Need("code")
	m.Close()
	s := r.Open(steps[0], Index("steps", 0))
	r.Text(s.Need("id"), "steps[0].id")
	s.Need("role")
	s.Close()
	if r.Open(steps[1], Index("steps", 1)) != nil {
		t.Error("a list opened as a mapping")
	}
	r.Add("steps[0].id.more", "yamlread.a_list")
	r.Add("nowhere", "yamlread.a_list")
	want := `line 1, column 1: code: missing required key "code"
line 1, column 1: nowhere: a list
line 2, column 5: steps[0].role: "role" must not be blank
line 2, column 9: steps[0].id.more: a list
line 3, column 5: steps[0].extra: unknown key "extra" (known keys: id, role)
line 4, column 5: steps[1]: the value of "steps[1]" must be a mapping (key: value)
`
	if got := lines(r.List()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestList_H1_mistakesAreBounded: past MaxErrors one last mistake says the
// rest are not listed, and the mistakes come in file order.
func TestList_H1_mistakesAreBounded(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "k%c%c: x\n", 'a'+i%26, 'a'+i/26)
	}
	r := New(Format{MaxErrors: 10})
	r.Mapping(node(t, b.String()), "")
	l := r.List()
	if len(l) != 11 || !strings.Contains(l[10].Message("en"), "more than 10 mistakes") || l[0].Field != "line 1, column 1: kaa" || l[9].Field != "line 10, column 1: kja" {
		t.Fatalf("%s", lines(l))
	}
	if r := New(Format{MaxErrors: 10}); r.Failed() || len(r.List()) != 0 {
		t.Error("a reader without mistakes has some")
	}
}
