package casework_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
)

func TestPublic_H12_timelineStepAndNotices(t *testing.T) {
	w := newWorld(t)
	h := w.history("2026-03-02T09:00", window1, application(permit, "申请书"))
	h.do("2026-03-02T09:05", window1, casework.Action{ID: "request_supplement",
		Missing: []string{"身份证复印件", "场地使用证明"}})
	h.do("2026-03-03T09:30", public, casework.Action{ID: "supplement", Materials: []string{"身份证复印件", "场地使用证明"}})
	h.do("2026-03-03T10:00", window1, casework.Action{ID: "accept"})
	h.do("2026-03-03T11:00", window1, casework.Action{ID: "hand_over"})
	v, err := casework.Public(h.c, h.events, w.flows["promised"], w.cal, at("2026-03-04T09:00"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Withheld || v.Status != flow.Handling || v.Step == nil || v.Step.Code != "unit_receipt" || v.Step.Name.Zh != "职能单位接件" {
		t.Errorf("head %+v %+v", v, v.Step)
	}
	if v.Deadline == nil || v.Deadline.Due != date("2026-03-17") || v.Deadline.Remaining != 10 || v.Deadline.State != calendar.Running {
		t.Errorf("deadline %+v", v.Deadline)
	}
	if len(v.Timeline) != 5 || v.Timeline[1].Action.Zh != "一次性告知补正" || v.Timeline[1].Date != date("2026-03-02") {
		t.Errorf("timeline %+v", v.Timeline)
	}
	var got []string
	for _, n := range v.Notices {
		got = append(got, string(n.Kind))
	}
	if strings.Join(got, ",") != "supplement_notice,acceptance_notice,promise_notice" || len(v.Notices[0].Materials) != 2 {
		t.Errorf("notices %+v", v.Notices)
	}
	if v.Applicant != "张*" || v.Submitted != date("2026-03-02") || v.AcceptedOn != date("2026-03-03") {
		t.Errorf("applicant %q, submitted %s, accepted %s", v.Applicant, v.Submitted, v.AcceptedOn)
	}
	// No internal forms, no staff names, no identifiers.
	b, _ := json.Marshal(v)
	for _, secret := range []string{"hand_over_form", "陈晓", adultID, "13812345678", "人民路88号"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the public view shows %s", secret)
		}
	}
}

func TestPublic_L7_personalDataInNoticesIsMasked(t *testing.T) {
	w := newWorld(t)
	h := w.history("2026-03-02T09:00", window1, application(permit, everything...))
	h.do("2026-03-02T09:10", window1, casework.Action{ID: "refuse",
		Reason: "申请人张三(身份证11010519491231002X,电话13812345678)已有同一地点的设置许可", Basis: "《行政许可法》第三十二条"})
	v, err := casework.Public(h.c, h.events, w.flows["promised"], w.cal, at("2026-03-03T09:00"))
	if err != nil {
		t.Fatal(err)
	}
	r := v.Notices[0].Reason
	if v.Notices[0].Kind != casework.RefusalDecision || strings.Contains(r, "11010519491231002X") || strings.Contains(r, "13812345678") ||
		!strings.Contains(r, "已有同一地点") || v.Notices[0].Basis != "《行政许可法》第三十二条" {
		t.Errorf("refusal notice %+v", v.Notices[0])
	}
	if v.Deadline != nil || v.Status != flow.Refused {
		t.Errorf("an ended case has a deadline: %+v", v.Deadline)
	}
}

func TestPublic_L7_minorsSecretsAndPrivacyShowNoDetails(t *testing.T) {
	w := newWorld(t)
	app := application(certificate, "身份证复印件")
	app.Applicant.ResidentID = minorID
	minor := w.history("2026-03-02T09:00", window1, app)
	secret := application(permit, everything...)
	secret.Secret = true
	for _, h := range []*history{minor, w.history("2026-03-02T09:00", window1, secret)} {
		v, err := casework.Public(h.c, h.events, w.flows[h.c.Flow.Code], w.cal, at("2026-03-02T10:00"))
		if err != nil {
			t.Fatal(err)
		}
		if !v.Withheld || v.Status != flow.Submitted || v.Number != h.c.Number || v.Item != "" || v.Applicant != "" || v.Step != nil ||
			v.Timeline != nil || v.Notices != nil {
			t.Errorf("%s: %+v", h.c.Item.Name, v)
		}
	}
}

func TestPublic_completedCaseShowsItsResult(t *testing.T) {
	h := fullPromisedCase(t)
	v, err := casework.Public(h.c, h.events, h.w.flows["promised"], h.w.cal, at("2026-03-14T09:00"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Done == nil || v.Done.Date != date("2026-03-13") || v.Done.Certificate != "青广许〔2026〕12号" || v.Done.Outcome != "approved" {
		t.Errorf("done %+v", v.Done)
	}
	var decision *casework.PublicNotice
	for i, n := range v.Notices {
		if n.Kind == casework.DecisionDocument {
			decision = &v.Notices[i]
		}
	}
	if decision == nil || decision.Reason != "准予设置" {
		t.Errorf("the decision notice: %+v", v.Notices)
	}
}
