package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// TestServe_S4_trendsExportHoldsTheAPIsFigures (issue #16, dashboards:
// export to Excel): the trends workbook has a row per month with the
// API's figures, in the request's language, and a row per unit and month.
func TestServe_S4_trendsExportHoldsTheAPIsFigures(t *testing.T) {
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 300 })
	withSupervision(t, a, srv)
	tok := bearer(t, a, "supervisor1")
	status, body := call(t, srv, "GET", "/api/v1/supervision/trends?period=month&n=6", tok, "")
	var tr supervisedb.Trends
	if err := json.Unmarshal([]byte(body), &tr); err != nil || status != http.StatusOK {
		t.Fatalf("trends: %d %v %.300s", status, err, body)
	}
	status, body = send(t, srv, "GET", "/supervision/trends.xlsx?period=month&n=6", tok, "", "")
	if status != http.StatusOK {
		t.Fatalf("export: %d %.300s", status, body)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(tr.Periods)+1 || rows[0][0] != "月份" || rows[0][2] != "亮红牌" {
		t.Fatalf("the periods' sheet %v", rows)
	}
	var red int64
	for i, p := range tr.Periods {
		red += p.RedRaised
		if rows[i+1][0] != p.Label || rows[i+1][2] != strconv.FormatInt(p.RedRaised, 10) || rows[i+1][6] != strconv.FormatInt(p.RedOpen, 10) {
			t.Fatalf("month %s: %v, the API says %+v", p.Label, rows[i+1], p)
		}
	}
	if red == 0 {
		t.Fatal("the demo raised no red card in six months: nothing was compared")
	}
	units, err := f.GetRows(f.GetSheetName(1))
	if err != nil || len(units) != len(tr.Units)*len(tr.Periods)+1 {
		t.Fatalf("the units' sheet: %d rows for %d units (%v)", len(units), len(tr.Units), err)
	}
}
