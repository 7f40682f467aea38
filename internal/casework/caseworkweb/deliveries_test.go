package caseworkweb_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// TestDeliveries_H7_casePageShowsEachNoticesDeliveryState (issue #15 item
// 4): the applicant gave a phone; the completion SMS goes through a real
// HTTP gateway that first refuses it. The case page shows staff each
// message with its state — failed with its attempts and last error, then
// sent at the delivery time — and, once delivered, the applicant notified
// by the system at that time (H7 from the delivery, not a button).
func TestDeliveries_H7_casePageShowsEachNoticesDeliveryState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		_, body := f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/window", As: "window1", Status: http.StatusCreated,
			Body: form("item", "XK0001", "kind", "person", "name", "李四", "resident_id", residentID, "phone", "13800138000",
				"delivery", "window", "materials", applyForm, "materials", siteProof)})
		n := numberIn(t, body)
		for _, s := range []struct {
			who string
			kv  []string
		}{
			{"window1", []string{"action", "accept"}},
			{"window1", []string{"action", "hand_over"}},
			{"unit1", []string{"action", "receive"}},
			{"unit1", []string{"action", "decide", "outcome", "approved", "opinion", "符合设置要求"}},
			{"unit1", []string{"action", "hand_back"}},
			{"window1", []string{"action", "complete", "certificate", "GG2026-010"}},
		} {
			f.act(t, s.who, n, http.StatusSeeOther, s.kv...)
		}
		// Before any delivery: queued, and the button is refused.
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "window1", Status: http.StatusOK,
			Contains: []string{`id="deliveries"`, "<td>13800138000</td>", "排队中", "办结通知：H7 以送达时间计"}})
		// Who sees personal data masked sees the number masked here too (L7).
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "supervisor1", Status: http.StatusOK,
			Contains: []string{`id="deliveries"`, "排队中"}, NotContains: []string{"13800138000"}})
		f.act(t, "window1", n, http.StatusConflict, "action", "notify")

		var status atomic.Int32
		status.Store(http.StatusServiceUnavailable)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				return
			}
			w.WriteHeader(int(status.Load()))
			_, _ = io.WriteString(w, `{"result":{"code":0}}`)
		}))
		t.Cleanup(srv.Close)
		tmpl, err := notify.ParseSMSTemplate(notify.DefaultSMSTemplate)
		if err != nil {
			t.Fatal(err)
		}
		gw := &notify.SMSGateway{URL: srv.URL, Body: tmpl, Header: http.Header{}}
		if gw.OKField, gw.OKValue, err = notify.ParseSMSCheck("result.code=0"); err != nil {
			t.Fatal(err)
		}
		var skew atomic.Int64 // the deliverer's clock runs ahead by this
		now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		d, err := notifydb.NewDeliverer(db, notifydb.Config{Channels: notifydb.Channels{SMS: gw}, Now: now, Poll: 20 * time.Millisecond,
			Retry: notify.Retry{Base: time.Hour, Max: time.Hour, MaxAttempts: 5}, Jitter: func() float64 { return 0 }})
		if err != nil {
			t.Fatal(err)
		}
		run, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { _ = d.Run(run) })
		wg.Go(func() {
			c := f.svc.DeliveredConsumerSpec()
			c.Poll = 20 * time.Millisecond
			_ = db.Consume(run, c)
		})
		t.Cleanup(func() { cancel(); wg.Wait() })

		waitFor(t, func() bool { return smsState(t, db, n) == notify.Failed })
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "window1", Status: http.StatusOK,
			Contains: []string{"发送失败", "503", `<td>1</td>`}})

		status.Store(http.StatusOK)
		skew.Store(int64(2 * time.Hour))
		waitFor(t, func() bool { return !f.get(t, n).NotifiedAt.IsZero() })
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "window1", Status: http.StatusOK,
			Contains: []string{"已送达 ", `<td>2</td>`}})
		c := f.get(t, n)
		if smsState(t, db, n) != notify.Sent || c.Step != "completed" || c.Flagged("H7") || c.NotifiedAt.Before(time.Now().Add(time.Hour)) {
			t.Fatalf("notified %v (the delivery's time, 2 h ahead), flags %v", c.NotifiedAt, c.FlagRules())
		}
	})
}

func smsState(t *testing.T, db *store.DB, number string) notify.State {
	t.Helper()
	es, err := notifydb.Deliveries(ctx, db, "case", number)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Channel == notify.SMS && e.Cause == "case.complete" {
			return e.State
		}
	}
	return ""
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}
