package caldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/store"
)

// FieldClock is the field of the Conflict ApplyPrepared's write fails
// with when the clock or the calendar moved after Prepare: the caller
// works its change out again.
const FieldClock = "clock"

// Change is a clock's events worked out before the write that records
// them (Prepare): the same rules as Apply, on the row as read, with the
// standing and next check settled at the instant of preparing on the
// calendar version read with it. ApplyPrepared records it in a write
// with one queued statement that changes the row only while its events
// and the calendar version are still those read — a compare, not a
// re-read — so the write's committer does no clock work beyond it.
type Change struct {
	ref     Ref
	id      int64
	before  string // the events as read
	version int64  // the calendar version the watch was computed on
	events  string
	updated int64
	watch   calendar.Watch
	steps   []changeStep
}

type changeStep struct {
	e        calendar.Event
	row      clockRow
	from, to string
}

// Empty reports whether the change records nothing.
func (ch Change) Empty() bool { return len(ch.steps) == 0 }

// Prepare works out events on the clock ref as it is now (each checked as
// Apply checks it: calendar.Clock.Apply's order and extension ceiling, L3,
// P6; an extension refused once the limit has passed), reading the clock
// and the body's calendar outside any write.
func (c *Clocks) Prepare(ctx context.Context, ref Ref, events []calendar.Event) (Change, error) {
	row, err := scanClockRow(c.db.QueryRow(ctx, `SELECT `+clockCols+` FROM clocks WHERE object_type = ? AND object_id = ? AND kind = ?`,
		ref.ObjectType, ref.ObjectID, ref.Kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Change{}, apperr.NotFoundf("caldb.no_clock", ref)
	}
	if err != nil {
		return Change{}, fmt.Errorf("caldb: clock %s: %w", ref, err)
	}
	rec, err := row.record()
	if err != nil {
		return Change{}, err
	}
	cal, v, err := c.cals.calendarVersion(ctx, row.BodyID)
	if err != nil {
		return Change{}, err
	}
	now := c.now()
	ch := Change{ref: ref, id: row.ID, before: string(row.Events), version: v, events: string(row.Events), updated: store.Micros(now)}
	clock := rec.Clock
	for _, e := range events {
		if e.Kind == calendar.Extend {
			st, err := clock.At(cal, e.At)
			if err != nil {
				return Change{}, err
			}
			if st.Late {
				return Change{}, apperr.Conflictf("caldb.the_limit_has_already_passed_and")
			}
		}
		next, err := clock.Apply(e)
		if err != nil {
			return Change{}, err
		}
		evs, err := json.Marshal(next.Events())
		if err != nil {
			return Change{}, err
		}
		r := row
		r.Events, r.UpdatedAt = evs, ch.updated
		ch.steps = append(ch.steps, changeStep{e: e, row: r, from: stateOf(clock), to: stateOf(next)})
		ch.events, clock = string(evs), next
	}
	if ch.watch, err = clock.Watch(cal, now); err != nil {
		return Change{}, err
	}
	return ch, nil
}

// ApplyPrepared records ch in the caller's write: the clock's row (queued,
// expected to change one row: its events and the calendar version still
// those Prepare read; on PostgreSQL the calendar version is read FOR
// SHARE, as Apply does, so a calendar change waits or is waited for) and
// an event per step. Otherwise the write fails with a Conflict on
// FieldClock and changes nothing.
func (c *Clocks) ApplyPrepared(ctx context.Context, tx *store.Tx, actor string, ch Change) error {
	if ch.Empty() {
		return nil
	}
	share := ""
	if c.db.Dialect() == store.Postgres {
		share = ` FOR SHARE`
	}
	tx.QueueExpect(ctx, 1, apperr.New(apperr.Conflict, FieldClock, "caldb.the_clock_or_the_calendar_changed", ch.ref.String()),
		`UPDATE clocks SET events = ?, updated_at = ?, standing = ?, next_check_at = ?, reach_at = ?
		WHERE id = ? AND events = ? AND (SELECT version FROM calendar_version WHERE id = 1`+share+`) = ?`,
		ch.events, ch.updated, ch.watch.Standing, micros(ch.watch.Next), micros(ch.watch.Reach), ch.id, ch.before, ch.version)
	for _, s := range ch.steps {
		if err := emitClock(tx, actor, "clock."+string(s.e.Kind), s.row, s.from, s.to, s.e); err != nil {
			return err
		}
	}
	return nil
}
