package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"sync/atomic"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
)

// Frame lets feature packages outside web (orgweb, calweb …) render their
// pages inside the site's layout — navigation, language switch, notices —
// without importing the server. The binary creates it with NewFrame, hands
// it to the features that build routes, and passes it in Deps.Frame; New
// binds it to the server.
type Frame struct{ s atomic.Pointer[Server] }

// NewFrame returns a frame to be bound by New.
func NewFrame() *Frame { return &Frame{} }

// framePage is the data of the "frame" page template.
type framePage struct {
	Title   string
	Content template.HTML
}

// Page writes a complete page: title and content (already-escaped HTML
// produced by the feature's own templates) inside the layout.
func (f *Frame) Page(w http.ResponseWriter, r *http.Request, status int, title string, content template.HTML) {
	s := f.s.Load()
	if s == nil {
		http.Error(w, "web: frame used before the server was built", http.StatusInternalServerError)
		return
	}
	s.render(w, r, status, "frame", framePage{Title: title, Content: content})
}

// CSRFToken is the token every form must carry in the field auth.CSRFField.
func (f *Frame) CSRFToken(r *http.Request) string {
	if s := f.s.Load(); s != nil {
		return s.deps.CSRF.Token(r)
	}
	return ""
}

// Fail renders an error the way the server's own pages do.
func (f *Frame) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if s := f.s.Load(); s != nil {
		s.fail(w, r, err)
		return
	}
	http.Error(w, apperr.As(err).Message("zh"), http.StatusInternalServerError)
}

// Notices returns banners for the layout of a logged-in principal's pages,
// already in lang ("zh" or "en"): for example the administrators' warning
// that next year's holiday data is missing (L9).
type Notices func(ctx context.Context, p access.Principal, lang string) []Notice

// Notice is one banner: its text and, when the reader can act on it, a link
// and the link's words, all in the page's language.
type Notice struct {
	Text         string
	Link, Action string
}

// Badges returns the header's links of a logged-in principal's pages, each
// with a count, already in lang: the inbox with its unread messages.
type Badges func(ctx context.Context, p access.Principal, lang string) []Badge

// Badge is one header link: its text, where it leads, the count shown
// beside it (none when 0), and Label, the words screen readers say for it
// (the text with its count).
type Badge struct {
	Text  string
	Label string
	Link  string
	Count int
}

// Asset is the hashed URL of a static file by its logical name
// ("vendor/echarts.min.js"), for a feature page that loads a script of
// its own (scripts are never inline: the CSP refuses them).
func (f *Frame) Asset(name string) (string, error) {
	s := f.s.Load()
	if s == nil {
		return "", fmt.Errorf("web: frame used before the server was built")
	}
	return s.assets.URL(name)
}
