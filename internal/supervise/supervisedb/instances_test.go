package supervisedb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// Two instances of the application on one PostgreSQL, each running the
// sweep and the consumer: every overdue case gets its red card once, and
// the counts agree with a recount.
func TestSweep_twoInstancesOnPostgres_neverRaiseACardTwice(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a, b := storetest.Instance(t, dsn), storetest.Instance(t, dsn)
	f := newFixture(t, a)
	const cases = 20
	for range cases {
		f.accepted(t)
	}
	f.set("2026-03-18T08:00")
	cals := caldb.New(b)
	other := caseworkdb.New(b, cals, list{}, caseworkdb.Options{Now: f.now})
	clocks := caldb.NewClocks(b, cals)
	clocks.SetNow(f.now)
	services := []*supervisedb.Service{f.sup, supervisedb.New(other, clocks, supervisedb.Options{Now: f.now})}
	rctx, cancel := context.WithCancel(ctx)
	var running sync.WaitGroup
	for _, s := range services {
		running.Go(func() {
			if err := s.RunSweep(rctx, 20*time.Millisecond); !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
		})
		running.Go(func() {
			if err := s.RunConsumer(rctx); !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
		})
	}
	deadline := time.Now().Add(60 * time.Second)
	for count(t, a, `SELECT COUNT(*) FROM supervise_cards WHERE rule = 'case.red'`) < cases && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // both instances go on sweeping and consuming a while
	cancel()
	running.Wait()
	if k := count(t, a, `SELECT COUNT(*) FROM supervise_cards WHERE rule = 'case.red'`); k != cases {
		t.Fatalf("%d red cards for %d overdue cases", k, cases)
	}
	if raised, stored := count(t, a, `SELECT COUNT(*) FROM events WHERE action = 'supervise.card_raised'`),
		count(t, a, `SELECT COUNT(*) FROM supervise_cards`); raised != stored {
		t.Fatalf("%d raisings for %d cards", raised, stored)
	}
	checkCounts(t, a)
	verify(t, a)
}
