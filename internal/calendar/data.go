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
	return apperr.Invalidf("year", "文件名是 %s，内容却是 %s 年的数据：请确认上传的是 %d 年的通知", "the file is named %s but holds the year %s: check that it is the notice for %d",
		base, strings.Join(held, "、"), n)
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
		return Year{}, apperr.Invalidf("line 1", "整个文件应是一个 JSON 对象 {\"year\": …, \"days\": […]}，而不是 null。"+formatHintZh,
			"the file must be one JSON object {\"year\": …, \"days\": […]}, not null. "+formatHintEn)
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

// formatHint says what an upload should be, after a message about a file
// that is not.
const (
	formatHintZh = `请上传 holiday-cn 格式的 JSON 文件，形如 {"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}，或 iCalendar（.ics）文件。`
	formatHintEn = `Upload a holiday-cn JSON file, like {"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}, or an iCalendar (.ics) file.`
)

func jsonErr(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return syntaxErr(data, int(se.Offset)-1)
	case errors.As(err, &te):
		got := valueWords(te.Value)
		if te.Field == "" {
			return &apperr.Error{Code: apperr.Invalid, Field: lineAt(data, int(te.Offset)),
				Zh: fmt.Sprintf("整个文件应是一个 JSON 对象 {\"year\": …, \"days\": […]}，而不是%s。", got[0]) + formatHintZh,
				En: fmt.Sprintf("the file must be one JSON object {\"year\": …, \"days\": […]}, not %s. ", got[1]) + formatHintEn}
		}
		f := jsonPath(te.Field)
		want := typeWords(te.Type)
		return &apperr.Error{Code: apperr.Invalid, Field: f,
			Zh: fmt.Sprintf("%s 应为%s，而不是%s", f, want[0], got[0]),
			En: fmt.Sprintf("%s must be %s, not %s", f, want[1], got[1])}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf(lineAt(data, len(data)), "JSON 文档不完整：文件在第 %d 行意外结束，可能缺少 ] 或 }", "truncated JSON document: the file ends unexpectedly at line %d, perhaps missing a ] or }",
			bytes.Count(data, []byte("\n"))+1)
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

// syntaxErr explains a JSON syntax error at byte off: a file that is not
// JSON at all by how it begins, else where the error is and what is there.
func syntaxErr(data []byte, off int) error {
	if start := bytes.TrimLeft(data, " \t\r\n"); len(start) > 0 && start[0] != '{' && start[0] != '[' {
		return apperr.Invalidf("file", "这不是 holiday-cn JSON 文件，也不是 iCalendar 文件：文件开头是“%s”。"+formatHintZh,
			"this is neither a holiday-cn JSON file nor an iCalendar file: it begins with “%s”. "+formatHintEn, snippet(start))
	}
	off = min(max(off, 0), len(data))
	line := bytes.Count(data[:off], []byte("\n")) + 1
	col := utf8.RuneCount(data[bytes.LastIndexByte(data[:off], '\n')+1:off]) + 1
	return apperr.Invalidf(fmt.Sprintf("line %d", line), "第 %d 行第 %d 个字符处不是有效的 JSON：“%s”。请检查引号、逗号和括号。",
		"line %d, character %d is not valid JSON: “%s”. Check the quotes, commas and brackets.", line, col, snippet(data[off:]))
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
func typeWords(t reflect.Type) [2]string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int:
		return [2]string{"整数年份（如 2027）", "a whole number such as 2027"}
	case reflect.Bool:
		return [2]string{"true 或 false", "true or false"}
	case reflect.String:
		return [2]string{"带引号的文字", "text in quotes"}
	case reflect.Slice:
		return [2]string{"列表 […]", "a list […]"}
	case reflect.Struct:
		return [2]string{`对象 {"name": …, "date": …, "isOffDay": …}`, `an object {"name": …, "date": …, "isOffDay": …}`}
	}
	return [2]string{t.String(), t.String()}
}

// valueWords says in words what JSON value a type error found.
func valueWords(v string) [2]string {
	kind, detail, _ := strings.Cut(v, " ")
	var w [2]string
	switch kind {
	case "string":
		w = [2]string{"文字", "text"}
	case "number":
		w = [2]string{"数字", "a number"}
	case "array":
		w = [2]string{"列表", "a list"}
	case "object":
		w = [2]string{"对象", "an object"}
	case "bool":
		w = [2]string{"true/false", "true/false"}
	default:
		w = [2]string{v, v}
	}
	if detail != "" {
		w[0] += " " + detail
		w[1] += " " + detail
	}
	return w
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
