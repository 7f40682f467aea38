package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
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

// The columns of the list reads, in the order of each aggregate's Fields
// (id, version, then its Columns), with the query's table alias.
const (
	bodyCols  = "b.id, b.version, b.parent_id, b.path, b.level, b.code, b.name, b.time_zone, b.active, b.created_at, b.updated_at"
	unitCols  = "u.id, u.version, u.body_id, u.kind, u.code, u.name, u.head_staff_id, u.active, u.created_at, u.updated_at"
	staffCols = "s.id, s.version, s.body_id, s.unit_id, s.name, s.phone, s.roles, s.is_head, s.is_liaison, s.active, s.created_at, s.updated_at"
	qualCols  = "q.id, q.version, q.staff_id, q.cert_no, q.scope, q.valid_from, q.valid_to, q.active, q.created_at, q.updated_at"
)

func scanBody(sc scanner) (Body, error) {
	var r bodyRow
	err := sc.Scan(bodies.Fields(&r)...)
	return r.body(), err
}

func scanUnit(sc scanner) (Unit, error) {
	var r unitRow
	err := sc.Scan(units.Fields(&r)...)
	return r.unit(), err
}

func scanStaff(sc scanner) (Staff, error) {
	var r staffRow
	err := sc.Scan(staffRows.Fields(&r)...)
	return r.staff(), err
}

func scanQual(sc scanner) (Qualification, error) {
	var r qualRow
	err := sc.Scan(quals.Fields(&r)...)
	return r.qual(), err
}

// objectZh names the object kinds in Chinese (the English is the kind).
var objectZh = map[string]string{"body": "机构", "unit": "单位", "staff": "人员", "qualification": "执法证"}

func notFound(what string, id int64) error {
	return apperr.New(apperr.NotFound, "", "org.does_not_exist", objectZh[what], id, what)
}

// object names an object kind (body, unit, staff, qualification) in words.
func object(what string) msg.Message { return msg.M("org.object." + what) }

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

// orgNotFound words the store's not-found in the organisation's terms.
func orgNotFound(err error, what string, id int64) error {
	if apperr.CodeOf(err) == apperr.NotFound {
		return notFound(what, id)
	}
	return err
}

func getBody(ctx context.Context, q querier, id int64) (Body, error) {
	r, err := bodies.Get(ctx, q, id)
	return r.body(), orgNotFound(err, "body", id)
}

func getBodyByCode(ctx context.Context, q querier, code string) (Body, bool, error) {
	b, err := scanBody(q.QueryRow(ctx, `SELECT `+bodyCols+` FROM bodies b WHERE b.code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return Body{}, false, nil
	}
	return b, err == nil, err
}

func getUnit(ctx context.Context, q querier, id int64) (Unit, error) {
	r, err := units.Get(ctx, q, id)
	return r.unit(), orgNotFound(err, "unit", id)
}

func getStaff(ctx context.Context, q querier, id int64) (Staff, error) {
	r, err := staffRows.Get(ctx, q, id)
	return r.staff(), orgNotFound(err, "staff", id)
}

func getQual(ctx context.Context, q querier, id int64) (Qualification, error) {
	r, err := quals.Get(ctx, q, id)
	return r.qual(), orgNotFound(err, "qualification", id)
}

// The lock… functions read a row a write is about to change (or whose
// neighbours' counts it checks, O2), locked until the write commits on
// every instance, and refuse a row that differs from its last event.

func lockBody(ctx context.Context, tx *store.Tx, id int64) (Body, error) {
	r, err := bodies.Lock(ctx, tx, id)
	return r.body(), orgNotFound(err, "body", id)
}

func lockUnit(ctx context.Context, tx *store.Tx, id int64) (Unit, error) {
	r, err := units.Lock(ctx, tx, id)
	return r.unit(), orgNotFound(err, "unit", id)
}

func lockStaff(ctx context.Context, tx *store.Tx, id int64) (Staff, error) {
	r, err := staffRows.Lock(ctx, tx, id)
	return r.staff(), orgNotFound(err, "staff", id)
}

// LockStaff locks a staff member's row for the rest of a write (another
// package's check spanning the member's rows, such as their reform seats,
// then cannot race a writer on another instance), refusing a row that
// differs from its last event.
func LockStaff(ctx context.Context, tx *store.Tx, id int64) (Staff, error) {
	return lockStaff(ctx, tx, id)
}

func lockQual(ctx context.Context, tx *store.Tx, id int64) (Qualification, error) {
	r, err := quals.Lock(ctx, tx, id)
	return r.qual(), orgNotFound(err, "qualification", id)
}

// event is an org event by p; payload (optional) is a detail such as the
// changed fields. The saving aggregate sets its object and State.
func event(p access.Principal, action string, bodyID int64, from, to string, payload any) (store.Event, error) {
	e := store.Event{Actor: p.Login, Action: action, BodyID: bodyID, From: from, To: to}
	if payload != nil {
		pl, err := json.Marshal(payload)
		if err != nil {
			return e, fmt.Errorf("org: %s payload: %w", action, err)
		}
		e.Payload = pl
	}
	return e, nil
}

// save saves r (read with a lock… function in this write) as the row
// after the change, moves it to its next version and emits e with its
// State (err, the error of building e, is returned as it is): queued, or
// at once when unique names the unique index the change
// may break — then a concurrent writer's duplicate is the Conflict it
// describes rather than an internal error.
func save[R any](ctx context.Context, tx *store.Tx, a *store.Aggregate[R], r *R, e store.Event, err error, unique *uniqueIndex) error {
	if err != nil {
		return err
	}
	if unique == nil {
		return a.Save(ctx, tx, r, e)
	}
	return uniqueConflict(a.SaveNow(ctx, tx, r, e), unique.field, unique.key)
}

// uniqueIndex is the field a unique index keeps unique, and the message
// key of its Conflict.
type uniqueIndex struct{ field, key string }

var (
	bodyCodeUnique = &uniqueIndex{"code", "org.the_body_code_is_already_used"}
	unitCodeUnique = &uniqueIndex{"code", "org.the_unit_code_is_already_used"}
	certNoUnique   = &uniqueIndex{"cert_no", "org.the_certificate_number_is_already_registered"}
)

func saveBody(ctx context.Context, tx *store.Tx, b *Body, e store.Event, err error, unique *uniqueIndex) error {
	r := bodyState(*b)
	err = save(ctx, tx, bodies, &r, e, err, unique)
	b.Version = r.Version
	return err
}

func saveUnit(ctx context.Context, tx *store.Tx, u *Unit, e store.Event, err error, unique *uniqueIndex) error {
	r := unitState(*u)
	err = save(ctx, tx, units, &r, e, err, unique)
	u.Version = r.Version
	return err
}

func saveStaff(ctx context.Context, tx *store.Tx, st *Staff, e store.Event, err error) error {
	r := staffState(*st)
	err = save(ctx, tx, staffRows, &r, e, err, nil)
	st.Version = r.Version
	return err
}

func saveQual(ctx context.Context, tx *store.Tx, q *Qualification, e store.Event, err error, unique *uniqueIndex) error {
	r := qualState(*q)
	err = save(ctx, tx, quals, &r, e, err, unique)
	q.Version = r.Version
	return err
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

func scanID(sc scanner) (int64, error) {
	var id int64
	err := sc.Scan(&id)
	return id, err
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

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// likeEscape escapes LIKE wildcards in user text; queries add ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
