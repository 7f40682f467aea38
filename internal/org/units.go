package org

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
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
func (s *Service) CreateUnit(ctx context.Context, p access.Principal, in UnitInput) (Unit, error) {
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
func (s *Service) UpdateUnit(ctx context.Context, p access.Principal, id, version int64, in UnitInput) (Unit, error) {
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
		e, err := event(p, "org.unit.updated", u.BodyID, "", "", changes(unitState(before), unitState(u)))
		if err := saveUnit(ctx, tx, &u, e, err, unitCodeUnique); err != nil {
			return err
		}
		out = u
		return nil
	})
	return out, err
}

// SetUnitHead makes staffID the head of the unit (O2: exactly one), taking
// the mark from the previous head in the same transaction. version is the
// unit's version the caller saw (0: not checked).
func (s *Service) SetUnitHead(ctx context.Context, p access.Principal, unitID, version, staffID int64) (Unit, error) {
	if p.StaffID != 0 && p.StaffID == staffID {
		return Unit{}, errSelfGrant
	}
	var out Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		u, _, err := unitFor(ctx, tx, p, unitID, canManageStaff) // a head is a seat: the accounts duty
		if err != nil {
			return err
		}
		if err := checkBase("unit", u.Name, version, u.Version); err != nil {
			return err
		}
		st, err := lockStaff(ctx, tx, staffID)
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
		heads, err := collect(ctx, tx, scanID, `SELECT s.id FROM staff s WHERE s.unit_id = ? AND s.is_head = TRUE AND s.id <> ?`, unitID, staffID)
		if err != nil {
			return err
		}
		for _, hid := range heads {
			h, err := lockStaff(ctx, tx, hid)
			if err != nil {
				return err
			}
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
		e, err := event(p, "org.unit.head_set", u.BodyID, from, idStr(staffID), nil)
		if err := saveUnit(ctx, tx, &u, e, err, nil); err != nil {
			return err
		}
		out = u
		return nil
	})
	return out, err
}

// SetUnitActive deactivates or reactivates a unit. Its staff stay where they
// are (their history is the unit's), but once the unit is inactive the O2
// rules no longer hold them there: they can be moved or deactivated freely.
// version is the unit's version the caller saw (0: not checked).
func (s *Service) SetUnitActive(ctx context.Context, p access.Principal, id, version int64, active bool) (Unit, error) {
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
		action := "org.unit.deactivated"
		if active {
			action = "org.unit.reactivated"
		}
		e, err := event(p, action, u.BodyID, activeWord(!active), activeWord(active), nil)
		if err := saveUnit(ctx, tx, &u, e, err, nil); err != nil {
			return err
		}
		out = u
		return nil
	})
	return out, err
}

func unitForAdmin(ctx context.Context, tx *store.Tx, p access.Principal, id int64) (Unit, Body, error) {
	return unitFor(ctx, tx, p, id, canAdmin)
}

// unitFor locks a unit a write is about to change, reads its body and
// applies can to the body's path.
func unitFor(ctx context.Context, tx *store.Tx, p access.Principal, id int64, can func(access.Principal, string) error) (Unit, Body, error) {
	u, err := lockUnit(ctx, tx, id)
	if err != nil {
		return Unit{}, Body{}, err
	}
	body, err := getBody(ctx, tx, u.BodyID)
	if err != nil {
		return Unit{}, Body{}, err
	}
	return u, body, can(p, body.Path)
}

func insertUnit(ctx context.Context, tx *store.Tx, p access.Principal, bodyID int64, in UnitInput, now time.Time) (Unit, error) {
	u := roundUnit(Unit{BodyID: bodyID, Kind: in.Kind, Code: in.Code, Name: in.Name, Active: true, CreatedAt: now.UTC(), UpdatedAt: now.UTC()})
	e, err := event(p, "org.unit.created", bodyID, "", "active", nil)
	if err != nil {
		return Unit{}, err
	}
	r := unitState(u)
	if err := units.Insert(ctx, tx, &r, e); err != nil {
		return Unit{}, uniqueConflict(err, unitCodeUnique.field, unitCodeUnique.key)
	}
	u.ID, u.Version = r.ID, r.Version
	return u, nil
}

func roundUnit(u Unit) Unit {
	u.CreatedAt, u.UpdatedAt = store.FromMicros(store.Micros(u.CreatedAt)), store.FromMicros(store.Micros(u.UpdatedAt))
	return u
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
