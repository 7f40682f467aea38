package casework_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
)

// history is a case with its timeline, as storage keeps them.
type history struct {
	w      *world
	c      casework.Case
	events []casework.Event
}

func (w *world) history(when string, a casework.Actor, app casework.Application) *history {
	w.t.Helper()
	c, eff, err := casework.Open(app, w.env(when, a, flowOf(app.Item)))
	if err != nil {
		w.t.Fatal(err)
	}
	return &history{w: w, c: c, events: []casework.Event{eff.Event}}
}

func (h *history) do(when string, a casework.Actor, act casework.Action) casework.Effects {
	h.w.t.Helper()
	var eff casework.Effects
	h.c, eff = h.w.do(h.c, when, a, act)
	h.events = append(h.events, eff.Event)
	return eff
}

// fullPromisedCase runs a promised case through every kind of step:
// supplementation, acceptance, hand-over, a site survey, an extension, the
// decision, hand-back, completion and notification.
func fullPromisedCase(t *testing.T) *history {
	w := newWorld(t)
	h := w.history("2026-03-02T09:00", window1, application(permit, "申请书", "设计效果图"))
	h.do("2026-03-02T09:05", window1, casework.Action{ID: "request_supplement", Missing: []string{"身份证复印件", "场地使用证明"}})
	h.do("2026-03-03T09:30", public, casework.Action{ID: "supplement", Materials: []string{"身份证复印件", "场地使用证明"}})
	h.do("2026-03-03T10:00", window1, casework.Action{ID: "accept"})
	h.do("2026-03-03T11:00", window1, casework.Action{ID: "hand_over"})
	h.do("2026-03-04T09:00", unit1, casework.Action{ID: "receive"})
	h.do("2026-03-05T09:00", leader1, casework.Action{ID: "pause", Reason: "需现场勘察", Days: 5})
	h.do("2026-03-09T16:00", unit1, casework.Action{ID: "resume", Opinion: "勘察符合条件"})
	h.do("2026-03-10T09:00", leader1, casework.Action{ID: "extend", Days: 3, Reason: "征求相邻权利人意见"})
	h.do("2026-03-12T15:00", unit1, casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予设置"})
	h.do("2026-03-13T09:00", unit1, casework.Action{ID: "hand_back"})
	h.do("2026-03-13T10:00", window1, casework.Action{ID: "complete", Certificate: "青广许〔2026〕12号"})
	h.do("2026-03-13T10:30", window1, casework.Action{ID: "notify"})
	return h
}

func TestRecord_everythingTheExchangeExpects(t *testing.T) {
	h := fullPromisedCase(t)
	r := casework.BuildRecord(h.c, h.events, h.w.flows["promised"])
	if r.SerialNumber != applyNum || !r.HasQueryCode || r.ItemCode != permit.Code || r.RegionCode != "330199" ||
		r.Applicant.IDType != "resident_id" || r.Applicant.IDNumber != adultID || r.Channel != casework.AtWindow {
		t.Errorf("head: %+v", r)
	}
	if r.Acceptance == nil || !r.Acceptance.At.Equal(at("2026-03-03T10:00")) || r.Acceptance.Officer != window1.Staff || r.Acceptance.Deemed {
		t.Errorf("acceptance %+v", r.Acceptance)
	}
	if *r.StatutoryLimit != (casework.RecordLimit{Value: 20, Unit: calendar.WorkingDays}) || r.PromisedLimit.Value != 10 {
		t.Errorf("limits %+v %+v", r.StatutoryLimit, r.PromisedLimit)
	}
	if len(r.Materials) != 4 || !r.Materials[1].Received || !r.Materials[1].ReceivedAt.Equal(at("2026-03-03T09:30")) ||
		!r.Materials[3].Received || r.Materials[3].Required {
		t.Errorf("materials %+v", r.Materials)
	}
	if len(r.Supplements) != 1 || r.Supplements[0].Round != 1 || len(r.Supplements[0].Missing) != 2 ||
		r.Supplements[0].ReceivedAt == nil || len(r.Supplements[0].Received) != 2 {
		t.Errorf("supplements %+v", r.Supplements)
	}
	if len(r.Steps) != len(h.events) || r.Steps[0].Code != "received" || r.Steps[0].Name != "窗口收件审查" ||
		r.Steps[2].Officer != nil || r.Steps[2].Role != flow.Applicant {
		t.Errorf("steps %+v", r.Steps[:3])
	}
	i := slices.IndexFunc(r.Steps, func(s casework.RecordStep) bool { return s.Action == "decide" })
	if i < 0 || r.Steps[i].Code != "review" || r.Steps[i].Opinion != "准予设置" || *r.Steps[i].Officer != unit1.Staff {
		t.Errorf("decision step %+v", r.Steps[i])
	}
	if len(r.SpecialProcedures) != 1 {
		t.Fatalf("special procedures %+v", r.SpecialProcedures)
	}
	sp := r.SpecialProcedures[0]
	if sp.Type != flow.SiteSurvey || sp.Approver != leader1.Staff || sp.Reason != "需现场勘察" || sp.Limit.Value != 5 ||
		sp.End == nil || !sp.End.Equal(at("2026-03-09T16:00")) || sp.Opinion != "勘察符合条件" {
		t.Errorf("special %+v", sp)
	}
	if len(r.Extensions) != 1 || r.Extensions[0].Days != 3 || r.Extensions[0].Approver != leader1.Staff {
		t.Errorf("extensions %+v", r.Extensions)
	}
	if c := r.Completion; c == nil || c.Department != "综合执法队" || c.Outcome != "approved" || c.CertificateNumber != "青广许〔2026〕12号" ||
		c.On != date("2026-03-13") || c.NotifiedAt == nil {
		t.Errorf("completion %+v", r.Completion)
	}
	if r.Delivery != casework.PickUp || r.Status != flow.Completed || r.Step != "completed" || len(r.Flags) != 0 {
		t.Errorf("tail %s %s %s %v", r.Delivery, r.Status, r.Step, r.Flags)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "ABCD2345") || strings.Contains(string(b), h.c.QueryCodeHash) {
		t.Error("the record carries the query code or its hash")
	}
}

func TestRecord_refusalAndDeemedAcceptance(t *testing.T) {
	w := newWorld(t)
	h := w.history("2026-03-02T09:00", window1, application(permit, everything...))
	h.do("2026-03-02T09:10", window1, casework.Action{ID: "refuse", Reason: "不属于本机关职权", Basis: "《行政许可法》第三十二条"})
	r := casework.BuildRecord(h.c, h.events, w.flows["promised"])
	if r.Refusal == nil || r.Refusal.Basis != "《行政许可法》第三十二条" || r.Acceptance != nil || r.Completion != nil || r.Status != flow.Refused {
		t.Errorf("refusal %+v", r)
	}
	d := w.history("2026-04-02T15:00", window1, application(permit, "申请书"))
	c, eff, err := casework.DeemAccept(d.c, w.env("2026-04-13T01:00", casework.Actor{}, "promised"))
	if err != nil {
		t.Fatal(err)
	}
	r = casework.BuildRecord(c, append(d.events, eff.Event), w.flows["promised"])
	if r.Acceptance == nil || !r.Acceptance.Deemed || !r.Acceptance.At.Equal(at("2026-04-02T15:00")) || r.Acceptance.Officer != casework.System ||
		!slices.Equal(r.Flags, []string{"L2"}) || r.Steps[1].Officer == nil {
		t.Errorf("deemed %+v %v", r.Acceptance, r.Flags)
	}
}
