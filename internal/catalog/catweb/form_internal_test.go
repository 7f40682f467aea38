package catweb

import (
	"errors"
	"net/url"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

// FuzzCatalogForm: whatever a posted draft form holds, reading it never
// panics, and every problem is a field error naming where it is.
func FuzzCatalogForm(f *testing.F) {
	for _, s := range []string{
		"kind=change&visits=many&mat.0.name=x&mat.0.count=1&mat.0.source=government",
		"kind=add&fee.0.name=a&fee.0.min=1.5&fee.0.max=x&step.0.key=k&step.0.risk.0.level=high&step.0.risk.0.description=d",
		"kind=change&step.0.key=&step.0.check.0.kind=fee&step.0.check.0.description=x&step.0.limit_value=-1&valid_from=2026-13-01",
		"kind=suspend&lb.0.law=x&lb.0.remove=1&duty.0.text=a&acct.0.text=b&online=guide&fee_charged=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		form, err := postedForm(v)
		if err != nil {
			if apperr.As(err).Field == "" {
				t.Fatalf("unnamed problem %v", err)
			}
			return
		}
		form.addRow(v.Get("add"))
		if _, err := form.input(); err != nil {
			var l apperr.List
			if !errors.As(err, &l) {
				t.Fatalf("not a list of field problems: %v", err)
			}
			for _, e := range l {
				if e.Field == "" || e.Code != apperr.Invalid {
					t.Fatalf("problem %+v", e)
				}
			}
		}
	})
}
