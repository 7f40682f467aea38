package catdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

// DemoResult counts what LoadDemo stored.
type DemoResult struct {
	Items       int `json:"items"`
	Versions    int `json:"versions"`
	Adjustments int `json:"adjustments"`
}

// LoadDemo loads the demo list (catalog.LoadDemo) into a database that
// already holds org's demo district (org.LoadDemo), through the service so
// that every publication and every adjustment step is a real event: each
// demo version is published at its recorded time, and each demo adjustment
// is drafted and moved on by org staff standing in for its demo actors, at
// the times of its trace. Calling it on a database whose list is not empty
// is a Conflict (ResumeDemo completes an interrupted load).
//
// The catalogue demo names its own bodies, units and staff; they are mapped
// onto org's demo: the district to org's root body, the two lower bodies to
// the root's children in code order; a unit to the org unit of the same (or
// a prefix of the same) name, else to the body's units in turn; an actor to
// the org staff member holding its role there. Where org's demo has no
// general-office staff for a body, one is created through org's service,
// and the district's general office gets the reform review groups.
func LoadDemo(ctx context.Context, s *Service) (DemoResult, error) {
	var res DemoResult
	d, err := catalog.LoadDemo()
	if err != nil {
		return res, err
	}
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM catalog_items`).Scan(&n); err != nil {
		return res, err
	}
	if n > 0 {
		return res, apperr.Conflictf("catdb.the_list_is_not_empty_the")
	}
	return loadDemo(ctx, s, d)
}

// ResumeDemo completes a demo list load that was interrupted (the process
// stopped, a write failed): every step skips what an earlier run finished
// — a body's list is one write, so it is there or not; an adjustment is
// found by its body and title and moved on from the step its trace reached
// — and does the rest, so the result is the demo LoadDemo makes. On an
// empty list it is LoadDemo. The caller knows the list is the demo's
// (org's demo markers); DemoResult counts only what this run stored.
func ResumeDemo(ctx context.Context, s *Service) (DemoResult, error) {
	d, err := catalog.LoadDemo()
	if err != nil {
		return DemoResult{}, err
	}
	return loadDemo(ctx, s, d)
}

func loadDemo(ctx context.Context, s *Service, d *catalog.Demo) (DemoResult, error) {
	var res DemoResult
	m, err := mapDemo(ctx, s, d)
	if err != nil {
		return res, err
	}
	ids := make([]int64, 0, len(d.Lists))
	for id := range d.Lists {
		ids = append(ids, id)
	}
	slices.Sort(ids) // the district before the bodies deriving from it
	// catalog.LoadDemo has already applied the published adjustments to its
	// lists; those versions are left out here and made again by replaying
	// the adjustments themselves.
	byAdjustment := map[int64]map[string]time.Time{}
	for _, a := range d.Adjustments {
		if a.Stage != catalog.StagePublished || a.PublishedAt == nil {
			continue
		}
		if byAdjustment[a.BodyID] == nil {
			byAdjustment[a.BodyID] = map[string]time.Time{}
		}
		for _, c := range a.Changes {
			byAdjustment[a.BodyID][c.BaseCode] = *a.PublishedAt
		}
	}
	for _, id := range ids {
		b := m.bodies[id]
		var have int
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM catalog_items WHERE body_id = ?`, b.ID).Scan(&have); err != nil {
			return res, err
		}
		if have > 0 {
			continue // replayed before an interruption (one write per body)
		}
		list := map[string][]catalog.ItemVersion{}
		for code, vs := range d.Lists[id] {
			if at, ok := byAdjustment[id][code]; ok {
				vs = slices.DeleteFunc(slices.Clone(vs), func(v catalog.ItemVersion) bool { return !v.PublishedAt.Before(at) })
			}
			if len(vs) > 0 {
				list[code] = vs
			}
		}
		nv, err := s.replayList(ctx, b, list)
		if err != nil {
			return res, fmt.Errorf("catdb: demo list of %s: %w", b.Name, err)
		}
		res.Items += len(list)
		res.Versions += nv
	}
	for _, a := range d.Adjustments {
		did, err := s.replayAdjustment(ctx, m, a)
		if err != nil {
			return res, fmt.Errorf("catdb: demo adjustment %q: %w", a.Title, err)
		}
		if did {
			res.Adjustments++
		}
	}
	did, err := s.demoUpperChange(ctx, m, d)
	if err != nil {
		return res, fmt.Errorf("catdb: demo district change: %w", err)
	}
	if did {
		res.Adjustments++
	}
	return res, nil
}

// demoProgress finds a demo adjustment an interrupted load stored, by its
// body and title: its id and how many steps its trace holds (0, 0 when it
// was never drafted).
func (s *Service) demoProgress(ctx context.Context, bodyID int64, title string) (int64, int, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM catalog_adjustments WHERE body_id = ? AND title = ? ORDER BY id LIMIT 1`, bodyID, title).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	a, _, err := s.getAdjustment(ctx, s.db, id)
	if err != nil {
		return 0, 0, err
	}
	return id, len(a.Trace), nil
}

// demoUpperChange publishes one change of the district's own list through
// the whole procedure, so the demo's derived lists have review tasks (C6):
// the district adds a required material to an item the lower bodies also
// list, which their versions now lack (a C5 problem to review). Its times
// are fixed like the rest of the demo's.
func (s *Service) demoUpperChange(ctx context.Context, m *demoMap, d *catalog.Demo) (bool, error) {
	var root catalog.DemoBody
	for _, b := range d.Bodies {
		if b.UpperID == 0 {
			root = b
		}
	}
	district := m.bodies[root.ID]
	var reform []string // the district's reform office members, in demo order
	for _, st := range root.Staff {
		if len(st.Groups) > 0 {
			reform = append(reform, st.Login)
		}
	}
	if len(reform) < 2 {
		return false, errors.New("the demo district needs two reform office members")
	}
	// The first member confirms for both groups; the second does the initial
	// review, which its confirmer may not also do.
	confirmer, err := m.principal(ctx, reform[0])
	if err != nil {
		return false, err
	}
	office, err := m.principal(ctx, reform[1])
	if err != nil {
		return false, err
	}
	var liaisonID, headID int64
	if err := s.db.QueryRow(ctx, `SELECT l.id, h.id FROM staff l JOIN staff h ON h.unit_id = l.unit_id AND h.is_head = TRUE AND h.active = TRUE AND h.id <> l.id
		WHERE l.body_id = ? AND l.active = TRUE AND l.is_liaison = TRUE AND l.roles LIKE '%list_liaison%'
		AND (h.roles LIKE '%unit_staff%' OR h.roles LIKE '%list_liaison%') ORDER BY l.id LIMIT 1`, district.ID).Scan(&liaisonID, &headID); err != nil {
		return false, fmt.Errorf("a district unit with a liaison and a head: %w", err)
	}
	liaison, err := m.staffPrincipal(ctx, liaisonID)
	if err != nil {
		return false, err
	}
	head, err := m.staffPrincipal(ctx, headID)
	if err != nil {
		return false, err
	}
	// The item: a benefit payment (the notice is about minimum living
	// allowances) listed at the district and at the most lower bodies.
	upper, err := currentList(ctx, s.db, district.ID, true)
	if err != nil {
		return false, err
	}
	var item *Version
	best := 0
	for i, v := range upper {
		if v.Category != catalog.BenefitPay || len(v.Materials) == 0 {
			continue
		}
		var n int
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM catalog_items i JOIN bodies b ON b.id = i.body_id
			WHERE b.parent_id = ? AND i.base_code = ? AND i.standing = 'listed'`, district.ID, v.BaseCode).Scan(&n); err != nil {
			return false, err
		}
		if n > best {
			item, best = &upper[i], n
		}
	}
	if item == nil {
		return false, errors.New("no district item is also listed below")
	}
	draft := item.ItemVersion.Clone()
	draft.ValidFrom, draft.PublishedAt, draft.ValidTo, draft.ContentHash = time.Time{}, nil, nil, ""
	draft.Status = catalog.StatusDraft
	draft.Materials = append(draft.Materials, catalog.Material{Name: "申请人诚信承诺书", Necessity: catalog.Required,
		Kind: catalog.Original, Count: 1, Form: catalog.Paper, Source: catalog.FromApplicant,
		Note: "承诺所报家庭收入、财产情况真实完整,共同生活的家庭成员均须签字"})
	cst := time.FixedZone("CST", 8*3600)
	at := func(day, hour int) *Service {
		c := *s
		t := time.Date(2026, 11, day, hour, 0, 0, 0, cst)
		c.now = func() time.Time { return t }
		return &c
	}
	in := AdjustmentInput{Title: "区级清单" + draft.Name + "增加申请人诚信承诺书", Reason: catalog.OperatingExperience,
		Bases: []catalog.BasisDocument{{Title: "关于在社会救助领域推行诚信承诺制的通知", DocNo: "青民〔2026〕18号",
			Issued: time.Date(2026, 11, 10, 0, 0, 0, 0, cst)}},
		Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: draft.BaseCode, Name: draft.Name, Draft: &draft,
			Note: "按通知增加诚信承诺材料"}}}
	id, done, err := s.demoProgress(ctx, district.ID, in.Title)
	if err != nil {
		return false, err
	}
	if done == 0 {
		a, err := at(16, 9).CreateAdjustment(ctx, liaison, in)
		if err != nil {
			return false, err
		}
		id, done = a.ID, 1
	}
	steps := []struct {
		p     access.Principal
		kind  catalog.ActionKind
		group catalog.ReformGroup
		day   int
		hour  int
		note  string
	}{
		{head, catalog.ActSign, "", 16, 15, "同意"},
		{office, catalog.ActOfficeApprove, "", 17, 10, "材料依据充分"},
		{confirmer, catalog.ActGroupApprove, catalog.PowerListGroup, 18, 10, ""},
		{confirmer, catalog.ActGroupApprove, catalog.DutyListGroup, 18, 11, ""},
		{office, catalog.ActPublish, "", 19, 15, ""},
	}
	if done > len(steps) {
		return false, nil // published before an interruption
	}
	for _, st := range steps[done-1:] {
		if _, err := at(st.day, st.hour).Act(ctx, st.p, id, 0, catalog.Action{Kind: st.kind, Group: st.group, Comment: st.note}); err != nil {
			return false, fmt.Errorf("%s: %w", st.kind, err)
		}
	}
	return true, nil
}

// replayList publishes each item's versions in order at their recorded
// publication times, one write per body.
func (s *Service) replayList(ctx context.Context, b body, list map[string][]catalog.ItemVersion) (int, error) {
	codes := make([]string, 0, len(list))
	for c := range list {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var count int
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		count = 0
		for _, code := range codes {
			for _, v := range list[code] {
				hs, err := loadHistories(ctx, tx, b.ID, []string{code})
				if err != nil {
					return err
				}
				draft := v.Clone()
				draft.Status, draft.PublishedAt, draft.ValidTo, draft.ContentHash = catalog.StatusDraft, nil, nil, ""
				effect := v.Status
				if effect == catalog.StatusSuperseded {
					effect = catalog.StatusPublished
				}
				nh, err := catalog.Publish(hs[code].versions, draft, effect, *v.PublishedAt)
				if err != nil {
					return fmt.Errorf("%s v%d: %w", v.Name, v.Version, err)
				}
				if _, err := s.store(ctx, tx, org.System.Login, b, nil, map[string][]catalog.ItemVersion{code: nh}, hs, *v.PublishedAt); err != nil {
					return fmt.Errorf("%s v%d: %w", v.Name, v.Version, err)
				}
				count++
			}
		}
		return nil
	})
	if err == nil && count > 0 {
		s.notifyPublished()
	}
	return count, err
}

// replayAdjustment drafts a demo adjustment and takes its trace's steps,
// from where an interrupted load left it; false when it was complete.
func (s *Service) replayAdjustment(ctx context.Context, m *demoMap, a catalog.Adjustment) (bool, error) {
	if len(a.Trace) == 0 || a.Trace[0].Action != catalog.ActDraft {
		return false, errors.New("the trace does not start with the draft")
	}
	b := m.bodies[a.BodyID]
	unit, ok := m.units[a.UnitID]
	if !ok {
		return false, fmt.Errorf("unit %d is not mapped", a.UnitID)
	}
	at := func(t time.Time) *Service {
		c := *s
		c.now = func() time.Time { return t }
		return &c
	}
	id, done, err := s.demoProgress(ctx, b.ID, a.Title)
	if err != nil {
		return false, err
	}
	if done >= len(a.Trace) {
		return false, nil
	}
	if done == 0 {
		author, err := m.principal(ctx, a.Trace[0].Actor)
		if err != nil {
			return false, err
		}
		in := AdjustmentInput{Title: a.Title, BodyID: b.ID, UnitID: unit, Reason: a.Reason, Bases: a.Bases, Changes: a.Changes}
		created, err := at(a.Trace[0].At).CreateAdjustment(ctx, author, in)
		if err != nil {
			return false, err
		}
		id, done = created.ID, 1
	}
	for _, step := range a.Trace[done:] {
		p, err := m.principal(ctx, step.Actor)
		if err != nil {
			return false, err
		}
		if _, err := at(step.At).Act(ctx, p, id, 0, catalog.Action{Kind: step.Action, Group: step.Group, Comment: step.Comment}); err != nil {
			return false, fmt.Errorf("%s by %s: %w", step.Action, step.Actor, err)
		}
	}
	return true, nil
}

// demoMap maps the catalogue demo's bodies, units and logins onto org rows.
type demoMap struct {
	s      *Service
	bodies map[int64]body               // demo body id → org body
	units  map[int64]int64              // demo unit id → org unit id
	staff  map[string]int64             // demo login → org staff id
	roles  map[string]catalog.DemoStaff // demo login → demo staff
}

func mapDemo(ctx context.Context, s *Service, d *catalog.Demo) (*demoMap, error) {
	m := &demoMap{s: s, bodies: map[int64]body{}, units: map[int64]int64{}, staff: map[string]int64{}, roles: map[string]catalog.DemoStaff{}}
	var rootID int64
	if err := s.db.QueryRow(ctx, `SELECT id FROM bodies WHERE parent_id IS NULL AND active = TRUE ORDER BY id LIMIT 1`).Scan(&rootID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Conflictf("catdb.load_the_organisation_demo_first")
		}
		return nil, err
	}
	children, err := ids(ctx, s.db, `SELECT id FROM bodies WHERE parent_id = ? AND active = TRUE ORDER BY code`, rootID)
	if err != nil {
		return nil, err
	}
	demo := slices.Clone(d.Bodies)
	sort.Slice(demo, func(i, j int) bool { return demo[i].ID < demo[j].ID })
	next := 0
	for _, db := range demo {
		var id int64
		switch {
		case db.UpperID == 0:
			id = rootID
		case next < len(children):
			id = children[next]
			next++
		default:
			return nil, fmt.Errorf("catdb: demo body %s has no org body to map to", db.Name)
		}
		b, err := getBody(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		m.bodies[db.ID] = b
		if err := m.mapUnits(ctx, db, b); err != nil {
			return nil, err
		}
		for _, st := range db.Staff {
			m.roles[st.Login] = st
		}
	}
	for _, db := range demo {
		for _, st := range db.Staff {
			if err := m.mapStaff(ctx, db, st); err != nil {
				return nil, fmt.Errorf("catdb: demo staff %s: %w", st.Login, err)
			}
		}
	}
	return m, nil
}

func (m *demoMap) mapUnits(ctx context.Context, db catalog.DemoBody, b body) error {
	rows, err := m.s.db.Query(ctx, `SELECT id, name FROM units WHERE body_id = ? AND active = TRUE ORDER BY code`, b.ID)
	if err != nil {
		return err
	}
	type unit struct {
		id   int64
		name string
	}
	var us []unit
	for rows.Next() {
		var u unit
		if err := rows.Scan(&u.id, &u.name); err != nil {
			rows.Close()
			return err
		}
		us = append(us, u)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(us) == 0 {
		return fmt.Errorf("catdb: org body %s has no units for the demo", b.Name)
	}
	turn := 0
	for _, du := range db.Units {
		i := slices.IndexFunc(us, func(u unit) bool {
			return strings.HasPrefix(du.Name, u.name) || strings.HasPrefix(u.name, du.Name)
		})
		if i < 0 {
			i = turn % len(us)
			turn++
		}
		m.units[du.ID] = us[i].id
	}
	return nil
}

// mapStaff finds (or, for a missing general office, creates) the org staff
// member standing in for a demo actor.
func (m *demoMap) mapStaff(ctx context.Context, db catalog.DemoBody, st catalog.DemoStaff) error {
	b := m.bodies[db.ID]
	has := func(r access.Role) bool { return slices.Contains(st.Roles, r) }
	switch {
	case has(access.RoleGeneralOffice):
		offices, err := ids(ctx, m.s.db, `SELECT id FROM staff WHERE body_id = ? AND active = TRUE AND roles LIKE '%general_office%' ORDER BY id`, b.ID)
		if err != nil {
			return err
		}
		// Demo reform members are distinct people; so are their stand-ins
		// where org has enough general-office staff.
		idx := 0
		if len(st.Groups) > 0 {
			idx = slices.IndexFunc(db.Staff, func(x catalog.DemoStaff) bool { return x.Login == st.Login })
			idx = min(idx, len(offices))
		}
		for len(offices) <= idx {
			created, err := org.NewService(m.s.db).CreateStaff(ctx, org.System, org.StaffInput{BodyID: b.ID,
				Name: "党政办(演示)", Roles: []access.Role{access.RoleGeneralOffice}})
			if err != nil {
				return err
			}
			offices = append(offices, created.ID)
		}
		m.staff[st.Login] = offices[idx]
		if len(st.Groups) > 0 {
			seats, _, err := reformSeats(ctx, m.s.db, offices[idx])
			if err != nil {
				return err
			}
			have := seats.Groups
			groups := st.Groups
			if idx == 0 {
				// The first member confirms for both groups, so that the
				// district's own adjustments, initially reviewed by another
				// office member, can be confirmed at all.
				groups = []catalog.ReformGroup{catalog.PowerListGroup, catalog.DutyListGroup}
			}
			for _, g := range groups {
				if !slices.Contains(have, g) {
					have = append(have, g)
				}
			}
			if _, err := m.s.SetReformGroups(ctx, org.System, offices[idx], seats.Version, have); err != nil {
				return err
			}
		}
	case st.Head:
		unit := m.units[st.UnitID]
		found, err := ids(ctx, m.s.db, `SELECT id FROM staff WHERE unit_id = ? AND is_head = TRUE AND active = TRUE`, unit)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return fmt.Errorf("org unit %d has no head", unit)
		}
		m.staff[st.Login] = found[0]
	case has(access.RoleListLiaison):
		unit := m.units[st.UnitID]
		found, err := ids(ctx, m.s.db, `SELECT id FROM staff WHERE unit_id = ? AND active = TRUE AND roles LIKE '%list_liaison%' ORDER BY is_liaison DESC, id`, unit)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return fmt.Errorf("org unit %d has no list liaison", unit)
		}
		m.staff[st.Login] = found[0]
	default:
		return fmt.Errorf("no stand-in for roles %v", st.Roles)
	}
	return nil
}

// principal is the principal of the org staff member standing in for a
// demo login, named by its account login where it has one.
func (m *demoMap) principal(ctx context.Context, demoLogin string) (access.Principal, error) {
	id, ok := m.staff[demoLogin]
	if !ok {
		return access.Principal{}, fmt.Errorf("demo actor %q is not mapped", demoLogin)
	}
	return m.staffPrincipal(ctx, id)
}

// staffPrincipal is the principal of an org staff member, named by its
// account login where it has one.
func (m *demoMap) staffPrincipal(ctx context.Context, id int64) (access.Principal, error) {
	p, err := org.NewService(m.s.db).StaffPrincipal(ctx, id)
	if err != nil {
		return p, err
	}
	var name string
	switch err := m.s.db.QueryRow(ctx, `SELECT login FROM accounts WHERE staff_id = ?`, id).Scan(&name); {
	case errors.Is(err, sql.ErrNoRows):
		name = fmt.Sprintf("staff:%d", id)
	case err != nil:
		return p, err
	}
	p.Login = name
	return p, nil
}

func ids(ctx context.Context, q store.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
