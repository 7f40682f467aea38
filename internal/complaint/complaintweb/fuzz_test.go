package complaintweb_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/complaint/complaintweb"
)

// FuzzActionForm: any action form either reads into an action with a
// positive base version or is refused with an Invalid (or a missing
// version) naming its field. Never a panic.
func FuzzActionForm(f *testing.F) {
	for _, s := range []string{"version=1&action=accept&mode=direct", "version=3&action=assign&investigators=1,2&investigators=3",
		"version=x", "version=2&days=1e9", "version=2&investigators=1，２", "", "version=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/complaints/x/act", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			return
		}
		a, base, err := complaintweb.ActionOf(r)
		if err != nil {
			if e := apperr.As(err); e == nil || e.Field == "" {
				t.Fatalf("%q: refusal without a field: %v", body, err)
			}
			return
		}
		if base <= 0 {
			t.Fatalf("%q: read with base %d", body, base)
		}
		for _, id := range a.Investigators {
			if id == 0 && !strings.Contains(body, "0") {
				t.Fatalf("%q: an investigator 0 from nowhere", body)
			}
		}
	})
}
