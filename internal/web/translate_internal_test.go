package web

import (
	"html/template"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// countMessages counts the constant {{.T "key"}} actions left in a template.
func countMessages(t *pageTemplate, name string) int {
	tt := t.Lookup(name)
	if tt == nil || tt.Tree == nil {
		return -1
	}
	n := 0
	_ = literalise(tt.Tree.Root, func(a *parse.ActionNode, _ string) (parse.Node, error) {
		n++
		return a, nil
	})
	return n
}

// TestTranslateTemplates_portalPages: the frame and the portal's pages keep
// no constant message lookups in HTML text, attributes or <title>; a page
// title (a template called inside <title>, escaped as a derived copy)
// keeps its lookups dynamic.
func TestTranslateTemplates_portalPages(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := parseTemplates(a)
	if err != nil {
		t.Fatal(err)
	}
	before := countMessages(pages["portal_item"], "content") + countMessages(pages["portal_item"], "layout")
	if before < 30 {
		t.Fatalf("portal_item has %d constant messages before translation; is the walker broken?", before)
	}
	tr, err := translateTemplates(pages, cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		for _, page := range []string{"portal_item", "portal_search", "portal_guide", "portal_home", "portal_changes"} {
			for _, name := range []string{"layout", "content"} {
				if n := countMessages(tr[lang][page], name); n != 0 {
					t.Errorf("%s %s %s: %d constant messages left", lang, page, name, n)
				}
			}
		}
		if n := countMessages(tr[lang]["portal_search"], "title"); n != 1 {
			t.Errorf("%s portal_search title: %d constant messages, want its one left dynamic", lang, n)
		}
	}
	// The source templates are untouched (each language rewrites a copy).
	if n := countMessages(pages["portal_item"], "content") + countMessages(pages["portal_item"], "layout"); n != before {
		t.Errorf("translation changed the parsed templates: %d messages, were %d", n, before)
	}
}

// TestTranslateTemplates_escaping: a message full of markup characters
// comes out of translated templates exactly as html/template escapes it at
// run time, in every context: text, quoted attribute, <title>, URL,
// unquoted attribute, script, and in a template called in two contexts.
func TestTranslateTemplates_escaping(t *testing.T) {
	const src = `{{define "layout"}}<title>{{template "title" .}} {{.T "m"}}</title><p title="{{.T "m"}}" class={{.T "m"}}>{{.T "m"}}</p>` +
		`<a href="/x?q={{.T "m"}}">{{.T "m"}}</a><a href="{{.T "m"}}"></a><script>var m = {{.T "m"}};</script>` +
		`{{template "both" .}}<p title="{{template "both" .}}"></p>{{.T "m" 1}}{{end}}` +
		`{{define "both"}}{{.T "m"}}{{end}}{{define "title"}}{{.T "m"}}{{end}}`
	base, err := template.New("").Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	msg := `<b>"A&B" it's 1+1</b> %d 低保 ` + "\x00"
	cat := catalogue{httpx.LangZh: {"m": msg}, httpx.LangEn: {"m": "plain"}}
	tr, err := translateTemplates(map[string]*pageTemplate{"p": base}, cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		var want, got strings.Builder
		v := View{Lang: lang, cat: cat}
		ref, err := base.Clone()
		if err != nil {
			t.Fatal(err)
		}
		if err := ref.ExecuteTemplate(&want, "layout", v); err != nil {
			t.Fatal(err)
		}
		if err := tr[lang]["p"].ExecuteTemplate(&got, "layout", v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", lang, got.String(), want.String())
		}
		// Text, the quoted attribute and <title> in "layout" are literal;
		// the rest stays dynamic.
		if n := countMessages(tr[lang]["p"], "layout"); n != 4 {
			t.Errorf("%s: %d constant messages left in layout, want 4 (unquoted attribute, two URLs, script)", lang, n)
		}
		for _, name := range []string{"both", "title"} {
			if n := countMessages(tr[lang]["p"], name); n != 1 {
				t.Errorf("%s: %q lost its dynamic message", lang, name)
			}
		}
	}
}
