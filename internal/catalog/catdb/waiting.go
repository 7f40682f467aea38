package catdb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/store"
)

// Person is a member of staff named where something waits for them.
type Person struct {
	StaffID int64  `json:"staff_id"`
	Name    string `json:"name"`
	Unit    string `json:"unit,omitempty"`
	roles   string // as stored, for filtering by role
}

// Capacities in which someone is waited for (Waiting.Role).
const (
	AsUnitHead      = "unit_head"      // signs the unit's adjustment (C3)
	AsListLiaison   = "list_liaison"   // revises a returned draft; reviews a derived item (C6)
	AsGeneralOffice = "general_office" // initial review, publication, derived-list review
	AsReformOffice  = "reform_office"  // the upper level's review groups (C3), exemptions (C5)
)

// Waiting says who must take the next step, in what capacity (As*; Group
// for the reform office's review groups) and which step it is. People is
// empty when nobody holds the capacity (a unit without a head): the page
// says so, since then an administrator must act first.
type Waiting struct {
	Role   string              `json:"role"`
	Group  catalog.ReformGroup `json:"group,omitempty"`
	Step   catalog.ActionKind  `json:"step,omitempty"`
	People []Person            `json:"people"`
}

// Has reports whether staff member id is among those waited for.
func (w Waiting) Has(id int64) bool {
	return slices.ContainsFunc(w.People, func(p Person) bool { return p.StaffID == id })
}

// NextActors says who must act next on an adjustment, by its stage (C3):
// the unit head signs a draft, the liaisons revise a returned one, the
// body's general office reviews and publishes, and each review group of the
// upper reform office not yet confirmed confirms — without the initial
// reviewer, who may not confirm too. A published or withdrawn adjustment
// waits for nobody.
func (s *Service) NextActors(ctx context.Context, a Adjustment) ([]Waiting, error) {
	return nextActors(ctx, s.db, a.Adjustment)
}

func nextActors(ctx context.Context, q store.Querier, a catalog.Adjustment) ([]Waiting, error) {
	one := func(role string, step catalog.ActionKind, people []Person, err error) ([]Waiting, error) {
		if err != nil {
			return nil, err
		}
		return []Waiting{{Role: role, Step: step, People: people}}, nil
	}
	switch a.Stage {
	case catalog.StageDrafting:
		ps, err := staffWhere(ctx, q, `s.unit_id = ? AND s.is_head = TRUE`, a.UnitID)
		return one(AsUnitHead, catalog.ActSign, ps, err)
	case catalog.StageReturned:
		ps, err := staffWhere(ctx, q, `s.unit_id = ? AND s.is_liaison = TRUE`, a.UnitID)
		return one(AsListLiaison, catalog.ActDraft, ps, err)
	case catalog.StageSigned:
		ps, err := generalOffice(ctx, q, a.BodyID)
		return one(AsGeneralOffice, catalog.ActOfficeApprove, ps, err)
	case catalog.StageApproved:
		ps, err := generalOffice(ctx, q, a.BodyID)
		return one(AsGeneralOffice, catalog.ActPublish, ps, err)
	case catalog.StageOfficeReviewed:
		initial, err := staffOfLogin(ctx, q, a.LastActor(catalog.ActOfficeApprove))
		if err != nil {
			return nil, err
		}
		var out []Waiting
		for _, g := range []catalog.ReformGroup{catalog.PowerListGroup, catalog.DutyListGroup} {
			if slices.Contains(a.Confirmed, g) {
				continue
			}
			ps, err := reformMembers(ctx, q, a.UpperBodyID, string(g))
			if err != nil {
				return nil, err
			}
			ps = slices.DeleteFunc(ps, func(p Person) bool { return p.StaffID == initial })
			out = append(out, Waiting{Role: AsReformOffice, Group: g, Step: catalog.ActGroupApprove, People: ps})
		}
		return out, nil
	}
	return nil, nil
}

// ReviewActors says who must act on a derived-list review task (C6): the
// body's list liaisons and general office while it is open, the upper
// level's reform office while an exemption waits for approval (C5).
func (s *Service) ReviewActors(ctx context.Context, r Review) ([]Waiting, error) {
	return reviewActors(ctx, s.db, r)
}

func reviewActors(ctx context.Context, q store.Querier, r Review) ([]Waiting, error) {
	if r.Status != ReviewOpen {
		return nil, nil
	}
	if r.AwaitingApproval() {
		ps, err := reformMembers(ctx, q, r.UpperBodyID, "")
		if err != nil {
			return nil, err
		}
		return []Waiting{{Role: AsReformOffice, People: ps}}, nil
	}
	ps, err := staffWhere(ctx, q, `s.body_id = ?`, r.BodyID)
	if err != nil {
		return nil, err
	}
	ps = slices.DeleteFunc(ps, func(p Person) bool { return !p.can(access.RoleListLiaison, access.RoleGeneralOffice) })
	return []Waiting{{Role: AsListLiaison, People: ps}}, nil
}

// can reports whether the person holds one of roles.
func (p Person) can(roles ...access.Role) bool {
	held := strings.Split(p.roles, ",")
	return slices.ContainsFunc(roles, func(r access.Role) bool { return slices.Contains(held, string(r)) })
}

// staffWhere lists the active staff matching cond (on staff s), with their
// unit's name.
func staffWhere(ctx context.Context, q store.Querier, cond string, args ...any) ([]Person, error) {
	rows, err := q.Query(ctx, `SELECT s.id, s.name, COALESCE(u.name, ''), s.roles FROM staff s LEFT JOIN units u ON u.id = s.unit_id
		WHERE s.active = TRUE AND `+cond+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.StaffID, &p.Name, &p.Unit, &p.roles); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// generalOffice lists the general-office staff of a body.
func generalOffice(ctx context.Context, q store.Querier, bodyID int64) ([]Person, error) {
	ps, err := staffWhere(ctx, q, `s.body_id = ?`, bodyID)
	return slices.DeleteFunc(ps, func(p Person) bool { return !p.can(access.RoleGeneralOffice) }), err
}

// reformMembers lists the members of a body's reform office review group
// (grp), or of either group (grp "").
func reformMembers(ctx context.Context, q store.Querier, bodyID int64, grp string) ([]Person, error) {
	cond := `s.id IN (SELECT m.staff_id FROM catalog_reform_members m WHERE m.body_id = ? AND m.active = TRUE AND (m.grp = ? OR ? = ''))`
	ps, err := staffWhere(ctx, q, cond, bodyID, grp, grp)
	return slices.DeleteFunc(ps, func(p Person) bool { return !p.can(access.RoleGeneralOffice) }), err
}

// staffOfLogin finds the staff member behind a trace's actor: an account's
// login, or "staff:ID" for one without (login). 0 when none.
func staffOfLogin(ctx context.Context, q store.Querier, who string) (int64, error) {
	if who == "" {
		return 0, nil
	}
	if rest, ok := strings.CutPrefix(who, "staff:"); ok {
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return 0, nil // not a staff reference: nobody to leave out
		}
		return id, nil
	}
	var id int64
	err := q.QueryRow(ctx, `SELECT staff_id FROM accounts WHERE login = ?`, who).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// Task is something in the list that waits for one person: the next step
// of an adjustment, or a derived-list review (C6) with its due date and the
// working days left. Exactly one of Adjustment and Review is set.
type Task struct {
	Adjustment *Adjustment
	Review     *Review
	Waiting    []Waiting
	// DaysLeft counts the working days from today to the due date by the
	// body's calendar (0 on the day, negative when overdue); for reviews.
	DaysLeft int
}

// Tasks lists what waits for p: adjustments in p's jurisdiction whose next
// step is p's, and review tasks p must act on, earliest due first.
func (s *Service) Tasks(ctx context.Context, p access.Principal) ([]Task, error) {
	if p.StaffID == 0 || p.ReadOnly() {
		return nil, nil
	}
	adjs, err := s.Adjustments(ctx, p, AdjustmentFilter{Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []Task
	for i := range adjs {
		a := &adjs[i]
		if a.Stage == catalog.StagePublished || a.Stage == catalog.StageWithdrawn {
			continue
		}
		ws, err := nextActors(ctx, s.db, a.Adjustment)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(ws, func(w Waiting) bool { return w.Has(p.StaffID) }) {
			out = append(out, Task{Adjustment: a, Waiting: ws})
		}
	}
	rs, err := s.Reviews(ctx, p, ReviewFilter{OpenOnly: true})
	if err != nil {
		return nil, err
	}
	// The reform office approves exemptions of the bodies below, which its
	// jurisdiction covers, so Reviews has them too.
	var reviews []Task
	for i := range rs {
		r := &rs[i]
		ws, err := reviewActors(ctx, s.db, *r)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(ws, func(w Waiting) bool { return w.Has(p.StaffID) }) {
			continue
		}
		left, err := s.workingDaysLeft(ctx, r.BodyID, r.Due)
		if err != nil {
			return nil, err
		}
		reviews = append(reviews, Task{Review: r, Waiting: ws, DaysLeft: left})
	}
	return append(out, reviews...), nil
}

// workingDaysLeft counts the working days from today to due by the body's
// calendar.
func (s *Service) workingDaysLeft(ctx context.Context, bodyID int64, due time.Time) (int, error) {
	b, err := getBody(ctx, s.db, bodyID)
	if err != nil {
		return 0, err
	}
	cal, err := s.calendarFor(ctx, b)
	if err != nil {
		return 0, err
	}
	return cal.WorkingDaysBetween(cal.Date(s.now()), cal.DueDate(due))
}

// PersonName is the name of whoever a trace or task records by login (an
// account's login, or "staff:ID"), for pages that show people by name; the
// login itself when it names nobody (a system actor).
func (s *Service) PersonName(ctx context.Context, who string) (string, error) {
	id, err := staffOfLogin(ctx, s.db, who)
	if err != nil || id == 0 {
		return who, err
	}
	var name string
	err = s.db.QueryRow(ctx, `SELECT name FROM staff WHERE id = ?`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return who, nil
	}
	return name, err
}
