package complaintweb

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/document/documentweb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// publicAnswer is the written answer (P8) for the complainant holding the
// query code (?code=): its A4 page or, at answer.pdf, its PDF; personal
// data masked (O4).
func (h *handlers) publicAnswer(pdf bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		d, err := h.svc.PublicAnswer(r.Context(), r.PathValue("number"), r.URL.Query().Get("code"))
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		h.serveDocument(w, r, d, pdf)
	}
}

// staffAnswer is the written answer for staff: as issued for its
// handlers (an audited read), the public copy for supervisors, and no
// such complaint for anyone else — the complained unit and person too.
func (h *handlers) staffAnswer(pdf bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, err := h.svc.AnswerDocument(r.Context(), principal(r), r.PathValue("number"))
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		h.serveDocument(w, r, d, pdf)
	}
}

// serveDocument writes the document as its A4 page or as its PDF, as the
// documents' own pages do.
func (h *handlers) serveDocument(w http.ResponseWriter, r *http.Request, d documentdb.Rendered, pdf bool) {
	w.Header().Set("Cache-Control", "private, no-store")
	if !pdf {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(d.HTML(documentweb.Stylesheet)) // a client gone away is not our error
		return
	}
	p, err := d.PDF()
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(p.Missing) > 0 {
		httpx.LoggerFrom(r.Context()).Warn("complaint answer PDF: characters the font lacks", "number", d.Number, "missing", string(p.Missing))
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="complaint-answer-%d.pdf"; filename*=UTF-8''%s`, d.ID,
		url.PathEscape(d.Number+".pdf")))
	_, _ = w.Write(p.Bytes)
}
