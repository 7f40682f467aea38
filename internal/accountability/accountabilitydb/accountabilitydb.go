// Package accountabilitydb keeps accountability records (责任追究, A1, A2):
// one audited aggregate (migration 0821). Supervisors open, hear and
// decide, within their jurisdiction; leaders, the general office and
// administrators read those of their jurisdiction; the person concerned
// reads their own (and a window's staff their window's). Exported methods
// own their write.
package accountabilitydb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/accountability"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// ObjectRecord is the object type of the records' events.
const ObjectRecord = "accountability"

type row struct {
	ID, Version int64
	BodyPath    string
	StaffID     int64
	Unit        string
	State       string
	Year, Seq   int64
	OpenedAt    int64
	Data        string
}

type rowState struct {
	ID       int64           `json:"id"`
	Version  int64           `json:"version"`
	BodyPath string          `json:"body_path"`
	StaffID  int64           `json:"staff_id"`
	Unit     string          `json:"unit"`
	State    string          `json:"state"`
	Year     int64           `json:"year"`
	Seq      int64           `json:"seq"`
	OpenedAt int64           `json:"opened_at"`
	Data     json.RawMessage `json:"data"`
}

var records = store.Declare(store.Aggregate[row]{
	Table: "accountability_records", ObjectType: ObjectRecord,
	Columns: []string{"body_path", "staff_id", "unit", "state", "year", "seq", "opened_at", "data"},
	Fields: func(r *row) []any {
		return []any{&r.ID, &r.Version, &r.BodyPath, &r.StaffID, &r.Unit, &r.State, &r.Year, &r.Seq, &r.OpenedAt, &r.Data}
	},
	State: func(r *row) any {
		return rowState{ID: r.ID, Version: r.Version, BodyPath: r.BodyPath, StaffID: r.StaffID, Unit: r.Unit, State: r.State,
			Year: r.Year, Seq: r.Seq, OpenedAt: r.OpenedAt, Data: json.RawMessage(r.Data)}
	},
	Stale: func(*row) error { return apperr.Stale("accountabilitydb.the_accountability_record") },
})

const selectRows = `SELECT id, version, body_path, staff_id, unit, state, year, seq, opened_at, data FROM accountability_records`

// Service keeps accountability records.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the service over db; now is its clock (time.Now when nil).
func New(db *store.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}

var cst = time.FixedZone("CST", 8*3600)

func staffOf(p access.Principal) accountability.Staff {
	return accountability.Staff{ID: p.StaffID, Login: p.Login, Name: p.Name}
}

func errNoRecord() error {
	return apperr.NotFoundf("accountabilitydb.no_such_accountability_record")
}

// Input opens a record: the subject (a staff member by id, or a window by
// its unit id), the ground, the facts, the measure proposed and the case
// it arose from (optional).
type Input struct {
	StaffID  int64
	WindowID int64
	Ground   string
	Facts    string
	Proposed string
	Case     string
}

// subject reads the staff member or window held to account.
func (s *Service) subject(ctx context.Context, q store.Querier, in Input) (accountability.Subject, error) {
	switch {
	case in.StaffID > 0 && in.WindowID == 0:
		sub := accountability.Subject{Kind: accountability.StaffMember, StaffID: in.StaffID}
		err := q.QueryRow(ctx, `SELECT s.name, COALESCE(u.code, ''), b.id, b.path FROM staff s JOIN bodies b ON b.id = s.body_id
			LEFT JOIN units u ON u.id = s.unit_id WHERE s.id = ?`, in.StaffID).Scan(&sub.Name, &sub.Unit, &sub.BodyID, &sub.BodyPath)
		if errors.Is(err, sql.ErrNoRows) {
			return sub, apperr.Invalidf("subject", "accountabilitydb.no_such_staff_member")
		}
		return sub, err
	case in.WindowID > 0 && in.StaffID == 0:
		sub := accountability.Subject{Kind: accountability.Window}
		var kind string
		err := q.QueryRow(ctx, `SELECT u.name, u.code, u.kind, b.id, b.path FROM units u JOIN bodies b ON b.id = u.body_id WHERE u.id = ?`,
			in.WindowID).Scan(&sub.Name, &sub.Unit, &kind, &sub.BodyID, &sub.BodyPath)
		if errors.Is(err, sql.ErrNoRows) || err == nil && kind != "window" {
			return sub, apperr.Invalidf("subject", "accountabilitydb.no_such_window")
		}
		return sub, err
	}
	return accountability.Subject{}, apperr.Invalidf("subject", "accountabilitydb.choose_one_staff_member_or_one")
}

func (s *Service) supervisor(p access.Principal, path string) error {
	if !p.Has(access.RoleSupervisor) {
		return apperr.Forbiddenf("accountabilitydb.supervisors_handle_accountability_records")
	}
	if !p.Covers(path) {
		return errNoRecord()
	}
	return nil
}

// Open records a new accountability matter (supervisors).
func (s *Service) Open(ctx context.Context, p access.Principal, in Input) (accountability.Record, error) {
	if !p.Has(access.RoleSupervisor) {
		return accountability.Record{}, apperr.Forbiddenf("accountabilitydb.supervisors_handle_accountability_records")
	}
	var out accountability.Record
	now := s.now()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		sub, err := s.subject(ctx, tx, in)
		if err != nil {
			return err
		}
		if !p.Covers(sub.BodyPath) {
			return apperr.New(apperr.Forbidden, "subject", "accountabilitydb.the_subject_is_outside_your_jurisdiction")
		}
		r, err := accountability.Open(sub, in.Ground, in.Facts, in.Proposed, in.Case, staffOf(p), now)
		if err != nil {
			return err
		}
		rw, err := rowOf(r)
		if err != nil {
			return err
		}
		if err := records.Insert(ctx, tx, &rw, store.Event{Actor: p.Login, Action: "accountability.opened", BodyID: sub.BodyID,
			To: string(r.Ground)}); err != nil {
			return err
		}
		r.ID, r.Version = rw.ID, int(rw.Version)
		out = r
		return nil
	})
	return out, err
}

func rowOf(r accountability.Record) (row, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return row{}, fmt.Errorf("accountabilitydb: encoding record %d: %w", r.ID, err)
	}
	return row{ID: r.ID, Version: int64(r.Version), BodyPath: r.Subject.BodyPath, StaffID: r.Subject.StaffID, Unit: r.Subject.Unit,
		State: string(r.State), OpenedAt: store.Micros(r.Opened), Data: string(b)}, nil
}

func recordOf(rw row) (accountability.Record, error) {
	var r accountability.Record
	if err := json.Unmarshal([]byte(rw.Data), &r); err != nil {
		return r, fmt.Errorf("accountabilitydb: record %d: %w", rw.ID, err)
	}
	r.ID, r.Version = rw.ID, int(rw.Version)
	return r, nil
}

// Hear records the person's statement (supervisors).
func (s *Service) Hear(ctx context.Context, p access.Principal, id, base int64, statement string) (accountability.Record, error) {
	return s.change(ctx, p, id, base, "accountability.heard", func(tx *store.Tx, r accountability.Record, rw *row) (accountability.Record, error) {
		return accountability.Hear(r, statement, staffOf(p), s.now())
	})
}

// Decide decides the measure and numbers its document (supervisors); a
// record whose person was not heard is refused (A2).
func (s *Service) Decide(ctx context.Context, p access.Principal, id, base int64, measure, reasons string) (accountability.Record, error) {
	return s.change(ctx, p, id, base, "accountability.decided", func(tx *store.Tx, r accountability.Record, rw *row) (accountability.Record, error) {
		now := s.now()
		year := int64(now.In(cst).Year())
		var seq int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(seq), 0) + 1 FROM accountability_records WHERE year = ?`, year).Scan(&seq); err != nil {
			return r, err
		}
		r, err := accountability.Decide(r, measure, reasons, staffOf(p), now, accountability.DocumentNumber(int(year), int(seq)))
		if err == nil {
			rw.Year, rw.Seq = year, seq
		}
		return r, err
	})
}

func (s *Service) change(ctx context.Context, p access.Principal, id, base int64, action string,
	step func(*store.Tx, accountability.Record, *row) (accountability.Record, error)) (accountability.Record, error) {
	var out accountability.Record
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		rw, err := records.Lock(ctx, tx, id)
		if apperr.CodeOf(err) == apperr.NotFound {
			return errNoRecord()
		}
		if err != nil {
			return err
		}
		if err := s.supervisor(p, rw.BodyPath); err != nil {
			return err
		}
		if base != 0 && base != rw.Version {
			return records.Stale(&rw)
		}
		r, err := recordOf(rw)
		if err != nil {
			return err
		}
		if r, err = step(tx, r, &rw); err != nil {
			return err
		}
		next, err := rowOf(r)
		if err != nil {
			return err
		}
		next.Version, next.Year, next.Seq = rw.Version, rw.Year, rw.Seq
		if err := records.Save(ctx, tx, &next, store.Event{Actor: p.Login, Action: action, BodyID: r.Subject.BodyID, From: string(rw.State), To: next.State}); err != nil {
			return err
		}
		r.Version = int(next.Version)
		out = r
		return nil
	})
	return out, err
}

// overseer reports whether p reads every record of its jurisdiction.
func overseer(p access.Principal) bool {
	return p.Has(access.RoleSupervisor) || p.Has(access.RoleLeader) || p.Has(access.RoleGeneralOffice) || p.Has(access.RoleAdmin)
}

// ownUnit is the code of p's unit ("" for none).
func (s *Service) ownUnit(ctx context.Context, p access.Principal) (string, error) {
	if p.UnitID == 0 {
		return "", nil
	}
	var code string
	err := s.db.QueryRow(ctx, `SELECT code FROM units WHERE id = ?`, p.UnitID).Scan(&code)
	return code, err
}

// visible reports whether p may read the record rw: overseers of its
// jurisdiction, the person concerned, a window's own staff.
func (s *Service) visible(ctx context.Context, p access.Principal, rw row) (bool, error) {
	if p.Anonymous() {
		return false, nil
	}
	if overseer(p) && p.Covers(rw.BodyPath) {
		return true, nil
	}
	if rw.StaffID != 0 {
		return rw.StaffID == p.StaffID, nil
	}
	unit, err := s.ownUnit(ctx, p)
	return err == nil && unit != "" && unit == rw.Unit && rw.BodyPath == p.BodyPath, err
}

// Get is record id, for those who may read it.
func (s *Service) Get(ctx context.Context, p access.Principal, id int64) (accountability.Record, error) {
	var rw row
	err := s.db.QueryRow(ctx, selectRows+` WHERE id = ?`, id).Scan(records.Fields(&rw)...)
	if errors.Is(err, sql.ErrNoRows) {
		return accountability.Record{}, errNoRecord()
	}
	if err != nil {
		return accountability.Record{}, err
	}
	ok, err := s.visible(ctx, p, rw)
	if err != nil {
		return accountability.Record{}, err
	}
	if !ok {
		return accountability.Record{}, errNoRecord()
	}
	return recordOf(rw)
}

// List is the records p may read, newest first (at most 200): an
// overseer's jurisdiction, else one's own and one's window's.
func (s *Service) List(ctx context.Context, p access.Principal) ([]accountability.Record, error) {
	if p.Anonymous() {
		return nil, apperr.Forbiddenf("accountabilitydb.staff_only")
	}
	q, args := selectRows+` WHERE body_path LIKE ?`, []any{p.BodyPath + "%"}
	if !overseer(p) {
		unit, err := s.ownUnit(ctx, p)
		if err != nil {
			return nil, err
		}
		q, args = selectRows+` WHERE staff_id = ? OR (staff_id = 0 AND body_path = ? AND unit = ? AND unit <> '')`, []any{p.StaffID, p.BodyPath, unit}
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY opened_at DESC, id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accountability.Record
	for rows.Next() {
		var rw row
		if err := rows.Scan(records.Fields(&rw)...); err != nil {
			return nil, err
		}
		r, err := recordOf(rw)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Path is the body path of record id, for the routes' scope.
func (s *Service) Path(ctx context.Context, id int64) (string, error) {
	var path string
	err := s.db.QueryRow(ctx, `SELECT body_path FROM accountability_records WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoRecord()
	}
	return path, err
}

// Candidate is a staff member or window a record may name.
type Candidate struct {
	StaffID, WindowID int64
	Name              string
	Body              string
}

// Candidates are the staff and windows of p's jurisdiction (at most 500),
// for the form's choice.
func (s *Service) Candidates(ctx context.Context, p access.Principal) ([]Candidate, error) {
	rows, err := s.db.Query(ctx, `SELECT s.id, 0, s.name, b.name FROM staff s JOIN bodies b ON b.id = s.body_id WHERE b.path LIKE ? AND s.active
		UNION ALL SELECT 0, u.id, u.name, b.name FROM units u JOIN bodies b ON b.id = u.body_id WHERE b.path LIKE ? AND u.kind = 'window' AND u.active
		ORDER BY 4, 3 LIMIT 500`, p.BodyPath+"%", p.BodyPath+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.StaffID, &c.WindowID, &c.Name, &c.Body); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Demo gives the demo two records when it has none: the staff member
// person held to account for a late case (heard, decided: an admonition
// talk), and the window of window's staff for an unstaffed counter (heard,
// waiting for the decision), both by supervisor.
func (s *Service) Demo(ctx context.Context, supervisor, person, window access.Principal) error {
	var have int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM accountability_records`).Scan(&have); err != nil || have > 0 {
		return err
	}
	r, err := s.Open(ctx, supervisor, Input{StaffID: person.StaffID, Ground: "first_responder_or_time_limit",
		Facts: "所办户外广告设置许可办件超过承诺时限三个工作日未办结，亮红牌后经督办方才办结。", Proposed: "admonition_talk"})
	if err != nil {
		return err
	}
	if r, err = s.Hear(ctx, supervisor, r.ID, int64(r.Version), "因现场踏勘安排延误所致，本人负有责任，今后加强时限管理。"); err != nil {
		return err
	}
	if _, err := s.Decide(ctx, supervisor, r.ID, int64(r.Version), "admonition_talk", "逾期事实清楚，当事人已陈述申辩，认错态度较好，给予诫勉谈话。"); err != nil {
		return err
	}
	w, err := s.Open(ctx, supervisor, Input{WindowID: window.UnitID, Ground: "unstaffed_window_or_lateness",
		Facts: "工作日上午 9:10 巡查时窗口无人值守，群众等候约十分钟。", Proposed: "criticism_education"})
	if err != nil {
		return err
	}
	_, err = s.Hear(ctx, supervisor, w.ID, int64(w.Version), "窗口负责人陈述：当班人员临时去档案室取材料，未安排AB岗替补。")
	return err
}
