package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// EventFilter selects events for Events. With ObjectType and ObjectID set it
// is one object's history; FromSeq/ToSeq bound the sequence range.
type EventFilter struct {
	ObjectType string
	ObjectID   string
	FromSeq    int64 // inclusive
	ToSeq      int64 // exclusive; 0 means no upper bound
	Limit      int   // 0 means 1000; at most 10000
}

// Events returns the matching events in sequence order.
func (db *DB) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	if (f.ObjectType == "") != (f.ObjectID == "") {
		return nil, apperr.Invalidf("object", "对象类型和对象编号须同时给出", "object type and object id go together")
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 1000
	case limit > 10000:
		limit = 10000
	}
	var where []string
	var args []any
	if f.ObjectType != "" {
		where = append(where, "object_type = ? AND object_id = ?")
		args = append(args, f.ObjectType, f.ObjectID)
	}
	if f.FromSeq > 0 {
		where = append(where, "seq >= ?")
		args = append(args, f.FromSeq)
	}
	if f.ToSeq > 0 {
		where = append(where, "seq < ?")
		args = append(args, f.ToSeq)
	}
	q := "SELECT " + eventReadCols + " FROM events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq LIMIT ?"
	args = append(args, limit)
	rows, err := db.Query(ctx, q, args...)
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

const eventReadCols = "seq, at, actor, body_id, action, object_type, object_id, from_state, to_state, payload, state, leaf_hash"

type scanner interface{ Scan(dest ...any) error }

// scanEvent reads one row of eventReadCols and returns the event and its
// stored leaf hash.
func scanEvent(r scanner) (Event, []byte, error) {
	var e Event
	var at int64
	var payload, state string
	var lh []byte
	if err := r.Scan(&e.Seq, &at, &e.Actor, &e.BodyID, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.From, &e.To, &payload, &state, &lh); err != nil {
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
