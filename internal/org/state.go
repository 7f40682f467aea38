package org

import (
	"context"
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

// The four org tables are audited: verify compares each row with the State
// of its object's last event.
func init() {
	register("body", "bodies", `SELECT `+bodyCols+` FROM bodies b ORDER BY b.id`, scanBody, func(b Body) (int64, any) { return b.ID, bodyState(b) })
	register("unit", "units", `SELECT `+unitCols+` FROM units u ORDER BY u.id`, scanUnit, func(u Unit) (int64, any) { return u.ID, unitState(u) })
	register("staff", "staff", `SELECT `+staffCols+` FROM staff s ORDER BY s.id`, scanStaff, func(s Staff) (int64, any) { return s.ID, staffState(s) })
	register("qualification", "staff_qualifications", `SELECT `+qualCols+` FROM staff_qualifications q ORDER BY q.id`, scanQual,
		func(q Qualification) (int64, any) { return q.ID, qualState(q) })
}

// VersionedTables are the org tables whose rows gained their version in
// migration 0101, for store.AddVersions (run by qingdan migrate).
func VersionedTables() []store.VersionedTable {
	return []store.VersionedTable{
		versioned("body", "bodies", getBody, func(b Body) any { return bodyState(b) }),
		versioned("unit", "units", getUnit, func(u Unit) any { return unitState(u) }),
		versioned("staff", "staff", getStaff, func(s Staff) any { return staffState(s) }),
		versioned("qualification", "staff_qualifications", getQual, func(q Qualification) any { return qualState(q) }),
	}
}

func versioned[T any](objectType, table string, get func(context.Context, querier, int64) (T, error), state func(T) any) store.VersionedTable {
	return store.VersionedTable{ObjectType: objectType, Table: table, Key: "id",
		State: func(ctx context.Context, q store.Querier, id int64) (json.RawMessage, error) {
			v, err := get(ctx, q, id)
			if err != nil {
				return nil, err
			}
			return json.Marshal(state(v))
		}}
}

func register[T any](objectType, table, query string, scan func(scanner) (T, error), state func(T) (int64, any)) {
	store.RegisterAudited(store.AuditedTable{ObjectType: objectType, Table: table,
		Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
			rows, err := q.Query(ctx, query)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				v, err := scan(rows)
				if err != nil {
					return err
				}
				id, st := state(v)
				data, err := json.Marshal(st)
				if err != nil {
					return err
				}
				if err := yield(idStr(id), data); err != nil {
					return err
				}
			}
			return rows.Err()
		}})
}
