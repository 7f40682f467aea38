package org

import (
	"encoding/json"
	"reflect"

	"github.com/qingdan/qingdan/internal/store"
)

// The State of an org event is the object's row after the change, column by
// column, as stored (times in unix µs, roles as their stored text). verify
// renders the current row the same way and compares.

type bodyRow struct {
	ID        int64  `json:"id"`
	ParentID  *int64 `json:"parent_id"`
	Path      string `json:"path"`
	Level     string `json:"level"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	TimeZone  string `json:"time_zone"`
	Active    bool   `json:"active"`
	Version   int64  `json:"version"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

func bodyState(b Body) bodyRow {
	return bodyRow{ID: b.ID, ParentID: optID(b.ParentID), Path: b.Path, Level: string(b.Level), Code: b.Code,
		Name: b.Name, TimeZone: b.TimeZone, Active: b.Active, Version: b.Version,
		CreatedAt: store.Micros(b.CreatedAt), UpdatedAt: store.Micros(b.UpdatedAt)}
}

type unitRow struct {
	ID          int64  `json:"id"`
	BodyID      int64  `json:"body_id"`
	Kind        string `json:"kind"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	HeadStaffID *int64 `json:"head_staff_id"`
	Active      bool   `json:"active"`
	Version     int64  `json:"version"`
	CreatedAt   int64  `json:"created_at"`
	UpdatedAt   int64  `json:"updated_at"`
}

func unitState(u Unit) unitRow {
	return unitRow{ID: u.ID, BodyID: u.BodyID, Kind: string(u.Kind), Code: u.Code, Name: u.Name,
		HeadStaffID: optID(u.HeadStaffID), Active: u.Active, Version: u.Version,
		CreatedAt: store.Micros(u.CreatedAt), UpdatedAt: store.Micros(u.UpdatedAt)}
}

type staffRow struct {
	ID        int64  `json:"id"`
	BodyID    int64  `json:"body_id"`
	UnitID    *int64 `json:"unit_id"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	Roles     string `json:"roles"`
	IsHead    bool   `json:"is_head"`
	IsLiaison bool   `json:"is_liaison"`
	Active    bool   `json:"active"`
	Version   int64  `json:"version"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

func staffState(s Staff) staffRow {
	return staffRow{ID: s.ID, BodyID: s.BodyID, UnitID: optID(s.UnitID), Name: s.Name, Phone: s.Phone,
		Roles: rolesText(s.Roles), IsHead: s.IsHead, IsLiaison: s.IsLiaison, Active: s.Active, Version: s.Version,
		CreatedAt: store.Micros(s.CreatedAt), UpdatedAt: store.Micros(s.UpdatedAt)}
}

type qualRow struct {
	ID        int64  `json:"id"`
	StaffID   int64  `json:"staff_id"`
	CertNo    string `json:"cert_no"`
	Scope     string `json:"scope"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
	Active    bool   `json:"active"`
	Version   int64  `json:"version"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

func qualState(q Qualification) qualRow {
	return qualRow{ID: q.ID, StaffID: q.StaffID, CertNo: q.CertNo, Scope: q.Scope, ValidFrom: q.ValidFrom,
		ValidTo: q.ValidTo, Active: q.Active, Version: q.Version,
		CreatedAt: store.Micros(q.CreatedAt), UpdatedAt: store.Micros(q.UpdatedAt)}
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// fieldsOf renders a row snapshot as a map by its JSON names.
func fieldsOf(v any) map[string]any {
	m := map[string]any{}
	data, err := json.Marshal(v)
	if err != nil {
		return m // row snapshots are plain structs; Marshal cannot fail on them
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return map[string]any{}
	}
	return m
}

func equalJSON(a, b any) bool { return reflect.DeepEqual(a, b) }

// The four org tables are declared aggregates (store.Declare): verify
// compares each row with the State of its object's last event, and a write
// reads the row it changes with Lock, which refuses one changed behind the
// log's back. The row types are the States, column by column.
var (
	bodies = store.Declare(store.Aggregate[bodyRow]{
		Table: "bodies", ObjectType: "body",
		Columns: []string{"parent_id", "path", "level", "code", "name", "time_zone", "active", "created_at", "updated_at"},
		Fields: func(r *bodyRow) []any {
			return []any{&r.ID, &r.Version, &r.ParentID, &r.Path, &r.Level, &r.Code, &r.Name, &r.TimeZone, &r.Active, &r.CreatedAt, &r.UpdatedAt}
		},
		State: func(r *bodyRow) any { return r },
		Stale: func(r *bodyRow) error { return stale("body", r.Name) },
	})
	units = store.Declare(store.Aggregate[unitRow]{
		Table: "units", ObjectType: "unit",
		Columns: []string{"body_id", "kind", "code", "name", "head_staff_id", "active", "created_at", "updated_at"},
		Fields: func(r *unitRow) []any {
			return []any{&r.ID, &r.Version, &r.BodyID, &r.Kind, &r.Code, &r.Name, &r.HeadStaffID, &r.Active, &r.CreatedAt, &r.UpdatedAt}
		},
		State: func(r *unitRow) any { return r },
		Stale: func(r *unitRow) error { return stale("unit", r.Name) },
	})
	staffRows = store.Declare(store.Aggregate[staffRow]{
		Table: "staff", ObjectType: "staff",
		Columns: []string{"body_id", "unit_id", "name", "phone", "roles", "is_head", "is_liaison", "active", "created_at", "updated_at"},
		Fields: func(r *staffRow) []any {
			return []any{&r.ID, &r.Version, &r.BodyID, &r.UnitID, &r.Name, &r.Phone, &r.Roles, &r.IsHead, &r.IsLiaison, &r.Active, &r.CreatedAt, &r.UpdatedAt}
		},
		State: func(r *staffRow) any { return r },
		Stale: func(r *staffRow) error { return stale("staff", r.Name) },
	})
	quals = store.Declare(store.Aggregate[qualRow]{
		Table: "staff_qualifications", ObjectType: "qualification",
		Columns: []string{"staff_id", "cert_no", "scope", "valid_from", "valid_to", "active", "created_at", "updated_at"},
		Fields: func(r *qualRow) []any {
			return []any{&r.ID, &r.Version, &r.StaffID, &r.CertNo, &r.Scope, &r.ValidFrom, &r.ValidTo, &r.Active, &r.CreatedAt, &r.UpdatedAt}
		},
		State: func(r *qualRow) any { return r },
		Stale: func(r *qualRow) error { return stale("qualification", r.CertNo) },
	})
)

func (r *bodyRow) body() Body {
	return Body{ID: r.ID, ParentID: fromOptID(r.ParentID), Path: r.Path, Level: Level(r.Level), Code: r.Code, Name: r.Name,
		TimeZone: r.TimeZone, Active: r.Active, Version: r.Version, CreatedAt: store.FromMicros(r.CreatedAt), UpdatedAt: store.FromMicros(r.UpdatedAt)}
}

func (r *unitRow) unit() Unit {
	return Unit{ID: r.ID, BodyID: r.BodyID, Kind: UnitKind(r.Kind), Code: r.Code, Name: r.Name, HeadStaffID: fromOptID(r.HeadStaffID),
		Active: r.Active, Version: r.Version, CreatedAt: store.FromMicros(r.CreatedAt), UpdatedAt: store.FromMicros(r.UpdatedAt)}
}

func (r *staffRow) staff() Staff {
	return Staff{ID: r.ID, BodyID: r.BodyID, UnitID: fromOptID(r.UnitID), Name: r.Name, Phone: r.Phone, Roles: parseRolesText(r.Roles),
		IsHead: r.IsHead, IsLiaison: r.IsLiaison, Active: r.Active, Version: r.Version,
		CreatedAt: store.FromMicros(r.CreatedAt), UpdatedAt: store.FromMicros(r.UpdatedAt)}
}

func (r *qualRow) qual() Qualification {
	return Qualification{ID: r.ID, StaffID: r.StaffID, CertNo: r.CertNo, Scope: r.Scope, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo,
		Active: r.Active, Version: r.Version, CreatedAt: store.FromMicros(r.CreatedAt), UpdatedAt: store.FromMicros(r.UpdatedAt)}
}

func fromOptID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// VersionedTables are the org tables whose rows gained their version in
// migration 0101, for store.AddVersions (run by qingdan migrate).
func VersionedTables() []store.VersionedTable {
	return []store.VersionedTable{
		{ObjectType: "body", Table: "bodies", Key: "id", State: bodies.StateOf},
		{ObjectType: "unit", Table: "units", Key: "id", State: units.StateOf},
		{ObjectType: "staff", Table: "staff", Key: "id", State: staffRows.StateOf},
		{ObjectType: "qualification", Table: "staff_qualifications", Key: "id", State: quals.StateOf},
	}
}
