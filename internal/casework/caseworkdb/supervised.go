package caseworkdb

import (
	"context"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
)

// Supervised is a case as e-supervision judges it (issue #16): the case,
// its timeline, the flow version it runs on and its body's calendar.
type Supervised struct {
	Case     casework.Case
	Events   []casework.Event
	Flow     *flow.Flow
	Calendar *calendar.Calendar
}

// Supervised reads case number for the supervision sweep and consumer,
// which act for the system, not for a principal (read in q: their write).
func (s *Service) Supervised(ctx context.Context, q store.Querier, number string) (Supervised, error) {
	r, err := s.row(ctx, q, number)
	if err != nil {
		return Supervised{}, err
	}
	c, err := caseOf(r)
	if err != nil {
		return Supervised{}, err
	}
	f, err := s.flowByID(ctx, q, r.FlowID)
	if err != nil {
		return Supervised{}, err
	}
	evs, err := timeline(ctx, q, number)
	if err != nil {
		return Supervised{}, err
	}
	cal, err := s.cals.Calendar(ctx, r.BodyID)
	if err != nil {
		return Supervised{}, err
	}
	return Supervised{Case: c, Events: evs, Flow: f, Calendar: cal}, nil
}

// StandingAt is the standing of the case's item on its body's list at an
// instant (C4), as Open and accept judged it.
func (s *Service) StandingAt(ctx context.Context, c casework.Case, at time.Time) (casework.Standing, error) {
	l, err := s.items.Listing(ctx, c.Body, c.Item.Code, at)
	if err != nil {
		return "", err
	}
	return l.Standing, nil
}

// ClockRef is the clock of case number (the limit in force): the one the
// supervision sweep finds due.
func ClockRef(number string) caldb.Ref { return clockRef(number) }
