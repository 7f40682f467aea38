package caldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/store"
)

// ObjectClock is the object type of clock events.
const ObjectClock = "clock"

func init() {
	store.RegisterAudited(store.AuditedTable{ObjectType: ObjectClock, Table: "clocks",
		Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
			rows, err := q.Query(ctx, `SELECT `+clockCols+` FROM clocks ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				r, err := scanClockRow(rows)
				if err != nil {
					return err
				}
				st, err := json.Marshal(r)
				if err != nil {
					return err
				}
				if err := yield(strconv.FormatInt(r.ID, 10), st); err != nil {
					return err
				}
			}
			return rows.Err()
		}})
}

// Ref names a clock: the object it times and which of its limits.
type Ref struct {
	ObjectType string `json:"object_type"` // "case", "step", "complaint" …
	ObjectID   string `json:"object_id"`
	Kind       string `json:"kind"` // "handling", "acceptance", "supplement_notice" …
}

func (r Ref) String() string { return r.ObjectType + "/" + r.ObjectID + "/" + r.Kind }

func (r Ref) validate() error {
	if r.ObjectType == "" || r.ObjectID == "" || r.Kind == "" {
		return apperr.Invalidf("clock", "caldb.a_clock_needs_an_object_type")
	}
	return nil
}

// clockRow is a clocks row, also its audited State.
type clockRow struct {
	ID        int64           `json:"id"`
	Ref       Ref             `json:"ref"`
	BodyID    int64           `json:"body_id"`
	Spec      json.RawMessage `json:"spec"`
	Events    json.RawMessage `json:"events"`
	CreatedAt int64           `json:"created_at"`
	UpdatedAt int64           `json:"updated_at"`
}

const clockCols = `id, object_type, object_id, kind, body_id, spec, events, created_at, updated_at`

func scanClockRow(sc interface{ Scan(...any) error }) (clockRow, error) {
	var r clockRow
	var spec, events string
	if err := sc.Scan(&r.ID, &r.Ref.ObjectType, &r.Ref.ObjectID, &r.Ref.Kind, &r.BodyID, &spec, &events, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return r, err
	}
	r.Spec, r.Events = json.RawMessage(spec), json.RawMessage(events)
	return r, nil
}

// Record is a stored clock rebuilt: its rule and events. It holds no answer:
// Clocks.Status computes one against the body's current calendar.
type Record struct {
	ID        int64
	Ref       Ref
	BodyID    int64
	Clock     calendar.Clock
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (r clockRow) record() (Record, error) {
	var spec calendar.Spec
	if err := json.Unmarshal(r.Spec, &spec); err != nil {
		return Record{}, fmt.Errorf("caldb: clock %d: spec: %w", r.ID, err)
	}
	var events []calendar.Event
	if err := json.Unmarshal(r.Events, &events); err != nil {
		return Record{}, fmt.Errorf("caldb: clock %d: events: %w", r.ID, err)
	}
	c, err := calendar.NewClock(spec, events...)
	if err != nil {
		// Only Apply's checks let events in, so this is damage, not input.
		return Record{}, fmt.Errorf("caldb: clock %d: stored history refused: %w", r.ID, err)
	}
	return Record{ID: r.ID, Ref: r.Ref, BodyID: r.BodyID, Clock: c,
		CreatedAt: store.FromMicros(r.CreatedAt), UpdatedAt: store.FromMicros(r.UpdatedAt)}, nil
}

// Clocks stores case, step and complaint clocks. Their events (start, pause,
// resume, extend, finish) are audited; due, remaining and overdue are never
// stored but computed by Status from the events and the body's calendar as
// it is at read time, so a corrected year changes the answer of open clocks
// and no pause time is ever lost.
//
// Authorisation is the caller's: a clock moves because a case, step or
// complaint moved, and that service checked the principal. actor is the
// principal's login, recorded on the event.
type Clocks struct {
	db   *store.DB
	cals *Service
	now  func() time.Time
}

// NewClocks returns the clock store using cals for calendars.
func NewClocks(db *store.DB, cals *Service) *Clocks {
	return &Clocks{db: db, cals: cals, now: time.Now}
}

// Create stores a clock that has not started (H2: it starts when the
// materials are complete). A second clock with the same Ref is a Conflict.
func (c *Clocks) Create(ctx context.Context, actor string, ref Ref, bodyID int64, spec calendar.Spec) (Record, error) {
	var out Record
	err := c.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = c.CreateTx(ctx, tx, actor, ref, bodyID, spec)
		return err
	})
	return out, err
}

// CreateTx is Create inside the caller's write (with its case's own event).
func (c *Clocks) CreateTx(ctx context.Context, tx *store.Tx, actor string, ref Ref, bodyID int64, spec calendar.Spec) (Record, error) {
	if err := ref.validate(); err != nil {
		return Record{}, err
	}
	if err := spec.Validate(); err != nil {
		return Record{}, err
	}
	if _, err := bodyPath(ctx, tx, bodyID); err != nil {
		return Record{}, err
	}
	sb, err := json.Marshal(spec)
	if err != nil {
		return Record{}, err
	}
	at := store.Micros(c.now())
	row := clockRow{Ref: ref, BodyID: bodyID, Spec: sb, Events: json.RawMessage("[]"), CreatedAt: at, UpdatedAt: at}
	err = tx.QueryRow(ctx, `INSERT INTO clocks (object_type, object_id, kind, body_id, spec, events, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ref.ObjectType, ref.ObjectID, ref.Kind, bodyID, string(row.Spec), string(row.Events), at, at).Scan(&row.ID)
	if store.IsUniqueViolation(err) {
		return Record{}, apperr.Conflictf("caldb.clock_already_exists", ref)
	}
	if err != nil {
		return Record{}, fmt.Errorf("caldb: create clock %s: %w", ref, err)
	}
	if err := emitClock(tx, actor, "clock.created", row, "", "not_started", nil); err != nil {
		return Record{}, err
	}
	return row.record()
}

func emitClock(tx *store.Tx, actor, action string, row clockRow, from, to string, payload any) error {
	st, err := json.Marshal(row)
	if err != nil {
		return err
	}
	var pl json.RawMessage
	if payload != nil {
		if pl, err = json.Marshal(payload); err != nil {
			return err
		}
	}
	return tx.Emit(store.Event{Actor: actor, Action: action, ObjectType: ObjectClock,
		ObjectID: strconv.FormatInt(row.ID, 10), BodyID: row.BodyID, From: from, To: to, Payload: pl, State: st})
}

// Apply records one event on the clock (start, pause, resume, extend,
// finish) after the rules accept it: calendar.Clock.Apply's order and
// extension ceiling (L3, P6), and, for an extension, that the limit has not
// already passed at the event's instant.
func (c *Clocks) Apply(ctx context.Context, actor string, ref Ref, e calendar.Event) (Record, error) {
	// The extension check's calendar is read before the write, so the
	// committer never waits on a calendar rebuild; the clock's own row is
	// re-read inside the write.
	var cal *calendar.Calendar
	if e.Kind == calendar.Extend {
		rec, err := c.Get(ctx, ref)
		if err != nil {
			return Record{}, err
		}
		if cal, err = c.cals.Calendar(ctx, rec.BodyID); err != nil {
			return Record{}, err
		}
	}
	var out Record
	err := c.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = c.apply(ctx, tx, actor, ref, e, cal)
		return err
	})
	return out, err
}

// ApplyTx is Apply inside the caller's write. It reads the body's calendar
// through the reader pool for an extension's check.
func (c *Clocks) ApplyTx(ctx context.Context, tx *store.Tx, actor string, ref Ref, e calendar.Event) (Record, error) {
	return c.apply(ctx, tx, actor, ref, e, nil)
}

// apply records e; cal is the body's calendar for an extension's check, or
// nil to read it here.
func (c *Clocks) apply(ctx context.Context, tx *store.Tx, actor string, ref Ref, e calendar.Event, cal *calendar.Calendar) (Record, error) {
	row, err := scanClockRow(tx.QueryRow(ctx, `SELECT `+clockCols+` FROM clocks WHERE object_type = ? AND object_id = ? AND kind = ?`,
		ref.ObjectType, ref.ObjectID, ref.Kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, apperr.NotFoundf("caldb.no_clock", ref)
	}
	if err != nil {
		return Record{}, fmt.Errorf("caldb: clock %s: %w", ref, err)
	}
	rec, err := row.record()
	if err != nil {
		return Record{}, err
	}
	if e.Kind == calendar.Extend {
		if cal == nil {
			if cal, err = c.cals.Calendar(ctx, row.BodyID); err != nil {
				return Record{}, err
			}
		}
		st, err := rec.Clock.At(cal, e.At)
		if err != nil {
			return Record{}, err
		}
		if st.Late {
			return Record{}, apperr.Conflictf("caldb.the_limit_has_already_passed_and")
		}
	}
	before := stateOf(rec.Clock)
	next, err := rec.Clock.Apply(e)
	if err != nil {
		return Record{}, err
	}
	evs, err := json.Marshal(next.Events())
	if err != nil {
		return Record{}, err
	}
	row.Events = evs
	row.UpdatedAt = store.Micros(c.now())
	if _, err := tx.Exec(ctx, `UPDATE clocks SET events = ?, updated_at = ? WHERE id = ?`, string(row.Events), row.UpdatedAt, row.ID); err != nil {
		return Record{}, fmt.Errorf("caldb: clock %s: %w", ref, err)
	}
	if err := emitClock(tx, actor, "clock."+string(e.Kind), row, before, stateOf(next), e); err != nil {
		return Record{}, err
	}
	return row.record()
}

// stateOf is the event-only part of a clock's state (for From/To of its
// events): due soon and overdue depend on the calendar and the instant, so
// they are never recorded.
func stateOf(c calendar.Clock) string {
	evs := c.Events()
	if len(evs) == 0 {
		return "not_started"
	}
	switch evs[len(evs)-1].Kind {
	case calendar.Pause:
		return string(calendar.Paused)
	case calendar.Finish:
		return string(calendar.Finished)
	}
	return string(calendar.Running)
}

// Start starts the clock at instant at.
func (c *Clocks) Start(ctx context.Context, actor string, ref Ref, at time.Time) (Record, error) {
	return c.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Start, At: at})
}

// Pause pauses it for supplementation (L2) or a special procedure (L4).
func (c *Clocks) Pause(ctx context.Context, actor string, ref Ref, at time.Time, reason calendar.PauseReason, note string) (Record, error) {
	return c.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Pause, At: at, Reason: reason, Note: note})
}

// Resume resumes a paused clock.
func (c *Clocks) Resume(ctx context.Context, actor string, ref Ref, at time.Time) (Record, error) {
	return c.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Resume, At: at})
}

// Extend extends the statutory limit by n units with the reason told to the
// applicant (L3, P6).
func (c *Clocks) Extend(ctx context.Context, actor string, ref Ref, at time.Time, n int, reason string) (Record, error) {
	return c.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Extend, At: at, N: n, Note: reason})
}

// Finish stops the clock (H7).
func (c *Clocks) Finish(ctx context.Context, actor string, ref Ref, at time.Time) (Record, error) {
	return c.Apply(ctx, actor, ref, calendar.Event{Kind: calendar.Finish, At: at})
}

// Get reads a clock.
func (c *Clocks) Get(ctx context.Context, ref Ref) (Record, error) {
	row, err := scanClockRow(c.db.QueryRow(ctx, `SELECT `+clockCols+` FROM clocks WHERE object_type = ? AND object_id = ? AND kind = ?`,
		ref.ObjectType, ref.ObjectID, ref.Kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, apperr.NotFoundf("caldb.no_clock", ref)
	}
	if err != nil {
		return Record{}, fmt.Errorf("caldb: clock %s: %w", ref, err)
	}
	return row.record()
}

// Status answers for instant now against the body's current calendar. A
// missing year is the calendar's NotFound error naming it, never a guess.
func (c *Clocks) Status(ctx context.Context, ref Ref, now time.Time) (calendar.Status, error) {
	rec, err := c.Get(ctx, ref)
	if err != nil {
		return calendar.Status{}, err
	}
	cal, err := c.cals.Calendar(ctx, rec.BodyID)
	if err != nil {
		return calendar.Status{}, err
	}
	return rec.Clock.At(cal, now)
}

// List returns the clocks of one object (every kind), oldest first.
func (c *Clocks) List(ctx context.Context, objectType, objectID string) ([]Record, error) {
	rows, err := c.db.Query(ctx, `SELECT `+clockCols+` FROM clocks WHERE object_type = ? AND object_id = ? ORDER BY id`, objectType, objectID)
	if err != nil {
		return nil, fmt.Errorf("caldb: clocks of %s/%s: %w", objectType, objectID, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		row, err := scanClockRow(rows)
		if err != nil {
			return nil, fmt.Errorf("caldb: clocks of %s/%s: %w", objectType, objectID, err)
		}
		rec, err := row.record()
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caldb: clocks of %s/%s: %w", objectType, objectID, err)
	}
	return out, nil
}
