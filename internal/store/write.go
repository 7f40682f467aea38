package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/audit"
)

// maxGroup caps how many callers share one transaction: large enough to
// amortise the fsync, small enough that a group that must run again (a
// deadlock, another instance's append) costs little.
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
	// RootType and RootID name the root the object belongs to (a case for
	// its clock, documents, hand-overs and cards), so that the root's whole
	// timeline is one indexed read. Emit defaults them to the object.
	RootType string
	RootID   string
	From     string
	To       string
	Payload  json.RawMessage
	State    json.RawMessage
}

// Leaf is the event as the audit log hashes it: a v2 leaf naming its root,
// or v1 for an event recorded before roots were (migration 0005).
func (e *Event) Leaf() audit.Leaf {
	return audit.Leaf{Seq: uint64(e.Seq), AtMicros: Micros(e.At), Actor: e.Actor, BodyID: e.BodyID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, RootType: e.RootType, RootID: e.RootID,
		From: e.From, To: e.To, Payload: e.Payload, State: e.State}
}

// Tx is the transaction a write function runs in. It is valid only during
// the call to fn.
type Tx struct {
	db *DB
	// tx is the SQLite transaction. On PostgreSQL conn is the group's
	// connection and BEGIN is sent by hand, so that it can travel in one
	// pipeline with the queued statements (pgwrite.go).
	tx    *sql.Tx
	conn  *sql.Conn
	begun bool     // PostgreSQL: BEGIN has been executed
	queue []queued // PostgreSQL: statements queued since the last round trip

	// fn is the index in the group of the fn now running, -1 outside the
	// fns (the audit append). Each fn's statements run inside a savepoint of
	// their own, opened before its first statement, so a refused fn is
	// undone alone (ROLLBACK TO) and the others are never run again.
	fn       int
	spOpen   bool // the running fn has opened its savepoint (run or queued)
	spUndone bool // PostgreSQL: its savepoint is rolled back already (or due to be)
	// undoSP: PostgreSQL: how many innermost savepoints (refused fns') must
	// be rolled back before anything else is sent.
	undoSP int
	// refused[i] is the error that refused fn i (its own, or its statement's).
	refused []error
	// broken is a failure no fn can be singled out for (the connection, a
	// deadlock, a savepoint that would not roll back): the group fails.
	broken error

	events  []Event
	eventFn []int // the fn that emitted each event

	// after[i] are fn i's AfterCommit hooks.
	after [][]func()
}

// savepointSQL names every fn's savepoint the same: only the running fn's
// (SQLite, released at its end) or the innermost one (PostgreSQL, where
// fns' savepoints nest until COMMIT) is ever rolled back to.
const (
	savepointSQL  = "SAVEPOINT fn"
	releaseSQL    = "RELEASE SAVEPOINT fn"
	rollbackToSQL = "ROLLBACK TO SAVEPOINT fn"
)

// errSavepointLost: SQLite could not roll a refused fn back to its
// savepoint (it gave up the whole transaction); the group runs again
// without that fn.
var errSavepointLost = errors.New("store: the write group's transaction was lost with a refused write")

func newTx(db *DB, sqlTx *sql.Tx, conn *sql.Conn, fns int) *Tx {
	return &Tx{db: db, tx: sqlTx, conn: conn, fn: -1, refused: make([]error, fns), after: make([][]func(), fns)}
}

// begin makes fn i the running one.
func (t *Tx) begin(i int) {
	t.fn, t.spOpen, t.spUndone = i, false, false
}

// queued is a statement sent later, in one pipeline with the group's other
// statements. want < 0: any row count. savepoint: it opens fn's savepoint.
type queued struct {
	query     string // as sent (rebound; wrapped when a row count is expected)
	args      []any
	want      int64
	otherwise error
	fn        int
	savepoint bool
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
	if t.stopped() != nil {
		return // the write fails anyway; its statements would be undone
	}
	if err := ctx.Err(); err != nil {
		t.fail(err)
		return
	}
	if !t.savepoint(ctx) {
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

// savepoint opens the running fn's savepoint before its first statement
// (SQLite at once, PostgreSQL queued ahead of the statement). A fn that
// issues no statement needs none: its events are only in memory. It
// reports whether the statement may go ahead.
func (t *Tx) savepoint(ctx context.Context) bool {
	if t.fn < 0 || t.spOpen {
		return true
	}
	t.spOpen = true
	if t.conn != nil {
		t.queue = append(t.queue, queued{query: savepointSQL, want: -1, fn: t.fn, savepoint: true})
		return true
	}
	if _, err := t.exec(ctx, savepointSQL); err != nil {
		t.spOpen = false // nothing to undo: no statement of this fn ran
		t.fail(fmt.Errorf("store: savepoint: %w", err))
		return false
	}
	return true
}

// fail records err as the running fn's refusal (the first one counts), or
// as the group's failure outside the fns.
func (t *Tx) fail(err error) {
	switch {
	case t.fn < 0:
		if t.broken == nil {
			t.broken = err
		}
	case t.refused[t.fn] == nil:
		t.refused[t.fn] = err
	}
}

// stopped is the error that keeps the running fn from going on: its own
// refusal, or the group's failure.
func (t *Tx) stopped() error {
	if t.broken != nil {
		return errGroupLost
	}
	if t.fn >= 0 {
		return t.refused[t.fn]
	}
	return nil
}

// refuse ends fn i as refused with err: its events are dropped and its
// statements undone, and the group goes on without it. On SQLite that is
// ROLLBACK TO its savepoint at once; on PostgreSQL its statements still
// queued are dropped, and if some reached the server the rollback goes out
// first in the next round trip (at once when the server holds the
// transaction failed). An error means the savepoint could not be
// rolled back (SQLite gave up the whole transaction).
func (t *Tx) refuse(ctx context.Context, i int, err error) error {
	if t.refused[i] == nil {
		t.refused[i] = err
	}
	t.dropEvents(i)
	if !t.spOpen {
		return nil
	}
	if t.conn == nil {
		if _, err := t.exec(ctx, rollbackToSQL); err != nil {
			return fmt.Errorf("%w: %w", errSavepointLost, err)
		}
		if _, err := t.exec(ctx, releaseSQL); err != nil {
			return fmt.Errorf("%w: %w", errSavepointLost, err)
		}
		return nil
	}
	sent := true
	t.queue = slices.DeleteFunc(t.queue, func(q queued) bool {
		if q.fn == i && q.savepoint {
			sent = false
		}
		return q.fn == i
	})
	if !sent || t.spUndone {
		return nil
	}
	if t.inFailedTx() {
		// One of fn's immediate statements failed: the server parses
		// nothing but ROLLBACK (TO) until it is undone, so undo it now.
		return t.undoAborted(ctx)
	}
	t.undoSP++ // first in the next round trip
	return nil
}

// accept ends fn i as accepted. SQLite releases its savepoint, so that
// savepoints never nest there; on PostgreSQL they nest until COMMIT
// (releasing each would cost a statement per fn in the pipeline).
func (t *Tx) accept(ctx context.Context) error {
	if t.conn != nil || !t.spOpen {
		return nil
	}
	if _, err := t.exec(ctx, releaseSQL); err != nil {
		return fmt.Errorf("store: release savepoint: %w", err)
	}
	return nil
}

// dropEvents removes fn i's events.
func (t *Tx) dropEvents(i int) {
	k := 0
	for j := range t.events {
		if t.eventFn[j] != i {
			t.events[k], t.eventFn[k] = t.events[j], t.eventFn[j]
			k++
		}
	}
	clear(t.events[k:])
	t.events, t.eventFn = t.events[:k], t.eventFn[:k]
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

// errGroupLost is what statements return once the group's transaction is
// lost for a reason no fn can be blamed for; the group's error says why.
var errGroupLost = errors.New("store: the write group's transaction failed")

// ready makes the transaction ready for an immediate statement: the running
// fn's savepoint is open, and on PostgreSQL the queued statements (and
// BEGIN) have reached the server, in order.
// A fn's context is checked once here; its statements then run without its
// cancellation, because they share one connection with the group's other
// fns, and pgx closes a connection whose statement is cancelled in flight.
func (t *Tx) ready(ctx context.Context) error {
	if err := t.stopped(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		// Checked here, not by the driver: pgx answers a done context with
		// driver.ErrBadConn, and database/sql then closes the group's one
		// connection under every other fn of the group.
		t.fail(err)
		return err
	}
	if !t.savepoint(ctx) {
		return t.stopped()
	}
	if t.conn != nil {
		t.flush()
	}
	return t.stopped()
}

// Exec runs a statement in the write transaction at once and returns its
// result. SQL uses ? parameter markers. See Queue for statements whose
// result is not needed.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.ready(ctx); err != nil {
		return nil, err
	}
	return t.exec(ctx, query, args...)
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx) // see ready
	if s := t.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.execer().ExecContext(ctx, t.db.rebind(query), args...)
}

// Query reads inside the write transaction (it sees the group's changes).
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.ready(ctx); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx) // see ready
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.execer().QueryContext(ctx, t.db.rebind(query), args...)
}

// QueryRow reads one row inside the write transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if err := t.ready(ctx); err != nil {
		// *sql.Row cannot be built with an error; a pool asked for a
		// connection with a context that is already done hands err to Scan
		// without touching any connection. (Not the group's connection:
		// pgx would call it bad and database/sql would close it.)
		return t.db.writer.QueryRowContext(doneContext{ctx, err}, query, args...)
	}
	ctx = context.WithoutCancel(ctx) // see ready
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
	switch {
	case e.RootType == "" && e.RootID == "":
		e.RootType, e.RootID = e.ObjectType, e.ObjectID
	case e.RootType == "" || e.RootID == "":
		return fmt.Errorf("store: event %s: RootType and RootID go together", e.Action)
	}
	for _, s := range []string{e.Actor, e.Action, e.ObjectType, e.ObjectID, e.RootType, e.RootID, e.From, e.To} {
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
	t.eventFn = append(t.eventFn, t.fn)
	return nil
}

// AfterCommit has f called once the write commits: after its group's
// COMMIT succeeded, before Write returns to fn's caller — never when fn is
// refused, the group fails, or the commit's outcome is unknown. It is for
// waking this process's workers (a deliverer, a cache) about what the write
// made, not for effects that must happen: a process that dies after the
// COMMIT runs no hook, so whoever is woken must also poll. f runs on the
// committer goroutine: it must be quick, must not block and must not call
// Write. Outside a write's fn it does nothing.
func (t *Tx) AfterCommit(f func()) {
	if t.fn < 0 || f == nil {
		return
	}
	t.after[t.fn] = append(t.after[t.fn], f)
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
// (group commit) and returns fn's error, or the commit's. fn runs in a
// savepoint of its own: if it returns an error (or one of its statements
// fails) only its statements and events are undone, and the other fns of
// the group are not run again. fn may still run more than once when the
// whole group must (a PostgreSQL deadlock or serialization failure, another
// instance appended to the log, a failure before COMMIT that nobody can be
// blamed for), so it must have no effect outside tx other than setting its
// own result variables. A ctx cancelled before fn starts is honoured
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

// commitLoop is the single committer: it takes the first waiting request,
// drains whatever else is waiting (up to maxGroup) and commits them together.
func (db *DB) commitLoop() {
	defer close(db.done)
	group := make([]*request, 0, maxGroup)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	expect := 1 // how many writers to wait for
	for {
		if len(group) == 0 {
			select {
			case r := <-db.reqs:
				group = append(group, r)
			case <-db.quit:
				return
			}
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

// groupOutcome is what one attempt at a group came to.
type groupOutcome struct {
	// refused[i] is the error that refused fn i, nil when it was accepted;
	// a refused fn's statements and events were undone alone.
	refused []error
	// culprit is a fn whose failure lost the whole transaction (SQLite gave
	// it up rather than roll back to the fn's savepoint), or -1.
	culprit int
	err     error // the group's own failure; nil: the accepted fns committed
	// committing: err came from COMMIT, so the outcome is unknown.
	committing bool
	events     bool // the group appended events
	// after are the fns' AfterCommit hooks, set when the group committed.
	after [][]func()
}

// runGroup commits a group, answering every request exactly once. A fn
// that was refused is answered only once the rest of its group has
// committed (or failed), also when they run again alone: what its caller
// reads next then includes the writes it ran beside, such as the one that
// made an edit stale (concurrent edits).
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
		o := db.tryGroup(live)
		switch {
		case o.culprit >= 0:
			// Rare: the culprit's failure took the transaction with it. It
			// gets its error, the rest run again without it.
			live[o.culprit].done <- o.err
			live = slices.Delete(live, o.culprit, o.culprit+1)
			continue
		case o.err != nil && (isRetryable(o.err) || errors.Is(o.err, errHeadMoved)) && retries < maxRetries:
			// Nothing was committed; every fn runs again.
			retries++
			continue
		}
		accepted := live[:0:0]
		for i, r := range live {
			if o.refused != nil && o.refused[i] != nil {
				refused = append(refused, refusal{r, o.refused[i]})
			} else {
				accepted = append(accepted, r)
			}
		}
		switch {
		case o.err != nil && !o.committing && len(accepted) > 1:
			// The group failed after its fns ran but before COMMIT (e.g. one
			// fn's event could not be inserted): nothing was committed, so
			// run each alone and let only the culprit fail.
			for _, r := range accepted {
				db.runGroup([]*request{r})
			}
		default:
			if o.err == nil && len(accepted) > 0 {
				db.groups.Add(1)
				db.writes.Add(int64(len(accepted)))
				if o.events {
					db.committed()
				}
				for i, hooks := range o.after {
					if o.refused == nil || o.refused[i] == nil {
						for _, f := range hooks {
							f()
						}
					}
				}
			}
			// Success, or a failure nobody can be singled out for. A failed
			// COMMIT leaves the outcome unknown on PostgreSQL; every caller
			// is told so rather than guessing.
			for _, r := range accepted {
				r.done <- o.err
			}
		}
		return
	}
}

// tryGroup runs the fns of live in one transaction, each in a savepoint of
// its own, and commits the accepted ones.
func (db *DB) tryGroup(live []*request) groupOutcome {
	if db.dialect == Postgres {
		return db.pgTryGroup(live)
	}
	ctx := context.Background()
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return groupOutcome{culprit: -1, err: fmt.Errorf("store: begin: %w", err)}
	}
	tx := newTx(db, sqlTx, nil, len(live))
	rollback := func(o groupOutcome) groupOutcome {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			// The connection may be broken (the next BeginTx gets a fresh
			// one); the caller still sees its own error first.
			o.err = errors.Join(o.err, fmt.Errorf("store: rollback: %w", rbErr))
		}
		return o
	}
	for i, r := range live {
		tx.begin(i)
		err := callFn(r.fn, tx)
		if tx.refused[i] != nil {
			// A statement of fn failed: its error is the write's, whatever
			// fn made of the errors that followed.
			err = tx.refused[i]
		}
		if tx.broken != nil {
			return rollback(groupOutcome{culprit: -1, err: tx.broken})
		}
		if err != nil {
			if rbErr := tx.refuse(ctx, i, err); rbErr != nil {
				return rollback(groupOutcome{culprit: i, err: errors.Join(err, rbErr)})
			}
			continue
		}
		if err := tx.accept(ctx); err != nil {
			return rollback(groupOutcome{culprit: -1, err: err})
		}
	}
	tx.fn = -1
	if len(tx.events) > 0 {
		if err := db.appendEvents(ctx, tx); err != nil {
			return rollback(groupOutcome{refused: tx.refused, culprit: -1, err: err})
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return groupOutcome{refused: tx.refused, culprit: -1, err: fmt.Errorf("store: commit: %w", err), committing: true}
	}
	return groupOutcome{refused: tx.refused, culprit: -1, events: len(tx.events) > 0, after: tx.after}
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
