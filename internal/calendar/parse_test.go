package calendar

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

const goodJSON = `{
  "year": 2027,
  "papers": ["https://www.gov.cn/example"],
  "days": [
    {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
    {"name": "元旦", "date": "2026-12-31", "isOffDay": true},
    {"name": "春节", "date": "2027-02-20", "isOffDay": false}
  ]
}`

func TestParseJSON_L9_holidayCnFormat(t *testing.T) {
	y, err := ParseJSON([]byte(goodJSON))
	if err != nil {
		t.Fatal(err)
	}
	if y.Year != 2027 || len(y.Days) != 3 || y.Days[2].IsOffDay || y.Days[1].Date != d("2026-12-31") {
		t.Errorf("%+v", y)
	}
	// What we write, we read back.
	b, _ := json.Marshal(y)
	y2, err := ParseJSON(b)
	if err != nil || !reflect.DeepEqual(y2.Days[0], Day{"元旦", d("2026-12-31"), true}) {
		t.Errorf("round trip %s: %+v %v", b, y2, err)
	}
	// holiday-cn's own metadata fields are accepted.
	if _, err := ParseJSON([]byte(`{"$schema":"x","$id":"y","year":2027,"papers":[],"days":[{"name":"a","date":"2027-01-01","isOffDay":true}]}`)); err != nil {
		t.Error(err)
	}
}

func TestParseJSON_L9_strictErrorsNameTheField(t *testing.T) {
	cases := []struct{ in, field string }{
		{`{"year": 2027, "days": [`, "line 1"},
		{"{\n\"year\": 2027,\n\"days\": [}\n", "line 3"},
		{`{"days": []}`, "year"},
		{`{"year": 2027}`, "days"},
		{`{"year": 2027, "days": []}`, "days"},
		{`{"year": 3000, "days": []}`, "year"},
		{`{"year": 2027, "days": [{"name":"a","date":"2027-02-30","isOffDay":true}]}`, "days[0].date"},
		{`{"year": 2027, "days": [{"name":"a","date":"2025-12-30","isOffDay":true}]}`, "days[0].date"},
		{`{"year": 2027, "days": [{"name":"a","date":"2027-07-01","isOffDay":true},{"name":"a","date":"2027-07-01","isOffDay":false}]}`, "days[1].date"},
		{`{"year": 2027, "days": [{"date":"2027-07-01","isOffDay":true}]}`, "days[0].name"},
		{`{"year": 2027, "days": [{"name":"a","isOffDay":true}]}`, "days[0].date"},
		{`{"year": 2027, "days": [{"name":"a","date":"2027-07-01"}]}`, "days[0].isOffDay"},
		{`{"year": 2027, "days": [{"name":"a","date":"2027-07-01","isOffDay":true,"extra":1}]}`, "extra"},
		{`{"year": 2027, "days": [null]}`, "days[0]"},
		{`{"year": 2027, "days": []} {}`, "line 1"},
		{`{"year": 2027, "days": [{"name":"a\u0000","date":"2027-07-01","isOffDay":true}]}`, "days[0].name"},
		{`{"year": 2027, "papers": ["https://x/\u0000"], "days": [{"name":"a","date":"2027-07-01","isOffDay":true}]}`, "papers[0]"},
	}
	for _, tc := range cases {
		y, err := ParseJSON([]byte(tc.in))
		if err == nil {
			t.Errorf("%s accepted", tc.in)
			continue
		}
		ae, ok := err.(*apperr.Error)
		if !ok || ae.Code != apperr.Invalid || ae.Message("zh") == "" || ae.Message("en") == "" {
			t.Errorf("%s: not a bilingual invalid apperr: %v", tc.in, err)
		}
		if ok && ae.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%v)", tc.in, ae.Field, tc.field, err)
		}
		if y.Year != 0 || y.Days != nil {
			t.Errorf("%s: returned data with an error", tc.in)
		}
	}
}

const goodICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261231\r\nSUMMARY:元旦补班\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270104\r\nSUMMARY:元旦\r\n" +
	" \r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:3\r\nDTSTART:20270220\r\nSUMMARY:春节\r\nCATEGORIES:WORKDAY\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:4\r\nDTSTART:20270221\r\nSUMMARY:春\r\n 节\r\nX-QINGDAN-WORKDAY:TRUE\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestParseICS_L9_holidaysAndMakeUpDays(t *testing.T) {
	ys, err := ParseICS([]byte(goodICS))
	if err != nil {
		t.Fatal(err)
	}
	// The lone late-December make-up day is filed under 2027, not as a 2026.
	if len(ys) != 1 || ys[0].Year != 2027 || len(ys[0].Days) != 6 {
		t.Fatalf("%+v", ys)
	}
	want := []Day{
		{"元旦补班", d("2026-12-31"), false},
		{"元旦", d("2027-01-01"), true}, {"元旦", d("2027-01-02"), true}, {"元旦", d("2027-01-03"), true},
		{"春节", d("2027-02-20"), false}, {"春节", d("2027-02-21"), false},
	}
	if !reflect.DeepEqual(ys[0].Days, want) {
		t.Errorf("got %+v", ys[0].Days)
	}
	// X-QINGDAN-YEAR files everything under one year.
	one := strings.Replace(goodICS, "VERSION:2.0\r\n", "VERSION:2.0\r\nX-QINGDAN-YEAR:2027\r\n", 1)
	if ys, err := ParseICS([]byte(one)); err != nil || len(ys) != 1 || ys[0].Year != 2027 {
		t.Errorf("%+v %v", ys, err)
	}
	// Parse picks the format by name or content.
	if ys, err := Parse("x.ics", []byte(goodICS)); err != nil || len(ys) != 1 {
		t.Error(err)
	}
	if ys, err := Parse("x.json", []byte(goodJSON)); err != nil || len(ys) != 1 {
		t.Error(err)
	}
}

func TestParseICS_L9_strictErrorsNameTheLine(t *testing.T) {
	ev := func(body string) string {
		return "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\n" + body + "END:VEVENT\nEND:VCALENDAR\n"
	}
	cases := []struct{ in, field string }{
		{"", "line 1"},
		{"BEGIN:VEVENT\n", "line 1"},
		{"BEGIN:VCALENDAR\nVERSION:2.0\n", "line 3"},
		{ev("SUMMARY:a\n"), "line 3"},                                            // no DTSTART
		{ev("DTSTART;VALUE=DATE:20270101\n"), "line 3"},                          // no SUMMARY
		{ev("DTSTART:20270101T090000Z\nSUMMARY:a\n"), "line 4"},                  // a date-time
		{ev("DTSTART;VALUE=DATE-TIME:20270101\nSUMMARY:a\n"), "line 4"},          // ditto
		{ev("DTSTART:20270230\nSUMMARY:a\n"), "line 4"},                          // impossible date
		{ev("DTSTART:20270105\nDTEND:20270101\nSUMMARY:a\n"), "line 3"},          // end before start
		{ev("DTSTART:20270101\nRRULE:FREQ=YEARLY\nSUMMARY:a\n"), "line 5"},       // recurrence
		{ev("DTSTART:20270101\nSUMMARY:a\nX-QINGDAN-WORKDAY:maybe\n"), "line 6"}, // bad marker
		{ev("DTSTART:20270101\nSUMMARY a\n"), "line 5"},                          // no colon
		{"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270101\nSUMMARY:a\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:20270101\nSUMMARY:b\nEND:VEVENT\nEND:VCALENDAR\n", "line 6"}, // same day twice
		{"BEGIN:VCALENDAR\nEND:VCALENDAR\n", "VEVENT"},
		{ev("DTSTART:20270101\nSUMMARY:a\n") + "X:1\n", "line 8"}, // after the end
	}
	for _, tc := range cases {
		ys, err := ParseICS([]byte(tc.in))
		if err == nil {
			t.Errorf("%q accepted", tc.in)
			continue
		}
		ae, ok := err.(*apperr.Error)
		if !ok || ae.Message("zh") == "" || ae.Message("en") == "" {
			t.Errorf("%q: %v", tc.in, err)
		} else if ae.Field != tc.field {
			t.Errorf("%q: field %q, want %q (%v)", tc.in, ae.Field, tc.field, err)
		}
		if ys != nil {
			t.Errorf("%q: data returned with an error", tc.in)
		}
	}
}

func TestEmbedded_L9_everyYearValidAndNamed(t *testing.T) {
	ys, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range ys {
		off, work := 0, 0
		for _, dd := range y.Days {
			if dd.IsOffDay {
				off++
			} else {
				work++
			}
		}
		// Each notice has at least the seven festivals' days off.
		if off < 11 {
			t.Errorf("%d: only %d days off", y.Year, off)
		}
	}
}

func TestOverlay_L9_laterYearsReplace(t *testing.T) {
	a := []Year{{Year: 2025}, {Year: 2026, Papers: []string{"old"}}}
	got := Overlay(a, []Year{{Year: 2026, Papers: []string{"new"}}}, []Year{{Year: 2027}})
	if len(got) != 3 || got[1].Papers[0] != "new" || got[2].Year != 2027 || a[1].Papers[0] != "old" {
		t.Errorf("%+v (base %+v)", got, a)
	}
}

// TestValidate_L9_yearWithoutWorkingDaysRefused (#11.10): a year whose
// notice makes every weekday a holiday is refused; one working day left
// is enough.
func TestValidate_L9_yearWithoutWorkingDaysRefused(t *testing.T) {
	y := Year{Year: 2027}
	for d := DateOf(2027, 1, 1); d < DateOf(2028, 1, 1); d++ {
		if wd := d.Weekday(); wd != 0 && wd != 6 {
			y.Days = append(y.Days, Day{Name: "假", Date: d, IsOffDay: true})
		}
	}
	err := y.Validate()
	if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "days" || !strings.Contains(e.Message("en"), "no working day") {
		t.Fatalf("got %v", err)
	}
	one := Year{Year: 2027, Days: y.Days[1:]} // 2027-01-01 works again
	if err := one.Validate(); err != nil {
		t.Fatalf("a year with one working day: %v", err)
	}
	// A make-up Saturday is a working day too.
	makeUp := Year{Year: 2027, Days: append(append([]Day(nil), y.Days...), Day{Name: "补班", Date: DateOf(2027, 1, 2), IsOffDay: false})}
	if err := makeUp.Validate(); err != nil {
		t.Fatalf("a year whose one working day is a make-up Saturday: %v", err)
	}
}

// TestParse_L9_badUploadsSayWhatIsWrong: what administrators actually
// upload by mistake — not JSON at all, JSON of the wrong shape, last year's
// file, a broken iCalendar — is refused with a message that says, in both
// languages, what is wrong and where, never a decoder's words such as
// "invalid character 'o' in literal null" or a Go type name.
func TestParse_L9_badUploadsSayWhatIsWrong(t *testing.T) {
	y26 := `{"year":2026,"days":[{"name":"元旦","date":"2026-01-01","isOffDay":true}]}`
	ics := func(body string) string {
		return "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + body + "END:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	cases := []struct {
		what, name, body, field string
		zh, en                  []string // each in the message
	}{
		{"not JSON", "2027.json", "not json", "file", []string{"这不是", "not json", "holiday-cn"}, []string{"neither", "not json", "iCalendar"}},
		{"an Excel file", "2027.json", "PK\x03\x04\x14\x00", "file", []string{"这不是"}, []string{"it begins with"}},
		{"a broken line", "2027.json", "{\n\"year\": 2027,\n\"days\": [{\"name\": \"元旦\" \"date\": \"2027-01-01\"}]\n}", "line 3",
			[]string{"第 3 行第 24 个字符", `"date"`}, []string{"line 3, character 24", "commas"}},
		{"cut short", "2027.json", `{"year": 2027, "days": [`, "line 1", []string{"不完整"}, []string{"truncated"}},
		{"a list, not an object", "2027.json", `[{"name":"元旦","date":"2027-01-01","isOffDay":true}]`, "line 1",
			[]string{"JSON 对象", "而不是列表"}, []string{"one JSON object", "not a list"}},
		{"null", "2027.json", `null`, "line 1", []string{"而不是 null"}, []string{"not null"}},
		{"year as text", "2027.json", `{"year":"2027","days":[]}`, "year", []string{"year 应为整数年份", "而不是文字"}, []string{"a whole number", "not text"}},
		{"days as an object", "2027.json", `{"year":2027,"days":{"元旦":"2027-01-01"}}`, "days", []string{"列表", "而不是对象"}, []string{"a list", "not an object"}},
		{"a day as text", "2027.json", `{"year":2027,"days":["2027-01-01"]}`, "days[0]", []string{"对象", "而不是文字"}, []string{"an object", "not text"}},
		{"isOffDay as text", "2027.json", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":"是"}]}`, "days[0].isOffDay",
			[]string{"true 或 false"}, []string{"true or false", "not text"}},
		{"last year's file", "2027.json", y26, "year", []string{"2027.json", "2026 年"}, []string{"named 2027.json", "holds the year 2026"}},
		{"last year's calendar", "2027.ics", ics("DTSTART;VALUE=DATE:20260101\r\nSUMMARY:元旦\r\n"), "year", []string{"2026"}, []string{"2026"}},
		{"not iCalendar", "2027.ics", "not a calendar", "file", []string{"不是 iCalendar", "not a calendar"}, []string{"not an iCalendar file", "BEGIN:VCALENDAR"}},
		{"JSON named .ics", "2027.ics", `{"year":2027}`, "file", []string{"不是 iCalendar"}, []string{"not an iCalendar file"}},
		{"a time, not a date", "2027.ics", ics("DTSTART:20270101T090000\r\nSUMMARY:元旦\r\n"), "line 3",
			[]string{"全天日期", "20270101T090000"}, []string{"all-day date", "without a time"}},
		{"no name", "2027.ics", ics("DTSTART;VALUE=DATE:20270101\r\n"), "line 2", []string{"SUMMARY"}, []string{"SUMMARY"}},
		{"a stray line", "2027.ics", ics("DTSTART;VALUE=DATE:20270101\r\n元旦\r\n"), "line 4", []string{"第 4 行", "名称:值"}, []string{"line 4", "NAME:value"}},
	}
	for _, tc := range cases {
		ys, err := Parse(tc.name, []byte(tc.body))
		ae, ok := err.(*apperr.Error)
		if !ok || ae.Code != apperr.Invalid || ys != nil {
			t.Errorf("%s: %v, %d years", tc.what, err, len(ys))
			continue
		}
		if ae.Field != tc.field {
			t.Errorf("%s: field %q, want %q", tc.what, ae.Field, tc.field)
		}
		for _, w := range tc.zh {
			if !strings.Contains(ae.Message("zh"), w) {
				t.Errorf("%s: %q lacks %q", tc.what, ae.Message("zh"), w)
			}
		}
		for _, w := range tc.en {
			if !strings.Contains(ae.Message("en"), w) {
				t.Errorf("%s: %q lacks %q", tc.what, ae.Message("en"), w)
			}
		}
		for _, raw := range []string{"literal", "invalid character", "calendar.", "[]*", "looking for", "cannot parse"} {
			if strings.Contains(ae.Message("zh")+ae.Message("en"), raw) {
				t.Errorf("%s: the decoder's words %q in %q / %q", tc.what, raw, ae.Message("zh"), ae.Message("en"))
			}
		}
	}
	// Files not named after a year, or naming the year they hold, pass.
	for _, name := range []string{"holidays.json", "2027.json", "2027-notice.json"} {
		if _, err := Parse(name, []byte(strings.ReplaceAll(y26, "2026", "2027"))); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
