// Package supervisedb keeps e-supervision (issue #16; docs/SUPERVISION.md):
// cards as a declared aggregate whose ledger key (object, rule, level) is
// unique, the open counts per body, unit and level kept in the same write
// as every card, rule sets per body, the sweep of due clocks under a lease
// and the consumer of committed case events. The rules and their judging
// are the pure package supervise; this one reads, writes and tells.
package supervisedb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// ObjectCard is the object type of a card's events; their root is the
// card's case, so a case's timeline shows its cards.
const ObjectCard = "supervise_card"

// cardRow is a row of supervise_cards.
type cardRow struct {
	ID, Version int64
	ObjectType  string
	ObjectID    string
	Rule        string
	Level       string
	RuleRegion  string
	RuleVersion int64
	At          int64
	RaisedAt    int64
	BodyPath    string
	Case        string
	Unit        string
	ClearedAt   int64
	Data        string
}

type cardState struct {
	ID          int64           `json:"id"`
	Version     int64           `json:"version"`
	ObjectType  string          `json:"object_type"`
	ObjectID    string          `json:"object_id"`
	Rule        string          `json:"rule"`
	Level       string          `json:"level"`
	RuleRegion  string          `json:"rule_region"`
	RuleVersion int64           `json:"rule_version"`
	At          int64           `json:"at"`
	RaisedAt    int64           `json:"raised_at"`
	BodyPath    string          `json:"body_path"`
	Case        string          `json:"case"`
	Unit        string          `json:"unit"`
	ClearedAt   int64           `json:"cleared_at"`
	Data        json.RawMessage `json:"data"`
}

var cards = store.Declare(store.Aggregate[cardRow]{
	Table: "supervise_cards", ObjectType: ObjectCard,
	Columns: []string{"object_type", "object_id", "rule", "level", "rule_region", "rule_version", "at", "raised_at",
		"body_path", "case_number", "unit", "cleared_at", "data"},
	Fields: func(r *cardRow) []any {
		return []any{&r.ID, &r.Version, &r.ObjectType, &r.ObjectID, &r.Rule, &r.Level, &r.RuleRegion, &r.RuleVersion,
			&r.At, &r.RaisedAt, &r.BodyPath, &r.Case, &r.Unit, &r.ClearedAt, &r.Data}
	},
	State: func(r *cardRow) any {
		return cardState{ID: r.ID, Version: r.Version, ObjectType: r.ObjectType, ObjectID: r.ObjectID, Rule: r.Rule,
			Level: r.Level, RuleRegion: r.RuleRegion, RuleVersion: r.RuleVersion, At: r.At, RaisedAt: r.RaisedAt,
			BodyPath: r.BodyPath, Case: r.Case, Unit: r.Unit, ClearedAt: r.ClearedAt, Data: json.RawMessage(r.Data)}
	},
})

const cardSelect = `SELECT id, version, object_type, object_id, rule, level, rule_region, rule_version, at, raised_at,
	body_path, case_number, unit, cleared_at, data FROM supervise_cards`

func rowOfCard(c supervise.Card) (cardRow, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return cardRow{}, fmt.Errorf("supervisedb: card %s: %w", c.Key, err)
	}
	r := cardRow{ObjectType: string(c.Object.Type), ObjectID: c.Object.ID, Rule: c.Rule, Level: string(c.Level),
		RuleRegion: c.RuleRegion, RuleVersion: int64(c.RuleVersion), At: store.Micros(c.At), RaisedAt: store.Micros(c.RaisedAt),
		BodyPath: c.BodyPath, Case: c.Case, Unit: c.Unit, Data: string(b)}
	if !c.Cleared.IsZero() {
		r.ClearedAt = store.Micros(c.Cleared)
	}
	return r, nil
}

func (r cardRow) card() (supervise.Card, error) {
	var c supervise.Card
	if err := json.Unmarshal([]byte(r.Data), &c); err != nil {
		return c, fmt.Errorf("supervisedb: card %d: %w", r.ID, err)
	}
	return c, nil
}

// Service keeps cards and rule sets and runs the sweep and the consumer.
// It is safe for concurrent use.
type Service struct {
	db     *store.DB
	cases  *caseworkdb.Service
	clocks *caldb.Clocks
	now    func() time.Time
	// Link is where a digest's items point ("/supervision").
	link string

	mu    sync.Mutex
	rules map[string]supervise.Set // rules in force by body path, for one sweep or batch
}

// Options configure a Service.
type Options struct {
	// Now is the service's clock; time.Now when nil.
	Now func() time.Time
}

// New returns the service over cases' database, judging the cases of
// cases and the clocks of clocks.
func New(cases *caseworkdb.Service, clocks *caldb.Clocks, o Options) *Service {
	s := &Service{db: cases.DB(), cases: cases, clocks: clocks, now: o.Now, link: "/supervision"}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// cardsOfCase are every card stored of case number (open and cleared).
func cardsOfCase(ctx context.Context, q store.Querier, number string) ([]cardRow, error) {
	rows, err := q.Query(ctx, cardSelect+` WHERE case_number = ? ORDER BY id`, number)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: cards of %s: %w", number, err)
	}
	defer rows.Close()
	var out []cardRow
	for rows.Next() {
		var r cardRow
		if err := rows.Scan(cards.Fields(&r)...); err != nil {
			return nil, fmt.Errorf("supervisedb: cards of %s: %w", number, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// cardsOf are every card stored of one object (open and cleared).
func cardsOf(ctx context.Context, q store.Querier, objectType, objectID string) ([]cardRow, error) {
	rows, err := q.Query(ctx, cardSelect+` WHERE object_type = ? AND object_id = ? ORDER BY id`, objectType, objectID)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: cards of %s:%s: %w", objectType, objectID, err)
	}
	defer rows.Close()
	var out []cardRow
	for rows.Next() {
		var r cardRow
		if err := rows.Scan(cards.Fields(&r)...); err != nil {
			return nil, fmt.Errorf("supervisedb: cards of %s:%s: %w", objectType, objectID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// raise stores new cards (the unique ledger key refuses a card raised
// twice: that write fails whole and its batch comes again), clears those
// whose cause was fixed, and moves the counts by the difference, all in
// tx. It returns the notices of the cards raised.
func raise(ctx context.Context, tx *store.Tx, bodyID int64, raised []supervise.Card, cleared []supervise.Cleared, stored []cardRow) ([]supervise.Notice, error) {
	notices, d, err := raiseCards(ctx, tx, bodyID, raised, cleared, stored)
	if err != nil {
		return nil, err
	}
	applyCounts(ctx, tx, d)
	return notices, nil
}

// raiseCards is raise without moving the counts: it returns how they
// must move, for the caller to move them in the same write (the sweep and
// the consumer move them once a write, summed over its cases).
func raiseCards(ctx context.Context, tx *store.Tx, bodyID int64, raised []supervise.Card, cleared []supervise.Cleared, stored []cardRow) ([]supervise.Notice, supervise.Counts, error) {
	var notices []supervise.Notice
	var gone []supervise.Card
	for _, c := range raised {
		r, err := rowOfCard(c)
		if err != nil {
			return nil, nil, err
		}
		e := store.Event{Actor: "system", Action: "supervise.card_raised", BodyID: bodyID, Payload: []byte(r.Data)}
		if c.Case != "" { // a rectification's card may concern no case
			e.RootType, e.RootID = caseworkdb.ObjectCase, c.Case
		}
		if err := cards.Insert(ctx, tx, &r, e); err != nil {
			if store.IsUniqueViolation(err) {
				return nil, nil, fmt.Errorf("supervisedb: card %s raised meanwhile by another: %w", c.Key, err)
			}
			return nil, nil, err
		}
		if c.Open() {
			notices = append(notices, c.Notices()...)
		}
	}
	for _, cl := range cleared {
		i := slices.IndexFunc(stored, func(r cardRow) bool {
			return r.ObjectType == string(cl.Key.Object.Type) && r.ObjectID == cl.Key.Object.ID && r.Rule == cl.Key.Rule && r.Level == string(cl.Key.Level)
		})
		if i < 0 {
			continue
		}
		r, err := cards.Lock(ctx, tx, stored[i].ID)
		if err != nil {
			return nil, nil, err
		}
		if r.ClearedAt != 0 {
			continue
		}
		c, err := r.card()
		if err != nil {
			return nil, nil, err
		}
		c.Cleared, c.ClearReason = cl.At, "cause fixed"
		nr, err := rowOfCard(c)
		if err != nil {
			return nil, nil, err
		}
		nr.ID, nr.Version = r.ID, r.Version
		e := store.Event{Actor: "system", Action: "supervise.card_cleared", BodyID: bodyID}
		if c.Case != "" {
			e.RootType, e.RootID = caseworkdb.ObjectCase, c.Case
		}
		if err := cards.Save(ctx, tx, &nr, e); err != nil {
			return nil, nil, err
		}
		gone = append(gone, c)
	}
	return notices, supervise.Deltas(raised, gone), nil
}

// applyCounts moves the maintained counts by d (one upsert per key, queued).
func applyCounts(ctx context.Context, tx *store.Tx, d supervise.Counts) {
	keys := make([]supervise.CountKey, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	// One order for every writer, so two writes on PostgreSQL never wait
	// on each other's count rows crosswise.
	slices.SortFunc(keys, func(a, b supervise.CountKey) int {
		return strings.Compare(a.BodyPath+"\x00"+a.Unit+"\x00"+string(a.Level), b.BodyPath+"\x00"+b.Unit+"\x00"+string(b.Level))
	})
	for _, k := range keys {
		tx.Queue(ctx, `INSERT INTO supervise_counts (body_path, unit, level, n) VALUES (?, ?, ?, ?)
			ON CONFLICT (body_path, unit, level) DO UPDATE SET n = supervise_counts.n + excluded.n`,
			k.BodyPath, k.Unit, string(k.Level), d[k])
	}
}
