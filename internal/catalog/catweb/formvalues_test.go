package catweb_test

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// formValues is what a browser sends when the form with id is submitted
// untouched: every named input (check boxes and radio buttons only when
// checked), each select's selected option (else its first), each
// textarea's text; buttons send nothing unless the caller adds one.
func formValues(t *testing.T, page, id string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	text := func(n *html.Node) string {
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
		return b.String()
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if v, _ := attr(n, "id"); n.Type == html.ElementNode && n.Data == "form" && v == id {
			form = n
		}
		for c := n.FirstChild; c != nil && form == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		t.Fatalf("no form #%s in the page:\n%.2000s", id, page)
	}
	out := url.Values{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			_, disabled := attr(n, "disabled")
			if named && !disabled {
				switch n.Data {
				case "input":
					typ, _ := attr(n, "type")
					v, _ := attr(n, "value")
					_, checked := attr(n, "checked")
					switch typ {
					case "submit", "button", "image", "file", "reset":
					case "checkbox", "radio":
						if checked {
							if v == "" {
								v = "on"
							}
							out.Add(name, v)
						}
					default:
						out.Add(name, v)
					}
				case "textarea":
					out.Add(name, text(n))
				case "select":
					var first, chosen *html.Node
					for o := n.FirstChild; o != nil; o = o.NextSibling {
						if o.Type != html.ElementNode || o.Data != "option" {
							continue
						}
						if first == nil {
							first = o
						}
						if _, sel := attr(o, "selected"); sel && chosen == nil {
							chosen = o
						}
					}
					if chosen == nil {
						chosen = first
					}
					if chosen != nil {
						v, ok := attr(chosen, "value")
						if !ok {
							v = text(chosen)
						}
						out.Add(name, v)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return out
}
