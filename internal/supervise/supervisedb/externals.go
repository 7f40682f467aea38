package supervisedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// ObjectExternal is the object type of an external supervisor's kind.
const ObjectExternal = "supervise_external"

type externalRow struct {
	StaffID, Version int64
	Kind             string
}

var externals = store.Declare(store.Aggregate[externalRow]{
	Table: "supervise_externals", ObjectType: ObjectExternal, Key: "staff_id",
	Columns: []string{"kind"},
	Fields:  func(r *externalRow) []any { return []any{&r.StaffID, &r.Version, &r.Kind} },
	State: func(r *externalRow) any {
		return struct {
			StaffID int64  `json:"staff_id"`
			Version int64  `json:"version"`
			Kind    string `json:"kind"`
		}{r.StaffID, r.Version, r.Kind}
	},
	Stale: func(*externalRow) error {
		return apperr.Stale("supervisedb.the_external_supervisor_s_kind")
	},
})

// External is an external supervisor (S7) of an administrator's
// jurisdiction with the kind recorded ("" for none yet).
type External struct {
	StaffID  int64                  `json:"staff_id"`
	Name     string                 `json:"name"`
	BodyPath string                 `json:"body_path"`
	BodyName string                 `json:"body_name"`
	Kind     supervise.ExternalKind `json:"kind"`
	Version  int64                  `json:"version"` // 0 while none is recorded
}

// ExternalKindOf is the kind recorded for staff member id; a report needs
// one (S7), so none is a field error naming the reporter.
func ExternalKindOf(ctx context.Context, q store.Querier, id int64) (supervise.ExternalKind, error) {
	r, err := externals.Get(ctx, q, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return "", apperr.Invalidf("reporter", "supervisedb.your_kind_of_external_supervisor_is")
	}
	if err != nil {
		return "", err
	}
	return supervise.ExternalKind(r.Kind), nil
}

// Externals are the active external supervisors of p's jurisdiction with
// their kinds.
func (s *Service) Externals(ctx context.Context, p access.Principal) ([]External, error) {
	if p.BodyPath == "" {
		return nil, errNoJurisdiction()
	}
	rows, err := s.db.Query(ctx, `SELECT s.id, s.name, b.path, b.name, s.roles, COALESCE(e.kind, ''), COALESCE(e.version, 0)
		FROM staff s JOIN bodies b ON b.id = s.body_id LEFT JOIN supervise_externals e ON e.staff_id = s.id
		WHERE b.path LIKE ? AND s.active ORDER BY b.path, s.id`, p.BodyPath+"%")
	if err != nil {
		return nil, fmt.Errorf("supervisedb: external supervisors: %w", err)
	}
	defer rows.Close()
	out := []External{}
	for rows.Next() {
		var e External
		var roles string
		if err := rows.Scan(&e.StaffID, &e.Name, &e.BodyPath, &e.BodyName, &roles, &e.Kind, &e.Version); err != nil {
			return nil, fmt.Errorf("supervisedb: external supervisors: %w", err)
		}
		if hasRole(roles, access.RoleExternalSupervisor) {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

func hasRole(roles string, r access.Role) bool {
	for _, x := range strings.Split(roles, ",") {
		if strings.TrimSpace(x) == string(r) {
			return true
		}
	}
	return false
}

// SetExternalKind records the kind of external supervisor staffID (S7),
// based on version base (0: none recorded yet). Only an administrator
// covering their body; only a staff member holding the role.
func (s *Service) SetExternalKind(ctx context.Context, p access.Principal, staffID, base int64, kind supervise.ExternalKind) error {
	if !p.Has(access.RoleAdmin) {
		return apperr.Forbiddenf("supervisedb.only_administrators_record_an_external_supervisor")
	}
	if !kind.Valid() {
		return apperr.Invalidf("kind", "supervisedb.kind_is_not_a_kind_of", kind)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		var path, roles string
		err := tx.QueryRow(ctx, `SELECT b.path, s.roles FROM staff s JOIN bodies b ON b.id = s.body_id WHERE s.id = ? AND s.active`, staffID).Scan(&path, &roles)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("supervisedb: staff %d: %w", staffID, err)
		}
		if err != nil || !p.Covers(path) || !hasRole(roles, access.RoleExternalSupervisor) {
			return apperr.NotFoundf("supervisedb.no_external_supervisor_in_your_jurisdiction", staffID)
		}
		e := store.Event{Actor: p.Login, Action: "supervise.external_kind", BodyID: p.BodyID, To: string(kind)}
		r, err := externals.Lock(ctx, tx, staffID)
		switch {
		case apperr.CodeOf(err) == apperr.NotFound:
			if base != 0 {
				return apperr.Stale("supervisedb.the_external_supervisor_s_kind")
			}
			return externals.Insert(ctx, tx, &externalRow{StaffID: staffID, Kind: string(kind)}, e)
		case err != nil:
			return err
		case r.Version != base:
			return apperr.Stale("supervisedb.the_external_supervisor_s_kind")
		}
		e.From, r.Kind = r.Kind, string(kind)
		return externals.Save(ctx, tx, &r, e)
	})
}

// ExternalKind is the kind recorded for external supervisor p.
func (s *Service) ExternalKind(ctx context.Context, p access.Principal) (supervise.ExternalKind, error) {
	return ExternalKindOf(ctx, s.db, p.StaffID)
}

// StaffPath is the body of staff member id, for a route's jurisdiction.
func (s *Service) StaffPath(ctx context.Context, id int64) (string, error) {
	var path string
	err := s.db.QueryRow(ctx, `SELECT b.path FROM staff s JOIN bodies b ON b.id = s.body_id WHERE s.id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("supervisedb.no_staff_member", id)
	}
	if err != nil {
		return "", fmt.Errorf("supervisedb: staff %d: %w", id, err)
	}
	return path, nil
}
