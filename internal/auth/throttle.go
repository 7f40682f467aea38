package auth

import (
	"container/list"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// LockoutPolicy is the account lockout rule (O3): after MaxFailures
// consecutive failed logins the account is locked for Duration. It is pure;
// the Service stores failed_logins and locked_until in the accounts row.
type LockoutPolicy struct {
	MaxFailures int           // consecutive failures that lock; < 1 means 5
	Duration    time.Duration // lock length; <= 0 means 15 min
}

// DefaultLockout is the national default of issue #2: 5 failures, 15 minutes.
var DefaultLockout = LockoutPolicy{MaxFailures: 5, Duration: 15 * time.Minute}

func (p LockoutPolicy) norm() LockoutPolicy {
	if p.MaxFailures < 1 {
		p.MaxFailures = DefaultLockout.MaxFailures
	}
	if p.Duration <= 0 {
		p.Duration = DefaultLockout.Duration
	}
	return p
}

// Locked reports whether an account locked until lockedUntil (zero: never
// locked) is still locked at now.
func (p LockoutPolicy) Locked(lockedUntil, now time.Time) bool {
	return !lockedUntil.IsZero() && now.Before(lockedUntil)
}

// AfterFailure returns the account's failure count and lock after one more
// failed login at now, given failures so far. The failure that reaches
// MaxFailures locks the account until now+Duration and resets the count, so
// that after the lock expires the owner has MaxFailures fresh attempts rather
// than being locked again by a single typo. locked reports that this failure
// locked the account (the Service emits auth.account.locked then).
func (p LockoutPolicy) AfterFailure(failures int, now time.Time) (newFailures int, lockedUntil time.Time, locked bool) {
	p = p.norm()
	failures++
	if failures >= p.MaxFailures {
		return 0, now.Add(p.Duration), true
	}
	return failures, time.Time{}, false
}

// ThrottleConfig configures the per-IP login throttle: a token bucket of Burst
// failed attempts refilled at PerMinute tokens a minute, kept for at most
// MaxEntries addresses.
type ThrottleConfig struct {
	Burst      int     // failed logins an address may make at once; < 1 means 20
	PerMinute  float64 // tokens returned per minute; <= 0 means 10
	MaxEntries int     // addresses remembered; < 1 means 10000
}

// DefaultThrottle is generous on purpose: a whole township office often sits
// behind one NAT address, so the throttle must stop a password-guessing script
// (hundreds of attempts a minute), not a room of colleagues mistyping.
var DefaultThrottle = ThrottleConfig{Burst: 20, PerMinute: 10, MaxEntries: 10000}

// IPThrottle limits failed logins per client address with a token bucket. It
// is in memory and bounded: when MaxEntries addresses are tracked, the one
// unused longest is forgotten (it gets a full bucket if it returns, which is
// what an idle address would have earned anyway after Burst/PerMinute
// minutes). IPv6 addresses are grouped by /64, the smallest block a client is
// usually given, so rotating addresses within it does not help. Several
// instances behind a load balancer each keep their own buckets; the account
// lockout, stored in the database, is the shared limit.
type IPThrottle struct {
	cfg     ThrottleConfig
	mu      sync.Mutex
	entries map[string]*list.Element
	lru     *list.List // front = most recently used; values are *bucket
}

type bucket struct {
	key    string
	tokens float64
	at     time.Time
}

// NewIPThrottle returns a throttle with cfg (zero fields take the defaults).
func NewIPThrottle(cfg ThrottleConfig) *IPThrottle {
	if cfg.Burst < 1 {
		cfg.Burst = DefaultThrottle.Burst
	}
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = DefaultThrottle.PerMinute
	}
	if cfg.MaxEntries < 1 {
		cfg.MaxEntries = DefaultThrottle.MaxEntries
	}
	return &IPThrottle{cfg: cfg, entries: make(map[string]*list.Element), lru: list.New()}
}

// ThrottleKey returns the bucket key for a client address as given in
// http.Request.RemoteAddr ("ip:port") or as a bare IP: the IP for IPv4, its
// /64 prefix for IPv6. Unparseable input is used as is.
func ThrottleKey(addr string) string {
	addr = strings.TrimSpace(addr)
	ap, err := netip.ParseAddrPort(addr)
	a := ap.Addr()
	if err != nil {
		if a, err = netip.ParseAddr(addr); err != nil {
			return addr
		}
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// refill brings b up to now. The caller holds t.mu.
func (t *IPThrottle) refill(b *bucket, now time.Time) {
	if el := now.Sub(b.at); el > 0 {
		b.tokens = min(float64(t.cfg.Burst), b.tokens+el.Minutes()*t.cfg.PerMinute)
		b.at = now
	}
}

// Allow reports whether addr may attempt a login at now: whether it has a
// failure left to spend. Allow itself spends nothing, so successful logins
// from a shared address are never counted.
func (t *IPThrottle) Allow(addr string, now time.Time) bool {
	key := ThrottleKey(addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.entries[key]
	if !ok {
		return true
	}
	b := el.Value.(*bucket)
	t.refill(b, now)
	return b.tokens >= 1
}

// Fail records a failed login from addr at now, spending one token.
func (t *IPThrottle) Fail(addr string, now time.Time) {
	key := ThrottleKey(addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.entries[key]
	if !ok {
		if t.lru.Len() >= t.cfg.MaxEntries {
			old := t.lru.Back()
			t.lru.Remove(old)
			delete(t.entries, old.Value.(*bucket).key)
		}
		el = t.lru.PushFront(&bucket{key: key, tokens: float64(t.cfg.Burst), at: now})
		t.entries[key] = el
	} else {
		t.lru.MoveToFront(el)
	}
	b := el.Value.(*bucket)
	t.refill(b, now)
	b.tokens = max(0, b.tokens-1)
}

// RetryAfter returns how long addr must wait at now before Allow is true
// again (0 if it is already), for a Retry-After header.
func (t *IPThrottle) RetryAfter(addr string, now time.Time) time.Duration {
	key := ThrottleKey(addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.entries[key]
	if !ok {
		return 0
	}
	b := el.Value.(*bucket)
	t.refill(b, now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / t.cfg.PerMinute * float64(time.Minute))
}

// Len returns the number of addresses tracked (for tests and metrics).
func (t *IPThrottle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}

// ghostLocks applies the lockout policy to logins that do not exist, in
// memory, so that "five wrong passwords lock the account" cannot be used to
// find out which logins exist: an unknown login locks just like a real one.
// It is bounded like IPThrottle (least recently used forgotten first).
type ghostLocks struct {
	policy  LockoutPolicy
	max     int
	mu      sync.Mutex
	entries map[string]*list.Element
	lru     *list.List // values are *ghost
}

type ghost struct {
	login    string
	failures int
	until    time.Time
}

func newGhostLocks(p LockoutPolicy, max int) *ghostLocks {
	return &ghostLocks{policy: p.norm(), max: max, entries: make(map[string]*list.Element), lru: list.New()}
}

// lockedUntil returns the end of the ghost lock of login, or zero.
func (g *ghostLocks) lockedUntil(login string, now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if el, ok := g.entries[login]; ok {
		if gh := el.Value.(*ghost); g.policy.Locked(gh.until, now) {
			return gh.until
		}
	}
	return time.Time{}
}

// fail records a failure of login and returns the lock's end when it locked.
func (g *ghostLocks) fail(login string, now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	el, ok := g.entries[login]
	if !ok {
		if g.lru.Len() >= g.max {
			old := g.lru.Back()
			g.lru.Remove(old)
			delete(g.entries, old.Value.(*ghost).login)
		}
		el = g.lru.PushFront(&ghost{login: login})
		g.entries[login] = el
	} else {
		g.lru.MoveToFront(el)
	}
	gh := el.Value.(*ghost)
	var locked bool
	gh.failures, gh.until, locked = g.policy.AfterFailure(gh.failures, now)
	if locked {
		return gh.until
	}
	return time.Time{}
}
