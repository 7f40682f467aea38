// Package page is the small kit feature packages (orgweb, authweb …) use to
// serve their server-rendered pages inside the site's layout: a bilingual
// message table, template parsing, rendering a page with the failed action's
// errors (status and messages from the one error table, api.Describe), the
// redirect after a successful action with its notice, and the form and path
// helpers every page handler needs. It depends on no feature.
package page

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Frame puts a page's content into the site's layout; *web.Frame is one.
type Frame interface {
	// Page writes a complete HTML page with the given title and content.
	Page(w http.ResponseWriter, r *http.Request, status int, title string, content template.HTML)
	// CSRFToken is the token every form carries in the field auth.CSRFField.
	CSRFToken(r *http.Request) string
}

// Messages are a feature's words in the one catalogue (internal/msg): the
// value is the feature's package name, which prefixes its keys there
// (page.Messages("orgweb").Text(lang, "done.create") is the message
// "orgweb.done.create"). Keys "done.X" are the notices after action X; keys
// "field.F" name form field F in error messages.
type Messages = msg.Catalogue

// Parse parses every page at start: common (shared definitions) then each
// page file names[i] (templates/<name>.html in fsys) in its own set, so each
// page can define "title" and "content". The function "t" (lang, key, args)
// looks words up in msgs; funcs adds the feature's own.
func Parse(fsys fs.FS, msgs Messages, funcs template.FuncMap, names ...string) (map[string]*template.Template, error) {
	all := template.FuncMap{"t": msgs.Text}
	for k, f := range funcs {
		all[k] = f
	}
	base, err := template.New("").Funcs(all).ParseFS(fsys, "templates/common.html")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template, len(names))
	for _, name := range names {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(fsys, "templates/"+name+".html"); err != nil {
			return nil, err
		}
		for _, need := range []string{"title", "content"} {
			if t.Lookup(need) == nil {
				return nil, fmt.Errorf("template %s.html does not define %q", name, need)
			}
		}
		out[name] = t
	}
	return out, nil
}

// View is what every page template receives.
type View struct {
	Lang      string
	CSRFField string
	CSRFToken string
	Errors    []string // messages of the failed action, in Lang, each naming its field
	Notice    string
	Data      any
}

// Kit renders one feature's pages.
type Kit struct {
	Frame    Frame
	Pages    map[string]*template.Template // must hold "error"
	Messages Messages
	// What names the feature in logs ("org page").
	What string
}

// Render writes page with data; failure, when set, is the error of the
// action the page answers: its status wins and its messages are listed.
func (k *Kit) Render(w http.ResponseWriter, r *http.Request, status int, page string, data any, failure error) {
	lang := httpx.LangFrom(r.Context())
	v := View{Lang: lang, CSRFField: auth.CSRFField, CSRFToken: k.Frame.CSRFToken(r), Data: data,
		Notice: k.notice(lang, r.URL.Query().Get("done"))}
	if failure != nil {
		s, body := api.Describe(r, failure)
		status = s
		if len(body.Errors) > 0 {
			for _, e := range body.Errors {
				v.Errors = append(v.Errors, k.fieldMessage(lang, e.Field, e.Message))
			}
		} else {
			v.Errors = []string{k.fieldMessage(lang, body.Field, body.Message)}
		}
	}
	t, ok := k.Pages[page]
	if !ok {
		k.internal(w, r, fmt.Errorf("no page template %q", page))
		return
	}
	var title, content bytes.Buffer
	if err := t.ExecuteTemplate(&title, "title", v); err != nil {
		k.internal(w, r, err)
		return
	}
	if err := t.ExecuteTemplate(&content, "content", v); err != nil {
		k.internal(w, r, err)
		return
	}
	// content comes from html/template, so it is already escaped; the
	// title goes to the Frame as text (the Frame escapes it), not as the
	// escaped form the template wrote, or "A & B" would read "A &amp; B".
	k.Frame.Page(w, r, status, html.UnescapeString(title.String()), template.HTML(content.String()))
}

// Fail shows the error page for a request that has no page of its own to
// return to (a GET of something missing or forbidden).
func (k *Kit) Fail(w http.ResponseWriter, r *http.Request, err error) {
	k.Render(w, r, http.StatusInternalServerError, "error", nil, err)
}

func (k *Kit) internal(w http.ResponseWriter, r *http.Request, err error) {
	httpx.LoggerFrom(r.Context()).Error("render "+k.What, "error", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// notice is the text of a done=key notice; an unknown key (someone typed a
// URL) shows nothing.
func (k *Kit) notice(lang, key string) string {
	if key == "" || !k.Messages.Has("done."+key) {
		return ""
	}
	return k.Messages.Text(lang, "done."+key)
}

// fieldMessage prefixes a message with the label of the form field it
// concerns, when the feature names that field, so the user sees which input
// to fix.
func (k *Kit) fieldMessage(lang, field, message string) string {
	if field == "" || !k.Messages.Has("field."+field) {
		return message
	}
	if lang == httpx.LangEn {
		return k.Messages.Text(lang, "field."+field) + ": " + message
	}
	return k.Messages.Text(lang, "field."+field) + "：" + message
}

// Done redirects after a successful action (POST, redirect, GET), with the
// notice key the next page shows.
func Done(w http.ResponseWriter, r *http.Request, to, notice string) {
	http.Redirect(w, r, to+"?done="+url.QueryEscape(notice), http.StatusSeeOther)
}

// PathID is the {id} of the route, or 0 when it is not a number (no object
// has id 0, so the service answers "not found").
func PathID(r *http.Request) int64 {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// MaxForm bounds a page's ordinary form (the server's for a route without
// its own MaxBody); uploads set their own limit.
const MaxForm = httpx.MaxFormBody

// ParseForm reads a small form.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxForm)
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("form", "page.the_form_cannot_be_read")
	}
	return nil
}

// ToDo is one thing that waits for a person on their home page, as each
// feature lists it (web.ToDoSource): what it is (Kind), which one (Title,
// linked), until when (Due; zero for none, with DueText saying it in
// working days), and who must act next by name and role (Next) — the
// reader among them. All text in the page's language.
type ToDo struct {
	Kind    string
	Title   string
	Link    string
	Due     time.Time
	DueText string
	Overdue bool
	Next    string
}
