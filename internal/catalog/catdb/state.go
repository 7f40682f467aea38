package catdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/qingdan/qingdan/internal/store"
)

// Object types of catalogue events, also the audited tables' object types.
const (
	ObjItem        = "catalog_item"
	ObjVersion     = "catalog_version"
	ObjAdjustment  = "catalog_adjustment"
	ObjReview      = "catalog_review"
	ObjReformGroup = "catalog_reform_member"
)

// The State of a catalogue event is the object's row after the change,
// column by column as stored; verify reads the rows with the same query and
// scan, so the two renderings cannot drift apart.

type itemRow struct {
	ID        int64  `json:"id"`
	BodyID    int64  `json:"body_id"`
	BaseCode  string `json:"base_code"`
	ImplCode  string `json:"impl_code"`
	Name      string `json:"name"`
	Category  string `json:"category"`
	Unit      string `json:"unit"`
	Standing  string `json:"standing"`
	Version   int    `json:"version"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

const itemCols = `id, body_id, base_code, impl_code, name, category, unit, standing, version, created_at, updated_at`

func scanItemRow(r interface{ Scan(...any) error }) (itemRow, error) {
	var x itemRow
	err := r.Scan(&x.ID, &x.BodyID, &x.BaseCode, &x.ImplCode, &x.Name, &x.Category, &x.Unit, &x.Standing, &x.Version, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

type versionRow struct {
	ID           int64  `json:"id"`
	ItemID       int64  `json:"item_id"`
	BodyID       int64  `json:"body_id"`
	Version      int    `json:"version"`
	Status       string `json:"status"`
	ValidFrom    int64  `json:"valid_from"`
	ValidTo      *int64 `json:"valid_to"`
	PublishedAt  int64  `json:"published_at"`
	AdjustmentID *int64 `json:"adjustment_id"`
	Content      string `json:"content"`
	ContentHash  string `json:"content_hash"`
}

const versionCols = `id, item_id, body_id, version, status, valid_from, valid_to, published_at, adjustment_id, content, content_hash`

func scanVersionRow(r interface{ Scan(...any) error }) (versionRow, error) {
	var x versionRow
	var to, adj sql.NullInt64
	err := r.Scan(&x.ID, &x.ItemID, &x.BodyID, &x.Version, &x.Status, &x.ValidFrom, &to, &x.PublishedAt, &adj, &x.Content, &x.ContentHash)
	x.ValidTo, x.AdjustmentID = optInt(to), optInt(adj)
	return x, err
}

type adjustmentRow struct {
	ID          int64  `json:"id"`
	BodyID      int64  `json:"body_id"`
	UpperBodyID int64  `json:"upper_body_id"`
	UnitID      int64  `json:"unit_id"`
	Title       string `json:"title"`
	Stage       string `json:"stage"`
	Content     string `json:"content"`
	ApprovedAt  *int64 `json:"approved_at"`
	PublishedAt *int64 `json:"published_at"`
	CreatedBy   string `json:"created_by"`
	Version     int64  `json:"version"`
	CreatedAt   int64  `json:"created_at"`
	UpdatedAt   int64  `json:"updated_at"`
}

const adjustmentCols = `id, body_id, upper_body_id, unit_id, title, stage, content, approved_at, published_at, created_by, version, created_at, updated_at`

func scanAdjustmentRow(r interface{ Scan(...any) error }) (adjustmentRow, error) {
	var x adjustmentRow
	var ap, pu sql.NullInt64
	err := r.Scan(&x.ID, &x.BodyID, &x.UpperBodyID, &x.UnitID, &x.Title, &x.Stage, &x.Content, &ap, &pu, &x.CreatedBy, &x.Version, &x.CreatedAt, &x.UpdatedAt)
	x.ApprovedAt, x.PublishedAt = optInt(ap), optInt(pu)
	return x, err
}

type reviewRow struct {
	ID             int64  `json:"id"`
	BodyID         int64  `json:"body_id"`
	UpperBodyID    int64  `json:"upper_body_id"`
	UpperVersionID int64  `json:"upper_version_id"`
	BaseCode       string `json:"base_code"`
	Name           string `json:"name"`
	Due            int64  `json:"due"`
	Status         string `json:"status"`
	Violations     string `json:"violations"`
	Note           string `json:"note"`
	DoneBy         string `json:"done_by"`
	DoneAt         *int64 `json:"done_at"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
	// The request to close a C5 conflict without an adjustment and its
	// approval (migration 0490); omitted when empty, so the State of tasks
	// recorded before stays as it was.
	ExemptReason string `json:"exempt_reason,omitempty"`
	ExemptBy     string `json:"exempt_by,omitempty"`
	ExemptAt     *int64 `json:"exempt_at,omitempty"`
	ApprovedBy   string `json:"approved_by,omitempty"`
}

const reviewCols = `id, body_id, upper_body_id, upper_version_id, base_code, name, due, status, violations, note, done_by, done_at, created_at, updated_at, exempt_reason, exempt_by, exempt_at, approved_by`

func scanReviewRow(r interface{ Scan(...any) error }) (reviewRow, error) {
	var x reviewRow
	var done, exempt sql.NullInt64
	err := r.Scan(&x.ID, &x.BodyID, &x.UpperBodyID, &x.UpperVersionID, &x.BaseCode, &x.Name, &x.Due, &x.Status, &x.Violations, &x.Note, &x.DoneBy, &done, &x.CreatedAt, &x.UpdatedAt,
		&x.ExemptReason, &x.ExemptBy, &exempt, &x.ApprovedBy)
	x.DoneAt = optInt(done)
	x.ExemptAt = optInt(exempt)
	return x, err
}

type memberRow struct {
	ID        int64  `json:"id"`
	BodyID    int64  `json:"body_id"`
	StaffID   int64  `json:"staff_id"`
	Group     string `json:"grp"`
	Active    bool   `json:"active"`
	Version   int64  `json:"version"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

const memberCols = `id, body_id, staff_id, grp, active, version, created_at, updated_at`

func scanMemberRow(r interface{ Scan(...any) error }) (memberRow, error) {
	var x memberRow
	err := r.Scan(&x.ID, &x.BodyID, &x.StaffID, &x.Group, &x.Active, &x.Version, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

func optInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// audited describes one table: its object type, name, columns and scan.
type audited struct {
	obj, table, cols string
	state            func(r interface{ Scan(...any) error }) (int64, any, error)
}

var tables = map[string]audited{
	ObjItem: {ObjItem, "catalog_items", itemCols, func(r interface{ Scan(...any) error }) (int64, any, error) {
		x, err := scanItemRow(r)
		return x.ID, x, err
	}},
	ObjVersion: {ObjVersion, "catalog_versions", versionCols, func(r interface{ Scan(...any) error }) (int64, any, error) {
		x, err := scanVersionRow(r)
		return x.ID, x, err
	}},
	ObjAdjustment: {ObjAdjustment, "catalog_adjustments", adjustmentCols, func(r interface{ Scan(...any) error }) (int64, any, error) {
		x, err := scanAdjustmentRow(r)
		return x.ID, x, err
	}},
	ObjReview: {ObjReview, "catalog_reviews", reviewCols, func(r interface{ Scan(...any) error }) (int64, any, error) {
		x, err := scanReviewRow(r)
		return x.ID, x, err
	}},
	ObjReformGroup: {ObjReformGroup, "catalog_reform_members", memberCols, func(r interface{ Scan(...any) error }) (int64, any, error) {
		x, err := scanMemberRow(r)
		return x.ID, x, err
	}},
}

func init() {
	for _, t := range tables {
		store.RegisterAudited(store.AuditedTable{ObjectType: t.obj, Table: t.table,
			Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
				rows, err := q.Query(ctx, `SELECT `+t.cols+` FROM `+t.table+` ORDER BY id`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					id, v, err := t.state(rows)
					if err != nil {
						return err
					}
					b, err := json.Marshal(v)
					if err != nil {
						return err
					}
					if err := yield(fmt.Sprint(id), b); err != nil {
						return err
					}
				}
				return rows.Err()
			}})
	}
}

// VersionedTables are the catalogue tables whose rows gained their version
// in migration 0480, for store.AddVersions (run by qingdan migrate).
func VersionedTables() []store.VersionedTable {
	var out []store.VersionedTable
	for _, obj := range []string{ObjAdjustment, ObjReformGroup} {
		out = append(out, store.VersionedTable{ObjectType: obj, Table: tables[obj].table, Key: "id",
			State: func(ctx context.Context, q store.Querier, id int64) (json.RawMessage, error) {
				return rowState(ctx, q, obj, id)
			}})
	}
	return out
}

// rowState reads one row of an audited table as its event State.
func rowState(ctx context.Context, q store.Querier, obj string, id int64) (json.RawMessage, error) {
	t := tables[obj]
	_, v, err := t.state(q.QueryRow(ctx, `SELECT `+t.cols+` FROM `+t.table+` WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("catdb: read %s %d: %w", t.table, id, err)
	}
	return json.Marshal(v)
}

// emit records an event about a row after it changed, with the row as State.
func emit(ctx context.Context, tx *store.Tx, actor string, bodyID int64, action, obj string, id int64, from, to string, payload any) error {
	st, err := rowState(ctx, tx, obj, id)
	if err != nil {
		return err
	}
	var pl json.RawMessage
	if payload != nil {
		if pl, err = json.Marshal(payload); err != nil {
			return err
		}
	}
	return tx.Emit(store.Event{Actor: actor, BodyID: bodyID, Action: action, ObjectType: obj,
		ObjectID: fmt.Sprint(id), From: from, To: to, Payload: pl, State: st})
}
