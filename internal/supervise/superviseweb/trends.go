package superviseweb

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// assetFrame is a frame that knows the site's hashed static files
// (*web.Frame): the trends page loads ECharts and its own script from them.
type assetFrame interface {
	Asset(name string) (string, error)
}

// trendRoutes are the trends over weeks and months (issue #16,
// dashboards): a page whose charts are drawn over tables that work
// without JavaScript, and the same figures as JSON.
func (h *handlers) trendRoutes() []httpx.Route {
	read := httpx.Policy{Roles: overseers}
	return []httpx.Route{
		{Pattern: "GET /supervision/trends", Policy: read, Handler: hf(h.trendsPage)},
		{Pattern: "GET /supervision/trends.xlsx", Policy: read, Handler: hf(h.trendsExport)},
		{Pattern: "GET " + api.Prefix + "/supervision/trends", Policy: read, Handler: hf(h.apiTrends),
			Doc: &httpx.Doc{Summary: "Trends of cards, overdue cases and orders", Tags: tags, Response: supervisedb.Trends{},
				Params: []httpx.Param{
					{Name: "period", In: "query", Description: "week (default) or month", Type: "string"},
					{Name: "n", In: "query", Description: "how many periods up to now (default 12; at most 104 weeks or 36 months)", Type: "integer"},
					{Name: "body", In: "query", Description: "a body's path: its own cards only; within the caller's jurisdiction", Type: "string"},
					{Name: "unit", In: "query", Description: "a unit's code (with body)", Type: "string"},
				},
				Description: "Per week or month up to now: yellow and red cards raised (at their rules' instants) and cleared, the cards open at each period's end, cases gone overdue, supervision orders issued and closed; and per body and unit the cards raised. Read from the cards' history and the maintained counts."}},
	}
}

// trendQuery reads the query; a number that is not one is the field's
// error, as the service's own checks are.
func trendQuery(r *http.Request) (supervisedb.TrendQuery, error) {
	q := r.URL.Query()
	tq := supervisedb.TrendQuery{Period: strings.TrimSpace(q.Get("period")), BodyPath: strings.TrimSpace(q.Get("body")), Unit: strings.TrimSpace(q.Get("unit"))}
	if s := strings.TrimSpace(q.Get("n")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return tq, apperr.Invalidf("n", "superviseweb.the_number_of_periods_is_not", s)
		}
		tq.N = n
	}
	return tq, nil
}

type trendsPage struct {
	Query   supervisedb.TrendQuery
	Trends  *supervisedb.Trends
	Scripts []string
}

// Series are the rows of one chart's table: its words' key, the figure of
// each period, how it is drawn.
type Series struct {
	Key   string
	Kind  string // bar or line
	Color string
	N     []int64
}

// Charts are the page's three charts, each a table.
func (p trendsPage) Charts() [][]Series {
	if p.Trends == nil {
		return nil
	}
	ps := p.Trends.Periods
	col := func(f func(supervisedb.TrendPeriod) int64) []int64 {
		out := make([]int64, len(ps))
		for i, x := range ps {
			out[i] = f(x)
		}
		return out
	}
	return [][]Series{
		{
			{"trends.yellow_raised", "bar", "#d4a000", col(func(x supervisedb.TrendPeriod) int64 { return x.YellowRaised })},
			{"trends.red_raised", "bar", "#c0392b", col(func(x supervisedb.TrendPeriod) int64 { return x.RedRaised })},
			{"trends.yellow_cleared", "bar", "#8fbf6a", col(func(x supervisedb.TrendPeriod) int64 { return x.YellowCleared })},
			{"trends.red_cleared", "bar", "#3c8d5a", col(func(x supervisedb.TrendPeriod) int64 { return x.RedCleared })},
		},
		{
			{"trends.yellow_open", "line", "#d4a000", col(func(x supervisedb.TrendPeriod) int64 { return x.YellowOpen })},
			{"trends.red_open", "line", "#c0392b", col(func(x supervisedb.TrendPeriod) int64 { return x.RedOpen })},
		},
		{
			{"trends.overdue", "bar", "#8e44ad", col(func(x supervisedb.TrendPeriod) int64 { return x.Overdue })},
			{"trends.orders_issued", "bar", "#2c6fbb", col(func(x supervisedb.TrendPeriod) int64 { return x.OrdersIssued })},
			{"trends.orders_closed", "bar", "#7f8c8d", col(func(x supervisedb.TrendPeriod) int64 { return x.OrdersClosed })},
		},
	}
}

func (h *handlers) trendsPage(w http.ResponseWriter, r *http.Request) {
	tq, err := trendQuery(r)
	pg := trendsPage{Query: tq}
	if err == nil {
		var tr supervisedb.Trends
		tr, err = h.svc.Trends(r.Context(), principal(r), tq)
		if err == nil {
			pg.Trends, pg.Query = &tr, tr.Query
		}
	}
	if af, ok := h.Frame.(assetFrame); ok && pg.Trends != nil {
		for _, name := range []string{"vendor/echarts.min.js", "trends.js"} {
			u, aerr := af.Asset(name)
			if aerr != nil {
				h.Fail(w, r, fmt.Errorf("superviseweb: trends: %w", aerr))
				return
			}
			pg.Scripts = append(pg.Scripts, u)
		}
	}
	h.Render(w, r, http.StatusOK, "trends", pg, err)
}

func (h *handlers) apiTrends(w http.ResponseWriter, r *http.Request) {
	tq, err := trendQuery(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	tr, err := h.svc.Trends(r.Context(), principal(r), tq)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, tr)
}

// trendsExport is the page's figures as an Excel workbook in the
// request's language: a sheet of the periods (one row each, the charts'
// series across) and a sheet per body and unit.
func (h *handlers) trendsExport(w http.ResponseWriter, r *http.Request) {
	tq, err := trendQuery(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	tr, err := h.svc.Trends(r.Context(), principal(r), tq)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	lang := httpx.LangFrom(r.Context())
	f := excelize.NewFile()
	defer f.Close()
	periods := f.GetSheetName(0)
	units := messages.Text(lang, "trends.by_unit")
	if _, err := f.NewSheet(units); err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := trendsPage{Trends: &tr}
	head := []any{messages.Text(lang, "trends.week_from")}
	if tr.Query.Period == supervisedb.Month {
		head[0] = messages.Text(lang, "trends.month")
	}
	var series []Series
	for _, chart := range pg.Charts() {
		for _, s := range chart {
			head = append(head, messages.Text(lang, s.Key))
			series = append(series, s)
		}
	}
	rows := [][]any{head}
	for i, p := range tr.Periods {
		row := []any{p.Label}
		for _, s := range series {
			row = append(row, s.N[i])
		}
		rows = append(rows, row)
	}
	if err := setRows(f, periods, rows); err != nil {
		h.Fail(w, r, err)
		return
	}
	rows = [][]any{{messages.Text(lang, "col.body"), messages.Text(lang, "col.unit"), head[0],
		messages.Text(lang, "level.yellow"), messages.Text(lang, "level.red"), messages.Text(lang, "trends.overdue")}}
	for _, u := range tr.Units {
		for i, p := range tr.Periods {
			rows = append(rows, []any{u.BodyName, u.UnitName + " " + u.Unit, p.Label, u.Yellow[i], u.Red[i], u.Overdue[i]})
		}
	}
	if err := setRows(f, units, rows); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="supervision-trends.xlsx"`)
	if err := f.Write(w); err != nil {
		httpx.LoggerFrom(r.Context()).Error("supervision trends export", "error", err)
	}
}

// setRows writes rows to sheet from A1, streamed.
func setRows(f *excelize.File, sheet string, rows [][]any) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}
