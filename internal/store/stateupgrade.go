package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// VersionedTable is an audited table that gained the integer version
// column of concurrent edits (docs/INTERNALS.md, "Concurrent edits")
// after rows had been written. Its migration adds the column as 0 on every
// existing row, meaning "not versioned yet"; the owning package writes 1 on
// insert and version + 1 on every change, and renders version in the
// State of its events. AddVersions moves the existing rows to 1.
type VersionedTable struct {
	ObjectType string // as registered with RegisterAudited
	Table      string
	// Key is the integer column whose value is the events' object id
	// ("id"; "body_id", "year" for tables keyed so).
	Key string
	// Added are the other State fields the same migration added, with the
	// value rows written before it hold (version 0 is always added).
	Added map[string]any
	// State renders the row with the key as its owning package renders
	// Event.State.
	State func(ctx context.Context, q Querier, key int64) (json.RawMessage, error)
}

// UpgradeReport is what AddVersions did.
type UpgradeReport struct {
	Versioned int // rows moved to version 1, each with its event
	// Refused names the rows left at version 0 ("bodies id=7: …"): their
	// State without the added fields is not the State of their last event.
	Refused []string
}

// ActionVersioned is the action of AddVersions' events.
const ActionVersioned = "store.versioned"

// upgradeBatch is how many rows one write of AddVersions upgrades.
const upgradeBatch = 256

var errUpgradeRace = errors.New("store: a row changed while it was being versioned")

// AddVersions gives every row of tables still at version 0 version 1, each
// in the same transaction as one audited event (ActionVersioned, by actor)
// carrying the row's new State: Verify compares every row with its last
// event, and the version is part of the State, so a migrated database
// verifies only with these events. A row is upgraded only when its State
// without the added fields equals the State of its last event — the row is
// what the log says it is. Any other row (edited behind the log's back, or
// without any event) stays at 0 and is named in the report, never written
// into the log as if an actor had set it; Verify names it too. Running
// AddVersions again upgrades nothing more.
func (db *DB) AddVersions(ctx context.Context, actor string, tables []VersionedTable) (UpgradeReport, error) {
	var rep UpgradeReport
	for _, t := range tables {
		var after *int64 // the last key of the page before
		for {
			keys, err := db.unversioned(ctx, t, after)
			if err != nil {
				return rep, err
			}
			if len(keys) == 0 {
				break
			}
			var done int
			var refused []string
			err = db.Write(ctx, func(tx *Tx) error {
				done, refused = 0, refused[:0]
				for _, key := range keys {
					why, err := versionRow(ctx, tx, actor, t, key)
					if err != nil {
						return err
					}
					if why != "" {
						refused = append(refused, fmt.Sprintf("%s %s=%d: %s", t.Table, t.Key, key, why))
						continue
					}
					done++
				}
				return nil
			})
			if err != nil {
				return rep, fmt.Errorf("store: versioning %s: %w", t.Table, err)
			}
			rep.Versioned += done
			rep.Refused = append(rep.Refused, refused...)
			after = &keys[len(keys)-1]
		}
	}
	return rep, nil
}

// unversioned lists keys of rows at version 0, after the key after when
// it is not nil (the key column's type bounds it: years are 32-bit).
func (db *DB) unversioned(ctx context.Context, t VersionedTable, after *int64) ([]int64, error) {
	query, args := `SELECT `+t.Key+` FROM `+t.Table+` WHERE version = 0`, []any{}
	if after != nil {
		query, args = query+` AND `+t.Key+` > ?`, append(args, *after)
	}
	rows, err := db.Query(ctx, query+` ORDER BY `+t.Key+` LIMIT ?`, append(args, upgradeBatch)...)
	if err != nil {
		return nil, fmt.Errorf("store: unversioned rows of %s: %w", t.Table, err)
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: unversioned rows of %s: %w", t.Table, err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// versionRow versions one row, or says why it may not.
func versionRow(ctx context.Context, tx *Tx, actor string, t VersionedTable, key int64) (string, error) {
	before, err := t.State(ctx, tx, key)
	if err != nil {
		return "", err
	}
	id := strconv.FormatInt(key, 10)
	last, found, err := lastEventOf(ctx, tx, t.ObjectType, id)
	if err != nil {
		return "", err
	}
	if !found {
		return "the row has no audited event", nil
	}
	same, err := sameStateBut(before, last.State, t.added())
	if err != nil {
		return "", fmt.Errorf("store: %s %s=%d: %w", t.Table, t.Key, key, err)
	}
	if !same {
		return fmt.Sprintf("the row differs from its last audited event #%d", last.Seq), nil
	}
	tx.QueueExpect(ctx, 1, errUpgradeRace, `UPDATE `+t.Table+` SET version = 1 WHERE `+t.Key+` = ? AND version = 0`, key)
	state, err := t.State(ctx, tx, key)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(map[string]any{"from_event": last.Seq})
	if err != nil {
		return "", err
	}
	return "", tx.Emit(Event{Actor: actor, BodyID: last.BodyID, Action: ActionVersioned, ObjectType: t.ObjectType,
		ObjectID: id, From: last.To, To: last.To, Payload: payload, State: state})
}

func (t VersionedTable) added() map[string]any {
	out := map[string]any{"version": 0}
	for k, v := range t.Added {
		out[k] = v
	}
	return out
}

// lastEventOf reads an object's last event.
func lastEventOf(ctx context.Context, tx *Tx, objectType, objectID string) (Event, bool, error) {
	where, args := objectEventsWhere(objectType, objectID)
	e, _, err := scanEvent(tx.QueryRow(ctx, "SELECT "+eventReadCols+" FROM events WHERE "+where+" ORDER BY seq DESC LIMIT 1", args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, false, nil
	}
	if err != nil {
		return Event{}, false, err
	}
	return e, true, nil
}

// sameStateBut reports whether state, without the fields of added (each
// holding its given value), is the event State logged.
func sameStateBut(state, logged json.RawMessage, added map[string]any) (bool, error) {
	var now, was map[string]json.RawMessage
	if err := json.Unmarshal(state, &now); err != nil {
		return false, fmt.Errorf("state: %w", err)
	}
	if len(logged) == 0 || bytes.Equal(logged, []byte("null")) {
		return false, nil // the log says the row is gone
	}
	if err := json.Unmarshal(logged, &was); err != nil {
		return false, nil // not an object: certainly not this row
	}
	for k, v := range added {
		want, err := json.Marshal(v)
		if err != nil {
			return false, err
		}
		if got, ok := now[k]; !ok || !equalJSON(got, want) {
			return false, nil
		}
		if _, ok := was[k]; ok {
			return false, nil // the log already has it: not a row from before
		}
		delete(now, k)
	}
	if len(now) != len(was) {
		return false, nil
	}
	for k, v := range now {
		if w, ok := was[k]; !ok || !equalJSON(v, w) {
			return false, nil
		}
	}
	return true, nil
}

func equalJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
