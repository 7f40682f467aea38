package casework_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/flow"
)

func equalCases(a, b casework.Case) bool { return reflect.DeepEqual(a, b) }

func TestOpen_H6_windowRegistrationMakesTheFirstResponder(t *testing.T) {
	w := newWorld(t)
	c, eff, err := casework.Open(application(permit, everything...), w.env("2026-03-02T09:00", window1, "promised"))
	if err != nil {
		t.Fatal(err)
	}
	if c.FirstResponder != window1.Staff || c.Backup != wangFang || c.Channel != casework.AtWindow {
		t.Errorf("first responder %+v, backup %+v, channel %s", c.FirstResponder, c.Backup, c.Channel)
	}
	if c.Step != "received" || c.Status != flow.Submitted || c.Unit != zhzf || c.Version != 0 {
		t.Errorf("opened at %s (%s), unit %+v, version %d", c.Step, c.Status, c.Unit, c.Version)
	}
	if c.Flow.Code != "promised" || c.Flow.Version != 1 || c.Flow.Hash != w.flows["promised"].Hash() {
		t.Errorf("flow %+v", c.Flow)
	}
	if len(c.ClockEvents) != 0 || !c.AcceptedAt.IsZero() {
		t.Error("the clock started before acceptance (H2)")
	}
	ev := eff.Event
	if ev.Action != "apply" || ev.By != window1.Staff || ev.Role != "window" || ev.To != "received" || ev.Body != district.Path ||
		!slices.Equal(ev.Materials, everything) {
		t.Errorf("event %+v", ev)
	}
	if kinds(eff.Documents) != "application_receipt" {
		t.Errorf("documents %s", kinds(eff.Documents))
	}
}

func TestOpen_C11_onlineApplicationGoesToTheWindowQueue(t *testing.T) {
	w := newWorld(t)
	c, eff, err := casework.Open(application(permit, everything...), w.env("2026-03-02T20:00", public, "promised"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != casework.Online || !c.FirstResponder.IsZero() || eff.Event.Role != flow.Applicant {
		t.Errorf("channel %s, first responder %+v, role %s", c.Channel, c.FirstResponder, eff.Event.Role)
	}
	if !slices.Contains(eff.Notifications, casework.Notification{To: casework.ToQueue, BodyPath: district.Path, Role: "window", Action: "apply"}) {
		t.Errorf("notifications %+v", eff.Notifications)
	}
	// The first window staff member to act becomes the first responder.
	c, _ = w.do(c, "2026-03-03T09:00", liuYang, casework.Action{ID: "accept"})
	if c.FirstResponder != liuYang.Staff {
		t.Errorf("first responder %+v", c.FirstResponder)
	}
	// C11: below 3 stars, no online application.
	low := permit
	low.Stars = 2
	_, _, err = casework.Open(application(low, everything...), w.env("2026-03-02T20:00", public, "promised"))
	if e := bilingual(t, err); e.Field != "channel" || !strings.Contains(e.Message("zh"), "2星") {
		t.Errorf("refusal %v", e)
	}
}

func TestOpen_V1V2_applicantIdentifiersAreValidated(t *testing.T) {
	w := newWorld(t)
	env := w.env("2026-03-02T09:00", window1, "promised")
	app := application(permit)
	app.Applicant.ResidentID = "110105194912310021" // wrong check character
	_, _, err := casework.Open(app, env)
	if e := bilingual(t, err); e.Field != "applicant.resident_id" || e.Code != apperr.Invalid {
		t.Errorf("V1: %v", e)
	}
	app.Applicant = casework.Applicant{Kind: casework.Organisation, Name: "青山广告有限公司", CreditCode: "11410199005100019V"}
	_, _, err = casework.Open(app, env)
	if e := bilingual(t, err); e.Field != "applicant.credit_code" {
		t.Errorf("V2: %v", e)
	}
	app.Applicant.CreditCode = strings.ToLower(orgCode)
	c, _, err := casework.Open(app, env)
	if err != nil || c.Applicant.CreditCode != orgCode || c.Applicant.ResidentID != "" {
		t.Errorf("a valid organisation: %+v %v", c.Applicant, err)
	}
	app.Applicant = casework.Applicant{Kind: casework.Person, ResidentID: adultID}
	_, _, err = casework.Open(app, env)
	if e := bilingual(t, err); e.Field != "applicant.name" {
		t.Errorf("no name: %v", e)
	}
	app.Applicant = casework.Applicant{Kind: "robot", Name: "x"}
	_, _, err = casework.Open(app, env)
	if e := bilingual(t, err); e.Field != "applicant.kind" {
		t.Errorf("kind: %v", e)
	}
}

func TestOpen_C4_itemNotListedIsRefused(t *testing.T) {
	w := newWorld(t)
	for s, word := range map[casework.Standing]string{casework.Suspended: "已暂停", casework.Cancelled: "已取消", casework.Unlisted: "未列入"} {
		env := w.env("2026-03-02T09:00", window1, "promised")
		env.Standing = s
		c, eff, err := casework.Open(application(permit, everything...), env)
		e := bilingual(t, err)
		if e.Field != "item" || e.Code != apperr.Conflict || !strings.Contains(e.Message("zh"), word) || !strings.Contains(e.Message("zh"), permit.Name) {
			t.Errorf("%s: %v", s, e)
		}
		if c.Number != "" || eff.Event.Action != "" {
			t.Errorf("%s: a refused application made a case", s)
		}
	}
}

func TestCase_C4_acceptRefusedWhenTheItemWasSuspendedMeanwhile(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, everything...))
	env := w.env("2026-03-03T09:00", window1, "promised")
	env.Standing = casework.Suspended
	if e := w.refused(c, env, casework.Action{ID: "accept"}); e.Field != "item" || !strings.Contains(e.Message("en"), "suspended") {
		t.Errorf("refusal %v", e)
	}
}

func TestOpen_materialsMustBeOnTheItemsList(t *testing.T) {
	w := newWorld(t)
	_, _, err := casework.Open(application(permit, "申请书", "户口本"), w.env("2026-03-02T09:00", window1, "promised"))
	if e := bilingual(t, err); e.Field != "materials[1]" || !strings.Contains(e.Message("zh"), "户口本") {
		t.Errorf("refusal %v", e)
	}
}

func TestOpen_V3_numberCarriesTheBodyAndTheYear(t *testing.T) {
	w := newWorld(t)
	app := application(permit, everything...)
	app.Number = "330199-2025-000123"
	_, _, err := casework.Open(app, w.env("2026-03-02T09:00", window1, "promised"))
	if e := bilingual(t, err); e.Field != "number" {
		t.Errorf("another year: %v", e)
	}
	app.Number, app.QueryCodeHash = "330199-2026-000123", ""
	_, _, err = casework.Open(app, w.env("2026-03-02T09:00", window1, "promised"))
	if e := bilingual(t, err); e.Field != "query_code" {
		t.Errorf("no query code: %v", e)
	}
}

func TestOpen_H12_L7_minorsAndSecretsAreNotDisclosed(t *testing.T) {
	w := newWorld(t)
	app := application(certificate, "身份证复印件")
	app.Applicant.ResidentID = minorID
	if c := w.open("2026-03-02T09:00", window1, app); !c.Minor || !c.Undisclosed() {
		t.Errorf("a 10-year-old: minor %v", c.Minor)
	}
	app = application(certificate, "身份证复印件")
	if c := w.open("2026-03-02T09:00", window1, app); c.Minor || c.Undisclosed() {
		t.Error("an adult's case is undisclosed")
	}
	app.Privacy = true
	if c := w.open("2026-03-02T09:00", window1, app); !c.Undisclosed() {
		t.Error("a case involving privacy is disclosed")
	}
}

func TestCase_H2_clockStartsOnAcceptance(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, everything...))
	c, eff := w.do(c, "2026-03-04T14:00", window1, casework.Action{ID: "accept"})
	if c.Status != flow.Accepted || c.Step != "accepted" || c.AcceptedBy != window1.Staff || !c.AcceptedAt.Equal(at("2026-03-04T14:00")) {
		t.Fatalf("accepted: %s %s %+v %v", c.Step, c.Status, c.AcceptedBy, c.AcceptedAt)
	}
	if len(eff.Clock) != 1 || eff.Clock[0].Kind != calendar.Start || !eff.Clock[0].At.Equal(at("2026-03-04T14:00")) {
		t.Errorf("clock %+v", eff.Clock)
	}
	if eff.Event.AcceptedOn != date("2026-03-04") {
		t.Errorf("accepted on %s", eff.Event.AcceptedOn)
	}
	// The promised limit (10 working days) counts from the day after.
	d := w.deadlines(c, "2026-03-04T15:00")
	if d.Case.DueDate != date("2026-03-18") || d.Case.Remaining.Days != 10 || d.Statutory.DueDate != date("2026-04-01") {
		t.Errorf("due %s (%d left), statutory %s", d.Case.DueDate, d.Case.Remaining.Days, d.Statutory.DueDate)
	}
	if kinds(eff.Documents) != "acceptance_notice,promise_notice" || eff.Documents[1].Due != date("2026-03-18") ||
		eff.Documents[1].Limit != (calendar.Budget{N: 10, Unit: calendar.WorkingDays}) {
		t.Errorf("documents %+v", eff.Documents)
	}
	// The accepted step's own limit: hand over by the next working day (H5).
	if d.Step == nil || d.Step.DueDate != date("2026-03-05") {
		t.Errorf("step deadline %+v", d.Step)
	}
}

func TestCase_H2_acceptNeedsCompleteMaterials(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, "申请书"))
	if e := w.refused(c, w.env("2026-03-02T09:05", window1, "promised"), casework.Action{ID: "accept"}); e.Field != "materials_complete" {
		t.Errorf("refusal %v", e)
	}
}

func TestCase_H3_supplementNoticeListsEverythingMissing(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, "申请书"))
	env := w.env("2026-03-02T09:05", window1, "promised")
	e := w.refused(c, env, casework.Action{ID: "request_supplement", Missing: []string{"身份证复印件"}})
	if e.Field != "missing" || !strings.Contains(e.Message("zh"), "场地使用证明") || strings.Contains(e.Message("zh"), "身份证复印件") {
		t.Errorf("a notice leaving out a material: %v", e)
	}
	// Everything at once, plus a defect in what was handed in.
	c, eff := w.do(c, "2026-03-02T09:05", window1, casework.Action{ID: "request_supplement",
		Missing: []string{"身份证复印件", "场地使用证明", "申请书"}})
	if c.Status != flow.Supplementing || c.Rounds != 1 || len(c.Received) != 0 || c.MaterialsComplete() {
		t.Errorf("after the notice: %s, round %d, received %v", c.Status, c.Rounds, c.Received)
	}
	if kinds(eff.Documents) != "supplement_notice" || len(eff.Documents[0].Materials) != 3 {
		t.Errorf("documents %+v", eff.Documents)
	}
	if !slices.Contains(eff.Notifications, casework.Notification{To: casework.ToApplicant, Action: "request_supplement", Document: casework.SupplementNotice}) {
		t.Errorf("the applicant is not told: %+v", eff.Notifications)
	}
	if len(c.ClockEvents) != 0 {
		t.Error("the clock moved before acceptance")
	}
}

func TestCase_H3_thirdSupplementRoundIsFlagged(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, "申请书"))
	rounds := [][2]string{{"2026-03-02T09:05", "2026-03-03T10:00"}, {"2026-03-03T10:05", "2026-03-04T10:00"}, {"2026-03-04T10:05", ""}}
	for i, r := range rounds {
		var eff casework.Effects
		c, eff = w.do(c, r[0], window1, casework.Action{ID: "request_supplement", Missing: c.Outstanding()})
		if flagged := slices.Contains(eff.Event.Flags, "H3"); flagged != (i == 2) || c.Rounds != i+1 {
			t.Errorf("round %d: flags %v", i+1, eff.Event.Flags)
		}
		if r[1] != "" {
			c, _ = w.do(c, r[1], public, casework.Action{ID: "supplement", Materials: []string{"身份证复印件"}})
		}
	}
	if !c.Flagged("H3") || len(c.Flags) != 1 || c.Flags[0].Step != "received" {
		t.Errorf("flags %+v", c.Flags)
	}
}

func TestCase_H13_assistedHandlingIsRecorded(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, "申请书"))
	if !c.AssistedBy.IsZero() {
		t.Error("a window registration counts as assisted")
	}
	c, _ = w.do(c, "2026-03-02T09:05", window1, casework.Action{ID: "request_supplement", Missing: c.Outstanding()})
	// The applicant brings the materials to the window: not assisted.
	plain, eff := w.do(c, "2026-03-03T09:00", window1, casework.Action{ID: "supplement", Materials: []string{"身份证复印件"}})
	if eff.Event.Assisted || !plain.AssistedBy.IsZero() || eff.Event.Role != "window" {
		t.Errorf("at the window: %+v", eff.Event)
	}
	// The clerk supplements in the applicant's stead (帮办代办).
	c2, eff := w.do(c, "2026-03-03T09:00", window1, casework.Action{ID: "supplement", Materials: []string{"身份证复印件", "场地使用证明"},
		Assisted: true})
	if !eff.Event.Assisted || c2.AssistedBy != window1.Staff || !c2.MaterialsComplete() || !c2.ReceivedAt.Equal(at("2026-03-03T09:00")) {
		t.Errorf("assisted %v by %+v, complete %v, received %v", eff.Event.Assisted, c2.AssistedBy, c2.MaterialsComplete(), c2.ReceivedAt)
	}
	// Only staff, and only in the applicant's own actions.
	if e := w.refused(c, w.env("2026-03-03T09:00", public, "promised"), casework.Action{ID: "supplement", Materials: []string{"身份证复印件"},
		Assisted: true}); e.Field != "assisted" {
		t.Errorf("the applicant assisting: %v", e)
	}
	c3, _ := w.do(c2, "2026-03-03T09:10", window1, casework.Action{ID: "accept"})
	if e := w.refused(c3, w.env("2026-03-03T09:20", window1, "promised"), casework.Action{ID: "hand_over", Assisted: true}); e.Field != "assisted" {
		t.Errorf("a window action as assisted: %v", e)
	}
	// By the applicant: the first responder is told.
	_, eff = w.do(c, "2026-03-03T09:00", public, casework.Action{ID: "supplement", Materials: []string{"身份证复印件"}})
	if eff.Event.Assisted || eff.Event.Role != flow.Applicant ||
		!slices.Contains(eff.Notifications, casework.Notification{To: casework.ToStaff, Staff: window1.Staff, Action: "supplement"}) {
		t.Errorf("by the applicant: %+v %+v", eff.Event, eff.Notifications)
	}
	_, _, err := casework.Act(c, casework.Action{ID: "supplement", Materials: []string{"营业执照"}}, w.env("2026-03-03T09:00", public, "promised"))
	if e := bilingual(t, err); e.Field != "materials[0]" {
		t.Errorf("an unknown material: %v", e)
	}
	// An application in the applicant's stead.
	app := application(permit, everything...)
	app.Assisted = true
	if c, eff, err := casework.Open(app, w.env("2026-03-02T09:00", window1, "promised")); err != nil || c.AssistedBy != window1.Staff || !eff.Event.Assisted {
		t.Errorf("an assisted application: %+v %v", c.AssistedBy, err)
	}
}

func TestCase_L2_deemedAcceptedAfterFiveSilentWorkingDays(t *testing.T) {
	w := newWorld(t)
	rules := casework.DefaultRules()
	// Received on Thursday 2 April 2026, incomplete; 清明 (4–6 April) does
	// not count: the fifth working day after is Friday 10 April.
	c := w.open("2026-04-02T15:00", window1, application(permit, "申请书"))
	for _, now := range []string{"2026-04-09T17:00", "2026-04-10T23:59"} {
		if ok, _, err := rules.DeemedAccepted(c, at(now), w.cal); ok || err != nil {
			t.Fatalf("deemed at %s (%v)", now, err)
		}
	}
	ok, day, err := rules.DeemedAccepted(c, at("2026-04-11T00:00"), w.cal)
	if !ok || err != nil || day != date("2026-04-02") {
		t.Fatalf("not deemed after the fifth working day: %v %s %v", ok, day, err)
	}
	// Too late now for a notice or a refusal of acceptance.
	env := w.env("2026-04-13T09:00", window1, "promised")
	if e := w.refused(c, env, casework.Action{ID: "request_supplement", Missing: c.Outstanding()}); e.Field != "at" || !strings.Contains(e.Message("zh"), "L2") {
		t.Errorf("a late notice: %v", e)
	}
	w.refused(c, env, casework.Action{ID: "refuse", Reason: "不符合条件", Basis: "《行政许可法》第三十二条"})
	// The periodic job accepts it as of the day of receipt.
	c2, eff, err := casework.DeemAccept(c, w.env("2026-04-13T01:00", casework.Actor{}, "promised"))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Status != flow.Accepted || !c2.Deemed || !c2.AcceptedAt.Equal(at("2026-04-02T15:00")) || c2.AcceptedBy != casework.System {
		t.Errorf("deemed: %s %v %v %+v", c2.Status, c2.Deemed, c2.AcceptedAt, c2.AcceptedBy)
	}
	if eff.Event.Action != casework.DeemAction || eff.Event.AcceptedOn != date("2026-04-02") || !c2.Flagged("L2") ||
		kinds(eff.Documents) != "acceptance_notice,promise_notice" {
		t.Errorf("effects %+v %s", eff.Event, kinds(eff.Documents))
	}
	// The clock counts from the day of receipt: 10 working days after 2 April.
	if d := w.deadlines(c2, "2026-04-13T09:00"); d.Case.DueDate != date("2026-04-17") {
		t.Errorf("due %s", d.Case.DueDate)
	}
	// A notice within the period stops it, and so does complete materials.
	c3, _ := w.do(c, "2026-04-10T16:00", window1, casework.Action{ID: "request_supplement", Missing: c.Outstanding()})
	if ok, _, _ := rules.DeemedAccepted(c3, at("2026-04-20T00:00"), w.cal); ok {
		t.Error("deemed although a notice was issued")
	}
	if _, _, err := casework.DeemAccept(c3, w.env("2026-04-20T01:00", casework.Actor{}, "promised")); err == nil {
		t.Error("DeemAccept accepted a case that is not deemed")
	}
	// Configurable: with 3 working days, deemed after Tuesday 8 April.
	rules.NoticeDays = 3
	if ok, _, _ := rules.DeemedAccepted(c, at("2026-04-09T00:00"), w.cal); !ok {
		t.Error("NoticeDays 3 not applied")
	}
}

func TestCase_H3_refusalNeedsReasonAndBasis(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, everything...))
	env := w.env("2026-03-02T09:10", window1, "promised")
	if e := w.refused(c, env, casework.Action{ID: "refuse", Reason: "  ", Basis: "《行政许可法》第三十二条"}); e.Field != "reason" {
		t.Errorf("blank reason: %v", e)
	}
	if e := w.refused(c, env, casework.Action{ID: "refuse", Reason: "不属于本机关职权范围"}); e.Field != "basis" {
		t.Errorf("no basis: %v", e)
	}
	c, eff := w.do(c, "2026-03-02T09:10", window1, casework.Action{ID: "refuse", Reason: "不属于本机关职权范围", Basis: "《行政许可法》第三十二条"})
	if c.Status != flow.Refused || !c.Ended() || kinds(eff.Documents) != "refusal_decision" ||
		eff.Documents[0].Reason != "不属于本机关职权范围" || eff.Documents[0].Basis != "《行政许可法》第三十二条" {
		t.Errorf("refused: %s %+v", c.Status, eff.Documents)
	}
	if len(eff.Clock) != 0 {
		t.Errorf("a refusal before acceptance moved the clock: %+v", eff.Clock)
	}
}

func TestCase_H6_transferLaterThanOneWorkingDayIsFlagged(t *testing.T) {
	w := newWorld(t)
	c := w.accepted(permit) // Monday 2 March
	c, eff := w.do(c, "2026-03-03T16:00", window1, casework.Action{ID: "transfer", Unit: scjg})
	if c.Unit != scjg || c.Flagged("H6") || c.FirstResponder != window1.Staff || c.Step != "accepted" {
		t.Errorf("on time: unit %+v flags %v", c.Unit, c.FlagRules())
	}
	if !slices.Contains(eff.Notifications, casework.Notification{To: casework.ToUnit, BodyPath: district.Path, Unit: "SCJG", Action: "transfer"}) {
		t.Errorf("the unit is not told: %+v", eff.Notifications)
	}
	// Two working days late: Thursday 5 March.
	late := w.accepted(permit)
	late, eff = w.do(late, "2026-03-05T09:00", window1, casework.Action{ID: "transfer", Unit: scjg})
	if !late.Flagged("H6") || !slices.Equal(eff.Event.Flags, []string{"H6"}) {
		t.Errorf("two days late: flags %v", late.FlagRules())
	}
	if e := w.refused(late, w.env("2026-03-05T10:00", window1, "promised"), casework.Action{ID: "transfer", Unit: scjg}); e.Field != "unit" {
		t.Errorf("to the same unit: %v", e)
	}
	// The unit it went to handles it; the first one no longer can.
	late, _ = w.do(late, "2026-03-05T10:00", window1, casework.Action{ID: "hand_over"})
	if e := w.refused(late, w.env("2026-03-05T11:00", unit1, "promised"), casework.Action{ID: "receive"}); e.Field != "unit" {
		t.Errorf("the old unit: %v", e)
	}
	w.do(late, "2026-03-05T11:00", liaison1, casework.Action{ID: "receive"})
}

func TestCase_H6_H13_firstResponderOwnsTheWindowSteps(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, everything...))
	env := w.env("2026-03-02T10:00", liuYang, "promised")
	if e := w.refused(c, env, casework.Action{ID: "accept"}); e.Code != apperr.Forbidden || !strings.Contains(e.Message("zh"), "陈晓") || !strings.Contains(e.Message("zh"), "王芳") {
		t.Errorf("another window clerk: %v", e)
	}
	env.Actor = backup
	if e := w.refused(c, env, casework.Action{ID: "accept"}); e.Field != "actor" {
		t.Errorf("the backup while the owner is in: %v", e)
	}
	env.OwnerAway = true
	c2, eff, err := casework.Act(c, casework.Action{ID: "accept"}, env)
	if err != nil || !eff.Event.AsBackup || eff.Event.By != wangFang || c2.FirstResponder != window1.Staff {
		t.Errorf("the backup while the owner is away: %v %+v", err, eff.Event)
	}
	// Staff of another body never reach the case.
	if e := w.refused(c, w.env("2026-03-02T10:00", xikou, "promised"), casework.Action{ID: "accept"}); e.Field != "actor" {
		t.Errorf("another body: %v", e)
	}
}

func TestCase_H5_handOverTheNextWorkingDayAtLatest(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		when    string
		flagged bool
	}{{"2026-03-02T16:00", false}, {"2026-03-03T17:00", false}, {"2026-03-04T09:00", true}} {
		c := w.accepted(permit) // Monday 2 March
		c, eff := w.do(c, tc.when, window1, casework.Action{ID: "hand_over"})
		if c.Flagged("H5") != tc.flagged || c.Step != "unit_receipt" || c.Status != flow.Handling {
			t.Errorf("%s: flags %v at %s", tc.when, c.FlagRules(), c.Step)
		}
		if kinds(eff.Documents) != "hand_over_form" ||
			!slices.Contains(eff.Notifications, casework.Notification{To: casework.ToUnit, BodyPath: district.Path, Unit: "ZHZF", Action: "hand_over"}) {
			t.Errorf("%s: %s %+v", tc.when, kinds(eff.Documents), eff.Notifications)
		}
	}
}

func TestCase_L4_specialProcedurePausesTheClock_springFestival2026(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-02-02T09:00", window1, application(permit, everything...))
	c, _ = w.do(c, "2026-02-02T09:10", window1, casework.Action{ID: "accept"})
	c, _ = w.do(c, "2026-02-02T10:00", window1, casework.Action{ID: "hand_over"})
	c, _ = w.do(c, "2026-02-03T09:00", unit1, casework.Action{ID: "receive"})
	// Ten working days after Monday 2 February: Saturday 14 February, a
	// make-up working day before the Spring Festival (15–23 February).
	if d := w.deadlines(c, "2026-02-03T09:00"); d.Case.DueDate != date("2026-02-14") {
		t.Fatalf("due before the survey %s", d.Case.DueDate)
	}
	env := w.env("2026-02-11T10:00", unit1, "promised")
	if e := w.refused(c, env, casework.Action{ID: "pause", Reason: "需现场勘察"}); e.Code != apperr.Forbidden || e.Field != "role" {
		t.Errorf("a pause without the approver: %v", e)
	}
	c, eff := w.do(c, "2026-02-11T10:00", leader1, casework.Action{ID: "pause", Reason: "需现场勘察广告牌位置", Kind: flow.SiteSurvey})
	if c.Status != flow.Suspended || c.Special == nil || c.Special.Approver != leader1.Staff || c.Special.Kind != flow.SiteSurvey ||
		c.StepLimit != (calendar.Budget{N: 10, Unit: calendar.WorkingDays}) {
		t.Fatalf("in the survey: %s %+v %+v", c.Status, c.Special, c.StepLimit)
	}
	if kinds(eff.Documents) != "special_notice" || eff.Documents[0].Special != flow.SiteSurvey || eff.Event.Reason != "需现场勘察广告牌位置" {
		t.Errorf("the applicant is told in writing: %+v", eff.Documents)
	}
	// The clock's pause carries the approved length, for its next check.
	if n := len(eff.Clock); n == 0 || eff.Clock[n-1].Kind != calendar.Pause || eff.Clock[n-1].Max != (calendar.Budget{N: 10, Unit: calendar.WorkingDays}) ||
		c.ClockEvents[len(c.ClockEvents)-1].Max != eff.Clock[n-1].Max {
		t.Errorf("the pause's maximum: %+v", eff.Clock)
	}
	// The survey's own limit runs (10 working days, the festival not
	// counted) while the case clock waits.
	if d := w.deadlines(c, "2026-02-20T10:00"); d.Case.State != calendar.Paused || d.Step == nil || d.Step.DueDate != date("2026-03-03") {
		t.Errorf("during the festival: %s, step %+v", d.Case.State, d.Step)
	}
	c, eff = w.do(c, "2026-02-25T16:00", unit1, casework.Action{ID: "resume", Opinion: "勘察符合设置条件"})
	if c.Status != flow.Handling || c.Special != nil || c.Flagged("L4") || kinds(eff.Documents) != "special_opinion" {
		t.Errorf("after the survey: %s %+v %v %s", c.Status, c.Special, c.FlagRules(), kinds(eff.Documents))
	}
	// L4: a pause from working day A (11 Feb) to working day B (25 Feb)
	// extends the limit by the working days after A up to and including B:
	// 12, 13, 14 (make-up) and 24, 25 February — five.
	n, err := w.cal.WorkingDaysBetween(date("2026-02-11"), date("2026-02-25"))
	if err != nil || n != 5 {
		t.Fatalf("working days in the pause: %d %v", n, err)
	}
	want, _ := w.cal.AddWorkingDays(date("2026-02-14"), n)
	d := w.deadlines(c, "2026-02-26T09:00")
	if want != date("2026-02-28") || d.Case.DueDate != want || d.Case.Provisional {
		t.Errorf("due after the survey %s, want %s", d.Case.DueDate, want)
	}
}

func TestCase_L4_pauseRules(t *testing.T) {
	w := newWorld(t)
	c := w.inReview(permit)
	env := w.env("2026-03-04T10:00", leader1, "promised")
	if e := w.refused(c, env, casework.Action{ID: "pause", Reason: "勘察", Days: 11}); e.Field != "days" || !strings.Contains(e.Message("zh"), "10") {
		t.Errorf("longer than the flow's maximum: %v", e)
	}
	if e := w.refused(c, env, casework.Action{ID: "pause", Reason: "勘察", Kind: flow.Hearing}); e.Field != "kind" {
		t.Errorf("another kind: %v", e)
	}
	if e := w.refused(c, env, casework.Action{ID: "pause"}); e.Field != "reason" {
		t.Errorf("no reason: %v", e)
	}
	// Never backdated: not before the case's last action.
	env.Now = at("2026-03-03T08:00")
	if e := w.refused(c, env, casework.Action{ID: "pause", Reason: "勘察"}); e.Field != "at" {
		t.Errorf("backdated: %v", e)
	}
	// Approved for 2 working days, it takes 3: flagged.
	c, eff := w.do(c, "2026-03-04T10:00", leader1, casework.Action{ID: "pause", Reason: "勘察", Days: 2})
	if c.StepLimit.N != 2 || len(eff.Clock) != 1 || eff.Clock[0].Max != (calendar.Budget{N: 2, Unit: calendar.WorkingDays}) {
		t.Errorf("approved length %+v, clock %+v", c.StepLimit, eff.Clock)
	}
	c, _ = w.do(c, "2026-03-09T10:00", unit1, casework.Action{ID: "resume", Opinion: "符合条件"})
	if !c.Flagged("L4") {
		t.Errorf("an overrun survey is not flagged: %v", c.FlagRules())
	}
}

func TestCase_L3_extensionMovesTheDueDate(t *testing.T) {
	w := newWorld(t)
	c := w.inReview(permit) // accepted Monday 2 March: due 16 March
	if d := w.deadlines(c, "2026-03-10T09:00"); d.Case.DueDate != date("2026-03-16") || d.Step.DueDate != date("2026-03-11") {
		t.Fatalf("before: %s, step %s", d.Case.DueDate, d.Step.DueDate)
	}
	env := w.env("2026-03-10T09:00", unit1, "promised")
	if e := w.refused(c, env, casework.Action{ID: "extend", Days: 5, Reason: "情况复杂"}); e.Code != apperr.Forbidden {
		t.Errorf("not by the head: %v", e)
	}
	env.Actor = leader1
	if e := w.refused(c, env, casework.Action{ID: "extend", Days: 5}); e.Field != "reason" {
		t.Errorf("no reason: %v", e)
	}
	if e := w.refused(c, env, casework.Action{ID: "extend", Days: 11, Reason: "情况复杂"}); e.Field != "days" || e.Code != apperr.Conflict {
		t.Errorf("over the ceiling of 10: %v", e)
	}
	c, eff := w.do(c, "2026-03-10T09:00", leader1, casework.Action{ID: "extend", Days: 5, Reason: "情况复杂,需征求意见"})
	d := w.deadlines(c, "2026-03-10T09:30")
	if d.Case.DueDate != date("2026-03-23") || d.Case.Budget.N != 15 || d.Statutory.DueDate != date("2026-04-07") {
		t.Errorf("after: %s (%d), statutory %s", d.Case.DueDate, d.Case.Budget.N, d.Statutory.DueDate)
	}
	if d.Step.DueDate != date("2026-03-18") {
		t.Errorf("the step's limit is not extended: %s", d.Step.DueDate)
	}
	if kinds(eff.Documents) != "extension_notice" || eff.Documents[0].Due != date("2026-03-23") || eff.Documents[0].Reason != "情况复杂,需征求意见" ||
		!slices.Contains(eff.Notifications, casework.Notification{To: casework.ToApplicant, Action: "extend", Document: casework.ExtensionNotice}) {
		t.Errorf("the applicant is told: %+v", eff.Documents)
	}
	if e := w.refused(c, w.env("2026-03-11T09:00", leader1, "promised"), casework.Action{ID: "extend", Days: 6, Reason: "再延"}); e.Field != "days" {
		t.Errorf("past the ceiling in all: %v", e)
	}
}

// completed runs a promised case to completion on Friday 13 March 2026.
func (w *world) completed() casework.Case {
	w.t.Helper()
	c := w.inReview(permit)
	c, _ = w.do(c, "2026-03-10T15:00", unit1, casework.Action{ID: "decide", Outcome: "approved", Opinion: "符合设置条件"})
	c, _ = w.do(c, "2026-03-11T09:00", unit1, casework.Action{ID: "hand_back"})
	c, _ = w.do(c, "2026-03-13T10:00", window1, casework.Action{ID: "complete", Certificate: "青广许〔2026〕12号", Delivery: casework.Post})
	return c
}

func TestCase_H7_certificateDatedTheCompletionDay(t *testing.T) {
	w := newWorld(t)
	c := w.inReview(permit)
	env := w.env("2026-03-10T15:00", unit1, "promised")
	if e := w.refused(c, env, casework.Action{ID: "decide", Outcome: "maybe", Opinion: "x"}); e.Field != "outcome" {
		t.Errorf("an outcome outside the choices: %v", e)
	}
	c, _ = w.do(c, "2026-03-10T15:00", unit1, casework.Action{ID: "decide", Outcome: "approved", Opinion: "符合设置条件"})
	c, eff := w.do(c, "2026-03-11T09:00", unit1, casework.Action{ID: "hand_back"})
	if kinds(eff.Documents) != "hand_back_form" || !slices.Contains(eff.Notifications, casework.Notification{To: casework.ToStaff, Staff: window1.Staff, Action: "hand_back"}) {
		t.Errorf("hand back: %s %+v", kinds(eff.Documents), eff.Notifications)
	}
	c, eff = w.do(c, "2026-03-13T10:00", window1, casework.Action{ID: "complete", Certificate: "青广许〔2026〕12号", Delivery: casework.Post})
	if c.Status != flow.Completed || c.Step != "notifying" || c.Completion == nil || c.Completion.On != date("2026-03-13") ||
		c.Completion.Certificate != "青广许〔2026〕12号" || c.Completion.Outcome != "approved" || c.Delivery != casework.Post {
		t.Fatalf("completed: %s %+v", c.Status, c.Completion)
	}
	if kinds(eff.Documents) != "completion_voucher,decision" || eff.Documents[0].Date != date("2026-03-13") {
		t.Errorf("documents %+v", eff.Documents)
	}
	if len(eff.Clock) != 1 || eff.Clock[0].Kind != calendar.Finish {
		t.Errorf("clock %+v", eff.Clock)
	}
	if !slices.Contains(eff.Notifications, casework.Notification{To: casework.ToSupervisor, BodyPath: district.Path, Unit: "ZHZF", Action: "complete"}) {
		t.Errorf("the result is not pushed to the supervising unit (H9): %+v", eff.Notifications)
	}
	if d := w.deadlines(c, "2026-03-13T11:00"); d.Case.State != calendar.Finished || d.Case.FinishedOn != date("2026-03-13") {
		t.Errorf("finished: %+v", d.Case.Status)
	}
}

func TestCase_H7_applicantNotifiedByTheNextWorkingDay(t *testing.T) {
	w := newWorld(t)
	c := w.completed() // Friday 13 March
	on, eff := w.do(c, "2026-03-16T17:00", window1, casework.Action{ID: "notify"})
	if on.Flagged("H7") || on.Status != flow.Completed || on.Step != "completed" || !on.NotifiedAt.Equal(at("2026-03-16T17:00")) ||
		len(eff.Clock) != 0 {
		t.Errorf("Monday: flags %v at %s", on.FlagRules(), on.Step)
	}
	late, _ := w.do(c, "2026-03-17T09:00", window1, casework.Action{ID: "notify"})
	if !late.Flagged("H7") {
		t.Error("Tuesday is not flagged")
	}
	// The outbox's delivery time counts, not when the action is recorded.
	early, _ := w.do(c, "2026-03-18T09:00", window1, casework.Action{ID: "notify", NotifiedAt: at("2026-03-13T10:05")})
	if early.Flagged("H7") || !early.NotifiedAt.Equal(at("2026-03-13T10:05")) {
		t.Errorf("delivered on the day: flags %v", early.FlagRules())
	}
	env := w.env("2026-03-18T09:00", window1, "promised")
	if e := w.refused(c, env, casework.Action{ID: "notify", NotifiedAt: at("2026-03-13T09:00")}); e.Field != "notified_at" {
		t.Errorf("before completion: %v", e)
	}
	if e := w.refused(c, env, casework.Action{ID: "notify", NotifiedAt: at("2026-03-19T09:00")}); e.Field != "notified_at" {
		t.Errorf("in the future: %v", e)
	}
}

func TestCase_H2_instantCaseFinishesOnTheSpot(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(certificate, "身份证复印件"))
	c, _ = w.do(c, "2026-03-02T09:05", window1, casework.Action{ID: "accept"})
	if d := w.deadlines(c, "2026-03-02T09:05"); d.Case.Budget != (calendar.Budget{N: 2, Unit: calendar.WorkingHours}) ||
		!d.Case.Due.Equal(at("2026-03-02T11:05")) || d.Case.DueDate != date("2026-03-02") || d.Case.WorkingHours != 2*60*60*1e9 {
		t.Errorf("on the spot: %+v", d.Case)
	}
	done, eff := w.do(c, "2026-03-02T09:20", window1, casework.Action{ID: "complete", Certificate: "居证〔2026〕1号"})
	if done.Status != flow.Completed || done.Step != "completed" || done.Flagged("H2") || done.NotifiedAt.IsZero() ||
		kinds(eff.Documents) != "completion_voucher" || done.Completion.Outcome != "completed" {
		t.Errorf("done: %s %v %s %+v", done.Status, done.FlagRules(), kinds(eff.Documents), done.Completion)
	}
	late, _ := w.do(c, "2026-03-03T09:00", window1, casework.Action{ID: "complete"})
	if !late.Flagged("H2") {
		t.Error("an instant case finished the next day is not flagged")
	}
}

func TestCase_O1_jointCaseIsReviewedByTheLevelAbove(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", xikou, application(forestry, "申请书"))
	if c.Queue(w.flows["joint"]) != town || c.ClockSpec.MaxExtension != 15 {
		t.Fatalf("registered in %+v, ceiling %d", c.Queue(w.flows["joint"]), c.ClockSpec.MaxExtension)
	}
	c, _ = w.do(c, "2026-03-02T09:10", xikou, casework.Action{ID: "accept"})
	c, eff := w.do(c, "2026-03-02T11:00", xikou, casework.Action{ID: "hand_over"})
	if c.Queue(w.flows["joint"]) != district || eff.Event.Body != district.Path ||
		!slices.Contains(eff.Notifications, casework.Notification{To: casework.ToQueue, BodyPath: district.Path, Role: "unit_staff", Action: "hand_over"}) {
		t.Fatalf("sent up: queue %+v, %+v", c.Queue(w.flows["joint"]), eff.Notifications)
	}
	// The town's window can no longer act; the district's unit staff can.
	if e := w.refused(c, w.env("2026-03-03T09:00", xikou, "joint"), casework.Action{ID: "receive"}); e.Field != "role" && e.Field != "actor" {
		t.Errorf("the town acting above: %v", e)
	}
	c, _ = w.do(c, "2026-03-03T09:00", unit1, casework.Action{ID: "receive"})
	c, _ = w.do(c, "2026-03-05T09:00", leader1, casework.Action{ID: "pause", Reason: "组织专家评审"})
	if c.Special == nil || c.Special.Kind != flow.ExpertReview || c.StepLimit.N != 20 {
		t.Errorf("expert review: %+v", c.Special)
	}
	c, _ = w.do(c, "2026-03-12T09:00", unit1, casework.Action{ID: "resume", Opinion: "专家同意采伐"})
	c, _ = w.do(c, "2026-03-13T09:00", leader1, casework.Action{ID: "extend", Days: 15, Reason: "需补充林业调查"})
	c, _ = w.do(c, "2026-03-16T09:00", unit1, casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予采伐"})
	c, eff = w.do(c, "2026-03-16T10:00", unit1, casework.Action{ID: "hand_back"})
	if c.Queue(w.flows["joint"]) != town || eff.Event.Body != town.Path ||
		!slices.Contains(eff.Notifications, casework.Notification{To: casework.ToQueue, BodyPath: town.Path, Role: "window", Action: "hand_back"}) {
		t.Fatalf("back down: %+v %+v", c.Queue(w.flows["joint"]), eff.Notifications)
	}
	if e := w.refused(c, w.env("2026-03-16T11:00", window1, "joint"), casework.Action{ID: "complete"}); e.Field != "actor" {
		t.Errorf("the district completing the town's case: %v", e)
	}
	c, _ = w.do(c, "2026-03-16T11:00", xikou, casework.Action{ID: "complete", Certificate: "林采〔2026〕3号"})
	if c.Status != flow.Completed || c.Completion.Unit != forestry.Unit {
		t.Errorf("completed: %s %+v", c.Status, c.Completion)
	}
}

func TestCase_H1_caseRunsOnTheFlowVersionItStartedWith(t *testing.T) {
	w := newWorld(t)
	c := w.accepted(permit)
	src, err := flow.ShippedSource("promised")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := flow.Parse([]byte(strings.Replace(string(src), "version: 1", "version: 2", 1)), caseworktest.FlowOptions)
	if err != nil {
		t.Fatal(err)
	}
	env := w.env("2026-03-02T10:00", window1, "promised")
	env.Flow = v2
	if e := w.refused(c, env, casework.Action{ID: "hand_over"}); e.Field != "flow" || !strings.Contains(e.Message("zh"), "第1版") {
		t.Errorf("another version: %v", e)
	}
}

func TestCase_withdrawBeforeCompletion(t *testing.T) {
	w := newWorld(t)
	c := w.inReview(permit)
	c, eff := w.do(c, "2026-03-04T09:00", public, casework.Action{ID: "withdraw", Reason: "不再设置"})
	if c.Status != flow.Withdrawn || len(eff.Clock) != 1 || eff.Clock[0].Kind != calendar.Finish || kinds(eff.Documents) != "withdrawal_receipt" {
		t.Errorf("withdrawn: %s %+v %s", c.Status, eff.Clock, kinds(eff.Documents))
	}
	done := w.completed()
	if e := w.refused(done, w.env("2026-03-14T09:00", public, "promised"), casework.Action{ID: "withdraw"}); e.Code != apperr.Conflict {
		t.Errorf("after completion: %v", e)
	}
}

func TestCase_refusedActionChangesNothing(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, "申请书"))
	before := c
	before.Received = slices.Clone(c.Received)
	// An accepted action on c leaves c itself as it was.
	w.do(c, "2026-03-02T09:05", window1, casework.Action{ID: "request_supplement", Missing: c.Outstanding()})
	if !equalCases(before, c) {
		t.Error("Act changed the case it was given")
	}
	if e := w.refused(c, w.env("2026-03-02T09:05", window1, "promised"), casework.Action{ID: "nonsense"}); e.Field != "action" {
		t.Errorf("an unknown action: %v", e)
	}
}

func TestCase_H3_aDefectiveMaterialInHandIsSentBack(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, everything...))
	c, eff := w.do(c, "2026-03-02T09:05", window1, casework.Action{ID: "request_supplement", Missing: []string{"场地使用证明"}})
	if c.MaterialsComplete() || slices.Contains(c.Received, "场地使用证明") || eff.Event.Round != 1 {
		t.Errorf("sent back: received %v", c.Received)
	}
	env := w.env("2026-03-02T09:10", window1, "promised")
	if e := w.refused(c, env, casework.Action{ID: "accept"}); e.Field != "action" {
		t.Errorf("accepted while the material is out: %v", e)
	}
	c, _ = w.do(c, "2026-03-03T09:00", public, casework.Action{ID: "supplement", Materials: []string{"场地使用证明"}})
	if !c.MaterialsComplete() {
		t.Errorf("complete again: %v", c.Outstanding())
	}
}

func TestDeadlines_dueAsTheApplicantIsToldIt(t *testing.T) {
	w := newWorld(t)
	c := w.open("2026-03-02T09:00", window1, application(permit, everything...))
	if _, ok, err := c.Due(w.cal, at("2026-03-02T10:00")); ok || err != nil {
		t.Errorf("a due date before acceptance (%v)", err)
	}
	c = w.inReview(permit)
	if due, ok, _ := c.Due(w.cal, at("2026-03-04T10:00")); !ok || due != date("2026-03-16") {
		t.Errorf("running: %s", due)
	}
	paused, _ := w.do(c, "2026-03-04T10:00", leader1, casework.Action{ID: "pause", Reason: "勘察"})
	if _, ok, _ := paused.Due(w.cal, at("2026-03-05T10:00")); ok {
		t.Error("a due date during a special procedure")
	}
	done := w.completed()
	if due, ok, _ := done.Due(w.cal, at("2026-04-30T10:00")); !ok || due != date("2026-03-16") {
		t.Errorf("completed: %s %v", due, ok)
	}
}

func TestDeadlines_L9_provisionalWhenTheLimitRunsIntoAYearWithoutItsNotice(t *testing.T) {
	w := newWorld(t)
	w.cal = caseworktest.ProvisionalCalendar(t)
	c := w.open("2026-12-21T09:00", window1, application(permit, everything...))
	c, _ = w.do(c, "2026-12-21T09:10", window1, casework.Action{ID: "accept"})
	d := w.deadlines(c, "2026-12-21T10:00")
	if !d.Case.Provisional || d.Case.DueDate.Year() != 2027 || d.Step == nil || d.Step.Provisional {
		t.Errorf("case due %s provisional %v; step %+v", d.Case.DueDate, d.Case.Provisional, d.Step)
	}
	// On the default calendar, without 2027, the question cannot be answered.
	if _, err := c.Deadlines(caseworktest.Calendar(t), at("2026-12-21T10:00")); err == nil {
		t.Error("a due date in a year without data")
	}
}

func TestDeadlines_L10_stepOverdueWhileTheCaseIsNot(t *testing.T) {
	w := newWorld(t)
	c := w.accepted(permit) // Monday 2 March; hand over by Tuesday
	// Thursday 10:00: a whole working day (7 business hours) and one hour
	// overdue.
	d := w.deadlines(c, "2026-03-05T10:00")
	if d.Step.State != calendar.Overdue || d.Step.Remaining.Days != -1 || d.Step.WorkingHours != -8*time.Hour ||
		d.Case.State != calendar.Running || d.Case.WorkingHours <= 0 {
		t.Errorf("step %s %d days %v; case %s %v", d.Step.State, d.Step.Remaining.Days, d.Step.WorkingHours, d.Case.State, d.Case.WorkingHours)
	}
}

func TestRules_configuredNumbersAreChecked(t *testing.T) {
	w := newWorld(t)
	c := w.accepted(permit)
	env := w.env("2026-03-02T10:00", window1, "promised")
	env.Rules = casework.DefaultRules()
	env.Rules.WindowRole = ""
	if e := w.refused(c, env, casework.Action{ID: "hand_over"}); e.Field != "rules.window_role" {
		t.Errorf("no window role: %v", e)
	}
	env.Rules = casework.DefaultRules()
	env.Rules.NoticeDays = 0
	if e := w.refused(c, env, casework.Action{ID: "hand_over"}); e.Field != "rules.notice_days" {
		t.Errorf("no notice period: %v", e)
	}
	// A stricter region: the hand-over the same day only.
	env.Rules = casework.DefaultRules()
	env.Rules.HandOverDays = 0
	env.Now = at("2026-03-03T09:00")
	c2, _, err := casework.Act(c, casework.Action{ID: "hand_over"}, env)
	if err != nil || !c2.Flagged("H5") {
		t.Errorf("same day only: %v %v", c2.FlagRules(), err)
	}
}

func TestFlagText_everyRuleRaisedIsWorded(t *testing.T) {
	for _, rule := range []string{"H2", "H3", "H5", "H6", "H7", "L2", "L4"} {
		zh, en := casework.FlagText("zh", rule), casework.FlagText("en", rule)
		if zh == rule || en == rule || zh == en {
			t.Errorf("%s: %q %q", rule, zh, en)
		}
	}
	if zh, en := casework.FlagText("zh", "X9"), casework.FlagText("en", "X9"); zh != "X9" || en != "X9" {
		t.Errorf("an unknown rule: %q %q", zh, en)
	}
}
