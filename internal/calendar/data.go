package calendar

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// Day is one date a notice moves: IsOffDay true is a holiday, false a
// make-up working day (调休) on a weekend. Ordinary weekends are not listed.
type Day struct {
	Name     string `json:"name"`
	Date     Date   `json:"date"`
	IsOffDay bool   `json:"isOffDay"`
}

// Year is one year's notice in the holiday-cn layout. A notice is filed
// under the year it is issued for, so Days may hold late-December dates of
// Year-1 (a make-up Saturday before New Year) and early-January dates of
// Year+1.
type Year struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers,omitempty"`
	Days   []Day    `json:"days"`
}

// MinYear and MaxYear bound the years a calendar accepts; outside them a
// year number is a typo, not data.
const (
	MinYear = 1949
	MaxYear = 2200
)

//go:embed data/*.json
var embedded embed.FS

// Embedded returns the years shipped with the binary, transcribed from the
// State Council's annual notices (data/YYYY.json).
func Embedded() ([]Year, error) {
	ents, err := embedded.ReadDir("data")
	if err != nil {
		return nil, err
	}
	var out []Year
	for _, e := range ents {
		b, err := embedded.ReadFile(path.Join("data", e.Name()))
		if err != nil {
			return nil, err
		}
		y, err := ParseJSON(b)
		if err != nil {
			return nil, fmt.Errorf("embedded %s: %w", e.Name(), err)
		}
		out = append(out, y)
	}
	return out, nil
}

// Parse reads a year file by its name: ".ics" is iCalendar, anything else
// the holiday-cn JSON. It returns nothing unless the whole file is valid. A
// file named after a year (2027.json, as holiday-cn names them) must hold
// that year: uploading last year's file by mistake is refused.
func Parse(name string, data []byte) ([]Year, error) {
	var ys []Year
	if strings.EqualFold(path.Ext(name), ".ics") || bytes.HasPrefix(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), []byte("BEGIN:VCALENDAR")) {
		var err error
		if ys, err = ParseICS(data); err != nil {
			return nil, err
		}
	} else {
		y, err := ParseJSON(data)
		if err != nil {
			return nil, err
		}
		ys = []Year{y}
	}
	if err := namedYear(name, ys); err != nil {
		return nil, err
	}
	return ys, nil
}

// namedYear refuses a file named after a year none of its years is.
func namedYear(name string, ys []Year) error {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	stem := strings.TrimSuffix(base, path.Ext(base))
	n, ok := atoiN(stem)
	if len(stem) != 4 || !ok {
		return nil
	}
	held := make([]string, len(ys))
	for i, y := range ys {
		if y.Year == n {
			return nil
		}
		held[i] = strconv.Itoa(y.Year)
	}
	return apperr.Invalidf("year", "calendar.the_file_is_named_but_holds", base, strings.Join(held, "、"), n)
}

// jsonYear mirrors Year with pointers so that a missing field is told apart
// from a zero value; "$schema" and "$id" are holiday-cn's own metadata.
type jsonYear struct {
	Schema string     `json:"$schema"`
	ID     string     `json:"$id"`
	Year   *int       `json:"year"`
	Papers []string   `json:"papers"`
	Days   []*jsonDay `json:"days"`
}

type jsonDay struct {
	Name     *string `json:"name"`
	Date     *string `json:"date"`
	IsOffDay *bool   `json:"isOffDay"`
}

// ParseJSON reads one year in the holiday-cn format strictly: unknown
// fields, missing fields, impossible or duplicate dates and dates outside the
// year (other than the neighbouring December/January) are errors naming the
// line or the field, and nothing is returned with an error.
func ParseJSON(data []byte) (Year, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j jsonYear
	if err := dec.Decode(&j); err != nil {
		return Year{}, jsonErr(data, err)
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return Year{}, apperr.Invalidf("line 1", "calendar.the_file_must_be_one_json", formatHint)
	}
	if _, err := dec.Token(); err != io.EOF {
		off := int(dec.InputOffset())
		return Year{}, apperr.Invalidf(lineAt(data, off), "calendar.extra_content_after_the_json_document")
	}
	if j.Year == nil {
		return Year{}, apperr.Invalidf("year", "calendar.year_is_missing")
	}
	if *j.Year < MinYear || *j.Year > MaxYear {
		return Year{}, apperr.Invalidf("year", "calendar.year_outside", *j.Year, MinYear, MaxYear)
	}
	if j.Days == nil {
		return Year{}, apperr.Invalidf("days", "calendar.days_is_missing")
	}
	y := Year{Year: *j.Year, Papers: j.Papers, Days: make([]Day, 0, len(j.Days))}
	for i, jd := range j.Days {
		f := fmt.Sprintf("days[%d]", i)
		if jd == nil {
			return Year{}, apperr.Invalidf(f, "calendar.entry_is_null")
		}
		if jd.Name == nil || strings.TrimSpace(*jd.Name) == "" {
			return Year{}, apperr.Invalidf(f+".name", "calendar.name_is_missing")
		}
		if jd.Date == nil {
			return Year{}, apperr.Invalidf(f+".date", "calendar.date_is_missing")
		}
		if jd.IsOffDay == nil {
			return Year{}, apperr.Invalidf(f+".isOffDay", "calendar.isoffday_is_missing")
		}
		d, err := ParseDate(f+".date", *jd.Date)
		if err != nil {
			return Year{}, err
		}
		y.Days = append(y.Days, Day{Name: strings.TrimSpace(*jd.Name), Date: d, IsOffDay: *jd.IsOffDay})
	}
	if err := y.Validate(); err != nil {
		return Year{}, err
	}
	return y, nil
}

// Validate checks a year however it was made (file, admin page): a sane
// year, at least one day, every date in the year or its neighbouring
// December/January, no date twice, names that are text, and at least one
// working day.
func (y Year) Validate() error {
	if y.Year < MinYear || y.Year > MaxYear {
		return apperr.Invalidf("year", "calendar.year_outside", y.Year, MinYear, MaxYear)
	}
	if len(y.Days) == 0 {
		// Every real notice moves some days; an empty year would make the
		// calendar claim knowledge it does not have.
		return apperr.Invalidf("days", "calendar.year_lists_no_days", y.Year)
	}
	for i, p := range y.Papers {
		if !validText(p) {
			return apperr.Invalidf(fmt.Sprintf("papers[%d]", i), "calendar.the_paper_s_link_contains_invalid")
		}
	}
	seen := make(map[Date]int, len(y.Days))
	for i, d := range y.Days {
		f := fmt.Sprintf("days[%d].date", i)
		dy, dm, _ := d.Date.Civil()
		switch {
		case dy == y.Year:
		case dy == y.Year-1 && dm == 12, dy == y.Year+1 && dm == 1:
		default:
			return apperr.Invalidf(f, "calendar.date_is_not_in_year", d.Date, y.Year)
		}
		if strings.TrimSpace(d.Name) == "" {
			return apperr.Invalidf(fmt.Sprintf("days[%d].name", i), "calendar.name_is_missing")
		}
		if !validText(d.Name) {
			return apperr.Invalidf(fmt.Sprintf("days[%d].name", i), "calendar.the_name_contains_invalid_text_not")
		}
		if j, dup := seen[d.Date]; dup {
			return apperr.Invalidf(f, "calendar.date_repeats_days", d.Date, j)
		}
		seen[d.Date] = i
	}
	if y.workingDays() == 0 {
		// Every limit counted in working days would then jump the year:
		// no notice does that, a mistyped file or form does.
		return apperr.Invalidf("days", "calendar.year_has_no_working_day", y.Year)
	}
	return nil
}

// workingDays counts the working days of the year's own dates under its
// notice: weekdays it does not make holidays, and its make-up days.
func (y Year) workingDays() int {
	off := make(map[Date]bool, len(y.Days))
	for _, d := range y.Days {
		off[d.Date] = d.IsOffDay
	}
	n := 0
	for d, end := DateOf(y.Year, time.January, 1), DateOf(y.Year+1, time.January, 1); d < end; d++ {
		o, listed := off[d]
		if !listed {
			o = d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		}
		if !o {
			n++
		}
	}
	return n
}

// validText reports whether s may be stored as text on both databases:
// PostgreSQL refuses invalid UTF-8 and NUL.
func validText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// MarshalJSON writes the holiday-cn layout with days in date order.
func (y Year) MarshalJSON() ([]byte, error) {
	type plain Year
	p := plain(y)
	p.Days = append([]Day(nil), y.Days...)
	sort.Slice(p.Days, func(i, j int) bool { return p.Days[i].Date < p.Days[j].Date })
	if p.Days == nil {
		p.Days = []Day{}
	}
	return json.Marshal(p)
}

// formatHint says what an upload should be, after a message about a file
// that is not one.
var formatHint = msg.M("calendar.format_hint")

func jsonErr(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return syntaxErr(data, int(se.Offset)-1)
	case errors.As(err, &te):
		got := valueWords(te.Value)
		if te.Field == "" {
			return apperr.Invalidf(lineAt(data, int(te.Offset)), "calendar.the_file_must_be_one_json_not", got, formatHint)
		}
		f := jsonPath(te.Field)
		want := typeWords(te.Type)
		return &apperr.Error{Code: apperr.Invalid, Field: f, Key: "calendar.must_be_not", Args: []any{f, want, got}}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf(lineAt(data, len(data)), "calendar.truncated_json_document_the_file_ends", bytes.Count(data, []byte("\n"))+1)
	}
	// Unknown fields and the like come as plain errors that name the field.
	msg := err.Error()
	field := "json"
	if i := strings.Index(msg, `unknown field "`); i >= 0 {
		field = strings.TrimSuffix(msg[i+len(`unknown field "`):], `"`)
		return apperr.Invalidf(field, "calendar.unknown_field", field)
	}
	return apperr.Invalidf(field, "calendar.cannot_read_json", msg)
}

// syntaxErr explains a JSON syntax error at byte off: a file that is not
// JSON at all by how it begins, else where the error is and what is there.
func syntaxErr(data []byte, off int) error {
	if start := bytes.TrimLeft(data, " \t\r\n"); len(start) > 0 && start[0] != '{' && start[0] != '[' {
		return apperr.Invalidf("file", "calendar.neither_json_nor_icalendar", snippet(start), formatHint)
	}
	off = min(max(off, 0), len(data))
	line := bytes.Count(data[:off], []byte("\n")) + 1
	col := utf8.RuneCount(data[bytes.LastIndexByte(data[:off], '\n')+1:off]) + 1
	return apperr.Invalidf(fmt.Sprintf("line %d", line), "calendar.line_character_is_not_valid_json", line, col, snippet(data[off:]))
}

// snippet is the start of b as printable text, at most 20 characters.
func snippet(b []byte) string {
	var out []rune
	for _, r := range strings.ToValidUTF8(string(b[:min(len(b), 80)]), "\uFFFD") {
		if len(out) == 20 {
			break
		}
		if r < ' ' || r == 0x7f {
			r = ' '
		}
		out = append(out, r)
	}
	return strings.TrimSpace(string(out))
}

// jsonPath writes encoding/json's "days.0.name" as "days[0].name", as the
// other errors name fields.
func jsonPath(f string) string {
	parts := strings.Split(f, ".")
	var b strings.Builder
	for i, p := range parts {
		if _, isIndex := atoiN(p); isIndex && p != "" && i > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// typeWords says in words what a field of the holiday-cn layout holds.
func typeWords(t reflect.Type) msg.Localized {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int:
		return msg.M("calendar.type.int")
	case reflect.Bool:
		return msg.M("calendar.type.bool")
	case reflect.String:
		return msg.M("calendar.type.string")
	case reflect.Slice:
		return msg.M("calendar.type.slice")
	case reflect.Struct:
		return msg.M("calendar.type.struct")
	}
	return msg.Both{Zh: t.String(), En: t.String()}
}

// valueWords says in words what JSON value a type error found.
func valueWords(v string) msg.Localized {
	kind, detail, _ := strings.Cut(v, " ")
	if detail != "" {
		detail = " " + detail
	}
	switch kind {
	case "string", "number", "array", "object", "bool":
		return msg.M("calendar.value."+kind, detail)
	}
	return msg.Both{Zh: v, En: v}
}

// lineAt names the line holding byte offset off, 1-based.
func lineAt(data []byte, off int) string {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	return fmt.Sprintf("line %d", bytes.Count(data[:off], []byte("\n"))+1)
}

// Overlay returns the years of base with those of each later list added or
// replacing base's by year number: embedded data, then the database's
// corrections, then a file given on the command line. base is not changed.
func Overlay(base []Year, tops ...[]Year) []Year {
	out := append([]Year(nil), base...)
	idx := make(map[int]int, len(out))
	for i, y := range out {
		idx[y.Year] = i
	}
	for _, top := range tops {
		for _, y := range top {
			if i, ok := idx[y.Year]; ok {
				out[i] = y
			} else {
				idx[y.Year] = len(out)
				out = append(out, y)
			}
		}
	}
	return out
}
