package notifydb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// BenchmarkDeliver_webhooks: signed webhooks delivered to a receiver on
// localhost that verifies each signature, from enqueued to sent (claim,
// POST, the outcome and its event recorded), with 8 and 32 in flight.
// Reported as deliveries/s.
//
//	go test ./internal/notify/notifydb -run '^$' -bench Deliver -benchtime 2000x
func BenchmarkDeliver_webhooks(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, inFlight := range []int{8, 32} {
			b.Run(fmt.Sprintf("%s/in-flight=%d", engine, inFlight), func(b *testing.B) {
				var db *store.DB
				if engine == "sqlite" {
					db = storetest.SQLite(b)
				} else {
					db = storetest.Postgres(b)
				}
				t := b
				dm := loadDemo(t, db)
				h := newHook(t, 0)
				h.register(t, notifydb.New(db), dm, "bench")
				d, err := notifydb.NewDeliverer(db, notifydb.Config{Channels: notifydb.Channels{Webhooks: &notify.Webhooks{}},
					InFlight: inFlight, Batch: 256, Poll: time.Second})
				if err != nil {
					b.Fatal(err)
				}
				ms := make([]notify.Message, 0, 100)
				for i := range b.N {
					ms = append(ms, webhookTo(t, "bench", dm.qingshan, fmt.Sprint("bench-", i)))
					if len(ms) == cap(ms) || i == b.N-1 {
						enqueue(t, db, ms...)
						ms = ms[:0]
					}
				}
				b.ResetTimer()
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- d.Run(ctx) }()
				for len(h.accepted()) < b.N {
					time.Sleep(time.Millisecond)
				}
				b.StopTimer()
				for count(t, db, "SELECT count(*) FROM notify_outbox WHERE state = 'sent'") < int64(b.N) {
					time.Sleep(time.Millisecond) // the last outcomes
				}
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
			})
		}
	}
}
