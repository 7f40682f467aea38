package calweb

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

type templates struct {
	pages map[string]*template.Template
}

// pageNames are the templates; each defines "content" and uses "frame".
var pageNames = []string{"calendar", "year", "body", "error", "entry"}

func parseTemplates() (*templates, error) {
	t := &templates{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		p, err := template.ParseFS(templateFS, "templates/frame.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("calweb: templates: %w", err)
		}
		t.pages[name] = p
	}
	return t, nil
}

// view is what every page template receives.
type view struct {
	Lang      string
	Principal access.Principal
	Path      string
	CSRFField string
	CSRFToken string
	RequestID string
	Notices   []notice
	Done      string // message key of a finished action
	Error     *api.Error
	Data      any
}

// notice is a banner in the page's language, with the link to act on it.
type notice struct{ Text, Link, Action string }

// T returns a message in the page's language.
func (v view) T(key string, args ...any) string { return messages.Text(v.Lang, key, args...) }

// Source names a year's source.
func (v view) Source(s string) string { return v.T("source." + s) }

// OtherLang is the language the switch link offers.
func (v view) OtherLang() string {
	if v.Lang == httpx.LangEn {
		return httpx.LangZh
	}
	return httpx.LangEn
}

// HTMLLang is the page's lang attribute.
func (v view) HTMLLang() string {
	if v.Lang == httpx.LangEn {
		return "en"
	}
	return "zh-Hans"
}

// FieldBad reports whether the page's error concerns field f.
func (v view) FieldBad(f string) bool {
	if v.Error == nil {
		return false
	}
	if v.Error.Field == f {
		return true
	}
	for _, e := range v.Error.Errors {
		if e.Field == f {
			return true
		}
	}
	return false
}

// MonthName names a month in the page's language.
func (v view) MonthName(m time.Month) string {
	if v.Lang == httpx.LangEn {
		return m.String()
	}
	return strconv.Itoa(int(m)) + " 月"
}

// RowBad reports whether the page's error concerns field f of row i of the
// entry form.
func (v view) RowBad(i int, f string) bool { return v.FieldBad(calendar.RangeField(i, f)) }

func (h *handlers) view(r *http.Request, data any) view {
	lang := httpx.LangFrom(r.Context())
	v := view{Lang: lang, Principal: httpx.PrincipalFrom(r.Context()), Path: r.URL.RequestURI(),
		CSRFField: auth.CSRFField, CSRFToken: h.opts.CSRFToken(r), RequestID: httpx.RequestIDFrom(r.Context()), Data: data}
	if k := r.URL.Query().Get("done"); k != "" {
		if messages.Has("done." + k) {
			v.Done = "done." + k
		}
	}
	if h.opts.Frame != nil {
		return v // the site layout shows the same notices (web.Deps.Notices)
	}
	ns, err := h.svc.Notices(r.Context(), v.Principal, h.opts.Now())
	if err != nil {
		// The banner is an aid; the page itself still answers.
		httpx.LoggerFrom(r.Context()).Error("calendar notices", "error", err)
	}
	for _, n := range ns {
		v.Notices = append(v.Notices, notice{Text: n.Message(lang), Link: n.Link, Action: n.Action(lang)})
	}
	return v
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	var buf bytes.Buffer
	name := "frame"
	if h.opts.Frame != nil {
		name = "body" // the site layout wraps it
	}
	if err := h.tmpl.pages[page].ExecuteTemplate(&buf, name, v); err != nil {
		httpx.LoggerFrom(r.Context()).Error("render calendar page", "page", page, "error", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		// A failed write means the client went away.
		_, _ = fmt.Fprintf(w, "%s\n%s: %s\n", messages.Text(v.Lang, "error.title"), messages.Text(v.Lang, "error.request_id"), v.RequestID)
		return
	}
	if h.opts.Frame != nil {
		h.opts.Frame.Page(w, r, status, messages.Text(v.Lang, "title"), template.HTML(buf.String())) // executed by html/template: safe
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	// A failed write means the client went away.
	_, _ = w.Write(buf.Bytes())
}

// renderForm renders a page with data and, when a form was refused, the
// refusal (formErr) shown on it with its status; an error that is the
// server's shows the error page instead.
func (h *handlers) renderForm(w http.ResponseWriter, r *http.Request, status int, page string, data any, formErr error) {
	v := h.view(r, data)
	if formErr != nil {
		var body api.Error
		status, body = api.Describe(r, formErr)
		if status >= http.StatusInternalServerError {
			h.fail(w, r, formErr)
			return
		}
		v.Error = &body
	}
	h.render(w, r, status, page, v)
}

// fail shows an error page with the status of the one table (api.Describe).
func (h *handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := api.Describe(r, err)
	v := h.view(r, nil)
	v.Error = &body
	h.render(w, r, status, "error", v)
}

func (h *handlers) pageRoutes() []httpx.Route {
	p := caldb.AdminPath
	return []httpx.Route{
		{Pattern: "GET " + p, Policy: httpx.Policy{Roles: admin}, Handler: http.HandlerFunc(h.calendarPage),
			Nav: &httpx.Nav{Label: "nav.calendar", Order: 810}},
		{Pattern: "GET " + p + "/years/{year}", Policy: httpx.Policy{Roles: admin}, Handler: http.HandlerFunc(h.yearPage)},
		{Pattern: "POST " + p + "/import", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeNational}, Handler: http.HandlerFunc(h.importPage),
			MaxBody: maxImportForm, Import: true},
		{Pattern: "POST " + p + "/day", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeNational}, Handler: http.HandlerFunc(h.dayPage)},
		{Pattern: "GET " + p + "/bodies/{id}", Policy: httpx.Policy{Roles: admin, Scope: h.scopeBody}, Handler: http.HandlerFunc(h.bodyPage)},
		{Pattern: "POST " + p + "/bodies/{id}/regional", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeBody},
			Handler: http.HandlerFunc(h.addRegionalPage)},
		{Pattern: "POST " + p + "/bodies/{id}/regional/{date}/delete", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeBody},
			Handler: http.HandlerFunc(h.removeRegionalPage)},
		{Pattern: "POST " + p + "/bodies/{id}/business-hours", Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeBody},
			Handler: http.HandlerFunc(h.hoursPage)},
	}
}

// calendarData is the main page's data.
type calendarData struct {
	// Years are those with a notice and the provisional ones up to next
	// year; LaterProvisional the span of provisional years after those.
	Years            []caldb.YearInfo
	LaterProvisional [2]int
	Bodies           []caldb.BodyRef
	// National: the principal may change the national calendar; the upload,
	// entry and single-day forms are shown only then (a note says who may).
	National bool
	// Form values to show again after an error.
	Date, Name string
	Off        bool
}

func (h *handlers) calendarPage(w http.ResponseWriter, r *http.Request) {
	h.showCalendar(w, r, http.StatusOK, calendarData{Off: true}, nil)
}

// showCalendar renders the main page, with err (a refused form) shown on it.
func (h *handlers) showCalendar(w http.ResponseWriter, r *http.Request, status int, d calendarData, formErr error) {
	years, err := h.svc.Years(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Provisional years far ahead matter to nobody yet: one line for them.
	next := h.opts.Now().In(calendar.DefaultLocation).Year() + 1
	for _, y := range years {
		switch {
		case !y.Provisional || y.Year <= next:
			d.Years = append(d.Years, y)
		case d.LaterProvisional[0] == 0:
			d.LaterProvisional = [2]int{y.Year, y.Year}
		default:
			d.LaterProvisional[1] = y.Year
		}
	}
	if d.Bodies, err = h.svc.Bodies(r.Context(), httpx.PrincipalFrom(r.Context())); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.National, err = h.svc.CanEditNational(r.Context(), httpx.PrincipalFrom(r.Context())); err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderForm(w, r, status, "calendar", d, formErr)
}

func (h *handlers) yearPage(w http.ResponseWriter, r *http.Request) {
	y, err := parseYear(r.PathValue("year"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data, info, err := h.svc.Year(r.Context(), y)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	months, err := h.svc.Months(r.Context(), data)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := yearData{CalendarYearDetail: detailOf(data, info), Months: months}
	if info.Provisional && len(data.Papers) > 0 {
		d.Basis = data.Papers[0]
	}
	h.render(w, r, http.StatusOK, "year", h.view(r, d))
}

// yearData is the year page's data: the year's days and its months, and
// for a provisional year the regulation it is computed from.
type yearData struct {
	CalendarYearDetail
	Months []calendar.Month
	Basis  string
}

// maxForm bounds the single-day and regional forms.
const maxForm = 64 << 10

// maxImportForm bounds the upload form: the file and the form around it.
const maxImportForm = caldb.MaxUpload + maxForm

func (h *handlers) importPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportForm)
	if err := r.ParseMultipartForm(maxImportForm); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.showCalendar(w, r, http.StatusBadRequest, calendarData{Off: true}, formError("file", "form.file_too_large", err))
			return
		}
		if errors.Is(err, http.ErrNotMultipart) {
			// A form without a file input sent at all.
			h.showCalendar(w, r, http.StatusBadRequest, calendarData{Off: true}, formError("file", "form.file_missing", err))
			return
		}
		h.showCalendar(w, r, http.StatusBadRequest, calendarData{Off: true}, formError("", "form.bad", err))
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		h.showCalendar(w, r, http.StatusBadRequest, calendarData{Off: true}, formError("file", "form.file_missing", err))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		h.showCalendar(w, r, http.StatusBadRequest, calendarData{Off: true}, formError("file", "form.bad", err))
		return
	}
	if _, err := h.svc.ImportYear(r.Context(), httpx.PrincipalFrom(r.Context()), data, hdr.Filename); err != nil {
		h.showCalendar(w, r, http.StatusBadRequest, calendarData{Off: true}, err)
		return
	}
	page.Done(w, r, caldb.AdminPath, "imported")
}

// formVersion is the version a posted form was based on (the hidden field
// "version"), 0 when it has none.
func formVersion(r *http.Request) int64 {
	v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// formError is an Invalid error from one of the page's message keys.
func formError(field, key string, cause error) error {
	return &apperr.Error{Code: apperr.Invalid, Field: field, Key: messages.ID(key), Err: cause}
}

func (h *handlers) dayPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.showCalendar(w, r, http.StatusBadRequest, calendarData{Off: true}, formError("", "form.bad", err))
		return
	}
	d := calendarData{Date: r.PostFormValue("date"), Name: r.PostFormValue("name"), Off: r.PostFormValue("off") != "false"}
	date, err := calendar.ParseDate("date", d.Date)
	if err == nil {
		// The form shows no state of the date, so it names no version.
		_, err = h.svc.SetDay(r.Context(), httpx.PrincipalFrom(r.Context()), date, 0, d.Off, d.Name)
	}
	if err != nil {
		h.showCalendar(w, r, http.StatusBadRequest, d, err)
		return
	}
	page.Done(w, r, caldb.AdminPath, "day")
}

// bodyData is the body page's data: regional days and business hours.
type bodyData struct {
	Body  caldb.BodyRef
	Days  []CalendarRegionalDay
	Hours caldb.BodyHours
	// Form values to show again after an error.
	Date, Name string
	Off        bool
	// HoursInput is the hours form's value: what was sent when it was
	// refused (HoursSent), else the body's own hours, else empty; HoursBase
	// the version the form is based on (what was sent, or Hours.Version).
	HoursInput string
	HoursSent  bool
	HoursBase  int64
	// Conflict is a stale change of the hours: what was sent beside the
	// body's own hours now (the form then carries their version).
	Conflict *hoursConflict
}

// hoursConflict is a stale hours form's value beside the stored one.
type hoursConflict struct{ Yours, Current string }

func (h *handlers) bodyPage(w http.ResponseWriter, r *http.Request) {
	h.showBody(w, r, http.StatusOK, bodyData{Off: true}, nil)
}

func (h *handlers) showBody(w http.ResponseWriter, r *http.Request, status int, d bodyData, formErr error) {
	id, err := pathBody(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	bodies, err := h.svc.Bodies(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	found := false
	for _, b := range bodies {
		if b.ID == id {
			d.Body, found = b, true
		}
	}
	if !found {
		h.fail(w, r, apperr.NotFoundf("calweb.no_such_body"))
		return
	}
	days, err := h.svc.RegionalHolidays(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, day := range days {
		d.Days = append(d.Days, regionalOf(day))
	}
	if d.Hours, err = h.svc.BusinessHours(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	if !d.HoursSent {
		d.HoursBase = d.Hours.Version
		if d.Hours.Own {
			d.HoursInput = d.Hours.Hours
		}
	}
	if apperr.IsStale(formErr) && d.HoursSent {
		current := ""
		if d.Hours.Own {
			current = d.Hours.Hours
		}
		d.Conflict, d.HoursBase = &hoursConflict{Yours: d.HoursInput, Current: current}, d.Hours.Version
	}
	h.renderForm(w, r, status, "body", d, formErr)
}

func (h *handlers) addRegionalPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathBody(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.showBody(w, r, http.StatusBadRequest, bodyData{Off: true}, formError("", "form.bad", err))
		return
	}
	d := bodyData{Date: r.PostFormValue("date"), Name: r.PostFormValue("name"), Off: r.PostFormValue("off") != "false"}
	date, err := calendar.ParseDate("date", d.Date)
	if err == nil {
		_, err = h.svc.AddRegionalHoliday(r.Context(), httpx.PrincipalFrom(r.Context()), id, date, d.Name, d.Off)
	}
	if err != nil {
		h.showBody(w, r, http.StatusBadRequest, d, err)
		return
	}
	page.Done(w, r, caldb.AdminPath+"/bodies/"+strconv.FormatInt(id, 10), "regional_add")
}

func (h *handlers) removeRegionalPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathBody(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.showBody(w, r, http.StatusBadRequest, bodyData{Off: true}, formError("", "form.bad", err))
		return
	}
	date, err := calendar.ParseDate("date", r.PathValue("date"))
	if err == nil {
		err = h.svc.RemoveRegionalHoliday(r.Context(), httpx.PrincipalFrom(r.Context()), id, date, formVersion(r))
	}
	if err != nil {
		h.showBody(w, r, http.StatusBadRequest, bodyData{Off: true}, err)
		return
	}
	page.Done(w, r, caldb.AdminPath+"/bodies/"+strconv.FormatInt(id, 10), "regional_del")
}

// hoursPage sets the body's own business hours; the clear button sends an
// empty value, which removes them (the body inherits again).
func (h *handlers) hoursPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathBody(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.showBody(w, r, http.StatusBadRequest, bodyData{Off: true}, formError("", "form.bad", err))
		return
	}
	spec := r.PostFormValue("hours")
	if r.PostFormValue("clear") != "" {
		spec = ""
	}
	base := formVersion(r)
	bh, err := h.svc.SetBusinessHours(r.Context(), httpx.PrincipalFrom(r.Context()), id, base, spec)
	if err != nil {
		h.showBody(w, r, http.StatusBadRequest, bodyData{Off: true, HoursInput: spec, HoursSent: true, HoursBase: base}, err)
		return
	}
	key := "hours_set"
	if !bh.Own {
		key = "hours_cleared"
	}
	page.Done(w, r, caldb.AdminPath+"/bodies/"+strconv.FormatInt(id, 10), key)
}
