package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/auth"
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
type ToDoSource func(ctx context.Context, p auth.Principal, lang string) ([]ToDo, error)

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
func (s *Server) catalogToDos(ctx context.Context, p auth.Principal, lang string) ([]ToDo, error) {
	tasks, err := s.deps.Catalog.Tasks(ctx, p)
	if err != nil {
		return nil, err
	}
	pick := func(zh, en string) string {
		if lang == httpx.LangEn {
			return en
		}
		return zh
	}
	var out []ToDo
	for _, t := range tasks {
		switch {
		case t.Adjustment != nil:
			a := t.Adjustment
			td := ToDo{Kind: pick("调整申请", "List adjustment") + " · " + stepWords(lang, mine(t.Waiting, p.StaffID)),
				Title: a.Title, Link: fmt.Sprintf("/catalog/adjustments/%d", a.ID), Next: waitingWords(lang, t.Waiting)}
			if a.PublicationDue != nil && a.Stage == catalog.StageApproved {
				td.Due = *a.PublicationDue
				td.DueText = pick("公布期限 ", "publish by ") + when(td.Due)
				td.Overdue = a.Late
			}
			out = append(out, td)
		case t.Review != nil:
			rv := t.Review
			kind := pick("下级清单审查", "Derived-list review")
			if rv.AwaitingApproval() {
				kind = pick("暂不调整待批准", "Leaving an item unchanged: approval")
			}
			out = append(out, ToDo{Kind: kind, Title: rv.BaseCode + " " + rv.Name + " · " + rv.BodyName,
				Link: fmt.Sprintf("/catalog/reviews#review-%d", rv.ID), Due: rv.Due,
				DueText: dueInWorkingDays(lang, rv.Due, t.DaysLeft), Overdue: rv.Overdue, Next: waitingWords(lang, t.Waiting)})
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
func dueInWorkingDays(lang string, due time.Time, left int) string {
	d := day(due)
	switch {
	case lang == httpx.LangEn && left > 0:
		return fmt.Sprintf("due %s (%d working days left)", d, left)
	case lang == httpx.LangEn && left == 0:
		return fmt.Sprintf("due %s (today)", d)
	case lang == httpx.LangEn:
		return fmt.Sprintf("due %s (%d working days overdue)", d, -left)
	case left > 0:
		return fmt.Sprintf("%s 前完成(还剩 %d 个工作日)", d, left)
	case left == 0:
		return fmt.Sprintf("%s 前完成(今天到期)", d)
	}
	return fmt.Sprintf("%s 前完成(已超期 %d 个工作日)", d, -left)
}

// capacityWords names a capacity of catdb.Waiting.
func capacityWords(lang string, w catdb.Waiting) string {
	zh := map[string]string{catdb.AsUnitHead: "单位负责人", catdb.AsListLiaison: "清单联络员",
		catdb.AsGeneralOffice: "党政办", catdb.AsReformOffice: "上级改革办"}[w.Role]
	en := map[string]string{catdb.AsUnitHead: "unit head", catdb.AsListLiaison: "list liaison",
		catdb.AsGeneralOffice: "general office", catdb.AsReformOffice: "upper reform office"}[w.Role]
	switch w.Group {
	case catalog.PowerListGroup:
		zh, en = zh+"权力清单组", en+", power list group"
	case catalog.DutyListGroup:
		zh, en = zh+"责任清单组", en+", duty list group"
	}
	if w.Role == catdb.AsListLiaison && w.Step == "" {
		zh, en = "清单联络员或党政办", "list liaison or general office"
	}
	if lang == httpx.LangEn {
		return en
	}
	return zh
}

// stepWords names the step a waiting entry is for.
func stepWords(lang string, w catdb.Waiting) string {
	zh := map[catalog.ActionKind]string{catalog.ActSign: "待签字", catalog.ActDraft: "待修改后重新报送",
		catalog.ActOfficeApprove: "待初审", catalog.ActGroupApprove: "待审核确认", catalog.ActPublish: "待公布"}[w.Step]
	en := map[catalog.ActionKind]string{catalog.ActSign: "to sign", catalog.ActDraft: "to revise and resubmit",
		catalog.ActOfficeApprove: "initial review", catalog.ActGroupApprove: "to confirm", catalog.ActPublish: "to publish"}[w.Step]
	if w.Step == "" {
		zh, en = "待处理", "to act"
	}
	if lang == httpx.LangEn {
		return en
	}
	return zh
}

// waitingWords says who must act next: each capacity with its step and the
// people holding it by name (and unit), or that nobody holds it yet.
func waitingWords(lang string, ws []catdb.Waiting) string {
	var parts []string
	for _, w := range ws {
		var names []string
		for _, p := range w.People {
			n := p.Name
			if p.Unit != "" {
				n += "(" + p.Unit + ")"
				if lang == httpx.LangEn {
					n = p.Name + " (" + p.Unit + ")"
				}
			}
			names = append(names, n)
		}
		who := strings.Join(names, "、")
		if lang == httpx.LangEn {
			who = strings.Join(names, ", ")
		}
		if len(names) == 0 {
			who = "尚无人担任,请管理员指定"
			if lang == httpx.LangEn {
				who = "nobody holds this yet; an administrator must appoint someone"
			}
		}
		if lang == httpx.LangEn {
			parts = append(parts, fmt.Sprintf("%s (%s): %s", capacityWords(lang, w), stepWords(lang, w), who))
		} else {
			parts = append(parts, fmt.Sprintf("%s(%s):%s", capacityWords(lang, w), stepWords(lang, w), who))
		}
	}
	if lang == httpx.LangEn {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, ";")
}
