package caseworkdb_test

import (
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// FuzzList_cursorAndStatus: whatever a client sends as the list's cursor
// and status, the list answers a page or refuses naming the field — never
// a server error.
func FuzzList_cursorAndStatus(f *testing.F) {
	db := storetest.SQLite(f)
	fx := newFixture(f, db)
	n := fx.open(f, "XK0001", "申请书", "场地使用证明").Case.Number
	fx.act(f, "window1", n, caseAccept)
	for _, seed := range [][2]string{{"", ""}, {"2026-03-16~1", "accepted"}, {"~", "x"}, {"2026-03-16~-1", ""}, {"'~1", "submitted"}, {"9999999999~99999999999999999999", ""}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, after, status string) {
		_, err := fx.svc.List(ctx, fx.who("window1"), caseworkdb.Filter{After: after, Status: flow.Status(status)})
		if err != nil {
			if e := apperr.As(err); e.Code != apperr.Invalid || (e.Field != "after" && e.Field != "status") || e.Message("zh") == "" || e.Message("en") == "" {
				t.Fatalf("after %q status %q: %v (%s)", after, status, err, e.Code)
			}
		}
	})
}

// FuzzOpen_idempotencyKey: a key is taken (16–200 visible ASCII) or
// refused naming Idempotency-Key, never anything else, and a taken key
// made one case however often it came.
func FuzzOpen_idempotencyKey(f *testing.F) {
	db := storetest.SQLite(f)
	fx := newFixture(f, db)
	for _, seed := range []string{"0b7e6d1c-2f43-4a8e-9d5b-6c1f2e3a4b5c", "short", "with space 123456789", "键键键键键键键键键键键键键键键键", "\x00\x01aaaaaaaaaaaaaaaaaa"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if key == "" {
			return // no key: not idempotent, a case each time
		}
		app := caseworkdb.Application{BodyID: fx.demo.Bodies["330199"], Item: "XK0001", Applicant: lisi}
		a, err := fx.svc.Open(ctx, zeroPrincipal, app, key)
		if err != nil {
			if e := apperr.As(err); e.Field != "Idempotency-Key" {
				t.Fatalf("key %q: %v", key, err)
			}
			return
		}
		b, err := fx.svc.Open(ctx, zeroPrincipal, app, key)
		if err != nil || b.Case.Number != a.Case.Number || b.QueryCode != a.QueryCode {
			t.Fatalf("key %q again: %+v %v", key, b, err)
		}
	})
}
