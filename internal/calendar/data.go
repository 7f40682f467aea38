package calendar

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
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
// the holiday-cn JSON. It returns nothing unless the whole file is valid.
func Parse(name string, data []byte) ([]Year, error) {
	if strings.EqualFold(path.Ext(name), ".ics") || bytes.HasPrefix(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), []byte("BEGIN:VCALENDAR")) {
		return ParseICS(data)
	}
	y, err := ParseJSON(data)
	if err != nil {
		return nil, err
	}
	return []Year{y}, nil
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
	if _, err := dec.Token(); err != io.EOF {
		off := int(dec.InputOffset())
		return Year{}, apperr.Invalidf(lineAt(data, off), "JSON 文档后还有多余内容", "extra content after the JSON document")
	}
	if j.Year == nil {
		return Year{}, apperr.Invalidf("year", "缺少年份", "year is missing")
	}
	if *j.Year < MinYear || *j.Year > MaxYear {
		return Year{}, apperr.Invalidf("year", "年份 %d 超出范围 %d–%d", "year %d outside %d–%d", *j.Year, MinYear, MaxYear)
	}
	if j.Days == nil {
		return Year{}, apperr.Invalidf("days", "缺少 days", "days is missing")
	}
	y := Year{Year: *j.Year, Papers: j.Papers, Days: make([]Day, 0, len(j.Days))}
	for i, jd := range j.Days {
		f := fmt.Sprintf("days[%d]", i)
		if jd == nil {
			return Year{}, apperr.Invalidf(f, "条目为空", "entry is null")
		}
		if jd.Name == nil || strings.TrimSpace(*jd.Name) == "" {
			return Year{}, apperr.Invalidf(f+".name", "缺少节日名称", "name is missing")
		}
		if jd.Date == nil {
			return Year{}, apperr.Invalidf(f+".date", "缺少日期", "date is missing")
		}
		if jd.IsOffDay == nil {
			return Year{}, apperr.Invalidf(f+".isOffDay", "缺少 isOffDay", "isOffDay is missing")
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
		return apperr.Invalidf("year", "年份 %d 超出范围 %d–%d", "year %d outside %d–%d", y.Year, MinYear, MaxYear)
	}
	if len(y.Days) == 0 {
		// Every real notice moves some days; an empty year would make the
		// calendar claim knowledge it does not have.
		return apperr.Invalidf("days", "%d 年没有任何节假日安排", "year %d lists no days", y.Year)
	}
	for i, p := range y.Papers {
		if !validText(p) {
			return apperr.Invalidf(fmt.Sprintf("papers[%d]", i), "文件链接含有无效字符（不是 UTF-8 文字，或含有空字符 NUL）",
				"the paper's link contains invalid text (not UTF-8, or a NUL character)")
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
			return apperr.Invalidf(f, "日期 %s 不属于 %d 年", "date %s is not in year %d", d.Date, y.Year)
		}
		if strings.TrimSpace(d.Name) == "" {
			return apperr.Invalidf(fmt.Sprintf("days[%d].name", i), "缺少节日名称", "name is missing")
		}
		if !validText(d.Name) {
			return apperr.Invalidf(fmt.Sprintf("days[%d].name", i), "节日名称含有无效字符（不是 UTF-8 文字，或含有空字符 NUL）",
				"the name contains invalid text (not UTF-8, or a NUL character)")
		}
		if j, dup := seen[d.Date]; dup {
			return apperr.Invalidf(f, "日期 %s 与 days[%d] 重复", "date %s repeats days[%d]", d.Date, j)
		}
		seen[d.Date] = i
	}
	if y.workingDays() == 0 {
		// Every limit counted in working days would then jump the year:
		// no notice does that, a mistyped file or form does.
		return apperr.Invalidf("days", "%d 年没有任何工作日", "year %d has no working day", y.Year)
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

func jsonErr(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return apperr.Invalidf(lineAt(data, int(se.Offset)), "JSON 格式错误：%v", "malformed JSON: %v", se)
	case errors.As(err, &te):
		f := te.Field
		if f == "" {
			f = lineAt(data, int(te.Offset))
		}
		return apperr.Invalidf(f, "类型错误，应为 %v", "wrong type, want %v", te.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf(lineAt(data, len(data)), "JSON 文档不完整", "truncated JSON document")
	}
	// Unknown fields and the like come as plain errors that name the field.
	msg := err.Error()
	field := "json"
	if i := strings.Index(msg, `unknown field "`); i >= 0 {
		field = strings.TrimSuffix(msg[i+len(`unknown field "`):], `"`)
		return apperr.Invalidf(field, "未知字段 %s", "unknown field %s", field)
	}
	return apperr.Invalidf(field, "JSON 无法读取：%s", "cannot read JSON: %s", msg)
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
