// Package superviseweb is how people reach e-supervision (issue #16): the
// supervisor's dashboard of open cards by body and unit from the
// maintained counts (/supervision), the cards behind each count with
// their cases (/supervision/cards, which a unit's staff see for their own
// unit only), their export to Excel, and the same as JSON under
// /api/v1/supervision/. Every route is registered with its policy:
//
//	sup := supervisedb.New(cases, clocks, supervisedb.Options{})
//	routes = append(routes, superviseweb.Routes(sup, frame)...)
package superviseweb

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"dashboard", "cards", "orders", "order", "error", "rectifications", "rectification", "report", "externals", "unit", "rules", "whatif", "trends", "calwhatif"}

// cst is China Standard Time, the users' clock whatever the server's zone.
var cst = time.FixedZone("CST", 8*3600)

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

type handlers struct {
	*page.Kit
	svc *supervisedb.Service
}

var hf = func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

// overseers read the dashboard: supervisors (S4), leaders, the general
// office, administrators and external supervisors (S7, read-only).
var overseers = []access.Role{access.RoleSupervisor, access.RoleLeader, access.RoleGeneralOffice, access.RoleAdmin, access.RoleExternalSupervisor}

var tags = []string{"supervision"}

// Routes returns the dashboard, the cards and their export, pages and API.
func Routes(svc *supervisedb.Service, frame page.Frame) ([]httpx.Route, error) {
	if svc == nil || frame == nil {
		return nil, fmt.Errorf("superviseweb: Routes needs the service and a frame")
	}
	ps, err := page.Parse(templateFS, messages, template.FuncMap{
		"when": when,
		"levels": func() []string {
			return []string{string(supervise.Reminder), string(supervise.Yellow), string(supervise.Red)}
		},
		"query":     query,
		"threshold": threshold,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"pct":   func(f float64) string { return strconv.FormatFloat(f*100, 'g', -1, 64) },
		"level": func(lang string, l supervise.Level) string { return messages.Text(lang, "level."+string(l)) },
		"rule":  func(lang string, c supervisedb.Card) string { return c.Name.In(lang) },
	}, pageNames...)
	if err != nil {
		return nil, fmt.Errorf("superviseweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: frame, Pages: ps, Messages: messages, What: "supervision page"}, svc: svc}
	read := httpx.Policy{Roles: overseers}
	p := api.Prefix + "/supervision"
	cardParams := []httpx.Param{
		{Name: "body", In: "query", Description: "a body's path (/1/4/): its cards only; within the caller's jurisdiction", Type: "string"},
		{Name: "unit", In: "query", Description: "a unit's code", Type: "string"},
		{Name: "level", In: "query", Description: "reminder, yellow or red", Type: "string"},
		{Name: "case", In: "query", Description: "a case's number", Type: "string"},
		{Name: "all", In: "query", Description: "true: cleared cards too", Type: "boolean"},
	}
	return append([]httpx.Route{
		{Pattern: "GET /supervision", Policy: read, Handler: hf(h.dashboard), Nav: &httpx.Nav{Label: "nav.supervision", Order: 60}},
		{Pattern: "GET /supervision/cards", Handler: hf(h.cardsPage), Nav: &httpx.Nav{Label: "nav.supervision_cards", Order: 61}},
		{Pattern: "GET /supervision/cards.xlsx", Policy: read, Handler: hf(h.export)},
		{Pattern: "GET " + p + "/dashboard", Policy: read, Handler: hf(h.apiDashboard),
			Doc: &httpx.Doc{Summary: "Open cards by body and unit", Tags: tags, Response: []supervisedb.Row{},
				Description: "The maintained counts of open reminders, yellow and red cards in the caller's jurisdiction, per body (unit empty) and per unit."}},
		{Pattern: "GET " + p + "/cards", Handler: hf(h.apiCards),
			Doc: &httpx.Doc{Summary: "Cards", Tags: tags, Response: []supervisedb.Card{}, Params: cardParams,
				Description: "Open cards (all=true: cleared ones too) in the caller's jurisdiction, newest first, at most 500; a unit's staff see their own unit's only."}},
	}, slices.Concat(h.orderRoutes(), h.rectRoutes(), h.externalRoutes(), h.unitRoutes(), h.ruleRoutes(), h.whatIfRoutes(), h.trendRoutes(), h.calWhatIfRoutes())...), nil
}

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

func query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// filter reads the cards' filter from the query.
func filter(r *http.Request) supervisedb.Filter {
	q := r.URL.Query()
	all, _ := strconv.ParseBool(q.Get("all")) // anything else than a truth: open cards only
	return supervisedb.Filter{BodyPath: strings.TrimSpace(q.Get("body")), Unit: strings.TrimSpace(q.Get("unit")),
		Level: supervise.Level(strings.TrimSpace(q.Get("level"))), Case: strings.TrimSpace(q.Get("case")), All: all}
}

type dashboardPage struct {
	Rows                  []supervisedb.Row
	Reminder, Yellow, Red int64
}

func (h *handlers) dashboard(w http.ResponseWriter, r *http.Request) {
	rows, err := h.svc.Dashboard(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := dashboardPage{Rows: rows}
	for _, row := range rows {
		if row.Unit == "" {
			pg.Reminder, pg.Yellow, pg.Red = pg.Reminder+row.Reminder, pg.Yellow+row.Yellow, pg.Red+row.Red
		}
	}
	h.Render(w, r, http.StatusOK, "dashboard", pg, nil)
}

type cardsPage struct {
	Supervisor bool
	Filter     supervisedb.Filter
	Cards      []supervisedb.Card
	Export     string
}

func (h *handlers) cardsPage(w http.ResponseWriter, r *http.Request) {
	f := filter(r)
	cs, err := h.svc.Cards(r.Context(), principal(r), f)
	if err != nil {
		h.Render(w, r, http.StatusOK, "cards", cardsPage{Filter: f}, err)
		return
	}
	h.Render(w, r, http.StatusOK, "cards", cardsPage{Supervisor: principal(r).Has(access.RoleSupervisor), Filter: f, Cards: cardsFor(principal(r), cs), Export: strings.Replace(r.URL.RequestURI(), "/supervision/cards", "/supervision/cards.xlsx", 1)}, nil)
}

func (h *handlers) apiDashboard(w http.ResponseWriter, r *http.Request) {
	rows, err := h.svc.Dashboard(r.Context(), principal(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if rows == nil {
		rows = []supervisedb.Row{}
	}
	api.WriteJSON(w, r, http.StatusOK, rows)
}

func (h *handlers) apiCards(w http.ResponseWriter, r *http.Request) {
	cs, err := h.svc.Cards(r.Context(), principal(r), filter(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if cs == nil {
		cs = []supervisedb.Card{}
	}
	api.WriteJSON(w, r, http.StatusOK, cardsFor(principal(r), cs))
}

// export is the cards of the filter as an Excel workbook, in the
// language of the request.
func (h *handlers) export(w http.ResponseWriter, r *http.Request) {
	cs, err := h.svc.Cards(r.Context(), principal(r), filter(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	lang := httpx.LangFrom(r.Context())
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	head := []any{}
	for _, k := range []string{"col.level", "col.rule", "col.object", "col.case", "col.body", "col.unit", "col.person", "col.at", "col.raised", "col.cleared"} {
		head = append(head, messages.Text(lang, k))
	}
	if err := sw.SetRow("A1", head); err != nil {
		h.Fail(w, r, err)
		return
	}
	for i, c := range cs {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err == nil {
			err = sw.SetRow(cell, []any{messages.Text(lang, "level."+string(c.Level)), c.Name.In(lang), c.Object.String(), c.Case,
				c.BodyPath, c.Unit, c.Person.Name, when(c.At), when(c.RaisedAt), when(c.Cleared)})
		}
		if err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	if err := sw.Flush(); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="supervision-cards.xlsx"`)
	if err := f.Write(w); err != nil {
		httpx.LoggerFrom(r.Context()).Error("supervision export", "error", err)
	}
}

// cardsFor is cs as p may read them: for an external supervisor (S7) each
// card's detail masked of personal data (L7).
func cardsFor(p access.Principal, cs []supervisedb.Card) []supervisedb.Card {
	if !p.ReadOnly() {
		return cs
	}
	for i := range cs {
		cs[i].Detail = ident.MaskText(cs[i].Detail)
	}
	return cs
}
