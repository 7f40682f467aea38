package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// ToDo is one thing that waits for the person on their home page: what it
// is (Kind), which one (Title, linked), until when (Due; zero for none,
// with DueText saying it in working days), and who must act next by name
// and role (Next) — the reader among them. All text in the page's language.
type ToDo struct {
	Kind    string
	Title   string
	Link    string
	Due     time.Time
	DueText string
	Overdue bool
	Next    string
}

// ToDoSource lists what waits for p. The catalogue's source is built in
// (adjustments, derived-list reviews); case handling and supervision add
// theirs through Deps.ToDos, and the home page shows them all, earliest due
// first. A failing source is logged and left out, so one feature's trouble
// does not hide the others' work.
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
		sources := slices.Clone(s.deps.ToDos)
		if s.deps.Catalog != nil {
			sources = append([]ToDoSource{s.catalogToDos}, sources...)
		}
		for _, src := range sources {
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

// catalogToDos is the catalogue's part of the to-do list: adjustments whose
// next step is p's, and derived-list reviews (C6) p must act on.
func (s *Server) catalogToDos(ctx context.Context, p access.Principal, lang string) ([]ToDo, error) {
	tasks, err := s.deps.Catalog.Tasks(ctx, p)
	if err != nil {
		return nil, err
	}
	t := func(key string, args ...any) string { return s.cat.text(lang, key, args...) }
	var out []ToDo
	for _, task := range tasks {
		switch {
		case task.Adjustment != nil:
			a := task.Adjustment
			td := ToDo{Kind: t("todo.adjustment", s.stepWords(lang, mine(task.Waiting, p.StaffID))),
				Title: a.Title, Link: fmt.Sprintf("/catalog/adjustments/%d", a.ID), Next: s.waitingWords(lang, task.Waiting)}
			if a.PublicationDue != nil && a.Stage == catalog.StageApproved {
				td.Due = *a.PublicationDue
				td.DueText = t("todo.publish_by", when(td.Due))
				td.Overdue = a.Late
			}
			out = append(out, td)
		case task.Review != nil:
			rv := task.Review
			kind := t("todo.review")
			if rv.AwaitingApproval() {
				kind = t("todo.exemption")
			}
			out = append(out, ToDo{Kind: kind, Title: rv.BaseCode + " " + rv.Name + " · " + rv.BodyName,
				Link: fmt.Sprintf("/catalog/reviews#review-%d", rv.ID), Due: rv.Due,
				DueText: s.dueInWorkingDays(lang, rv.Due, task.DaysLeft), Overdue: rv.Overdue, Next: s.waitingWords(lang, task.Waiting)})
		}
	}
	return out, nil
}

// mine is the waiting entry that names staff member id (the reader).
func mine(ws []catdb.Waiting, id int64) catdb.Waiting {
	for _, w := range ws {
		if w.Has(id) {
			return w
		}
	}
	return catdb.Waiting{}
}

// dueInWorkingDays says a due date with the working days left.
func (s *Server) dueInWorkingDays(lang string, due time.Time, left int) string {
	switch {
	case left > 0:
		return s.cat.text(lang, "todo.due_left", day(due), left)
	case left == 0:
		return s.cat.text(lang, "todo.due_today", day(due))
	}
	return s.cat.text(lang, "todo.due_over", day(due), -left)
}

// capacityWords names a capacity of catdb.Waiting.
func (s *Server) capacityWords(lang string, w catdb.Waiting) string {
	key := "waiting." + w.Role
	if w.Role == catdb.AsListLiaison && w.Step == "" {
		key = "waiting.reviewer" // a review task: the liaisons or the office
	}
	words := s.cat.text(lang, key)
	switch w.Group {
	case catalog.PowerListGroup:
		words = s.cat.text(lang, "waiting.power_list", words)
	case catalog.DutyListGroup:
		words = s.cat.text(lang, "waiting.duty_list", words)
	}
	return words
}

// stepWords names the step a waiting entry is for.
func (s *Server) stepWords(lang string, w catdb.Waiting) string {
	if w.Step == "" {
		return s.cat.text(lang, "waiting.step.act")
	}
	return s.cat.text(lang, "waiting.step."+string(w.Step))
}

// waitingWords says who must act next: each capacity with its step and the
// people holding it by name (and unit), or that nobody holds it yet.
func (s *Server) waitingWords(lang string, ws []catdb.Waiting) string {
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		names := make([]string, 0, len(w.People))
		for _, p := range w.People {
			if p.Unit == "" {
				names = append(names, p.Name)
			} else {
				names = append(names, s.cat.text(lang, "waiting.person", p.Name, p.Unit))
			}
		}
		who := strings.Join(names, s.cat.text(lang, "list.sep"))
		if len(names) == 0 {
			who = s.cat.text(lang, "waiting.nobody")
		}
		parts = append(parts, s.cat.text(lang, "waiting.entry", s.capacityWords(lang, w), s.stepWords(lang, w), who))
	}
	return strings.Join(parts, s.cat.text(lang, "waiting.sep"))
}
