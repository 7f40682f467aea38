package auth

import (
	"fmt"
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
		if !th.Allow(ip, t0) {
			t.Fatalf("attempt %d refused", i)
		}
		th.Fail(ip, t0)
	}
	if th.Allow(ip, t0) || th.Allow("10.0.0.1:6666", t0) {
		t.Fatal("fourth failure allowed (port must not matter)")
	}
	if got := th.RetryAfter(ip, t0); got != time.Minute {
		t.Errorf("RetryAfter %v", got)
	}
	if !th.Allow("10.0.0.2:1", t0) {
		t.Error("another address refused")
	}
	if !th.Allow(ip, t0.Add(time.Minute)) || th.RetryAfter(ip, t0.Add(time.Minute)) != 0 {
		t.Error("no refill after a minute")
	}
	// An IPv6 client cannot escape by rotating within its /64.
	for i := 0; i < 3; i++ {
		th.Fail(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), t0)
	}
	if th.Allow("[2001:db8:1:2:ffff::1]:443", t0) || !th.Allow("[2001:db8:1:3::1]:443", t0) {
		t.Error("IPv6 /64 grouping")
	}
	if ThrottleKey("::ffff:10.0.0.1") != "10.0.0.1" || ThrottleKey("junk") != "junk" {
		t.Error("ThrottleKey")
	}
}

func TestThrottle_O3_boundedEviction(t *testing.T) {
	th := NewIPThrottle(ThrottleConfig{Burst: 1, PerMinute: 1, MaxEntries: 10})
	th.Fail("192.0.2.1", t0) // exhausted
	for i := 2; i < 20; i++ {
		th.Fail(fmt.Sprintf("192.0.2.%d", i), t0)
		if th.Len() > 10 {
			t.Fatalf("%d entries", th.Len())
		}
	}
	// The least recently used address was forgotten; the most recent is kept.
	if !th.Allow("192.0.2.1", t0) || th.Allow("192.0.2.19", t0) {
		t.Error("eviction order")
	}
}
