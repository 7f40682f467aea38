package caseworkdb

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
)

// DemoCases generates n demo cases over the 13 months before now, at every
// stage — waiting at the window, sent back for materials, accepted, with
// the unit, in a site survey, decided, completed and told, refused,
// withdrawn — so every screen has real-looking data on a demo's first
// start. Generation is deterministic (a seeded generator: the same
// organisation and list give the same cases). Cases run through the pure
// core with the bodies' window staff, unit staff and leaders, and are
// stored as registered cases are — the row, every event, the clock — in
// writes of many cases each; they send nothing (no outbox rows: the
// applicants are invented). It does nothing when cases exist.
func (s *Service) DemoCases(ctx context.Context, now time.Time, n int) (int, error) {
	var have int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM cases`).Scan(&have); err != nil {
		return 0, err
	}
	if have > 0 || n <= 0 {
		return 0, nil
	}
	g, err := s.newDemo(ctx, now)
	if err != nil {
		return 0, err
	}
	if len(g.windows) == 0 {
		return 0, nil
	}
	var made []demoCase
	for i := range n {
		dc, ok, err := g.generate(ctx, i)
		if err != nil {
			return 0, err
		}
		if ok {
			made = append(made, dc)
		}
	}
	slices.SortStableFunc(made, func(a, b demoCase) int { return a.at.Compare(b.at) })
	// Numbers in order of registration, per body and year (V3).
	seq := map[[2]int64]int64{}
	for i := range made {
		c := &made[i].steps[0].c
		k := [2]int64{c.Body.ID, int64(made[i].cal.Date(c.RegisteredAt).Year())}
		seq[k]++
		made[i].number = casework.NumberOf(c.Body.Code, int(k[1]), seq[k])
	}
	const batch = 200
	for lo := 0; lo < len(made); lo += batch {
		part := made[lo:min(lo+batch, len(made))]
		if err := s.db.Write(ctx, func(tx *store.Tx) error { return s.storeDemo(ctx, tx, part) }); err != nil {
			return 0, err
		}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		for k, last := range seq {
			tx.Queue(ctx, `INSERT INTO case_numbers (body_id, year, last) VALUES (?, ?, ?)
				ON CONFLICT (body_id, year) DO UPDATE SET last = CASE WHEN excluded.last > case_numbers.last THEN excluded.last ELSE case_numbers.last END`,
				k[0], k[1], last)
		}
		return nil
	})
	return len(made), err
}

// demoStep is a case after one transition, with its effects.
type demoStep struct {
	c   casework.Case
	eff casework.Effects
}

type demoCase struct {
	at     time.Time
	number string
	flowID int64
	f      *flow.Flow
	cal    *calendar.Calendar
	steps  []demoStep
}

// storeDemo writes cases as Open and Act would have: the row inserted
// with the first event and saved with each later one, the clock created
// and moved by each transition's clock events.
func (s *Service) storeDemo(ctx context.Context, tx *store.Tx, part []demoCase) error {
	for _, dc := range part {
		var r caseRow
		for i, st := range dc.steps {
			c := st.c
			c.Number = dc.number
			c.QueryCodeHash = casework.QueryCodeHash(dc.number, demoCode(dc.number))
			next, err := rowOf(c, dc.flowID, dc.f, dc.cal, c.Updated)
			if err != nil {
				return err
			}
			actor := casework.Actor{Staff: st.eff.Event.By}
			ev := eventOf(c, st.eff, actor)
			if i == 0 {
				next.RegisteredAt = next.UpdatedAt
				if err := cases.Insert(ctx, tx, &next, ev); err != nil {
					return err
				}
				if _, err := s.clocks.Create(ctx, tx, loginOf(actor), clockRef(dc.number), c.Body.ID, c.ClockSpec); err != nil {
					return err
				}
			} else {
				next.ID, next.Version, next.RegisteredAt = r.ID, r.Version, r.RegisteredAt
				if err := cases.Save(ctx, tx, &next, ev); err != nil {
					return err
				}
			}
			for _, e := range st.eff.Clock {
				if _, err := s.clocks.Apply(ctx, tx, loginOf(actor), clockRef(dc.number), e); err != nil {
					return err
				}
			}
			if s.docs != nil && len(st.eff.Documents) > 0 {
				if err := s.docs.Issue(ctx, tx, c, st.eff.Documents, actor, loginOf(actor)); err != nil {
					return err
				}
			}
			r = next
		}
	}
	return nil
}

// demoCode is a demo case's query code: derived from its number, so the
// demo's documentation can say how to follow any demo case (the code is
// the number's digits hashed; real codes are random).
func demoCode(number string) string {
	code, err := casework.NewQueryCode(&keyed{seed: hashSeed("qingdan demo case\x00" + number)})
	if err != nil {
		panic("caseworkdb: a keyed stream does not fail: " + err.Error())
	}
	return code
}

// DemoQueryCode is the query code of a demo case (DemoCases).
func DemoQueryCode(number string) string { return demoCode(number) }

// demoStaff is a staff member who can act on demo cases.
type demoStaff struct {
	actor casework.Actor
	body  int64
}

type demoGen struct {
	s       *Service
	now     time.Time
	rng     *rand.Rand
	windows []demoStaff           // window staff, by body
	staff   map[int64][]demoStaff // every staff member of a body
	items   map[int64][]string    // candidate item codes per body
	bodies  map[int64]casework.Body
	parents map[int64]*casework.Body
	// unitNames are unit names by code (codes are unique in the demo).
	unitNames map[string]string
}

func (s *Service) newDemo(ctx context.Context, now time.Time) (*demoGen, error) {
	g := &demoGen{s: s, now: now, rng: rand.New(rand.NewPCG(20261207, 14)), staff: map[int64][]demoStaff{},
		items: map[int64][]string{}, bodies: map[int64]casework.Body{}, parents: map[int64]*casework.Body{}}
	g.unitNames = map[string]string{}
	urows, err := s.db.Query(ctx, `SELECT code, name FROM units`)
	if err != nil {
		return nil, err
	}
	for urows.Next() {
		var code, name string
		if err := urows.Scan(&code, &name); err != nil {
			urows.Close()
			return nil, err
		}
		g.unitNames[code] = name
	}
	if err := urows.Close(); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT s.id, s.name, s.roles, s.body_id, b.path, COALESCE(u.code, ''), COALESCE(a.login, '')
		FROM staff s JOIN bodies b ON b.id = s.body_id LEFT JOIN units u ON u.id = s.unit_id LEFT JOIN accounts a ON a.staff_id = s.id
		WHERE s.active ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("caseworkdb: demo staff: %w", err)
	}
	for rows.Next() {
		var d demoStaff
		var roles string
		if err := rows.Scan(&d.actor.ID, &d.actor.Name, &roles, &d.body, &d.actor.BodyPath, &d.actor.Unit, &d.actor.Login); err != nil {
			rows.Close()
			return nil, err
		}
		d.actor.Roles = strings.Split(roles, ",")
		g.staff[d.body] = append(g.staff[d.body], d)
		if slices.Contains(d.actor.Roles, "window") {
			g.windows = append(g.windows, d)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for _, w := range g.windows {
		if _, ok := g.bodies[w.body]; ok {
			continue
		}
		b, p, err := bodyOf(ctx, s.db, w.body)
		if err != nil {
			return nil, err
		}
		g.bodies[w.body], g.parents[w.body] = b, p
		codes, err := itemCodes(ctx, s.db, w.body)
		if err != nil {
			return nil, err
		}
		g.items[w.body] = codes
	}
	return g, nil
}

func itemCodes(ctx context.Context, q store.Querier, body int64) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT impl_code FROM catalog_items WHERE body_id = ? AND impl_code <> '' ORDER BY impl_code`, body)
	if err != nil {
		return nil, fmt.Errorf("caseworkdb: demo items: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

var (
	demoSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
	demoGiven    = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "平",
		"建国", "玉兰", "志强", "海燕", "晓东", "丹", "婷", "宇", "浩然", "欣怡"}
)

// residentID is a valid resident ID number (V1: GB 11643 check digit) born
// on the given day.
func residentID(born calendar.Date, seq int) string {
	y, m, d := born.Civil()
	body := fmt.Sprintf("330106%04d%02d%02d%03d", y, int(m), d, seq%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// generate plays case i: a window staff member registers it on a working
// day of the last 13 months and it moves on, a working day or two between
// actions, towards a stage drawn for its age; it stops where an action is
// refused or would lie after now.
func (g *demoGen) generate(ctx context.Context, i int) (demoCase, bool, error) {
	w := g.windows[g.rng.IntN(len(g.windows))]
	codes := g.items[w.body]
	if len(codes) == 0 {
		return demoCase{}, false, nil
	}
	cal, err := g.s.cals.Calendar(ctx, w.body)
	if err != nil {
		return demoCase{}, false, err
	}
	day := cal.Date(g.now).AddDays(-g.rng.IntN(395))
	if day, err = cal.OnOrAfter(day); err != nil {
		return demoCase{}, false, err
	}
	at := day.Start(cal.Location()).Add(time.Duration(9*60+g.rng.IntN(7*60)) * time.Minute)
	if !at.Before(g.now) {
		return demoCase{}, false, nil
	}
	body := g.bodies[w.body]
	l, err := g.s.items.Listing(ctx, body, codes[g.rng.IntN(len(codes))], at)
	if err != nil {
		return demoCase{}, false, err
	}
	if l.Standing != casework.Listed || len(l.Item.Materials) == 0 {
		return demoCase{}, false, nil // an item no one applies for (penalties), or not listed then
	}
	flowCode := l.Flow
	if flowCode == "" {
		flowCode = string(l.Item.Kind)
	}
	flowID, f, err := g.s.currentFlow(ctx, flowCode)
	if err != nil {
		return demoCase{}, false, err
	}
	var materials []string
	for _, m := range l.Item.Materials {
		if m.Required {
			materials = append(materials, m.Name)
		}
	}
	complete := g.rng.IntN(4) > 0
	if !complete && len(materials) > 0 {
		materials = materials[:len(materials)-1]
	}
	born := calendar.DateOf(1950+g.rng.IntN(55), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28))
	app := casework.Application{Number: casework.NumberOf(body.Code, cal.Date(at).Year(), int64(i+1)),
		QueryCodeHash: strings.Repeat("0", 64), Item: l.Item, Body: body, Parent: g.parents[w.body],
		Applicant: casework.Applicant{Kind: casework.Person, Name: string(demoSurnames[g.rng.IntN(len(demoSurnames))]) + demoGiven[g.rng.IntN(len(demoGiven))],
			ResidentID: residentID(born, i)},
		Materials: materials}
	env := casework.Env{Now: at, Calendar: cal, Flow: f, Actor: w.actor, Standing: casework.Listed, Rules: g.s.rules}
	c, eff, err := casework.Open(app, env)
	if err != nil {
		return demoCase{}, false, nil // the pure core refuses it: not a demo case
	}
	dc := demoCase{at: at, flowID: flowID, f: f, cal: cal, steps: []demoStep{{c, eff}}}
	// The stage it heads for: old cases are mostly done.
	age := g.now.Sub(at).Hours() / 24
	stop := g.rng.IntN(100)
	if age > 60 {
		// Mostly done; some refused, withdrawn or stuck (overdue).
		if stop < 85 {
			stop = 99
		}
	}
	plan := g.plan(c, complete, stop)
	for _, a := range plan {
		at = g.later(cal, at)
		if !at.Before(g.now) {
			break
		}
		actor, ok := g.actorFor(f, c, a.ID)
		if !ok {
			break
		}
		next, eff, err := casework.Act(c, a, casework.Env{Now: at, Calendar: cal, Flow: f, Actor: actor, Standing: casework.Listed, Rules: g.s.rules})
		if err != nil {
			break // the case stays at this stage
		}
		c = next
		dc.steps = append(dc.steps, demoStep{c, eff})
	}
	return dc, true, nil
}

// plan is the actions a case takes towards its stage (stop, 0–99: the
// higher, the further).
func (g *demoGen) plan(c casework.Case, complete bool, stop int) []casework.Action {
	var out []casework.Action
	if !complete {
		out = append(out, casework.Action{ID: "request_supplement", Missing: c.Outstanding()})
		if stop < 10 {
			return out
		}
		out = append(out, casework.Action{ID: "supplement", Materials: c.Outstanding()})
	}
	switch {
	case stop < 5:
		return out
	case stop < 9:
		return append(out, casework.Action{ID: "refuse", Reason: "申请事项不属于本机关职权范围", Basis: "《中华人民共和国行政许可法》第三十二条"})
	case stop < 12:
		return append(out, casework.Action{ID: "withdraw", Reason: "申请人主动撤回"})
	}
	out = append(out, casework.Action{ID: "accept"})
	if c.Item.Kind == casework.Instant {
		if stop < 20 {
			return out
		}
		return append(out, casework.Action{ID: "complete", Certificate: fmt.Sprintf("青证〔%d〕%d号", c.RegisteredAt.Year(), 100+stop)})
	}
	steps := []casework.Action{{ID: "hand_over"}, {ID: "receive"}}
	if stop%7 == 0 {
		steps = append(steps, casework.Action{ID: "pause", Kind: flow.SpecialKind("site_survey"), Reason: "需现场勘察"},
			casework.Action{ID: "resume", Opinion: "勘察符合条件"})
	}
	outcome := "approved"
	if stop%11 == 0 {
		outcome = "not_approved"
	}
	steps = append(steps, casework.Action{ID: "decide", Outcome: outcome, Opinion: "经审查，" + map[string]string{"approved": "准予许可", "not_approved": "不予许可"}[outcome]},
		casework.Action{ID: "hand_back"})
	cert := ""
	if outcome == "approved" {
		cert = fmt.Sprintf("青许〔%d〕%d号", c.RegisteredAt.Year(), 1000+stop)
	}
	steps = append(steps, casework.Action{ID: "complete", Certificate: cert}, casework.Action{ID: "notify"})
	// A list naming a unit the organisation lacks, and three cases in
	// four besides: the window transfers the case to a unit whose staff
	// hold demo logins (H6, late now and then), so that unit1 and liaison1
	// find work in their inboxes and e-supervision has their cards.
	if !g.hasUnitStaff(c) || stop%4 != 3 {
		units := g.unitsWithStaff(c.Body.ID, true)
		if len(units) == 0 {
			units = g.unitsWithStaff(c.Body.ID, false)
		}
		if len(units) == 0 {
			return out
		}
		if u := units[stop%len(units)]; u.Code != c.Unit.Code {
			steps = append([]casework.Action{{ID: "transfer", Unit: u}}, steps...)
		}
	}
	// Cut the unit's steps where the stage lies: 20–99 spread over them
	// (12–19 stay accepted).
	k := 0
	if stop >= 20 {
		k = min(len(steps), (stop-20)*len(steps)/80+1)
	}
	return append(out, steps[:k]...)
}

// hasUnitStaff reports whether the body has staff of the case's unit.
func (g *demoGen) hasUnitStaff(c casework.Case) bool {
	return slices.ContainsFunc(g.staff[c.Body.ID], func(d demoStaff) bool {
		return d.actor.Unit == c.Unit.Code && slices.Contains(d.actor.Roles, "unit_staff")
	})
}

// unitsWithStaff are the body's units with a unit_staff member (holding a
// demo login, when withLogin), by code.
func (g *demoGen) unitsWithStaff(body int64, withLogin bool) []casework.Unit {
	var out []casework.Unit
	for _, d := range g.staff[body] {
		if d.actor.Unit != "" && slices.Contains(d.actor.Roles, "unit_staff") && (!withLogin || d.actor.Login != "") &&
			!slices.ContainsFunc(out, func(u casework.Unit) bool { return u.Code == d.actor.Unit }) {
			out = append(out, casework.Unit{Code: d.actor.Unit, Name: g.unitNames[d.actor.Unit]})
		}
	}
	slices.SortFunc(out, func(a, b casework.Unit) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// later is the instant of a case's next action: the same or one of the next
// two working days, in office hours.
func (g *demoGen) later(cal *calendar.Calendar, t time.Time) time.Time {
	d := cal.Date(t)
	if n := g.rng.IntN(3); n > 0 {
		if next, err := cal.AddWorkingDays(d, n); err == nil {
			d = next
		}
	}
	next := d.Start(cal.Location()).Add(time.Duration(9*60+g.rng.IntN(8*60)) * time.Minute)
	if !next.After(t) {
		next = t.Add(time.Duration(10+g.rng.IntN(50)) * time.Minute)
	}
	return next
}

// actorFor is who takes action id on c: the first responder at the
// window's steps, else a staff member of the queue's body holding one of
// the action's roles (of the case's unit at its steps).
func (g *demoGen) actorFor(f *flow.Flow, c casework.Case, id string) (casework.Actor, bool) {
	act, ok := f.Action(id)
	if !ok {
		return casework.Actor{}, false
	}
	queue := c.Queue(f)
	var best *demoStaff
	for _, cand := range g.staff[queue.ID] {
		if cand.actor.BodyPath != queue.Path || !slices.ContainsFunc(act.Roles, func(r string) bool { return slices.Contains(cand.actor.Roles, r) }) {
			continue
		}
		switch {
		case cand.actor.ID == c.FirstResponder.ID:
			return cand.actor, true
		case cand.actor.Unit == c.Unit.Code && (best == nil || best.actor.Unit != c.Unit.Code):
			best = &cand
		case best == nil:
			best = &cand
		}
	}
	if best == nil {
		return casework.Actor{}, false
	}
	return best.actor, true
}

func hashSeed(s string) [32]byte { return sha256.Sum256([]byte(s)) }
