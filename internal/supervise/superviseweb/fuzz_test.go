package superviseweb

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzFilter: any query reads into a filter without panicking; values are
// trimmed, and only a truth of strconv.ParseBool asks for cleared cards.
func FuzzFilter(f *testing.F) {
	f.Add("/1/", "ZHZF", "red", "330199-2026-000001", "true")
	f.Add(" ", "\x00", "purple", "", "maybe")
	f.Fuzz(func(t *testing.T, body, unit, level, number, all string) {
		q := url.Values{"body": {body}, "unit": {unit}, "level": {level}, "case": {number}, "all": {all}}
		got := filter(httptest.NewRequest("GET", "/supervision/cards?"+q.Encode(), nil))
		want, _ := strconv.ParseBool(all)
		if got.All != want || got.BodyPath != strings.TrimSpace(body) || got.Unit != strings.TrimSpace(unit) ||
			string(got.Level) != strings.TrimSpace(level) || got.Case != strings.TrimSpace(number) {
			t.Fatalf("filter %+v from %v", got, q)
		}
	})
}
