// Package complaintdb keeps complaints (投诉, issue #17): each complaint is
// one row of an audited aggregate (store.Declare) holding the complaint as
// JSON, its clocks (acceptance, then handling) are caldb clocks so that
// supervision can watch them, and every transition of the pure core
// (internal/complaint) is carried out in ONE write. The exported methods
// own their transaction and check who may see what: the complainant's
// identity only its handlers, every read of it an audited event (O4).
//
// Layout (migration 0800): complaints (number, query-code hash, body,
// status, target, ground, verified, due day, the complaint as JSON) and
// complaint_numbers (per body and year: complaint and answer sequences).
package complaintdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/store"
)

// ObjectComplaint is the object and root type of a complaint's events.
const ObjectComplaint = "complaint"

type row struct {
	ID, Version   int64
	Number        string
	QueryHash     string
	BodyID        int64
	BodyPath      string
	Status        string
	TargetKey     string
	TargetUnit    string
	TargetStaffID int64
	Ground        string
	Verified      bool
	DueOn         string
	ReceivedAt    int64
	AnsweredAt    int64
	UpdatedAt     int64
	Data          string
}

type state struct {
	ID            int64           `json:"id"`
	Version       int64           `json:"version"`
	Number        string          `json:"number"`
	QueryHash     string          `json:"query_hash"`
	BodyID        int64           `json:"body_id"`
	BodyPath      string          `json:"body_path"`
	Status        string          `json:"status"`
	TargetKey     string          `json:"target_key"`
	TargetUnit    string          `json:"target_unit"`
	TargetStaffID int64           `json:"target_staff_id"`
	Ground        string          `json:"ground"`
	Verified      bool            `json:"verified"`
	DueOn         string          `json:"due_on"`
	ReceivedAt    int64           `json:"received_at"`
	AnsweredAt    int64           `json:"answered_at"`
	UpdatedAt     int64           `json:"updated_at"`
	Data          json.RawMessage `json:"data"`
}

var complaints = store.Declare(store.Aggregate[row]{
	Table: "complaints", ObjectType: ObjectComplaint,
	Columns: []string{"number", "query_hash", "body_id", "body_path", "status", "target_key", "target_unit", "target_staff_id",
		"ground", "verified", "due_on", "received_at", "answered_at", "updated_at", "data"},
	Fields: func(r *row) []any {
		return []any{&r.ID, &r.Version, &r.Number, &r.QueryHash, &r.BodyID, &r.BodyPath, &r.Status, &r.TargetKey, &r.TargetUnit,
			&r.TargetStaffID, &r.Ground, &r.Verified, &r.DueOn, &r.ReceivedAt, &r.AnsweredAt, &r.UpdatedAt, &r.Data}
	},
	State: func(r *row) any {
		return state{ID: r.ID, Version: r.Version, Number: r.Number, QueryHash: r.QueryHash, BodyID: r.BodyID, BodyPath: r.BodyPath,
			Status: r.Status, TargetKey: r.TargetKey, TargetUnit: r.TargetUnit, TargetStaffID: r.TargetStaffID, Ground: r.Ground,
			Verified: r.Verified, DueOn: r.DueOn, ReceivedAt: r.ReceivedAt, AnsweredAt: r.AnsweredAt, UpdatedAt: r.UpdatedAt,
			Data: json.RawMessage(r.Data)}
	},
	Stale: func(r *row) error {
		return apperr.New(apperr.Conflict, apperr.FieldVersion, "complaintdb.complaint_was_changed_by_someone_else", r.Number, r.Version)
	},
})

const selectSQL = `SELECT id, version, number, query_hash, body_id, body_path, status, target_key, target_unit, target_staff_id,
	ground, verified, due_on, received_at, answered_at, updated_at, data FROM complaints`

// Service keeps complaints. It is safe for concurrent use.
type Service struct {
	db     *store.DB
	cals   *caldb.Service
	clocks *caldb.Clocks
	docs   *documentdb.Service
	rules  func(bodyID int64) complaint.Rules
	now    func() time.Time
	random io.Reader
}

// Options configure a Service.
type Options struct {
	// Rules are a body's complaint rules (the service-centre tiers are a
	// per-body choice, P6); complaint.DefaultRules when nil.
	Rules  func(bodyID int64) complaint.Rules
	Now    func() time.Time
	Random io.Reader
	// Documents issues the written answer as a sealed, numbered document
	// (P8, the kind document.ComplaintAnswer) in the answer's write; the
	// body's seal is then required to answer (H8). Without it (the
	// simulator) the answer carries a number of the complaints' own.
	Documents *documentdb.Service
}

// New returns the service over db, counting time on cals' calendars.
func New(db *store.DB, cals *caldb.Service, o Options) *Service {
	s := &Service{db: db, cals: cals, clocks: caldb.NewClocks(db, cals), docs: o.Documents, rules: o.Rules, now: o.Now, random: o.Random}
	if s.rules == nil {
		s.rules = func(int64) complaint.Rules { return complaint.DefaultRules() }
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.random == nil {
		s.random = rand.Reader
	}
	s.clocks.SetNow(s.now)
	return s
}

// DB is the database the service writes to.
func (s *Service) DB() *store.DB { return s.db }

// Clocks are the persisted clocks the service writes.
func (s *Service) Clocks() *caldb.Clocks { return s.clocks }

func decode(r row) (complaint.Complaint, error) {
	var c complaint.Complaint
	if err := json.Unmarshal([]byte(r.Data), &c); err != nil {
		return c, fmt.Errorf("complaintdb: complaint %d: %w", r.ID, err)
	}
	c.ID, c.Version = r.ID, r.Version
	return c, nil
}

// encode writes c into r's columns.
func encode(c complaint.Complaint, r *row, now time.Time) error {
	c.ID, c.Version = 0, 0
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("complaintdb: encode: %w", err)
	}
	r.Number, r.QueryHash, r.BodyID, r.BodyPath = c.Number, c.QueryCodeHash, c.BodyID, c.BodyPath
	r.Status, r.TargetKey, r.TargetUnit, r.TargetStaffID = string(c.Status), c.Target.Key(), c.Target.Unit, c.Target.StaffID
	r.Ground, r.Verified, r.DueOn = string(c.Ground), c.Verified, dayText(c.DueOn())
	r.ReceivedAt, r.UpdatedAt, r.Data = store.Micros(c.ReceivedAt), store.Micros(now), string(b)
	if c.Answer != nil {
		r.AnsweredAt = store.Micros(c.Answer.At)
	}
	return nil
}

func dayText(d calendar.Date) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// byNumber reads a complaint row by number (NotFound when none).
func byNumber(ctx context.Context, q store.Querier, number string) (row, error) {
	var r row
	err := q.QueryRow(ctx, selectSQL+` WHERE number = ?`, number).Scan(complaints.Fields(&r)...)
	if errors.Is(err, sql.ErrNoRows) {
		return r, complaint.ErrNoSuchComplaint()
	}
	if err != nil {
		return r, fmt.Errorf("complaintdb: %s: %w", number, err)
	}
	return r, nil
}

// body is what the service needs of a body.
type body struct {
	ID               int64
	Path, Code, Name string
}

func bodyByID(ctx context.Context, q store.Querier, id int64) (body, error) {
	var b body
	err := q.QueryRow(ctx, `SELECT id, path, code, name FROM bodies WHERE id = ? AND active`, id).Scan(&b.ID, &b.Path, &b.Code, &b.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.Invalidf("body", "complaintdb.no_such_body")
	}
	if err != nil {
		return b, fmt.Errorf("complaintdb: body %d: %w", id, err)
	}
	return b, nil
}

// staff is a staff member as complaints see them.
type staff struct {
	ID                 int64
	BodyID             int64
	Name, Unit, UnitNm string
	Head               bool
	Window             bool
}

func staffByID(ctx context.Context, q store.Querier, id int64) (staff, error) {
	var st staff
	var unit, unitName, kind sql.NullString
	err := q.QueryRow(ctx, `SELECT s.id, s.body_id, s.name, u.code, u.name, u.kind, s.is_head FROM staff s
		LEFT JOIN units u ON u.id = s.unit_id WHERE s.id = ? AND s.active`, id).
		Scan(&st.ID, &st.BodyID, &st.Name, &unit, &unitName, &kind, &st.Head)
	if errors.Is(err, sql.ErrNoRows) {
		return st, apperr.Invalidf("staff", "complaintdb.no_active_staff_member", id)
	}
	if err != nil {
		return st, fmt.Errorf("complaintdb: staff %d: %w", id, err)
	}
	st.Unit, st.UnitNm, st.Window = unit.String, unitName.String, kind.String == "window"
	return st, nil
}

// unitName is the name of a body's unit by code; "" when no such unit.
func unitName(ctx context.Context, q store.Querier, bodyID int64, code string) (name string, window bool, err error) {
	var kind string
	err = q.QueryRow(ctx, `SELECT name, kind FROM units WHERE body_id = ? AND code = ? AND active`, bodyID, code).Scan(&name, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("complaintdb: unit %s: %w", code, err)
	}
	return name, kind == "window", nil
}

// nextSeq draws the next number of kind for body and year, in the write.
func nextSeq(ctx context.Context, tx *store.Tx, bodyID int64, year int, kind string) (int64, error) {
	var seq int64
	if err := tx.QueryRow(ctx, `INSERT INTO complaint_numbers (body_id, year, kind, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (body_id, year, kind) DO UPDATE SET last = complaint_numbers.last + 1 RETURNING last`,
		bodyID, year, kind).Scan(&seq); err != nil {
		return 0, fmt.Errorf("complaintdb: %s number: %w", kind, err)
	}
	return seq, nil
}

func clockRef(number, kind string) caldb.Ref {
	return caldb.Ref{ObjectType: ObjectComplaint, ObjectID: number, Kind: kind}
}

func actorOf(p access.Principal) string {
	if p.Anonymous() {
		return "public"
	}
	return p.Login
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// errNotYours: a complaint outside the principal's view is as absent as
// one that does not exist.
func errNotYours() error { return complaint.ErrNoSuchComplaint() }

// caseUnit is the unit handling a case of the body, for a case target.
func caseUnit(ctx context.Context, q store.Querier, bodyPath, number string) (string, error) {
	if _, _, _, err := casework.ParseNumber("target.case", number); err != nil {
		return "", err
	}
	var unit string
	err := q.QueryRow(ctx, `SELECT unit FROM cases WHERE number = ? AND body_path = ?`, number, bodyPath).Scan(&unit)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.Invalidf("target.case", "complaintdb.this_body_has_no_case", number)
	}
	if err != nil {
		return "", fmt.Errorf("complaintdb: case %s: %w", number, err)
	}
	return unit, nil
}
