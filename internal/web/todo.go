package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// ToDo is one item of the home page's to-do list.
type ToDo = page.ToDo

// ToDoSource lists what waits for p. Each feature (the catalogue's
// adjustments and reviews, case handling, supervision) adds its own through
// Deps.ToDos, and the home page shows them all, earliest due first. A
// failing source is logged and left out, so one feature's trouble does not
// hide the others' work.
type ToDoSource func(ctx context.Context, p access.Principal, lang string) ([]ToDo, error)

type homePage struct {
	ToDos    []ToDo
	Failed   bool // a source failed: the list may be incomplete
	Personal bool // the principal is staff, so a to-do list applies
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	page := homePage{Personal: p.StaffID != 0 && !p.ReadOnly()}
	if page.Personal {
		for _, src := range s.deps.ToDos {
			ts, err := src(r.Context(), p, httpx.LangFrom(r.Context()))
			if err != nil {
				s.log.ErrorContext(r.Context(), "to-do source failed", "err", err, "login", p.Login)
				page.Failed = true
				continue
			}
			page.ToDos = append(page.ToDos, ts...)
		}
		// Those with a due date first, earliest first; the rest keep their order.
		slices.SortStableFunc(page.ToDos, func(a, b ToDo) int {
			switch {
			case a.Due.IsZero() && b.Due.IsZero():
				return 0
			case a.Due.IsZero():
				return 1
			case b.Due.IsZero():
				return -1
			}
			return a.Due.Compare(b.Due)
		})
	}
	s.render(w, r, http.StatusOK, "home", page)
}
