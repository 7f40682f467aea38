package calendar

import (
	"encoding/json"
	"testing"
)

// FuzzParseJSON: any input either parses into a year that validates and
// builds a calendar, or gives an error and nothing else. Never a panic.
func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(goodJSON))
	f.Add([]byte(`{"year":2027,"days":[{"name":"a","date":"2027-01-01","isOffDay":true}]}`))
	f.Add([]byte(`{"year":2027,"days":[null]}`))
	f.Add([]byte(`{"year":1e9}`))
	b, _ := embedded.ReadFile("data/2026.json")
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := ParseJSON(data)
		if err != nil {
			if y.Year != 0 || y.Days != nil || y.Papers != nil {
				t.Fatalf("data returned with error %v", err)
			}
			return
		}
		if err := y.Validate(); err != nil {
			t.Fatalf("parsed year does not validate: %v", err)
		}
		if _, err := New([]Year{y}, Options{}); err != nil {
			t.Fatalf("parsed year does not build: %v", err)
		}
		out, _ := json.Marshal(y)
		if _, err := ParseJSON(out); err != nil {
			t.Fatalf("re-reading our own output: %v", err)
		}
	})
}

// FuzzParseICS: the same for iCalendar.
func FuzzParseICS(f *testing.F) {
	f.Add([]byte(goodICS))
	f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270101\nSUMMARY:a\nEND:VEVENT\nEND:VCALENDAR\n"))
	f.Add([]byte("BEGIN:VCALENDAR\nX-QINGDAN-YEAR:2027\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261230\nDTEND;VALUE=DATE:20270102\nSUMMARY:元旦\nEND:VEVENT\nEND:VCALENDAR\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ys, err := ParseICS(data)
		if err != nil {
			if ys != nil {
				t.Fatalf("data returned with error %v", err)
			}
			return
		}
		if _, err := New(ys, Options{}); err != nil {
			t.Fatalf("parsed years do not build: %v", err)
		}
	})
}
