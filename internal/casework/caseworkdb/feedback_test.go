package caseworkdb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// H9: only the supervising unit (the case's unit, of its body) attaches
// feedback to a completed case; each change names the version it was
// based on, is audited (verify) and is on the case's timeline; refused
// feedback changes nothing.
func TestFeedback_H9_onlyTheSupervisingUnitAttachesVersionedFeedback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		n := f.open(t, "XK0001", "申请书", "场地使用证明").Case.Number
		for _, s := range []struct {
			at, who string
			a       casework.Action
		}{
			{"2026-03-02T09:10", "window1", casework.Action{ID: "accept"}},
			{"2026-03-02T15:00", "window1", casework.Action{ID: "hand_over"}},
			{"2026-03-03T09:00", "unit1", casework.Action{ID: "receive"}},
			{"2026-03-05T10:00", "unit1", casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予"}},
			{"2026-03-05T15:00", "unit1", casework.Action{ID: "hand_back"}},
		} {
			f.set(s.at)
			f.act(t, s.who, n, s.a)
		}
		in := caseworkdb.FeedbackInput{Supervision: "事后监管：现场核查符合许可"}
		if _, err := f.svc.AttachFeedback(ctx, f.who("unit1"), n, 0, in); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("feedback before completion: %v", err)
		}
		f.set("2026-03-06T10:00")
		f.act(t, "window1", n, casework.Action{ID: "complete", Certificate: "青广许〔2026〕2号"})
		for who, want := range map[string]apperr.Code{"window1": apperr.Forbidden, "liaison1": apperr.Forbidden, "xikou1": apperr.Forbidden} {
			if _, err := f.svc.AttachFeedback(ctx, f.who(who), n, 0, in); apperr.CodeOf(err) != want {
				t.Errorf("%s: %v, want %s", who, err, want)
			}
		}
		for _, bad := range []caseworkdb.FeedbackInput{{}, {Penalty: " \n"}, {Coercion: strings.Repeat("强", caseworkdb.MaxFeedbackText+1)}} {
			if _, err := f.svc.AttachFeedback(ctx, f.who("unit1"), n, 0, bad); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("%.20q: %v", bad, err)
			}
		}
		if k := count(t, db, `SELECT COUNT(*) FROM case_feedback`); k != 0 {
			t.Fatalf("refused feedback left %d rows", k)
		}
		f.set("2026-04-10T09:00")
		fb, err := f.svc.AttachFeedback(ctx, f.who("unit1"), n, 0, in)
		if err != nil || fb.Version != 1 || fb.By.Login != "unit1" || fb.Unit != "ZHZF" {
			t.Fatalf("first feedback: %+v %v", fb, err)
		}
		if _, err := f.svc.AttachFeedback(ctx, f.who("unit1"), n, 0, in); !apperr.IsStale(err) {
			t.Fatalf("a second first feedback: %v", err)
		}
		f.set("2026-05-10T09:00")
		fb, err = f.svc.AttachFeedback(ctx, f.who("unit1"), n, 1, caseworkdb.FeedbackInput{Supervision: in.Supervision, Penalty: "罚款 2000 元"})
		if err != nil || fb.Version != 2 || fb.Penalty != "罚款 2000 元" {
			t.Fatalf("second version: %+v %v", fb, err)
		}
		if _, err := f.svc.AttachFeedback(ctx, f.who("unit1"), n, 1, caseworkdb.FeedbackInput{Coercion: "查封"}); !apperr.IsStale(err) {
			t.Fatalf("a change on version 1: %v", err)
		}
		cur, history, err := f.svc.FeedbackOf(ctx, f.who("leader1"), n)
		if err != nil || cur.Version != 2 || len(history) != 2 || history[0].Penalty != "" || history[1].Penalty != "罚款 2000 元" {
			t.Fatalf("read: %+v %+v %v", cur, history, err)
		}
		if _, _, err := f.svc.FeedbackOf(ctx, f.who("xikou1"), n); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("another town read it: %v", err)
		}
		verify(t, db)
	})
}
