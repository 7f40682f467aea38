package rating

import (
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/flow"
)

// L8: five levels, the last two bad; each read by score, Chinese name or key.
func TestLevel_L8_fiveLevelsLastTwoBad(t *testing.T) {
	bad := 0
	for _, l := range Levels {
		for _, s := range []string{string(rune('0' + int(l))), l.In("zh"), l.Key()} {
			got, err := ParseLevel("level", s)
			if err != nil || got != l {
				t.Errorf("%q: %v %v", s, got, err)
			}
		}
		if l.Bad() {
			bad++
		}
	}
	if len(Levels) != 5 || bad != 2 || !Dissatisfied.Bad() || !VeryDissatisfied.Bad() || BasicallySatisfied.Bad() {
		t.Fatal("L8: five levels, the last two bad")
	}
	for _, s := range []string{"", "0", "6", "很好", "-1"} {
		if _, err := ParseLevel("level", s); err == nil {
			t.Errorf("%q read as a level", s)
		}
	}
}

func TestTally_L8_satisfactionRate(t *testing.T) {
	var ta Tally
	ta.Add(VerySatisfied, 7)
	ta.Add(BasicallySatisfied, 1)
	ta.Add(VeryDissatisfied, 2)
	ta.Add(Level(9), 3)
	if ta.Total != 10 || ta.Bad != 2 || ta.SatisfactionRate() != 80 || ta.Count(VerySatisfied) != 7 {
		t.Fatalf("%+v rate %v", ta, ta.SatisfactionRate())
	}
	if (Tally{}).SatisfactionRate() != 0 {
		t.Fatal("no ratings")
	}
}

// L8: the public copy of a rating masks personal data in the comment.
func TestPublic_L8_L7_commentMasked(t *testing.T) {
	f := Facts{Number: "N1", Status: flow.Completed, Unit: Unit{Code: "U", Name: "窗口"}}
	now := time.Date(2026, 3, 6, 8, 0, 0, 0, time.UTC)
	r, err := Rate(f, Satisfied, "我的电话13800138000，身份证11010519491231002X", Portal, now, now)
	if err != nil {
		t.Fatal(err)
	}
	p := PublicOf(r)
	if p.Comment == r.Comment || containsAny(p.Comment, "13800138000", "11010519491231002X") {
		t.Fatalf("public comment %q", p.Comment)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		for i := 0; i+len(x) <= len(s); i++ {
			if s[i:i+len(x)] == x {
				return true
			}
		}
	}
	return false
}

func FuzzParseLevel(f *testing.F) {
	for _, s := range []string{"1", "5", "非常满意", "very_dissatisfied", "", "٣", "5 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLevel("level", s)
		if err == nil && !l.Valid() {
			t.Fatalf("%q read as invalid level %d", s, l)
		}
	})
}

// S7: a questionnaire has a title, 1–10 questions and a sample; a
// response answers every question on the five levels.
func TestQuestionnaire_S7_validatedAndAnsweredCompletely(t *testing.T) {
	if _, err := NewQuestionnaire(" ", "", 0); err == nil || len(err.(interface{ Error() string }).Error()) == 0 {
		t.Fatal("an empty questionnaire")
	}
	q, err := NewQuestionnaire("窗口服务满意度", "办事指南是否清楚？\n\n窗口人员态度如何？\n", 20)
	if err != nil || len(q.Questions) != 2 {
		t.Fatalf("%+v %v", q, err)
	}
	if _, err := q.Check(Response{Levels: []Level{5}}); err == nil {
		t.Fatal("one answer of two")
	}
	if _, err := q.Check(Response{Levels: []Level{5, 0}}); err == nil {
		t.Fatal("an unanswered question")
	}
	if r, err := q.Check(Response{Levels: []Level{5, 3}, Text: " 很好 "}); err != nil || r.Text != "很好" {
		t.Fatalf("%+v %v", r, err)
	}
}

func FuzzNewQuestionnaire(f *testing.F) {
	f.Add("标题", "问题一\n问题二", 10)
	f.Add("", "\n\n", 0)
	f.Fuzz(func(t *testing.T, title, questions string, sample int) {
		q, err := NewQuestionnaire(title, questions, sample)
		if err == nil && (len(q.Questions) == 0 || len(q.Questions) > MaxQuestions || q.Title == "") {
			t.Fatalf("accepted %+v", q)
		}
	})
}
