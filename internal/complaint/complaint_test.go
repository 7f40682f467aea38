package complaint

import (
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func cal(t *testing.T) *calendar.Calendar {
	t.Helper()
	c, err := calendar.Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func filing() Filing {
	return Filing{Channel: Online, Target: Target{Kind: TargetStaff, StaffID: 7, Staff: "吴刚", Unit: "ZHZF", UnitName: "综合执法队"},
		Ground: NeedlessDocuments, Facts: "窗口要求提供已取消的证明材料。",
		Complainant: Complainant{Name: "王五", Phone: "13800138000"}}
}

// filed is a complaint filed online on Monday 2026-03-02.
func filed(t *testing.T, f Filing) Complaint {
	t.Helper()
	num := NumberOf("330199", 2026, 1)
	c, err := File(f, num, casework.QueryCodeHash(num, "ABCD2345"), at("2026-03-02T09:00"), cal(t), DefaultRules(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func field(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Field
	}
	return ""
}

func TestComplaint_P1_P2_aFilingNamesTargetGroundFactsAndContact(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		edit        func(*Filing)
	}{
		{"no target", "target", func(f *Filing) { f.Target = Target{} }},
		{"no ground", "ground", func(f *Filing) { f.Ground = "" }},
		{"unknown ground", "ground", func(f *Filing) { f.Ground = "rude" }},
		{"no facts", "facts", func(f *Filing) { f.Facts = "  " }},
		{"script in the facts", "facts", func(f *Filing) { f.Facts = "x<script>alert(1)</script>" }},
		{"invalid phone", "complainant.phone", func(f *Filing) { f.Complainant.Phone = "12345" }},
		{"no name and not anonymous", "complainant.name", func(f *Filing) { f.Complainant.Name = "" }},
		{"no contact", "complainant.phone", func(f *Filing) { f.Complainant.Phone = "" }},
		{"bad channel", "channel", func(f *Filing) { f.Channel = "fax" }},
	} {
		f := filing()
		tc.edit(&f)
		if err := f.Check(); field(err) != tc.field {
			t.Errorf("%s: got %v (field %q), want field %q", tc.name, err, field(err), tc.field)
		}
	}
	f := filing()
	f.Complainant = Complainant{Anonymous: true, Name: "王五"}
	if err := f.Check(); err != nil || f.Complainant.Name != "" {
		t.Errorf("P1: anonymous complaint refused or kept the name: %v %+v", err, f.Complainant)
	}
	f = filing()
	f.Complainant.Phone = "0571-87654321"
	if err := f.Check(); err != nil {
		t.Errorf("a landline refused: %v", err)
	}
}

func TestComplaint_P2_groundsByKeyOrChineseName(t *testing.T) {
	if len(Grounds) != 7 {
		t.Fatalf("P2 has seven grounds, got %d", len(Grounds))
	}
	for _, g := range Grounds {
		zh := g.In("zh")
		for _, s := range []string{string(g), zh} {
			if got, err := ParseGround("ground", s); err != nil || got != g {
				t.Errorf("ParseGround(%q) = %q, %v", s, got, err)
			}
		}
	}
}

func TestComplaint_P1_phoneAndLetterAddEvidenceWithin3WorkingDays(t *testing.T) {
	f := filing()
	f.Channel = Phone
	c := filed(t, f) // Monday 2026-03-02: three working days → Thursday 03-05
	if got := c.EvidenceDue.String(); got != "2026-03-05" {
		t.Fatalf("evidence due %s, want 2026-03-05", got)
	}
	ev := []Evidence{{Name: "收据.jpg", Size: 10, Type: "image/jpeg", SHA256: "00"}}
	if c2, err := c.AddEvidence(ev, at("2026-03-05T17:00"), cal(t)); err != nil || len(c2.Evidence) != 1 {
		t.Errorf("on the third working day: %v", err)
	}
	if _, err := c.AddEvidence(ev, at("2026-03-06T09:00"), cal(t)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("P1: evidence on the fourth working day accepted: %v", err)
	}
	if _, err := filed(t, filing()).AddEvidence(ev, at("2026-03-02T10:00"), cal(t)); err == nil {
		t.Error("an online complaint added evidence afterwards")
	}
}

func TestComplaint_P4_acceptanceAfterTwoWorkingDaysIsLate(t *testing.T) {
	c := filed(t, filing()) // Monday: accept by Wednesday 03-04
	a := Acceptance{Mode: Direct}
	onTime, err := c.Accept(a, at("2026-03-04T16:00"), cal(t), DefaultRules())
	if err != nil || onTime.LateAccept {
		t.Fatalf("on the second working day: late=%v %v", onTime.LateAccept, err)
	}
	late, err := c.Accept(a, at("2026-03-05T09:00"), cal(t), DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if !late.LateAccept || !strings.Contains(strings.Join(late.Flags(), ","), "late_acceptance") {
		t.Errorf("P4: acceptance on the third working day not flagged: %+v", late.Flags())
	}
	// P6: 15 working days from acceptance.
	if got := onTime.Due.String(); got != "2026-03-25" {
		t.Errorf("P6: due %s, want 2026-03-25", got)
	}
}

func TestComplaint_P4_serviceCentreComplaintHasThreeWorkingDays(t *testing.T) {
	f := filing()
	f.Centre = true
	c := filed(t, f)
	late, err := c.Accept(Acceptance{Mode: Direct}, at("2026-03-05T09:00"), cal(t), DefaultRules())
	if err != nil || late.LateAccept {
		t.Errorf("P4: a centre complaint accepted on the third working day is late: %v", err)
	}
}

func TestComplaint_P3_refusalNeedsOneOfTheReasonsAndAWrittenText(t *testing.T) {
	c := filed(t, filing())
	if _, err := c.Refuse("dislike", "x", at("2026-03-02T10:00"), cal(t)); field(err) != "reason" {
		t.Errorf("P3: refusal without a P3 reason: %v", err)
	}
	if _, err := c.Refuse(NotInList, " ", at("2026-03-02T10:00"), cal(t)); field(err) != "text" {
		t.Errorf("P3: refusal without the written text: %v", err)
	}
	r, err := c.Refuse(InReconsideration, "该事项已申请行政复议。", at("2026-03-02T10:00"), cal(t))
	if err != nil || r.Status != Refused {
		t.Fatal(err)
	}
	if _, err := r.Accept(Acceptance{Mode: Direct}, at("2026-03-02T11:00"), cal(t), DefaultRules()); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("a refused complaint accepted: %v", err)
	}
}

func TestComplaint_P3_repeatedComplaintIsLinkedToTheEarlierAnswer(t *testing.T) {
	earlier := answered(t)
	num := NumberOf("330199", 2026, 2)
	c, err := File(filing(), num, "", at("2026-04-01T09:00"), cal(t), DefaultRules(), []Complaint{earlier})
	if err != nil {
		t.Fatal(err)
	}
	if c.RepeatOf != earlier.Number {
		t.Errorf("P3: repeat not linked: %q", c.RepeatOf)
	}
	f := filing()
	f.Ground = DutyNotFulfilled
	other, _ := File(f, num, "", at("2026-04-01T09:00"), cal(t), DefaultRules(), []Complaint{earlier})
	if other.RepeatOf != "" {
		t.Error("P3: another ground counted as a repeat")
	}
}

func accepted(t *testing.T) Complaint {
	t.Helper()
	c, err := filed(t, filing()).Accept(Acceptance{Mode: Direct}, at("2026-03-03T09:00"), cal(t), DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	zhou = Investigator{StaffID: 1, Name: "周文", Unit: "DZB"}
	sun  = Investigator{StaffID: 2, Name: "孙建国", Unit: "DZB"}
	wu   = Investigator{StaffID: 7, Name: "吴刚", Unit: "ZHZF"}
	li   = Investigator{StaffID: 8, Name: "李强", Unit: "ZHZF"}
)

func TestComplaint_P5_oneInvestigatorIsNotEnough(t *testing.T) {
	c := accepted(t)
	if _, err := c.Assign([]Investigator{zhou}, DefaultRules()); field(err) != "investigators" {
		t.Errorf("P5: one investigator accepted: %v", err)
	}
	if _, err := c.Assign([]Investigator{zhou, zhou}, DefaultRules()); field(err) != "investigators" {
		t.Errorf("P5: the same investigator twice counted as two: %v", err)
	}
	if _, err := c.Assign([]Investigator{zhou, sun}, DefaultRules()); err != nil {
		t.Error(err)
	}
}

func TestComplaint_P5_investigatorFromTheComplainedUnitIsRecused(t *testing.T) {
	c := accepted(t)
	_, err := c.Assign([]Investigator{zhou, li}, DefaultRules())
	if field(err) != "investigators" || !strings.Contains(apperr.As(err).Message("zh"), "回避") {
		t.Errorf("P5: an investigator of the complained unit accepted: %v", err)
	}
	_, err = c.Assign([]Investigator{zhou, sun, wu}, DefaultRules())
	if err == nil || !strings.Contains(apperr.As(err).Message("en"), "recused") {
		t.Errorf("P5: the complained person accepted as investigator: %v", err)
	}
}

func TestComplaint_P5_investigationStartsWhenEveryInvestigatorDeclaresNoConflict(t *testing.T) {
	c, err := accepted(t).Assign([]Investigator{zhou, sun}, DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Find("属实", true, []Outcome{Interview}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("findings before the declarations: %v", err)
	}
	if _, err := c.Declare(99, at("2026-03-03T10:00")); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a non-investigator declared: %v", err)
	}
	c, _ = c.Declare(1, at("2026-03-03T10:00"))
	if c.Status != Accepted {
		t.Errorf("investigating after one declaration of two")
	}
	c, _ = c.Declare(2, at("2026-03-03T10:00"))
	if c.Status != Investigating {
		t.Errorf("P5: not investigating after both declarations: %s", c.Status)
	}
}

func investigating(t *testing.T) Complaint {
	t.Helper()
	c, err := accepted(t).Assign([]Investigator{zhou, sun}, DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	c, _ = c.Declare(1, at("2026-03-03T10:00"))
	c, err = c.Declare(2, at("2026-03-03T10:00"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestComplaint_P7_verifiedFindingsNeedAnOutcome(t *testing.T) {
	c := investigating(t)
	if _, err := c.Find("属实", true, nil); field(err) != "outcomes" {
		t.Errorf("P7: verified without outcome: %v", err)
	}
	if _, err := c.Find("属实", true, []Outcome{"fine"}); field(err) != "outcomes" {
		t.Errorf("P7: unknown outcome: %v", err)
	}
	if _, err := c.Find("不属实", false, []Outcome{Interview}); field(err) != "outcomes" {
		t.Errorf("P7: an outcome for a complaint not verified: %v", err)
	}
	f, err := c.Find("经查属实。", true, []Outcome{Interview, SelfExamination})
	if err != nil || f.Status != Found {
		t.Fatal(err)
	}
}

func TestComplaint_P6_anExtensionOf16WorkingDaysIsRefused(t *testing.T) {
	c := investigating(t) // accepted Tuesday 03-03: due 03-24
	if _, err := c.Extend(16, "情况复杂", true, "reform1", at("2026-03-10T09:00"), cal(t), DefaultRules()); field(err) != "days" {
		t.Errorf("P6: 16 working days accepted: %v", err)
	}
	if _, err := c.Extend(5, "情况复杂", false, "office1", at("2026-03-10T09:00"), cal(t), DefaultRules()); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("P6: extension without the director: %v", err)
	}
	if _, err := c.Extend(5, " ", true, "reform1", at("2026-03-10T09:00"), cal(t), DefaultRules()); field(err) != "reason" {
		t.Errorf("P6: extension without reasons: %v", err)
	}
	e, err := c.Extend(15, "需调取外单位材料", true, "reform1", at("2026-03-10T09:00"), cal(t), DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if e.Due.String() != "2026-04-15" {
		t.Errorf("P6: extended due %s, want 2026-04-15 (清明 04-06 is a holiday)", e.Due)
	}
	if _, err := e.Extend(1, "再延", true, "reform1", at("2026-03-11T09:00"), cal(t), DefaultRules()); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("P6: a second extension accepted: %v", err)
	}
}

func TestComplaint_P6_serviceCentreTiers(t *testing.T) {
	r := DefaultRules()
	r.Tiered = true
	c := filed(t, filing())
	if _, err := c.Accept(Acceptance{Mode: Direct}, at("2026-03-02T10:00"), cal(t), r); field(err) != "tier" {
		t.Errorf("P6: tiered body without a tier: %v", err)
	}
	s, err := c.Accept(Acceptance{Mode: Direct, Tier: Simple}, at("2026-03-02T10:00"), cal(t), r)
	if err != nil || s.Due.String() != "2026-03-05" {
		t.Errorf("P6: simple tier due %s, %v", s.Due, err)
	}
	if _, err := c.Accept(Acceptance{Mode: Direct, Tier: Special, Days: 31, Reason: "跨部门"}, at("2026-03-02T10:00"), cal(t), r); field(err) != "days" {
		t.Errorf("P6: special tier of 31 days accepted: %v", err)
	}
	if _, err := c.Accept(Acceptance{Mode: Direct, Tier: Special, Days: 30}, at("2026-03-02T10:00"), cal(t), r); field(err) != "reason" {
		t.Errorf("P6: special tier without written reasons: %v", err)
	}
}

func answered(t *testing.T) Complaint {
	t.Helper()
	c, err := investigating(t).Find("经查属实。", true, []Outcome{Interview})
	if err != nil {
		t.Fatal(err)
	}
	c, err = c.AnswerWith(AnswerNumber("青山", 2026, 1), "经调查，投诉属实，已对相关人员诫勉谈话。", "office1", at("2026-03-20T10:00"), cal(t), DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestComplaint_P8_answerInWritingThenReviewWithin15WorkingDays(t *testing.T) {
	if _, err := investigating(t).AnswerWith("n", "答复", "office1", at("2026-03-20T10:00"), cal(t), DefaultRules()); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("P8: an answer before the findings: %v", err)
	}
	c := answered(t) // Friday 03-20: review by 04-13 (清明 04-06)
	if c.Status != Answered || c.Answer.Number != "青山投复〔2026〕0001号" || c.LateAnswer {
		t.Fatalf("%+v", c.Answer)
	}
	if c.ReviewDue.String() != "2026-04-13" {
		t.Errorf("P8: review due %s", c.ReviewDue)
	}
	if _, err := c.RequestReview("不服", at("2026-04-14T09:00"), cal(t)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("P8: review after 15 working days accepted: %v", err)
	}
	r, err := c.RequestReview("处理过轻", at("2026-04-13T09:00"), cal(t))
	if err != nil || r.Status != UnderReview {
		t.Errorf("P8: review refused: %v", err)
	}
}

func TestComplaint_P6_answerAfterTheDueDayIsFlaggedLate(t *testing.T) {
	c, _ := investigating(t).Find("不属实。", false, nil)
	c, err := c.AnswerWith("n", "经查不属实。", "office1", at("2026-03-25T09:00"), cal(t), DefaultRules())
	if err != nil || !c.LateAnswer {
		t.Errorf("P6: answer on the 16th working day not late: %v", err)
	}
}

func TestComplaint_O4_publicViewAndRedactedCarryNoIdentity(t *testing.T) {
	c := answered(t)
	c.Answer.Text = "投诉人王五（电话13800138000）反映的问题属实。"
	p := c.PublicView()
	if strings.Contains(p.Answer.Text, "13800138000") || p.Answer.By != "" {
		t.Errorf("O4: the public answer shows personal data: %q", p.Answer.Text)
	}
	r := c.Redacted()
	if r.Complainant.Name != "" || r.Complainant.Phone != "" {
		t.Errorf("O4: redacted complaint keeps the complainant: %+v", r.Complainant)
	}
	if err := c.CheckQueryCode("abcd-2345"); err != nil {
		t.Errorf("V3: the code as typed refused: %v", err)
	}
	if err := c.CheckQueryCode("ABCD2346"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("a wrong code: %v", err)
	}
}

func TestComplaint_P9_thirdVerifiedComplaintInAYearShowsTheConsequence(t *testing.T) {
	e := TallyEntry{Year: 2026, StaffID: 7, Staff: "吴刚", Unit: "BMFW", UnitName: "便民服务中心", Window: true}
	rows := Tally([]TallyEntry{e, e}, DefaultRules())
	if len(rows) != 2 || rows[0].Count != 2 || rows[0].ConsequenceZh != "" {
		t.Fatalf("two complaints: %+v", rows)
	}
	old := e
	old.Year = 2025
	rows = Tally([]TallyEntry{e, e, old, e}, DefaultRules())
	var staff, window TallyRow
	for _, r := range rows {
		if r.Year == 2026 && r.Kind == "staff" {
			staff = r
		}
		if r.Year == 2026 && r.Kind == "window" {
			window = r
		}
	}
	if staff.Count != 3 || !strings.Contains(staff.ConsequenceZh, "优秀") {
		t.Errorf("P9: third verified complaint of a person: %+v", staff)
	}
	if window.Count != 3 || !strings.Contains(window.ConsequenceEn, "interviewed") {
		t.Errorf("P9: third verified complaint of a window: %+v", window)
	}
}

func TestComplaint_numbers(t *testing.T) {
	n := NumberOf("330199", 2026, 12)
	if n != "TS330199-2026-000012" {
		t.Fatal(n)
	}
	if got, err := ParseNumber("number", " ts330199-2026-000012 "); err != nil || got != n {
		t.Errorf("ParseNumber: %q %v", got, err)
	}
	for _, bad := range []string{"330199-2026-000012", "TS", "TSx", "TS330199-2026-0000x2"} {
		if _, err := ParseNumber("number", bad); field(err) != "number" {
			t.Errorf("ParseNumber(%q): %v", bad, err)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"TS330199-2026-000001", "ts330199001-2026-1234567", "", "TS-", "330199-2026-000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber("number", s)
		if err != nil {
			return
		}
		if again, err := ParseNumber("number", n); err != nil || again != n {
			t.Errorf("%q parsed to %q which does not parse to itself", s, n)
		}
	})
}

func FuzzParsePhoneAndText(f *testing.F) {
	for _, s := range []string{"13800138000", "0571-87654321", "+86 138 0013 8000", "<script>", "12", "a<b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := ParsePhone("phone", s); err == nil {
			if _, err := ParsePhone("phone", p); err != nil {
				t.Errorf("%q accepted as %q which is refused", s, p)
			}
		}
		if err := CheckText("facts", "complaint.the_facts", s, 100, false); err == nil && strings.Contains(strings.ToLower(s), "<script") {
			t.Errorf("%q with a script accepted", s)
		}
	})
}
