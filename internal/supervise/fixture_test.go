package supervise

import (
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/flow"
)

// A district, its window and unit staff and a promised item, for the
// rules that read a case run through casework.

var (
	district = casework.Body{ID: 1, Path: "/1/", Code: "330199", Name: "青山区"}
	window1  = casework.Actor{Staff: casework.Staff{ID: 21, Login: "window1", Name: "陈晓"}, Roles: []string{"window"}, BodyPath: "/1/", Unit: "BMFW"}
	unit1    = casework.Actor{Staff: casework.Staff{ID: 31, Login: "unit1", Name: "吴刚"}, Roles: []string{"unit_staff"}, BodyPath: "/1/", Unit: "ZHZF"}
	leader1  = casework.Actor{Staff: casework.Staff{ID: 2, Login: "leader1", Name: "韩立"}, Roles: []string{"leader"}, BodyPath: "/1/"}
	permit   = casework.Item{ID: 7, VersionID: 70, Code: "11410199005100019U0100001000", Name: "户外广告设置许可",
		Category: "licensing", Kind: casework.Promised,
		Statutory: calendar.Budget{N: 20, Unit: calendar.WorkingDays}, Promised: calendar.Budget{N: 10, Unit: calendar.WorkingDays},
		Materials: []casework.Material{{Name: "申请书", Required: true}, {Name: "身份证复印件", Required: true}},
		Stars:     4, Unit: casework.Unit{Code: "ZHZF", Name: "综合执法队"}}
)

type world struct {
	t     testing.TB
	cal   *calendar.Calendar
	flows map[string]*flow.Flow
}

func newWorld(t testing.TB) *world {
	return &world{t: t, cal: caseworktest.Calendar(t), flows: caseworktest.Flows(t)}
}

func (w *world) env(when string, a casework.Actor) casework.Env {
	return casework.Env{Now: at(when), Calendar: w.cal, Flow: w.flows["promised"], Actor: a, Standing: casework.Listed}
}

// open registers an application for permit at the window.
func (w *world) open(when string, materials ...string) (casework.Case, []casework.Event) {
	w.t.Helper()
	app := casework.Application{Number: caseObj.ID, QueryCodeHash: casework.QueryCodeHash(caseObj.ID, "ABCD2345"),
		Item: permit, Body: district, Materials: materials,
		Applicant: casework.Applicant{Kind: casework.Person, Name: "张三", ResidentID: "11010519491231002X"}}
	c, eff, err := casework.Open(app, w.env(when, window1))
	if err != nil {
		w.t.Fatalf("open: %v", err)
	}
	return c, []casework.Event{eff.Event}
}

// do acts and appends the event.
func (w *world) do(c casework.Case, events []casework.Event, when string, a casework.Actor, act casework.Action) (casework.Case, []casework.Event, casework.Event) {
	w.t.Helper()
	c, eff, err := casework.Act(c, act, w.env(when, a))
	if err != nil {
		w.t.Fatalf("%s at %s: %v", act.ID, when, err)
	}
	return c, append(events, eff.Event), eff.Event
}

// promisedToReview: registered and accepted Monday 2 March 2026, handed
// over that day, received the next morning.
func (w *world) promisedToReview() (casework.Case, []casework.Event) {
	c, ev := w.open("2026-03-02T09:00", "申请书", "身份证复印件")
	c, ev, _ = w.do(c, ev, "2026-03-02T09:10", window1, casework.Action{ID: "accept"})
	c, ev, _ = w.do(c, ev, "2026-03-02T10:00", window1, casework.Action{ID: "hand_over"})
	c, ev, _ = w.do(c, ev, "2026-03-03T09:00", unit1, casework.Action{ID: "receive"})
	return c, ev
}
