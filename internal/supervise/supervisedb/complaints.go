package supervisedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// objectComplaint is complaintdb's object type of a complaint and of its
// clocks (acceptance, handling).
const objectComplaint = "complaint"

// judgeComplaint evaluates the time rules on every clock of one complaint
// (P4: acceptance; P6: handling) at now and stores the cards raised and
// cleared in tx, as judge does a case's. The cards name no unit: the
// complained unit is told nothing of a complaint (O4).
func (s *Service) judgeComplaint(ctx context.Context, tx *store.Tx, number string, now time.Time) (judged, []int64, error) {
	recs, err := s.clocks.List(ctx, tx, objectComplaint, number)
	if err != nil || len(recs) == 0 {
		return judged{}, nil, err
	}
	var ids []int64
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	bodyID := recs[0].BodyID
	var path string
	if err := tx.QueryRow(ctx, `SELECT path FROM bodies WHERE id = ?`, bodyID).Scan(&path); err != nil {
		return judged{}, nil, fmt.Errorf("supervisedb: body %d of complaint %s: %w", bodyID, number, err)
	}
	var subs []supervise.Subject
	for _, r := range recs {
		if sub, ok := supervise.ComplaintSubject(number, r.Ref.Kind, r.Clock.Spec(), r.Clock.Events(), path); ok {
			subs = append(subs, sub)
		}
	}
	j, err := s.judgeSubjects(ctx, tx, bodyID, path, supervise.Object{Type: supervise.ObjectComplaint, ID: number}, subs, now)
	return j, ids, err
}

// judgeSubjects evaluates the rules in force at path on subjects of one
// object and stores what they raise and clear; next is the earliest
// instant another card can fire.
func (s *Service) judgeSubjects(ctx context.Context, tx *store.Tx, bodyID int64, path string, obj supervise.Object,
	subs []supervise.Subject, now time.Time) (judged, error) {
	set, err := s.rulesAt(ctx, tx, path)
	if err != nil {
		return judged{}, err
	}
	stored, err := cardsOf(ctx, tx, string(obj.Type), obj.ID)
	if err != nil {
		return judged{}, err
	}
	ledger := supervise.Ledger{}
	for _, r := range stored {
		card, err := r.card()
		if err != nil {
			return judged{}, err
		}
		ledger[card.Key] = card
	}
	cal, err := s.cases.Calendar(ctx, bodyID)
	if err != nil {
		return judged{}, err
	}
	var out judged
	var raised []supervise.Card
	var cleared []supervise.Cleared
	for _, sub := range subs {
		res, err := supervise.Evaluate(set, sub, cal, now, ledger.Of(sub.Object))
		if err != nil {
			return judged{}, err
		}
		raised = append(raised, ledger.Raise(res.Raise...)...)
		for _, cl := range ledger.ClearAt(res.Clear...) {
			cleared = append(cleared, supervise.Cleared{Key: cl.Key, At: cl.Cleared})
		}
		if !res.Next.IsZero() && (out.next.IsZero() || res.Next.Before(out.next)) {
			out.next = res.Next
		}
	}
	out.notices, err = raise(ctx, tx, bodyID, raised, cleared, stored)
	return out, err
}

// complaintNumber is the number of the complaint with row id, for its
// events (which name the row); "" when there is none.
func complaintNumber(ctx context.Context, q store.Querier, id string) (string, error) {
	var n string
	err := q.QueryRow(ctx, `SELECT number FROM complaints WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("supervisedb: complaint %s: %w", id, err)
	}
	return n, nil
}

// settleComplaint judges complaint number and moves its clocks' next
// checks no later than the rules' next instant.
func (s *Service) settleComplaint(ctx context.Context, tx *store.Tx, number string, now time.Time) ([]supervise.Notice, error) {
	j, ids, err := s.judgeComplaint(ctx, tx, number, now)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		s.clocks.CheckNoLaterThan(ctx, tx, id, j.next)
	}
	return j.notices, nil
}

// objectRating and callbackKind name a bad rating's callback clock
// (ratingdb.CallbackClock).
const (
	objectRating = "rating"
	callbackKind = "callback"
)

// settleCallback judges the callback clock of rating id (L8: call back,
// verify and rectify in time; callback.red) and moves its next check no
// later than the rules' next instant. A rating without a callback clock
// (a good one) has nothing to judge.
func (s *Service) settleCallback(ctx context.Context, tx *store.Tx, id string, now time.Time) ([]supervise.Notice, error) {
	recs, err := s.clocks.List(ctx, tx, objectRating, id)
	if err != nil {
		return nil, err
	}
	var notices []supervise.Notice
	for _, r := range recs {
		if r.Ref.Kind != callbackKind {
			continue
		}
		var number, path, unit string
		if err := tx.QueryRow(ctx, `SELECT case_number, body_path, unit FROM ratings WHERE id = ?`, id).Scan(&number, &path, &unit); err != nil {
			return nil, fmt.Errorf("supervisedb: rating %s: %w", id, err)
		}
		sub := supervise.CallbackSubject(id, number, unit, r.Clock.Spec(), r.Clock.Events(), path)
		j, err := s.judgeSubjects(ctx, tx, r.BodyID, path, sub.Object, []supervise.Subject{sub}, now)
		if err != nil {
			return nil, err
		}
		s.clocks.CheckNoLaterThan(ctx, tx, r.ID, j.next)
		notices = append(notices, j.notices...)
	}
	return notices, nil
}
