package ratingdb_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
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
		Materials: []casework.Material{{Name: "申请书", Required: true}}}}, nil
}

var shanghai = time.FixedZone("CST", 8*3600)

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
	rt    *ratingdb.Service
	demo  orgtest.Demo
	mu    sync.Mutex
	clock time.Time
}

func newFixture(t testing.TB, db *store.DB, o ratingdb.Options) *fixture {
	t.Helper()
	f := &fixture{db: db, demo: orgtest.Load(t, db), clock: at("2026-03-02T09:00")}
	f.cases = caseworkdb.New(db, caldb.New(db), list{}, caseworkdb.Options{Now: f.now})
	if err := f.cases.StoreShipped(ctx); err != nil {
		t.Fatal(err)
	}
	o.Now = f.now
	f.rt = ratingdb.New(f.cases, o)
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

// opened registers an XK0001 case at the window; it answers the number
// and the query code.
func (f *fixture) opened(t testing.TB) (string, string) {
	t.Helper()
	o, err := f.cases.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: lisi, Materials: []string{"申请书"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	return o.Case.Number, o.QueryCode
}

// completed runs a case from registration to completion on 2–6 March.
func (f *fixture) completed(t testing.TB) (string, string) {
	t.Helper()
	f.set("2026-03-02T09:00")
	n, code := f.opened(t)
	for _, s := range []struct {
		at, who string
		a       casework.Action
	}{
		{"2026-03-02T09:10", "window1", casework.Action{ID: "accept"}},
		{"2026-03-02T15:00", "window1", casework.Action{ID: "hand_over"}},
		{"2026-03-03T09:00", "unit1", casework.Action{ID: "receive"}},
		{"2026-03-05T10:00", "unit1", casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予"}},
		{"2026-03-05T15:00", "unit1", casework.Action{ID: "hand_back"}},
		{"2026-03-06T10:00", "window1", casework.Action{ID: "complete", Certificate: "青广许〔2026〕1号"}},
	} {
		f.set(s.at)
		if _, err := f.cases.Act(ctx, f.who(s.who), n, 0, s.a); err != nil {
			t.Fatalf("%s: %v", s.a.ID, err)
		}
	}
	return n, code
}

func isCode(err error, c apperr.Code) bool { return err != nil && apperr.CodeOf(err) == c }

func isField(err error, field string) bool {
	var e *apperr.Error
	return errors.As(err, &e) && e.Field == field
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

func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// L8: one rating per matter. An open case cannot be rated, a wrong query
// code is the same not-found as an unknown number, and a second rating of
// a rated case is refused on every channel, changing nothing.
func TestRating_L8_oncePerMatter_secondRatingRefused_openCaseRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ratingdb.Options{})
		open, openCode := f.opened(t)
		if _, err := f.rt.RateOnPortal(ctx, open, openCode, rating.Satisfied, ""); !isCode(err, apperr.Conflict) || !isField(err, "case") {
			t.Fatalf("an open case rated: %v", err)
		}
		n, code := f.completed(t)
		if _, err := f.rt.RateOnPortal(ctx, n, "WRONG1", rating.Satisfied, ""); !isCode(err, apperr.NotFound) {
			t.Fatalf("a wrong query code: %v", err)
		}
		if _, err := f.rt.RateOnPortal(ctx, n, code, rating.Level(7), ""); !isField(err, "level") {
			t.Fatalf("level 7: %v", err)
		}
		r, err := f.rt.RateOnPortal(ctx, n, code, rating.VerySatisfied, "窗口服务很好，联系电话13800138000")
		if err != nil {
			t.Fatal(err)
		}
		if r.Callback != nil || r.Unit.Code != "ZHZF" || r.Channel != rating.Portal || r.Status != rating.Counted {
			t.Fatalf("rating %+v", r)
		}
		if _, err := f.rt.RateOnPortal(ctx, n, code, rating.VeryDissatisfied, "再评一次"); !isCode(err, apperr.Conflict) ||
			!strings.Contains(apperr.As(err).Message("zh"), "已评价") {
			t.Fatalf("a second rating: %v", err)
		}
		f.set("2026-03-06T11:00")
		tok, _, err := f.rt.StartKiosk(ctx, f.who("window1"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.rt.RateAtKiosk(ctx, tok, n, rating.Dissatisfied, "又一次"); !isCode(err, apperr.Conflict) {
			t.Fatalf("a second rating at the kiosk: %v", err)
		}
		if got := count(t, db, `SELECT count(*) FROM ratings`); got != 1 {
			t.Fatalf("%d ratings stored", got)
		}
		if rated, err := f.rt.Rated(ctx, n); err != nil || !rated {
			t.Fatalf("rated %v %v", rated, err)
		}
		// The public tally masks nothing it does not show: comments are masked.
		rs, err := f.rt.Recent(ctx, "/", 10)
		if err != nil || len(rs) != 1 || strings.Contains(rs[0].Comment, "13800138000") {
			t.Fatalf("public comments %+v %v", rs, err)
		}
		verify(t, db)
	})
}

// L8: a bad rating opens a callback for the responsible unit, due 15
// working days later (configurable per body); the unit calls back,
// verifies, rectifies and closes it with evidence; past its due time an
// open callback is overdue; others may not act on it.
func TestRating_L8_badRatingOpensCallbackWithin15WorkingDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ratingdb.Options{})
		n, code := f.completed(t)
		f.set("2026-03-06T16:00") // Friday
		if _, err := f.rt.RateOnPortal(ctx, n, code, rating.Dissatisfied, " "); !isField(err, "comment") {
			t.Fatalf("a bad rating without a reason: %v", err)
		}
		r, err := f.rt.RateOnPortal(ctx, n, code, rating.Dissatisfied, "等了很久")
		if err != nil {
			t.Fatal(err)
		}
		// 15 working days after Friday 6 March 2026: Friday 27 March, 24:00.
		if r.Callback == nil || r.Callback.State != rating.CallbackOpen || !r.Callback.Due.Equal(at("2026-03-28T00:00")) {
			t.Fatalf("callback %+v", r.Callback)
		}
		due, err := f.rt.List(ctx, f.who("unit1"), ratingdb.Filter{Callback: "due"})
		if err != nil || len(due) != 1 {
			t.Fatalf("the unit's due callbacks: %v %v", due, err)
		}
		if _, err := f.rt.Callback(ctx, f.who("head_scjg"), r.ID, int64(r.Version), rating.Step{Action: "call", Text: "x"}); !isCode(err, apperr.Forbidden) {
			t.Fatalf("another unit's staff called back: %v", err)
		}
		if _, err := f.rt.Callback(ctx, f.who("unit1"), r.ID, int64(r.Version), rating.Step{Action: "close", Text: "x", Evidence: "y"}); !isCode(err, apperr.Conflict) {
			t.Fatalf("closed before the call: %v", err)
		}
		unit := f.who("unit1")
		f.set("2026-03-09T10:00")
		r, err = f.rt.Callback(ctx, unit, r.ID, int64(r.Version), rating.Step{Action: "call", Text: "已电话回访，申请人反映等候时间长"})
		if err != nil || r.Callback.State != rating.CallbackCalled {
			t.Fatalf("call: %+v %v", r.Callback, err)
		}
		if _, err := f.rt.Callback(ctx, unit, r.ID, int64(r.Version)-1, rating.Step{Action: "verify", Text: "x"}); !isCode(err, apperr.Conflict) {
			t.Fatalf("a stale step: %v", err)
		}
		r, err = f.rt.Callback(ctx, unit, r.ID, int64(r.Version), rating.Step{Action: "verify", Text: "属实：移交延误半天", Founded: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.Callback.Overdue(at("2026-03-27T23:00")) || !r.Callback.Overdue(at("2026-03-28T00:01")) {
			t.Fatal("overdue at the wrong time")
		}
		if _, err := f.rt.Callback(ctx, unit, r.ID, int64(r.Version), rating.Step{Action: "close", Text: "已整改"}); !isField(err, "evidence") {
			t.Fatalf("closed without evidence: %v", err)
		}
		f.set("2026-03-30T09:00")
		r, err = f.rt.Callback(ctx, unit, r.ID, int64(r.Version), rating.Step{Action: "close", Text: "调整移交流程", Evidence: "整改通知 2026-3"})
		if err != nil || r.Callback.State != rating.CallbackClosed || !r.Callback.Late {
			t.Fatalf("close: %+v %v", r.Callback, err)
		}
		verify(t, db)
	})
}

// L8's 15 working days are configurable per body: 5 for the district and
// below.
func TestRating_L8_callbackDaysConfigurablePerBody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ratingdb.Options{CallbackDays: map[string]int{"/": 5}})
		n, code := f.completed(t)
		f.set("2026-03-06T16:00")
		r, err := f.rt.RateOnPortal(ctx, n, code, rating.VeryDissatisfied, "态度差")
		if err != nil || !r.Callback.Due.Equal(at("2026-03-14T00:00")) {
			t.Fatalf("5 days: %+v %v", r.Callback, err)
		}
	})
}

// L8: the unit appeals a malicious rating; a supervisor upholds it and the
// rating leaves the statistics, its callback withdrawn. A rejected appeal
// leaves it counted.
func TestRating_L8_appealUpheldRemovesFromStatistics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ratingdb.Options{})
		n, code := f.completed(t)
		r, err := f.rt.RateOnPortal(ctx, n, code, rating.VeryDissatisfied, "乱评")
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.rt.Stats(ctx, "/")
		if err != nil || st.All.Total != 1 || st.All.Bad != 1 || len(st.Units) != 1 || st.Units[0].Unit.Name != "综合执法队" || st.All.SatisfactionRate() != 0 {
			t.Fatalf("stats before %+v %v", st, err)
		}
		unit, sup := f.who("unit1"), f.who("supervisor1")
		if _, err := f.rt.Appeal(ctx, unit, r.ID, int64(r.Version), "angry", "x"); !isField(err, "kind") {
			t.Fatalf("an unknown kind: %v", err)
		}
		r, err = f.rt.Appeal(ctx, unit, r.ID, int64(r.Version), rating.Malicious, "该申请人未在本窗口办理")
		if err != nil || !r.Appeal.Pending() {
			t.Fatalf("appeal %+v %v", r.Appeal, err)
		}
		if _, err := f.rt.DecideAppeal(ctx, unit, r.ID, int64(r.Version), true, "自己裁定"); !isCode(err, apperr.Forbidden) {
			t.Fatalf("the unit decided its own appeal: %v", err)
		}
		r, err = f.rt.DecideAppeal(ctx, sup, r.ID, int64(r.Version), true, "经核实为恶意评价")
		if err != nil || r.Status != rating.Removed || r.Callback.State != rating.CallbackWithdrawn {
			t.Fatalf("upheld %+v %v", r, err)
		}
		if _, err := f.rt.DecideAppeal(ctx, sup, r.ID, int64(r.Version), false, "再裁"); !isCode(err, apperr.Conflict) {
			t.Fatalf("decided twice: %v", err)
		}
		st, err = f.rt.Stats(ctx, "/")
		if err != nil || st.All.Total != 0 || len(st.Units) != 0 {
			t.Fatalf("stats after %+v %v", st, err)
		}
		verify(t, db)
	})
}

// L8 at the window: one rating per visit — a case of the device's body
// completed today; not one completed another day, not through an ended
// device.
func TestRating_L8_kioskRatesTodaysCaseOncePerVisit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ratingdb.Options{})
		old, _ := f.completed(t)
		if _, _, err := f.rt.StartKiosk(ctx, f.who("unit1")); !isCode(err, apperr.Forbidden) {
			t.Fatalf("unit staff started a kiosk: %v", err)
		}
		n, _ := f.completed(t)
		f.set("2026-03-09T09:00")
		tok, k, err := f.rt.StartKiosk(ctx, f.who("window1"))
		if err != nil || k.Unit != "BMFW" {
			t.Fatalf("kiosk %+v %v", k, err)
		}
		if _, err := f.rt.RateAtKiosk(ctx, tok, n, rating.Satisfied, ""); !isCode(err, apperr.Conflict) {
			t.Fatalf("a case completed on another day rated at the kiosk: %v", err)
		}
		f.set("2026-03-06T17:00")
		if _, err := f.rt.RateAtKiosk(ctx, "not-a-token", n, rating.Satisfied, ""); !isCode(err, apperr.NotFound) {
			t.Fatalf("a wrong token: %v", err)
		}
		r, err := f.rt.RateAtKiosk(ctx, tok, n, rating.Satisfied, "")
		if err != nil || r.Channel != rating.Kiosk || r.KioskID != k.ID {
			t.Fatalf("kiosk rating %+v %v", r, err)
		}
		if err := f.rt.EndKiosk(ctx, f.who("window1"), k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rt.RateAtKiosk(ctx, tok, old, rating.Satisfied, ""); !isCode(err, apperr.NotFound) {
			t.Fatalf("an ended kiosk rated: %v", err)
		}
		verify(t, db)
	})
}

// L8: the completion message carries a secret rating link; the link rates
// its case once.
func TestRating_L8_completionMessageCarriesTheRatingLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ratingdb.Options{})
		n, _ := f.completed(t)
		evs, err := db.Events(ctx, store.EventFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		c := f.rt.InviteConsumer("https://zwfw.example.gov.cn/")
		// Handled two days late (a consumer started on an old database):
		// no text out of the blue.
		f.set("2026-03-08T11:00")
		if err := db.Write(ctx, func(tx *store.Tx) error { return c.Handle(ctx, tx, evs) }); err != nil {
			t.Fatal(err)
		}
		if count(t, db, `SELECT count(*) FROM rating_invitations`) != 0 {
			t.Fatal("a case completed two days before was invited")
		}
		f.set("2026-03-06T10:31")
		for range 2 { // a batch handled again invites once
			if err := db.Write(ctx, func(tx *store.Tx) error { return c.Handle(ctx, tx, evs) }); err != nil {
				t.Fatal(err)
			}
		}
		var body string
		if err := db.QueryRow(ctx, `SELECT body FROM notify_outbox WHERE cause = 'rating.invited' AND root_id = ?`, n).Scan(&body); err != nil {
			t.Fatal(err)
		}
		i := strings.Index(body, "/portal/rate/")
		if i < 0 || !strings.HasPrefix(body[:i], "您的办件") {
			t.Fatalf("message %q", body)
		}
		token := body[i+len("/portal/rate/"):]
		if count(t, db, `SELECT count(*) FROM rating_invitations`) != 1 {
			t.Fatal("invited twice")
		}
		r, err := f.rt.RateByLink(ctx, token, rating.Satisfied, "")
		if err != nil || r.Case != n || r.Channel != rating.Link {
			t.Fatalf("by link %+v %v", r, err)
		}
		if _, err := f.rt.RateByLink(ctx, token, rating.Satisfied, ""); !isCode(err, apperr.Conflict) {
			t.Fatalf("the link rated twice: %v", err)
		}
		if _, err := f.rt.RateByLink(ctx, "nope", rating.Satisfied, ""); !isCode(err, apperr.NotFound) {
			t.Fatalf("a wrong link: %v", err)
		}
		verify(t, db)
	})
}

// S7: a supervisor sends a questionnaire to a sample of recent applicants
// through the outbox (SMS with a link each); the applicant answers once
// through the link, no login; the supervisor sees the results, free text
// masked.
func TestSurvey_S7_sentThroughTheOutbox_answeredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ratingdb.Options{})
		f.completed(t)
		sup := f.who("supervisor1")
		if _, err := f.rt.SendSurvey(ctx, f.who("unit1"), "x", "q", 1, "https://x"); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff sent a survey: %v", err)
		}
		if _, err := f.rt.SendSurvey(ctx, sup, "", "", 0, "https://x"); err == nil {
			t.Fatal("an empty questionnaire was sent")
		}
		sv, err := f.rt.SendSurvey(ctx, sup, "窗口服务满意度", "办事指南是否清楚？\n窗口人员态度如何？", 10, "https://zwfw.example.gov.cn")
		if err != nil || sv.Sent != 1 {
			t.Fatalf("sent %+v %v", sv, err)
		}
		var body string
		if err := db.QueryRow(ctx, `SELECT body FROM notify_outbox WHERE cause = 'rating.survey'`).Scan(&body); err != nil {
			t.Fatal(err)
		}
		i := strings.Index(body, "/survey/")
		if i < 0 {
			t.Fatalf("message %q", body)
		}
		token := body[i+len("/survey/"):]
		q, answered, err := f.rt.SurveyByToken(ctx, token)
		if err != nil || answered || len(q.Questions) != 2 {
			t.Fatalf("questionnaire %+v %v %v", q, answered, err)
		}
		if err := f.rt.AnswerSurvey(ctx, token, rating.Response{Levels: []rating.Level{5}}); !isField(err, "answers") {
			t.Fatalf("half an answer: %v", err)
		}
		if err := f.rt.AnswerSurvey(ctx, token, rating.Response{Levels: []rating.Level{5, 4}, Text: "我叫王小明，电话13800138000"}); err != nil {
			t.Fatal(err)
		}
		if err := f.rt.AnswerSurvey(ctx, token, rating.Response{Levels: []rating.Level{1, 1}}); !isCode(err, apperr.Conflict) {
			t.Fatalf("answered twice: %v", err)
		}
		res, err := f.rt.Results(ctx, sup, sv.ID)
		if err != nil || res.Answered != 1 || res.Questions[0].Count(rating.VerySatisfied) != 1 || res.Questions[1].Count(rating.Satisfied) != 1 ||
			len(res.Texts) != 1 || strings.Contains(res.Texts[0], "13800138000") {
			t.Fatalf("results %+v %v", res, err)
		}
		verify(t, db)
	})
}
