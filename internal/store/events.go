package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// EventFilter selects events for Events. With ObjectType and ObjectID set it
// is one object's history; with RootType and RootID a root's timeline (every
// event whose root it is, and the events recorded before roots were, in
// migration 0005, whose object it is). FromSeq/ToSeq bound the sequence range.
type EventFilter struct {
	ObjectType string
	ObjectID   string
	RootType   string
	RootID     string
	FromSeq    int64 // inclusive
	ToSeq      int64 // exclusive; 0 means no upper bound
	Limit      int   // 0 means 1000; at most 10000
}

// Events returns the matching events in sequence order.
func (db *DB) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	return QueryEvents(ctx, db, f)
}

// QueryEvents is Events on any of the store's Queriers: the reader pool
// (*DB), a write transaction (*Tx, which sees its own group's writes) or
// the snapshot a Snapshot function is given.
func QueryEvents(ctx context.Context, q Querier, f EventFilter) ([]Event, error) {
	if (f.ObjectType == "") != (f.ObjectID == "") {
		return nil, apperr.Invalidf("object", "store.object_type_and_object_id_go")
	}
	if (f.RootType == "") != (f.RootID == "") {
		return nil, apperr.Invalidf("root", "store.root_type_and_root_id_go")
	}
	if f.ObjectType != "" && f.RootType != "" {
		return nil, apperr.Invalidf("root", "store.select_by_object_or_by_root")
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 1000
	case limit > 10000:
		limit = 10000
	}
	var seqs []string
	var seqArgs []any
	if f.FromSeq > 0 {
		seqs = append(seqs, "seq >= ?")
		seqArgs = append(seqArgs, f.FromSeq)
	}
	if f.ToSeq > 0 {
		seqs = append(seqs, "seq < ?")
		seqArgs = append(seqArgs, f.ToSeq)
	}
	// selectWhere is one SELECT of the events meeting cond and the range.
	selectWhere := func(cond string, args []any) (string, []any) {
		conds := append([]string{cond}, seqs...)
		if cond == "" {
			conds = seqs
		}
		query := "SELECT " + eventReadCols + " FROM events"
		if len(conds) > 0 {
			query += " WHERE " + strings.Join(conds, " AND ")
		}
		return query, append(args, seqArgs...)
	}
	var query string
	var args []any
	switch {
	case f.ObjectType != "":
		query, args = selectWhere(objectEventsWhere(f.ObjectType, f.ObjectID))
	case f.RootType != "":
		query, args = selectWhere("root_type = ? AND root_id = ?", []any{f.RootType, f.RootID})
		cond, objArgs := objectEventsWhere(f.RootType, f.RootID)
		old, oldArgs := selectWhere("root_type = '' AND "+cond, objArgs)
		query += " UNION ALL " + old
		args = append(args, oldArgs...)
	default:
		query, args = selectWhere("", nil)
	}
	query += " ORDER BY seq LIMIT ?"
	args = append(args, limit)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, _, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return out, nil
}

// objectEventsWhere returns a condition on the table events (not aliased)
// that holds for one object's events (objectID "": every event of
// objectType), answered by the index events_object (object_type,
// object_id, seq) on both engines.
func objectEventsWhere(objectType, objectID string) (string, []any) {
	if objectID == "" {
		return "object_type = ?", []any{objectType}
	}
	return "object_type = ? AND object_id = ?", []any{objectType, objectID}
}

const eventReadCols = eventCols

type scanner interface{ Scan(dest ...any) error }

// scanEvent reads one row of eventReadCols and returns the event and its
// stored leaf hash.
func scanEvent(r scanner) (Event, []byte, error) {
	var e Event
	var at int64
	var payload, state string
	var lh []byte
	if err := r.Scan(&e.Seq, &at, &e.Actor, &e.BodyID, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.RootType, &e.RootID, &e.From, &e.To, &payload, &state, &lh); err != nil {
		return e, nil, fmt.Errorf("store: scan event: %w", err)
	}
	e.At = FromMicros(at)
	if payload != "" {
		e.Payload = []byte(payload)
	}
	if state != "" {
		e.State = []byte(state)
	}
	return e, lh, nil
}
