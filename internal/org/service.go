package org

import (
	"context"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// Service manages the organisation. Its methods take the acting principal
// and refuse what the principal's roles or jurisdiction do not allow.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns the organisation service over db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: time.Now}
}

// System is the principal of bootstrapping work done by the binary itself
// (loading the demo, importing the first tree from the command line): an
// administrator whose jurisdiction is every body ("/" prefixes every path),
// the only one who may create a root body. No request ever carries it.
var System = access.Principal{Login: "system", Name: "系统", Roles: []access.Role{access.RoleAdmin}, BodyPath: "/"}

func isSystem(p access.Principal) bool {
	return p.BodyPath == "/" && p.AccountID == 0 && p.Login == "system"
}

// canRead: any logged-in staff member reads the organisation of their
// jurisdiction (O1).
func canRead(p access.Principal, path string) error {
	if p.BodyPath == "" {
		return apperr.New(apperr.Unauthorized, "", "org.please_log_in")
	}
	if !p.Covers(path) {
		return apperr.Forbiddenf("org.this_body_is_outside_your_jurisdiction")
	}
	return nil
}

// canAdmin: structure is changed only by an administrator whose
// jurisdiction covers the body concerned.
func canAdmin(p access.Principal, path string) error {
	return mayChange(p, path, p.Has(access.RoleAdmin), "org.only_an_administrator_may_change_the")
}

// canManageStaff: staff records — who people are, their roles, seats and
// certificates — are changed by whoever holds the accounts duty (the
// administrator, or with duties separated the security administrator)
// within their jurisdiction.
func canManageStaff(p access.Principal, path string) error {
	return mayChange(p, path, p.Can(access.DutyAccounts), "org.only_the_administrator_in_charge_of")
}

// mayChange refuses the anonymous, a principal without the right (may
// false, refused with message key) and a body outside the jurisdiction.
func mayChange(p access.Principal, path string, may bool, key string) error {
	if p.BodyPath == "" {
		return apperr.New(apperr.Unauthorized, "", "org.please_log_in")
	}
	if !may {
		return apperr.New(apperr.Forbidden, "", key)
	}
	if !p.Covers(path) {
		return apperr.Forbiddenf("org.this_body_is_outside_your_jurisdiction")
	}
	return nil
}

func activeWord(a bool) string {
	if a {
		return "active"
	}
	return "inactive"
}

// BodyInput creates a body.
type BodyInput struct {
	ParentID int64 // 0 only for the System principal: a new root
	Level    Level
	Code     string
	Name     string
	TimeZone string // empty: Asia/Shanghai
}

func (in *BodyInput) normalise() {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	if in.TimeZone == "" {
		in.TimeZone = DefaultTimeZone
	}
}

func (in BodyInput) validate() error {
	var errs apperr.List
	for _, e := range []*apperr.Error{checkBodyCode("code", in.Code), checkName("name", in.Name), checkTimeZone("time_zone", in.TimeZone)} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if !in.Level.Valid() {
		errs = append(errs, apperr.Invalidf("level", "org.level_is_not_valid", clip(string(in.Level))))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func belowParent(level Level, parent Body) error {
	if level.Rank() <= parent.Level.Rank() {
		return apperr.Invalidf("level", "org.a_child_s_level_must_be", level, parent.Name, parent.Level)
	}
	return nil
}

func codeTaken(ctx context.Context, q querier, code string, except int64) error {
	b, ok, err := getBodyByCode(ctx, q, code)
	if err != nil {
		return err
	}
	if ok && b.ID != except {
		e := apperr.Conflictf("org.body_code_is_already_used_by", code, b.Name)
		e.Field = "code"
		return e
	}
	return nil
}

// CreateBody adds a body under in.ParentID.
func (s *Service) CreateBody(ctx context.Context, p access.Principal, in BodyInput) (Body, error) {
	in.normalise()
	if err := in.validate(); err != nil {
		return Body{}, err
	}
	var out Body
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		b, err := createBody(ctx, tx, p, in, s.now())
		out = b
		return err
	})
	return out, err
}

func createBody(ctx context.Context, tx *store.Tx, p access.Principal, in BodyInput, now time.Time) (Body, error) {
	parentPath := "/"
	if in.ParentID == 0 {
		if !isSystem(p) {
			return Body{}, apperr.Forbiddenf("org.you_may_not_create_a_root")
		}
	} else {
		parent, err := getBody(ctx, tx, in.ParentID)
		if err != nil {
			return Body{}, err
		}
		if err := canAdmin(p, parent.Path); err != nil {
			return Body{}, err
		}
		if !parent.Active {
			return Body{}, apperr.Conflictf("org.the_parent_body_is_inactive", parent.Name)
		}
		if err := belowParent(in.Level, parent); err != nil {
			return Body{}, err
		}
		parentPath = parent.Path
	}
	if err := codeTaken(ctx, tx, in.Code, 0); err != nil {
		return Body{}, err
	}
	now = now.UTC()
	b := Body{ParentID: in.ParentID, Level: in.Level, Code: in.Code, Name: in.Name, TimeZone: in.TimeZone,
		Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	// The path holds the new id, known only after the insert: the row is
	// inserted with an empty path, completed before its event is emitted.
	if err := tx.QueryRow(ctx, `INSERT INTO bodies (parent_id, path, level, code, name, time_zone, active, version, created_at, updated_at)
		VALUES (?, '', ?, ?, ?, ?, TRUE, 1, ?, ?) RETURNING id`,
		nullID(b.ParentID), string(b.Level), b.Code, b.Name, b.TimeZone, store.Micros(now), store.Micros(now)).Scan(&b.ID); err != nil {
		return Body{}, uniqueConflict(err, "code", "org.the_body_code_is_already_used")
	}
	b.Path = parentPath + idStr(b.ID) + "/"
	tx.Queue(ctx, `UPDATE bodies SET path = ? WHERE id = ?`, b.Path, b.ID)
	b = roundTimes(b)
	e, err := event(p, "org.body.created", b.ID, "", "active", nil)
	if err != nil {
		return Body{}, err
	}
	r := bodyState(b)
	return b, bodies.Emit(tx, &r, e)
}

// roundTimes truncates times to what the database keeps (µs), so a returned
// object equals what a later read returns.
func roundTimes(b Body) Body {
	b.CreatedAt, b.UpdatedAt = store.FromMicros(store.Micros(b.CreatedAt)), store.FromMicros(store.Micros(b.UpdatedAt))
	return b
}

// BodyEdit changes a body's own fields (not its place: see MoveBody).
type BodyEdit struct {
	Level    Level
	Code     string
	Name     string
	TimeZone string
}

// UpdateBody edits a body read at version (concurrent edits: if it has
// changed since, nothing is changed and the error is apperr.Stale). A new
// level must stay below the parent's and above every child's.
func (s *Service) UpdateBody(ctx context.Context, p access.Principal, id, version int64, in BodyEdit) (Body, error) {
	bi := BodyInput{Level: in.Level, Code: in.Code, Name: in.Name, TimeZone: in.TimeZone}
	bi.normalise()
	if err := bi.validate(); err != nil {
		return Body{}, err
	}
	var out Body
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		b, err := lockBody(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := canAdmin(p, b.Path); err != nil {
			return err
		}
		if err := checkEditBase("body", b.Name, version, b.Version); err != nil {
			return err
		}
		if b.ParentID != 0 {
			parent, err := getBody(ctx, tx, b.ParentID)
			if err != nil {
				return err
			}
			if err := belowParent(bi.Level, parent); err != nil {
				return err
			}
		}
		var childRank int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MIN(CASE level WHEN 'city' THEN 1 WHEN 'district' THEN 2 WHEN 'town' THEN 3 ELSE 4 END), 99)
			FROM bodies WHERE parent_id = ?`, id).Scan(&childRank); err != nil {
			return err
		}
		if bi.Level.Rank() >= childRank {
			return apperr.Invalidf("level", "org.the_level_must_be_above_its")
		}
		if err := codeTaken(ctx, tx, bi.Code, id); err != nil {
			return err
		}
		before := b
		b.Level, b.Code, b.Name, b.TimeZone, b.UpdatedAt = bi.Level, bi.Code, bi.Name, bi.TimeZone, s.now().UTC()
		b = roundTimes(b)
		e, err := event(p, "org.body.updated", id, "", "", changes(bodyState(before), bodyState(b)))
		if err := saveBody(ctx, tx, &b, e, err, bodyCodeUnique); err != nil {
			return err
		}
		out = b
		return nil
	})
	return out, err
}

// MoveBody puts a body (with its whole subtree) under a new parent,
// rewriting the materialised paths of the subtree in the same transaction.
// Moving a body under itself or one of its descendants is refused. version
// is the body's version the mover saw (0: not checked); every body of the
// subtree moves to its next version.
func (s *Service) MoveBody(ctx context.Context, p access.Principal, id, version, newParentID int64) (Body, error) {
	var out Body
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		// Lock first, read after: a concurrent move of an ancestor (another
		// instance) either finishes before we read the paths or waits for us.
		b, err := lockBody(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := canAdmin(p, b.Path); err != nil {
			return err
		}
		if err := checkBase("body", b.Name, version, b.Version); err != nil {
			return err
		}
		if newParentID == b.ParentID {
			out = b
			return nil // already there; nothing to record
		}
		newParentPath := "/"
		if newParentID == 0 {
			if !isSystem(p) {
				return apperr.Forbiddenf("org.you_may_not_make_a_body")
			}
		} else {
			np, err := getBody(ctx, tx, newParentID)
			if err != nil {
				return err
			}
			if err := canAdmin(p, np.Path); err != nil {
				return err
			}
			if strings.HasPrefix(np.Path, b.Path) {
				return apperr.Invalidf("parent_id", "org.cannot_move_under_itself_or_one", b.Name)
			}
			if !np.Active {
				return apperr.Conflictf("org.the_new_parent_is_inactive", np.Name)
			}
			if err := belowParent(b.Level, np); err != nil {
				return err
			}
			newParentPath = np.Path
		}
		now := s.now().UTC()
		oldPath, newPath := b.Path, newParentPath+idStr(b.ID)+"/"
		ids, err := collect(ctx, tx, scanID, `SELECT b.id FROM bodies b WHERE b.path LIKE ? ESCAPE '\' ORDER BY b.path`, likeEscape(oldPath)+"%")
		if err != nil {
			return err
		}
		for _, did := range ids {
			d, err := lockBody(ctx, tx, did)
			if err != nil {
				return err
			}
			from := d.Path
			d.Path = newPath + strings.TrimPrefix(d.Path, oldPath)
			d.UpdatedAt = now
			action := "org.body.path_changed"
			if d.ID == b.ID {
				d.ParentID = newParentID
				action = "org.body.moved"
			}
			d = roundTimes(d)
			e, err := event(p, action, d.ID, from, d.Path, nil)
			if err := saveBody(ctx, tx, &d, e, err, nil); err != nil {
				return err
			}
			if d.ID == b.ID {
				out = d
			}
		}
		return nil
	})
	return out, err
}

// SetBodyActive deactivates or reactivates a body. A body with active
// sub-bodies, units or staff cannot be deactivated; one under an inactive
// parent cannot be reactivated. Nothing is deleted: events keep pointing at
// the row. version is the body's version the caller saw (0: not checked).
func (s *Service) SetBodyActive(ctx context.Context, p access.Principal, id, version int64, active bool) (Body, error) {
	var out Body
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		b, err := lockBody(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := canAdmin(p, b.Path); err != nil {
			return err
		}
		if err := checkBase("body", b.Name, version, b.Version); err != nil {
			return err
		}
		out = b
		if b.Active == active {
			return nil
		}
		if active {
			if b.ParentID != 0 {
				parent, err := getBody(ctx, tx, b.ParentID)
				if err != nil {
					return err
				}
				if !parent.Active {
					return apperr.Conflictf("org.the_parent_body_is_inactive_reactivate", parent.Name)
				}
			}
		} else {
			var bodies, units, staff int
			if err := tx.QueryRow(ctx, `SELECT
				(SELECT COUNT(*) FROM bodies WHERE parent_id = ? AND active = TRUE),
				(SELECT COUNT(*) FROM units WHERE body_id = ? AND active = TRUE),
				(SELECT COUNT(*) FROM staff WHERE body_id = ? AND active = TRUE)`, id, id, id).Scan(&bodies, &units, &staff); err != nil {
				return err
			}
			if bodies+units+staff > 0 {
				return apperr.Conflictf("org.still_has_active_sub_bodies_units", b.Name, bodies, units, staff)
			}
		}
		b.Active, b.UpdatedAt = active, s.now().UTC()
		b = roundTimes(b)
		action := "org.body.deactivated"
		if active {
			action = "org.body.reactivated"
		}
		e, err := event(p, action, id, activeWord(!active), activeWord(active), nil)
		if err := saveBody(ctx, tx, &b, e, err, nil); err != nil {
			return err
		}
		out = b
		return nil
	})
	return out, err
}

// changes lists the fields that differ between two snapshots of the same
// type, as {"field": [old, new]}, for an event's payload.
func changes[T any](before, after T) map[string][2]any {
	a, b := fieldsOf(before), fieldsOf(after)
	out := map[string][2]any{}
	for k, v := range b {
		if k == "updated_at" || k == "version" {
			continue // they change with every change
		}
		if old := a[k]; !equalJSON(old, v) {
			out[k] = [2]any{old, v}
		}
	}
	return out
}
