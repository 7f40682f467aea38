package catweb

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

func (h *handlers) catalogReviews(w http.ResponseWriter, r *http.Request) {
	h.showReviews(w, r, http.StatusOK, "")
}

func (h *handlers) showReviews(w http.ResponseWriter, r *http.Request, status int, msg string) {
	ctx := r.Context()
	p := httpx.PrincipalFrom(ctx)
	lang := httpx.LangFrom(ctx)
	rs, err := h.svc.Reviews(ctx, p, catdb.ReviewFilter{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items := map[int64]map[string]int64{} // body → base code → item id
	itemOf := func(body int64, code string) (int64, error) {
		if _, ok := items[body]; !ok {
			its, err := h.svc.Items(ctx, p, body)
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
		n, err := h.svc.PersonName(ctx, who)
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
			h.fail(w, r, err)
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
				el = elementNames.Text(string(httpx.LangFrom(r.Context())), el)
			}
			row.Problems = append(row.Problems, catalogProblem{Element: el, Text: pick(r, pr.Zh, pr.En)})
		}
		if row.Open {
			ws, err := h.svc.ReviewActors(ctx, rv)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			row.Next = waitingWords(lang, ws)
			mine := slices.ContainsFunc(ws, func(w catdb.Waiting) bool { return w.Has(p.StaffID) })
			own := acts && mine && p.BodyID == rv.BodyID
			row.CanClose = own && !rv.Conflicting()
			row.CanExempt = own && rv.Conflicting() && !row.Awaiting
			row.CanDecide = acts && mine && row.Awaiting && p.Has(access.RoleGeneralOffice) && p.BodyID == rv.UpperBodyID
			if row.CanExempt {
				if row.ItemID, err = itemOf(rv.BodyID, rv.BaseCode); err != nil {
					h.fail(w, r, err)
					return
				}
			}
		}
		page.Rows = append(page.Rows, row)
	}
	h.Render(w, r, status, "reviews", page, nil)
}

// reviewStep answers a step on a review task: back to the list, or the
// list with the refusal named when the step was refused for its input.
func (h *handlers) reviewStep(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		if c := apperr.CodeOf(err); c == apperr.Invalid || c == apperr.Conflict {
			msg, _ := describe(r, err)
			h.showReviews(w, r, http.StatusBadRequest, msg)
			return
		}
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/catalog/reviews")
}

func (h *handlers) catalogReviewDone(w http.ResponseWriter, r *http.Request) {
	id, ok := h.postedID(w, r)
	if !ok {
		return
	}
	_, err := h.svc.CompleteReview(r.Context(), httpx.PrincipalFrom(r.Context()), id, r.PostFormValue("note"))
	h.reviewStep(w, r, err)
}

func (h *handlers) catalogReviewExempt(w http.ResponseWriter, r *http.Request) {
	id, ok := h.postedID(w, r)
	if !ok {
		return
	}
	_, err := h.svc.RequestExemption(r.Context(), httpx.PrincipalFrom(r.Context()), id, r.PostFormValue("reason"))
	h.reviewStep(w, r, err)
}

func (h *handlers) catalogReviewDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := h.postedID(w, r)
	if !ok {
		return
	}
	var approve bool
	switch r.PostFormValue("decision") {
	case "approve":
		approve = true
	case "refuse":
	default:
		h.reviewStep(w, r, apperr.Invalidf("decision", "catweb.decision_approve_or_refuse"))
		return
	}
	_, err := h.svc.DecideExemption(r.Context(), httpx.PrincipalFrom(r.Context()), id, approve, r.PostFormValue("comment"))
	h.reviewStep(w, r, err)
}
