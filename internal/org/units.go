package org

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/store"
)

// MaxLiaisons is how many list liaisons a unit may have (O2: one or two).
const MaxLiaisons = 2

// UnitInput creates or edits a unit. BodyID is ignored on edit: a unit stays
// with its body (it moves when the body moves).
type UnitInput struct {
	BodyID int64
	Kind   UnitKind
	Code   string
	Name   string
}

func (in *UnitInput) validate() error {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	var errs apperr.List
	for _, e := range []*apperr.Error{checkUnitCode("code", in.Code), checkName("name", in.Name)} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if !in.Kind.Valid() {
		errs = append(errs, apperr.Invalidf("kind", "org.unit_kind_is_not_station_section", clip(string(in.Kind))))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func unitCodeTaken(ctx context.Context, q querier, bodyID int64, code string, except int64) error {
	var id int64
	var name string
	err := q.QueryRow(ctx, `SELECT id, name FROM units WHERE body_id = ? AND code = ?`, bodyID, code).Scan(&id, &name)
	if err == nil && id != except {
		e := apperr.Conflictf("org.unit_code_is_already_used_by_2", code, name)
		e.Field = "code"
		return e
	}
	if err != nil && !isNoRows(err) {
		return err
	}
	return nil
}

// CreateUnit adds a unit to a body. It has no head or liaison yet: appoint
// them by creating or editing staff (O2; Gaps lists units still missing them).
func (s *Service) CreateUnit(ctx context.Context, p auth.Principal, in UnitInput) (Unit, error) {
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		body, err := getBody(ctx, tx, in.BodyID)
		if err != nil {
			return err
		}
		if err := canAdmin(p, body.Path); err != nil {
			return err
		}
		if !body.Active {
			return apperr.Conflictf("org.body_is_inactive_2", body.Name)
		}
		if err := unitCodeTaken(ctx, tx, body.ID, in.Code, 0); err != nil {
			return err
		}
		u, err := insertUnit(ctx, tx, p, body.ID, in, s.now())
		out = u
		return err
	})
	return out, err
}

// UpdateUnit edits a unit's kind, code and name, as read at version (see
// UpdateBody).
func (s *Service) UpdateUnit(ctx context.Context, p auth.Principal, id, version int64, in UnitInput) (Unit, error) {
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		u, body, err := unitForAdmin(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkEditBase("unit", u.Name, version, u.Version); err != nil {
			return err
		}
		if err := unitCodeTaken(ctx, tx, body.ID, in.Code, id); err != nil {
			return err
		}
		before := u
		u.Kind, u.Code, u.Name, u.UpdatedAt = in.Kind, in.Code, in.Name, s.now().UTC()
		u = roundUnit(u)
		if err := saveUnique(ctx, tx, "units", id, u.Version, stale("unit", before.Name), "code", "org.the_unit_code_is_already_used", `kind = ?, code = ?, name = ?, updated_at = ?`, string(u.Kind), u.Code, u.Name, store.Micros(u.UpdatedAt)); err != nil {
			return err
		}
		u.Version++
		out = u
		return emit(tx, p, "org.unit.updated", "unit", id, u.BodyID, "", "", changes(unitState(before), unitState(u)), unitState(u))
	})
	return out, err
}

// SetUnitHead makes staffID the head of the unit (O2: exactly one), taking
// the mark from the previous head in the same transaction. version is the
// unit's version the caller saw (0: not checked).
func (s *Service) SetUnitHead(ctx context.Context, p auth.Principal, unitID, version, staffID int64) (Unit, error) {
	if p.StaffID != 0 && p.StaffID == staffID {
		return Unit{}, errSelfGrant
	}
	var out Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := lockRow(ctx, tx, "units", unitID); err != nil {
			return err
		}
		u, _, err := unitFor(ctx, tx, p, unitID, canManageStaff) // a head is a seat: the accounts duty
		if err != nil {
			return err
		}
		if err := checkBase("unit", u.Name, version, u.Version); err != nil {
			return err
		}
		st, err := getStaff(ctx, tx, staffID)
		if err != nil {
			return err
		}
		if st.UnitID != u.ID || !st.Active {
			return apperr.Invalidf("staff_id", "org.is_not_active_staff_of_this", st.Name)
		}
		if !u.Active {
			return apperr.Conflictf("org.unit_is_inactive_2", u.Name)
		}
		now := s.now().UTC()
		if u.HeadStaffID == staffID && st.IsHead {
			out = u
			return nil
		}
		// Unmark every current head first: the unique index allows one.
		heads, err := collect(ctx, tx, scanStaff, `SELECT `+staffCols+` FROM staff s WHERE s.unit_id = ? AND s.is_head = TRUE AND s.id <> ?`, unitID, staffID)
		if err != nil {
			return err
		}
		for _, h := range heads {
			if err := setStaffFlags(ctx, tx, p, h, false, h.IsLiaison, now, "org.staff.head_removed"); err != nil {
				return err
			}
		}
		if err := setStaffFlags(ctx, tx, p, st, true, st.IsLiaison, now, "org.staff.head_set"); err != nil {
			return err
		}
		from := idStr(u.HeadStaffID)
		u.HeadStaffID, u.UpdatedAt = staffID, now
		u = roundUnit(u)
		save(ctx, tx, "units", unitID, u.Version, stale("unit", u.Name), `head_staff_id = ?, updated_at = ?`, staffID, store.Micros(u.UpdatedAt))
		u.Version++
		out = u
		return emit(tx, p, "org.unit.head_set", "unit", u.ID, u.BodyID, from, idStr(staffID), nil, unitState(u))
	})
	return out, err
}

// SetUnitActive deactivates or reactivates a unit. Its staff stay where they
// are (their history is the unit's), but once the unit is inactive the O2
// rules no longer hold them there: they can be moved or deactivated freely.
// version is the unit's version the caller saw (0: not checked).
func (s *Service) SetUnitActive(ctx context.Context, p auth.Principal, id, version int64, active bool) (Unit, error) {
	var out Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		u, body, err := unitForAdmin(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkBase("unit", u.Name, version, u.Version); err != nil {
			return err
		}
		out = u
		if u.Active == active {
			return nil
		}
		if active && !body.Active {
			return apperr.Conflictf("org.body_is_inactive_2", body.Name)
		}
		u.Active, u.UpdatedAt = active, s.now().UTC()
		u = roundUnit(u)
		save(ctx, tx, "units", id, u.Version, stale("unit", u.Name), `active = ?, updated_at = ?`, active, store.Micros(u.UpdatedAt))
		u.Version++
		out = u
		action := "org.unit.deactivated"
		if active {
			action = "org.unit.reactivated"
		}
		return emit(tx, p, action, "unit", id, u.BodyID, activeWord(!active), activeWord(active), nil, unitState(u))
	})
	return out, err
}

func unitForAdmin(ctx context.Context, q querier, p auth.Principal, id int64) (Unit, Body, error) {
	return unitFor(ctx, q, p, id, canAdmin)
}

// unitFor reads a unit and its body and applies can to the body's path.
func unitFor(ctx context.Context, q querier, p auth.Principal, id int64, can func(auth.Principal, string) error) (Unit, Body, error) {
	u, err := getUnit(ctx, q, id)
	if err != nil {
		return Unit{}, Body{}, err
	}
	body, err := getBody(ctx, q, u.BodyID)
	if err != nil {
		return Unit{}, Body{}, err
	}
	return u, body, can(p, body.Path)
}

func insertUnit(ctx context.Context, tx *store.Tx, p auth.Principal, bodyID int64, in UnitInput, now time.Time) (Unit, error) {
	u := roundUnit(Unit{BodyID: bodyID, Kind: in.Kind, Code: in.Code, Name: in.Name, Active: true, Version: 1, CreatedAt: now.UTC(), UpdatedAt: now.UTC()})
	if err := tx.QueryRow(ctx, `INSERT INTO units (body_id, kind, code, name, active, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, TRUE, 1, ?, ?) RETURNING id`, bodyID, string(u.Kind), u.Code, u.Name,
		store.Micros(u.CreatedAt), store.Micros(u.UpdatedAt)).Scan(&u.ID); err != nil {
		return Unit{}, uniqueConflict(err, "code", "org.the_unit_code_is_already_used")
	}
	return u, emit(tx, p, "org.unit.created", "unit", u.ID, bodyID, "", "active", nil, unitState(u))
}

func roundUnit(u Unit) Unit {
	u.CreatedAt, u.UpdatedAt = store.FromMicros(store.Micros(u.CreatedAt)), store.FromMicros(store.Micros(u.UpdatedAt))
	return u
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
