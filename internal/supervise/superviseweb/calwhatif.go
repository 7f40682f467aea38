package superviseweb

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// calWhatIfRoutes are the what-if of a proposed calendar (issue #16 item
// 9): read-only, so a GET with its form in the query. Supervisors, leaders
// and administrators (the calendar's administrators among them) try.
func (h *handlers) calWhatIfRoutes() []httpx.Route {
	readers := []access.Role{access.RoleSupervisor, access.RoleAdmin, access.RoleLeader}
	return []httpx.Route{
		{Pattern: "GET /supervision/whatif/calendar", Policy: httpx.Policy{Roles: readers}, Handler: hf(h.calWhatIfPage)},
	}
}

type calWhatIfPage struct {
	File, Days string
	Load       string
	Result     *supervisedb.CalendarWhatIf
}

// dayLine is one line of the days field: a date, off or work, a name.
var dayLine = regexp.MustCompile(`^(\S+)\s+(\S+)(?:\s+(.+))?$`)

// parseDays reads the days field, one day a line: "2027-02-06 work 春节调休"
// (or 休/班). A mistake names its line.
func parseDays(text string) ([]calendar.Day, error) {
	var out []calendar.Day
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m := dayLine.FindStringSubmatch(line)
		if m == nil {
			return nil, atLine(i, apperr.Invalidf("days", "superviseweb.write_a_date_off_or_work"))
		}
		d, err := calendar.ParseDate("days", m[1])
		if err != nil {
			return nil, atLine(i, err)
		}
		var off bool
		switch strings.ToLower(m[2]) {
		case "off", "休":
			off = true
		case "work", "班":
		default:
			return nil, atLine(i, apperr.Invalidf("days", "superviseweb.write_a_date_off_or_work"))
		}
		out = append(out, calendar.Day{Date: d, IsOffDay: off, Name: strings.TrimSpace(m[3])})
	}
	return out, nil
}

// atLine words err as the mistake of line i (0-based) of the days field.
func atLine(i int, err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return err
	}
	place := &apperr.Error{Key: "superviseweb.calwhatif.day_line", Args: []any{i + 1}}
	return &apperr.Error{Code: e.Code, Field: "days", Key: "superviseweb.mistake_at_place", Args: []any{place, e}}
}

// daysIndex reads "days[3].name" as 3.
var daysIndex = regexp.MustCompile(`^days\[(\d+)\]`)

// onLines names the service's days[i] mistakes by the line they came from.
func onLines(err error, lines []int) error {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return err
	}
	if m := daysIndex.FindStringSubmatch(e.Field); m != nil {
		if i, aerr := strconv.Atoi(m[1]); aerr == nil && i < len(lines) {
			return atLine(lines[i], e)
		}
	}
	return located(err)
}

func (h *handlers) calWhatIfPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pg := calWhatIfPage{File: q.Get("file"), Days: q.Get("days"), Load: strings.TrimSpace(q.Get("load"))}
	if pg.Load != "" {
		// Start from a year as it stands: its notice (or statutory
		// holidays) in the file field, to edit.
		y, err := strconv.Atoi(pg.Load)
		if err != nil {
			h.Render(w, r, http.StatusOK, "calwhatif", pg, apperr.Invalidf("load", "superviseweb.calwhatif.year_is_not_a_year", pg.Load))
			return
		}
		yr, err := h.svc.YearInForce(r.Context(), principal(r), y)
		if err == nil {
			var b []byte
			if b, err = json.MarshalIndent(yr, "", "  "); err == nil {
				pg.File = string(b)
			} else {
				err = fmt.Errorf("superviseweb: year %d: %w", y, err)
			}
		}
		h.Render(w, r, http.StatusOK, "calwhatif", pg, err)
		return
	}
	if strings.TrimSpace(pg.File) == "" && strings.TrimSpace(pg.Days) == "" {
		h.Render(w, r, http.StatusOK, "calwhatif", pg, nil)
		return
	}
	days, err := parseDays(pg.Days)
	if err != nil {
		h.Render(w, r, http.StatusOK, "calwhatif", pg, err)
		return
	}
	// The line of each day, for the service's days[i] mistakes.
	var lines []int
	for i, l := range strings.Split(pg.Days, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, i)
		}
	}
	res, err := h.svc.WhatIfCalendar(r.Context(), principal(r), supervisedb.CalendarProposal{File: []byte(pg.File), Days: days})
	if err != nil {
		h.Render(w, r, http.StatusOK, "calwhatif", pg, onLines(err, lines))
		return
	}
	pg.Result = &res
	h.Render(w, r, http.StatusOK, "calwhatif", pg, nil)
}
