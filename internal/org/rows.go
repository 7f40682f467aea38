package org

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/store"
)

// querier is what both *store.DB (the reader pool) and *store.Tx offer, so
// one read function serves a page and a check inside a write.
type querier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

type scanner interface{ Scan(dest ...any) error }

const bodyCols = "b.id, b.parent_id, b.path, b.level, b.code, b.name, b.time_zone, b.active, b.version, b.created_at, b.updated_at"

func scanBody(sc scanner) (Body, error) {
	var b Body
	var parent sql.NullInt64
	var level string
	var created, updated int64
	if err := sc.Scan(&b.ID, &parent, &b.Path, &level, &b.Code, &b.Name, &b.TimeZone, &b.Active, &b.Version, &created, &updated); err != nil {
		return Body{}, err
	}
	b.ParentID = parent.Int64
	b.Level = Level(level)
	b.CreatedAt, b.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return b, nil
}

const unitCols = "u.id, u.body_id, u.kind, u.code, u.name, u.head_staff_id, u.active, u.version, u.created_at, u.updated_at"

func scanUnit(sc scanner) (Unit, error) {
	var u Unit
	var head sql.NullInt64
	var kind string
	var created, updated int64
	if err := sc.Scan(&u.ID, &u.BodyID, &kind, &u.Code, &u.Name, &head, &u.Active, &u.Version, &created, &updated); err != nil {
		return Unit{}, err
	}
	u.Kind = UnitKind(kind)
	u.HeadStaffID = head.Int64
	u.CreatedAt, u.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return u, nil
}

const staffCols = "s.id, s.body_id, s.unit_id, s.name, s.phone, s.roles, s.is_head, s.is_liaison, s.active, s.version, s.created_at, s.updated_at"

func scanStaff(sc scanner) (Staff, error) {
	var s Staff
	var unit sql.NullInt64
	var roles string
	var created, updated int64
	if err := sc.Scan(&s.ID, &s.BodyID, &unit, &s.Name, &s.Phone, &roles, &s.IsHead, &s.IsLiaison, &s.Active, &s.Version, &created, &updated); err != nil {
		return Staff{}, err
	}
	s.UnitID = unit.Int64
	s.Roles = parseRolesText(roles)
	s.CreatedAt, s.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return s, nil
}

const qualCols = "q.id, q.staff_id, q.cert_no, q.scope, q.valid_from, q.valid_to, q.active, q.version, q.created_at, q.updated_at"

func scanQual(sc scanner) (Qualification, error) {
	var q Qualification
	var created, updated int64
	if err := sc.Scan(&q.ID, &q.StaffID, &q.CertNo, &q.Scope, &q.ValidFrom, &q.ValidTo, &q.Active, &q.Version, &created, &updated); err != nil {
		return Qualification{}, err
	}
	q.CreatedAt, q.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return q, nil
}

// object names an object kind (body, unit, staff, qualification) in words.
func object(what string) msg.Message { return msg.M("org.object." + what) }

func notFound(what string, id int64) error {
	return apperr.New(apperr.NotFound, "", "org.does_not_exist", object(what), id)
}

// stale is the error of an edit of the object what (a kind of object)
// named name, based on a version it is no longer at.
func stale(what, name string) error {
	return apperr.Stale("org.object_named", object(what), name)
}

// checkBase refuses a change based on another version than the row is at
// (concurrent edits): base is the version the caller read the object at,
// 0 for an action whose caller did not say (not checked).
func checkBase(what, name string, base, current int64) error {
	if base != 0 && base != current {
		return stale(what, name)
	}
	return nil
}

// checkEditBase is checkBase for an edit, which must say which version it
// is based on: it replaces fields the editor saw, so they must have seen
// them. Called after the permission checks: a forbidden edit is refused
// as such whatever version it names.
func checkEditBase(what, name string, base, current int64) error {
	if base <= 0 {
		return apperr.VersionMissing()
	}
	return checkBase(what, name, base, current)
}

// save changes one versioned row: set is "col = ?, …" with its args. It
// applies only while the row is still at version, the version this write
// read it at (under the checks the caller made), and moves the row to
// version + 1; should another instance have changed the row meanwhile,
// the write fails with the error ifStale and changes nothing.
func save(ctx context.Context, tx *store.Tx, table string, id, version int64, ifStale error, set string, args ...any) {
	tx.QueueExpect(ctx, 1, ifStale, saveSQL(table, set), append(args, id, version)...)
}

// saveUnique is save for a change that may break a unique index (a code):
// run at once, so that a concurrent writer's duplicate becomes the
// Conflict on field (zh, en) rather than an internal error.
func saveUnique(ctx context.Context, tx *store.Tx, table string, id, version int64, ifStale error, field, key, set string, args ...any) error {
	res, err := tx.Exec(ctx, saveSQL(table, set), append(args, id, version)...)
	if err != nil {
		return uniqueConflict(err, field, key)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return ifStale
	}
	return nil
}

func saveSQL(table, set string) string {
	return `UPDATE ` + table + ` SET ` + set + `, version = version + 1 WHERE id = ? AND version = ?`
}

func getBody(ctx context.Context, q querier, id int64) (Body, error) {
	b, err := scanBody(q.QueryRow(ctx, `SELECT `+bodyCols+` FROM bodies b WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Body{}, notFound("body", id)
	}
	return b, err
}

func getBodyByCode(ctx context.Context, q querier, code string) (Body, bool, error) {
	b, err := scanBody(q.QueryRow(ctx, `SELECT `+bodyCols+` FROM bodies b WHERE b.code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return Body{}, false, nil
	}
	return b, err == nil, err
}

func getUnit(ctx context.Context, q querier, id int64) (Unit, error) {
	u, err := scanUnit(q.QueryRow(ctx, `SELECT `+unitCols+` FROM units u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, notFound("unit", id)
	}
	return u, err
}

func getStaff(ctx context.Context, q querier, id int64) (Staff, error) {
	s, err := scanStaff(q.QueryRow(ctx, `SELECT `+staffCols+` FROM staff s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Staff{}, notFound("staff", id)
	}
	return s, err
}

func getQual(ctx context.Context, q querier, id int64) (Qualification, error) {
	x, err := scanQual(q.QueryRow(ctx, `SELECT `+qualCols+` FROM staff_qualifications q WHERE q.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Qualification{}, notFound("qualification", id)
	}
	return x, err
}

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func count(ctx context.Context, q querier, query string, args ...any) (int, error) {
	var n int
	err := q.QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// uniqueConflict turns a unique-constraint violation (a concurrent writer on
// another instance won the race past our own check) into a Conflict.
func uniqueConflict(err error, field, key string, args ...any) error {
	if store.IsUniqueViolation(err) {
		e := apperr.New(apperr.Conflict, field, key, args...)
		e.Err = err
		return e
	}
	return err
}

// lockRow takes the row lock of one row for the rest of the write (a no-op
// update: PostgreSQL locks the row; SQLite's writer holds the database
// anyway), so that checks spanning several rows (O2 counts, a subtree's
// paths) cannot race a writer on another instance.
func lockRow(ctx context.Context, tx *store.Tx, table string, id int64) error {
	_, err := tx.Exec(ctx, `UPDATE `+table+` SET updated_at = updated_at WHERE id = ?`, id)
	return err
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// likeEscape escapes LIKE wildcards in user text; queries add ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
