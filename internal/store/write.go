package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/audit"
)

// maxGroup caps how many callers share one transaction: large enough to
// amortise the fsync, small enough that a failing fn (which re-runs the
// group) costs little.
const maxGroup = 256

// maxRetries bounds re-runs of a whole group after a PostgreSQL deadlock or
// serialization failure (the server rolled it back; running it again is safe).
const maxRetries = 5

// Event is one recorded action: who did what to which object, and the
// object's state after it. Seq is assigned by the store at commit (the
// event's leaf index in the audit log); At is set to the commit group's time
// when zero. Payload and State are JSON and are stored compacted.
type Event struct {
	Seq        int64
	At         time.Time
	Actor      string
	BodyID     int64
	Action     string
	ObjectType string
	ObjectID   string
	From       string
	To         string
	Payload    json.RawMessage
	State      json.RawMessage
}

func (e *Event) leaf() audit.Leaf {
	return audit.Leaf{Seq: uint64(e.Seq), AtMicros: Micros(e.At), Actor: e.Actor, BodyID: e.BodyID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, From: e.From, To: e.To,
		Payload: e.Payload, State: e.State}
}

// Tx is the transaction a write function runs in. It is valid only during
// the call to fn.
type Tx struct {
	db *DB
	// tx is the SQLite transaction. On PostgreSQL conn is the group's
	// connection and BEGIN is sent by hand, so that it can travel in one
	// pipeline with the queued statements (pgwrite.go).
	tx     *sql.Tx
	conn   *sql.Conn
	begun  bool     // PostgreSQL: BEGIN has been executed
	queue  []queued // PostgreSQL: statements queued since the last round trip
	fn     int      // index in the group of the fn now running
	failed *fnError // the first queued statement that failed, and whose it was
	events []Event
}

// fnError is a failure that belongs to one fn of the group.
type fnError struct {
	fn  int
	err error
}

// queued is a statement sent later, in one pipeline with the group's other
// statements. want < 0: any row count.
type queued struct {
	query     string // as sent (rebound; wrapped when a row count is expected)
	args      []any
	want      int64
	otherwise error
	fn        int
}

// execer is what Tx runs its immediate statements on: *sql.Tx (SQLite) or
// *sql.Conn (PostgreSQL).
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (t *Tx) execer() execer {
	if t.conn != nil {
		return t.conn
	}
	return t.tx
}

// ErrRowCount is the error of a QueueExpect whose statement changed another
// number of rows than expected and that named no error of its own.
var ErrRowCount = errors.New("store: statement changed an unexpected number of rows")

// Queue runs a statement whose only needed result is that it succeeded:
// INSERT, UPDATE or DELETE whose row count and returned rows do not matter.
// On PostgreSQL it is sent later, in one pipeline with the rest of the group
// (its other queued statements, the audit append and COMMIT), which saves a
// network round trip per statement; on SQLite it runs at once. Either way, if
// it fails, Write returns its error to this fn's caller (and only to it) and
// the write changes nothing; fn cannot see the error, so it must not depend
// on it. Statements run in the order fn issues them, Queue and Exec mixed.
// Use Exec when fn needs the result (RowsAffected, a unique violation it
// handles itself), QueryRow/Query for reads and RETURNING.
func (t *Tx) Queue(ctx context.Context, query string, args ...any) {
	t.queue1(ctx, -1, nil, query, args)
}

// QueueExpect is Queue for an INSERT, UPDATE or DELETE (without RETURNING)
// that must change exactly rows rows, e.g. an optimistic-concurrency update
// "… WHERE id = ? AND version = ?". Otherwise the write fails with otherwise
// (ErrRowCount when nil) and changes nothing.
func (t *Tx) QueueExpect(ctx context.Context, rows int64, otherwise error, query string, args ...any) {
	if otherwise == nil {
		otherwise = ErrRowCount
	}
	if rows < 0 {
		t.fail(fmt.Errorf("store: QueueExpect: row count %d is negative", rows))
		return
	}
	if !expectable(query) {
		t.fail(errors.New("store: QueueExpect takes one INSERT, UPDATE or DELETE without RETURNING"))
		return
	}
	t.queue1(ctx, rows, otherwise, query, args)
}

func (t *Tx) queue1(ctx context.Context, want int64, otherwise error, query string, args []any) {
	if t.failed != nil {
		return // the write fails anyway; the server skips the rest too
	}
	if err := ctx.Err(); err != nil {
		t.fail(err)
		return
	}
	if t.conn == nil {
		// SQLite: in-process and cheap, so at once; the outcome is the same.
		res, err := t.exec(ctx, query, args...)
		if err != nil {
			t.fail(err)
			return
		}
		if want >= 0 {
			n, err := res.RowsAffected()
			if err != nil {
				t.fail(err)
				return
			}
			if n != want {
				t.fail(rowCountError(otherwise, n, want))
			}
		}
		return
	}
	q := t.db.rebind(query)
	if want >= 0 {
		q = expectWrap(q, len(args))
		args = append(args[:len(args):len(args)], want)
	}
	t.queue = append(t.queue, queued{query: q, args: args, want: want, otherwise: otherwise, fn: t.fn})
}

func (t *Tx) fail(err error) {
	if t.failed == nil {
		t.failed = &fnError{fn: t.fn, err: err}
	}
}

func rowCountError(otherwise error, got, want int64) error {
	if otherwise == ErrRowCount {
		return fmt.Errorf("%w (%d, want %d)", ErrRowCount, got, want)
	}
	return otherwise
}

// expectable reports whether query is one INSERT, UPDATE or DELETE without
// RETURNING, the statements QueueExpect can count on both engines.
func expectable(query string) bool {
	q := strings.TrimSpace(query)
	q = strings.TrimSuffix(q, ";")
	if strings.Contains(q, ";") {
		return false
	}
	verb, _, _ := strings.Cut(q, " ")
	switch strings.ToUpper(verb) {
	case "INSERT", "UPDATE", "DELETE":
	default:
		return false
	}
	return !strings.Contains(strings.ToUpper(q), "RETURNING")
}

// errEarlier is what statements after a failed queued one return: the
// write is lost already and reports the queued statement's error.
var errEarlier = errors.New("store: an earlier queued statement of this write group failed")

// ready makes the transaction ready for an immediate statement: on
// PostgreSQL the queued statements (and BEGIN) must reach the server first,
// in order.
func (t *Tx) ready() error {
	if t.failed == nil && t.conn != nil && (!t.begun || len(t.queue) > 0) {
		t.flush()
	}
	if t.failed != nil {
		if t.failed.fn == t.fn {
			return t.failed.err
		}
		return errEarlier
	}
	return nil
}

// Exec runs a statement in the write transaction at once and returns its
// result. SQL uses ? parameter markers. See Queue for statements whose
// result is not needed.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.ready(); err != nil {
		return nil, err
	}
	return t.exec(ctx, query, args...)
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.execer().ExecContext(ctx, t.db.rebind(query), args...)
}

// Query reads inside the write transaction (it sees the group's changes).
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.ready(); err != nil {
		return nil, err
	}
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.execer().QueryContext(ctx, t.db.rebind(query), args...)
}

// QueryRow reads one row inside the write transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if err := t.ready(); err != nil {
		// *sql.Row cannot be built with an error; a context that is already
		// done with err as its error makes database/sql (or pgx, before
		// sending anything) hand err to Scan.
		ctx = doneContext{ctx, err}
	}
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.execer().QueryRowContext(ctx, t.db.rebind(query), args...)
}

// doneContext is a context that is over, with err as the reason.
type doneContext struct {
	context.Context
	err error
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (c doneContext) Done() <-chan struct{} { return closedChan }
func (c doneContext) Err() error            { return c.err }

// maxCachedStmts bounds the SQLite statement cache; past it statements are
// prepared per use, as database/sql would do anyway.
const maxCachedStmts = 1024

// stmt returns the SQLite writer's cached prepared statement bound to this
// transaction, or nil to run the query unprepared (PostgreSQL: pgx caches
// prepared statements per connection itself). Re-parsing SQL on every call is
// a measurable share of a small write on SQLite. A statement can only be
// prepared on the pool while the one writer connection is free, so a miss
// runs unprepared and is prepared after the group (prepareMissed).
func (t *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if t.db.dialect != SQLite {
		return nil
	}
	s, ok := t.db.stmts[query]
	if !ok {
		if len(t.db.stmts)+len(t.db.missed) < maxCachedStmts {
			t.db.missed[query] = struct{}{}
		}
		return nil
	}
	return t.tx.StmtContext(ctx, s)
}

// prepareMissed prepares the statements that missed the cache during the
// last group; the writer connection is free again. A statement that does not
// prepare (a typo in a failed fn) is simply not cached: its caller already
// got the error.
func (db *DB) prepareMissed() {
	for q := range db.missed {
		if s, err := db.writer.PrepareContext(context.Background(), q); err == nil {
			db.stmts[q] = s
		}
	}
	clear(db.missed)
}

// Emit queues an event; it is inserted with its sequence number, leaf hash
// and Merkle nodes when the group commits, or not at all if the write fails.
func (t *Tx) Emit(e Event) error {
	if e.Action == "" || e.ObjectType == "" || e.ObjectID == "" {
		return errors.New("store: event needs Action, ObjectType and ObjectID")
	}
	for _, s := range []string{e.Actor, e.Action, e.ObjectType, e.ObjectID, e.From, e.To} {
		// PostgreSQL text cannot hold NUL, and invalid UTF-8 would not round
		// trip: reject here so one bad event cannot fail a whole group.
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			return fmt.Errorf("store: event %s: text field is not valid UTF-8 without NUL", e.Action)
		}
	}
	var err error
	if e.Payload, err = compactJSON(e.Payload); err != nil {
		return fmt.Errorf("store: event %s: payload: %w", e.Action, err)
	}
	if e.State, err = compactJSON(e.State); err != nil {
		return fmt.Errorf("store: event %s: state: %w", e.Action, err)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	// Keep exactly what the database keeps, so the leaf recomputed from the
	// stored row is the leaf that was hashed.
	e.At = FromMicros(Micros(e.At))
	e.Seq = -1
	t.events = append(t.events, e)
	return nil
}

func compactJSON(b json.RawMessage) (json.RawMessage, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type request struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// Write runs fn in a write transaction shared with other concurrent callers
// (group commit) and returns fn's error, or the commit's. fn may run more than
// once (when another fn in its group fails, the group is rolled back and run
// again without it), so it must have no effect outside tx other than setting
// its own result variables. A ctx cancelled before fn starts is honoured
// (ctx.Err() is returned, fn never runs); once fn has run, Write waits for
// the commit so its answer is always the truth; an fn that failed is
// answered after the rest of its group committed, so its caller's next read
// sees their writes. fn must not call Write.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.quit:
		return ErrClosed
	}
	return <-r.done
}

// gatherWait bounds how long the committer waits for writers it expects
// back. A commit costs an fsync (~0.5–3 ms); the writers answered by the
// last group need a few µs to be scheduled and submit again, and without a
// short wait the next group would start with only the first of them,
// alternating small and large groups and halving throughput.
const gatherWait = 200 * time.Microsecond

// defaultFoldBound is how many events SQLite's by-object tail may reach
// before a group folds it into event_objects (append.go). With 8 writers a
// fold comes every 64 groups and writes each object's leaf page once instead
// of once per group; a by-object read scans at most this many tail rows.
const defaultFoldBound = 512

// defaultFoldIdle is how long the SQLite committer waits without requests
// before folding the tail alone: long enough that it runs only when writes
// have paused, so the fsync it costs delays no burst.
const defaultFoldIdle = 50 * time.Millisecond

// commitLoop is the single committer: it takes the first waiting request,
// drains whatever else is waiting (up to maxGroup) and commits them together.
func (db *DB) commitLoop() {
	defer close(db.done)
	group := make([]*request, 0, maxGroup)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	expect := 1 // how many writers to wait for
	for {
		if len(group) == 0 {
			var idleC <-chan time.Time
			if db.dialect == SQLite && db.unfolded {
				idle.Reset(db.foldIdleAfter)
				idleC = idle.C
			}
			select {
			case r := <-db.reqs:
				group = append(group, r)
			case <-idleC:
				// A failed fold leaves the tail to the next group's fold;
				// reads are right either way.
				if err := db.foldIdle(); err != nil {
					slog.Warn("store: idle fold of the by-object index", "err", err)
					db.unfolded = false // not again until a group commits
				}
				continue
			case <-db.quit:
				return
			}
			idle.Stop()
		}
	drain:
		for len(group) < maxGroup {
			select {
			case r := <-db.reqs:
				group = append(group, r)
			default:
				break drain
			}
		}
		if len(group) < expect {
			timer.Reset(gatherWait)
		gather:
			for len(group) < expect {
				select {
				case r := <-db.reqs:
					group = append(group, r)
				case <-timer.C:
					break gather
				}
			}
			timer.Stop()
		}
		n := len(group)
		db.runGroup(group)
		clear(group)
		group = group[:0]
		if len(db.missed) > 0 {
			db.prepareMissed()
		}
		// Writers that arrived while the group ran were not in it: the next
		// group waits for them and for the ones it just answered. Counting
		// only the last group would leave one writer behind every time.
	leftover:
		for len(group) < maxGroup {
			select {
			case r := <-db.reqs:
				group = append(group, r)
			default:
				break leftover
			}
		}
		expect = min(n+len(group), maxGroup)
	}
}

// runGroup commits a group, answering every request exactly once. A fn
// that failed is answered only once the rest of its group has committed (or
// failed): what its caller reads next then includes the writes it ran
// beside, such as the one that made an edit stale (concurrent edits).
func (db *DB) runGroup(group []*request) {
	live := make([]*request, 0, len(group))
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	type refusal struct {
		r   *request
		err error
	}
	var refused []refusal
	defer func() {
		for _, x := range refused {
			x.r.done <- x.err
		}
	}()
	retries := 0
	for len(live) > 0 {
		failed, err, committing := db.tryGroup(live)
		switch {
		case failed >= 0:
			// One fn failed: it gets its error, the rest run again without it.
			refused = append(refused, refusal{live[failed], err})
			live = append(live[:failed], live[failed+1:]...)
		case err != nil && (isRetryable(err) || errors.Is(err, errHeadMoved)) && retries < maxRetries:
			retries++
		case err != nil && !committing && len(live) > 1:
			// The group failed after every fn succeeded but before COMMIT
			// (e.g. one fn's event could not be inserted): nothing was
			// committed, so run each alone and let only the culprit fail.
			for _, r := range live {
				db.runGroup([]*request{r})
			}
			return
		default:
			if err == nil {
				db.groups.Add(1)
				db.writes.Add(int64(len(live)))
			}
			// Success, or a failure nobody can be singled out for. A failed
			// COMMIT leaves the outcome unknown on PostgreSQL; every caller
			// is told so rather than guessing.
			for _, r := range live {
				r.done <- err
			}
			return
		}
	}
}

// tryGroup runs the fns of live in one transaction. failed is the index of a
// fn that returned an error (err is its error), or -1; committing reports
// that err came from COMMIT itself.
func (db *DB) tryGroup(live []*request) (failed int, err error, committing bool) {
	if db.dialect == Postgres {
		return db.pgTryGroup(live)
	}
	ctx := context.Background()
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("store: begin: %w", err), false
	}
	tx := &Tx{db: db, tx: sqlTx}
	for i, r := range live {
		tx.fn = i
		err := callFn(r.fn, tx)
		if tx.failed != nil {
			// A queued statement failed: its error is the write's, whatever
			// fn made of the errors that followed.
			err = tx.failed.err
		}
		if err != nil {
			rbErr := sqlTx.Rollback()
			if isRetryable(err) {
				return -1, err, false
			}
			if rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				// The connection may be broken (the next BeginTx gets a fresh
				// one); the caller still sees its own error first.
				err = errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
			}
			return i, err, false
		}
	}
	if len(tx.events) > 0 {
		if err := db.appendEvents(ctx, tx); err != nil {
			if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				err = errors.Join(err, rbErr)
			}
			return -1, err, false
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return -1, fmt.Errorf("store: commit: %w", err), true
	}
	return -1, nil, false
}

// callFn runs fn, turning a panic into an error so that one broken caller
// cannot take the committer (and every other caller) down.
func callFn(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write function panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(tx)
}
