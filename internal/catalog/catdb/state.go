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
	Version   int64  `json:"version"` // the number of its newest version
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
	Version      int64  `json:"version"` // the item's version number, fixed
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
	Version        int64  `json:"version"`
	// The request to close a C5 conflict without an adjustment and its
	// approval (migration 0490); omitted when empty, so the State of tasks
	// recorded before stays as it was.
	ExemptReason string `json:"exempt_reason,omitempty"`
	ExemptBy     string `json:"exempt_by,omitempty"`
	ExemptAt     *int64 `json:"exempt_at,omitempty"`
	ApprovedBy   string `json:"approved_by,omitempty"`
}

const reviewCols = `id, body_id, upper_body_id, upper_version_id, base_code, name, due, status, violations, note, done_by, done_at, created_at, updated_at, version, exempt_reason, exempt_by, exempt_at, approved_by`

func scanReviewRow(r interface{ Scan(...any) error }) (reviewRow, error) {
	var x reviewRow
	var done, exempt sql.NullInt64
	err := r.Scan(&x.ID, &x.BodyID, &x.UpperBodyID, &x.UpperVersionID, &x.BaseCode, &x.Name, &x.Due, &x.Status, &x.Violations, &x.Note, &x.DoneBy, &done, &x.CreatedAt, &x.UpdatedAt, &x.Version,
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

// The five catalogue tables are declared aggregates (store.Declare):
// verify compares each row with the State of its object's last event, and
// a write locks the row it changes first (lock), which refuses one changed
// behind the log's back, then emits the changed row's State (emit).
// Adjustments, reform seats and review tasks count their row's version as
// the convention says; an item's version is the number of its newest
// published version and a published version's the item's version number,
// which change as the list does, not per save, so the publication's own
// statements change those rows rather than Save.
var (
	items = store.Declare(store.Aggregate[itemRow]{
		Table: "catalog_items", ObjectType: ObjItem,
		Columns: []string{"body_id", "base_code", "impl_code", "name", "category", "unit", "standing", "created_at", "updated_at"},
		Fields: func(x *itemRow) []any {
			return []any{&x.ID, &x.Version, &x.BodyID, &x.BaseCode, &x.ImplCode, &x.Name, &x.Category, &x.Unit, &x.Standing, &x.CreatedAt, &x.UpdatedAt}
		},
		State: func(x *itemRow) any { return x },
	})
	versions = store.Declare(store.Aggregate[versionRow]{
		Table: "catalog_versions", ObjectType: ObjVersion,
		Columns: []string{"item_id", "body_id", "status", "valid_from", "valid_to", "published_at", "adjustment_id", "content", "content_hash"},
		Fields: func(x *versionRow) []any {
			return []any{&x.ID, &x.Version, &x.ItemID, &x.BodyID, &x.Status, &x.ValidFrom, &x.ValidTo, &x.PublishedAt, &x.AdjustmentID, &x.Content, &x.ContentHash}
		},
		State: func(x *versionRow) any { return x },
	})
	adjustments = store.Declare(store.Aggregate[adjustmentRow]{
		Table: "catalog_adjustments", ObjectType: ObjAdjustment,
		Columns: []string{"body_id", "upper_body_id", "unit_id", "title", "stage", "content", "approved_at", "published_at", "created_by", "created_at", "updated_at"},
		Fields: func(x *adjustmentRow) []any {
			return []any{&x.ID, &x.Version, &x.BodyID, &x.UpperBodyID, &x.UnitID, &x.Title, &x.Stage, &x.Content, &x.ApprovedAt, &x.PublishedAt, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt}
		},
		State: func(x *adjustmentRow) any { return x },
	})
	reviews = store.Declare(store.Aggregate[reviewRow]{
		Table: "catalog_reviews", ObjectType: ObjReview,
		Columns: []string{"body_id", "upper_body_id", "upper_version_id", "base_code", "name", "due", "status", "violations", "note", "done_by", "done_at", "created_at", "updated_at",
			"exempt_reason", "exempt_by", "exempt_at", "approved_by"},
		Fields: func(x *reviewRow) []any {
			return []any{&x.ID, &x.Version, &x.BodyID, &x.UpperBodyID, &x.UpperVersionID, &x.BaseCode, &x.Name, &x.Due, &x.Status, &x.Violations, &x.Note, &x.DoneBy, &x.DoneAt, &x.CreatedAt, &x.UpdatedAt,
				&x.ExemptReason, &x.ExemptBy, &x.ExemptAt, &x.ApprovedBy}
		},
		State: func(x *reviewRow) any { return x },
	})
	members = store.Declare(store.Aggregate[memberRow]{
		Table: "catalog_reform_members", ObjectType: ObjReformGroup,
		Columns: []string{"body_id", "staff_id", "grp", "active", "created_at", "updated_at"},
		Fields: func(x *memberRow) []any {
			return []any{&x.ID, &x.Version, &x.BodyID, &x.StaffID, &x.Group, &x.Active, &x.CreatedAt, &x.UpdatedAt}
		},
		State: func(x *memberRow) any { return x },
	})
)

// VersionedTables are the catalogue tables whose rows gained their version
// in migrations 0480 and 0521, for store.AddVersions (run by qingdan migrate).
func VersionedTables() []store.VersionedTable {
	return []store.VersionedTable{
		{ObjectType: ObjAdjustment, Table: "catalog_adjustments", Key: "id", State: adjustments.StateOf},
		{ObjectType: ObjReformGroup, Table: "catalog_reform_members", Key: "id", State: members.StateOf},
		{ObjectType: ObjReview, Table: "catalog_reviews", Key: "id", State: reviews.StateOf},
	}
}

// lock locks, in a write about to change it, the row of the object obj
// with this id, refusing one that differs from its last event.
func lock(ctx context.Context, tx *store.Tx, obj string, id int64) error {
	var err error
	switch obj {
	case ObjItem:
		_, err = items.Lock(ctx, tx, id)
	case ObjVersion:
		_, err = versions.Lock(ctx, tx, id)
	case ObjAdjustment:
		_, err = adjustments.Lock(ctx, tx, id)
	case ObjReview:
		_, err = reviews.Lock(ctx, tx, id)
	case ObjReformGroup:
		_, err = members.Lock(ctx, tx, id)
	default:
		err = fmt.Errorf("catdb: no aggregate %q", obj)
	}
	return err
}

// emit records an event about a row after it changed, with the row as State.
func emit(ctx context.Context, tx *store.Tx, actor string, bodyID int64, action, obj string, id int64, from, to string, payload any) error {
	e := store.Event{Actor: actor, BodyID: bodyID, Action: action, From: from, To: to}
	if payload != nil {
		pl, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		e.Payload = pl
	}
	switch obj {
	case ObjItem:
		return emitRow(ctx, tx, items, id, e)
	case ObjVersion:
		return emitRow(ctx, tx, versions, id, e)
	case ObjAdjustment:
		return emitRow(ctx, tx, adjustments, id, e)
	case ObjReview:
		return emitRow(ctx, tx, reviews, id, e)
	case ObjReformGroup:
		return emitRow(ctx, tx, members, id, e)
	}
	return fmt.Errorf("catdb: no aggregate %q", obj)
}

func emitRow[R any](ctx context.Context, tx *store.Tx, a *store.Aggregate[R], id int64, e store.Event) error {
	r, err := a.Get(ctx, tx, id)
	if err != nil {
		return err
	}
	return a.Emit(tx, &r, e)
}
