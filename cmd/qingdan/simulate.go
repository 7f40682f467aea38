package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/casework/scenario"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/store"
)

func init() {
	register(&command{name: "simulate", summary: "qingdan.summary.simulate", run: runSimulate})
}

// runSimulate is `qingdan simulate FILE` (docs/SCENARIOS.md): the scenario
// runs on a fresh database with the demo organisation and a simulated
// clock, through the same case service as serve; the output is JSON on
// stdout. A file with mistakes prints them all (line, key, both
// languages) on stderr and runs nothing.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "--replay" || args[0] == "-replay") {
		return runReplay(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("qingdan simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "zh", t("qingdan.flag.lang"))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (*lang != "zh" && *lang != "en") {
		return usageError{t("qingdan.usage_qingdan_simulate_lang_zh_en")}
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("%s: %w", t("qingdan.cannot_read_the_scenario"), err)
	}
	out, err := simulate(ctx, data, *lang)
	if err != nil {
		var list apperr.List
		if errors.As(err, &list) || apperr.CodeOf(err) == apperr.Invalid {
			for _, e := range flattenErrors(err) {
				fmt.Fprintf(stderr, "%s: %s / %s\n", e.Field, e.Message("zh"), e.Message("en"))
			}
			return errors.New(t("qingdan.the_scenario_has_mistakes"))
		}
		return err
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(b, '\n'))
	return err
}

// flattenErrors lists the errors of an apperr.List, or err itself.
func flattenErrors(err error) []*apperr.Error {
	var list apperr.List
	if errors.As(err, &list) {
		out := make([]*apperr.Error, 0, len(list))
		for _, e := range list {
			out = append(out, apperr.As(e))
		}
		return out
	}
	return []*apperr.Error{apperr.As(err)}
}

// simulate parses and runs a scenario. A parse error is returned as read
// (an apperr.List naming every mistake); refused steps are in the output.
func simulate(ctx context.Context, data []byte, lang string) (scenario.Output, error) {
	var cats []string
	for _, c := range catalog.Categories {
		cats = append(cats, c.Zh)
	}
	s, err := scenario.Parse(data, scenario.Options{Categories: cats})
	if err != nil {
		return scenario.Output{}, err
	}
	// A database of its own in a temporary directory, gone afterwards:
	// SQLite needs a file its writer and readers share.
	dir, err := os.MkdirTemp("", "qingdan-simulate-")
	if err != nil {
		return scenario.Output{}, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "simulate.db"), store.Options{DataDir: dir})
	if err != nil {
		return scenario.Output{}, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return scenario.Output{}, err
	}
	m, err := newSim(ctx, db, s, lang)
	if err != nil {
		return scenario.Output{}, err
	}
	return m.run(ctx)
}

// sim is one run: the service on the fresh database, the simulated clock,
// the demo's people and the cases the scenario opened.
type sim struct {
	s      *scenario.Scenario
	db     *store.DB
	svc    *caseworkdb.Service
	rating *ratingdb.Service
	lang   string
	now    time.Time
	body   casework.Body
	loc    *time.Location
	people []access.Principal // the demo's people with logins, by staff id
	admin  access.Principal   // reads every case, for the output
	flows  map[string]*flow.Flow
	cases  []simCase
	out    scenario.Output
	// Complaints (simulate_complaints.go): their service, the supervisor's
	// eyes that read them for the output, those filed.
	cmpl       *complaintdb.Service
	overseer   access.Principal
	complaints []simComplaint
}

type simCase struct{ name, number, code string }

// logins records the demo's logins instead of creating accounts: the
// simulator acts as people, it never logs in.
type logins map[string]int64

func (l logins) CreateInitialAccount(_ context.Context, staffID int64, login, _ string, _ bool) error {
	l[login] = staffID
	return nil
}

func newSim(ctx context.Context, db *store.DB, s *scenario.Scenario, lang string) (*sim, error) {
	ls := logins{}
	if err := org.LoadDemo(ctx, db, ls); err != nil {
		return nil, err
	}
	orgs := org.NewService(db)
	m := &sim{s: s, db: db, lang: lang, flows: map[string]*flow.Flow{},
		out: scenario.Output{Cases: []scenario.CaseResult{}, Errors: []scenario.StepError{}}}
	for login, id := range ls {
		p, err := orgs.StaffPrincipal(ctx, id)
		if err != nil {
			return nil, err
		}
		p.AccountID, p.Login = id+1000, login
		m.people = append(m.people, p)
	}
	sort.Slice(m.people, func(i, j int) bool { return m.people[i].StaffID < m.people[j].StaffID })
	code := s.Body
	if code == "" {
		code = "330199" // the demo district
	}
	var bodyID int64
	err := db.QueryRow(ctx, `SELECT id FROM bodies WHERE code = ?`, code).Scan(&bodyID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.Invalidf("body", "qingdan.the_demo_has_no_body_with", code)
	}
	if err != nil {
		return nil, err
	}
	if err := db.QueryRow(ctx, `SELECT id, path, code, name FROM bodies WHERE id = ?`, bodyID).
		Scan(&m.body.ID, &m.body.Path, &m.body.Code, &m.body.Name); err != nil {
		return nil, err
	}
	top, err := org.TopPath(ctx, db)
	if err != nil {
		return nil, err
	}
	m.admin = access.Principal{AccountID: -1, StaffID: -1, Login: "simulate", BodyPath: top, Roles: []access.Role{access.RoleAdmin}}
	m.overseer = access.Principal{AccountID: -1, StaffID: -1, Login: "simulate", BodyPath: top, Roles: []access.Role{access.RoleSupervisor}}
	cals := caldb.New(db)
	m.cmpl = complaintdb.New(db, cals, complaintdb.Options{Now: func() time.Time { return m.now }})
	var items caseworkdb.Catalogue
	if len(s.Items) > 0 {
		si, err := scenarioItems(ctx, db, m.body, s.Items)
		if err != nil {
			return nil, err
		}
		items = si
	} else {
		cat := newCatalogue(db, cals)
		if _, err := catdb.LoadDemo(ctx, cat); err != nil {
			return nil, err
		}
		items = caseworkdb.CatalogItems{Cat: cat}
	}
	m.svc = caseworkdb.New(db, cals, items, caseworkdb.Options{Now: func() time.Time { return m.now }})
	if err := m.svc.StoreShipped(ctx); err != nil {
		return nil, err
	}
	m.rating = ratingdb.New(m.svc, ratingdb.Options{Now: func() time.Time { return m.now }})
	fs, err := flow.Shipped(caseworkdb.FlowOptions())
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		m.flows[f.Code] = f
	}
	cal, err := m.svc.Calendar(ctx, m.body.ID)
	if err != nil {
		return nil, err
	}
	m.loc = cal.Location()
	return m, nil
}

// run takes the ticks in order: the periodic jobs, the steps.
func (m *sim) run(ctx context.Context) (scenario.Output, error) {
	for _, tick := range m.s.Ticks() {
		m.now = tick.At.In(m.loc)
		if tick.Step < 0 {
			if _, err := m.svc.DeemAcceptDue(ctx, nil); err != nil {
				return m.out, err
			}
			continue
		}
		if err := m.step(ctx, m.s.Steps[tick.Step]); err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				return m.out, err
			}
			m.out.Errors = append(m.out.Errors, scenario.ErrorOf(tick.Step+1, err, m.lang))
		}
	}
	m.now = m.s.Until.In(m.loc)
	for _, sc := range m.cases {
		d, err := m.svc.Get(ctx, m.admin, sc.number)
		if err != nil {
			return m.out, err
		}
		evs, err := m.svc.Timeline(ctx, m.admin, sc.number)
		if err != nil {
			return m.out, err
		}
		cal, err := m.svc.Calendar(ctx, d.Case.Body.ID)
		if err != nil {
			return m.out, err
		}
		r, err := scenario.Result(sc.name, d.Case, evs, cal, m.now)
		if err != nil {
			return m.out, err
		}
		// A case is accepted only under a listed item (C4, refused at
		// registration otherwise), so its cards are judged as listed.
		if r.Cards, err = m.s.CaseCards(d.Case, evs, m.flows[d.Case.Flow.Code], cal, casework.Listed, m.now); err != nil {
			return m.out, err
		}
		m.out.Cases = append(m.out.Cases, r)
	}
	var err error
	if m.out.Complaints, err = m.complaintResults(ctx); err != nil {
		return m.out, err
	}
	return m.out, nil
}

func (m *sim) step(ctx context.Context, st scenario.Step) error {
	if scenario.IsComplaintAction(st.Do) {
		return m.complaintStep(ctx, st)
	}
	if st.Do == casework.ApplyAction {
		return m.apply(ctx, st)
	}
	i := slices.IndexFunc(m.cases, func(sc simCase) bool { return sc.name == st.Case })
	if i < 0 {
		return scenario.NotOpened(st.Case)
	}
	d, err := m.svc.Get(ctx, m.admin, m.cases[i].number)
	if err != nil {
		return err
	}
	if st.Do == "rate" {
		return m.rate(ctx, st, m.cases[i])
	}
	a := st.Action()
	if st.As == flow.Applicant {
		// The applicant acts on the public side, with the number and the
		// query code their application was given.
		_, err := m.svc.ActAsApplicant(ctx, d.Case.Number, m.cases[i].code, 0, a)
		return err
	}
	p, err := m.actor(st.As, d.Case, st.Do)
	if err != nil {
		return err
	}
	_, err = m.svc.Act(ctx, p, d.Case.Number, 0, a)
	return err
}

// rate is the applicant's rating of the case on its public page, with the
// number and query code its application was given (L8: once per matter;
// a case not completed is refused).
func (m *sim) rate(ctx context.Context, st scenario.Step, sc simCase) error {
	r, err := m.rating.RateOnPortal(ctx, sc.number, sc.code, st.Level, st.Comment)
	if err != nil {
		return err
	}
	res := scenario.RatingResult{Case: sc.name, Number: sc.number, Level: r.Level, Bad: r.Level.Bad()}
	if r.Callback != nil {
		cal, err := m.svc.Calendar(ctx, r.BodyID)
		if err != nil {
			return err
		}
		// Due is the end of its last working day: 24:00, the next day's midnight.
		d := cal.Date(r.Callback.Due.Add(-time.Nanosecond))
		res.CallbackDue = &d
	}
	m.out.Ratings = append(m.out.Ratings, res)
	return nil
}

func (m *sim) apply(ctx context.Context, st scenario.Step) error {
	p := access.Principal{}
	if st.As != flow.Applicant {
		var err error
		if p, err = m.actor(st.As, casework.Case{}, st.Do); err != nil {
			return err
		}
	}
	o, err := m.svc.Open(ctx, p, caseworkdb.Application{BodyID: m.body.ID, Item: st.Item, Applicant: st.Applicant.Party(),
		Materials: st.Materials, Delivery: casework.Delivery(st.Delivery), Assisted: st.Assisted}, "")
	if err != nil {
		return err
	}
	m.cases = append(m.cases, simCase{name: st.Case, number: o.Case.Number, code: o.QueryCode})
	return nil
}

// actor resolves `as`: a login, or a role (omitted: the action's first
// staff role) played, among the demo's people of the body whose queue
// holds the case, by the case's first responder, else staff of its unit,
// else the first holding it (docs/SCENARIOS.md, "How a run goes").
func (m *sim) actor(as string, c casework.Case, do string) (access.Principal, error) {
	for _, p := range m.people {
		if p.Login == as {
			return p, nil
		}
	}
	queue := m.body
	f := m.flows["promised"]
	if c.Number != "" {
		f = m.flows[c.Flow.Code]
		queue = c.Queue(f)
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
	rank := func(p access.Principal) int {
		switch {
		case p.StaffID == c.FirstResponder.ID && p.StaffID != 0:
			return 0
		case c.Unit.Code != "" && m.unitCode(p.UnitID) == c.Unit.Code:
			return 1
		}
		return 2
	}
	var best *access.Principal
	for i, p := range m.people {
		if p.BodyPath != queue.Path || !p.Has(access.Role(role)) {
			continue
		}
		if best == nil || rank(p) < rank(*best) {
			best = &m.people[i]
		}
	}
	if best == nil {
		return access.Principal{}, scenario.NoStaff(queue.Name, role)
	}
	return *best, nil
}

// unitCode is the code of the unit with this id ("" for none).
func (m *sim) unitCode(id int64) string {
	if id == 0 {
		return ""
	}
	var code string
	if err := m.db.QueryRow(context.Background(), `SELECT code FROM units WHERE id = ?`, id).Scan(&code); err != nil {
		return ""
	}
	return code
}

// declared is the list of a scenario that declares its items: each with
// the standing the file gives it throughout (C4).
type declared map[string]caseworkdb.Listing

func (d declared) Listing(_ context.Context, _ casework.Body, code string, _ time.Time) (caseworkdb.Listing, error) {
	l, ok := d[strings.TrimSpace(code)]
	if !ok {
		return caseworkdb.Listing{Standing: casework.Unlisted}, nil
	}
	return l, nil
}

// scenarioItems are a scenario's items in the body, their units found by
// code (default: the first by code with a staff member holding
// unit_staff).
func scenarioItems(ctx context.Context, db *store.DB, body casework.Body, items []scenario.Item) (declared, error) {
	out := declared{}
	for i, it := range items {
		unit := casework.Unit{Code: it.Unit}
		var err error
		if it.Unit == "" {
			err = db.QueryRow(ctx, `SELECT u.code, u.name FROM units u WHERE u.body_id = ? AND u.active AND EXISTS (
				SELECT 1 FROM staff s WHERE s.unit_id = u.id AND s.active AND (',' || s.roles || ',') LIKE '%,unit_staff,%')
				ORDER BY u.code LIMIT 1`, body.ID).Scan(&unit.Code, &unit.Name)
		} else {
			err = db.QueryRow(ctx, `SELECT name FROM units WHERE body_id = ? AND code = ?`, body.ID, it.Unit).Scan(&unit.Name)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		item := casework.Item{ID: int64(i + 1), VersionID: int64(i + 1), Code: it.Code, Name: it.Name, Category: it.Category,
			Kind: it.Kind, Statutory: calendar.Budget{N: it.StatutoryWorkingDays, Unit: calendar.WorkingDays},
			Promised: calendar.Budget{N: it.PromisedWorkingDays, Unit: calendar.WorkingDays}, Stars: it.Stars, Unit: unit}
		for _, name := range it.Materials {
			item.Materials = append(item.Materials, casework.Material{Name: name, Required: true})
		}
		out[it.Code] = caseworkdb.Listing{Item: item, Standing: it.Standing, Flow: it.Flow}
	}
	return out, nil
}
