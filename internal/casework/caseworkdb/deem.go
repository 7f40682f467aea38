package caseworkdb

import (
	"context"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/store"
)

// DeemJob is the lease name of the deemed-acceptance job (L2).
const DeemJob = "case:deem_accept"

// DeemAcceptDue applies L2 to every case it has come to: an application
// with materials incomplete and no supplementation notice within the
// notice period counts as accepted on the day its materials were received
// (casework.DeemAccept), each case in a write of its own, fenced by the
// lease l when given (the periodic job's; the simulator runs it without).
// It returns how many cases were deemed accepted.
func (s *Service) DeemAcceptDue(ctx context.Context, l *store.Lease) (int, error) {
	now := s.now()
	// Submitted cases only: a case with a notice out is supplementing, and
	// an accepted one has moved on (the index cases_status).
	rows, err := s.db.Query(ctx, caseSelect+` WHERE status = 'submitted' ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("caseworkdb: deemed acceptance: %w", err)
	}
	var due []caseRow
	for rows.Next() {
		var r caseRow
		if err := rows.Scan(cases.Fields(&r)...); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, r)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range due {
		ok, err := s.deem(ctx, l, r, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (s *Service) deem(ctx context.Context, l *store.Lease, r caseRow, now time.Time) (bool, error) {
	c, err := caseOf(r)
	if err != nil {
		return false, err
	}
	cal, err := s.cals.Calendar(ctx, r.BodyID)
	if err != nil {
		return false, err
	}
	if ok, _, err := s.rules.DeemedAccepted(c, now, cal); err != nil || !ok {
		return false, err
	}
	f, err := s.flowByID(ctx, s.db, r.FlowID)
	if err != nil {
		return false, err
	}
	write := s.db.Write
	if l != nil {
		write = l.Write
	}
	deemed := false
	err = write(ctx, func(tx *store.Tx) error {
		deemed = false
		r, err := cases.Lock(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		c, err := caseOf(r)
		if err != nil {
			return err
		}
		if ok, _, err := s.rules.DeemedAccepted(c, now, cal); err != nil || !ok {
			return err // acted on meanwhile: nothing to do
		}
		c, eff, err := casework.DeemAccept(c, casework.Env{Now: now, Calendar: cal, Flow: f, Rules: s.rules})
		if err != nil {
			return err
		}
		if _, err := s.save(ctx, tx, r, c, eff, casework.Actor{Staff: casework.System}, f, cal, now); err != nil {
			return err
		}
		deemed = true
		return nil
	})
	return deemed, err
}

// RunDeemAccept runs DeemAcceptDue every `every` under its lease, on one
// instance at a time, until ctx ends.
func (s *Service) RunDeemAccept(ctx context.Context, every time.Duration) error {
	return s.db.RunPeriodic(ctx, DeemJob, every, func(ctx context.Context, l *store.Lease) error {
		_, err := s.DeemAcceptDue(ctx, l)
		return err
	})
}
