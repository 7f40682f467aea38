package org

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// StaffInput creates or edits a staff member.
type StaffInput struct {
	BodyID    int64
	UnitID    int64 // 0: not in a unit (a leader, an external supervisor)
	Name      string
	Phone     string
	Roles     []access.Role
	IsHead    bool // head of UnitID (O2: one per unit)
	IsLiaison bool // list liaison of UnitID (O2: one or two per unit); needs RoleListLiaison
}

func (in *StaffInput) validate() error {
	in.Name, in.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone)
	var errs apperr.List
	for _, e := range []*apperr.Error{checkName("name", in.Name), checkPhone("phone", in.Phone)} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	set := map[access.Role]bool{}
	for _, r := range in.Roles {
		if _, ok := access.ParseRole(string(r)); !ok {
			errs = append(errs, apperr.Invalidf("roles", "org.unknown_role", clip(string(r))))
		}
		set[r] = true
	}
	in.Roles = normRoles(set)
	if len(in.Roles) == 0 && len(errs) == 0 {
		errs = append(errs, apperr.Invalidf("roles", "org.choose_at_least_one_role"))
	}
	if (in.IsHead || in.IsLiaison) && in.UnitID == 0 {
		errs = append(errs, apperr.Invalidf("unit_id", "org.a_unit_head_or_liaison_must"))
	}
	if in.IsLiaison && !slices.Contains(in.Roles, access.RoleListLiaison) {
		errs = append(errs, apperr.Invalidf("is_liaison", "org.a_liaison_needs_the_role_list"))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// CreateStaff adds a staff member. Marking them head fails when the unit has
// one (use SetUnitHead); marking them liaison fails when the unit has two.
func (s *Service) CreateStaff(ctx context.Context, p access.Principal, in StaffInput) (Staff, error) {
	if err := in.validate(); err != nil {
		return Staff{}, err
	}
	if err := access.CheckDuties(p.Separated, in.Roles); err != nil {
		return Staff{}, err
	}
	var out Staff
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		st, err := createStaff(ctx, tx, p, in, s.now())
		out = st
		return err
	})
	return out, err
}

func createStaff(ctx context.Context, tx *store.Tx, p access.Principal, in StaffInput, now time.Time) (Staff, error) {
	body, err := getBody(ctx, tx, in.BodyID)
	if err != nil {
		return Staff{}, err
	}
	if err := canManageStaff(p, body.Path); err != nil {
		return Staff{}, err
	}
	if !body.Active {
		return Staff{}, apperr.Conflictf("org.body_is_inactive_2", body.Name)
	}
	now = now.UTC()
	st := roundStaff(Staff{BodyID: in.BodyID, UnitID: in.UnitID, Name: in.Name, Phone: in.Phone, Roles: in.Roles,
		IsHead: in.IsHead, IsLiaison: in.IsLiaison, Active: true, CreatedAt: now, UpdatedAt: now})
	if err := checkO2(ctx, tx, Staff{}, st); err != nil {
		return Staff{}, err
	}
	e, err := event(p, "org.staff.created", st.BodyID, "", "active", nil)
	if err != nil {
		return Staff{}, err
	}
	r := staffState(st)
	if err := staffRows.Insert(ctx, tx, &r, e); err != nil {
		return Staff{}, err
	}
	st.ID, st.Version = r.ID, r.Version
	return st, syncUnitHead(ctx, tx, p, Staff{}, st, now)
}

// UpdateStaff edits a staff member read at version (see UpdateBody),
// including moving them to another body or unit within the principal's
// jurisdiction.
func (s *Service) UpdateStaff(ctx context.Context, p access.Principal, id, version int64, in StaffInput) (Staff, error) {
	if err := in.validate(); err != nil {
		return Staff{}, err
	}
	if err := access.CheckDuties(p.Separated, in.Roles); err != nil {
		return Staff{}, err
	}
	var out Staff
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		old, err := staffForAdmin(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := refuseSelfGrant(p, old, in); err != nil {
			return err
		}
		if err := checkEditBase("staff", old.Name, version, old.Version); err != nil {
			return err
		}
		if in.BodyID != old.BodyID {
			body, err := getBody(ctx, tx, in.BodyID)
			if err != nil {
				return err
			}
			if err := canManageStaff(p, body.Path); err != nil {
				return err
			}
			if !body.Active {
				return apperr.Conflictf("org.body_is_inactive_2", body.Name)
			}
		}
		st := old
		st.BodyID, st.UnitID, st.Name, st.Phone, st.Roles = in.BodyID, in.UnitID, in.Name, in.Phone, in.Roles
		st.IsHead, st.IsLiaison, st.UpdatedAt = in.IsHead, in.IsLiaison, s.now().UTC()
		st = roundStaff(st)
		if err := checkO2(ctx, tx, old, st); err != nil {
			return err
		}
		e, err := event(p, "org.staff.updated", st.BodyID, "", "", changes(staffState(old), staffState(st)))
		if err := saveStaff(ctx, tx, &st, e, err); err != nil {
			return err
		}
		out = st
		return syncUnitHead(ctx, tx, p, old, st, st.UpdatedAt)
	})
	return out, err
}

// SetStaffActive deactivates or reactivates a staff member. The head or the
// last liaison of an active unit is not deactivated: appoint a successor
// first (O2). version is the version the caller saw (0: not checked).
func (s *Service) SetStaffActive(ctx context.Context, p access.Principal, id, version int64, active bool) (Staff, error) {
	var out Staff
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		old, err := staffForAdmin(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkBase("staff", old.Name, version, old.Version); err != nil {
			return err
		}
		out = old
		if old.Active == active {
			return nil
		}
		st := old
		st.Active, st.UpdatedAt = active, s.now().UTC()
		st = roundStaff(st)
		if active {
			body, err := getBody(ctx, tx, st.BodyID)
			if err != nil {
				return err
			}
			if !body.Active {
				return apperr.Conflictf("org.body_is_inactive_2", body.Name)
			}
		}
		if err := checkO2(ctx, tx, old, st); err != nil {
			return err
		}
		action := "org.staff.deactivated"
		if active {
			action = "org.staff.reactivated"
		}
		e, err := event(p, action, st.BodyID, activeWord(!active), activeWord(active), nil)
		if err := saveStaff(ctx, tx, &st, e, err); err != nil {
			return err
		}
		out = st
		return nil
	})
	return out, err
}

// staffForAdmin locks a staff member a write is about to change and checks
// p manages staff in their body.
func staffForAdmin(ctx context.Context, tx *store.Tx, p access.Principal, id int64) (Staff, error) {
	st, err := lockStaff(ctx, tx, id)
	if err != nil {
		return Staff{}, err
	}
	body, err := getBody(ctx, tx, st.BodyID)
	if err != nil {
		return Staff{}, err
	}
	return st, canManageStaff(p, body.Path)
}

// setStaffFlags changes only the head and liaison marks (used when the head
// passes to someone else); st was locked in this write.
func setStaffFlags(ctx context.Context, tx *store.Tx, p access.Principal, st Staff, head, liaison bool, now time.Time, action string) error {
	from := staffState(st)
	st.IsHead, st.IsLiaison, st.UpdatedAt = head, liaison, now
	st = roundStaff(st)
	e, err := event(p, action, st.BodyID, "", "", changes(from, staffState(st)))
	return saveStaff(ctx, tx, &st, e, err)
}

// checkO2 checks a staff change against O2: a unit has at most one head and
// at most MaxLiaisons liaisons, and an active unit does not lose its head or
// its last liaison without a successor. It also checks that the unit belongs
// to the staff member's body.
func checkO2(ctx context.Context, tx *store.Tx, old, st Staff) error {
	// Counting heads and liaisons must not race another instance's write
	// to the same unit.
	for _, u := range []int64{old.UnitID, st.UnitID} {
		if u != 0 {
			if _, err := lockUnit(ctx, tx, u); err != nil {
				return err
			}
		}
	}
	if st.UnitID != 0 && (st.UnitID != old.UnitID || st.BodyID != old.BodyID) {
		u, err := getUnit(ctx, tx, st.UnitID)
		if err != nil {
			return err
		}
		if u.BodyID != st.BodyID {
			return apperr.Invalidf("unit_id", "org.unit_does_not_belong_to_the", u.Name)
		}
		if !u.Active {
			return apperr.Conflictf("org.unit_is_inactive_2", u.Name)
		}
	}
	if st.Active && st.UnitID != 0 {
		if st.IsHead {
			var n int
			var name string
			err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(name), '') FROM staff WHERE unit_id = ? AND is_head = TRUE AND active = TRUE AND id <> ?`,
				st.UnitID, st.ID).Scan(&n, &name)
			if err != nil {
				return err
			}
			if n > 0 {
				e := apperr.Conflictf("org.the_unit_already_has_a_head", name)
				e.Field = "is_head"
				return e
			}
		}
		if st.IsLiaison {
			n, err := count(ctx, tx, `SELECT COUNT(*) FROM staff WHERE unit_id = ? AND is_liaison = TRUE AND active = TRUE AND id <> ?`, st.UnitID, st.ID)
			if err != nil {
				return err
			}
			if n >= MaxLiaisons {
				e := apperr.Conflictf("org.the_unit_already_has_list_liaisons", n, MaxLiaisons)
				e.Field = "is_liaison"
				return e
			}
		}
	}
	if old.ID != 0 && old.Active && old.UnitID != 0 && (old.IsHead || old.IsLiaison) {
		stays := st.Active && st.UnitID == old.UnitID
		u, err := getUnit(ctx, tx, old.UnitID)
		if err != nil {
			return err
		}
		if u.Active && old.IsHead && !(stays && st.IsHead) {
			e := apperr.Conflictf("org.is_the_head_of_unit_appoint", old.Name, u.Name)
			e.Field = "is_head"
			return e
		}
		if u.Active && old.IsLiaison && !(stays && st.IsLiaison) {
			n, err := count(ctx, tx, `SELECT COUNT(*) FROM staff WHERE unit_id = ? AND is_liaison = TRUE AND active = TRUE AND id <> ?`, old.UnitID, old.ID)
			if err != nil {
				return err
			}
			if n == 0 {
				e := apperr.Conflictf("org.is_the_only_list_liaison_of", old.Name, u.Name)
				e.Field = "is_liaison"
				return e
			}
		}
	}
	return nil
}

// syncUnitHead keeps units.head_staff_id equal to the staff member marked
// head, emitting the unit's event when it changes.
func syncUnitHead(ctx context.Context, tx *store.Tx, p access.Principal, old, st Staff, now time.Time) error {
	if old.IsHead && old.UnitID != 0 && (!st.IsHead || st.UnitID != old.UnitID) {
		if err := setHead(ctx, tx, p, old.UnitID, 0, st.ID, now); err != nil {
			return err
		}
	}
	if st.IsHead && st.UnitID != 0 {
		return setHead(ctx, tx, p, st.UnitID, st.ID, 0, now)
	}
	return nil
}

// setHead sets a unit's head_staff_id to head (0: none); with onlyIf != 0 it
// does so only while the current head is onlyIf.
func setHead(ctx context.Context, tx *store.Tx, p access.Principal, unitID, head, onlyIf int64, now time.Time) error {
	u, err := lockUnit(ctx, tx, unitID)
	if err != nil {
		return err
	}
	if u.HeadStaffID == head || (onlyIf != 0 && u.HeadStaffID != onlyIf) {
		return nil
	}
	from := idStr(u.HeadStaffID)
	u.HeadStaffID, u.UpdatedAt = head, now
	u = roundUnit(u)
	e, err := event(p, "org.unit.head_set", u.BodyID, from, idStr(head), nil)
	return saveUnit(ctx, tx, &u, e, err, nil)
}

func roundStaff(s Staff) Staff {
	s.CreatedAt, s.UpdatedAt = store.FromMicros(store.Micros(s.CreatedAt)), store.FromMicros(store.Micros(s.UpdatedAt))
	return s
}

// StaffPrincipal builds the principal of a staff member for the auth
// package: name, roles, body, body path (the jurisdiction) and unit. An
// inactive staff member, or one of an inactive body, gets Forbidden.
func (s *Service) StaffPrincipal(ctx context.Context, staffID int64) (access.Principal, error) {
	// One query: auth calls this on every request of a session.
	var p access.Principal
	var unit sql.NullInt64
	var roles string
	var staffActive, bodyActive bool
	err := s.db.QueryRow(ctx, `SELECT s.id, s.name, s.unit_id, s.roles, s.active, b.id, b.path, b.active
		FROM staff s JOIN bodies b ON b.id = s.body_id WHERE s.id = ?`, staffID).Scan(
		&p.StaffID, &p.Name, &unit, &roles, &staffActive, &p.BodyID, &p.BodyPath, &bodyActive)
	if isNoRows(err) {
		return access.Principal{}, notFound("staff", staffID)
	}
	if err != nil {
		return access.Principal{}, err
	}
	if !staffActive || !bodyActive {
		return access.Principal{}, apperr.Forbiddenf("org.this_staff_member_is_deactivated")
	}
	p.UnitID, p.Roles = unit.Int64, parseRolesText(roles)
	return p, nil
}

// errSelfGrant refuses anyone giving themselves a role or a seat (O3).
var errSelfGrant = apperr.Forbiddenf("org.you_cannot_give_yourself_a_role")

// refuseSelfGrant: nobody grants themselves roles or seats — an
// administrator editing their own staff record may keep or drop roles and
// marks, not add them (O3).
func refuseSelfGrant(p access.Principal, old Staff, in StaffInput) error {
	if p.StaffID == 0 || p.StaffID != old.ID {
		return nil
	}
	for _, r := range in.Roles {
		if !slices.Contains(old.Roles, r) {
			return errSelfGrant
		}
	}
	if in.IsHead && !old.IsHead || in.IsLiaison && !old.IsLiaison {
		return errSelfGrant
	}
	return nil
}
