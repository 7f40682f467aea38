package complaintdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/store"
)

// Filter selects the office's list: a status ("" all, "open" the ones
// still handled) and a page of PageSize, ordered by due day then number.
type Filter struct {
	Status   string
	Page     int // from 1
	PageSize int // 50 when 0, at most 200
}

// Listed is a page of complaints, redacted (O4).
type Listed struct {
	Complaints []complaint.Complaint `json:"complaints"`
	Page       int                   `json:"page"`
	More       bool                  `json:"more"`
}

// List is the complaints of the principal's jurisdiction for the general
// office and supervisors (an index range on body path, status, due day).
func (s *Service) List(ctx context.Context, p access.Principal, f Filter) (Listed, error) {
	if !p.HasAny(access.RoleGeneralOffice, access.RoleSupervisor) {
		return Listed{}, apperr.Forbiddenf("complaintdb.only_the_general_office_and_supervisors")
	}
	if f.PageSize <= 0 {
		f.PageSize = 50
	}
	if f.PageSize > 200 {
		f.PageSize = 200
	}
	if f.Page < 1 {
		f.Page = 1
	}
	var statuses []string
	switch f.Status {
	case "":
		for _, st := range complaint.Statuses {
			statuses = append(statuses, string(st))
		}
	case "open":
		statuses = []string{"received", "accepted", "investigating", "found"}
	default:
		ok := false
		for _, st := range complaint.Statuses {
			ok = ok || string(st) == f.Status
		}
		if !ok {
			return Listed{}, apperr.Invalidf("status", "complaintdb.status_is_not_valid", f.Status)
		}
		statuses = []string{f.Status}
	}
	paths, err := s.bodyPaths(ctx, p.BodyPath)
	if err != nil {
		return Listed{}, err
	}
	q, args := listSQL(p.BodyPath, paths, statuses, f.PageSize+1, (f.Page-1)*f.PageSize)
	cs, err := s.query(ctx, q, args...)
	if err != nil {
		return Listed{}, err
	}
	out := Listed{Page: f.Page}
	if len(cs) > f.PageSize {
		cs, out.More = cs[:f.PageSize], true
	}
	unit, err := unitCodeOf(ctx, s.db, p)
	if err != nil {
		return Listed{}, err
	}
	for _, c := range cs {
		if complainedIn(p, unit, c) {
			continue // the complained person or unit does not see it (O4)
		}
		out.Complaints = append(out.Complaints, c.Redacted())
	}
	return out, nil
}

// maxListRanges bounds the index ranges one list reads at once (bodies ×
// statuses); a wider jurisdiction reads the path prefix and sorts.
const maxListRanges = 64

// listSQL is the list's page: limit rows from offset of the complaints of
// the bodies at paths (those under prefix) in statuses, by due day then
// id. Each (body, status) is one range of the index complaints_list
// (body_path, status, due_on, id), read in order and cut at offset+limit,
// so a page costs what it shows, not what the body holds (a body of
// 1,000,000 complaints: BENCHMARKS.md); the ranges are merged by the
// outer ORDER BY over at most maxListRanges × (offset+limit) index
// entries, and only the page's rows are read. A jurisdiction of more
// ranges than that reads the prefix and sorts.
func listSQL(prefix string, paths, statuses []string, limit, offset int) (string, []any) {
	if len(paths) == 0 || len(paths)*len(statuses) > maxListRanges {
		q := selectSQL + ` WHERE body_path LIKE ? AND status IN (?` + strings.Repeat(", ?", len(statuses)-1) + `) ORDER BY due_on, id LIMIT ? OFFSET ?`
		args := []any{prefix + "%"}
		for _, st := range statuses {
			args = append(args, st)
		}
		return q, append(args, limit, offset)
	}
	var parts []string
	var args []any
	for _, path := range paths {
		for _, st := range statuses {
			parts = append(parts, fmt.Sprintf(`SELECT id, due_on FROM (SELECT id, due_on FROM complaints WHERE body_path = ? AND status = ?
				ORDER BY due_on, id LIMIT %d) AS r%d`, offset+limit, len(parts)))
			args = append(args, path, st)
		}
	}
	q := `SELECT c.id, c.version, c.number, c.query_hash, c.body_id, c.body_path, c.status, c.target_key, c.target_unit, c.target_staff_id,
	c.ground, c.verified, c.due_on, c.received_at, c.answered_at, c.updated_at, c.data FROM complaints c JOIN (SELECT id, due_on FROM (` +
		strings.Join(parts, " UNION ALL ") + fmt.Sprintf(`) AS u ORDER BY due_on, id LIMIT %d OFFSET %d) AS page ON page.id = c.id ORDER BY c.due_on, c.id`, limit, offset)
	return q, args
}

// bodyPaths are the paths of the bodies under prefix (a jurisdiction).
func (s *Service) bodyPaths(ctx context.Context, prefix string) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT path FROM bodies WHERE path LIKE ? ORDER BY path LIMIT ?`, prefix+"%", maxListRanges+1)
	if err != nil {
		return nil, fmt.Errorf("complaintdb: bodies under %s: %w", prefix, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("complaintdb: bodies under %s: %w", prefix, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Service) query(ctx context.Context, q string, args ...any) ([]complaint.Complaint, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("complaintdb: list: %w", err)
	}
	defer rows.Close()
	var out []complaint.Complaint
	for rows.Next() {
		var r row
		if err := rows.Scan(complaints.Fields(&r)...); err != nil {
			return nil, fmt.Errorf("complaintdb: list: %w", err)
		}
		c, err := decode(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ToDos are the complaints waiting for p: for the general office, those to
// accept and those found and waiting for the answer; for an investigator,
// those to declare on or to find. Redacted.
func (s *Service) ToDos(ctx context.Context, p access.Principal) ([]complaint.Complaint, error) {
	var out []complaint.Complaint
	if p.Has(access.RoleGeneralOffice) {
		cs, err := s.query(ctx, selectSQL+` WHERE body_path LIKE ? AND status IN ('received', 'found')
			ORDER BY due_on, id LIMIT 50`, p.BodyPath+"%")
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if ok, err := complained(ctx, s.db, p, c); err != nil {
				return nil, err
			} else if !ok {
				out = append(out, c.Redacted())
			}
		}
	}
	if p.StaffID != 0 {
		cs, err := s.query(ctx, selectSQL+` WHERE body_id = ? AND status IN ('accepted', 'investigating') ORDER BY due_on, id LIMIT 200`, p.BodyID)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.IsInvestigator(p.StaffID) {
				out = append(out, c.Redacted())
			}
		}
	}
	return out, nil
}

// Tally is the year's tallies of verified complaints per staff member and
// per window within p's jurisdiction, with the P9 consequences, for
// leaders, the general office and supervisors. A complaint counts in the
// year it was answered.
func (s *Service) Tally(ctx context.Context, p access.Principal, year int) ([]complaint.TallyRow, error) {
	if !p.HasAny(access.RoleLeader, access.RoleGeneralOffice, access.RoleSupervisor) {
		return nil, apperr.Forbiddenf("complaintdb.only_leaders_the_general_office_and")
	}
	if year < 2000 || year > 9999 {
		return nil, apperr.Invalidf("year", "complaintdb.the_year_is_not_valid")
	}
	from := time.Date(year-1, 12, 31, 0, 0, 0, 0, time.UTC) // a day's margin for time zones, refined below
	to := time.Date(year+1, 1, 2, 0, 0, 0, 0, time.UTC)
	cs, err := s.query(ctx, selectSQL+` WHERE verified AND answered_at >= ? AND answered_at < ? AND body_path LIKE ?`,
		store.Micros(from), store.Micros(to), p.BodyPath+"%")
	if err != nil {
		return nil, err
	}
	var entries []complaint.TallyEntry
	windows := map[string]bool{}
	for _, c := range cs {
		if c.Answer == nil {
			continue
		}
		cal, err := s.cals.Calendar(ctx, c.BodyID)
		if err != nil {
			return nil, err
		}
		if cal.Date(c.Answer.At).Year() != year {
			continue
		}
		e := complaint.TallyEntry{Year: year, BodyID: c.BodyID, StaffID: c.Target.StaffID, Staff: c.Target.Staff, Unit: c.Target.Unit, UnitName: c.Target.UnitName}
		if e.Unit != "" {
			k := itoa(c.BodyID) + "/" + e.Unit
			w, seen := windows[k]
			if !seen {
				_, w, err = unitName(ctx, s.db, c.BodyID, e.Unit)
				if err != nil {
					return nil, err
				}
				windows[k] = w
			}
			e.Window = w
		}
		entries = append(entries, e)
	}
	return complaint.Tally(entries, s.rules(p.BodyID)), nil
}

// Unit is a unit the public may complain about.
type Unit struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Body is a body the public may complain to, with its units.
type Body struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Units []Unit `json:"units"`
}

// Bodies are the active bodies and their active units, in path order: the
// public form's choices.
func (s *Service) Bodies(ctx context.Context) ([]Body, error) {
	rows, err := s.db.Query(ctx, `SELECT b.id, b.name, COALESCE(u.code, ''), COALESCE(u.name, '') FROM bodies b
		LEFT JOIN units u ON u.body_id = b.id AND u.active WHERE b.active ORDER BY b.path, u.code`)
	if err != nil {
		return nil, fmt.Errorf("complaintdb: bodies: %w", err)
	}
	defer rows.Close()
	var out []Body
	for rows.Next() {
		var id int64
		var name, code, unit string
		if err := rows.Scan(&id, &name, &code, &unit); err != nil {
			return nil, fmt.Errorf("complaintdb: bodies: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, Body{ID: id, Name: name})
		}
		if code != "" {
			b := &out[len(out)-1]
			b.Units = append(b.Units, Unit{Code: code, Name: unit})
		}
	}
	return out, rows.Err()
}

// Path is the body path of complaint number (the routes' scope, O1).
func (s *Service) Path(ctx context.Context, number string) (string, error) {
	r, err := byNumber(ctx, s.db, number)
	if err != nil {
		return "", err
	}
	return r.BodyPath, nil
}

// Candidate is a staff member the office may name as investigator.
type Candidate struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Unit string `json:"unit"` // the unit's name
}

// Candidates are the active staff of a body, by unit: whom the office
// chooses investigators from (P5 refuses the complained unit's).
func (s *Service) Candidates(ctx context.Context, bodyID int64) ([]Candidate, error) {
	rows, err := s.db.Query(ctx, `SELECT s.id, s.name, COALESCE(u.name, '') FROM staff s LEFT JOIN units u ON u.id = s.unit_id
		WHERE s.body_id = ? AND s.active ORDER BY u.code, s.id`, bodyID)
	if err != nil {
		return nil, fmt.Errorf("complaintdb: candidates: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.ID, &c.Name, &c.Unit); err != nil {
			return nil, fmt.Errorf("complaintdb: candidates: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Rules are the complaint rules of a body.
func (s *Service) Rules(bodyID int64) complaint.Rules { return s.rules(bodyID) }

// unitCodeOf is the code of p's unit ("" for none): read once for a
// page, not once per complaint on it.
func unitCodeOf(ctx context.Context, q store.Querier, p access.Principal) (string, error) {
	if p.UnitID == 0 {
		return "", nil
	}
	var code string
	if err := q.QueryRow(ctx, `SELECT code FROM units WHERE id = ?`, p.UnitID).Scan(&code); err != nil {
		return "", fmt.Errorf("complaintdb: unit %d: %w", p.UnitID, err)
	}
	return code, nil
}

// complainedIn is complained with p's unit code already read.
func complainedIn(p access.Principal, unit string, c complaint.Complaint) bool {
	if p.StaffID != 0 && p.StaffID == c.Target.StaffID {
		return true
	}
	return c.Target.Unit != "" && unit != "" && p.BodyID == c.BodyID && unit == c.Target.Unit
}
