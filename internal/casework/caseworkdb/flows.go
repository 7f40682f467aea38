package caseworkdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
)

// flowRow is a stored flow version (H1): its canonical encoding and hash.
type flowRow struct {
	ID, Version int64
	Code        string
	FlowVersion int64
	Hash        string
	Content     string
	CreatedAt   int64
}

type flowState struct {
	ID          int64  `json:"id"`
	Version     int64  `json:"version"`
	Code        string `json:"code"`
	FlowVersion int64  `json:"flow_version"`
	Hash        string `json:"hash"`
	CreatedAt   int64  `json:"created_at"`
}

// The State holds the hash, not the content: the hash covers it, and
// verify compares the row's hash.
var flows = store.Declare(store.Aggregate[flowRow]{
	Table: "case_flows", ObjectType: "case_flow",
	Columns: []string{"code", "flow_version", "hash", "content", "created_at"},
	Fields: func(r *flowRow) []any {
		return []any{&r.ID, &r.Version, &r.Code, &r.FlowVersion, &r.Hash, &r.Content, &r.CreatedAt}
	},
	State: func(r *flowRow) any {
		return flowState{ID: r.ID, Version: r.Version, Code: r.Code, FlowVersion: r.FlowVersion, Hash: r.Hash, CreatedAt: r.CreatedAt}
	},
})

// StoreShipped stores the shipped flows that are not stored yet (by hash),
// so new cases run on them; cases already open keep the version they
// started with. serve and the simulator call it at start.
func (s *Service) StoreShipped(ctx context.Context) error {
	fs, err := flow.Shipped(s.opts)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if _, err := s.StoreFlow(ctx, "system", f); err != nil {
			return err
		}
	}
	return nil
}

// StoreFlow stores flow f as a version cases may start on, unless a flow
// with its hash is stored already, and returns its row id. actor is
// recorded on the event.
func (s *Service) StoreFlow(ctx context.Context, actor string, f *flow.Flow) (int64, error) {
	hash := f.Hash()
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM case_flows WHERE hash = ?`, hash).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("caseworkdb: flow %s: %w", f.Code, err)
	}
	r := flowRow{Code: f.Code, FlowVersion: int64(f.Version), Hash: hash, Content: string(f.Canonical()), CreatedAt: store.Micros(s.now())}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return flows.Insert(ctx, tx, &r, store.Event{Actor: actor, Action: "case_flow.stored"})
	})
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.flowsBy[r.ID] = f
	s.mu.Unlock()
	return r.ID, nil
}

// flowByID is a stored flow version, parsed once.
func (s *Service) flowByID(ctx context.Context, q store.Querier, id int64) (*flow.Flow, error) {
	s.mu.Lock()
	f := s.flowsBy[id]
	s.mu.Unlock()
	if f != nil {
		return f, nil
	}
	r, err := flows.Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	f, err = flow.Parse([]byte(r.Content), s.opts)
	if err != nil {
		return nil, fmt.Errorf("caseworkdb: stored flow %d no longer reads: %w", id, err)
	}
	if f.Hash() != r.Hash {
		return nil, fmt.Errorf("caseworkdb: stored flow %d does not match its hash", id)
	}
	s.mu.Lock()
	s.flowsBy[id] = f
	s.mu.Unlock()
	return f, nil
}

// currentFlow is the newest stored version of the flow with this code.
func (s *Service) currentFlow(ctx context.Context, code string) (int64, *flow.Flow, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM case_flows WHERE code = ? ORDER BY flow_version DESC, id DESC LIMIT 1`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, apperr.New(apperr.Invalid, "item", "caseworkdb.no_flow_is_named", code)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("caseworkdb: flow %s: %w", code, err)
	}
	f, err := s.flowByID(ctx, s.db, id)
	return id, f, err
}
