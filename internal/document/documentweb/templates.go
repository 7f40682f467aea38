package documentweb

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/web/page"
)

func (h *handlers) templatesPage(w http.ResponseWriter, r *http.Request) {
	ts, err := h.svc.Templates(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "templates", ts, nil)
}

type templatePage struct {
	documentdb.TemplateInfo
	Source string // as shown: the current one, or what was typed
	Fields []string
}

func (h *handlers) templatePage(w http.ResponseWriter, r *http.Request) {
	h.showTemplate(w, r, "", nil)
}

// showTemplate shows kind's template form: the current version, or the
// text typed (source) with the refusal of the action taken on it.
func (h *handlers) showTemplate(w http.ResponseWriter, r *http.Request, source string, failure error) {
	t, err := h.svc.TemplateOf(r.Context(), principal(r), casework.DocumentKind(r.PathValue("kind")))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := templatePage{TemplateInfo: t, Source: t.Source, Fields: document.Fields()}
	if failure != nil {
		pg.Source = source
	}
	h.Render(w, r, http.StatusOK, "template", pg, failure)
}

func (h *handlers) saveTemplate(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	kind := r.PathValue("kind")
	source := r.PostForm.Get("template")
	base, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil {
		h.showTemplate(w, r, source, apperr.Invalidf("version", "documentweb.the_form_lacks_the_version"))
		return
	}
	if _, err := h.svc.SaveTemplate(r.Context(), principal(r), casework.DocumentKind(kind), base, source); err != nil {
		h.showTemplate(w, r, source, err)
		return
	}
	page.Done(w, r, "/admin/documents/templates/"+url.PathEscape(kind), "template_saved")
}

// previewTemplate renders the typed template on the sample case as the
// A4 page it would give (the form opens it in a new tab); a bad template
// comes back to the form, every mistake named by its line.
func (h *handlers) previewTemplate(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	source := r.PostForm.Get("template")
	if _, err := h.svc.TemplateOf(r.Context(), principal(r), casework.DocumentKind(r.PathValue("kind"))); err != nil {
		h.Fail(w, r, err)
		return
	}
	t, err := document.ParseTemplate(casework.DocumentKind(r.PathValue("kind")), documentdb.TemplateLang, source)
	if err != nil {
		h.showTemplate(w, r, source, err)
		return
	}
	p, err := document.Preview(t)
	if err != nil {
		h.showTemplate(w, r, source, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(p.HTML(Stylesheet)) // a client gone away is not our error
}
