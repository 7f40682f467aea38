package superviseweb

import (
	"net/http"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// whatIfRoutes are the dashboard's what-if (issue #16 item 9): a proposed
// rule set over a period of stored cases, read-only, so a GET with its
// form in the query.
func (h *handlers) whatIfRoutes() []httpx.Route {
	readers := []access.Role{access.RoleSupervisor, access.RoleAdmin, access.RoleLeader}
	return []httpx.Route{
		{Pattern: "GET /supervision/whatif", Policy: httpx.Policy{Roles: readers}, Handler: hf(h.whatIfPage)},
	}
}

type whatIfPage struct {
	From, To, Rules string
	Result          *supervisedb.Replay
}

func (h *handlers) whatIfPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pg := whatIfPage{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Rules: q.Get("rules")}
	if pg.From == "" && pg.To == "" && strings.TrimSpace(pg.Rules) == "" {
		// The form alone, offering the last quarter and this body's own set.
		now := time.Now().In(cst)
		pg.From, pg.To = now.AddDate(0, -3, 0).Format(time.DateOnly), now.Format(time.DateOnly)
		h.Render(w, r, http.StatusOK, "whatif", pg, nil)
		return
	}
	from, err := calendar.ParseDate("from", pg.From)
	var to calendar.Date
	if err == nil {
		to, err = calendar.ParseDate("to", pg.To)
	}
	if err == nil {
		var res supervisedb.Replay
		res, err = h.svc.Replay(r.Context(), principal(r), from.Start(cst), to.End(cst), []byte(pg.Rules))
		if err == nil {
			pg.Result = &res
		}
	}
	h.Render(w, r, http.StatusOK, "whatif", pg, located(err))
}
