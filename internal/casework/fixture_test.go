package casework_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/ident"
)

// The fixture is built here rather than taken from the demo so that rule
// tests do not depend on demo data: a district with a town below it, window
// and unit staff, a leader, and three items (instant, promised, joint).

var (
	district = casework.Body{ID: 1, Path: "/1/", Code: "330199", Name: "青山区"}
	town     = casework.Body{ID: 3, Path: "/1/3/", Code: "330199101", Name: "溪口镇"}

	wangFang = casework.Staff{ID: 20, Login: "wangfang", Name: "王芳"}
	window1  = actor(casework.Staff{ID: 21, Login: "window1", Name: "陈晓"}, district, "BMFW", "window")
	backup   = actor(wangFang, district, "BMFW", "window")
	liuYang  = actor(casework.Staff{ID: 22, Login: "liuyang", Name: "刘洋"}, district, "BMFW", "window")
	unit1    = actor(casework.Staff{ID: 31, Login: "unit1", Name: "吴刚"}, district, "ZHZF", "unit_staff")
	liaison1 = actor(casework.Staff{ID: 41, Login: "liaison1", Name: "何静"}, district, "SCJG", "unit_staff")
	leader1  = actor(casework.Staff{ID: 2, Login: "leader1", Name: "韩立"}, district, "", "leader")
	xikou    = actor(casework.Staff{ID: 201, Login: "xikou_window", Name: "蒋涛"}, town, "BMFW", "window")
	public   = casework.ApplicantActor()

	zhzf = casework.Unit{Code: "ZHZF", Name: "综合执法队"}
	scjg = casework.Unit{Code: "SCJG", Name: "市场监管所"}
)

func init() { window1.Backup = wangFang }

func actor(s casework.Staff, b casework.Body, unit string, roles ...string) casework.Actor {
	return casework.Actor{Staff: s, Roles: roles, BodyPath: b.Path, Unit: unit}
}

const (
	adultID  = "11010519491231002X" // DOMAIN.md V1's example
	orgCode  = "11410199005100019U" // passes the GB 32100 check
	applyNum = "330199-2026-000123"
)

// minorID is a resident ID of someone born on 1 June 2015.
var minorID = func() string {
	body := "11010520150601001"
	return body + string(ident.ResidentCheckChar(body))
}()

var (
	permit = casework.Item{ID: 7, VersionID: 70, Code: "11410199005100019U0100001000", Name: "户外广告设置许可",
		Category: "licensing", Kind: casework.Promised,
		Statutory: calendar.Budget{N: 20, Unit: calendar.WorkingDays}, Promised: calendar.Budget{N: 10, Unit: calendar.WorkingDays},
		Materials: []casework.Material{{Name: "申请书", Required: true}, {Name: "身份证复印件", Required: true},
			{Name: "场地使用证明", Required: true}, {Name: "设计效果图", Required: false}},
		Stars: 4, Unit: zhzf}
	certificate = casework.Item{ID: 8, VersionID: 80, Code: "11410199005100019U0700002000", Name: "居住证明",
		Category: "confirmation", Kind: casework.Instant,
		Materials: []casework.Material{{Name: "身份证复印件", Required: true}}, Stars: 5, Unit: scjg}
	forestry = casework.Item{ID: 9, VersionID: 90, Code: "11410199005100019U0100003000", Name: "林木采伐许可",
		Category: "licensing", Kind: casework.Promised,
		Statutory: calendar.Budget{N: 45, Unit: calendar.WorkingDays}, Promised: calendar.Budget{N: 20, Unit: calendar.WorkingDays},
		Materials: []casework.Material{{Name: "申请书", Required: true}}, Stars: 3, Unit: casework.Unit{Code: "JJFZ", Name: "经济发展办"}}
)

var everything = []string{"申请书", "身份证复印件", "场地使用证明"}

// world is one body's calendar and the shipped flows.
type world struct {
	t     testing.TB
	cal   *calendar.Calendar
	flows map[string]*flow.Flow
}

func newWorld(t testing.TB) *world {
	t.Helper()
	return &world{t: t, cal: caseworktest.Calendar(t), flows: caseworktest.Flows(t)}
}

// at reads "2006-01-02T15:04" in Shanghai.
func at(s string) time.Time {
	v, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.DefaultLocation)
	if err != nil {
		panic(err)
	}
	return v
}

func date(s string) calendar.Date {
	d, err := calendar.ParseDate("date", s)
	if err != nil {
		panic(err)
	}
	return d
}

func (w *world) env(when string, a casework.Actor, flowCode string) casework.Env {
	return casework.Env{Now: at(when), Calendar: w.cal, Flow: w.flows[flowCode], Actor: a, Standing: casework.Listed}
}

func flowOf(it casework.Item) string {
	switch {
	case it.Code == forestry.Code:
		return "joint"
	case it.Kind == casework.Instant:
		return "instant"
	}
	return "promised"
}

// application is a person's application for item at the district (the
// town for the joint item), with materials.
func application(it casework.Item, materials ...string) casework.Application {
	app := casework.Application{Number: applyNum, QueryCodeHash: casework.QueryCodeHash(applyNum, "ABCD2345"),
		Item: it, Body: district, Materials: materials,
		Applicant: casework.Applicant{Kind: casework.Person, Name: "张三", ResidentID: adultID, Phone: "13812345678",
			Address: "青山区人民路88号3幢201室"}}
	if it.Code == forestry.Code {
		app.Number = "330199101-2026-000001"
		app.QueryCodeHash = casework.QueryCodeHash(app.Number, "ABCD2345")
		app.Body, app.Parent = town, &district
	}
	return app
}

// open opens a case and fails the test on a refusal.
func (w *world) open(when string, a casework.Actor, app casework.Application) casework.Case {
	w.t.Helper()
	c, _, err := casework.Open(app, w.env(when, a, flowOf(app.Item)))
	if err != nil {
		w.t.Fatalf("open at %s: %v", when, err)
	}
	return c
}

// do acts and fails the test on a refusal.
func (w *world) do(c casework.Case, when string, a casework.Actor, act casework.Action) (casework.Case, casework.Effects) {
	w.t.Helper()
	c2, eff, err := casework.Act(c, act, w.env(when, a, c.Flow.Code))
	if err != nil {
		w.t.Fatalf("%s at %s: %v", act.ID, when, err)
	}
	return c2, eff
}

// refused acts expecting a refusal and checks it changed nothing; it
// returns the error.
func (w *world) refused(c casework.Case, env casework.Env, act casework.Action) *apperr.Error {
	w.t.Helper()
	c2, eff, err := casework.Act(c, act, env)
	if err == nil {
		w.t.Fatalf("%s at %s was not refused", act.ID, env.Now.Format("2006-01-02T15:04"))
	}
	if !equalCases(c, c2) || eff.Event.Action != "" {
		w.t.Fatalf("a refused %s changed the case or had effects", act.ID)
	}
	return bilingual(w.t, err)
}

// bilingual returns err's *apperr.Error, failing the test when it lacks
// a language or is not one.
func bilingual(t testing.TB, err error) *apperr.Error {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code == apperr.Internal || e.Message("zh") == "" || e.Message("en") == "" {
		t.Fatalf("want a bilingual apperr, got %T %v", err, err)
	}
	return e
}

// status is the case clock's answer at when.
func (w *world) deadlines(c casework.Case, when string) casework.Deadlines {
	w.t.Helper()
	d, err := c.Deadlines(w.cal, at(when))
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

// accepted is a promised case registered, accepted and handed over to its
// unit on Monday 2 March 2026, received there the next morning.
func (w *world) accepted(it casework.Item) casework.Case {
	w.t.Helper()
	c := w.open("2026-03-02T09:00", window1, application(it, everything...))
	c, _ = w.do(c, "2026-03-02T09:10", window1, casework.Action{ID: "accept"})
	return c
}

func (w *world) inReview(it casework.Item) casework.Case {
	w.t.Helper()
	c := w.accepted(it)
	c, _ = w.do(c, "2026-03-02T10:00", window1, casework.Action{ID: "hand_over"})
	c, _ = w.do(c, "2026-03-03T09:00", unit1, casework.Action{ID: "receive"})
	return c
}

func kinds(docs []casework.Document) string {
	var out []string
	for _, d := range docs {
		out = append(out, string(d.Kind))
	}
	return strings.Join(out, ",")
}
