package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Aggregate declares an audited aggregate once: its table, its columns and
// object type, and how its State renders. The declaration gives the
// aggregate registration for verify, Get, Lock (for update, across
// instances), Insert, Save (with a version check) and Emit (with the row's
// State). Convention: the table has an integer primary key (id, unless Key
// names another column) and an integer version (1 on insert, one more on
// every save), and the State includes the version.
//
// A declaration, in the package that owns the table (the migration creates
// "widgets (id, version, name, qty)"):
//
//	type Widget struct {
//		ID      int64  `json:"id"`
//		Version int64  `json:"version"`
//		Name    string `json:"name"`
//		Qty     int64  `json:"qty"`
//	}
//
//	var widgets = store.Declare(store.Aggregate[Widget]{
//		Table: "widgets", ObjectType: "widget", Columns: []string{"name", "qty"},
//		Fields: func(w *Widget) []any { return []any{&w.ID, &w.Version, &w.Name, &w.Qty} },
//		State:  func(w *Widget) any { return w },
//	})
//
// and a change, inside a write:
//
//	err := db.Write(ctx, func(tx *store.Tx) error {
//		w, err := widgets.Lock(ctx, tx, id) // refuses a row that differs from its last event
//		if err != nil {
//			return err
//		}
//		if w.Version != basedOn {
//			return apperr.Conflictf(…)
//		}
//		w.Qty = qty
//		return widgets.Save(ctx, tx, &w, store.Event{Actor: p.Login, Action: "widget.counted", BodyID: w.BodyID})
//	})
type Aggregate[R any] struct {
	Table      string
	ObjectType string
	// Key is the integer primary key column, "id" when empty (a calendar
	// year is keyed by its year, a body's hours by the body); the object id
	// of events is its value.
	Key string
	// Columns are the table's columns after id and version, in the order
	// Fields returns them.
	Columns []string
	// Fields returns pointers to r's key (*int64), version (*int64) and the
	// fields of Columns, in that order: Scan reads into them, Insert and
	// Save write their values.
	Fields func(r *R) []any
	// State is what Event.State records of r (as JSON), and what verify
	// compares the row with.
	State func(r *R) any
	// Stale, if set, is the error of a Save of r on a row that is no
	// longer at r's version (the aggregate's own words for it); by default
	// a Conflict naming the object type, id and version.
	Stale func(r *R) error

	// Built by Declare.
	selectSQL, lockSQL, insertSQL, insertIDSQL, saveSQL, snapshotSQL string
}

// Declare checks a declaration, builds its statements and registers the
// table for verify. It panics on a bad declaration (a wiring bug, found at
// init).
func Declare[R any](a Aggregate[R]) *Aggregate[R] {
	if a.Table == "" || a.ObjectType == "" || len(a.Columns) == 0 || a.Fields == nil || a.State == nil {
		panic("store: Declare needs Table, ObjectType, Columns, Fields and State")
	}
	var r R
	f := a.Fields(&r)
	if len(f) != len(a.Columns)+2 {
		panic(fmt.Sprintf("store: Declare %s: Fields gives %d pointers for id, version and %d columns", a.Table, len(f), len(a.Columns)))
	}
	_, idOK := f[0].(*int64)
	_, vOK := f[1].(*int64)
	if !idOK || !vOK {
		panic("store: Declare " + a.Table + ": key and version must be *int64")
	}
	if a.Key == "" {
		a.Key = "id"
	}
	k := a.Key
	cols := strings.Join(a.Columns, ", ")
	marks := strings.Repeat(", ?", len(a.Columns))
	a.selectSQL = "SELECT " + k + ", version, " + cols + " FROM " + a.Table + " WHERE " + k + " = ?"
	a.lockSQL = a.selectSQL // SQLite: the one writer holds every row already
	a.insertSQL = "INSERT INTO " + a.Table + " (" + k + ", version, " + cols + ") VALUES (?, 1" + marks + ")"
	a.insertIDSQL = "INSERT INTO " + a.Table + " (version, " + cols + ") VALUES (1" + marks + ") RETURNING " + k
	a.saveSQL = "UPDATE " + a.Table + " SET " + strings.Join(a.Columns, " = ?, ") + " = ?, version = version + 1 WHERE " + k + " = ? AND version = ?"
	a.snapshotSQL = "SELECT " + k + ", version, " + cols + " FROM " + a.Table + " ORDER BY " + k
	ag := &a
	RegisterAudited(AuditedTable{ObjectType: a.ObjectType, Table: a.Table, Snapshot: ag.snapshot})
	return ag
}

func (a *Aggregate[R]) snapshot(ctx context.Context, q Querier, yield func(string, json.RawMessage) error) error {
	rows, err := q.Query(ctx, a.snapshotSQL)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r R
		if err := rows.Scan(a.Fields(&r)...); err != nil {
			return err
		}
		state, err := json.Marshal(a.State(&r))
		if err != nil {
			return err
		}
		if err := yield(strconv.FormatInt(*a.id(&r), 10), state); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (a *Aggregate[R]) id(r *R) *int64      { return a.Fields(r)[0].(*int64) }
func (a *Aggregate[R]) version(r *R) *int64 { return a.Fields(r)[1].(*int64) }

// values are the column values of r, after id and version.
func (a *Aggregate[R]) values(r *R) []any {
	f := a.Fields(r)[2:]
	out := make([]any, len(f))
	for i, p := range f {
		out[i] = reflect.ValueOf(p).Elem().Interface()
	}
	return out
}

// StateOf renders the State of the row with this key, as an event about
// it would record it (a VersionedTable's State).
func (a *Aggregate[R]) StateOf(ctx context.Context, q Querier, key int64) (json.RawMessage, error) {
	r, err := a.Get(ctx, q, key)
	if err != nil {
		return nil, err
	}
	return json.Marshal(a.State(&r))
}

// Get reads the row with this id (from q: the reader pool, or a write).
func (a *Aggregate[R]) Get(ctx context.Context, q Querier, id int64) (R, error) {
	return a.read(ctx, q, a.selectSQL, id)
}

func (a *Aggregate[R]) read(ctx context.Context, q Querier, query string, id int64) (R, error) {
	var r R
	err := q.QueryRow(ctx, query, id).Scan(a.Fields(&r)...)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.no_with_id", id, a.ObjectType)
	}
	if err != nil {
		return r, fmt.Errorf("store: %s id=%d: %w", a.Table, id, err)
	}
	return r, nil
}

// Lock reads the row to change it in this write, locked until the write
// commits (SELECT … FOR UPDATE on PostgreSQL, so other instances wait;
// SQLite's one writer already excludes them). It refuses, loudly, a row
// whose State differs from the State of its object's last event: such a
// row was changed behind the audit log's back, and a write built on it
// would record the tampered values as the actor's.
func (a *Aggregate[R]) Lock(ctx context.Context, tx *Tx, id int64) (R, error) {
	query := a.lockSQL
	if tx.db.dialect == Postgres {
		query += " FOR UPDATE"
	}
	r, err := a.read(ctx, tx, query, id)
	if err != nil {
		return r, err
	}
	if err := a.checkAudited(ctx, tx, &r); err != nil {
		var zero R
		return zero, err
	}
	return r, nil
}

// ErrTampered is the error of a write refused because the row it would
// change differs from its last audited event.
var ErrTampered = errors.New("store: the row differs from its last audited event")

// checkAudited compares r's State with the State of its object's last
// event: one emitted earlier in this write group, or the last stored.
func (a *Aggregate[R]) checkAudited(ctx context.Context, tx *Tx, r *R) error {
	id := strconv.FormatInt(*a.id(r), 10)
	state, err := json.Marshal(a.State(r))
	if err != nil {
		return fmt.Errorf("store: %s id=%s: state: %w", a.Table, id, err)
	}
	if state, err = compactJSON(state); err != nil {
		return fmt.Errorf("store: %s id=%s: state: %w", a.Table, id, err)
	}
	last, seq, err := LastState(ctx, tx, a.ObjectType, id)
	if err != nil {
		return fmt.Errorf("store: %s id=%s: %w", a.Table, id, err)
	}
	if last != nil && bytes.Equal(last, state) {
		return nil
	}
	slog.Error("store: refusing to write on a row that differs from its last audited event (changed behind the log's back; qingdan verify names it)",
		"table", a.Table, "id", id, "last_event", seq)
	cause := fmt.Errorf("%w: %s id=%s", ErrTampered, a.Table, id)
	if last == nil && seq == 0 {
		cause = fmt.Errorf("%w: %s id=%s has no audited event", ErrTampered, a.Table, id)
	}
	return tamperedError(cause)
}

// tamperedError is the refusal the user sees: a Conflict (nothing they can
// fix by retrying) that wraps cause, an ErrTampered naming the row.
func tamperedError(cause error) error {
	e := apperr.Conflictf("store.this_record_differs_from_the_audit")
	e.Err = cause
	return e
}

// Insert inserts r with version 1 and emits e with its State. With id 0 the
// database assigns the id (an immediate INSERT … RETURNING); otherwise the
// insert is queued (pipelined on PostgreSQL).
func (a *Aggregate[R]) Insert(ctx context.Context, tx *Tx, r *R, e Event) error {
	id := a.id(r)
	*a.version(r) = 1
	if *id == 0 {
		if err := tx.QueryRow(ctx, a.insertIDSQL, a.values(r)...).Scan(id); err != nil {
			return fmt.Errorf("store: insert into %s: %w", a.Table, err)
		}
	} else {
		tx.Queue(ctx, a.insertSQL, append([]any{*id}, a.values(r)...)...)
	}
	return a.Emit(tx, r, e)
}

// Save writes r over the row of the version r was read at, moves r to the
// next version and emits e with its State. The UPDATE is queued (pipelined
// on PostgreSQL) and expects one row: if the row is at another version
// (someone saved since r was read) the write fails with a Conflict naming
// the version, and changes nothing. Read r with Lock in the same write, so
// that a tampered row is refused.
func (a *Aggregate[R]) Save(ctx context.Context, tx *Tx, r *R, e Event) error {
	id, v := *a.id(r), a.version(r)
	tx.QueueExpect(ctx, 1, a.stale(r), a.saveSQL, append(a.values(r), id, *v)...)
	*v++
	return a.Emit(tx, r, e)
}

// SaveNow is Save run at once rather than queued, for a save that may
// break a unique index: its error (store.IsUniqueViolation) comes back
// here, for the caller to name the field, instead of failing the write
// as an internal error after fn has returned.
func (a *Aggregate[R]) SaveNow(ctx context.Context, tx *Tx, r *R, e Event) error {
	id, v := *a.id(r), a.version(r)
	res, err := tx.Exec(ctx, a.saveSQL, append(a.values(r), id, *v)...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s id=%d: %w", a.Table, id, err)
	}
	if n != 1 {
		return a.stale(r)
	}
	*v++
	return a.Emit(tx, r, e)
}

func (a *Aggregate[R]) stale(r *R) error {
	if a.Stale != nil {
		return a.Stale(r)
	}
	id, v := *a.id(r), *a.version(r)
	return apperr.New(apperr.Conflict, "version", "store.was_changed_by_someone_else_it", a.ObjectType, id, v)
}

// Emit emits e about r: its object (and, unless e names another, its root)
// is r, and its State is r's.
func (a *Aggregate[R]) Emit(tx *Tx, r *R, e Event) error {
	state, err := json.Marshal(a.State(r))
	if err != nil {
		return fmt.Errorf("store: %s: state: %w", a.Table, err)
	}
	e.ObjectType, e.ObjectID, e.State = a.ObjectType, strconv.FormatInt(*a.id(r), 10), state
	return tx.Emit(e)
}
