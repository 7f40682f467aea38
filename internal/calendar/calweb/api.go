// Package calweb is the HTTP side of the stored calendar (issue #3): the
// JSON API under /api/v1/calendar and the administrators' pages under
// /admin/calendar, as httpx.Routes with their policies. The binary passes
// Routes(…) to web.Deps.Routes; the web server's guard enforces the
// policies (roles, write, jurisdiction scope) before a handler runs, and the
// caldb service checks them again, so neither depends on the other's care.
package calweb

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Options configure the routes.
type Options struct {
	// CSRFToken returns the token the pages' forms carry (web.CSRF.Token,
	// i.e. *auth.CSRF's Token). Required.
	CSRFToken func(r *http.Request) string
	// Now is the clock for the missing-year banner; nil means time.Now.
	Now func() time.Time
	// Frame, when set (web.Frame), puts the pages inside the site layout;
	// nil renders them in calweb's own plain frame.
	Frame interface {
		Page(w http.ResponseWriter, r *http.Request, status int, title string, content template.HTML)
	}
}

type handlers struct {
	svc  *caldb.Service
	opts Options
	tmpl *templates
}

// Routes returns the calendar's API routes and admin pages.
func Routes(svc *caldb.Service, opts Options) ([]httpx.Route, error) {
	if opts.CSRFToken == nil {
		return nil, errMissingCSRF
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	h := &handlers{svc: svc, opts: opts, tmpl: t}
	routes := append(h.apiRoutes(), h.pageRoutes()...)
	return append(routes, h.entryRoutes()...), nil
}

var errMissingCSRF = apperr.New(apperr.Internal, "", "calweb.calweb_options_csrftoken_is_required")

var (
	admin    = []access.Role{access.RoleAdmin}
	tags     = []string{"calendar"}
	yearPath = httpx.Param{Name: "year", In: "path", Description: "calendar year, e.g. 2027", Type: "integer"}
	bodyPath = httpx.Param{Name: "id", In: "path", Description: "body id", Type: "integer"}
	bodyQ    = httpx.Param{Name: "body", In: "query", Description: "body id whose calendar to use (its time zone, regional days and business hours); omitted: the national calendar with the default business hours", Type: "integer"}
)

// scopeBody is the jurisdiction scope of routes addressing /…/bodies/{id}.
func (h *handlers) scopeBody(r *http.Request) (string, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return "", apperr.NotFoundf("calweb.no_such_body")
	}
	return h.svc.BodyPath(r.Context(), id)
}

// scopeNational is the jurisdiction of routes changing the national
// calendar (years, single days): it covers every body, so only the
// administrator of the root body has it. The guard puts the principal in
// the request's context before it asks a route's scope, so the refusal can
// say who may make the change instead of a bare "outside your jurisdiction".
func (h *handlers) scopeNational(r *http.Request) (string, error) {
	return h.svc.NationalScope(r.Context(), httpx.PrincipalFrom(r.Context()))
}

func (h *handlers) apiRoutes() []httpx.Route {
	p := api.Prefix + "/calendar"
	return []httpx.Route{
		{Pattern: "GET " + p + "/years", Handler: http.HandlerFunc(h.apiYears),
			Doc: &httpx.Doc{Summary: "Years with holiday data", Tags: tags, Response: []caldb.YearInfo{},
				Description: "Every year the calendar knows, with its source (embedded, upload, edit) and counts of holidays and make-up working days; years without a notice up to 10 years past the last one are listed with source provisional (counted on their statutory holidays, L9)."}},
		{Pattern: "GET " + p + "/years/{year}", Handler: http.HandlerFunc(h.apiYear),
			Doc: &httpx.Doc{Summary: "One year's holidays and make-up working days", Tags: tags, Params: []httpx.Param{yearPath},
				Response: CalendarYearDetail{}, Description: "A year without a notice is answered with its statutory holidays (info.source provisional, L9); 404 (field year) when the calendar cannot answer for the year at all."}},
		{Pattern: "POST " + p + "/years", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeNational}, Handler: http.HandlerFunc(h.apiImport),
			MaxBody: maxImportJSON, Import: true,
			Doc: &httpx.Doc{Summary: "Import a year file (holiday-cn JSON or iCalendar)", Tags: tags, Request: CalendarImportRequest{},
				Response: CalendarImportAnswer{}, Status: http.StatusCreated,
				Description: "content is the file's text; file_name ending in .ics selects iCalendar. A bad file is a 400 naming the line or field, and nothing is stored. Only the administrator of the top-level body (whose jurisdiction covers every body) may change the national calendar; others get 403. Audited."}},
		{Pattern: "GET " + p + "/days/{date}", Handler: http.HandlerFunc(h.apiDay),
			Doc: &httpx.Doc{Summary: "One day of the national calendar", Tags: tags, Response: caldb.DayInfo{}, Versioned: true,
				Params:      []httpx.Param{{Name: "date", In: "path", Description: "YYYY-MM-DD"}},
				Description: "Whether it is a working day and the notice naming it; its ETag is the base of PUT. 404 (field year) when the calendar cannot answer for the year (L9)."}},
		{Pattern: "PUT " + p + "/days/{date}", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeNational}, Handler: http.HandlerFunc(h.apiSetDay),
			Doc: &httpx.Doc{Summary: "Edit one day of the national calendar", Tags: tags, Request: CalendarSetDayRequest{}, Response: caldb.YearInfo{}, Versioned: true,
				Params:      []httpx.Param{{Name: "date", In: "path", Description: "YYYY-MM-DD"}},
				Description: "off true: a holiday; false: a working day. Setting a day to what its weekday already is removes it from the notice. The year must have data. Only the administrator of the top-level body may change the national calendar (403 otherwise); a body's own days are its regional days. If-Match is the day's ETag (GET of the day); a stale one answers 409 with the day as it is now. Audited."}},
		{Pattern: "GET " + p + "/missing", Policy: httpx.Policy{Roles: admin}, Handler: http.HandlerFunc(h.apiMissing),
			Doc: &httpx.Doc{Summary: "Years whose holiday data is missing (L9)", Tags: tags, Response: CalendarMissingAnswer{},
				Description: "The current year when absent, and from 1 November next year when absent."}},
		{Pattern: "GET " + p + "/due", Handler: http.HandlerFunc(h.apiDue),
			Doc: &httpx.Doc{Summary: "Due date of a time limit (L1, L11)", Tags: tags, Response: CalendarDueAnswer{},
				Params: []httpx.Param{bodyQ,
					{Name: "from", In: "query", Required: true, Description: "start: YYYY-MM-DD or YYYY-MM-DDTHH:MM in the body's zone (the start day is not counted)"},
					{Name: "n", In: "query", Required: true, Type: "integer", Description: "the limit"},
					{Name: "unit", In: "query", Description: "working_days (default), natural_days, hours (on the clock, L11), working_hours (inside the body's business hours on working days)"}},
				Description: "working_hours counts only the business hours of the body (its own, else its nearest ancestor's, else 09:00-12:00,13:30-17:30); the answer names them in business_hours. provisional is true when a day counted lies in a year without a notice, counted on its statutory holidays (L9; provisional_years names them): the State Council's notice may move the date. 404 (field year) when the answer depends on a year the calendar cannot answer for."}},
		{Pattern: "GET " + p + "/is-workday", Handler: http.HandlerFunc(h.apiIsWorkday),
			Doc: &httpx.Doc{Summary: "Whether a date is a working day", Tags: tags, Response: CalendarWorkdayAnswer{},
				Description: "provisional is true when the date's year has no notice and is counted on its statutory holidays (L9).",
				Params:      []httpx.Param{bodyQ, {Name: "date", In: "query", Required: true, Description: "YYYY-MM-DD"}}}},
		{Pattern: "GET " + p + "/bodies/{id}/regional", Policy: httpx.Policy{Scope: h.scopeBody}, Handler: http.HandlerFunc(h.apiRegional),
			Doc: &httpx.Doc{Summary: "Regional days applying to a body (its own and its ancestors')", Tags: tags,
				Params: []httpx.Param{bodyPath}, Response: []CalendarRegionalDay{}}},
		{Pattern: "POST " + p + "/bodies/{id}/regional", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeBody},
			Handler: http.HandlerFunc(h.apiAddRegional),
			Doc: &httpx.Doc{Summary: "Add a regional holiday or working day for a body's subtree", Tags: tags, Params: []httpx.Param{bodyPath},
				Request: CalendarRegionalRequest{}, Response: CalendarRegionalDay{}, Status: http.StatusCreated, Description: "Audited."}},
		{Pattern: "DELETE " + p + "/bodies/{id}/regional/{date}", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeBody},
			Handler: http.HandlerFunc(h.apiRemoveRegional),
			Doc: &httpx.Doc{Summary: "Remove a body's own regional day", Tags: tags, Status: http.StatusNoContent, Versioned: true,
				Description: "With If-Match (the day's version in the list) a day changed since is not removed (409 with the day as it is now). Audited.",
				Params:      []httpx.Param{bodyPath, {Name: "date", In: "path", Description: "YYYY-MM-DD"}}}},
		{Pattern: "GET " + p + "/bodies/{id}/business-hours", Policy: httpx.Policy{Scope: h.scopeBody}, Handler: http.HandlerFunc(h.apiHours),
			Doc: &httpx.Doc{Summary: "Business hours in effect for a body (limits in working hours, L11)", Tags: tags,
				Params: []httpx.Param{bodyPath}, Response: caldb.BodyHours{}, Versioned: true,
				Description: "The body's own hours, else its nearest ancestor's (from_body_id), else the default (default true)."}},
		{Pattern: "PUT " + p + "/bodies/{id}/business-hours", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeBody},
			Handler: http.HandlerFunc(h.apiSetHours),
			Doc: &httpx.Doc{Summary: "Set or clear a body's own business hours", Tags: tags, Params: []httpx.Param{bodyPath},
				Request: CalendarHoursRequest{}, Response: caldb.BodyHours{}, Versioned: true,
				Description: "hours is \"HH:MM-HH:MM[,HH:MM-HH:MM…]\", ascending and not overlapping; they apply to the body and every body below that sets none. An empty hours removes the body's own setting, so it inherits again. A bad value is a 400 naming the field business_hours, and nothing is stored. Audited."}},
	}
}

// CalendarHoursRequest sets a body's own business hours ("" clears them).
type CalendarHoursRequest struct {
	Hours string `json:"hours"`
}

// CalendarDay is one listed date of a year.
type CalendarDay struct {
	Date     string `json:"date"` // YYYY-MM-DD
	Name     string `json:"name"`
	IsOffDay bool   `json:"is_off_day"`
}

// CalendarYearDetail is a year with its days.
type CalendarYearDetail struct {
	Info caldb.YearInfo `json:"info"`
	Days []CalendarDay  `json:"days"`
}

// CalendarImportRequest uploads a year file.
type CalendarImportRequest struct {
	FileName string `json:"file_name"` // "2027.json" or "2027.ics"
	Content  string `json:"content"`
}

// CalendarImportAnswer lists the years stored.
type CalendarImportAnswer struct {
	Years []caldb.YearInfo `json:"years"`
}

// CalendarSetDayRequest edits one day.
type CalendarSetDayRequest struct {
	Off  bool   `json:"off"`
	Name string `json:"name,omitempty"`
}

// CalendarMissingAnswer lists missing years.
type CalendarMissingAnswer struct {
	Years []int `json:"years"`
}

// CalendarDueAnswer is a computed due date.
type CalendarDueAnswer struct {
	BodyID int64  `json:"body_id,omitempty"`
	From   string `json:"from"`
	N      int    `json:"n"`
	Unit   string `json:"unit"`
	// DueDate is the last day of the limit (YYYY-MM-DD); for hour units the
	// date of Due.
	DueDate string `json:"due_date"`
	// Due is the instant it falls due, RFC 3339 in the body's zone.
	Due string `json:"due"`
	// BusinessHours are the hours counted, for unit working_hours.
	BusinessHours string `json:"business_hours,omitempty"`
	// Provisional is true when a day counted lies in a year without a
	// notice (L9), ProvisionalYears those years.
	Provisional      bool  `json:"provisional"`
	ProvisionalYears []int `json:"provisional_years,omitempty"`
}

// CalendarWorkdayAnswer says whether a date is a working day.
type CalendarWorkdayAnswer struct {
	BodyID  int64  `json:"body_id,omitempty"`
	Date    string `json:"date"`
	Working bool   `json:"working"`
	// Provisional is true when the date's year has no notice (L9).
	Provisional bool `json:"provisional"`
}

// CalendarRegionalDay is a region's own day.
type CalendarRegionalDay struct {
	ID        int64  `json:"id"`
	BodyID    int64  `json:"body_id"`
	Date      string `json:"date"`
	Name      string `json:"name"`
	IsOffDay  bool   `json:"is_off_day"`
	CreatedBy string `json:"created_by"`
	Version   int64  `json:"version"` // If-Match of its DELETE
}

// CalendarRegionalRequest adds a regional day.
type CalendarRegionalRequest struct {
	Date string `json:"date"`
	Name string `json:"name"`
	Off  bool   `json:"off"`
}

func regionalOf(d caldb.RegionalDay) CalendarRegionalDay {
	return CalendarRegionalDay{ID: d.ID, BodyID: d.BodyID, Date: d.Date.String(), Name: d.Name, IsOffDay: d.IsOffDay, CreatedBy: d.CreatedBy, Version: d.Version}
}

func (h *handlers) apiYears(w http.ResponseWriter, r *http.Request) {
	ys, err := h.svc.Years(r.Context())
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if ys == nil {
		ys = []caldb.YearInfo{}
	}
	api.WriteJSON(w, r, http.StatusOK, ys)
}

func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < calendar.MinYear || y > calendar.MaxYear {
		return 0, apperr.Invalidf("year", "calweb.invalid_year", s)
	}
	return y, nil
}

func (h *handlers) apiYear(w http.ResponseWriter, r *http.Request) {
	y, err := parseYear(r.PathValue("year"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	detail, err := h.yearDetail(r, y)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, detail)
}

func (h *handlers) yearDetail(r *http.Request, y int) (CalendarYearDetail, error) {
	data, info, err := h.svc.Year(r.Context(), y)
	if err != nil {
		return CalendarYearDetail{}, err
	}
	return detailOf(data, info), nil
}

func detailOf(data calendar.Year, info caldb.YearInfo) CalendarYearDetail {
	out := CalendarYearDetail{Info: info, Days: make([]CalendarDay, 0, len(data.Days))}
	for _, d := range data.Days {
		out.Days = append(out.Days, CalendarDay{Date: d.Date.String(), Name: d.Name, IsOffDay: d.IsOffDay})
	}
	return out
}

// maxImportJSON bounds an import's JSON: escaping can double a file's size.
const maxImportJSON = 2*caldb.MaxUpload + 4096

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request) {
	var req CalendarImportRequest
	if err := api.DecodeLimit(w, r, &req, maxImportJSON); err != nil {
		api.WriteError(w, r, err)
		return
	}
	if req.FileName == "" {
		api.WriteError(w, r, apperr.Invalidf("file_name", "calweb.give_the_file_name_json_or"))
		return
	}
	ys, err := h.svc.ImportYear(r.Context(), httpx.PrincipalFrom(r.Context()), []byte(req.Content), req.FileName)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusCreated, CalendarImportAnswer{Years: ys})
}

func (h *handlers) apiSetDay(w http.ResponseWriter, r *http.Request) {
	d, err := calendar.ParseDate("date", r.PathValue("date"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var req CalendarSetDayRequest
	if err := api.Decode(w, r, &req); err != nil {
		api.WriteError(w, r, err)
		return
	}
	version, err := api.IfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	info, err := h.svc.SetDay(r.Context(), httpx.PrincipalFrom(r.Context()), d, version, req.Off, req.Name)
	if err != nil {
		if apperr.IsStale(err) {
			// The answer carries the day as it is now.
			if day, derr := h.svc.Day(r.Context(), d); derr == nil {
				api.WriteStale(w, r, err, day, day.Version)
				return
			}
		}
		api.WriteError(w, r, err)
		return
	}
	// The answer is the year edited; its ETag is the day's new version.
	day, err := h.svc.Day(r.Context(), d)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, info, day.Version)
}

func (h *handlers) apiDay(w http.ResponseWriter, r *http.Request) {
	d, err := calendar.ParseDate("date", r.PathValue("date"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	day, err := h.svc.Day(r.Context(), d)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, day, day.Version)
}

func (h *handlers) apiMissing(w http.ResponseWriter, r *http.Request) {
	ys, err := h.svc.MissingYears(r.Context(), h.opts.Now())
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if ys == nil {
		ys = []int{}
	}
	api.WriteJSON(w, r, http.StatusOK, CalendarMissingAnswer{Years: ys})
}

// bodyParam reads the optional ?body= (0: national).
func bodyParam(r *http.Request) (int64, error) {
	s := r.URL.Query().Get("body")
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf("body", "calweb.invalid_body_id", s)
	}
	return id, nil
}

func (h *handlers) apiDue(w http.ResponseWriter, r *http.Request) {
	ans, err := h.due(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, ans)
}

// maxLimit keeps hour limits far from time.Duration overflow (as the CLI).
const maxLimit = 1000000

func (h *handlers) due(r *http.Request) (CalendarDueAnswer, error) {
	q := r.URL.Query()
	body, err := bodyParam(r)
	if err != nil {
		return CalendarDueAnswer{}, err
	}
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n < 0 || n > maxLimit {
		return CalendarDueAnswer{}, apperr.Invalidf("n", "calweb.the_limit_must_be_a_whole", maxLimit)
	}
	unit := calendar.Unit(q.Get("unit"))
	if unit == "" {
		unit = calendar.WorkingDays
	}
	cal, err := h.svc.Calendar(r.Context(), body)
	if err != nil {
		return CalendarDueAnswer{}, err
	}
	from, err := parseFrom(q.Get("from"), cal.Location())
	if err != nil {
		return CalendarDueAnswer{}, err
	}
	var due time.Time
	switch unit {
	case calendar.WorkingDays:
		due, err = cal.DueWorkingDays(from, n)
	case calendar.NaturalDays:
		due, err = cal.DueNaturalDays(from, n)
	case calendar.Hours:
		due = cal.DueHours(from, time.Duration(n)*time.Hour)
	case calendar.WorkingHours:
		due, err = cal.AddWorkingHours(from, time.Duration(n)*time.Hour)
	default:
		return CalendarDueAnswer{}, apperr.Invalidf("unit", "calweb.invalid_unit", string(unit))
	}
	if err != nil {
		return CalendarDueAnswer{}, err
	}
	dueDate := cal.DueDate(due)
	if unit == calendar.Hours || unit == calendar.WorkingHours {
		dueDate = cal.Date(due)
	}
	ans := CalendarDueAnswer{BodyID: body, From: q.Get("from"), N: n, Unit: string(unit),
		DueDate: dueDate.String(), Due: due.In(cal.Location()).Format(time.RFC3339)}
	if unit == calendar.WorkingHours {
		// The body's calendar carries its effective hours (caldb).
		ans.BusinessHours = cal.BusinessHours().String()
	}
	if unit != calendar.Hours { // hours on the clock look at no day
		ans.ProvisionalYears = cal.ProvisionalYearsBetween(cal.Date(from), dueDate)
		ans.Provisional = len(ans.ProvisionalYears) > 0
	}
	return ans, nil
}

// parseFrom reads a date (00:00 that day) or a local date and time.
func parseFrom(s string, loc *time.Location) (time.Time, error) {
	if len(s) == len("2006-01-02") {
		d, err := calendar.ParseDate("from", s)
		if err != nil {
			return time.Time{}, err
		}
		return d.Start(loc), nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
	if err != nil {
		return time.Time{}, apperr.Invalidf("from", "calweb.invalid_start_want_yyyy_mm_dd", s)
	}
	return t, nil
}

func (h *handlers) apiIsWorkday(w http.ResponseWriter, r *http.Request) {
	body, err := bodyParam(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	d, err := calendar.ParseDate("date", r.URL.Query().Get("date"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	cal, err := h.svc.Calendar(r.Context(), body)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	ok, err := cal.IsWorkingDay(d)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, CalendarWorkdayAnswer{BodyID: body, Date: d.String(), Working: ok, Provisional: cal.IsProvisional(d.Year())})
}

func pathBody(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("calweb.no_such_body")
	}
	return id, nil
}

func (h *handlers) apiRegional(w http.ResponseWriter, r *http.Request) {
	id, err := pathBody(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	days, err := h.svc.RegionalHolidays(r.Context(), httpx.PrincipalFrom(r.Context()), id)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	out := make([]CalendarRegionalDay, 0, len(days))
	for _, d := range days {
		out = append(out, regionalOf(d))
	}
	api.WriteJSON(w, r, http.StatusOK, out)
}

func (h *handlers) apiAddRegional(w http.ResponseWriter, r *http.Request) {
	id, err := pathBody(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var req CalendarRegionalRequest
	if err := api.Decode(w, r, &req); err != nil {
		api.WriteError(w, r, err)
		return
	}
	d, err := calendar.ParseDate("date", req.Date)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	day, err := h.svc.AddRegionalHoliday(r.Context(), httpx.PrincipalFrom(r.Context()), id, d, req.Name, req.Off)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusCreated, regionalOf(day))
}

func (h *handlers) apiRemoveRegional(w http.ResponseWriter, r *http.Request) {
	id, err := pathBody(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	d, err := calendar.ParseDate("date", r.PathValue("date"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	if err := h.svc.RemoveRegionalHoliday(r.Context(), p, id, d, version); err != nil {
		if apperr.IsStale(err) {
			if cur, cerr := h.svc.OwnRegionalDay(r.Context(), p, id, d); cerr == nil {
				api.WriteStale(w, r, err, regionalOf(cur), cur.Version)
				return
			}
		}
		api.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handlers) apiHours(w http.ResponseWriter, r *http.Request) {
	id, err := pathBody(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	bh, err := h.svc.BusinessHours(r.Context(), id)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, bh, bh.Version)
}

func hoursVersion(bh caldb.BodyHours) int64 { return bh.Version }

func (h *handlers) apiSetHours(w http.ResponseWriter, r *http.Request) {
	id, err := pathBody(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var req CalendarHoursRequest
	if err := api.Decode(w, r, &req); err != nil {
		api.WriteError(w, r, err)
		return
	}
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	bh, err := h.svc.SetBusinessHours(r.Context(), httpx.PrincipalFrom(r.Context()), id, version, req.Hours)
	api.Edited(w, r, http.StatusOK, bh, err, hoursVersion, func() (caldb.BodyHours, error) { return h.svc.BusinessHours(r.Context(), id) })
}
