package calendar

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// notICS is the error for a file that does not begin as iCalendar does.
func notICS(first string) error {
	return apperr.Invalidf("file", "calendar.not_icalendar", snippet([]byte(first)), formatHint)
}

// ParseICS reads holidays from an iCalendar file (RFC 5545), strictly.
//
// Each VEVENT is one holiday or make-up day, or a run of them: DTSTART and
// DTEND must be DATE values (VALUE=DATE or eight digits); DTEND is exclusive
// as the RFC says, and may be left out for a one-day event. A run is at most
// 62 days. RRULE/RDATE are refused: a holiday notice names its dates.
//
// A make-up working day (调休上班) is marked by any of:
//   - X-QINGDAN-WORKDAY:TRUE
//   - a CATEGORIES value WORKDAY, 班 or 补班
//   - 班 in the SUMMARY ("春节补班", "上班"), the common convention of Chinese
//     holiday feeds — no holiday name contains 班
//
// Anything else is an off day. SUMMARY is the name, required.
//
// Which year a day is filed under: X-QINGDAN-YEAR on the VCALENDAR files
// every event under that one year (as a holiday-cn file does). Without it,
// an event is filed under the year of its date, except that days in the last
// week of December go to the next year when that year is in the file and the
// December year has nothing else — that is how a notice's late-December
// make-up day looks in a feed, and filing it alone would make the calendar
// claim a year it knows nothing about.
//
// Errors name the line; on error nothing is returned.
func ParseICS(data []byte) ([]Year, error) {
	lines, err := unfold(data)
	if err != nil {
		return nil, err
	}
	type ev struct {
		line       int
		start, end Date
		hasStart   bool
		hasEnd     bool
		summary    string
		workday    bool
	}
	var (
		events   []ev
		cur      *ev
		inCal    bool
		ended    bool
		fileYear int
		depth    []string // open components, to reject stray nesting
	)
	for _, l := range lines {
		at := fmt.Sprintf("line %d", l.no)
		name, params, value, err := splitProp(l.text)
		if err != nil && !inCal {
			return nil, notICS(l.text)
		}
		if err != nil {
			return nil, apperr.Invalidf(at, "calendar.line_is_not_an_icalendar_property", l.no, snippet([]byte(l.text)))
		}
		if ended {
			return nil, apperr.Invalidf(at, "calendar.content_after_end_vcalendar")
		}
		switch name {
		case "BEGIN":
			v := strings.ToUpper(value)
			if !inCal {
				if v != "VCALENDAR" {
					return nil, apperr.Invalidf(at, "calendar.the_file_must_begin_with_begin", value)
				}
				inCal = true
				depth = append(depth, v)
				continue
			}
			if v == "VEVENT" {
				if cur != nil || len(depth) != 1 {
					return nil, apperr.Invalidf(at, "calendar.vevent_nested_in_the_wrong_place")
				}
				cur = &ev{line: l.no}
			} else if v == "VCALENDAR" {
				return nil, apperr.Invalidf(at, "calendar.vcalendar_cannot_nest")
			}
			depth = append(depth, v)
			continue
		case "END":
			v := strings.ToUpper(value)
			if len(depth) == 0 || depth[len(depth)-1] != v {
				return nil, apperr.Invalidf(at, "calendar.end_does_not_match_its_begin", value)
			}
			depth = depth[:len(depth)-1]
			if v == "VEVENT" {
				e := *cur
				cur = nil
				if !e.hasStart {
					return nil, apperr.Invalidf(fmt.Sprintf("line %d", e.line), "calendar.vevent_has_no_dtstart")
				}
				if e.summary == "" {
					return nil, apperr.Invalidf(fmt.Sprintf("line %d", e.line), "calendar.vevent_has_no_summary")
				}
				if !e.hasEnd {
					e.end = e.start + 1
				}
				if e.end <= e.start || e.end-e.start > 62 {
					return nil, apperr.Invalidf(fmt.Sprintf("line %d", e.line), "calendar.dtend_must_be_after_dtstart_and")
				}
				events = append(events, e)
			}
			if v == "VCALENDAR" {
				ended = true
			}
			continue
		}
		if !inCal {
			return nil, notICS(l.text)
		}
		if cur == nil {
			if name == "X-QINGDAN-YEAR" && len(depth) == 1 {
				y, ok := atoiN(value)
				if !ok || len(value) != 4 || y < MinYear || y > MaxYear {
					return nil, apperr.Invalidf(at, "calendar.x_qingdan_year_must_be_a", MinYear, MaxYear)
				}
				fileYear = y
			}
			continue // other calendar properties (PRODID, VERSION, VTIMEZONE …) do not matter
		}
		if len(depth) != 2 {
			continue // inside a VALARM or similar sub-component of the event
		}
		switch name {
		case "DTSTART", "DTEND":
			if v, ok := params["VALUE"]; ok && !strings.EqualFold(v, "DATE") {
				return nil, apperr.Invalidf(at, "calendar.must_be_a_date_value_date", name)
			}
			if len(value) != 8 {
				return nil, apperr.Invalidf(at, "calendar.line_must_be_an_all_day", l.no, name, snippet([]byte(value)))
			}
			d, err := ParseDate(at, value[0:4]+"-"+value[4:6]+"-"+value[6:8])
			if err != nil {
				return nil, err
			}
			if name == "DTSTART" {
				if cur.hasStart {
					return nil, apperr.Invalidf(at, "calendar.dtstart_repeated")
				}
				cur.start, cur.hasStart = d, true
			} else {
				if cur.hasEnd {
					return nil, apperr.Invalidf(at, "calendar.dtend_repeated")
				}
				cur.end, cur.hasEnd = d, true
			}
		case "DURATION":
			return nil, apperr.Invalidf(at, "calendar.use_dtend_not_duration")
		case "RRULE", "RDATE", "EXDATE":
			return nil, apperr.Invalidf(at, "calendar.recurrence_is_not_supported_list_the", name)
		case "SUMMARY":
			s := strings.TrimSpace(unescapeText(value))
			if s == "" {
				return nil, apperr.Invalidf(at, "calendar.summary_is_empty")
			}
			cur.summary = s
			if strings.Contains(s, "班") {
				cur.workday = true
			}
		case "CATEGORIES":
			for _, c := range strings.Split(value, ",") {
				c = strings.TrimSpace(unescapeText(c))
				if strings.EqualFold(c, "WORKDAY") || c == "班" || c == "补班" {
					cur.workday = true
				}
			}
		case "X-QINGDAN-WORKDAY":
			switch strings.ToUpper(value) {
			case "TRUE":
				cur.workday = true
			case "FALSE":
			default:
				return nil, apperr.Invalidf(at, "calendar.x_qingdan_workday_must_be_true")
			}
		}
	}
	if !ended {
		return nil, apperr.Invalidf(fmt.Sprintf("line %d", len(lines)+1), "calendar.missing_end_vcalendar")
	}
	if len(events) == 0 {
		return nil, apperr.Invalidf("VEVENT", "calendar.the_file_has_no_vevent")
	}

	// Expand runs into days, refusing a date given twice.
	type fd struct {
		day  Day
		line int
	}
	var days []fd
	seen := map[Date]int{}
	for _, e := range events {
		for d := e.start; d < e.end; d++ {
			if l, dup := seen[d]; dup {
				return nil, apperr.Invalidf(fmt.Sprintf("line %d", e.line), "calendar.date_already_given_at_line", d, l)
			}
			seen[d] = e.line
			days = append(days, fd{Day{Name: e.summary, Date: d, IsOffDay: !e.workday}, e.line})
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i].day.Date < days[j].day.Date })

	byYear := map[int][]fd{}
	if fileYear != 0 {
		byYear[fileYear] = days
	} else {
		for _, d := range days {
			byYear[d.day.Date.Year()] = append(byYear[d.day.Date.Year()], d)
		}
		for y, ds := range byYear {
			if _, next := byYear[y+1]; !next {
				continue
			}
			lateDec := true
			for _, d := range ds {
				_, m, dd := d.day.Date.Civil()
				if m != 12 || dd < 25 {
					lateDec = false
					break
				}
			}
			if lateDec {
				byYear[y+1] = append(ds, byYear[y+1]...)
				delete(byYear, y)
			}
		}
	}
	years := make([]Year, 0, len(byYear))
	for y, ds := range byYear {
		out := Year{Year: y}
		for _, d := range ds {
			out.Days = append(out.Days, d.day)
		}
		if err := out.Validate(); err != nil {
			// Name the event's line rather than an index the file never had.
			ae := apperr.As(err)
			for i := range ds {
				if strings.HasPrefix(ae.Field, fmt.Sprintf("days[%d].", i)) {
					ae = &apperr.Error{Code: apperr.Invalid, Field: fmt.Sprintf("line %d", ds[i].line), Key: ae.Key, Args: ae.Args}
					break
				}
			}
			return nil, ae
		}
		years = append(years, out)
	}
	sort.Slice(years, func(i, j int) bool { return years[i].Year < years[j].Year })
	return years, nil
}

type icsLine struct {
	no   int
	text string
}

// unfold joins RFC 5545 folded lines (CRLF or LF followed by a space or tab)
// and drops blank lines; no is the line where a logical line starts.
func unfold(data []byte) ([]icsLine, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8Valid(data) {
		return nil, apperr.Invalidf("file", "calendar.the_file_is_not_utf_8")
	}
	raw := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var out []icsLine
	for i, r := range raw {
		r = strings.TrimSuffix(r, "\r")
		if len(r) > 0 && (r[0] == ' ' || r[0] == '\t') {
			if len(out) == 0 {
				return nil, apperr.Invalidf(fmt.Sprintf("line %d", i+1), "calendar.continuation_line_with_nothing_before_it")
			}
			out[len(out)-1].text += r[1:]
			continue
		}
		if strings.TrimSpace(r) == "" {
			continue
		}
		out = append(out, icsLine{no: i + 1, text: r})
	}
	if len(out) == 0 {
		return nil, apperr.Invalidf("line 1", "calendar.the_file_is_empty")
	}
	return out, nil
}

// splitProp splits "NAME;P=V;Q=W:value", honouring quoted parameter values.
func splitProp(s string) (name string, params map[string]string, value string, err error) {
	colon := -1
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ':':
			if !inQuote {
				colon = i
			}
		}
		if colon >= 0 {
			break
		}
	}
	if colon < 0 {
		return "", nil, "", fmt.Errorf("no ':' in %q", truncate(s))
	}
	head, value := s[:colon], s[colon+1:]
	parts := strings.Split(head, ";")
	name = strings.ToUpper(strings.TrimSpace(parts[0]))
	if name == "" {
		return "", nil, "", fmt.Errorf("property without a name")
	}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return "", nil, "", fmt.Errorf("parameter %q without '='", truncate(p))
		}
		if params == nil {
			params = map[string]string{}
		}
		params[strings.ToUpper(k)] = strings.Trim(v, `"`)
	}
	return name, params, strings.TrimSpace(value), nil
}

func unescapeText(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\,`, `,`, `\;`, `;`, `\n`, " ", `\N`, " ")
	return r.Replace(s)
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
