package web

import (
	"net/http"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// catalogReviewRow is one derived-list review task (C6).
type catalogReviewRow struct {
	ID       int64
	BaseCode string
	Name     string
	Due      string
	Open     bool
	Overdue  bool
	Problems string
	Note     string
	DoneBy   string
	DoneAt   string
}

type catalogReviewsPage struct {
	Rows     []catalogReviewRow
	CanClose bool
	Error    string
}

func (s *Server) catalogReviews(w http.ResponseWriter, r *http.Request) {
	s.showReviews(w, r, http.StatusOK, "")
}

func (s *Server) showReviews(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := httpx.PrincipalFrom(r.Context())
	rs, err := s.deps.Catalog.Reviews(r.Context(), p, catdb.ReviewFilter{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := catalogReviewsPage{CanClose: p.HasAny(access.RoleListLiaison, access.RoleGeneralOffice) && !p.ReadOnly(), Error: msg}
	for _, rv := range rs {
		row := catalogReviewRow{ID: rv.ID, BaseCode: rv.BaseCode, Name: rv.Name, Due: when(rv.Due), Open: rv.Status == catdb.ReviewOpen,
			Overdue: rv.Overdue, Problems: rv.Violations, Note: rv.Note, DoneBy: rv.DoneBy}
		if rv.DoneAt != nil {
			row.DoneAt = when(*rv.DoneAt)
		}
		page.Rows = append(page.Rows, row)
	}
	s.render(w, r, status, "catalog_reviews", page)
}

func (s *Server) catalogReviewDone(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	if _, err := s.deps.Catalog.CompleteReview(r.Context(), httpx.PrincipalFrom(r.Context()), id, r.PostFormValue("note")); err != nil {
		if c := apperr.CodeOf(err); c == apperr.Invalid || c == apperr.Conflict {
			msg, _ := describe(r, err)
			s.showReviews(w, r, http.StatusBadRequest, msg)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/catalog/reviews")
}
