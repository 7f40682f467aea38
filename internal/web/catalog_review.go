package web

import (
	"net/http"
	"slices"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// catalogReviewRow is one derived-list review task (C6): which body must
// review which item, the C5 conflicts in words, who acts next and what the
// reader may do about it.
type catalogReviewRow struct {
	ID       int64
	Body     string
	BaseCode string
	Name     string
	ItemID   int64 // the body's own item, for proposing an adjustment; 0 when unknown
	Due      string
	Open     bool
	Overdue  bool
	Problems []catalogProblem
	Next     string
	Note     string
	DoneBy   string
	DoneAt   string
	// Awaiting: an exemption was asked for (ExemptReason) and waits for
	// the upper reform office.
	Awaiting     bool
	ExemptReason string
	ApprovedBy   string
	// What the reader may do: close it (no conflict), ask for an exemption
	// (a conflict), decide on an exemption (the upper reform office).
	CanClose, CanExempt, CanDecide bool
}

// catalogProblem is one conflict: the element and what is wrong, in words.
type catalogProblem struct{ Element, Text string }

type catalogReviewsPage struct {
	Rows  []catalogReviewRow
	Error string
}

func (s *Server) catalogReviews(w http.ResponseWriter, r *http.Request) {
	s.showReviews(w, r, http.StatusOK, "")
}

func (s *Server) showReviews(w http.ResponseWriter, r *http.Request, status int, msg string) {
	ctx := r.Context()
	p := httpx.PrincipalFrom(ctx)
	lang := httpx.LangFrom(ctx)
	rs, err := s.deps.Catalog.Reviews(ctx, p, catdb.ReviewFilter{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := map[int64]map[string]int64{} // body → base code → item id
	itemOf := func(body int64, code string) (int64, error) {
		if _, ok := items[body]; !ok {
			its, err := s.deps.Catalog.Items(ctx, p, body)
			if err != nil {
				return 0, err
			}
			items[body] = map[string]int64{}
			for _, it := range its {
				items[body][it.BaseCode] = it.ID
			}
		}
		return items[body][code], nil
	}
	names := map[string]string{} // login → name, read once per page
	name := func(who string) (string, error) {
		if who == "" {
			return "", nil
		}
		if n, ok := names[who]; ok {
			return n, nil
		}
		n, err := s.deps.Catalog.PersonName(ctx, who)
		names[who] = n
		return n, err
	}
	acts := !p.ReadOnly()
	page := catalogReviewsPage{Error: msg}
	for _, rv := range rs {
		var err error
		if rv.DoneBy, err = name(rv.DoneBy); err == nil {
			rv.ApprovedBy, err = name(rv.ApprovedBy)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		row := catalogReviewRow{ID: rv.ID, Body: rv.BodyName, BaseCode: rv.BaseCode, Name: rv.Name, Due: day(rv.Due),
			Open: rv.Status == catdb.ReviewOpen, Overdue: rv.Overdue, Note: rv.Note, DoneBy: rv.DoneBy,
			Awaiting: rv.AwaitingApproval(), ExemptReason: rv.ExemptReason, ApprovedBy: rv.ApprovedBy}
		if rv.DoneAt != nil {
			row.DoneAt = when(*rv.DoneAt)
		}
		for _, pr := range rv.Problems {
			el := pr.Element
			if elementNames.Has(el) {
				el = elementNames.Text(httpx.LangFrom(r.Context()), el)
			}
			row.Problems = append(row.Problems, catalogProblem{Element: el, Text: pick(r, pr.Zh, pr.En)})
		}
		if row.Open {
			ws, err := s.deps.Catalog.ReviewActors(ctx, rv)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			row.Next = s.waitingWords(lang, ws)
			mine := slices.ContainsFunc(ws, func(w catdb.Waiting) bool { return w.Has(p.StaffID) })
			own := acts && mine && p.BodyID == rv.BodyID
			row.CanClose = own && !rv.Conflicting()
			row.CanExempt = own && rv.Conflicting() && !row.Awaiting
			row.CanDecide = acts && mine && row.Awaiting && p.Has(access.RoleGeneralOffice) && p.BodyID == rv.UpperBodyID
			if row.CanExempt {
				if row.ItemID, err = itemOf(rv.BodyID, rv.BaseCode); err != nil {
					s.fail(w, r, err)
					return
				}
			}
		}
		page.Rows = append(page.Rows, row)
	}
	s.render(w, r, status, "catalog_reviews", page)
}

// reviewStep answers a step on a review task: back to the list, or the
// list with the refusal named when the step was refused for its input.
func (s *Server) reviewStep(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
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

func (s *Server) catalogReviewDone(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	_, err := s.deps.Catalog.CompleteReview(r.Context(), httpx.PrincipalFrom(r.Context()), id, r.PostFormValue("note"))
	s.reviewStep(w, r, err)
}

func (s *Server) catalogReviewExempt(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	_, err := s.deps.Catalog.RequestExemption(r.Context(), httpx.PrincipalFrom(r.Context()), id, r.PostFormValue("reason"))
	s.reviewStep(w, r, err)
}

func (s *Server) catalogReviewDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	var approve bool
	switch r.PostFormValue("decision") {
	case "approve":
		approve = true
	case "refuse":
	default:
		s.reviewStep(w, r, apperr.Invalidf("decision", "web.decision_approve_or_refuse"))
		return
	}
	_, err := s.deps.Catalog.DecideExemption(r.Context(), httpx.PrincipalFrom(r.Context()), id, approve, r.PostFormValue("comment"))
	s.reviewStep(w, r, err)
}
