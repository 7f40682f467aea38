package supervise

import (
	"errors"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
)

var (
	super1   = casework.Actor{Staff: casework.Staff{ID: 51, Login: "super1", Name: "纪明"}, Roles: []string{"supervisor"}, BodyPath: "/1/"}
	external = casework.Actor{Staff: casework.Staff{ID: 61, Login: "deputy1", Name: "人大代表"}, Roles: []string{"external_supervisor"}, BodyPath: "/1/"}
	zhzf     = casework.Unit{Code: "ZHZF", Name: "综合执法队"}
)

func orderEnv(t *testing.T, when string, a casework.Actor) OrderEnv {
	return OrderEnv{Now: at(when), Calendar: caseworktest.Calendar(t), Actor: a}
}

// fieldOf is the field a refusal names, failing the test when err is not
// a bilingual apperr.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var e *apperr.Error
	var l apperr.List
	switch {
	case errors.As(err, &l) && len(l) > 0:
		e = l[0]
	case !errors.As(err, &e):
		t.Fatalf("want an apperr, got %T %v", err, err)
	}
	if e.Message("zh") == "" || e.Message("en") == "" {
		t.Fatalf("not bilingual: %+v", e)
	}
	return e.Field
}

// issued is an order from a red card on Thursday 24 September 2026: 5
// working days to answer, National Day between: due 24:00 on 9 October.
func issued(t *testing.T) Order {
	t.Helper()
	red := Card{Key: Key{caseObj, "case.red", Red}, Case: caseObj.ID, At: at("2026-09-24T00:00")}
	o, ch, err := Issue(OrderDraft{Unit: zhzf, Card: &red, Matter: "办件超期,限期办结"}, orderEnv(t, "2026-09-24T10:00", super1))
	if err != nil {
		t.Fatal(err)
	}
	if o.State != OrderIssued || o.Days != OrderDays || !o.Due.Equal(at("2026-10-10T00:00")) || o.Case != caseObj.ID || *o.Card != red.Key {
		t.Fatalf("issued %+v", o)
	}
	if ch.Event.Action != "order.issued" || len(ch.Notices) != 2 || ch.Notices[0].To.Unit != "ZHZF" || ch.Notices[1].To.Audience != ToUnitHead {
		t.Fatalf("change %+v", ch)
	}
	return o
}

// S4, L10: unanswered, the order goes red at its deadline and the case
// it concerns red again; answered in time, neither.
func TestOrder_L10_unansweredOrderAndEscalation(t *testing.T) {
	o := issued(t)
	firesAt(t, defaults(t), o.Subject(), "order.red", "2026-10-10T00:00")
	esc, ok := o.Escalation(time.Time{})
	if !ok {
		t.Fatal("no escalation for an order on a case")
	}
	c := firesAt(t, defaults(t), esc, "case.escalated", "2026-10-10T00:00")
	if c.Object != caseObj || c.Level != Red {
		t.Errorf("escalated %+v", c)
	}
	a, _, err := o.Answer("已办结", nil, orderEnv(t, "2026-10-09T15:00", casework.Actor{Staff: unit1.Staff, Roles: unit1.Roles, Unit: "ZHZF", BodyPath: "/1/"}))
	if err != nil {
		t.Fatal(err)
	}
	silent(t, defaults(t), a.Subject(), "order.red", "2026-12-31T00:00")
	// The case ended before the deadline: no escalation.
	esc, _ = o.Escalation(at("2026-09-30T10:00"))
	silent(t, defaults(t), esc, "case.escalated", "2026-12-31T00:00")
}

// S4: answer, return, answer again, accept; enquiries recorded with
// their documents.
func TestOrder_S4_answerReturnAccept(t *testing.T) {
	o := issued(t)
	unit := casework.Actor{Staff: unit1.Staff, Roles: unit1.Roles, Unit: "ZHZF", BodyPath: "/1/"}
	late, ch, err := o.Answer("已约谈经办人,案件已办结", []string{"办结凭证.pdf"}, orderEnv(t, "2026-10-12T09:00", unit))
	if err != nil {
		t.Fatal(err)
	}
	if late.State != OrderAnswered || !late.Answers[0].Late || ch.Notices[0].To.Staff != super1.Staff || len(o.Answers) != 0 {
		t.Fatalf("answered %+v %+v", late, ch)
	}
	back, ch, err := late.Return("未说明防止再次超期的措施", 3, orderEnv(t, "2026-10-12T15:00", super1))
	if err != nil {
		t.Fatal(err)
	}
	// Three working days from Monday 12 October: 13, 14, 15 October.
	if back.State != OrderIssued || !back.Due.Equal(at("2026-10-16T00:00")) || ch.Event.Action != "order.returned" {
		t.Fatalf("returned %+v", back)
	}
	firesAt(t, defaults(t), back.Subject(), "order.red", "2026-10-16T00:00")
	again, _, err := back.Answer("建立超期预警台账", nil, orderEnv(t, "2026-10-14T10:00", unit))
	if err != nil {
		t.Fatal(err)
	}
	withLetter, ch, err := again.Record(Letter, "就多次超期发函询问", []string{"函询函.pdf"}, orderEnv(t, "2026-10-14T11:00", super1))
	if err != nil || len(withLetter.Enquiries) != 1 || ch.Event.Action != "order.letter" {
		t.Fatalf("letter %+v %v", withLetter, err)
	}
	closed, ch, err := withLetter.Accept("措施到位", orderEnv(t, "2026-10-15T09:00", super1))
	if err != nil || closed.State != OrderClosed || closed.ClosedBy != super1.Staff || ch.Event.To != "closed" ||
		len(ch.Clear) != 1 || ch.Clear[0].Key != *o.Card || !ch.Clear[0].At.Equal(at("2026-10-15T09:00")) {
		t.Fatalf("closed %+v %v", closed, err)
	}
	// The case was still open when the first deadline passed: escalated
	// at 10 October, cleared when the order closed.
	esc, _ := closed.Escalation(time.Time{})
	res, err := Evaluate(defaults(t), esc, caseworktest.Calendar(t), at("2026-12-31T00:00"), nil)
	if err != nil || len(res.Raise) != 1 || !res.Raise[0].At.Equal(at("2026-10-10T00:00")) || !res.Raise[0].Cleared.Equal(at("2026-10-15T09:00")) {
		t.Errorf("escalation %+v %v", res, err)
	}
}

// Bad input names the field, in both languages, and changes nothing.
func TestOrder_S4_refusals(t *testing.T) {
	o := issued(t)
	unit := casework.Actor{Staff: unit1.Staff, Roles: unit1.Roles, Unit: "ZHZF", BodyPath: "/1/"}
	other := casework.Actor{Staff: window1.Staff, Roles: window1.Roles, Unit: "BMFW", BodyPath: "/1/"}
	sameCodeBelow := casework.Actor{Staff: unit1.Staff, Roles: unit1.Roles, Unit: "ZHZF", BodyPath: "/1/2/"}
	townSuper := casework.Actor{Staff: super1.Staff, Roles: super1.Roles, BodyPath: "/1/2/"}
	cleared := Card{Key: Key{caseObj, "case.red", Red}, Cleared: at("2026-09-20T00:00")}
	for _, tc := range []struct {
		name, field string
		code        apperr.Code
		err         error
	}{
		{"no matter", "matter", apperr.Invalid, second(Issue(OrderDraft{Unit: zhzf}, orderEnv(t, "2026-09-24T10:00", super1)))},
		{"no unit", "unit", apperr.Invalid, second(Issue(OrderDraft{Matter: "x"}, orderEnv(t, "2026-09-24T10:00", super1)))},
		{"days", "days", apperr.Invalid, second(Issue(OrderDraft{Unit: zhzf, Matter: "x", Days: 61}, orderEnv(t, "2026-09-24T10:00", super1)))},
		{"cleared card", "card", apperr.Invalid, second(Issue(OrderDraft{Unit: zhzf, Matter: "x", Card: &cleared}, orderEnv(t, "2026-09-24T10:00", super1)))},
		{"not a supervisor", "", apperr.Forbidden, second(Issue(OrderDraft{Unit: zhzf, Matter: "x"}, orderEnv(t, "2026-09-24T10:00", unit)))},
		{"another unit answers", "", apperr.Forbidden, second(o.Answer("x", nil, orderEnv(t, "2026-09-25T10:00", other)))},
		{"a unit of that code in another body answers", "", apperr.Forbidden, second(o.Answer("x", nil, orderEnv(t, "2026-09-25T10:00", sameCodeBelow)))},
		{"a unit outside the jurisdiction", "unit", apperr.Invalid, second(Issue(OrderDraft{Unit: zhzf, UnitBody: "/9/", Matter: "x"}, orderEnv(t, "2026-09-24T10:00", super1)))},
		{"a supervisor below records", "", apperr.Forbidden, second(o.Record(Letter, "x", []string{"a"}, orderEnv(t, "2026-09-25T10:00", townSuper)))},
		{"no measures", "measures", apperr.Invalid, second(o.Answer(" ", nil, orderEnv(t, "2026-09-25T10:00", unit)))},
		{"blank attachment", "attachments", apperr.Invalid, second(o.Answer("x", []string{""}, orderEnv(t, "2026-09-25T10:00", unit)))},
		{"backdated", "at", apperr.Invalid, second(o.Answer("x", nil, orderEnv(t, "2026-09-23T10:00", unit)))},
		{"accept unanswered", "", apperr.Conflict, second(o.Accept("", orderEnv(t, "2026-09-25T10:00", super1)))},
		{"return unanswered", "", apperr.Conflict, second(o.Return("x", 0, orderEnv(t, "2026-09-25T10:00", super1)))},
		{"enquiry kind", "kind", apperr.Invalid, second(o.Record("visit", "x", []string{"a"}, orderEnv(t, "2026-09-25T10:00", super1)))},
		{"enquiry documents", "documents", apperr.Invalid, second(o.Record(Interview, "约谈", nil, orderEnv(t, "2026-09-25T10:00", super1)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("not refused")
			}
			if f := fieldOf(t, tc.err); f != tc.field || apperr.CodeOf(tc.err) != tc.code && !errors.As(tc.err, new(apperr.List)) {
				t.Errorf("field %q code %s, want %q %s", f, apperr.CodeOf(tc.err), tc.field, tc.code)
			}
		})
	}
	answered, _, _ := o.Answer("x", nil, orderEnv(t, "2026-09-25T10:00", unit))
	if _, _, err := answered.Return("", 0, orderEnv(t, "2026-09-25T11:00", super1)); fieldOf(t, err) != "reason" {
		t.Errorf("return without a reason: %v", err)
	}
	if len(o.Answers) != 0 || o.State != OrderIssued {
		t.Errorf("a transition changed the order it was called on: %+v", o)
	}
}

func second[A, B any](_ A, _ B, err error) error { return err }
