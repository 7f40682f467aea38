package complaint

import (
	"testing"

	"github.com/qingdan/qingdan/internal/msg"
)

// TestNames_P2_everyValueNamedInBothLanguages: statuses, refusal reasons,
// modes, outcomes, channels and grounds have their names in both
// catalogues, worded as the code held them.
func TestNames_P2_everyValueNamedInBothLanguages(t *testing.T) {
	for prefix, r := range map[string]func() (string, bool){
		"complaint.status":  func() (string, bool) { return msg.Named("complaint.status", Statuses...) },
		"complaint.refusal": func() (string, bool) { return msg.Named("complaint.refusal", RefusalReasons...) },
		"complaint.mode":    func() (string, bool) { return msg.Named("complaint.mode", Modes...) },
		"complaint.outcome": func() (string, bool) { return msg.Named("complaint.outcome", Outcomes...) },
		"complaint.channel": func() (string, bool) { return msg.Named("complaint.channel", Channels...) },
		"complaint.ground":  func() (string, bool) { return msg.Named("complaint.ground", Grounds...) },
	} {
		if v, ok := r(); !ok {
			t.Errorf("%s.%s unnamed", prefix, v)
		}
	}
	for _, c := range []struct{ got, want string }{
		{Found.In("zh"), "已查明，待答复"},
		{UnderReview.In("en"), "review requested"},
		{RepeatedNoNewFacts.In("en"), "repeated with no new facts"},
		{SuperviseTransfer.In("zh"), "转办督办"},
		{LossOfAwards.In("zh"), "取消评优评先资格"},
		{InPerson.In("en"), "in person"},
		{NeedlessDocuments.In("zh"), "要求提供不必要的材料"},
		{Status("odd").In("en"), "odd"},
		{Target{Kind: TargetStaff, Staff: "张三", UnitName: "窗口"}.In("zh"), "工作人员 张三（窗口）"},
		{Target{Kind: TargetStaff, Staff: "张三", UnitName: "窗口"}.In("en"), "staff member 张三 (窗口)"},
		{Target{Kind: TargetCase, Case: "X1"}.In("en"), "case X1"},
		{Target{Kind: TargetItem, Item: "I9"}.In("zh"), "事项 I9"},
		{Target{Kind: TargetUnit, UnitName: "民政办"}.In("en"), "unit 民政办"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
