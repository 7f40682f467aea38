package notifydb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

const base = time.Minute // the tests' first retry delay

// deliverer is a deliverer on a settable clock with a fixed jitter (half
// way), so a failed attempt n is next tried 0.75·base·2^(n-1) later.
func deliverer(t *testing.T, db *store.DB, c *clock, attempts int, ch notifydb.Channels) *notifydb.Deliverer {
	t.Helper()
	if ch.Webhooks == nil {
		ch.Webhooks = &notify.Webhooks{Timeout: 5 * time.Second}
	}
	d, err := notifydb.NewDeliverer(db, notifydb.Config{Channels: ch, Now: c.Now, Jitter: func() float64 { return 0.5 },
		Retry: notify.Retry{Base: base, Max: time.Hour, MaxAttempts: attempts}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func pass(t *testing.T, d *notifydb.Deliverer, l *store.Lease, want int) {
	t.Helper()
	n, err := d.PassForTest(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("the pass handled %d messages, want %d", n, want)
	}
}

func only(t *testing.T, s *notifydb.Service, dm demo) notifydb.Entry {
	t.Helper()
	es := entries(t, s, dm, notifydb.Filter{})
	if len(es) != 1 {
		t.Fatalf("%d entries", len(es))
	}
	return es[0]
}

// A receiver that fails twice gets the message on the third attempt, each
// retry after its backoff and not before, always under one delivery id,
// signed so that notify.Verify accepts it; the case's timeline records
// the delivery.
func TestDeliver_webhookFailingTwiceIsSentOnTheThirdAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dm := loadDemo(t, db)
		s := notifydb.New(db)
		h := newHook(t, 2)
		h.register(t, s, dm, "supervision")
		c := newClock()
		d := deliverer(t, db, c, 8, notifydb.Channels{})
		l := holdLease(t, db)
		enqueue(t, db, webhookTo(t, "supervision", dm.qingshan, "330199001-2026-000007"))

		pass(t, d, l, 1)
		e := only(t, s, dm)
		if e.State != notify.Failed || e.Attempts != 1 || !strings.Contains(e.LastError, "503") {
			t.Fatalf("after a refused attempt: %+v", e)
		}
		if want := c.Now().Add(base * 3 / 4); !e.NextAttemptAt.Equal(want.Truncate(time.Microsecond)) {
			t.Errorf("next attempt at %v, want %v", e.NextAttemptAt, want)
		}
		c.Add(base*3/4 - time.Second)
		pass(t, d, l, 0) // not due yet: the backoff holds
		c.Add(time.Second)
		pass(t, d, l, 1) // the second attempt, refused too
		if e := only(t, s, dm); e.State != notify.Failed || e.Attempts != 2 {
			t.Fatalf("after two refused attempts: %+v", e)
		}
		c.Add(base*3/2 - time.Second)
		pass(t, d, l, 0)
		c.Add(time.Second)
		pass(t, d, l, 1)

		e = only(t, s, dm)
		if e.State != notify.Sent || e.Attempts != 3 || e.LastError != "" || !e.DeliveredAt.Equal(c.Now().Truncate(time.Microsecond)) {
			t.Fatalf("after the third attempt: %+v", e)
		}
		calls, bad := h.stats()
		if calls != 3 || len(bad) > 0 || !slices.Equal(h.accepted(), []string{e.DeliveryID}) {
			t.Errorf("the receiver saw %d calls, accepted %v, refused signatures %v; want 3 calls and %s once", calls, h.accepted(), bad, e.DeliveryID)
		}
		timeline, err := db.Events(ctx, store.EventFilter{RootType: "case", RootID: "330199001-2026-000007"})
		if err != nil {
			t.Fatal(err)
		}
		if len(timeline) != 1 || timeline[0].Action != "notify.sent" || !strings.Contains(string(timeline[0].Payload), e.DeliveryID) {
			t.Errorf("the case's timeline: %+v", timeline)
		}
		pass(t, d, l, 0) // sent is final
		// The page counts what was sent in the last 24 hours.
		sentCount := func() int64 {
			o, err := s.Outbox(ctx, dm.people["admin"], notifydb.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, c := range o.Counts {
				if c.State == notify.Sent {
					n += c.N
				}
			}
			return n
		}
		s.SetClockForTest(c.Now)
		if n := sentCount(); n != 1 {
			t.Errorf("sent in the last 24 h: %d, want 1", n)
		}
		c.Add(notifydb.SentWindow + time.Second)
		if n := sentCount(); n != 0 {
			t.Errorf("sent in the last 24 h, a day later: %d, want 0", n)
		}
		verifyOK(t, db)
	})
}

// A receiver that never answers well: the message is dead after the last
// attempt, with its last error, shown among the dead letters; a retry by
// an administrator, once the receiver is fixed, sends it. Retry and death
// are in the case's timeline.
func TestDeliver_deadAfterTheLastAttemptThenRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dm := loadDemo(t, db)
		s := notifydb.New(db)
		h := newHook(t, 1000)
		h.register(t, s, dm, "archive")
		c := newClock()
		s.SetClockForTest(c.Now)
		d := deliverer(t, db, c, 3, notifydb.Channels{})
		l := holdLease(t, db)
		enqueue(t, db, webhookTo(t, "archive", dm.qingshan, "330199001-2026-000008"))
		for range 3 {
			pass(t, d, l, 1)
			c.Add(time.Hour)
		}
		dead := entries(t, s, dm, notifydb.Filter{State: notify.Dead})
		if len(dead) != 1 || dead[0].Attempts != 3 || !strings.Contains(dead[0].LastError, "503") {
			t.Fatalf("dead letters: %+v", dead)
		}
		pass(t, d, l, 0) // dead is not retried by itself
		if calls, _ := h.stats(); calls != 3 {
			t.Fatalf("%d attempts, want 3", calls)
		}

		h.setFailures(0)
		if _, err := s.Retry(ctx, dm.people["admin"], dead[0].ID); err != nil {
			t.Fatal(err)
		}
		e := only(t, s, dm)
		if e.State != notify.Pending || e.Attempts != 0 || e.LastError == "" || e.DeliveryID != dead[0].DeliveryID {
			t.Fatalf("after the retry: %+v", e)
		}
		if _, err := s.Retry(ctx, dm.people["admin"], e.ID); err == nil || !strings.Contains(err.Error(), "dead") {
			t.Errorf("retrying a pending message: %v", err)
		}
		pass(t, d, l, 1)
		if e := only(t, s, dm); e.State != notify.Sent || e.Attempts != 1 {
			t.Fatalf("after the retried attempt: %+v", e)
		}
		var actions []string
		timeline, err := db.Events(ctx, store.EventFilter{RootType: "case", RootID: "330199001-2026-000008"})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range timeline {
			actions = append(actions, ev.Action+" by "+ev.Actor)
		}
		if want := []string{"notify.dead by system", "notify.retried by admin", "notify.sent by system"}; !slices.Equal(actions, want) {
			t.Errorf("timeline %v, want %v", actions, want)
		}
		verifyOK(t, db)
	})
}

// "Retry all dead" revives the dead letters of the administrator's
// jurisdiction only, of one channel when asked.
func TestRetryDead_withinTheJurisdiction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dm := loadDemo(t, db)
		s := notifydb.New(db)
		c := newClock()
		d := deliverer(t, db, c, 1, notifydb.Channels{}) // no email channel: email dies at once
		l := holdLease(t, db)
		mail := func(body int64) notify.Message {
			m := notify.Mail("a@example.com", "通知", "内容")
			m.BodyID = body
			return m
		}
		text := notify.Text("13800138000", "通知")
		text.BodyID = dm.qingshan
		enqueue(t, db, mail(dm.qingshan), mail(dm.qingshan), mail(dm.xikou), text)
		pass(t, d, l, 4)
		for _, e := range entries(t, s, dm, notifydb.Filter{}) {
			if e.State != notify.Dead || !strings.Contains(e.LastError, "not configured") {
				t.Fatalf("without the channel: %+v", e)
			}
		}
		town, err := s.Outbox(ctx, dm.people["qingshan_admin"], notifydb.Filter{})
		if err != nil || len(town.Entries) != 3 {
			t.Fatalf("青山街道's outbox: %d entries (%v), want its 3", len(town.Entries), err)
		}
		var counted int64
		for _, c := range town.Counts {
			counted += c.N
			if c.State != notify.Dead {
				t.Errorf("count %+v", c)
			}
		}
		if counted != 3 {
			t.Errorf("青山街道's counts add up to %d, want 3", counted)
		}
		n, err := s.RetryDead(ctx, dm.people["qingshan_admin"], notify.Email)
		if err != nil || n != 2 {
			t.Fatalf("青山街道's administrator retried %d (%v), want its 2 emails", n, err)
		}
		left := entries(t, s, dm, notifydb.Filter{State: notify.Dead})
		if len(left) != 2 {
			t.Fatalf("%d dead letters left, want 溪口镇's email and 青山街道's SMS", len(left))
		}
		for _, e := range left {
			_, err := s.Retry(ctx, dm.people["qingshan_admin"], e.ID)
			if foreign := e.BodyID == dm.xikou; foreign != (err != nil) {
				t.Errorf("青山街道's administrator retrying %s of body %d: %v", e.Channel, e.BodyID, err)
			}
		}
		if _, err := s.RetryDead(ctx, dm.people["qingshan1"], ""); err == nil {
			t.Error("a staff member without the administrator's role retried the dead letters")
		}
	})
}

// fakeSender records what it is asked to send, failing while fail is set.
type fakeSender struct {
	sent []notify.Delivery
	fail error
}

func (f *fakeSender) Send(_ context.Context, d notify.Delivery) error {
	if f.fail != nil {
		return f.fail
	}
	f.sent = append(f.sent, d)
	return nil
}

// Email and SMS go to their channels with their delivery id; a channel's
// permanent failure (a mail server's 5xx) is dead at once.
func TestDeliver_emailAndSMSChannels(t *testing.T) {
	db := storetest.SQLite(t)
	dm := loadDemo(t, db)
	s := notifydb.New(db)
	c := newClock()
	email, sms := &fakeSender{}, &fakeSender{}
	d := deliverer(t, db, c, 8, notifydb.Channels{Email: email, SMS: sms})
	l := holdLease(t, db)
	m := notify.Mail("zhang@example.com", "受理通知", "您的申请已受理。")
	m.BodyID = dm.qingshan
	tx := notify.Text("13800138000", "您的申请已受理。")
	tx.BodyID = dm.qingshan
	enqueue(t, db, m, tx)
	pass(t, d, l, 2)
	if len(email.sent) != 1 || email.sent[0].Subject != "受理通知" || len(sms.sent) != 1 || sms.sent[0].Recipient != "13800138000" {
		t.Fatalf("sent %+v and %+v", email.sent, sms.sent)
	}
	for _, e := range entries(t, s, dm, notifydb.Filter{}) {
		if e.State != notify.Sent {
			t.Errorf("%+v", e)
		}
		if (e.Channel == notify.Email && e.DeliveryID != email.sent[0].ID) || (e.Channel == notify.SMS && e.DeliveryID != sms.sent[0].ID) {
			t.Errorf("the channel got another id than the entry's %s", e.DeliveryID)
		}
	}
	email.fail = notify.Permanent(errors.New("SMTP RCPT TO: 550 no such user"))
	enqueue(t, db, m)
	pass(t, d, l, 1)
	if dead := entries(t, s, dm, notifydb.Filter{State: notify.Dead}); len(dead) != 1 || dead[0].Attempts != 1 || !strings.Contains(dead[0].LastError, "550") {
		t.Errorf("a permanent failure: %+v", dead)
	}
}

// An outcome is recorded only under the claim that sent it: once a claim
// has run out and the message was claimed again (its sender seemed dead),
// the first claim's outcome changes nothing — so the message is not marked
// twice, nor sent again by the first claim's holder.
func TestDeliver_anOutcomeNeedsItsClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dm := loadDemo(t, db)
		s := notifydb.New(db)
		h := newHook(t, 0)
		h.register(t, s, dm, "slow")
		h.gate = make(chan struct{})
		c := newClock()
		d, err := notifydb.NewDeliverer(db, notifydb.Config{Channels: notifydb.Channels{Webhooks: &notify.Webhooks{Timeout: 10 * time.Second}},
			Now: c.Now, ClaimFor: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		l := holdLease(t, db)
		enqueue(t, db, webhookTo(t, "slow", dm.qingshan, "x-1"))
		first := make(chan error, 1)
		go func() { _, err := d.PassForTest(ctx, l); first <- err }()
		deadline := time.Now().Add(10 * time.Second)
		for calls, _ := h.stats(); calls == 0; calls, _ = h.stats() {
			if time.Now().After(deadline) {
				t.Fatal("the first attempt never reached the receiver")
			}
			time.Sleep(5 * time.Millisecond)
		}
		// The claim runs out while the receiver holds the first attempt; a
		// second pass claims the message again (attempt 2) and sends it.
		c.Add(2 * time.Minute)
		second := make(chan error, 1)
		go func() { _, err := d.PassForTest(ctx, l); second <- err }()
		for calls, _ := h.stats(); calls < 2; calls, _ = h.stats() {
			if time.Now().After(deadline) {
				t.Fatal("the second attempt never reached the receiver")
			}
			time.Sleep(5 * time.Millisecond)
		}
		close(h.gate)
		if err := <-second; err != nil {
			t.Fatal(err)
		}
		err = <-first
		if err == nil || !strings.Contains(err.Error(), "claim") {
			t.Errorf("the first claim's outcome: %v, want it refused", err)
		}
		e := only(t, s, dm)
		if e.State != notify.Sent || e.Attempts != 2 {
			t.Errorf("entry %+v, want sent by attempt 2", e)
		}
		if n := count(t, db, "SELECT count(*) FROM events WHERE action = 'notify.sent'"); n != 1 {
			t.Errorf("%d notify.sent events, want 1", n)
		}
	})
}

// A running deliverer is woken by the commit that enqueues: with a poll of
// a minute the message still goes out at once.
func TestDeliver_wokenByTheCommit(t *testing.T) {
	db := storetest.SQLite(t)
	dm := loadDemo(t, db)
	s := notifydb.New(db)
	h := newHook(t, 0)
	h.register(t, s, dm, "prompt")
	d, err := notifydb.NewDeliverer(db, notifydb.Config{Poll: time.Minute, Channels: notifydb.Channels{Webhooks: &notify.Webhooks{}}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(rctx) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Error(err)
		}
	}()
	time.Sleep(200 * time.Millisecond) // the deliverer holds its lease and waits
	for i := range 3 {
		start := time.Now()
		enqueue(t, db, webhookTo(t, "prompt", dm.qingshan, fmt.Sprint("w-", i)))
		for len(h.accepted()) <= i {
			if time.Since(start) > 10*time.Second {
				t.Fatalf("message %d not delivered within 10 s with a poll of a minute", i)
			}
			time.Sleep(2 * time.Millisecond)
		}
		t.Logf("message %d delivered %v after its commit", i, time.Since(start))
	}
}
