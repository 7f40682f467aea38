package supervise

import (
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
)

// S8: a problem goes on the list with its owner told at once; progress
// notes; closure needs evidence; overdue, it is a card.
func TestRectification_S8_openNoteCloseAndOverdue(t *testing.T) {
	red := Key{caseObj, "flow.role", Red}
	d := RectDraft{Source: FromCard, Card: &red, Problem: "办件超期未办结",
		Owner: unit1.Staff, Unit: zhzf, Deadline: calendar.DateOf(2026, 2, 27)}
	r, ch, err := OpenRectification(d, orderEnv(t, "2026-02-09T10:00", super1))
	if err != nil {
		t.Fatal(err)
	}
	if r.State != RectOpen || ch.Notices[0].To.Staff != unit1.Staff || !ch.Notices[0].At.Equal(at("2026-02-09T10:00")) {
		t.Fatalf("opened %+v %+v", r, ch)
	}
	// Due by Friday 27 February: red from Saturday the 28th.
	firesAt(t, defaults(t), r.Subject(orderEnv(t, "2026-02-09T10:00", super1).Calendar), "rectification.red", "2026-02-28T00:00")

	r, _, err = r.Note("已督促经办人", orderEnv(t, "2026-02-10T10:00", unit1))
	if err != nil || len(r.Progress) != 1 {
		t.Fatalf("note %v", err)
	}
	if _, _, err := r.Close(nil, "已办结", orderEnv(t, "2026-02-11T10:00", unit1)); fieldOf(t, err) != "evidence" {
		t.Errorf("close without evidence: %v", err)
	}
	closed, ch, err := r.Close([]string{"办结凭证.pdf"}, "已办结", orderEnv(t, "2026-02-11T10:00", unit1))
	if err != nil || closed.State != RectClosed || ch.Event.Action != "rectification.closed" || r.Ref != red.String() ||
		len(ch.Clear) != 1 || ch.Clear[0].Key != red {
		t.Fatalf("close %+v %v", closed, err)
	}
	silent(t, defaults(t), closed.Subject(orderEnv(t, "2026-02-11T10:00", super1).Calendar), "rectification.red", "2026-12-31T00:00")
	// A unit of the same code in a body below is not the owner's unit.
	below := casework.Actor{Staff: casework.Staff{ID: 99, Login: "town", Name: "镇"}, Roles: []string{"unit_staff"}, Unit: "ZHZF", BodyPath: "/1/2/"}
	if _, _, err := r.Note("x", orderEnv(t, "2026-02-10T11:00", below)); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("another body's unit: %v", err)
	}
	if _, _, err := closed.Note("x", orderEnv(t, "2026-02-12T10:00", unit1)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("note on a closed item: %v", err)
	}
}

// S7: an external supervisor's report lands on the list, of source
// external with the kind of supervisor; they may report nothing else.
func TestRectification_S7_externalSupervisorReports(t *testing.T) {
	d := RectDraft{Source: FromExternal, Reporter: "deputy", Problem: "窗口午休无人值守", Owner: window1.Staff,
		Unit: casework.Unit{Code: "BMFW", Name: "便民服务中心窗口"}, Deadline: calendar.DateOf(2026, 3, 20)}
	r, _, err := OpenRectification(d, orderEnv(t, "2026-03-02T10:00", external))
	if err != nil || r.Reporter != "deputy" || r.CreatedBy != external.Staff {
		t.Fatalf("%+v %v", r, err)
	}
	d.Source, d.Ref = FromCard, "x"
	if _, _, err := OpenRectification(d, orderEnv(t, "2026-03-02T10:00", external)); fieldOf(t, err) != "source" {
		t.Errorf("external of source card: %v", err)
	}
	for _, tc := range []struct {
		field string
		d     RectDraft
	}{
		{"problem", RectDraft{Source: FromInspection, Owner: window1.Staff, Unit: zhzf, Deadline: calendar.DateOf(2026, 3, 20)}},
		{"owner", RectDraft{Source: FromInspection, Problem: "x", Unit: zhzf, Deadline: calendar.DateOf(2026, 3, 20)}},
		{"deadline", RectDraft{Source: FromInspection, Problem: "x", Owner: window1.Staff, Unit: zhzf, Deadline: calendar.DateOf(2026, 3, 2)}},
		{"source", RectDraft{Source: "rumour", Problem: "x", Owner: window1.Staff, Unit: zhzf, Deadline: calendar.DateOf(2026, 3, 20)}},
		{"ref", RectDraft{Source: FromOrder, Problem: "x", Owner: window1.Staff, Unit: zhzf, Deadline: calendar.DateOf(2026, 3, 20)}},
		{"reporter", RectDraft{Source: FromExternal, Problem: "x", Owner: window1.Staff, Unit: zhzf, Deadline: calendar.DateOf(2026, 3, 20)}},
		{"unit", RectDraft{Source: FromInspection, Problem: "x", Owner: window1.Staff, Unit: zhzf, UnitBody: "/9/", Deadline: calendar.DateOf(2026, 3, 20)}},
	} {
		if _, _, err := OpenRectification(tc.d, orderEnv(t, "2026-03-02T10:00", super1)); fieldOf(t, err) != tc.field {
			t.Errorf("%s: %v", tc.field, err)
		}
	}
	if _, _, err := OpenRectification(d, orderEnv(t, "2026-03-02T10:00", unit1)); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("unit staff: %v", err)
	}
}
