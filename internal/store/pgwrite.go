package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/qingdan/qingdan/internal/audit"
)

// The PostgreSQL group commit. A round trip costs about as much as the
// server's work on a small statement, so a group travels in as few as
// possible: BEGIN, every queued statement of every fn, the audit append and
// COMMIT go out as one pipeline (pgx batch) and come back as one reply. Only
// an fn's immediate statements (Exec, Query) and the first group's read of
// the tree head add round trips.

// The append is three statements at the end of the pipeline: multi-row
// INSERTs of the events and of the new nodes (VALUES with one parameter per
// column, in chunks of at most pgAppendChunk rows, so that each connection
// prepares at most pgAppendChunk texts per table), and the head update. The
// server spends far less on them than on one statement that unnests 15 array
// parameters: measured by the backend's CPU time, ~180 µs a group of 8
// instead of ~550 µs (BENCHMARKS.md). The head moves only from the size the
// leaves were numbered from: if another instance appended meanwhile, the
// cast in the filter fails (a column, so the planner cannot fold it) and the
// transaction with it. The events' primary key catches the same race first.
const pgAppendChunk = 32

const pgHeadUpdate = "UPDATE audit_head SET size = $1, root = $2, frontier = $3 WHERE id = 1 AND " +
	"CASE WHEN size = $4 THEN true ELSE ('" + headMovedMark + "' || size)::int::bool END"

// pgEventInserts[n] and pgNodeInserts[n] insert n rows, 1 ≤ n ≤ pgAppendChunk.
var pgEventInserts, pgNodeInserts = pgInsertTexts("events", eventCols, eventNCols), pgInsertTexts("audit_nodes", "last_leaf, level, hash", 3)

func pgInsertTexts(table, cols string, ncols int) []string {
	texts := make([]string, pgAppendChunk+1)
	for n := 1; n <= pgAppendChunk; n++ {
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		for r := range n {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for c := range ncols {
				if c > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(r*ncols + c + 1))
			}
			b.WriteByte(')')
		}
		texts[n] = b.String()
	}
	return texts
}

const headMovedMark = "qingdan-head-moved:"

// treeHeadForUpdate reads and locks the head when the cached one is not known
// good (the first group, or after another instance appended).
const treeHeadForUpdate = "SELECT size, frontier FROM audit_head WHERE id = 1 FOR UPDATE"

// treeHead is the tree head as this instance last committed it; only the
// committer goroutine touches it. It advances only after a successful
// COMMIT, and is forgotten when a commit's outcome is unknown.
type treeHead struct {
	valid    bool
	size     uint64
	frontier [][32]byte
}

// errHeadMoved: the cached head was stale (another instance sharing the
// database appended). Nothing was committed; the group runs again from a
// freshly locked head.
var errHeadMoved = errors.New("store: the audit log grew on another instance")

// rowsMark tags the error QueueExpect's wrapper raises on a wrong row count.
const rowsMark = "qingdan-rows:"

// expectWrap makes a PostgreSQL statement fail when it changes other than
// $n rows (n = nargs+1): the pipeline runs on and COMMIT follows it, so a
// wrong count must abort the transaction on the server, not be checked
// afterwards. The failing cast carries the actual count.
func expectWrap(q string, nargs int) string {
	q = strings.TrimSuffix(strings.TrimSpace(q), ";")
	return "WITH q AS (" + q + " RETURNING 1) SELECT CASE WHEN count(*) = $" + strconv.Itoa(nargs+1) +
		" THEN 0 ELSE ('" + rowsMark + "' || count(*))::int END FROM q"
}

// markedCount extracts the count from an error raised by expectWrap or
// the head update's check.
func markedCount(err error, mark string) (int64, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22P02" {
		return 0, false
	}
	_, rest, ok := strings.Cut(pe.Message, mark)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimRight(rest, `"`), 10, 64)
	return n, err == nil
}

// tailStmt is one of the statements the committer adds after the queue.
type tailStmt struct {
	query string
	args  []any
	scan  []any // destinations of its one row; nil: no row wanted
}

// pipeResult says what happened to the tail of a pipeline.
type pipeResult struct {
	failed int   // index of the tail statement that failed, or -1
	err    error // its error, or one no statement can be blamed for
	// sent: the statements reached the server, so one that was not
	// answered may still have run (matters when COMMIT was among them).
	sent bool
	// refused: a queued statement failed and refused its fn; the server
	// skipped the rest (the tail too), which is queued again.
	refused bool
}

// flush sends BEGIN (if not sent yet), the rollback of a refused fn's
// savepoint and the queued statements before an immediate statement. A
// queued statement that fails refuses its fn alone: the others' statements,
// which the server skipped, go again after the rollback until all have run.
// A failure nobody can be blamed for is recorded in t.broken. The
// statements are other fns' too, so the running fn's ctx does not govern
// them.
func (t *Tx) flush() {
	for t.broken == nil && (!t.begun || len(t.queue) > 0 || t.undoSP > 0) {
		if r := t.pipeline(context.Background()); r.err != nil {
			// BEGIN or a rollback failed, the connection broke, a deadlock,
			// or several statements share the text that failed to prepare.
			t.broken = r.err
		}
	}
}

// pipeline sends BEGIN (unless sent), the pending savepoint rollbacks, the
// queued statements and tail as one batch and reads the replies in order.
// A queued statement's failure refuses the fn that queued it; the server
// skips everything after it (COMMIT included), so nothing is
// committed, and the other fns' statements it skipped are queued again.
func (t *Tx) pipeline(ctx context.Context, tail ...tailStmt) pipeResult {
	var b pgx.Batch
	begun, undo := t.begun, t.undoSP
	if !t.begun {
		b.Queue("BEGIN")
	}
	for range t.undoSP {
		b.Queue(rollbackToSQL)
		b.Queue(releaseSQL)
	}
	off := b.Len()
	queue := t.queue
	for _, q := range queue {
		b.Queue(q.query, q.args...)
	}
	for _, s := range tail {
		b.Queue(s.query, s.args...)
	}
	t.queue = nil
	// Even if BEGIN's reply is lost, a ROLLBACK is due (harmless without a
	// transaction).
	t.begun = true
	t.undoSP = 0
	res := pipeResult{failed: -1}
	at := -1 // the statement whose reply was an error
	var stmtErr error
	rawErr := t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: writer connection is %T, not pgx", dc)
		}
		br := sc.Conn().SendBatch(ctx, &b)
		for i := range b.Len() {
			var err error
			if i >= off+len(queue) && tail[i-off-len(queue)].scan != nil {
				err = br.QueryRow().Scan(tail[i-off-len(queue)].scan...)
			} else {
				_, err = br.Exec()
			}
			if err != nil {
				at, stmtErr = i, err
				break
			}
		}
		return br.Close()
	})
	if stmtErr == nil {
		stmtErr = rawErr
	}
	if stmtErr == nil {
		return res
	}
	var pre pgx.ErrPreprocessingBatch
	res.sent = !errors.As(stmtErr, &pre)
	if !res.sent {
		// Preparing or encoding a statement failed before anything ran:
		// blame the statement with that text if it is the only one;
		// otherwise nobody, and runGroup runs each request alone.
		t.begun, t.undoSP = begun, undo
		at = -1
		n := 0
		for i, q := range queue {
			if q.query == pre.SQL() {
				at, n = off+i, n+1
			}
		}
		for i, s := range tail {
			if s.query == pre.SQL() {
				at, n = off+len(queue)+i, n+1
			}
		}
		if n != 1 {
			at = -1
		}
	}
	switch {
	case at >= off && at < off+len(queue):
		q := queue[at-off]
		err := stmtErr
		if n, ok := markedCount(err, rowsMark); ok {
			err = rowCountError(q.otherwise, n, q.want)
		}
		if q.savepoint || isRetryable(err) {
			// Not the fn's doing: the group fails (or runs again).
			t.queue = queue
			res.err = err
			return res
		}
		// The server ran nothing after the failed statement (and nothing
		// at all when the batch was not sent): queue the others' again.
		rest := queue[at-off+1:]
		if !res.sent {
			rest = queue
		}
		switch opened := t.refuseQueued(q.fn, err, rest); {
		case opened && res.sent:
			// The server holds the transaction aborted, and in that state
			// it parses nothing but ROLLBACK (TO): undo the fn's savepoint
			// now, in the simple protocol, before any statement is prepared.
			if err := t.undoAborted(ctx); err != nil {
				res.err = err
				return res
			}
		case opened:
			t.undoSP++ // nothing ran: the transaction is as it was
		}
		res.refused = true
		return res
	case at >= off+len(queue):
		res.failed = at - off - len(queue)
	}
	res.err = stmtErr
	return res
}

// refuseQueued refuses fn x, whose queued statement failed with err: rest
// (the statements the server did not run) go again without x's, and x's
// events are dropped. It reports whether x's savepoint reached the server
// (in this batch or an earlier one), so must be rolled back: x queued
// statements, and its SAVEPOINT is not among rest.
func (t *Tx) refuseQueued(x int, err error, rest []queued) (opened bool) {
	if t.refused[x] == nil {
		t.refused[x] = err
	}
	t.dropEvents(x)
	opened = !slices.ContainsFunc(rest, func(q queued) bool { return q.fn == x && q.savepoint })
	t.queue = slices.DeleteFunc(slices.Clone(rest), func(q queued) bool { return q.fn == x })
	if x == t.fn {
		t.spUndone = true
	}
	return opened
}

// inFailedTx reports whether the server holds the group's transaction
// failed (a statement failed and nothing was rolled back since), as its last
// ReadyForQuery said: no round trip.
func (t *Tx) inFailedTx() bool {
	failed := true // unless the connection says otherwise: undoing costs a round trip, not undoing a group
	err := t.conn.Raw(func(dc any) error {
		if sc, ok := dc.(*stdlib.Conn); ok {
			failed = sc.Conn().PgConn().TxStatus() == 'E'
		}
		return nil
	})
	return failed || err != nil
}

// undoAborted rolls the innermost savepoint back in an aborted transaction
// and releases it, in one simple-protocol round trip.
func (t *Tx) undoAborted(ctx context.Context) error {
	err := t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: writer connection is %T, not pgx", dc)
		}
		_, err := sc.Conn().PgConn().Exec(ctx, rollbackToSQL+"; "+releaseSQL).ReadAll()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: roll back a refused write's savepoint: %w", err)
	}
	return nil
}

// pgTryGroup is tryGroup on PostgreSQL.
func (db *DB) pgTryGroup(live []*request) (o groupOutcome) {
	ctx := context.Background()
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return groupOutcome{culprit: -1, err: fmt.Errorf("store: connect: %w", err)}
	}
	defer func() {
		// Close only fails on a Conn closed twice; if it ever did after a
		// commit, the callers hear "unknown outcome", which stays true.
		if cErr := conn.Close(); cErr != nil && o.err == nil {
			o.err, o.committing = fmt.Errorf("store: release connection: %w", cErr), true
		}
	}()
	tx := newTx(db, nil, conn, len(live))
	abort := func(err error) groupOutcome {
		if tx.begun {
			// After a failed statement the server holds an aborted
			// transaction; after a broken connection this fails and
			// database/sql discards the connection (pgx reports it bad).
			if _, rbErr := conn.ExecContext(ctx, "ROLLBACK"); rbErr != nil {
				err = errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
			}
		}
		return groupOutcome{refused: tx.refused, culprit: -1, err: err}
	}
	for i, r := range live {
		tx.begin(i)
		err := callFn(r.fn, tx)
		if tx.broken != nil {
			return abort(tx.broken)
		}
		if tx.refused[i] != nil {
			err = tx.refused[i]
		}
		if isRetryable(err) {
			// The server rolled the whole transaction back: run it again.
			return abort(err)
		}
		if err != nil {
			if rbErr := tx.refuse(ctx, i, err); rbErr != nil {
				return abort(rbErr)
			}
		}
	}
	tx.fn = -1
	if len(tx.events) == 0 {
		if !tx.begun && len(tx.queue) == 0 {
			return groupOutcome{refused: tx.refused, culprit: -1, after: tx.after} // nothing was sent: nothing to commit
		}
		return db.pgCommit(ctx, tx, abort, treeHead{}, false)
	}

	head := db.head
	cached := head.valid
	for !head.valid {
		var size int64
		var front []byte
		r := tx.pipeline(ctx, tailStmt{query: treeHeadForUpdate, scan: []any{&size, &front}})
		if r.refused {
			continue // one fn fewer; its statements are out, the rest go again
		}
		if r.err != nil {
			return abort(fmt.Errorf("store: read tree head: %w", r.err))
		}
		f, err := audit.DecodeFrontier(uint64(size), front)
		if err != nil {
			return abort(fmt.Errorf("store: tree head: %w", err))
		}
		head = treeHead{valid: true, size: uint64(size), frontier: f}
	}
	return db.pgCommit(ctx, tx, abort, head, cached)
}

// pgCommit sends what is left of the group, the audit append of its events
// onto head (when there are events) and COMMIT in one pipeline. cached: head
// came from memory, not from the locked row. When a queued statement
// refuses its fn, that fn's events are out: the append is computed anew and
// the rest sent again.
func (db *DB) pgCommit(ctx context.Context, tx *Tx, abort func(error) groupOutcome, head treeHead, cached bool) groupOutcome {
	for {
		var app []tailStmt
		next := head
		if len(tx.events) > 0 {
			tree, leaves, nodes, err := hashEvents(head, tx.events)
			if err != nil {
				return abort(err)
			}
			next = treeHead{valid: true, size: tree.Size(), frontier: tree.Frontier()}
			root := tree.Root()
			app = pgAppendStmts(tx.events, leaves, nodes)
			app = append(app, tailStmt{query: pgHeadUpdate,
				args: []any{int64(next.size), root[:], audit.EncodeFrontier(next.frontier), int64(head.size)}})
		}
		tail := append(app, tailStmt{query: "COMMIT"})
		r := tx.pipeline(ctx, tail...)
		if r.refused {
			continue
		}
		var pe *pgconn.PgError
		switch {
		case r.err == nil:
			if next.valid {
				db.head = next
			}
			return groupOutcome{refused: tx.refused, culprit: -1, events: len(tx.events) > 0, after: tx.after}
		case r.failed == len(tail)-1 || (r.sent && !errors.As(r.err, &pe)):
			// COMMIT failed, or the connection did after COMMIT was sent: the
			// outcome is unknown, and so is the head.
			db.head.valid = false
			return groupOutcome{refused: tx.refused, culprit: -1, err: fmt.Errorf("store: commit: %w", r.err), committing: true}
		case r.failed >= 0 && r.failed < len(app):
			if cached {
				// Most likely another instance appended: reload the head
				// under its lock and run the group again.
				db.head.valid = false
				return abort(fmt.Errorf("%w: %w", errHeadMoved, r.err))
			}
			return abort(fmt.Errorf("store: append events: %w", r.err))
		default:
			return abort(r.err)
		}
	}
}

// hashEvents numbers events from head.size and hashes them into the tree;
// nodes are the internal nodes they complete.
func hashEvents(head treeHead, events []Event) (*audit.Tree, [][32]byte, []node, error) {
	tree, err := audit.NewTree(head.size, slices.Clone(head.frontier))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: tree head: %w", err)
	}
	leaves := make([][32]byte, len(events))
	nodes := make([]node, 0, len(events)+8)
	for i := range events {
		e := &events[i]
		e.Seq = int64(head.size) + int64(i)
		leaves[i] = e.Leaf().Hash()
		if err := tree.Append(leaves[i], func(id audit.NodeID, h [32]byte) {
			nodes = append(nodes, node{id, h})
		}); err != nil {
			return nil, nil, nil, fmt.Errorf("store: append leaf %d: %w", e.Seq, err)
		}
	}
	return tree, leaves, nodes, nil
}

// pgAppendStmts are the append's statements: the events and nodes in
// chunks, then the head update (its arguments appended by the caller).
func pgAppendStmts(events []Event, leaves [][32]byte, nodes []node) []tailStmt {
	stmts := make([]tailStmt, 0, (len(events)+len(nodes))/pgAppendChunk+3)
	for start := 0; start < len(events); start += pgAppendChunk {
		end := min(start+pgAppendChunk, len(events))
		args := make([]any, 0, eventNCols*(end-start))
		for i := start; i < end; i++ {
			e := &events[i]
			args = append(args, e.Seq, Micros(e.At), e.Actor, e.BodyID, e.Action, e.ObjectType, e.ObjectID,
				e.RootType, e.RootID, e.From, e.To, string(e.Payload), string(e.State), leaves[i][:])
		}
		stmts = append(stmts, tailStmt{query: pgEventInserts[end-start], args: args})
	}
	for start := 0; start < len(nodes); start += pgAppendChunk {
		end := min(start+pgAppendChunk, len(nodes))
		args := make([]any, 0, 3*(end-start))
		for _, nd := range nodes[start:end] {
			args = append(args, lastLeaf(nd.id), int32(nd.id.Level), nd.hash[:])
		}
		stmts = append(stmts, tailStmt{query: pgNodeInserts[end-start], args: args})
	}
	return stmts
}
