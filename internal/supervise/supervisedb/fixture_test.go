package supervisedb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

var ctx = context.Background()

// list is the test's catalogue: one promised item of 10 working days.
type list struct{}

func (list) Listing(_ context.Context, _ casework.Body, code string, _ time.Time) (caseworkdb.Listing, error) {
	if code != "XK0001" {
		return caseworkdb.Listing{Standing: casework.Unlisted}, nil
	}
	wd := func(n int) calendar.Budget { return calendar.Budget{N: n, Unit: calendar.WorkingDays} }
	return caseworkdb.Listing{Standing: casework.Listed, Item: casework.Item{ID: 1, VersionID: 1, Code: "XK0001", Name: "户外广告设置许可",
		Category: "licensing", Kind: casework.Promised, Statutory: wd(20), Promised: wd(10), Stars: 4,
		Unit:      casework.Unit{Code: "ZHZF", Name: "综合执法队"},
		Materials: []casework.Material{{Name: "申请书", Required: true}, {Name: "场地使用证明", Required: true}}}}, nil
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

type fixture struct {
	db    *store.DB
	cases *caseworkdb.Service
	sup   *supervisedb.Service
	demo  orgtest.Demo
	mu    sync.Mutex
	clock time.Time
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, demo: orgtest.Load(t, db), clock: at("2026-03-02T09:00")}
	cals := caldb.New(db)
	f.cases = caseworkdb.New(db, cals, list{}, caseworkdb.Options{Now: f.now})
	if err := f.cases.StoreShipped(ctx); err != nil {
		t.Fatal(err)
	}
	clocks := caldb.NewClocks(db, cals)
	clocks.SetNow(f.now)
	f.sup = supervisedb.New(f.cases, clocks, supervisedb.Options{Now: f.now})
	return f
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *fixture) set(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = at(s)
}

func (f *fixture) who(login string) access.Principal {
	p, ok := f.demo.People[login]
	if !ok {
		panic("no demo person " + login)
	}
	return p
}

var lisi = casework.Applicant{Kind: casework.Person, Name: "李四", ResidentID: "11010519491231002X", Phone: "13800138000"}

// accepted opens an XK0001 case at the window and accepts it at once.
func (f *fixture) accepted(t testing.TB) string {
	t.Helper()
	o, err := f.cases.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: lisi,
		Materials: []string{"申请书", "场地使用证明"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.act(t, "window1", o.Case.Number, casework.Action{ID: "accept"})
	return o.Case.Number
}

func (f *fixture) act(t testing.TB, login, number string, a casework.Action) casework.Case {
	t.Helper()
	c, err := f.cases.Act(ctx, f.who(login), number, 0, a)
	if err != nil {
		t.Fatalf("%s by %s: %v", a.ID, login, err)
	}
	return c
}

// cardsOf are the stored cards of case number, open and cleared, by rule.
func (f *fixture) cardsOf(t testing.TB, number string) map[string]supervisedb.Card {
	t.Helper()
	cs, err := f.sup.Cards(ctx, f.who("supervisor1"), supervisedb.Filter{Case: number, All: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]supervisedb.Card{}
	for _, c := range cs {
		out[c.Rule+"|"+c.Object.ID] = c
	}
	return out
}

// checkCounts compares the maintained counts with a recount of the cards.
func checkCounts(t testing.TB, db *store.DB) supervise.Counts {
	t.Helper()
	want, err := supervisedb.Recount(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT body_path, unit, level, n FROM supervise_counts WHERE n <> 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := supervise.Counts{}
	for rows.Next() {
		var k supervise.CountKey
		var n int
		if err := rows.Scan(&k.BodyPath, &k.Unit, &k.Level, &n); err != nil {
			t.Fatal(err)
		}
		got[k] = n
	}
	if len(got) != len(want) {
		t.Fatalf("counts %v, a recount gives %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("count %+v = %d, a recount gives %d", k, got[k], n)
		}
	}
	return got
}

func verify(t testing.TB, db *store.DB) {
	t.Helper()
	rep, err := db.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify: %s", rep.Mismatch)
	}
}

func caseworkdbApp(materials ...string) caseworkdb.Application {
	return caseworkdb.Application{Item: "XK0001", Applicant: lisi, Materials: materials}
}

func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
