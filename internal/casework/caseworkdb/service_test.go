package caseworkdb_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

var ctx = context.Background()

func TestOpen_H6_V3_windowRegistersOwnsAndTheCaseIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		o := f.open(t, "XK0001", "申请书", "场地使用证明")
		c := o.Case
		if !strings.HasPrefix(c.Number, "330199-2026-") || c.Status != flow.Submitted || c.FirstResponder.Login != "window1" {
			t.Fatalf("opened %+v", c)
		}
		if len(o.QueryCode) != casework.QueryCodeLength || c.QueryCodeHash != "" {
			t.Fatalf("query code %q, hash shown to staff %q", o.QueryCode, c.QueryCodeHash)
		}
		o2 := f.open(t, "XK0001", "申请书")
		if o2.Case.Number == c.Number {
			t.Fatalf("two cases share number %s", c.Number)
		}
		evs, err := f.svc.Timeline(ctx, f.who("window1"), c.Number)
		if err != nil || len(evs) != 1 || evs[0].Action != "apply" || evs[0].By.Login != "window1" {
			t.Fatalf("timeline %+v, %v", evs, err)
		}
		// The case's clock exists from the start and has not started (H2).
		if n := count(t, db, `SELECT COUNT(*) FROM clocks WHERE object_type = 'case' AND object_id = ?`, c.Number); n != 1 {
			t.Fatalf("%d clocks", n)
		}
		verify(t, db)
	})
}

func TestOpen_C4_itemNotListedAtTheInstantChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.list.set("XK0001", casework.Suspended)
		_, err := f.svc.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: lisi}, "")
		if apperr.CodeOf(err) != apperr.Conflict || apperr.As(err).Field != "item" || !strings.Contains(apperr.As(err).Message("zh"), "暂停") {
			t.Fatalf("suspended item: %v", err)
		}
		_, err = f.svc.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "NOPE", Applicant: lisi}, "")
		if apperr.CodeOf(err) != apperr.Conflict || apperr.As(err).Field != "item" || apperr.As(err).Message("en") == "" {
			t.Fatalf("unlisted item: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cases`); n != 0 {
			t.Fatalf("%d cases after refusals", n)
		}
		// Listed at registration, suspended before acceptance: accept is
		// refused at its own instant.
		f.list.set("XK0001", casework.Listed)
		o := f.open(t, "XK0001", "申请书", "场地使用证明")
		f.list.set("XK0001", casework.Cancelled)
		if _, err := f.svc.Act(ctx, f.who("window1"), o.Case.Number, 0, casework.Action{ID: "accept"}); apperr.CodeOf(err) == "" {
			t.Fatal("accepted under a cancelled item")
		}
	})
}

func TestOpen_bad_input_namesTheFieldAndChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, tc := range []struct {
			app   caseworkdb.Application
			field string
		}{
			{caseworkdb.Application{Item: "XK0001", Applicant: casework.Applicant{Kind: casework.Person, Name: "李四", ResidentID: "110105194912310021"}}, "applicant.resident_id"},
			{caseworkdb.Application{Item: "XK0001", Applicant: casework.Applicant{Kind: casework.Person, Name: "李四", ResidentID: lisi.ResidentID, Phone: "12345"}}, "applicant.phone"},
			{caseworkdb.Application{Item: "XK0001", Applicant: lisi, Materials: []string{"护照"}}, "materials[0]"},
		} {
			_, err := f.svc.Open(ctx, f.who("window1"), tc.app, "")
			e := apperr.As(err)
			if e.Code != apperr.Invalid || e.Field != tc.field || e.Message("zh") == "" || e.Message("en") == "" {
				t.Errorf("%+v: %v (field %q)", tc.app, err, e.Field)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cases`); n != 0 {
			t.Fatalf("%d cases after refusals", n)
		}
	})
}

func TestAct_H1_twoStaffActingAtOnce_exactlyOneWins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		o := f.open(t, "XK0001", "申请书", "场地使用证明")
		base := int64(o.Case.Version)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.svc.Act(ctx, f.who("window1"), o.Case.Number, base, casework.Action{ID: "accept"})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !apperr.IsStale(err):
				t.Errorf("loser: %v, want stale", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d won", won)
		}
		d, err := f.svc.Get(ctx, f.who("window1"), o.Case.Number)
		if err != nil || d.Case.Version != int(base)+1 || d.Case.Status != flow.Accepted {
			t.Fatalf("after: %+v %v", d.Case, err)
		}
		evs, err := f.svc.Timeline(ctx, f.who("window1"), o.Case.Number)
		if err != nil || len(evs) != 2 {
			t.Fatalf("timeline %d events, %v", len(evs), err)
		}
		// Without a base the second is refused by the flow: the case has
		// moved on.
		_, err = f.svc.Act(ctx, f.who("window1"), o.Case.Number, 0, casework.Action{ID: "accept"})
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("accept twice: %v", err)
		}
		verify(t, db)
	})
}

func TestAct_O1_jurisdictionAndRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		o := f.open(t, "XK0001", "申请书", "场地使用证明")
		n := o.Case.Number
		if _, err := f.svc.Get(ctx, f.who("xikou1"), n); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("another town's staff read it: %v", err)
		}
		if _, err := f.svc.Act(ctx, f.who("xikou1"), n, 0, casework.Action{ID: "accept"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("another town's staff acted: %v", err)
		}
		if _, err := f.svc.Get(ctx, access.Principal{}, n); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("the public read it: %v", err)
		}
		if _, err := f.svc.Act(ctx, f.who("unit1"), n, 0, casework.Action{ID: "accept"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("unit staff accepted at the window: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.who("leader1"), n); err != nil {
			t.Fatalf("the district's leader: %v", err)
		}
		p, err := f.svc.List(ctx, f.who("xikou1"), caseworkdb.Filter{BodyID: f.demo.Bodies["330199"]})
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("another town listed the district's cases: %+v %v", p, err)
		}
	})
}

// A promised case from the window to the unit and back, with its clock,
// its messages and the push to the supervising unit (H9), all audited.
func TestAct_H2_H9_promisedCaseCarriesOutEveryEffect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.open(t, "XK0001", "申请书", "场地使用证明").Case.Number
		f.set("2026-03-02T09:10")
		c := f.act(t, "window1", n, casework.Action{ID: "accept"})
		if c.AcceptedAt.IsZero() || c.Status != flow.Accepted {
			t.Fatalf("accepted: %+v", c)
		}
		steps := []struct {
			at, who string
			a       casework.Action
		}{
			{"2026-03-02T15:00", "window1", casework.Action{ID: "hand_over"}},
			{"2026-03-03T09:00", "unit1", casework.Action{ID: "receive"}},
			{"2026-03-05T10:00", "unit1", casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予"}},
			{"2026-03-05T15:00", "unit1", casework.Action{ID: "hand_back"}},
			{"2026-03-06T10:00", "window1", casework.Action{ID: "complete", Certificate: "青广许〔2026〕1号"}},
		}
		for _, s := range steps {
			f.set(s.at)
			c = f.act(t, s.who, n, s.a)
		}
		if c.Status != flow.Completed || c.Flagged("H7") {
			t.Fatalf("completed: %s %v", c.Status, c.FlagRules())
		}
		var clock string
		if err := db.QueryRow(ctx, `SELECT events FROM clocks WHERE object_type = 'case' AND object_id = ?`, n).Scan(&clock); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(clock, `"start"`) || !strings.Contains(clock, `"finish"`) {
			t.Fatalf("clock events %s", clock)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM notify_outbox WHERE root_type = 'case' AND root_id = ? AND channel = 'webhook' AND recipient = 'supervision'`, n); k != 1 {
			t.Fatalf("%d webhooks to the supervising unit", k)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM notify_outbox WHERE root_id = ? AND channel = 'sms'`, n); k == 0 {
			t.Fatal("the applicant was sent nothing")
		}
		rec, err := f.svc.Record(ctx, f.who("window1"), n)
		if err != nil || rec.Completion == nil || rec.Completion.CertificateNumber != "青广许〔2026〕1号" || len(rec.Steps) != 7 {
			t.Fatalf("record: %+v %v", rec, err)
		}
		verify(t, db)
	})
}

func TestDeemAccept_L2_afterFiveSilentWorkingDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.open(t, "XK0001", "申请书").Case.Number // 场地使用证明 missing
		f.set("2026-03-09T00:00")                   // 5 working days later: not yet
		if k, err := f.svc.DeemAcceptDue(ctx, nil); err != nil || k != 0 {
			t.Fatalf("deemed %d early, %v", k, err)
		}
		f.set("2026-03-10T00:00")
		if k, err := f.svc.DeemAcceptDue(ctx, nil); err != nil || k != 1 {
			t.Fatalf("deemed %d, %v", k, err)
		}
		d, err := f.svc.Get(ctx, f.who("window1"), n)
		if err != nil || !d.Case.Deemed || d.Case.Status != flow.Accepted || !d.Case.Flagged("L2") {
			t.Fatalf("after: %+v %v", d.Case, err)
		}
		if got := d.Case.AcceptedAt.In(shanghai).Format("2006-01-02"); got != "2026-03-02" {
			t.Fatalf("accepted on %s, want the day the materials came", got)
		}
		if k, err := f.svc.DeemAcceptDue(ctx, nil); err != nil || k != 0 {
			t.Fatalf("deemed again: %d %v", k, err)
		}
		evs, err := f.svc.Timeline(ctx, f.who("window1"), n)
		if err != nil || evs[len(evs)-1].By.Login != "system" {
			t.Fatalf("timeline %+v %v", evs, err)
		}
		verify(t, db)
	})
}

func TestDeemAccept_L2_runsUnderItsLease(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	n := f.open(t, "XK0001", "申请书").Case.Number
	f.set("2026-03-10T00:00")
	c, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.svc.RunDeemAccept(c, 10*time.Millisecond) }()
	deemed := false
	for range 500 {
		d, err := f.svc.Get(ctx, f.who("window1"), n)
		if err != nil {
			t.Fatal(err)
		}
		if deemed = d.Case.Deemed; deemed {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if !deemed {
		t.Fatal("the periodic job never deemed the case accepted")
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("job: %v", err)
	}
}

func TestOpen_V3_idempotencyKey_oneCasePerSubmission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		app := caseworkdb.Application{BodyID: f.demo.Bodies["330199"], Item: "XK0001", Applicant: lisi, Materials: []string{"申请书"}}
		key := "7f2c1a9e-4b8d-4c1e-9a51-0d3b6e2f8c47"
		a, err := f.svc.Open(ctx, access.Principal{}, app, key)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.Open(ctx, access.Principal{}, app, key)
		if err != nil || b.Case.Number != a.Case.Number || b.QueryCode != a.QueryCode || !b.Replayed {
			t.Fatalf("again: %+v %v", b, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cases`); n != 1 {
			t.Fatalf("%d cases", n)
		}
		app.Materials = nil
		if _, err := f.svc.Open(ctx, access.Principal{}, app, key); apperr.As(err).Field != "Idempotency-Key" {
			t.Fatalf("another submission under the key: %v", err)
		}
		if _, err := f.svc.Open(ctx, access.Principal{}, app, "short"); apperr.As(err).Field != "Idempotency-Key" {
			t.Fatalf("a short key: %v", err)
		}
		// The public follows it by number and code (V3), masked (L7).
		v, err := f.svc.Lookup(ctx, a.Case.Number, a.QueryCode)
		if err != nil || v.Status != flow.Submitted || strings.Contains(v.Applicant, "李四") {
			t.Fatalf("lookup: %+v %v", v, err)
		}
		_, err = f.svc.Lookup(ctx, a.Case.Number, "AAAAAAAA")
		_, err2 := f.svc.Lookup(ctx, "330199-2026-999999", a.QueryCode)
		if apperr.CodeOf(err) != apperr.NotFound || apperr.CodeOf(err2) != apperr.NotFound {
			t.Fatalf("wrong code %v, unknown number %v", err, err2)
		}
		// The applicant withdraws with the code.
		c, err := f.svc.ActAsApplicant(ctx, a.Case.Number, a.QueryCode, 0, casework.Action{ID: "withdraw", Reason: "不再需要"})
		if err != nil || c.Status != flow.Withdrawn {
			t.Fatalf("withdraw: %+v %v", c, err)
		}
		verify(t, db)
	})
}

func TestList_L10_byUnitStatusAndDue_paged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var numbers []string
		for range 5 {
			n := f.open(t, "XK0001", "申请书", "场地使用证明").Case.Number
			f.act(t, "window1", n, casework.Action{ID: "accept"})
			numbers = append(numbers, n)
		}
		f.open(t, "XK0001", "申请书") // submitted, no due date
		p := f.who("window1")
		page, err := f.svc.List(ctx, p, caseworkdb.Filter{Unit: "ZHZF", Status: flow.Accepted, Limit: 2})
		if err != nil || len(page.Cases) != 2 || page.Next == "" || page.Cases[0].Due == "" {
			t.Fatalf("page 1: %+v %v", page, err)
		}
		var got []string
		for {
			for _, s := range page.Cases {
				got = append(got, s.Number)
			}
			if page.Next == "" {
				break
			}
			if page, err = f.svc.List(ctx, p, caseworkdb.Filter{Unit: "ZHZF", Status: flow.Accepted, Limit: 2, After: page.Next}); err != nil {
				t.Fatal(err)
			}
		}
		if strings.Join(got, ",") != strings.Join(numbers, ",") {
			t.Fatalf("paged %v, want %v", got, numbers)
		}
		all, err := f.svc.List(ctx, p, caseworkdb.Filter{})
		if err != nil || len(all.Cases) != 6 || all.Cases[0].Due != "" {
			t.Fatalf("all: %+v %v", all, err)
		}
		if _, err := f.svc.List(ctx, p, caseworkdb.Filter{Status: "lost"}); apperr.As(err).Field != "status" {
			t.Fatalf("bad status: %v", err)
		}
		if _, err := f.svc.List(ctx, p, caseworkdb.Filter{After: "x"}); apperr.As(err).Field != "after" {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}
