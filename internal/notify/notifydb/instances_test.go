package notifydb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// Two instances of the application on one PostgreSQL, each running its
// deliverer, while both enqueue: every message reaches the receiver
// exactly once (counted at the receiver by delivery id), and each is sent
// by one of them.
func TestDeliver_twoInstancesNeverSendAMessageTwice(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a, b := storetest.Instance(t, dsn), storetest.Instance(t, dsn)
	dm := loadDemo(t, a)
	h := newHook(t, 0)
	h.register(t, notifydb.New(a), dm, "supervision")
	rctx, cancel := context.WithCancel(ctx)
	var running sync.WaitGroup
	for _, db := range []*store.DB{a, b} {
		d, err := notifydb.NewDeliverer(db, notifydb.Config{Channels: notifydb.Channels{Webhooks: &notify.Webhooks{}},
			Poll: 50 * time.Millisecond, InFlight: 16, Batch: 32})
		if err != nil {
			t.Fatal(err)
		}
		running.Go(func() {
			if err := d.Run(rctx); !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
		})
	}
	defer func() {
		cancel()
		running.Wait()
	}()
	const writers, each = 4, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			db := a
			if w%2 == 1 {
				db = b
			}
			for i := range each {
				enqueue(t, db, webhookTo(t, "supervision", dm.qingshan, fmt.Sprintf("case-%d-%d", w, i)))
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for count(t, a, "SELECT count(*) FROM notify_outbox WHERE state = 'sent'") < writers*each {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d sent after a minute", count(t, a, "SELECT count(*) FROM notify_outbox WHERE state = 'sent'"), writers*each)
		}
		time.Sleep(20 * time.Millisecond)
	}
	seen := map[string]int{}
	for _, id := range h.accepted() {
		seen[id]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s reached the receiver %d times", id, n)
		}
	}
	if len(seen) != writers*each {
		t.Errorf("the receiver got %d distinct deliveries, want %d", len(seen), writers*each)
	}
	if _, bad := h.stats(); len(bad) > 0 {
		t.Errorf("refused signatures: %v", bad)
	}
	if n := count(t, a, "SELECT count(*) FROM events WHERE action = 'notify.sent'"); n != writers*each {
		t.Errorf("%d notify.sent events, want %d", n, writers*each)
	}
}
