package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestServe_L1_L10_calendarWhatIfPage_movesShownNothingWritten (issue #16
// item 9): on the demo, the supervisor proposes an open case's last day as a
// holiday through the page's form; the page lists the changed day and
// the open cases whose due dates move, and the database is as it was —
// on both engines. A mistaken line is named by its number.
func TestServe_L1_L10_calendarWhatIfPage_movesShownNothingWritten(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, srv := demoAppOn(t, engine, func(c *serveConfig) { c.demoCases = 100 })
			tok := bearer(t, a, "supervisor1")
			state := func() string {
				var out string
				for _, q := range []string{`SELECT COALESCE(MAX(seq), 0) FROM events`, `SELECT COUNT(*) FROM supervise_cards`,
					`SELECT COALESCE(SUM(version), 0) FROM cases`, `SELECT COALESCE(SUM(next_check_at), 0) FROM clocks`,
					`SELECT version FROM calendar_version`, `SELECT COUNT(*) FROM notify_outbox`} {
					out += fmt.Sprintf("%d ", count(t, a, q))
				}
				return out
			}
			before := state()
			status, body := send(t, srv, "GET", "/supervision/whatif/calendar", tok, "", "")
			if status != http.StatusOK || !strings.Contains(body, `id="calendar-form"`) {
				t.Fatalf("the form: %d %.300s", status, body)
			}
			// The latest due date of an open case (the demo's are mostly
			// past: overdue) made a holiday moves that case's due date.
			var last string
			if err := a.db.QueryRow(context.Background(), `SELECT MAX(due_on) FROM cases WHERE due_on <> ''`).Scan(&last); err != nil {
				t.Fatal(err)
			}
			day, err := time.Parse(time.DateOnly, last)
			if err != nil {
				t.Fatalf("the demo's latest due date %q: %v", last, err)
			}
			var page string
			for range 7 {
				if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
					status, page = send(t, srv, "GET", "/supervision/whatif/calendar?"+url.Values{"days": {day.Format(time.DateOnly) + " off 拟议假日"}}.Encode(), tok, "", "")
					if status != http.StatusOK {
						t.Fatalf("what-if: %d %.500s", status, page)
					}
					if strings.Contains(page, `id="deadlines"`) {
						break
					}
				}
				day = day.AddDate(0, 0, -1)
			}
			if !strings.Contains(page, `id="changed-days"`) || !strings.Contains(page, day.Format(time.DateOnly)) || !strings.Contains(page, `id="deadlines"`) {
				_, main, _ := strings.Cut(page, `<main id="main">`)
				t.Fatalf("a holiday on an open case's last day moved no deadline: %.3000s", main)
			}
			status, page = send(t, srv, "GET", "/supervision/whatif/calendar?"+url.Values{"days": {"2026-03-09 off 拟议假日\n2026-03-10 maybe"}}.Encode(), tok, "", "")
			if status != http.StatusUnprocessableEntity && status != http.StatusBadRequest || !strings.Contains(page, "第 2 行") {
				t.Fatalf("a mistaken second line: %d %.1500s", status, page)
			}
			if after := state(); after != before {
				t.Fatalf("the calendar what-if wrote: %s → %s", before, after)
			}
		})
	}
}
