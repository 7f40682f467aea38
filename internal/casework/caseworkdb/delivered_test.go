package caseworkdb_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// smsGateway is a real HTTP SMS gateway on a local listener: it answers
// each request with status (settable) and keeps the texts it accepted.
type smsGateway struct {
	mu     sync.Mutex
	status int
	texts  []string
}

func (g *smsGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	status := g.status
	if status == http.StatusOK {
		g.texts = append(g.texts, string(b))
	}
	g.mu.Unlock()
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"result":{"code":0}}`)
}

func (g *smsGateway) set(status int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.status = status
}

func (g *smsGateway) sent() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.texts...)
}

// delivery runs the outbox's deliverer (SMS through gw over HTTP, its clock
// the fixture's) and the case's delivery consumer until the test ends.
func (f *fixture) delivery(t *testing.T, g *smsGateway, retry notify.Retry) {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	tmpl, err := notify.ParseSMSTemplate(notify.DefaultSMSTemplate)
	if err != nil {
		t.Fatal(err)
	}
	gw := &notify.SMSGateway{URL: srv.URL + "/sms/send", Body: tmpl, Header: http.Header{}}
	if gw.OKField, gw.OKValue, err = notify.ParseSMSCheck("result.code=0"); err != nil {
		t.Fatal(err)
	}
	if err := gw.Check(); err != nil {
		t.Fatal(err)
	}
	d, err := notifydb.NewDeliverer(f.db, notifydb.Config{Channels: notifydb.Channels{SMS: gw}, Now: f.now, Poll: 20 * time.Millisecond,
		Retry: retry, Jitter: func() float64 { return 0 }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := d.Run(ctx); err != nil && ctx.Err() == nil {
			t.Errorf("deliverer: %v", err)
		}
	})
	wg.Go(func() {
		c := f.svc.DeliveredConsumerSpec()
		c.Poll = 20 * time.Millisecond
		if err := f.db.Consume(ctx, c); err != nil && ctx.Err() == nil {
			t.Errorf("consumer: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// notice is the applicant's completion notice in the outbox.
func notice(t *testing.T, db *store.DB, number string) notifydb.Entry {
	t.Helper()
	es, err := notifydb.Deliveries(context.Background(), db, caseworkdb.ObjectCase, number)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Cause == caseworkdb.CompletionCause && (e.Channel == notify.SMS || e.Channel == notify.Email) {
			return e
		}
	}
	t.Fatalf("no completion notice among %+v", es)
	return notifydb.Entry{}
}

// until polls cond for up to 10 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// days are the working days the H7 tests run on: a completion day d0 at
// least two days from now (the outbox's due times are the real clock's)
// and the two working days after it.
func days(t *testing.T, f *fixture) (d0, d1, d2 calendar.Date) {
	t.Helper()
	cal, err := f.svc.Calendar(context.Background(), f.demo.Bodies["330199"])
	if err != nil {
		t.Fatal(err)
	}
	d0 = cal.Date(time.Now()).AddDays(2)
	for {
		ok, err := cal.IsWorkingDay(d0)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		d0 = d0.AddDays(1)
	}
	if d1, err = cal.AddWorkingDays(d0, 1); err != nil {
		t.Fatal(err)
	}
	if d2, err = cal.AddWorkingDays(d0, 2); err != nil {
		t.Fatal(err)
	}
	return d0, d1, d2
}

func (f *fixture) setTime(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = t
}

// on is hh:mm of day d in Shanghai.
func on(d calendar.Date, hh, mm int) time.Time {
	return d.Start(shanghai).Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// completeOn runs a promised case to its completion on day d (10:00),
// the outbox's deliverer stopped meanwhile (the gateway refuses nothing
// before then: nothing is due before the clock reaches d).
func (f *fixture) completeOn(t *testing.T, d calendar.Date) string {
	t.Helper()
	f.setTime(on(d, 8, 0))
	n := f.open(t, "XK0001", "申请书", "场地使用证明").Case.Number
	for i, s := range []struct {
		who string
		a   casework.Action
	}{
		{"window1", casework.Action{ID: "accept"}},
		{"window1", casework.Action{ID: "hand_over"}},
		{"unit1", casework.Action{ID: "receive"}},
		{"unit1", casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予"}},
		{"unit1", casework.Action{ID: "hand_back"}},
		{"window1", casework.Action{ID: "complete", Certificate: "青广许〔2026〕9号"}},
	} {
		f.setTime(on(d, 8, 10*(i+1)))
		f.act(t, s.who, n, s.a)
	}
	return n
}

func (f *fixture) caseNow(t *testing.T, n string) casework.Case {
	t.Helper()
	c, err := f.svc.Get(context.Background(), f.who("window1"), n)
	if err != nil {
		t.Fatal(err)
	}
	return c.Case
}

// H7 counts from the delivery: the completion SMS, held up until the next
// working day (the deliverer's clock), reaches the gateway then; the case
// records the applicant notified at the delivery, by the system, in time.
// The staff's button is refused while the notice is on its way.
func TestDelivered_H7_noticeDeliveredNextWorkingDayIsInTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d0, d1, _ := days(t, f)
		// The completion on d0; the gateway is down all day (failed, retried).
		g := &smsGateway{status: http.StatusServiceUnavailable}
		n := f.completeOn(t, d0)
		if _, err := f.svc.Act(context.Background(), f.who("window1"), n, 0, casework.Action{ID: "notify"}); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("the button with the notice pending: %v", err)
		}
		f.setTime(on(d0, 10, 5))
		f.delivery(t, g, notify.Retry{MaxAttempts: 10, Base: time.Hour, Max: time.Hour})
		until(t, "a failed attempt", func() bool { return notice(t, db, n).State == notify.Failed })
		if e := notice(t, db, n); e.State == notify.Sent || e.LastError == "" {
			t.Fatalf("the gateway refused, yet %+v", e)
		}
		if _, err := f.svc.Act(context.Background(), f.who("window1"), n, 0, casework.Action{ID: "notify"}); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("the button with the notice failing: %v", err)
		}
		// Next working day, 09:30: the gateway is up.
		delivered := on(d1, 9, 30)
		f.setTime(delivered)
		g.set(http.StatusOK)
		until(t, "the case notified", func() bool { return !f.caseNow(t, n).NotifiedAt.IsZero() })
		c := f.caseNow(t, n)
		if !c.NotifiedAt.Equal(delivered) || c.Flagged("H7") || c.Status != flow.Completed || c.Step != "completed" {
			t.Fatalf("notified %v (delivered %v), flags %v, %s/%s", c.NotifiedAt, delivered, c.FlagRules(), c.Status, c.Step)
		}
		if e := notice(t, db, n); e.State != notify.Sent || !e.DeliveredAt.Equal(delivered) {
			t.Fatalf("notice %+v", e)
		}
		done := 0
		for _, text := range g.sent() {
			if strings.Contains(text, n) && strings.Contains(text, "已办结") {
				done++
			}
		}
		if done != 1 {
			t.Fatalf("the gateway got %d completion texts: %q", done, g.sent())
		}
		tl, err := f.svc.View(context.Background(), f.who("window1"), n)
		if err != nil {
			t.Fatal(err)
		}
		last := tl.Events[len(tl.Events)-1]
		if last.Action != "notify" || last.By != casework.System || !last.NotifiedAt.Equal(delivered) {
			t.Fatalf("last event %+v", last)
		}
		verify(t, db)
	})
}

// A notice delivered two working days after the completion is late: H7
// is flagged, whenever the button would have been pressed.
func TestDelivered_H7_noticeDeliveredLateIsFlagged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d0, _, d2 := days(t, f)
		n := f.completeOn(t, d0)
		delivered := on(d2, 9, 0)
		f.setTime(delivered)
		f.delivery(t, &smsGateway{status: http.StatusOK}, notify.Retry{})
		until(t, "the case notified", func() bool { return !f.caseNow(t, n).NotifiedAt.IsZero() })
		c := f.caseNow(t, n)
		if !c.NotifiedAt.Equal(delivered) || !c.Flagged("H7") {
			t.Fatalf("notified %v, flags %v", c.NotifiedAt, c.FlagRules())
		}
		verify(t, db)
	})
}

// A notice never delivered (the gateway refuses it until the deliverer
// gives up) leaves the case waiting to be notified; the window then tells
// the applicant another way, and the button — now allowed — is dated when
// pressed: two working days late, flagged H7.
func TestDelivered_H7_noticeNeverDeliveredIsFlagged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d0, _, d2 := days(t, f)
		n := f.completeOn(t, d0)
		f.setTime(on(d0, 10, 30))
		f.delivery(t, &smsGateway{status: http.StatusBadRequest}, notify.Retry{MaxAttempts: 3, Base: time.Minute, Max: time.Minute})
		until(t, "the notice dead", func() bool {
			f.setTime(f.now().Add(time.Minute)) // the retries come due
			return notice(t, db, n).State == notify.Dead
		})
		if c := f.caseNow(t, n); !c.NotifiedAt.IsZero() || c.Step != "notifying" {
			t.Fatalf("a notice never delivered notified the case: %v %s", c.NotifiedAt, c.Step)
		}
		f.setTime(on(d2, 11, 0))
		c := f.act(t, "window1", n, casework.Action{ID: "notify"})
		if !c.NotifiedAt.Equal(on(d2, 11, 0)) || !c.Flagged("H7") {
			t.Fatalf("notified %v, flags %v", c.NotifiedAt, c.FlagRules())
		}
		verify(t, db)
	})
}
