package supervisedb_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// An order from a red card: 5 working days by default, answered by the
// unit, returned, answered again, accepted — which clears the card.
func TestOrder_S4_L10_fromACard_answeredReturnedAccepted_clearsTheCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t)
		f.catchUp(t, 0)
		f.set("2026-03-05T10:00") // Thursday
		f.sweep(t)
		h5 := f.cardsOf(t, n)["h5.hand_over|"+n]
		sup, unit := f.who("supervisor1"), f.who("unit1")
		if _, err := f.sup.IssueFromCard(ctx, unit, h5.ID, "尽快移交", 0); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff issued an order: %v", err)
		}
		if _, err := f.sup.IssueFromCard(ctx, sup, h5.ID, "  ", 0); !isField(err, "matter") {
			t.Fatalf("an order without a matter: %v", err)
		}
		o, err := f.sup.IssueFromCard(ctx, sup, h5.ID, "尽快移交", 0)
		if err != nil {
			t.Fatal(err)
		}
		// Five working days from Thursday 5 March: 12 March, 24:00.
		if o.Days != supervise.OrderDays || !o.Due.Equal(at("2026-03-13T00:00")) || o.Unit.Code != "ZHZF" || o.Case != n {
			t.Fatalf("order %+v", o)
		}
		if _, err := f.sup.Act(ctx, sup, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "answer", Text: "x"}); err == nil {
			t.Fatal("the supervisor answered for the unit")
		}
		f.set("2026-03-06T09:00")
		o, err = f.sup.Act(ctx, unit, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "answer", Text: "已安排专人移交"})
		if err != nil || o.State != supervise.OrderAnswered {
			t.Fatalf("answer: %+v %v", o, err)
		}
		if _, err := f.sup.Act(ctx, sup, o.ID, int64(o.Version)-1, supervisedb.OrderStep{Action: "accept"}); !isCode(err, apperr.Conflict) {
			t.Fatalf("a stale acceptance: %v", err)
		}
		o, err = f.sup.Act(ctx, sup, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "return", Text: "未附移交记录"})
		if err != nil || o.State != supervise.OrderIssued {
			t.Fatalf("return: %+v %v", o, err)
		}
		o, err = f.sup.Act(ctx, unit, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "answer", Text: "已补移交记录"})
		if err != nil {
			t.Fatal(err)
		}
		o, err = f.sup.Act(ctx, sup, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "accept", Text: "同意办结"})
		if err != nil || o.State != supervise.OrderClosed {
			t.Fatalf("accept: %+v %v", o, err)
		}
		if c := f.cardsOf(t, n)["h5.hand_over|"+n]; c.Open() {
			t.Fatal("the card stayed open after its order was closed")
		}
		list, err := f.sup.Orders(ctx, unit)
		if err != nil || len(list) != 1 {
			t.Fatalf("the unit's orders: %d %v", len(list), err)
		}
		checkCounts(t, db)
		verify(t, db)
	})
}

func isCode(err error, c apperr.Code) bool {
	var e *apperr.Error
	return errors.As(err, &e) && e.Code == c
}

func isField(err error, field string) bool {
	var e *apperr.Error
	if errors.As(err, &e) && e.Field == field {
		return true
	}
	var l apperr.List
	if errors.As(err, &l) {
		for _, x := range l {
			if x.Field == field {
				return true
			}
		}
	}
	return false
}

// An order unanswered past its deadline is itself a card (S4, L10):
// order.reminder from 00:00 of its last working day, order.red from the
// instant its time ran out, however late the sweep; none before.
func TestOrder_S4_L10_unansweredPastItsDeadlineIsACard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t)
		f.catchUp(t, 0)
		f.set("2026-03-05T10:00")
		f.sweep(t)
		h5 := f.cardsOf(t, n)["h5.hand_over|"+n]
		o, err := f.sup.IssueFromCard(ctx, f.who("supervisor1"), h5.ID, "尽快移交", 0)
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(o.ID, 10)
		f.set("2026-03-12T23:59")
		f.sweep(t)
		cs := f.cardsOf(t, n)
		if r, ok := cs["order.reminder|"+id]; !ok || !r.At.Equal(at("2026-03-12T00:00")) {
			t.Fatalf("reminder %+v (found %v)", r, ok)
		}
		if _, ok := cs["order.red|"+id]; ok {
			t.Fatal("order.red before the deadline ran out")
		}
		f.set("2026-03-16T09:00")
		f.sweep(t)
		red, ok := f.cardsOf(t, n)["order.red|"+id]
		if !ok || !red.At.Equal(at("2026-03-13T00:00")) || !red.RaisedAt.Equal(at("2026-03-16T09:00")) {
			t.Fatalf("order.red %+v (found %v)", red, ok)
		}
		// The answer, late, clears both.
		if _, err := f.sup.Act(ctx, f.who("unit1"), o.ID, int64(o.Version), supervisedb.OrderStep{Action: "answer", Text: "已移交"}); err != nil {
			t.Fatal(err)
		}
		if red := f.cardsOf(t, n)["order.red|"+id]; red.Open() {
			t.Fatalf("order.red still open after the answer: %+v", red)
		}
		checkCounts(t, db)
		verify(t, db)
	})
}

// L10: the case is red again (case.escalated) when its order's deadline
// passes with the case still open — at the deadline's instant, not a
// minute before, however late the sweep — and the card clears when the
// order is closed.
func TestOrder_L10_caseEscalatedWhenTheOrdersDeadlinePassesWithTheCaseOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t)
		f.catchUp(t, 0)
		f.set("2026-03-05T10:00")
		f.sweep(t)
		h5 := f.cardsOf(t, n)["h5.hand_over|"+n]
		sup, unit := f.who("supervisor1"), f.who("unit1")
		o, err := f.sup.IssueFromCard(ctx, sup, h5.ID, "尽快移交", 0)
		if err != nil {
			t.Fatal(err)
		}
		// Answered in time, but the case stays open: the answer does not
		// stop the escalation, only the case's end or the order's closing.
		f.set("2026-03-06T09:00")
		if o, err = f.sup.Act(ctx, unit, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "answer", Text: "已安排"}); err != nil {
			t.Fatal(err)
		}
		f.set("2026-03-12T23:59")
		f.sweep(t)
		if _, ok := f.cardsOf(t, n)["case.escalated|"+n]; ok {
			t.Fatal("case.escalated before the order's deadline passed")
		}
		f.set("2026-03-16T09:00")
		f.sweep(t)
		esc, ok := f.cardsOf(t, n)["case.escalated|"+n]
		if !ok || !esc.At.Equal(at("2026-03-13T00:00")) || !esc.RaisedAt.Equal(at("2026-03-16T09:00")) || esc.Level != supervise.Red || !esc.Open() {
			t.Fatalf("case.escalated %+v (found %v)", esc, ok)
		}
		checkCounts(t, db)
		f.sweep(t) // fires once
		if _, err := f.sup.Act(ctx, sup, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "accept", Text: "同意"}); err != nil {
			t.Fatal(err)
		}
		if esc := f.cardsOf(t, n)["case.escalated|"+n]; esc.Open() {
			t.Fatalf("case.escalated still open after the order was closed: %+v", esc)
		}
		if c := count(t, db, `SELECT count(*) FROM supervise_cards WHERE rule = 'case.escalated'`); c != 1 {
			t.Fatalf("%d case.escalated cards, want 1", c)
		}
		checkCounts(t, db)
		verify(t, db)
	})
}

// S4: a supervisor records a written enquiry (函询) and an interview (约谈)
// with a unit ordered again, each with its documents; the unit cannot,
// and one without documents is refused naming them.
func TestOrder_S4_writtenEnquiryAndInterviewRecordedWithDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t)
		f.catchUp(t, 0)
		f.set("2026-03-05T10:00")
		f.sweep(t)
		h5 := f.cardsOf(t, n)["h5.hand_over|"+n]
		sup, unit := f.who("supervisor1"), f.who("unit1")
		o, err := f.sup.IssueFromCard(ctx, sup, h5.ID, "尽快移交", 0)
		if err != nil {
			t.Fatal(err)
		}
		f.set("2026-03-06T10:00")
		if _, err := f.sup.Act(ctx, unit, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "letter", Text: "x", Documents: []string{"a.pdf"}}); !isCode(err, apperr.Forbidden) {
			t.Fatalf("the unit recorded an enquiry: %v", err)
		}
		if _, err := f.sup.Act(ctx, sup, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "interview", Text: "约谈负责人"}); !isField(err, "documents") {
			t.Fatalf("an interview without its record: %v", err)
		}
		o, err = f.sup.Act(ctx, sup, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "letter", Text: "就屡次超时移交发函询问", Documents: []string{"函询函.pdf"}})
		if err != nil {
			t.Fatal(err)
		}
		o, err = f.sup.Act(ctx, sup, o.ID, int64(o.Version), supervisedb.OrderStep{Action: "interview", Text: "约谈综合执法队负责人", Documents: []string{"约谈记录.pdf", "签到表.pdf"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.sup.Order(ctx, unit, o.ID)
		if err != nil || len(got.Enquiries) != 2 || got.Enquiries[0].Kind != supervise.Letter || got.Enquiries[1].Kind != supervise.Interview ||
			len(got.Enquiries[1].Documents) != 2 || got.State != supervise.OrderIssued {
			t.Fatalf("order %+v %v", got, err)
		}
		if c := count(t, db, `SELECT count(*) FROM events WHERE action IN ('supervise.order.letter', 'supervise.order.interview')`); c != 2 {
			t.Fatalf("%d audited enquiries, want 2", c)
		}
		verify(t, db)
	})
}
