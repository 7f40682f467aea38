package caseworkdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
)

// Feedback is what the supervising unit returns about a completed case
// (H9, 审管分离): after the approval result and the record were pushed to
// it, the results of its supervision (监管), penalties (处罚) and coercive
// measures (强制). One per case; each change carries the version it was
// based on.
type Feedback struct {
	Number      string         `json:"number"`
	Version     int64          `json:"version"`
	Unit        string         `json:"unit"`
	Supervision string         `json:"supervision"`
	Penalty     string         `json:"penalty"`
	Coercion    string         `json:"coercion"`
	By          casework.Staff `json:"by"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// FeedbackInput is the unit's feedback as submitted: at least one of the
// three, each at most MaxFeedbackText characters.
type FeedbackInput struct {
	Supervision string `json:"supervision,omitempty"`
	Penalty     string `json:"penalty,omitempty"`
	Coercion    string `json:"coercion,omitempty"`
}

// MaxFeedbackText bounds each part of the feedback.
const MaxFeedbackText = 2000

// FeedbackObject is the feedback's object type in the events.
const FeedbackObject = "case_feedback"

type feedbackRow struct {
	CaseID, Version              int64
	Number                       string
	BodyID                       int64
	Unit                         string
	Supervision, Penalty, Coerce string
	ByID                         int64
	ByLogin, ByName              string
	UpdatedAt                    int64
}

var feedbacks = store.Declare(store.Aggregate[feedbackRow]{
	Table: "case_feedback", ObjectType: FeedbackObject, Key: "case_id",
	Columns: []string{"number", "body_id", "unit", "supervision", "penalty", "coercion", "by_id", "by_login", "by_name", "updated_at"},
	Fields: func(r *feedbackRow) []any {
		return []any{&r.CaseID, &r.Version, &r.Number, &r.BodyID, &r.Unit, &r.Supervision, &r.Penalty, &r.Coerce,
			&r.ByID, &r.ByLogin, &r.ByName, &r.UpdatedAt}
	},
	State: func(r *feedbackRow) any { return r.feedback() },
	Stale: func(r *feedbackRow) error { return errStaleFeedback(r.Number) },
})

func (r *feedbackRow) feedback() Feedback {
	return Feedback{Number: r.Number, Version: r.Version, Unit: r.Unit, Supervision: r.Supervision, Penalty: r.Penalty,
		Coercion: r.Coerce, By: casework.Staff{ID: r.ByID, Login: r.ByLogin, Name: r.ByName}, UpdatedAt: store.FromMicros(r.UpdatedAt)}
}

// FeedbackOf is the feedback on case number for staff who may read the
// case, and its history (every version, oldest first: the feedback's
// events on the case's timeline). A case without feedback has version 0
// and no history.
func (s *Service) FeedbackOf(ctx context.Context, p access.Principal, number string) (Feedback, []Feedback, error) {
	r, _, err := s.readable(ctx, p, number)
	if err != nil {
		return Feedback{}, nil, err
	}
	fr, err := feedbacks.Get(ctx, s.db, r.ID)
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		return Feedback{Number: r.Number, Unit: r.Unit}, nil, nil
	case err != nil:
		return Feedback{}, nil, err
	}
	evs, err := store.QueryEvents(ctx, s.db, store.EventFilter{RootType: ObjectCase, RootID: r.Number, Limit: maxEvents})
	if err != nil {
		return Feedback{}, nil, err
	}
	var history []Feedback
	for _, e := range evs {
		if e.ObjectType != FeedbackObject {
			continue
		}
		var f Feedback
		if err := json.Unmarshal(e.State, &f); err != nil {
			return Feedback{}, nil, fmt.Errorf("caseworkdb: feedback of %s: event %d: %w", clip(number), e.Seq, err)
		}
		history = append(history, f)
	}
	return fr.feedback(), history, nil
}

// MayFeedBack reports whether p is staff of the case's supervising unit:
// the unit that handled it (the case's unit), of the case's body.
func mayFeedBack(p access.Principal, unit string, r caseRow) bool {
	return p.StaffID != 0 && unit != "" && unit == r.Unit && strings.HasPrefix(r.BodyPath, p.BodyPath) &&
		p.HasAny(access.RoleUnitStaff, access.RoleLeader)
}

// AttachFeedback records the supervising unit's feedback on completed
// case number (H9): only staff of that unit, of the case's body, and only
// once the case is completed (the result was pushed). based is the
// feedback's version it was written on: 0 for the first, the current
// version for a change; another is stale (409) and changes nothing. The
// change is an event rooted at the case (audited, on its timeline).
func (s *Service) AttachFeedback(ctx context.Context, p access.Principal, number string, based int64, in FeedbackInput) (Feedback, error) {
	if p.Anonymous() || p.StaffID == 0 {
		return Feedback{}, errStaffOnly()
	}
	in, err := in.check()
	if err != nil {
		return Feedback{}, err
	}
	unit := ""
	if p.UnitID != 0 {
		if unit, err = s.UnitCode(ctx, p.UnitID); err != nil {
			return Feedback{}, err
		}
	}
	var out Feedback
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := s.row(ctx, tx, number)
		if err != nil {
			return err
		}
		if !p.Covers(r.BodyPath) {
			return errNotYours(number)
		}
		if !mayFeedBack(p, unit, r) {
			return errNotSupervisingUnit(number, r.Unit)
		}
		if flow.Status(r.Status) != flow.Completed {
			return errFeedbackBeforeCompletion(number)
		}
		now := store.Micros(s.now())
		fr, err := feedbacks.Lock(ctx, tx, r.ID)
		exists := err == nil
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		if (!exists && based != 0) || (exists && based != fr.Version) {
			return errStaleFeedback(r.Number)
		}
		fr = feedbackRow{CaseID: r.ID, Version: fr.Version, Number: r.Number, BodyID: r.BodyID, Unit: r.Unit,
			Supervision: in.Supervision, Penalty: in.Penalty, Coerce: in.Coercion,
			ByID: p.StaffID, ByLogin: p.Login, ByName: p.Name, UpdatedAt: now}
		ev := store.Event{Actor: p.Login, BodyID: r.BodyID, Action: "case.feedback", RootType: ObjectCase, RootID: r.Number}
		if exists {
			err = feedbacks.Save(ctx, tx, &fr, ev)
		} else {
			err = feedbacks.Insert(ctx, tx, &fr, ev)
		}
		out = fr.feedback()
		return err
	})
	if err != nil {
		return Feedback{}, err
	}
	return out, nil
}

func (in FeedbackInput) check() (FeedbackInput, error) {
	in.Supervision, in.Penalty, in.Coercion = strings.TrimSpace(in.Supervision), strings.TrimSpace(in.Penalty), strings.TrimSpace(in.Coercion)
	for _, f := range []struct{ name, v string }{{"supervision", in.Supervision}, {"penalty", in.Penalty}, {"coercion", in.Coercion}} {
		if n := utf8.RuneCountInString(f.v); n > MaxFeedbackText {
			return in, apperr.Invalidf(f.name, "caseworkdb.feedback_is_characters_at_most", n, MaxFeedbackText)
		}
	}
	if in.Supervision == "" && in.Penalty == "" && in.Coercion == "" {
		return in, apperr.Invalidf("supervision", "caseworkdb.feedback_needs_a_supervision_penalty_or")
	}
	return in, nil
}

func errNotSupervisingUnit(number, unit string) error {
	return apperr.Forbiddenf("caseworkdb.only_the_supervising_unit_of_case", clip(number), unit)
}

func errFeedbackBeforeCompletion(number string) error {
	return apperr.New(apperr.Conflict, "status", "caseworkdb.case_is_not_completed_feedback_comes", clip(number))
}

func errStaleFeedback(number string) error {
	return apperr.Stale("caseworkdb.feedback_of_case", clip(number))
}
