package caseworkdb_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// promisedV2 is the shipped promised flow as an administrator changes it:
// version 2, the decision step renamed.
func promisedV2(t *testing.T) []byte {
	t.Helper()
	src, err := flow.ShippedSource("promised")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "version: 1", "version: 2", 1)
	if s == string(src) {
		t.Fatal("the shipped promised flow has no `version: 1` line")
	}
	return []byte(s)
}

// TestPublishFlow_H1_aCaseKeepsTheVersionItStartedWith: publishing version
// 2 of the promised flow (audited) makes new cases start on it, while a
// case opened before keeps running on version 1 to the end.
func TestPublishFlow_H1_aCaseKeepsTheVersionItStartedWith(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		old := f.open(t, "XK0001", "申请书", "场地使用证明").Case
		if old.Flow.Code != "promised" || old.Flow.Version != 1 {
			t.Fatalf("opened on %+v", old.Flow)
		}
		v, err := f.svc.PublishFlow(ctx, f.who("admin"), promisedV2(t), 1)
		if err != nil {
			t.Fatal(err)
		}
		if v.Version != 2 || v.Code != "promised" {
			t.Fatalf("published %+v", v)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE action = 'case_flow.published' AND actor = 'admin'`); n != 1 {
			t.Fatalf("%d publication events", n)
		}
		fresh := f.open(t, "XK0001", "申请书", "场地使用证明").Case
		if fresh.Flow.Version != 2 {
			t.Fatalf("a new case started on %+v, want version 2", fresh.Flow)
		}
		for _, a := range []struct {
			at string
			a  casework.Action
			by string
		}{{"2026-03-02T09:10", caseAccept, "window1"}, {"2026-03-02T15:00", casework.Action{ID: "hand_over"}, "window1"},
			{"2026-03-03T09:00", casework.Action{ID: "receive"}, "unit1"}} {
			f.set(a.at)
			c := f.act(t, a.by, old.Number, a.a)
			if c.Flow.Version != 1 || c.Flow.Hash != old.Flow.Hash {
				t.Fatalf("after %s the old case runs on %+v, want version 1", a.a.ID, c.Flow)
			}
		}
		d, err := f.svc.Get(ctx, f.who("window1"), old.Number)
		if err != nil || d.Flow.Version != 1 {
			t.Fatalf("the old case reads as flow %+v, %v", d.Flow, err)
		}
		fl, err := f.svc.Flow(ctx, f.who("admin"), "promised")
		if err != nil || len(fl.Versions) != 2 || fl.Versions[0].Version != 2 || fl.Versions[0].Cases != 1 || fl.Versions[1].Cases != 1 {
			t.Fatalf("the flow's history %+v, %v", fl.Versions, err)
		}
		verify(t, db)
	})
}

// TestPublishFlow_H1_refusalsChangeNothing: a stale edit, a version not
// above the current one, a file with mistakes and a town's administrator
// are refused, each saying why, and nothing is stored.
func TestPublishFlow_H1_refusalsChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		before := count(t, db, `SELECT COUNT(*) FROM case_flows`)
		src, err := flow.ShippedSource("promised")
		if err != nil {
			t.Fatal(err)
		}
		bad := strings.Replace(string(promisedV2(t)), "role: window", "role: janitor", 1)
		for _, c := range []struct {
			name, who string
			data      []byte
			basedOn   int64
			code      apperr.Code
			field     string
		}{
			{"stale", "admin", promisedV2(t), 0, apperr.Conflict, "code"},
			{"stale version", "admin", promisedV2(t), 3, apperr.Conflict, apperr.FieldVersion},
			{"same version", "admin", src, 1, apperr.Invalid, "version"},
			{"mistakes", "admin", []byte(bad), 1, "", ""},
			{"town admin", "xikou_admin", promisedV2(t), 1, apperr.Forbidden, ""},
			{"window", "window1", promisedV2(t), 1, apperr.Forbidden, ""},
		} {
			_, err := f.svc.PublishFlow(ctx, f.who(c.who), c.data, c.basedOn)
			if c.code != "" && (apperr.CodeOf(err) != c.code || (c.field != "" && apperr.As(err).Field != c.field)) {
				t.Errorf("%s: %v, want %s on %q", c.name, err, c.code, c.field)
			}
			if c.name == "mistakes" {
				var l apperr.List
				if !errors.As(err, &l) || !strings.Contains(l[0].Field, "line ") || !strings.Contains(l[0].Message("zh"), "janitor") {
					t.Errorf("mistakes: %v, want the line and the unknown role", err)
				}
			}
		}
		if after := count(t, db, `SELECT COUNT(*) FROM case_flows`); after != before {
			t.Fatalf("refusals stored flows: %d → %d", before, after)
		}
		verify(t, db)
	})
}
