package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// LastState returns the State of one object's last event and that event's
// seq, read through q; nil and 0 when the object has no event. In a write
// transaction an event emitted earlier in the group counts as the last (its
// seq is 0: it has none yet). A service that changes an
// audited row compares the row with it first, so that a row changed behind
// its back is refused rather than re-emitted as the actor's change.
func LastState(ctx context.Context, q Querier, objectType, objectID string) (json.RawMessage, uint64, error) {
	if tx, ok := q.(*Tx); ok {
		// An event emitted earlier in this group is not in the table yet
		// (the group appends its events when it commits), nor numbered.
		for i := len(tx.events) - 1; i >= 0; i-- {
			if e := tx.events[i]; e.ObjectType == objectType && e.ObjectID == objectID {
				return e.State, 0, nil
			}
		}
	}
	cond, args := objectEventsWhere(objectType, objectID)
	var seq uint64
	var state string
	err := q.QueryRow(ctx, "SELECT seq, state FROM events WHERE "+cond+" ORDER BY seq DESC LIMIT 1", args...).Scan(&seq, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: last event of %s %s: %w", objectType, objectID, err)
	}
	if state == "" {
		return nil, seq, nil
	}
	return json.RawMessage(state), seq, nil
}
