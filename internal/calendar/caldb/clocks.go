package caldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
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

// Record is a stored clock rebuilt: its rule and events, and what the
// sweep keeps of it. It holds no answer: Clocks.Status computes one against
// the body's current calendar.
type Record struct {
	ID        int64
	Ref       Ref
	BodyID    int64
	Clock     calendar.Clock
	CreatedAt time.Time
	UpdatedAt time.Time
	// Standing is the clock's standing as last settled (by its last event
	// or sweep, calendar.Watch); NextCheck the next instant it can change
	// (zero: none). Both are derived, not audited.
	Standing  string
	NextCheck time.Time
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

// watchCols are the derived columns of a clock (migration 0320), read
// after clockCols.
const watchCols = `standing, next_check_at`

// scanRecord reads clockCols then watchCols.
func scanRecord(sc interface{ Scan(...any) error }) (Record, error) {
	var r clockRow
	var spec, events, standing string
	var next sql.NullInt64
	if err := sc.Scan(&r.ID, &r.Ref.ObjectType, &r.Ref.ObjectID, &r.Ref.Kind, &r.BodyID, &spec, &events, &r.CreatedAt, &r.UpdatedAt,
		&standing, &next); err != nil {
		return Record{}, err
	}
	r.Spec, r.Events = json.RawMessage(spec), json.RawMessage(events)
	rec, err := r.record()
	if err != nil {
		return Record{}, err
	}
	rec.Standing = standing
	if next.Valid {
		rec.NextCheck = store.FromMicros(next.Int64)
	}
	return rec, nil
}

// Clocks stores case, step and complaint clocks. Their events (start, pause,
// resume, extend, finish) are audited; due, remaining and overdue are never
// stored but computed by Status from the events and the body's calendar as
// it is at read time, so a corrected year changes the answer of open clocks
// and no pause time is ever lost.
//
// What a sweep needs is kept beside them (DESIGN 7): the next instant each
// clock's standing can change (calendar.Watch), recomputed in the write of
// every clock event and of every calendar change that reaches the clock, so
// Due reads only the clocks whose standing may have changed, as an index
// range scan.
//
// Every change takes the caller's *store.Tx: a clock moves because a case,
// step or complaint moved, in that service's write, which checked the
// principal. actor is the principal's login, recorded on the event.
type Clocks struct {
	db   *store.DB
	cals *Service
	now  func() time.Time
}

// NewClocks returns the clock store using cals for calendars.
func NewClocks(db *store.DB, cals *Service) *Clocks {
	return &Clocks{db: db, cals: cals, now: time.Now}
}

// SetNow replaces the clock used for updated_at stamps and for the instant
// next checks are computed from (tests, simulations).
func (c *Clocks) SetNow(now func() time.Time) { c.now = now }

// Create stores a clock that has not started (H2: it starts when the
// materials are complete), in the caller's write. A second clock with the
// same Ref is a Conflict.
func (c *Clocks) Create(ctx context.Context, tx *store.Tx, actor string, ref Ref, bodyID int64, spec calendar.Spec) (Record, error) {
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
	// Not started: nothing changes until its start, so no next check.
	standing := string(calendar.NotStarted)
	err = tx.QueryRow(ctx, `INSERT INTO clocks (object_type, object_id, kind, body_id, spec, events, created_at, updated_at, standing)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ref.ObjectType, ref.ObjectID, ref.Kind, bodyID, string(row.Spec), string(row.Events), at, at, standing).Scan(&row.ID)
	if store.IsUniqueViolation(err) {
		return Record{}, apperr.Conflictf("caldb.clock_already_exists", ref)
	}
	if err != nil {
		return Record{}, fmt.Errorf("caldb: create clock %s: %w", ref, err)
	}
	if err := emitClock(tx, actor, "clock.created", row, "", "not_started", nil); err != nil {
		return Record{}, err
	}
	rec, err := row.record()
	rec.Standing = standing
	return rec, err
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

// lockSQL reads a clock to change it: on PostgreSQL its row stays locked
// until the write commits (other instances wait); SQLite's one writer
// excludes them already.
func (c *Clocks) lockSQL(where string) string {
	q := `SELECT ` + clockCols + ` FROM clocks WHERE ` + where
	if c.db.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	return q
}

// Apply records one event on the clock (start, pause, resume, extend,
// finish) in the caller's write, after the rules accept it:
// calendar.Clock.Apply's order and extension ceiling (L3, P6), and, for an
// extension, that the limit has not already passed at the event's instant.
// The clock's standing is settled at the write's instant and its next
// check recomputed in the same write.
func (c *Clocks) Apply(ctx context.Context, tx *store.Tx, actor string, ref Ref, e calendar.Event) (Record, error) {
	if err := shareCalendar(ctx, c.db, tx); err != nil {
		return Record{}, err
	}
	row, err := scanClockRow(tx.QueryRow(ctx, c.lockSQL(`object_type = ? AND object_id = ? AND kind = ?`),
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
	cal, err := c.cals.calendarIn(ctx, tx, row.BodyID)
	if err != nil {
		return Record{}, err
	}
	if e.Kind == calendar.Extend {
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
	now := c.now()
	w, err := next.Watch(cal, now)
	if err != nil {
		return Record{}, err
	}
	evs, err := json.Marshal(next.Events())
	if err != nil {
		return Record{}, err
	}
	row.Events = evs
	row.UpdatedAt = store.Micros(now)
	tx.Queue(ctx, `UPDATE clocks SET events = ?, updated_at = ?, standing = ?, next_check_at = ?, reach_at = ? WHERE id = ?`,
		string(row.Events), row.UpdatedAt, w.Standing, micros(w.Next), micros(w.Reach), row.ID)
	if err := emitClock(tx, actor, "clock."+string(e.Kind), row, before, stateOf(next), e); err != nil {
		return Record{}, err
	}
	out, err := row.record()
	out.Standing, out.NextCheck = w.Standing, w.Next
	return out, err
}

// micros is t in store micros, or NULL for the zero time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.Micros(t)
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
func (c *Clocks) Start(ctx context.Context, tx *store.Tx, actor string, ref Ref, at time.Time) (Record, error) {
	return c.Apply(ctx, tx, actor, ref, calendar.Event{Kind: calendar.Start, At: at})
}

// Pause pauses it for supplementation (L2) or a special procedure (L4);
// max is the longest the pause may last (the approved length of a special
// procedure), zero for none.
func (c *Clocks) Pause(ctx context.Context, tx *store.Tx, actor string, ref Ref, at time.Time, reason calendar.PauseReason, note string, max calendar.Budget) (Record, error) {
	return c.Apply(ctx, tx, actor, ref, calendar.Event{Kind: calendar.Pause, At: at, Reason: reason, Note: note, Max: max})
}

// Resume resumes a paused clock.
func (c *Clocks) Resume(ctx context.Context, tx *store.Tx, actor string, ref Ref, at time.Time) (Record, error) {
	return c.Apply(ctx, tx, actor, ref, calendar.Event{Kind: calendar.Resume, At: at})
}

// Extend extends the statutory limit by n units with the reason told to the
// applicant (L3, P6).
func (c *Clocks) Extend(ctx context.Context, tx *store.Tx, actor string, ref Ref, at time.Time, n int, reason string) (Record, error) {
	return c.Apply(ctx, tx, actor, ref, calendar.Event{Kind: calendar.Extend, At: at, N: n, Note: reason})
}

// Finish stops the clock (H7).
func (c *Clocks) Finish(ctx context.Context, tx *store.Tx, actor string, ref Ref, at time.Time) (Record, error) {
	return c.Apply(ctx, tx, actor, ref, calendar.Event{Kind: calendar.Finish, At: at})
}

// Get reads a clock through q: the database, or the caller's write.
func (c *Clocks) Get(ctx context.Context, q store.Querier, ref Ref) (Record, error) {
	rec, err := scanRecord(q.QueryRow(ctx, `SELECT `+clockCols+`, `+watchCols+` FROM clocks WHERE object_type = ? AND object_id = ? AND kind = ?`,
		ref.ObjectType, ref.ObjectID, ref.Kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, apperr.NotFoundf("caldb.no_clock", ref)
	}
	if err != nil {
		return Record{}, fmt.Errorf("caldb: clock %s: %w", ref, err)
	}
	return rec, nil
}

// Status answers for instant now against the body's current calendar. A
// missing year is the calendar's NotFound error naming it, never a guess.
func (c *Clocks) Status(ctx context.Context, ref Ref, now time.Time) (calendar.Status, error) {
	rec, err := c.Get(ctx, c.db, ref)
	if err != nil {
		return calendar.Status{}, err
	}
	cal, err := c.cals.Calendar(ctx, rec.BodyID)
	if err != nil {
		return calendar.Status{}, err
	}
	return rec.Clock.At(cal, now)
}

// List returns the clocks of one object (every kind), oldest first, read
// through q.
func (c *Clocks) List(ctx context.Context, q store.Querier, objectType, objectID string) ([]Record, error) {
	rows, err := q.Query(ctx, `SELECT `+clockCols+`, `+watchCols+` FROM clocks WHERE object_type = ? AND object_id = ? ORDER BY id`, objectType, objectID)
	if err != nil {
		return nil, fmt.Errorf("caldb: clocks of %s/%s: %w", objectType, objectID, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("caldb: clocks of %s/%s: %w", objectType, objectID, err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caldb: clocks of %s/%s: %w", objectType, objectID, err)
	}
	return out, nil
}

// MaxDue bounds one Due read; a sweep reads in batches.
const MaxDue = 100000

// dueSQL reads what is due: a range of clocks_next_check (next_check_at,
// id, body_id), in its order and from it alone, so neither engine sorts and
// SQLite reads no table row (PostgreSQL neither, for pages its vacuum
// marked all-visible).
const dueSQL = `SELECT id, body_id, next_check_at FROM clocks
	WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at, id LIMIT ?`

// DueClock is a clock whose next check has come: what a sweep needs to
// settle it (Check by ID, which returns its Ref and history), and its body
// for the sweep's jurisdiction.
type DueClock struct {
	ID        int64     `json:"id"`
	BodyID    int64     `json:"body_id"`
	NextCheck time.Time `json:"next_check"`
}

// Due returns at most limit clocks whose next check is at or before until,
// earliest first (then by id): a range of the index clocks_next_check,
// whatever the number of open clocks. A sweep handles them and calls Check,
// which moves each one's next check past the instant it was checked at.
func (c *Clocks) Due(ctx context.Context, until time.Time, limit int) ([]DueClock, error) {
	if until.IsZero() {
		return nil, apperr.Invalidf("until", "caldb.give_the_instant_to_read_up")
	}
	if limit < 1 || limit > MaxDue {
		return nil, apperr.Invalidf("limit", "caldb.the_limit_must_be_1", MaxDue)
	}
	rows, err := c.db.Query(ctx, dueSQL, store.Micros(until), limit)
	if err != nil {
		return nil, fmt.Errorf("caldb: due clocks: %w", err)
	}
	defer rows.Close()
	out := make([]DueClock, 0, min(limit, 1024))
	for rows.Next() {
		var d DueClock
		var next int64
		if err := rows.Scan(&d.ID, &d.BodyID, &next); err != nil {
			return nil, fmt.Errorf("caldb: due clocks: %w", err)
		}
		d.NextCheck = store.FromMicros(next)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caldb: due clocks: %w", err)
	}
	return out, nil
}

// Checked is a clock as a sweep settled it: its status at the instant, the
// standing before (as last settled) and now, and its next check.
type Checked struct {
	Record
	Status calendar.Status
	// Was is the standing last settled; Record.Standing is the one now.
	// The sweep acts on the difference (a warning fires once: DESIGN 7).
	Was string
}

// Check settles clock id at instant now in the caller's write (a sweep's,
// under its lease): its standing at now, and its next check after now.
func (c *Clocks) Check(ctx context.Context, tx *store.Tx, id int64, now time.Time) (Checked, error) {
	if err := shareCalendar(ctx, c.db, tx); err != nil {
		return Checked{}, err
	}
	q := `SELECT ` + clockCols + `, ` + watchCols + ` FROM clocks WHERE id = ?`
	if c.db.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	rec, err := scanRecord(tx.QueryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Checked{}, apperr.NotFoundf("caldb.no_clock_with_id", id)
	}
	if err != nil {
		return Checked{}, fmt.Errorf("caldb: clock %d: %w", id, err)
	}
	cal, err := c.cals.calendarIn(ctx, tx, rec.BodyID)
	if err != nil {
		return Checked{}, err
	}
	st, err := rec.Clock.At(cal, now)
	if err != nil {
		return Checked{}, err
	}
	w, err := rec.Clock.Watch(cal, now)
	if err != nil {
		return Checked{}, err
	}
	out := Checked{Record: rec, Status: st, Was: rec.Standing}
	out.Standing, out.NextCheck = w.Standing, w.Next
	tx.Queue(ctx, `UPDATE clocks SET standing = ?, next_check_at = ?, reach_at = ? WHERE id = ?`,
		w.Standing, micros(w.Next), micros(w.Reach), id)
	return out, nil
}

// dayStart is an instant at or before the start of day d in any time zone
// (the start of the day before, in UTC): clocks reaching it may count d.
func dayStart(d calendar.Date) int64 { return store.Micros((d - 1).Start(time.UTC)) }

// allDays reaches every open clock: a change of business hours counts on
// every day.
const allDays = math.MinInt64

// shareCalendar takes, on PostgreSQL, the share lock of calendarIn before
// any clock row's lock, so clock writers and calendar changes (which lock
// the version row first too) take their locks in one order.
func shareCalendar(ctx context.Context, db *store.DB, tx *store.Tx) error {
	if db.Dialect() != store.Postgres {
		return nil
	}
	var v int64
	if err := tx.QueryRow(ctx, `SELECT version FROM calendar_version WHERE id = 1 FOR SHARE`).Scan(&v); err != nil {
		return fmt.Errorf("caldb: calendar version: %w", err)
	}
	return nil
}

// calendarIn is the calendar of a body as the caller's write sees it,
// including a calendar change made earlier in the same group.
//
// On PostgreSQL it reads calendar_version FOR SHARE: a calendar change
// locks that row first (bumpVersion) and then recomputes the clocks it
// reaches, so a clock write either waits for the change to commit and
// computes with the new calendar, or commits first and is seen by the
// change's recompute — never a next check computed from a calendar that a
// committed change has replaced. Clock writes share the lock and do not
// wait for each other.
//
// A snapshot read inside a write is cached only once the write commits: the
// write may still fail, and its version would then be taken by another.
func (s *Service) calendarIn(ctx context.Context, tx *store.Tx, bodyID int64) (*calendar.Calendar, error) {
	q := `SELECT v.version, b.path, b.time_zone FROM calendar_version v, bodies b WHERE v.id = 1 AND b.id = ?`
	if s.db.Dialect() == store.Postgres {
		q += ` FOR SHARE OF v`
	}
	var v int64
	var path, tz string
	err := tx.QueryRow(ctx, q, bodyID).Scan(&v, &path, &tz)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("caldb.no_body_with_id", bodyID)
	}
	if err != nil {
		return nil, fmt.Errorf("caldb: calendar of body %d: %w", bodyID, err)
	}
	snap, err := s.snapshotIn(ctx, tx, v)
	if err != nil {
		return nil, err
	}
	return s.bodyCalendar(snap, path, tz)
}

// snapshotIn is the snapshot of version v as tx sees it: the cached one
// when it is of v, else read through tx and cached after the commit.
func (s *Service) snapshotIn(ctx context.Context, tx *store.Tx, v int64) (*snapshot, error) {
	s.mu.Lock()
	snap := s.snap
	s.mu.Unlock()
	if snap != nil && snap.version == v {
		return snap, nil
	}
	snap, err := s.load(ctx, tx, v)
	if err != nil {
		return nil, err
	}
	tx.AfterCommit(func() {
		s.mu.Lock()
		if s.snap == nil || s.snap.version < v {
			s.snap = snap
		}
		s.mu.Unlock()
	})
	return snap, nil
}

// recheckClocks recomputes, in a calendar change's write, the next check
// of every open clock the change can move: of the bodies under path (""
// for all), whose answer reaches since (reach_at, the index clocks_reach;
// dayStart of the first changed day, or allDays). A clock whose standing the change itself moved is
// due at once; one already due stays due.
//
// It runs in the change's own transaction rather than in a consumer after
// it: a sweep must never read a next check computed from a calendar that
// has been replaced, and calendar changes are rare administrator actions
// (a year's notice once a year, a few corrections and regional days) whose
// cost is bounded by the open clocks reaching the changed day — those
// running or paused across it, not the whole table.
func (s *Service) recheckClocks(ctx context.Context, tx *store.Tx, path string, since int64) error {
	q := `SELECT c.id, c.spec, c.events, c.standing, c.next_check_at, c.reach_at, b.path, b.time_zone
		FROM clocks c JOIN bodies b ON b.id = c.body_id WHERE c.reach_at IS NOT NULL AND c.reach_at >= ?`
	args := []any{since}
	if path != "" {
		q += ` AND b.path LIKE ?`
		args = append(args, likePrefix(path))
	}
	// Read them all before writing: the updates move rows within the very
	// index the query scans.
	hits, err := readHits(ctx, tx, q, args)
	if err != nil {
		return fmt.Errorf("caldb: clocks reached by the calendar change: %w", err)
	}
	if len(hits) == 0 {
		return nil
	}
	// The calendar as this write leaves it.
	var v int64
	if err := tx.QueryRow(ctx, `SELECT version FROM calendar_version WHERE id = 1`).Scan(&v); err != nil {
		return fmt.Errorf("caldb: calendar version: %w", err)
	}
	snap, err := s.snapshotIn(ctx, tx, v)
	if err != nil {
		return err
	}
	now := s.now()
	for _, h := range hits {
		rec, err := clockRow{ID: h.id, Spec: json.RawMessage(h.spec), Events: json.RawMessage(h.events)}.record()
		if err != nil {
			return err
		}
		cal, err := s.bodyCalendar(snap, h.bodyPath, h.zone)
		if err != nil {
			return err
		}
		w, err := rec.Clock.Watch(cal, now)
		if err != nil {
			return err
		}
		next := micros(w.Next)
		switch {
		case h.next.Valid && h.next.Int64 <= store.Micros(now):
			next = h.next.Int64 // not swept yet: it stays due
		case w.Standing != h.standing:
			next = store.Micros(now) // the change itself moved the standing
		}
		reach := micros(w.Reach)
		if same(next, h.next) && same(reach, h.reach) {
			continue // e.g. a clock started after the changed day
		}
		tx.Queue(ctx, `UPDATE clocks SET next_check_at = ?, reach_at = ? WHERE id = ?`, next, reach, h.id)
	}
	return nil
}

// hit is an open clock a calendar change reaches, with its body's path and
// time zone.
type hit struct {
	id             int64
	spec, events   string
	standing       string
	next, reach    sql.NullInt64
	bodyPath, zone string
}

// same reports whether a column value (nil or micros) equals the stored one.
func same(v any, stored sql.NullInt64) bool {
	m, ok := v.(int64)
	if !ok {
		return !stored.Valid
	}
	return stored.Valid && stored.Int64 == m
}

func readHits(ctx context.Context, tx *store.Tx, q string, args []any) ([]hit, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.spec, &h.events, &h.standing, &h.next, &h.reach, &h.bodyPath, &h.zone); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// recheckRegion rechecks the open clocks of the body's subtree reaching
// date: a regional day applies there only.
func (s *Service) recheckRegion(ctx context.Context, tx *store.Tx, bodyID int64, date calendar.Date) error {
	path, err := bodyPath(ctx, tx, bodyID)
	if err != nil {
		return err
	}
	return s.recheckClocks(ctx, tx, path, dayStart(date))
}

// firstDay is the earliest day years ys can change: 1 January of each, or
// an earlier day that its new notice, the stored one it replaces or the
// embedded one names (a notice may name the last days of the year before:
// 元旦 from 30 December). A year's notice arriving in November thus reaches
// only the clocks counting into that year.
func firstDay(ys []calendar.Year, old map[int]storedYear) (calendar.Date, error) {
	emb, err := calendar.Embedded()
	if err != nil {
		return 0, err
	}
	embedded := map[int]calendar.Year{}
	for _, y := range emb {
		embedded[y.Year] = y
	}
	first := calendar.Date(math.MaxInt32)
	see := func(y calendar.Year) {
		first = min(first, calendar.DateOf(y.Year, time.January, 1))
		for _, d := range y.Days {
			first = min(first, d.Date)
		}
	}
	for _, y := range ys {
		see(y)
		if prev, ok := old[y.Year]; ok {
			see(prev.year)
		}
		if e, ok := embedded[y.Year]; ok {
			see(e)
		}
	}
	return first, nil
}

// CheckNoLaterThan brings clock id's next check forward to at, in the
// caller's write, when at is earlier (or the clock has none): e-supervision
// rules with instants of their own (a share of the budget elapsed, a
// threshold n working days before due, a step's or a hand-over's limit,
// which have no clock) are found due by the same index range as the
// clock's own thresholds. A later at leaves the clock's own next check; a
// clock event or calendar change recomputes it from the clock alone, and
// the supervision consumer of that event brings it forward again.
func (c *Clocks) CheckNoLaterThan(ctx context.Context, tx *store.Tx, id int64, at time.Time) {
	if at.IsZero() {
		return
	}
	t := store.Micros(at)
	tx.Queue(ctx, `UPDATE clocks SET next_check_at = CASE WHEN next_check_at IS NULL OR next_check_at > ? THEN ? ELSE next_check_at END
		WHERE id = ?`, t, t, id)
}
