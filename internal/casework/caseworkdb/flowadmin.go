package caseworkdb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

// Flow administration (issue #14 item 1; H1, C7, L10): the administrator
// of the root body publishes flows as new versions (flows are one library
// for every body, as the shipped ones are), and the administrator of a body
// chooses which flow its items' new cases run on. A case keeps the flow
// version it started with (cases.flow_id): publishing changes only what new
// cases start on.

// FlowVersion is one stored version of a flow.
type FlowVersion struct {
	ID          int64     `json:"id"`
	Code        string    `json:"code"`
	Version     int64     `json:"version"` // the flow's own version (its file's `version`)
	Hash        string    `json:"hash"`
	PublishedAt time.Time `json:"published_at"`
	Cases       int64     `json:"cases"` // cases that run on this version
}

// FlowSummary is a flow with its versions, newest first, and the items of
// the caller's body whose new cases run on it.
type FlowSummary struct {
	Code     string        `json:"code"`
	Name     flow.Text     `json:"name"`
	Kind     flow.Kind     `json:"kind"`
	Versions []FlowVersion `json:"versions"`
	Items    []ItemFlow    `json:"items"`
}

// FlowDetail is a flow's newest version in full, and its history.
type FlowDetail struct {
	FlowSummary
	Flow *flow.Flow `json:"flow"`
	// Source is the newest version's canonical encoding, indented: what
	// the edit form starts from (JSON is YAML, so it reads back as is).
	Source string `json:"source"`
}

// ItemFlow is the flow an item of a body's list runs its new cases on.
type ItemFlow struct {
	ItemCode string `json:"item_code"`
	ItemName string `json:"item_name"`
	// Kind is the item's case type (instant, promised …): the shipped flow
	// of that code runs when no flow is assigned.
	Kind string `json:"kind"`
	// Assigned is the flow an administrator chose ("" : none, the kind's).
	Assigned string `json:"assigned"`
	// Flow is the flow new cases start on.
	Flow string `json:"flow"`
	// Version of the assignment (0: never assigned), for the edit's check.
	Version int64 `json:"version"`
}

// itemFlowRow is a row of item_flows.
type itemFlowRow struct {
	ID, Version int64
	BodyID      int64
	BodyPath    string
	ItemCode    string
	FlowCode    string
	UpdatedAt   int64
}

var itemFlows = store.Declare(store.Aggregate[itemFlowRow]{
	Table: "item_flows", ObjectType: "item_flow",
	Columns: []string{"body_id", "body_path", "item_code", "flow_code", "updated_at"},
	Fields: func(r *itemFlowRow) []any {
		return []any{&r.ID, &r.Version, &r.BodyID, &r.BodyPath, &r.ItemCode, &r.FlowCode, &r.UpdatedAt}
	},
	State: func(r *itemFlowRow) any { return r },
	Stale: func(r *itemFlowRow) error {
		return apperr.Stale("caseworkdb.the_flow_of_item", r.ItemCode)
	},
})

// ValidateFlow reads a flow file as publishing would, naming every mistake
// by line and key; nothing is stored.
func (s *Service) ValidateFlow(data []byte) (*flow.Flow, error) {
	return flow.Parse(data, s.opts)
}

// FlowScope is the jurisdiction flows belong to: the path covering every
// body (org.TopPath), as flows are one library. It returns that path when
// p covers it, else a Forbidden saying who may publish.
func (s *Service) FlowScope(ctx context.Context, p access.Principal) (string, error) {
	top, err := org.TopPath(ctx, s.db)
	if err != nil {
		return "", err
	}
	if !p.Covers(top) {
		return "", apperr.Forbiddenf("caseworkdb.flows_are_shared_by_every_body")
	}
	return top, nil
}

// PublishFlow publishes the flow file data as a new version (audited,
// "case_flow.published"). basedOn is the version of the flow the editor
// started from (0 for a new flow): when a newer one was published since,
// the edit is stale and nothing changes. The file's version must be above
// every published version of its code.
func (s *Service) PublishFlow(ctx context.Context, p access.Principal, data []byte, basedOn int64) (FlowVersion, error) {
	if !p.Has(access.RoleAdmin) {
		return FlowVersion{}, apperr.Forbiddenf("caseworkdb.only_an_administrator_may_publish_a")
	}
	if _, err := s.FlowScope(ctx, p); err != nil {
		return FlowVersion{}, err
	}
	f, err := s.ValidateFlow(data)
	if err != nil {
		return FlowVersion{}, err
	}
	hash := f.Hash()
	r := flowRow{Code: f.Code, FlowVersion: int64(f.Version), Hash: hash, Content: string(f.Canonical()), CreatedAt: store.Micros(s.now())}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var newest int64
		err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(flow_version), 0) FROM case_flows WHERE code = ?`, f.Code).Scan(&newest)
		if err != nil {
			return fmt.Errorf("caseworkdb: flow %s: %w", f.Code, err)
		}
		if newest != basedOn {
			if basedOn == 0 {
				return apperr.New(apperr.Conflict, "code", "caseworkdb.a_flow_with_code_exists_version", f.Code, newest)
			}
			return apperr.Stale("caseworkdb.flow_you_edited_version_it_is", f.Code, basedOn, newest)
		}
		if int64(f.Version) <= newest {
			return apperr.Invalidf("version", "caseworkdb.the_version_must_be_above_the", newest)
		}
		return flows.Insert(ctx, tx, &r, store.Event{Actor: p.Login, Action: "case_flow.published", BodyID: p.BodyID})
	})
	if err != nil {
		return FlowVersion{}, err
	}
	s.mu.Lock()
	s.flowsBy[r.ID] = f
	s.mu.Unlock()
	return FlowVersion{ID: r.ID, Code: r.Code, Version: r.FlowVersion, Hash: r.Hash, PublishedAt: store.FromMicros(r.CreatedAt)}, nil
}

// Flows lists every flow with its versions, and the items of p's body
// running on each.
func (s *Service) Flows(ctx context.Context, p access.Principal) ([]FlowSummary, error) {
	vs, err := s.flowVersions(ctx, "")
	if err != nil {
		return nil, err
	}
	items, err := s.ItemFlows(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []FlowSummary
	at := map[string]int{}
	for _, v := range vs {
		i, ok := at[v.Code]
		if !ok {
			f, err := s.flowByID(ctx, s.db, v.ID)
			if err != nil {
				return nil, err
			}
			i = len(out)
			at[v.Code] = i
			out = append(out, FlowSummary{Code: v.Code, Name: f.Name, Kind: f.Kind, Items: []ItemFlow{}})
		}
		out[i].Versions = append(out[i].Versions, v)
	}
	for _, it := range items {
		if i, ok := at[it.Flow]; ok {
			out[i].Items = append(out[i].Items, it)
		}
	}
	return out, nil
}

// Flow is the flow with this code: its newest version in full and its
// history.
func (s *Service) Flow(ctx context.Context, p access.Principal, code string) (FlowDetail, error) {
	vs, err := s.flowVersions(ctx, code)
	if err != nil {
		return FlowDetail{}, err
	}
	if len(vs) == 0 {
		return FlowDetail{}, errNoFlow(code)
	}
	f, err := s.flowByID(ctx, s.db, vs[0].ID)
	if err != nil {
		return FlowDetail{}, err
	}
	var src bytes.Buffer
	if err := json.Indent(&src, f.Canonical(), "", "  "); err != nil {
		return FlowDetail{}, fmt.Errorf("caseworkdb: flow %s: %w", code, err)
	}
	d := FlowDetail{FlowSummary: FlowSummary{Code: code, Name: f.Name, Kind: f.Kind, Versions: vs, Items: []ItemFlow{}},
		Flow: f, Source: src.String() + "\n"}
	items, err := s.ItemFlows(ctx, p)
	if err != nil {
		return FlowDetail{}, err
	}
	for _, it := range items {
		if it.Flow == code {
			d.Items = append(d.Items, it)
		}
	}
	return d, nil
}

// FlowVersionByID is one stored flow version, parsed (a case's page draws
// the version the case runs on).
func (s *Service) FlowVersionByID(ctx context.Context, id int64) (*flow.Flow, error) {
	return s.flowByID(ctx, s.db, id)
}

// flowVersions lists stored versions (of one code, or all when code is
// ""), by code, newest first, with the number of cases on each.
func (s *Service) flowVersions(ctx context.Context, code string) ([]FlowVersion, error) {
	q := `SELECT f.id, f.code, f.flow_version, f.hash, f.created_at,
		(SELECT COUNT(*) FROM cases c WHERE c.flow_id = f.id) FROM case_flows f`
	args := []any{}
	if code != "" {
		q += ` WHERE f.code = ?`
		args = append(args, code)
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY f.code, f.flow_version DESC, f.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("caseworkdb: flows: %w", err)
	}
	defer rows.Close()
	var out []FlowVersion
	for rows.Next() {
		var v FlowVersion
		var at int64
		if err := rows.Scan(&v.ID, &v.Code, &v.Version, &v.Hash, &at, &v.Cases); err != nil {
			return nil, fmt.Errorf("caseworkdb: flows: %w", err)
		}
		v.PublishedAt = store.FromMicros(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// ItemFlows are the items of p's body with the flow each one's new cases
// start on.
func (s *Service) ItemFlows(ctx context.Context, p access.Principal) ([]ItemFlow, error) {
	if p.Anonymous() || p.BodyID == 0 {
		return nil, errStaffOnly()
	}
	rows, err := s.db.Query(ctx, `SELECT CASE WHEN i.impl_code <> '' THEN i.impl_code ELSE i.base_code END, i.name,
		COALESCE(v.content, '{}'), COALESCE(a.flow_code, ''), COALESCE(a.version, 0)
		FROM catalog_items i
		LEFT JOIN catalog_versions v ON v.id = (SELECT MAX(id) FROM catalog_versions WHERE item_id = i.id)
		LEFT JOIN item_flows a ON a.body_id = i.body_id AND a.item_code = CASE WHEN i.impl_code <> '' THEN i.impl_code ELSE i.base_code END
		WHERE i.body_id = ? AND i.standing <> 'unknown' ORDER BY i.base_code LIMIT ?`, p.BodyID, maxListed)
	if err != nil {
		return nil, fmt.Errorf("caseworkdb: item flows: %w", err)
	}
	defer rows.Close()
	out := []ItemFlow{}
	for rows.Next() {
		var it ItemFlow
		var content string
		if err := rows.Scan(&it.ItemCode, &it.ItemName, &content, &it.Assigned, &it.Version); err != nil {
			return nil, fmt.Errorf("caseworkdb: item flows: %w", err)
		}
		// The case type is an element of the version (C2), kept as JSON.
		var v struct {
			CaseType string `json:"case_type"`
		}
		if err := json.Unmarshal([]byte(content), &v); err != nil {
			return nil, fmt.Errorf("caseworkdb: item %s: %w", it.ItemCode, err)
		}
		it.Kind = v.CaseType
		it.Flow = it.Assigned
		if it.Flow == "" {
			it.Flow = it.Kind
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// AssignFlow sets the flow new cases of item itemCode of p's body start
// on (flowCode "" : the shipped flow of the item's kind). basedOn is the
// assignment's version the form showed (0: never assigned). Audited
// ("item_flow.assigned"); cases already open keep their flow.
func (s *Service) AssignFlow(ctx context.Context, p access.Principal, itemCode, flowCode string, basedOn int64) error {
	if !p.Has(access.RoleAdmin) {
		return apperr.Forbiddenf("caseworkdb.only_an_administrator_may_choose_an")
	}
	itemCode, flowCode = strings.TrimSpace(itemCode), strings.TrimSpace(flowCode)
	items, err := s.ItemFlows(ctx, p)
	if err != nil {
		return err
	}
	found := false
	for _, it := range items {
		found = found || it.ItemCode == itemCode
	}
	if !found {
		return apperr.Invalidf("item", "caseworkdb.item_is_not_on_your_body", clip(itemCode))
	}
	if flowCode != "" {
		var n int64
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM case_flows WHERE code = ?`, flowCode).Scan(&n); err != nil {
			return fmt.Errorf("caseworkdb: flow %s: %w", flowCode, err)
		}
		if n == 0 {
			return apperr.Invalidf("flow", "caseworkdb.no_flow_has_the_code", clip(flowCode))
		}
	}
	now := store.Micros(s.now())
	return s.db.Write(ctx, func(tx *store.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM item_flows WHERE body_id = ? AND item_code = ?`, p.BodyID, itemCode).Scan(&id)
		ev := store.Event{Actor: p.Login, Action: "item_flow.assigned", BodyID: p.BodyID}
		if errors.Is(err, sql.ErrNoRows) {
			if basedOn != 0 {
				return apperr.Stale("caseworkdb.the_flow_of_item", itemCode)
			}
			r := itemFlowRow{BodyID: p.BodyID, BodyPath: p.BodyPath, ItemCode: itemCode, FlowCode: flowCode, UpdatedAt: now}
			return itemFlows.Insert(ctx, tx, &r, ev)
		}
		if err != nil {
			return fmt.Errorf("caseworkdb: item flow %s: %w", itemCode, err)
		}
		r, err := itemFlows.Lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Version != basedOn {
			return itemFlows.Stale(&r)
		}
		r.FlowCode, r.UpdatedAt = flowCode, now
		return itemFlows.Save(ctx, tx, &r, ev)
	})
}

// assignedFlow is the flow code an administrator chose for the item of
// this body ("" when none).
func (s *Service) assignedFlow(ctx context.Context, bodyID int64, itemCode string) (string, error) {
	var code string
	err := s.db.QueryRow(ctx, `SELECT flow_code FROM item_flows WHERE body_id = ? AND item_code = ?`, bodyID, itemCode).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("caseworkdb: item flow %s: %w", itemCode, err)
	}
	return code, nil
}

// flowCodeFor is the flow a new case of the listed item starts on: the
// list's own (scenarios), the administrator's choice, or the shipped flow
// of the item's kind.
func (s *Service) flowCodeFor(ctx context.Context, body int64, l Listing) (string, error) {
	if l.Flow != "" {
		return l.Flow, nil
	}
	code, err := s.assignedFlow(ctx, body, l.Item.Code)
	if err != nil || code != "" {
		return code, err
	}
	return string(l.Item.Kind), nil
}

func errNoFlow(code string) error {
	return apperr.New(apperr.NotFound, "code", "caseworkdb.no_flow_has_the_code", clip(code))
}

// NewCaseFlow is the flow a new case of the item with code on body's list
// would start on now (the public's application page draws it).
func (s *Service) NewCaseFlow(ctx context.Context, body casework.Body, code string) (*flow.Flow, error) {
	l, err := s.items.Listing(ctx, body, code, s.now())
	if err != nil {
		return nil, err
	}
	if l.Item.Code == "" {
		return nil, errNotOnList(code)
	}
	fc, err := s.flowCodeFor(ctx, body.ID, l)
	if err != nil {
		return nil, err
	}
	_, f, err := s.currentFlow(ctx, fc)
	return f, err
}
