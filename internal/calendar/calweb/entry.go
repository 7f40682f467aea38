package calweb

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// The entry form (L9): an administrator types a year's notice in as the
// notice words it — rows of (from, to, name, off or make-up day) — starting
// from what the calendar has for the year (its notice, or for a year without
// one its statutory holidays), previews each month's working days, and saves
// it as an audited change (caldb.EnterYear).

// blankRows are the empty rows offered below the filled ones.
const blankRows = 6

// maxRows bounds the rows a form may send; a notice has a few dozen.
const maxRows = 200

// entryRow is one row of the form as typed; N is its number as shown.
type entryRow struct {
	From, To, Name string
	Off            bool
	N              int
}

// entryData is the entry page's data.
type entryData struct {
	Year int
	// Info is what the calendar has for the year now (source, provisional).
	Info caldb.YearInfo
	// Known is false when the calendar has nothing for the year.
	Known bool
	// Basis names the regulation the pre-filled rows come from, for a
	// provisional year shown unchanged.
	Basis string
	Rows  []entryRow
	// Months is the preview of the rows as they stand (nil when they do not
	// make a year).
	Months []calendar.Month
}

func (h *handlers) entryRoutes() []httpx.Route {
	p := caldb.AdminPath + "/years/{year}/edit"
	return []httpx.Route{
		{Pattern: "GET " + p, Policy: httpx.Policy{Roles: admin, Scope: h.scopeNational}, Handler: http.HandlerFunc(h.entryPage)},
		{Pattern: "POST " + p, Policy: httpx.Policy{Roles: admin, Write: true, Scope: h.scopeNational}, Handler: http.HandlerFunc(h.enterPage)},
	}
}

// entryPage shows the form pre-filled with the year as the calendar has it.
func (h *handlers) entryPage(w http.ResponseWriter, r *http.Request) {
	y, err := parseYear(r.PathValue("year"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := entryData{Year: y}
	data, info, err := h.svc.Year(r.Context(), y)
	switch _, missing := calendar.MissingYear(err); {
	case err == nil:
		d.Info, d.Known = info, true
		for _, rg := range calendar.Ranges(data) {
			d.Rows = append(d.Rows, entryRow{From: rg.From.String(), To: rg.To.String(), Name: rg.Name, Off: rg.IsOffDay})
		}
		if info.Provisional && len(data.Papers) > 0 {
			d.Basis = data.Papers[0]
		}
		if d.Months, err = h.svc.Months(r.Context(), data); err != nil {
			h.fail(w, r, err)
			return
		}
	case missing:
		// Nothing known for the year: the form starts empty.
	default:
		h.fail(w, r, err)
		return
	}
	h.showEntry(w, r, http.StatusOK, d, nil)
}

// enterPage previews (action=preview) or saves (action=save) the rows sent.
func (h *handlers) enterPage(w http.ResponseWriter, r *http.Request) {
	y, err := parseYear(r.PathValue("year"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := entryData{Year: y}
	if _, info, err := h.svc.Year(r.Context(), y); err == nil {
		d.Info, d.Known = info, true
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.showEntry(w, r, http.StatusBadRequest, d, formError("", "form.bad", err))
		return
	}
	rows, typed, err := parseRows(r)
	d.Rows = typed
	if err != nil {
		h.showEntry(w, r, http.StatusBadRequest, d, err)
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	if r.PostFormValue("action") != "save" {
		year, err := calendar.YearOfRanges(y, rows)
		if err == nil {
			d.Months, err = h.svc.Months(r.Context(), year)
		}
		status := http.StatusOK
		if err != nil {
			status = http.StatusBadRequest
		}
		h.showEntry(w, r, status, d, err)
		return
	}
	if _, err := h.svc.EnterYear(r.Context(), p, y, rows); err != nil {
		h.showEntry(w, r, http.StatusBadRequest, d, err)
		return
	}
	page.Done(w, r, caldb.AdminPath+"/years/"+strconv.Itoa(y), "entered")
}

// parseRows reads the form's rows: parallel fields from, to, name and kind
// (off or work), blank rows dropped, an empty "to" meaning one day. typed is
// what was sent, blank rows dropped, to show again (so row numbers in
// errors are those of the form shown with them); a row that does not parse
// is an error naming it in words.
func parseRows(r *http.Request) (rows []calendar.Range, typed []entryRow, err error) {
	from, to, name, kind := r.PostForm["from"], r.PostForm["to"], r.PostForm["name"], r.PostForm["kind"]
	n := max(len(from), len(to), len(name), len(kind))
	if n > maxRows {
		return nil, nil, apperr.Invalidf("rows", "calweb.at_most_rows", maxRows)
	}
	at := func(vs []string, i int) string {
		if i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	var kinds []string
	for i := range n {
		row := entryRow{From: at(from, i), To: at(to, i), Name: at(name, i), Off: at(kind, i) != "work"}
		if row.From == "" && row.To == "" && row.Name == "" {
			continue
		}
		typed = append(typed, row)
		kinds = append(kinds, at(kind, i))
	}
	for i, row := range typed {
		if k := kinds[i]; k != "off" && k != "work" {
			return nil, typed, apperr.Invalidf(calendar.RangeField(i, "kind"), "calweb.row_the_kind_is_a_day", i+1)
		}
		start, err := rowDate(i, "from", row.From)
		if err != nil {
			return nil, typed, err
		}
		end := start
		if row.To != "" {
			if end, err = rowDate(i, "to", row.To); err != nil {
				return nil, typed, err
			}
		}
		rows = append(rows, calendar.Range{From: start, To: end, Name: row.Name, IsOffDay: row.Off})
	}
	return rows, typed, nil
}

// rowDate reads a date of row i, naming the row in words when it is bad.
func rowDate(i int, field, s string) (calendar.Date, error) {
	if s == "" {
		return 0, apperr.Invalidf(calendar.RangeField(i, field), "calweb.row_give_the_date", i+1)
	}
	d, err := calendar.ParseDate(calendar.RangeField(i, field), s)
	if err != nil {
		cause := apperr.As(err)
		ae := *cause
		ae.Key, ae.Args = "calweb.row_error", []any{i + 1, cause}
		return 0, &ae
	}
	return d, nil
}

// showEntry renders the form with the rows and blank ones below, and
// formErr (a refused preview or save) above it.
func (h *handlers) showEntry(w http.ResponseWriter, r *http.Request, status int, d entryData, formErr error) {
	for range blankRows {
		d.Rows = append(d.Rows, entryRow{Off: true})
	}
	for i := range d.Rows {
		d.Rows[i].N = i + 1
	}
	h.renderForm(w, r, status, "entry", d, formErr)
}
