package auth

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func TestLockout_O3_policy(t *testing.T) {
	p := LockoutPolicy{MaxFailures: 3, Duration: 10 * time.Minute}
	n := 0
	var until time.Time
	var locked bool
	for i := 1; i <= 2; i++ {
		n, until, locked = p.AfterFailure(n, t0)
		if n != i || locked || !until.IsZero() {
			t.Fatalf("failure %d: %d %v %v", i, n, until, locked)
		}
	}
	n, until, locked = p.AfterFailure(n, t0)
	if !locked || n != 0 || !until.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("third failure: %d %v %v", n, until, locked)
	}
	if !p.Locked(until, t0.Add(9*time.Minute)) || p.Locked(until, t0.Add(10*time.Minute)) || p.Locked(time.Time{}, t0) {
		t.Error("Locked")
	}
	// Zero policy means the defaults: 5 failures, 15 minutes.
	var z LockoutPolicy
	n = 0
	for i := 0; i < 4; i++ {
		n, _, locked = z.AfterFailure(n, t0)
		if locked {
			t.Fatal("locked before 5")
		}
	}
	if _, until, locked = z.AfterFailure(n, t0); !locked || !until.Equal(t0.Add(15*time.Minute)) {
		t.Error("default lockout")
	}
}

func TestThrottle_O3_perIP(t *testing.T) {
	th := NewIPThrottle(ThrottleConfig{Burst: 3, PerMinute: 1, MaxEntries: 100})
	ip := "10.0.0.1:5555"
	for i := 0; i < 3; i++ {
		if !th.Take(ip, t0) {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if th.Take(ip, t0) || th.Take("10.0.0.1:6666", t0) {
		t.Fatal("fourth attempt allowed (port must not matter)")
	}
	if got := th.RetryAfter(ip, t0); got != time.Minute {
		t.Errorf("RetryAfter %v", got)
	}
	if !th.Take("10.0.0.2:1", t0) {
		t.Error("another address refused")
	}
	if th.RetryAfter(ip, t0.Add(time.Minute)) != 0 || !th.Take(ip, t0.Add(time.Minute)) {
		t.Error("no refill after a minute")
	}
	// A success gives its token back: colleagues behind one address are
	// not counted.
	th.Refund(ip, t0.Add(time.Minute))
	if !th.Take(ip, t0.Add(time.Minute)) || th.Take(ip, t0.Add(time.Minute)) {
		t.Error("refund")
	}
	// An IPv6 client cannot escape by rotating within its /64.
	for i := 0; i < 3; i++ {
		th.Take(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), t0)
	}
	if th.Take("[2001:db8:1:2:ffff::1]:443", t0) || !th.Take("[2001:db8:1:3::1]:443", t0) {
		t.Error("IPv6 /64 grouping")
	}
	if ThrottleKey("::ffff:10.0.0.1") != "10.0.0.1" || ThrottleKey("junk") != "junk" {
		t.Error("ThrottleKey")
	}
}

// TestThrottle_O3_takeIsAtomic: parallel attempts from one address spend
// the bucket one by one, so exactly Burst of them pass.
func TestThrottle_O3_takeIsAtomic(t *testing.T) {
	th := NewIPThrottle(ThrottleConfig{Burst: 20, PerMinute: 10})
	var passed atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if th.Take("192.0.2.1:1", t0) {
				passed.Add(1)
			}
		})
	}
	wg.Wait()
	if passed.Load() != 20 {
		t.Fatalf("%d of 100 parallel attempts passed, want the burst of 20", passed.Load())
	}
}

func TestThrottle_O3_boundedEviction(t *testing.T) {
	th := NewIPThrottle(ThrottleConfig{Burst: 1, PerMinute: 1, MaxEntries: 10})
	th.Take("192.0.2.1", t0) // exhausted
	for i := 2; i < 20; i++ {
		th.Take(fmt.Sprintf("192.0.2.%d", i), t0)
		if th.Len() > 10 {
			t.Fatalf("%d entries", th.Len())
		}
	}
	// The least recently used address was forgotten; the most recent is kept.
	if !th.Take("192.0.2.1", t0) || th.Take("192.0.2.19", t0) {
		t.Error("eviction order")
	}
}

// TestLockout_O3_perSourceClaim: a source waits 1, 2, 4, 8 s after its
// failures on an account, and its fifth failure locks the account for it
// for the lock's length; then it starts afresh. A success resets it and
// makes it known for KnownFor.
func TestLockout_O3_perSourceClaim(t *testing.T) {
	p := LockoutPolicy{MaxFailures: 5, Duration: 15 * time.Minute, FirstDelay: time.Second, KnownFor: 30 * 24 * time.Hour}
	var st SourceState
	now := t0
	for i, wantWait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		next, locks, _, ok := p.Claim(st, now)
		if !ok || locks || next.Failures != i+1 {
			t.Fatalf("attempt %d: ok %v locks %v %+v", i+1, ok, locks, next)
		}
		st = next
		if _, _, wait, ok := p.Claim(st, now.Add(wantWait-time.Millisecond)); ok || wait != time.Millisecond {
			t.Fatalf("after failure %d: ok %v wait %v, want a wait of %v", i+1, ok, wait, wantWait)
		}
		now = now.Add(wantWait)
	}
	next, locks, _, ok := p.Claim(st, now)
	if !ok || !locks || !next.LockedUntil.Equal(now.Add(15*time.Minute)) || next.Failures != 0 {
		t.Fatalf("fifth attempt: ok %v locks %v %+v", ok, locks, next)
	}
	st = next
	if _, _, wait, ok := p.Claim(st, now.Add(14*time.Minute)); ok || wait != time.Minute {
		t.Fatalf("locked: ok %v wait %v", ok, wait)
	}
	if next, _, _, ok := p.Claim(st, now.Add(15*time.Minute)); !ok || next.Failures != 1 {
		t.Fatalf("after the lock: ok %v %+v", ok, next)
	}
	if p.Known(st, now) {
		t.Error("a source that never logged in is known")
	}
	ok2 := p.Succeeded(now)
	if !p.Known(ok2, now.Add(29*24*time.Hour)) || p.Known(ok2, now.Add(30*24*time.Hour)) {
		t.Error("known for 30 days")
	}
	if next, _, _, ok := p.Claim(ok2, now); !ok || next.Failures != 1 {
		t.Errorf("after a success: %v %+v", ok, next)
	}
}
