package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/qingdan/qingdan/internal/audit"
)

// AuditedTable is a state table whose rows must equal the State of their
// object's last event. Snapshot yields every row rendered exactly as the
// owning package renders Event.State when it emits.
type AuditedTable struct {
	ObjectType string
	// Table names the table in reports ("bodies id=7: …"); ObjectType when empty.
	Table    string
	Snapshot func(ctx context.Context, q Querier, yield func(objectID string, state json.RawMessage) error) error
	// Ephemeral rows may be deleted without an event (sessions that ended
	// or expired): a missing row is not a mismatch. Every row present must
	// still equal its last event's State, so an inserted or altered row is.
	Ephemeral bool
}

var (
	auditedMu sync.Mutex
	audited   = map[string]AuditedTable{}
)

// RegisterAudited registers a state table for Verify; domain packages call it
// from init. Registering an object type twice panics (a wiring bug).
func RegisterAudited(t AuditedTable) {
	if t.ObjectType == "" || t.Snapshot == nil {
		panic("store: RegisterAudited needs ObjectType and Snapshot")
	}
	auditedMu.Lock()
	defer auditedMu.Unlock()
	if _, dup := audited[t.ObjectType]; dup {
		panic("store: audited object type registered twice: " + t.ObjectType)
	}
	audited[t.ObjectType] = t
}

func auditedTables() []AuditedTable {
	auditedMu.Lock()
	defer auditedMu.Unlock()
	out := make([]AuditedTable, 0, len(audited))
	for _, t := range audited {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b AuditedTable) int {
		switch {
		case a.ObjectType < b.ObjectType:
			return -1
		case a.ObjectType > b.ObjectType:
			return 1
		}
		return 0
	})
	return out
}

// Report is the outcome of Verify. Mismatch names the first problem found,
// "" when everything matched.
type Report struct {
	Events      uint64   // leaves recomputed
	Nodes       uint64   // internal nodes recomputed
	Checkpoints int      // signed checkpoints checked
	Rows        int64    // audited state rows compared
	Root        [32]byte // the tree head's root
	Mismatch    string
}

// OK reports whether nothing mismatched.
func (r Report) OK() bool { return r.Mismatch == "" }

// verifyChunk is how many events are recomputed between node comparisons.
const verifyChunk = 4096

// readTx is a read-only transaction seen as a Querier.
type readTx struct {
	db *DB
	tx *sql.Tx
}

func (r readTx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.tx.QueryContext(ctx, r.db.rebind(q), args...)
}

func (r readTx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return r.tx.QueryRowContext(ctx, r.db.rebind(q), args...)
}

// Verify recomputes every leaf from its event's columns and every internal
// node from the leaves, compares them with what is stored, checks the tree
// head and every signed checkpoint (signature, and root at its size), and
// compares every registered table's rows with the State of their object's
// last event. It reads one consistent snapshot, so it can run beside writes.
// progress, if not nil, is called with events done and the total.
// An error means verification could not run; a mismatch is in the Report.
func (db *DB) Verify(ctx context.Context, progress func(done, total int64)) (rep Report, err error) {
	if db.key == nil {
		return rep, errNoKey
	}
	var opts *sql.TxOptions
	if db.dialect == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := db.reader.BeginTx(ctx, opts)
	if err != nil {
		return rep, fmt.Errorf("store: verify: %w", err)
	}
	// Read-only: rolling back is how it ends; there is nothing to keep.
	defer func() {
		if rbErr := tx.Rollback(); rbErr != nil && err == nil {
			err = fmt.Errorf("store: verify: end snapshot: %w", rbErr)
		}
	}()
	q := readTx{db: db, tx: tx}
	v := verifier{db: db, q: q, rep: &rep, progress: progress}
	if err := v.run(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

type verifier struct {
	db       *DB
	q        readTx
	rep      *Report
	progress func(done, total int64)
}

func (v *verifier) fail(format string, args ...any) {
	v.rep.Mismatch = fmt.Sprintf(format, args...)
}

func (v *verifier) run(ctx context.Context) error {
	var size int64
	var root, frontier []byte
	if err := v.q.QueryRow(ctx, "SELECT size, root, frontier FROM audit_head WHERE id = 1").Scan(&size, &root, &frontier); err != nil {
		return fmt.Errorf("store: verify: tree head: %w", err)
	}
	if len(root) == 32 {
		v.rep.Root = [32]byte(root)
	}
	cps, err := v.checkpoints(ctx)
	if err != nil {
		return err
	}
	pub := v.db.PublicKey()
	for _, cp := range cps {
		if err := cp.Verify(pub); err != nil {
			v.fail("checkpoint at size %d: signature does not verify with this log's key", cp.Size)
			return nil
		}
		if cp.Size > uint64(size) {
			v.fail("checkpoint at size %d: beyond the tree head (size %d)", cp.Size, size)
			return nil
		}
	}
	tree, err := audit.NewTree(0, nil)
	if err != nil {
		return err
	}
	cpi := 0
	checkCheckpoints := func() bool {
		for cpi < len(cps) && cps[cpi].Size == tree.Size() {
			if cps[cpi].Root != tree.Root() {
				v.fail("checkpoint at size %d: signed root does not match the log recomputed from its events", cps[cpi].Size)
				return false
			}
			cpi++
			v.rep.Checkpoints++
		}
		return true
	}
	if !checkCheckpoints() {
		return nil
	}
	for start := int64(0); start < size; start += verifyChunk {
		end := min(start+verifyChunk, size)
		var computed []node
		ok, err := v.leaves(ctx, tree, start, end, &computed, checkCheckpoints)
		if err != nil || !ok {
			return err
		}
		if ok, err := v.nodes(ctx, start, end, computed); err != nil || !ok {
			return err
		}
		if v.progress != nil {
			v.progress(end, size)
		}
	}
	// Nothing may exist beyond the head.
	var extra int64
	if err := v.q.QueryRow(ctx, "SELECT count(*) FROM events WHERE seq >= ? OR seq < 0", size).Scan(&extra); err != nil {
		return fmt.Errorf("store: verify: %w", err)
	}
	if extra > 0 {
		v.fail("events: %d event rows outside the tree head's range 0..%d", extra, size-1)
		return nil
	}
	var nodes int64
	if err := v.q.QueryRow(ctx, "SELECT count(*) FROM audit_nodes").Scan(&nodes); err != nil {
		return fmt.Errorf("store: verify: %w", err)
	}
	if uint64(nodes) != v.rep.Nodes {
		v.fail("audit_nodes: %d stored nodes, but a log of %d events has %d", nodes, size, v.rep.Nodes)
		return nil
	}
	if tree.Root() != v.rep.Root {
		v.fail("tree head: stored root (size %d) does not match the root recomputed from the events", size)
		return nil
	}
	if !bytes.Equal(audit.EncodeFrontier(tree.Frontier()), frontier) {
		v.fail("tree head: stored frontier (size %d) does not match the log", size)
		return nil
	}
	if cpi != len(cps) {
		return fmt.Errorf("store: verify: checkpoint at size %d was not reached", cps[cpi].Size)
	}
	return v.tables(ctx)
}

func (v *verifier) checkpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	rows, err := v.q.Query(ctx, "SELECT size, root, at, sig FROM audit_checkpoints ORDER BY size")
	if err != nil {
		return nil, fmt.Errorf("store: verify: checkpoints: %w", err)
	}
	defer rows.Close()
	var cps []audit.Checkpoint
	for rows.Next() {
		cp, err := scanCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("store: verify: %w", err)
		}
		cps = append(cps, cp)
	}
	return cps, rows.Err()
}

// leaves recomputes events [start, end): each leaf from its columns, compared
// with the stored leaf hash, then appended to tree; the internal nodes they
// complete go to computed in creation order, which is audit_nodes' key order.
func (v *verifier) leaves(ctx context.Context, tree *audit.Tree, start, end int64, computed *[]node, atSize func() bool) (bool, error) {
	rows, err := v.q.Query(ctx, "SELECT "+eventReadCols+" FROM events WHERE seq >= ? AND seq < ? ORDER BY seq", start, end)
	if err != nil {
		return false, fmt.Errorf("store: verify: events: %w", err)
	}
	defer rows.Close()
	want := start
	for rows.Next() {
		e, stored, err := scanEvent(rows)
		if err != nil {
			return false, err
		}
		if e.Seq != want {
			v.fail("event #%d is missing (the next stored event is #%d)", want, e.Seq)
			return false, nil
		}
		want++
		h := e.Leaf().Hash()
		if !bytes.Equal(h[:], stored) {
			v.fail("event #%d (%s %s:%s): stored content does not match its leaf hash", e.Seq, e.Action, e.ObjectType, e.ObjectID)
			return false, nil
		}
		if err := tree.Append(h, func(id audit.NodeID, hash [32]byte) {
			*computed = append(*computed, node{id, hash})
		}); err != nil {
			return false, err
		}
		v.rep.Events++
		if !atSize() {
			return false, nil
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("store: verify: events: %w", err)
	}
	if want != end {
		v.fail("event #%d is missing", want)
		return false, nil
	}
	return true, nil
}

// nodes compares the internal nodes recomputed for the events [start, end)
// (in creation order: last leaf, then level) with the stored nodes whose last
// leaf is in that range, read in key order in one scan.
func (v *verifier) nodes(ctx context.Context, start, end int64, computed []node) (bool, error) {
	rows, err := v.q.Query(ctx, "SELECT last_leaf, level, hash FROM audit_nodes WHERE last_leaf >= ? AND last_leaf < ? ORDER BY last_leaf, level",
		start, end)
	if err != nil {
		return false, fmt.Errorf("store: verify: nodes: %w", err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var last, level int64
		var h []byte
		if err := rows.Scan(&last, &level, &h); err != nil {
			return false, fmt.Errorf("store: verify: nodes: %w", err)
		}
		if i < len(computed) {
			want := computed[i]
			switch wl := lastLeaf(want.id); {
			case last > wl || (last == wl && level > int64(want.id.Level)):
				v.fail("audit node %v is missing", want.id)
				return false, nil
			case last == wl && level == int64(want.id.Level):
				if !bytes.Equal(h, want.hash[:]) {
					v.fail("audit node %v: stored hash does not match the events below it", want.id)
					return false, nil
				}
				i++
				v.rep.Nodes++
				continue
			}
		}
		v.fail("audit_nodes: row (last leaf %d, level %d) is not a node of the log", last, level)
		return false, nil
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("store: verify: nodes: %w", err)
	}
	if i < len(computed) {
		v.fail("audit node %v is missing", computed[i].id)
		return false, nil
	}
	return true, nil
}

type lastEvent struct {
	seq   int64
	state [32]byte // SHA-256 of the compact State; keeps memory flat for big tables
	empty bool
	seen  bool
}

// tables compares every registered table with its objects' last events.
func (v *verifier) tables(ctx context.Context) error {
	for _, t := range auditedTables() {
		name := t.Table
		if name == "" {
			name = t.ObjectType
		}
		last, err := v.lastEvents(ctx, t.ObjectType)
		if err != nil {
			return err
		}
		stop := errors.New("stop")
		err = t.Snapshot(ctx, v.q, func(id string, state json.RawMessage) error {
			v.rep.Rows++
			le, ok := last[id]
			if !ok {
				v.fail("%s id=%s: row has no audited event", name, id)
				return stop
			}
			le.seen = true
			c, err := compactJSON(state)
			if err != nil {
				v.fail("%s id=%s: snapshot is not JSON: %v", name, id, err)
				return stop
			}
			if le.empty || sha256.Sum256(c) != le.state {
				v.fail("%s id=%s: row differs from its last audited event #%d", name, id, le.seq)
				return stop
			}
			return nil
		})
		if errors.Is(err, stop) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: verify: snapshot of %s: %w", name, err)
		}
		// An object whose last event left a state must still have its row.
		ids := make([]string, 0)
		for id, le := range last {
			if !le.seen && !le.empty && !t.Ephemeral {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			slices.Sort(ids)
			v.fail("%s id=%s: row is missing, but its last audited event #%d has a state", name, ids[0], last[ids[0]].seq)
			return nil
		}
	}
	return nil
}

// lastEvents maps object id → its last event's seq and state digest.
func (v *verifier) lastEvents(ctx context.Context, objectType string) (map[string]*lastEvent, error) {
	rows, err := v.q.Query(ctx, `SELECT e.object_id, e.seq, e.state FROM events e
		JOIN (SELECT object_id, max(seq) AS seq FROM events WHERE object_type = ? GROUP BY object_id) m ON e.seq = m.seq`, objectType)
	if err != nil {
		return nil, fmt.Errorf("store: verify: last events of %s: %w", objectType, err)
	}
	defer rows.Close()
	out := map[string]*lastEvent{}
	for rows.Next() {
		var id, state string
		var seq int64
		if err := rows.Scan(&id, &seq, &state); err != nil {
			return nil, fmt.Errorf("store: verify: last events of %s: %w", objectType, err)
		}
		// "null" is how a deletion's snapshot renders; it expects no row.
		empty := state == "" || state == "null"
		out[id] = &lastEvent{seq: seq, state: sha256.Sum256([]byte(state)), empty: empty}
	}
	return out, rows.Err()
}
