package caldb_test

import (
	"context"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/store"
)

// written calls Clocks each in a write of its own, as a case service calls
// them inside its.
type written struct {
	*caldb.Clocks
	db *store.DB
}

func newClocks(db *store.DB, svc *caldb.Service) written {
	return written{Clocks: caldb.NewClocks(db, svc), db: db}
}

func (w written) do(ctx context.Context, f func(tx *store.Tx) (caldb.Record, error)) (caldb.Record, error) {
	var out caldb.Record
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = f(tx)
		return err
	})
	return out, err
}

func (w written) Create(ctx context.Context, actor string, ref caldb.Ref, body int64, spec calendar.Spec) (caldb.Record, error) {
	return w.do(ctx, func(tx *store.Tx) (caldb.Record, error) { return w.Clocks.Create(ctx, tx, actor, ref, body, spec) })
}

func (w written) Apply(ctx context.Context, actor string, ref caldb.Ref, e calendar.Event) (caldb.Record, error) {
	return w.do(ctx, func(tx *store.Tx) (caldb.Record, error) { return w.Clocks.Apply(ctx, tx, actor, ref, e) })
}

func (w written) Start(ctx context.Context, actor string, ref caldb.Ref, at time.Time) (caldb.Record, error) {
	return w.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Start, At: at})
}

func (w written) Pause(ctx context.Context, actor string, ref caldb.Ref, at time.Time, reason calendar.PauseReason, note string) (caldb.Record, error) {
	return w.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Pause, At: at, Reason: reason, Note: note})
}

func (w written) Resume(ctx context.Context, actor string, ref caldb.Ref, at time.Time) (caldb.Record, error) {
	return w.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Resume, At: at})
}

func (w written) Extend(ctx context.Context, actor string, ref caldb.Ref, at time.Time, n int, reason string) (caldb.Record, error) {
	return w.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Extend, At: at, N: n, Note: reason})
}

func (w written) Finish(ctx context.Context, actor string, ref caldb.Ref, at time.Time) (caldb.Record, error) {
	return w.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Finish, At: at})
}

func (w written) Get(ctx context.Context, ref caldb.Ref) (caldb.Record, error) {
	return w.Clocks.Get(ctx, w.db, ref)
}

func (w written) List(ctx context.Context, objectType, objectID string) ([]caldb.Record, error) {
	return w.Clocks.List(ctx, w.db, objectType, objectID)
}
