package web

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"github.com/qingdan/qingdan/internal/access"
)

func TestTemplatesParse(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := parseTemplates(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range requiredPages {
		if pages[name] == nil {
			t.Errorf("page %s missing", name)
		}
	}
}

// templateKeys collects the constant keys passed to .T / $.T, and reports
// dynamic ones (which the server checks elsewhere: nav labels, role keys,
// error titles).
func templateKeys(t *testing.T) map[string][]string {
	t.Helper()
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := parseTemplates(a)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string][]string{}
	var walk func(where string, n parse.Node)
	walk = func(where string, n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(where, c)
			}
		case *parse.ActionNode:
			walk(where, n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(where, c)
			}
		case *parse.CommandNode:
			if len(n.Args) >= 2 && isT(n.Args[0]) {
				if s, ok := n.Args[1].(*parse.StringNode); ok {
					used[s.Text] = append(used[s.Text], where)
				}
			}
			for _, c := range n.Args {
				walk(where, c)
			}
		case *parse.IfNode:
			walk(where, n.Pipe)
			walk(where, n.List)
			walk(where, n.ElseList)
		case *parse.RangeNode:
			walk(where, n.Pipe)
			walk(where, n.List)
			walk(where, n.ElseList)
		case *parse.WithNode:
			walk(where, n.Pipe)
			walk(where, n.List)
			walk(where, n.ElseList)
		case *parse.TemplateNode:
			walk(where, n.Pipe)
		}
	}
	for name, p := range pages {
		for _, tt := range p.Templates() {
			if tt.Tree != nil {
				walk(name+":"+tt.Name(), tt.Tree.Root)
			}
		}
	}
	return used
}

func TestTemplateKeysExist(t *testing.T) {
	var cat catalogue
	used := templateKeys(t)
	if len(used) < 10 {
		t.Fatalf("found only %d keys; is the walker broken?", len(used))
	}
	for k, where := range used {
		if !cat.has(k) {
			t.Errorf("key %q used in %v is in no message file", k, where[0])
		}
	}
	// Keys built at run time.
	dynamic := []string{"error.generic.title", "error.generic.hint", "error.forbidden.title", "error.forbidden.hint",
		"error.not_found.title", "error.not_found.hint", "error.internal.title", "error.internal.hint",
		"error.login_required", "error.password_change_required", "error.read_only", "error.role",
		"error.jurisdiction", "error.not_found.message", "password.mismatch", "lang.unknown", "form.unreadable"}
	for _, r := range access.AllRoles {
		dynamic = append(dynamic, View{}.RoleKey(r))
	}
	for _, k := range dynamic {
		if !cat.has(k) {
			t.Errorf("key %q is in no message file", k)
		}
	}
}

// TestNoLiteralTextInTemplates: every user-visible word comes from the
// message files; template text outside tags is markup and punctuation only.
func TestNoLiteralTextInTemplates(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := parseTemplates(a)
	if err != nil {
		t.Fatal(err)
	}
	tag := regexp.MustCompile(`(?s)<[^>]*>|<!DOCTYPE html>`)
	var texts []string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.TextNode:
			texts = append(texts, string(n.Text))
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	for _, p := range pages {
		for _, tt := range p.Templates() {
			if tt.Tree != nil {
				walk(tt.Tree.Root)
			}
		}
	}
	// Text nodes may split a tag across actions ("<a href=" … ">"), so join
	// them before removing tags.
	joined := tag.ReplaceAllString(strings.Join(texts, "\x00"), "")
	for _, part := range strings.Split(joined, "\x00") {
		// A fragment of a tag cut by an action: drop up to its end.
		if i := strings.Index(part, ">"); i >= 0 {
			part = part[i+1:]
		}
		if i := strings.LastIndex(part, "<"); i >= 0 {
			part = part[:i]
		}
		for _, r := range part {
			if unicode.IsLetter(r) {
				t.Errorf("literal text in a template: %q", strings.TrimSpace(part))
				break
			}
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "/",
		"/cases?q=1":          "/cases?q=1",
		"//evil.example":      "/",
		`/\evil.example`:      "/",
		"https://evil":        "/",
		"cases":               "/",
		"/a\nLocation: x":     "/",
		"/items/3#guide":      "/items/3#guide",
		"/%2F%2Fevil.example": "/%2F%2Fevil.example",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchLang(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "zh",
		"zh-CN,zh;q=0.9":         "zh",
		"zh-Hans":                "zh",
		"zh":                     "zh",
		"en":                     "en",
		"en-US,en;q=0.9":         "en",
		"fr-FR":                  "zh",
		"en;q=0.3,zh-CN;q=0.9":   "zh",
		"de,en;q=0.5":            "en",
		"garbage;;q=x,,":         "zh",
		"zh-TW,en;q=0.1":         "zh",
		"en-GB,zh-Hans-CN;q=0.2": "en",
	} {
		if got := matchLang(in); got != want {
			t.Errorf("matchLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewLogger(t *testing.T) {
	var buf bytes.Buffer
	log, err := NewLogger(LogJSON, &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello", "k", 1)
	if !json.Valid(bytes.TrimSpace(buf.Bytes())) {
		t.Errorf("not JSON: %s", buf.String())
	}
	buf.Reset()
	log, err = NewLogger(LogText, &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello")
	if !strings.Contains(buf.String(), "msg=hello") {
		t.Errorf("not text: %s", buf.String())
	}
	buf.Reset()
	// A buffer is no terminal: auto means JSON.
	log, err = NewLogger(LogAuto, &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello")
	if !json.Valid(bytes.TrimSpace(buf.Bytes())) {
		t.Errorf("auto on a non-terminal is not JSON: %s", buf.String())
	}
	if _, err := NewLogger("xml", &buf); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestRequestID(t *testing.T) {
	for _, keep := range []string{"abc", "0f0f-AAAA_b.c:1", strings.Repeat("a", 64)} {
		if got := requestID(keep); got != keep {
			t.Errorf("requestID(%q) = %q", keep, got)
		}
	}
	for _, bad := range []string{"", "a b", strings.Repeat("a", 65), "x\r\ny", "中文"} {
		got := requestID(bad)
		if got == bad || len(got) != 24 {
			t.Errorf("requestID(%q) = %q", bad, got)
		}
	}
	if requestID("") == requestID("") {
		t.Error("generated IDs repeat")
	}
}

// TestVendoredHTMX: htmx stays on 2.x (4.x changed inheritance and the CSRF
// header behaviour) and ships with its licence.
func TestVendoredHTMX(t *testing.T) {
	js, err := staticFS.ReadFile("static/vendor/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`version:"2\.\d+\.\d+"`).Match(js) {
		t.Error("vendored htmx is not 2.x")
	}
	lic, err := staticFS.ReadFile("static/vendor/htmx.LICENSE")
	if err != nil || !bytes.Contains(lic, []byte("Zero-Clause BSD")) {
		t.Errorf("htmx licence missing: %v", err)
	}
}

// isT: the node is .T or $.T, the view's message lookup.
func isT(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.FieldNode:
		return len(n.Ident) == 1 && n.Ident[0] == "T"
	case *parse.VariableNode:
		return len(n.Ident) == 2 && n.Ident[0] == "$" && n.Ident[1] == "T"
	}
	return false
}
