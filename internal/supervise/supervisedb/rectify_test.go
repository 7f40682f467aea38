package supervisedb_test

import (
	"strconv"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// inbox is how many in-app messages for staff member login are in the
// outbox (the deliverer puts them in the inbox).
func (f *fixture) inbox(t testing.TB, login string) int {
	t.Helper()
	return count(t, f.db, `SELECT count(*) FROM notify_outbox WHERE channel = 'inapp' AND recipient = ? AND link LIKE '/supervision/rectifications/%'`,
		strconv.FormatInt(f.who(login).StaffID, 10))
}

// S8: a red card becomes a rectification item of the card's unit, owned
// by its head by default, who is told in the same write (inbox and
// outbox); the unit notes progress and closes it with evidence, which
// clears the card.
func TestRectification_S8_fromACard_ownerToldAtOnce_closedWithEvidenceClearsTheCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t)
		f.catchUp(t, 0)
		f.set("2026-03-05T10:00")
		f.sweep(t)
		h5 := f.cardsOf(t, n)["h5.hand_over|"+n]
		sup, unit := f.who("supervisor1"), f.who("unit1")
		ref := strconv.FormatInt(h5.ID, 10)
		if _, err := f.sup.OpenRectification(ctx, unit, supervisedb.Problem{Source: supervise.FromCard, Ref: ref, Problem: "x"}); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff put a problem on the list: %v", err)
		}
		if _, err := f.sup.OpenRectification(ctx, sup, supervisedb.Problem{Source: supervise.FromCard, Ref: ref, Problem: "x", Deadline: "2026-03-05"}); !isField(err, "deadline") {
			t.Fatalf("a deadline of today: %v", err)
		}
		before := f.inbox(t, "head_zhzf")
		x, err := f.sup.OpenRectification(ctx, sup, supervisedb.Problem{Source: supervise.FromCard, Ref: ref, Problem: "受理后未按时移交"})
		if err != nil {
			t.Fatal(err)
		}
		// Ten working days from Thursday 5 March: Thursday 19 March.
		if x.Owner.Name != "李强" || x.Unit.Code != "ZHZF" || x.Deadline.String() != "2026-03-19" || x.Card == nil || x.Card.Rule != "h5.hand_over" {
			t.Fatalf("item %+v", x)
		}
		if f.inbox(t, "head_zhzf") != before+1 {
			t.Fatal("the owner was not told in the same write")
		}
		if n := count(t, db, `SELECT count(*) FROM notify_outbox WHERE channel = 'sms' AND recipient = '13900000030'`); n == 0 {
			t.Fatal("no SMS to the owner")
		}
		for login, want := range map[string]bool{"unit1": true, "head_zhzf": true, "supervisor1": true, "window1": false, "external1": false, "xikou1": false} {
			if got, err := f.sup.MayWork(ctx, f.who(login), x); err != nil || got != want {
				t.Errorf("%s may work on the item: %v (%v), want %v", login, got, err, want)
			}
		}
		if _, err := f.sup.ActOnRectification(ctx, f.who("xikou1"), x.ID, int64(x.Version), supervisedb.RectStep{Action: "note", Text: "x"}); err == nil {
			t.Fatal("another town's staff noted progress")
		}
		f.set("2026-03-06T10:00")
		x, err = f.sup.ActOnRectification(ctx, unit, x.ID, int64(x.Version), supervisedb.RectStep{Action: "note", Text: "已督促经办人移交"})
		if err != nil || len(x.Progress) != 1 {
			t.Fatalf("note: %+v %v", x, err)
		}
		if _, err := f.sup.ActOnRectification(ctx, unit, x.ID, int64(x.Version)-1, supervisedb.RectStep{Action: "close", Evidence: []string{"a.pdf"}}); !isCode(err, apperr.Conflict) {
			t.Fatalf("a stale close: %v", err)
		}
		if _, err := f.sup.ActOnRectification(ctx, unit, x.ID, int64(x.Version), supervisedb.RectStep{Action: "close"}); !isField(err, "evidence") {
			t.Fatalf("closed without evidence: %v", err)
		}
		x, err = f.sup.ActOnRectification(ctx, unit, x.ID, int64(x.Version), supervisedb.RectStep{Action: "close", Text: "已移交", Evidence: []string{"移交记录.pdf"}})
		if err != nil || x.State != supervise.RectClosed {
			t.Fatalf("close: %+v %v", x, err)
		}
		if c := f.cardsOf(t, n)["h5.hand_over|"+n]; c.Open() {
			t.Fatal("the card stayed open after its rectification was closed")
		}
		mine, err := f.sup.Rectifications(ctx, unit, supervisedb.RectFilter{})
		if err != nil || len(mine) != 1 {
			t.Fatalf("the unit's list: %d %v", len(mine), err)
		}
		other, err := f.sup.Rectifications(ctx, f.who("xikou1"), supervisedb.RectFilter{})
		if err != nil || len(other) != 0 {
			t.Fatalf("another town's list: %d %v", len(other), err)
		}
		checkCounts(t, db)
		verify(t, db)
	})
}

// S8: an item open past its deadline raises rectification.red at the
// start of the day after the deadline (not a minute before), however late
// the sweep; closing it clears the card.
func TestRectification_S8_overdueIsARedCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sup := f.who("supervisor1")
		// Deadline Friday 13 March: red from Saturday the 14th, 00:00.
		x, err := f.sup.OpenRectification(ctx, sup, supervisedb.Problem{Source: supervise.FromInspection, Ref: "2026年第一季度联合检查",
			Problem: "窗口一次性告知单未更新", Unit: "BMFW", Owner: f.who("window1").StaffID, Deadline: "2026-03-13"})
		if err != nil {
			t.Fatal(err)
		}
		if x.Owner.Name != "陈晓" {
			t.Fatalf("owner %+v", x.Owner)
		}
		red := func() (supervisedb.Card, bool) {
			cs, err := f.sup.Cards(ctx, sup, supervisedb.Filter{All: true, Unit: "BMFW"})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if c.Rule == "rectification.red" && c.Object.ID == strconv.FormatInt(x.ID, 10) {
					return c, true
				}
			}
			return supervisedb.Card{}, false
		}
		f.set("2026-03-13T23:59")
		f.sweep(t)
		if _, ok := red(); ok {
			t.Fatal("rectification.red before the deadline ran out")
		}
		f.set("2026-03-16T09:00")
		f.sweep(t)
		c, ok := red()
		if !ok || !c.At.Equal(at("2026-03-14T00:00")) || !c.RaisedAt.Equal(at("2026-03-16T09:00")) || c.Person.Name != "陈晓" {
			t.Fatalf("rectification.red %+v (found %v)", c, ok)
		}
		checkCounts(t, db)
		if _, err := f.sup.ActOnRectification(ctx, f.who("window1"), x.ID, int64(x.Version), supervisedb.RectStep{Action: "close", Evidence: []string{"新告知单.pdf"}}); err != nil {
			t.Fatal(err)
		}
		if c, _ := red(); c.Open() {
			t.Fatal("rectification.red still open after the item was closed")
		}
		if _, err := f.sup.OpenRectification(ctx, sup, supervisedb.Problem{Source: supervise.FromInspection, Problem: "x", Unit: "NOPE", Deadline: "2026-04-30"}); !isField(err, "unit") {
			t.Fatalf("an unknown unit: %v", err)
		}
		if _, err := f.sup.OpenRectification(ctx, sup, supervisedb.Problem{Source: supervise.FromInspection, Problem: "x", Unit: "BMFW", Owner: f.who("unit1").StaffID, Deadline: "2026-04-30"}); !isField(err, "owner") {
			t.Fatalf("an owner of another unit: %v", err)
		}
		checkCounts(t, db)
		verify(t, db)
	})
}

// S7: an external supervisor's report lands on the list with their kind,
// recorded by an administrator; without a kind recorded it is refused
// naming the reporter, and they may put nothing else on the list.
func TestRectification_S7_externalSupervisorsReportLandsOnTheList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ext := f.who("external1")
		report := supervisedb.Problem{Source: supervise.FromExternal, Problem: "便民服务中心午休时段无人值守", Unit: "BMFW"}
		if _, err := f.sup.OpenRectification(ctx, ext, report); !isField(err, "reporter") {
			t.Fatalf("a report without the kind recorded: %v", err)
		}
		if err := f.sup.SetExternalKind(ctx, f.who("supervisor1"), ext.StaffID, 0, "deputy"); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a supervisor recorded a kind: %v", err)
		}
		if err := f.sup.SetExternalKind(ctx, f.who("admin"), ext.StaffID, 0, "mayor"); !isField(err, "kind") {
			t.Fatalf("an unknown kind: %v", err)
		}
		if err := f.sup.SetExternalKind(ctx, f.who("admin"), f.who("unit1").StaffID, 0, "deputy"); !isCode(err, apperr.NotFound) {
			t.Fatalf("a kind for staff who are no external supervisor: %v", err)
		}
		if err := f.sup.SetExternalKind(ctx, f.who("admin"), ext.StaffID, 0, "deputy"); err != nil {
			t.Fatal(err)
		}
		if err := f.sup.SetExternalKind(ctx, f.who("admin"), ext.StaffID, 0, "journalist"); !isCode(err, apperr.Conflict) {
			t.Fatalf("a stale kind: %v", err)
		}
		x, err := f.sup.OpenRectification(ctx, ext, report)
		if err != nil || x.Reporter != "deputy" || x.Owner.Name != "王芳" || x.Source != supervise.FromExternal {
			t.Fatalf("report %+v %v", x, err)
		}
		if _, err := f.sup.OpenRectification(ctx, ext, supervisedb.Problem{Source: supervise.FromInspection, Problem: "x", Unit: "BMFW"}); !isField(err, "source") {
			t.Fatalf("an external supervisor's inspection: %v", err)
		}
		list, err := f.sup.Rectifications(ctx, f.who("supervisor1"), supervisedb.RectFilter{Open: true})
		if err != nil || len(list) != 1 || list[0].ID != x.ID {
			t.Fatalf("the supervisor's list: %+v %v", list, err)
		}
		es, err := f.sup.Externals(ctx, f.who("admin"))
		if err != nil || len(es) != 1 || es[0].Kind != "deputy" {
			t.Fatalf("externals %+v %v", es, err)
		}
		verify(t, db)
	})
}

// Issue #16 item 6: a unit sees its own cards, the orders to it and its
// rectification items, and no other unit's; a supervisor any unit of the
// jurisdiction; the counts are the maintained ones.
func TestUnitView_S4_S8_aUnitSeesItsOwnCardsOrdersAndRectifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t)
		f.catchUp(t, 0)
		f.set("2026-03-05T10:00")
		f.sweep(t)
		sup, unit := f.who("supervisor1"), f.who("unit1")
		h5 := f.cardsOf(t, n)["h5.hand_over|"+n]
		if _, err := f.sup.IssueFromCard(ctx, sup, h5.ID, "尽快移交", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.sup.OpenRectification(ctx, sup, supervisedb.Problem{Source: supervise.FromCard, Ref: strconv.FormatInt(h5.ID, 10), Problem: "移交超时"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.sup.OpenRectification(ctx, sup, supervisedb.Problem{Source: supervise.FromInspection, Problem: "别的单位", Unit: "BMFW"}); err != nil {
			t.Fatal(err)
		}
		v, err := f.sup.Unit(ctx, unit, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if v.Unit.Code != "ZHZF" || v.Red == 0 || len(v.Cards) == 0 || len(v.Orders) != 1 || len(v.Rectifications) != 1 || v.Rectifications[0].Problem != "移交超时" {
			t.Fatalf("the unit's view %+v", v)
		}
		for _, c := range v.Cards {
			if c.Unit != "ZHZF" {
				t.Fatalf("another unit's card: %+v", c)
			}
		}
		if _, err := f.sup.Unit(ctx, unit, "", "BMFW"); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff read another unit: %v", err)
		}
		if _, err := f.sup.Unit(ctx, f.who("xikou1"), sup.BodyPath, "ZHZF"); !isCode(err, apperr.Forbidden) {
			t.Fatalf("another town's staff read the unit: %v", err)
		}
		w, err := f.sup.Unit(ctx, sup, "", "BMFW")
		if err != nil || len(w.Rectifications) != 1 || len(w.Orders) != 0 {
			t.Fatalf("the supervisor's view of BMFW: %+v %v", w, err)
		}
		counts := checkCounts(t, db)
		if got := counts[supervise.CountKey{BodyPath: sup.BodyPath, Unit: "ZHZF", Level: supervise.Red}]; int64(got) != v.Red {
			t.Fatalf("the view's red %d, the counts %d", v.Red, got)
		}
	})
}
