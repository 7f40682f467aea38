package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// The edge: what the server checks of a request before any handler, and so
// any database, sees it (issue #11 items 2 and 9). Text anywhere in the
// request — path, query, form fields, the headers the application stores —
// must be UTF-8 without NUL, because PostgreSQL refuses anything else with
// an error (SQLSTATE 22021) where SQLite would store it raw; a body is
// bounded by its route's limit (httpx.Route.BodyLimit) and an ordinary
// form is read here, so a form over the limit is a 413 that says so rather
// than a CSRF refusal that found no token. An import's multipart form is
// read in the guard instead, after the policy (guard.go).

// storedHeaders are the request headers whose values the application
// stores (a session's user agent); the client IP header is checked too
// when one is configured.
var storedHeaders = []string{"User-Agent"}

// checkEdge checks r's path, query and stored headers, bounds its body and
// reads and checks an ordinary form. A refusal is an apperr error to
// answer as it is.
func (s *Server) checkEdge(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkRequestText(r); err != nil {
		return err
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	rt := s.routeOf(r)
	limit := rt.BodyLimit()
	if r.ContentLength > limit {
		return s.tooLarge(limit)
	}
	st := stateFrom(r.Context())
	r.Body = &edgeBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit), st: st, ctl: http.NewResponseController(w),
		start: time.Now(), grace: s.cfg.BodyTimeout, rate: s.cfg.BodyMinRate}
	if rt.Import {
		return nil // the guard reads it, after the policy
	}
	return s.readForm(r, limit)
}

// routeOf is the route the router will hand r to (the zero Route, with
// the default limits, when none matches).
func (s *Server) routeOf(r *http.Request) httpx.Route {
	if s.mux == nil {
		return httpx.Route{Pattern: r.URL.Path}
	}
	_, pattern := s.mux.Handler(r)
	if rt, ok := s.byPattern[pattern]; ok {
		return rt
	}
	return httpx.Route{Pattern: r.URL.Path}
}

// checkRequestText refuses invalid text in the path, a query parameter or
// a stored header, naming it.
func (s *Server) checkRequestText(r *http.Request) error {
	if !httpx.ValidText(r.URL.Path) {
		return s.errorf(apperr.Invalid, "path", "error.invalid_text.path")
	}
	if q := r.URL.RawQuery; q != "" && (strings.IndexByte(q, '%') >= 0 || !httpx.ValidText(q)) {
		// The query's escapes decode to anything; without one it is plain
		// text, checked as it is. A malformed escape drops its pair, as
		// everywhere else the query is read.
		vs, _ := url.ParseQuery(q) //nolint:errcheck // see above
		if err := s.checkValues(vs, "query", "error.invalid_text.query"); err != nil {
			return err
		}
	}
	headers := storedHeaders
	if s.cfg.ClientIPHeader != "" {
		headers = append([]string{s.cfg.ClientIPHeader}, headers...)
	}
	for _, h := range headers {
		for _, v := range r.Header.Values(h) {
			if !httpx.ValidText(v) {
				return s.errorf(apperr.Invalid, h, "error.invalid_text.header", h)
			}
		}
	}
	return nil
}

// checkValues refuses the first invalid name or value of a form or query,
// naming the field (or, when the name itself is not text, the whole).
func (s *Server) checkValues(vs url.Values, whole, key string) error {
	for name, values := range vs {
		if !httpx.ValidText(name) {
			return s.errorf(apperr.Invalid, whole, key, whole)
		}
		for _, v := range values {
			if !httpx.ValidText(v) {
				return s.errorf(apperr.Invalid, name, key, clipName(name))
			}
		}
	}
	return nil
}

// readForm reads an urlencoded or multipart form body (the handler then
// finds it parsed) and checks its text. Other bodies (JSON) are the
// decoder's.
func (s *Server) readForm(r *http.Request, limit int64) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")) //nolint:errcheck // not a form then
	var err error
	switch mt {
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		// An ordinary route's body is small: all of it may stay in memory.
		err = r.ParseMultipartForm(limit)
	default:
		return nil
	}
	if err != nil {
		return s.unreadableForm(err, limit)
	}
	return s.checkForm(r)
}

// checkForm checks a parsed form's fields and the names of its files.
func (s *Server) checkForm(r *http.Request) error {
	if err := s.checkValues(r.PostForm, "form", "error.invalid_text.form"); err != nil {
		return err
	}
	if r.MultipartForm == nil {
		return nil
	}
	if err := s.checkValues(r.MultipartForm.Value, "form", "error.invalid_text.form"); err != nil {
		return err
	}
	for name, files := range r.MultipartForm.File {
		for _, f := range files {
			if !httpx.ValidText(name) || !httpx.ValidText(f.Filename) {
				return s.errorf(apperr.Invalid, name, "error.invalid_text.form", clipName(name))
			}
		}
	}
	return nil
}

// unreadableForm is the refusal of a form that could not be read.
func (s *Server) unreadableForm(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return s.tooLarge(limit)
	}
	e := s.errorf(apperr.Invalid, "form", "form.unreadable")
	e.Err = err
	return e
}

// tooLarge is the 413 of a body over limit bytes.
func (s *Server) tooLarge(limit int64) *apperr.Error {
	return s.errorf(apperr.TooLarge, "", "error.too_large", apperr.Size(limit))
}

// edgeBody is a request body bounded at the edge, in size and in time.
// It remembers in the request's state that the size limit was passed, so
// a refusal by a layer that read the body first (the CSRF check of a form)
// can say "too large". Before each read it sets the connection's read
// deadline to start + grace + one second per rate bytes read so far (see
// Config.BodyTimeout). Once the body is read net/http clears the deadline
// itself (its background read), so a handler working on past it keeps its
// context.
type edgeBody struct {
	io.ReadCloser // http.MaxBytesReader
	st            *reqState
	ctl           *http.ResponseController // nil: the writer has no deadlines (tests' recorders)
	start         time.Time
	grace         time.Duration
	rate          int64
	read          int64
}

func (b *edgeBody) Read(p []byte) (int, error) {
	if b.ctl != nil {
		due := b.start.Add(b.grace + time.Duration(b.read)*time.Second/time.Duration(b.rate))
		if err := b.ctl.SetReadDeadline(due); err != nil {
			b.ctl = nil
		}
	}
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	var tooBig *http.MaxBytesError
	if err != nil && b.st != nil && errors.As(err, &tooBig) {
		b.st.tooLarge = tooBig.Limit
	}
	return n, err
}

// clipName shortens a client-chosen field name for a message.
func clipName(name string) string {
	const max = 64
	if len(name) <= max {
		return name
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + "…"
}
