package caseworkdb_test

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
)

// list is a catalogue the test sets: items by code, with a standing it may
// change between actions (C4).
type list struct {
	mu    sync.Mutex
	items map[string]caseworkdb.Listing
}

func (l *list) Listing(_ context.Context, _ casework.Body, code string, _ time.Time) (caseworkdb.Listing, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	it, ok := l.items[code]
	if !ok {
		return caseworkdb.Listing{Standing: casework.Unlisted}, nil
	}
	return it, nil
}

func (l *list) set(code string, st casework.Standing) {
	l.mu.Lock()
	defer l.mu.Unlock()
	it := l.items[code]
	it.Standing = st
	l.items[code] = it
}

var (
	zhzf = casework.Unit{Code: "ZHZF", Name: "综合执法队"}
	sqfw = casework.Unit{Code: "SQFW", Name: "社区服务站"}
)

func wd(n int) calendar.Budget { return calendar.Budget{N: n, Unit: calendar.WorkingDays} }

func newList() *list {
	return &list{items: map[string]caseworkdb.Listing{
		"XK0001": {Standing: casework.Listed, Item: casework.Item{ID: 1, VersionID: 1, Code: "XK0001", Name: "户外广告设置许可",
			Category: "licensing", Kind: casework.Promised, Statutory: wd(20), Promised: wd(10), Stars: 4, Unit: zhzf,
			Materials: []casework.Material{{Name: "申请书", Required: true}, {Name: "场地使用证明", Required: true}}}},
		"JB0001": {Standing: casework.Listed, Item: casework.Item{ID: 2, VersionID: 2, Code: "JB0001", Name: "临时身份证明",
			Category: "public_service", Kind: casework.Instant, Stars: 3, Unit: casework.Unit{Code: "BMFW", Name: "便民服务中心窗口"},
			Materials: []casework.Material{{Name: "申请书", Required: true}}}},
		"XK0003": {Standing: casework.Listed, Flow: "joint", Item: casework.Item{ID: 3, VersionID: 3, Code: "XK0003", Name: "临时占用道路许可",
			Category: "licensing", Kind: casework.Promised, Statutory: wd(45), Promised: wd(20), Stars: 3, Unit: sqfw,
			Materials: []casework.Material{{Name: "申请书", Required: true}}}},
	}}
}

// fixture is a case service on db with the demo organisation, a settable
// clock and the test's list.
type fixture struct {
	db    *store.DB
	svc   *caseworkdb.Service
	list  *list
	demo  orgtest.Demo
	mu    sync.Mutex
	clock time.Time
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// at is a local instant in Shanghai.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, list: newList(), demo: orgtest.Load(t, db), clock: at("2026-03-02T09:00")}
	f.svc = caseworkdb.New(db, caldb.New(db), f.list, caseworkdb.Options{Now: f.now})
	if err := f.svc.StoreShipped(context.Background()); err != nil {
		t.Fatal(err)
	}
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

// caseAccept is the action of acceptance; zeroPrincipal the public.
var (
	caseAccept    = casework.Action{ID: "accept"}
	zeroPrincipal = access.Principal{}
)

var lisi = casework.Applicant{Kind: casework.Person, Name: "李四", ResidentID: "11010519491231002X", Phone: "13800138000"}

// open registers an application for item at the window of window1.
func (f *fixture) open(t testing.TB, item string, materials ...string) caseworkdb.Opened {
	t.Helper()
	o, err := f.svc.Open(context.Background(), f.who("window1"), caseworkdb.Application{Item: item, Applicant: lisi, Materials: materials}, "")
	if err != nil {
		t.Fatalf("open %s: %v", item, err)
	}
	return o
}

func (f *fixture) act(t testing.TB, login, number string, a casework.Action) casework.Case {
	t.Helper()
	c, err := f.svc.Act(context.Background(), f.who(login), number, 0, a)
	if err != nil {
		t.Fatalf("%s by %s: %v", a.ID, login, err)
	}
	return c
}

// verify runs qingdan verify's check on db: the log and every audited
// table, cases included.
func verify(t testing.TB, db *store.DB) {
	t.Helper()
	rep, err := db.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify: %s", rep.Mismatch)
	}
}

func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
