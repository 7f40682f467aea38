package scenario_test

import (
	"slices"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/casework/scenario"
	"github.com/qingdan/qingdan/internal/flow"
)

// A pure run of a scenario, in memory, on casework alone: the test of the
// core against the cases (#14 "done when"), and of the format's
// worked examples. The simulator proper (qingdan simulate) runs scenarios
// on a fresh instance with storage; this one stands in for it with a
// fixture shaped like the demo district (its bodies, units and logins).

type fixtureBody struct {
	body   casework.Body
	parent string // the parent's code
	units  []casework.Unit
}

var fixtureBodies = map[string]fixtureBody{
	"330199": {casework.Body{ID: 1, Path: "/1/", Code: "330199", Name: "青山区"}, "",
		[]casework.Unit{{Code: "BMFW", Name: "便民服务中心窗口"}, {Code: "SCJG", Name: "市场监管所"}, {Code: "ZHZF", Name: "综合执法队"}}},
	"330199001": {casework.Body{ID: 2, Path: "/1/2/", Code: "330199001", Name: "青山街道"}, "330199",
		[]casework.Unit{{Code: "CSGL", Name: "城市管理办"}, {Code: "SHSW", Name: "社会事务办"}}},
	"330199001001": {casework.Body{ID: 4, Path: "/1/2/4/", Code: "330199001001", Name: "翠苑社区"}, "330199001",
		[]casework.Unit{{Code: "SQFW", Name: "社区服务站"}}},
}

type fixtureStaff struct {
	casework.Staff
	body, unit string
	roles      []string
}

var fixtureStaffs = []fixtureStaff{
	{casework.Staff{ID: 2, Login: "leader1", Name: "韩立"}, "330199", "", []string{"leader"}},
	{casework.Staff{ID: 21, Login: "window1", Name: "陈晓"}, "330199", "BMFW", []string{"window"}},
	{casework.Staff{ID: 31, Login: "unit1", Name: "吴刚"}, "330199", "ZHZF", []string{"unit_staff"}},
	{casework.Staff{ID: 41, Login: "liaison1", Name: "何静"}, "330199", "SCJG", []string{"unit_staff", "list_liaison"}},
	{casework.Staff{ID: 110, Login: "qingshan_office", Name: "许明"}, "330199001", "SHSW", []string{"general_office", "unit_staff"}},
	{casework.Staff{ID: 120, Login: "qingshan1", Name: "曹亮"}, "330199001", "CSGL", []string{"unit_staff"}},
	{casework.Staff{ID: 301, Login: "community1", Name: "朱红"}, "330199001001", "SQFW", []string{"window", "unit_staff"}},
}

func (s fixtureStaff) actor() casework.Actor {
	return casework.Actor{Staff: s.Staff, Roles: s.roles, BodyPath: fixtureBodies[s.body].body.Path, Unit: s.unit}
}

type simCase struct {
	name     string
	c        casework.Case
	events   []casework.Event
	standing casework.Standing
}

type sim struct {
	s     *scenario.Scenario
	cal   *calendar.Calendar
	flows map[string]*flow.Flow
	body  fixtureBody
	cases []*simCase
	seq   int64
	out   scenario.Output
}

// simulate parses src and runs it, failing the test on a parse error.
func simulate(t testing.TB, src []byte) scenario.Output {
	t.Helper()
	s, err := scenario.Parse(src, scenario.Options{Categories: caseworktest.Categories})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	cal := caseworktest.Calendar(t)
	code := s.Body
	if code == "" {
		code = "330199"
	}
	m := &sim{s: s, cal: cal, flows: caseworktest.Flows(t), body: fixtureBodies[code],
		out: scenario.Output{Cases: []scenario.CaseResult{}, Errors: []scenario.StepError{}}}
	for _, tick := range s.Ticks() {
		now := tick.At.In(cal.Location())
		if tick.Step < 0 {
			m.jobs(t, now)
			continue
		}
		if err := m.step(s.Steps[tick.Step], now); err != nil {
			m.out.Errors = append(m.out.Errors, scenario.ErrorOf(tick.Step+1, err, "zh"))
		}
	}
	until := s.Until.In(cal.Location())
	for _, sc := range m.cases {
		r, err := scenario.Result(sc.name, sc.c, sc.events, cal, until)
		if err != nil {
			t.Fatal(err)
		}
		if r.Cards, err = s.CaseCards(sc.c, sc.events, m.flows[sc.c.Flow.Code], cal, sc.standing, until); err != nil {
			t.Fatal(err)
		}
		m.out.Cases = append(m.out.Cases, r)
	}
	return m.out
}

// jobs runs the periodic jobs: deemed acceptance (L2).
func (m *sim) jobs(t testing.TB, now time.Time) {
	for _, sc := range m.cases {
		ok, _, err := casework.DefaultRules().DeemedAccepted(sc.c, now, m.cal)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			c, eff, err := casework.DeemAccept(sc.c, casework.Env{Now: now, Calendar: m.cal, Flow: m.flows[sc.c.Flow.Code]})
			if err != nil {
				t.Fatal(err)
			}
			sc.c, sc.events = c, append(sc.events, eff.Event)
		}
	}
}

func (m *sim) step(st scenario.Step, now time.Time) error {
	if st.Do == casework.ApplyAction {
		return m.apply(st, now)
	}
	i := slices.IndexFunc(m.cases, func(sc *simCase) bool { return sc.name == st.Case })
	if i < 0 {
		return scenario.NotOpened(st.Case)
	}
	sc := m.cases[i]
	f := m.flows[sc.c.Flow.Code]
	a, err := m.actor(st.As, sc.c, f, st.Do)
	if err != nil {
		return err
	}
	act := st.Action()
	act.Unit.Name = m.unit(st.Unit).Name
	c, eff, err := casework.Act(sc.c, act, casework.Env{Now: now, Calendar: m.cal, Flow: f, Actor: a, Standing: sc.standing})
	if err != nil {
		return err
	}
	sc.c, sc.events = c, append(sc.events, eff.Event)
	return nil
}

func (m *sim) apply(st scenario.Step, now time.Time) error {
	i := slices.IndexFunc(m.s.Items, func(it scenario.Item) bool { return it.Code == st.Item })
	if i < 0 {
		return apperr.New(apperr.NotFound, "item", "scenario.this_test_runs_the_scenario_s")
	}
	it := m.s.Items[i]
	item := casework.Item{ID: int64(i + 1), VersionID: int64(i + 1), Code: it.Code, Name: it.Name, Category: it.Category, Kind: it.Kind,
		Statutory: calendar.Budget{N: it.StatutoryWorkingDays, Unit: calendar.WorkingDays},
		Promised:  calendar.Budget{N: it.PromisedWorkingDays, Unit: calendar.WorkingDays},
		Stars:     it.Stars, Unit: m.unit(it.Unit)}
	for _, name := range it.Materials {
		item.Materials = append(item.Materials, casework.Material{Name: name, Required: true})
	}
	flowCode := it.Flow
	if flowCode == "" {
		flowCode = string(it.Kind)
	}
	f := m.flows[flowCode]
	a, err := m.actor(st.As, casework.Case{}, f, st.Do)
	if err != nil {
		return err
	}
	number := casework.NumberOf(m.body.body.Code, now.Year(), m.seq+1)
	app := casework.Application{Number: number, QueryCodeHash: casework.QueryCodeHash(number, "ABCD2345"), Item: item,
		Body: m.body.body, Applicant: st.Applicant.Party(), Materials: st.Materials, Delivery: casework.Delivery(st.Delivery),
		Assisted: st.Assisted}
	if p, ok := fixtureBodies[m.body.parent]; ok {
		app.Parent = &p.body
	}
	c, eff, err := casework.Open(app, casework.Env{Now: now, Calendar: m.cal, Flow: f, Actor: a, Standing: it.Standing})
	if err != nil {
		return err
	}
	m.seq++
	m.cases = append(m.cases, &simCase{name: st.Case, c: c, events: []casework.Event{eff.Event}, standing: it.Standing})
	return nil
}

func (m *sim) unit(code string) casework.Unit {
	for _, u := range m.body.units {
		if u.Code == code {
			return u
		}
	}
	return casework.Unit{Code: code}
}

// actor resolves `as`: the applicant, a login, or a role (omitted: the
// action's first staff role); a role is played by the case's first
// responder at the window, by staff of the case's unit at a unit's step,
// by anyone holding it in the body whose queue holds the case otherwise.
func (m *sim) actor(as string, c casework.Case, f *flow.Flow, do string) (casework.Actor, error) {
	if as == flow.Applicant {
		return casework.ApplicantActor(), nil
	}
	for _, s := range fixtureStaffs {
		if s.Login == as {
			return s.actor(), nil
		}
	}
	role := as
	if act, ok := f.Action(do); ok && role == "" {
		for _, r := range act.Roles {
			if r != flow.Applicant {
				role = r
				break
			}
		}
	}
	queue := m.body.body
	if c.Number != "" {
		queue = c.Queue(f)
	}
	var fit []fixtureStaff
	for _, s := range fixtureStaffs {
		if fixtureBodies[s.body].body.Path == queue.Path && slices.Contains(s.roles, role) {
			fit = append(fit, s)
		}
	}
	slices.SortStableFunc(fit, func(a, b fixtureStaff) int {
		return rank(a, c) - rank(b, c)
	})
	if len(fit) == 0 {
		return casework.Actor{}, scenario.NoStaff(queue.Name, role)
	}
	return fit[0].actor(), nil
}

// rank puts the case's first responder first, then its unit's staff.
func rank(s fixtureStaff, c casework.Case) int {
	switch {
	case s.ID == c.FirstResponder.ID && s.ID != 0:
		return 0
	case s.unit == c.Unit.Code:
		return 1
	}
	return 2
}
