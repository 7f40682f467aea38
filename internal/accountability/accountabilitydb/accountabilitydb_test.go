package accountabilitydb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/accountability"
	"github.com/qingdan/qingdan/internal/accountability/accountabilitydb"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

var ctx = context.Background()

func isCode(err error, c apperr.Code) bool { return err != nil && apperr.CodeOf(err) == c }

func hasField(err error, field string) bool {
	var l apperr.List
	if errors.As(err, &l) {
		for _, e := range l {
			if e.Field == field {
				return true
			}
		}
		return false
	}
	var e *apperr.Error
	return errors.As(err, &e) && e.Field == field
}

// A1, A2: the ground and the measure are A1's and A2's, named when wrong;
// the person is heard before the decision, which numbers its document;
// the person concerned reads their own record, others of their body not.
func TestAccountability_A1_A2_groundAndMeasureValidated_hearingBeforeDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		demo := orgtest.Load(t, db)
		now := time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC)
		s := accountabilitydb.New(db, func() time.Time { return now })
		sup, unit1, window1, leader := demo.People["supervisor1"], demo.People["unit1"], demo.People["window1"], demo.People["leader1"]
		in := accountabilitydb.Input{StaffID: unit1.StaffID, Ground: "asked for a bribe", Facts: " ", Proposed: "execution"}
		_, err := s.Open(ctx, sup, in)
		for _, f := range []string{"ground", "facts", "proposed"} {
			if !hasField(err, f) {
				t.Errorf("%s not named: %v", f, err)
			}
		}
		in = accountabilitydb.Input{StaffID: unit1.StaffID, Ground: "违反首问负责制或限时办结制", Facts: "办件逾期三个工作日未办结", Proposed: "admonition_talk"}
		if _, err := s.Open(ctx, unit1, in); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff opened a record: %v", err)
		}
		if _, err := s.Open(ctx, sup, accountabilitydb.Input{Ground: in.Ground, Facts: in.Facts, Proposed: in.Proposed}); !hasField(err, "subject") {
			t.Fatalf("no subject: %v", err)
		}
		r, err := s.Open(ctx, sup, in)
		if err != nil || r.State != accountability.Opened || r.Ground != "first_responder_or_time_limit" || r.Subject.Unit != "ZHZF" {
			t.Fatalf("opened %+v %v", r, err)
		}
		if _, err := s.Decide(ctx, sup, r.ID, int64(r.Version), "admonition_talk", "逾期属实"); !isCode(err, apperr.Conflict) {
			t.Fatalf("decided before the hearing: %v", err)
		}
		r, err = s.Hear(ctx, sup, r.ID, int64(r.Version), "因材料流转延误，本人负有责任")
		if err != nil || r.State != accountability.Heard {
			t.Fatalf("heard %+v %v", r, err)
		}
		if _, err := s.Decide(ctx, sup, r.ID, int64(r.Version), "beheading", "x"); !hasField(err, "measure") {
			t.Fatalf("an unknown measure: %v", err)
		}
		r, err = s.Decide(ctx, sup, r.ID, int64(r.Version), "诫勉谈话", "逾期属实，已陈述申辩")
		if err != nil || r.State != accountability.Decided || r.Decision.Document != "责追〔2026〕1号" || r.Decision.Measure.Rank() != 2 {
			t.Fatalf("decided %+v %v", r.Decision, err)
		}
		w, err := s.Open(ctx, sup, accountabilitydb.Input{WindowID: window1.UnitID, Ground: "unstaffed_window_or_lateness", Facts: "上午9点窗口空岗", Proposed: "criticism_education"})
		if err != nil || w.Subject.Kind != accountability.Window {
			t.Fatalf("a window's record %+v %v", w, err)
		}
		if _, err := s.Get(ctx, unit1, r.ID); err != nil {
			t.Fatalf("the person concerned reads their record: %v", err)
		}
		if _, err := s.Get(ctx, demo.People["head_zhzf"], r.ID); !isCode(err, apperr.NotFound) {
			t.Fatalf("a colleague read it: %v", err)
		}
		if got, err := s.List(ctx, window1); err != nil || len(got) != 1 || got[0].ID != w.ID {
			t.Fatalf("the window's staff see %+v %v", got, err)
		}
		if got, err := s.List(ctx, leader); err != nil || len(got) != 2 {
			t.Fatalf("the leader sees %d %v", len(got), err)
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Mismatch, err)
		}
	})
}
