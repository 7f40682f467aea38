package auth

import (
	"container/list"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// LockoutPolicy is the login failure policy (O3, 等保 登录失败处理), applied
// at three levels by the Service (docs/SECURITY.md states it in full):
//
//   - per source address (IPThrottle, in memory): a token bucket, spent
//     before the password is checked;
//   - per account and source (stored in login_sources, shared by every
//     instance): each attempt is claimed before the password is checked.
//     After a failure the source waits FirstDelay before its next attempt on
//     the account, twice as long after each further failure (1, 2, 4, 8 s);
//     the MaxFailures-th consecutive failure locks the account for that
//     source for Duration;
//   - per account (accounts.failed_logins and locked_until, audited):
//     MaxFailures consecutive failures from any sources lock the account for
//     Duration — for every source except those where it logged in
//     successfully within KnownFor (the owner's usual places), which keep
//     only their own per-source limit. So knowing someone's login is enough
//     to lock strangers out of it, not its owner at their desk.
//
// It is pure; the Service stores the counters.
type LockoutPolicy struct {
	MaxFailures int           // consecutive failures that lock; < 1 means 5
	Duration    time.Duration // lock length; <= 0 means 15 min
	FirstDelay  time.Duration // a source's wait after its first failure on an account, doubling after each further one; <= 0 means 1 s
	KnownFor    time.Duration // how long a source the account logged in from stays exempt from the account-wide lock; <= 0 means 30 days
}

// DefaultLockout is the national default of issue #2: 5 failures, 15 minutes.
var DefaultLockout = LockoutPolicy{MaxFailures: 5, Duration: 15 * time.Minute, FirstDelay: time.Second, KnownFor: 30 * 24 * time.Hour}

func (p LockoutPolicy) norm() LockoutPolicy {
	if p.MaxFailures < 1 {
		p.MaxFailures = DefaultLockout.MaxFailures
	}
	if p.Duration <= 0 {
		p.Duration = DefaultLockout.Duration
	}
	if p.FirstDelay <= 0 {
		p.FirstDelay = DefaultLockout.FirstDelay
	}
	if p.KnownFor <= 0 {
		p.KnownFor = DefaultLockout.KnownFor
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

// SourceState is what is kept of one source's attempts on one account.
type SourceState struct {
	Failures    int       // consecutive attempts counted as failures (an attempt in flight included)
	LastAttempt time.Time // when the last counted attempt began
	LockedUntil time.Time // zero: not locked for this source
	LastSuccess time.Time // zero: never logged in from this source
}

// Claim decides an attempt from a source at now, before its password is
// checked. It is refused (ok false) while the source is locked out of the
// account or still has wait to sit out after its last failure. Otherwise
// the attempt is counted as a failure in advance — next is the state to
// store, and locks reports that next locks the source should the password
// be wrong — so parallel attempts cannot all pass while one is checked; a
// success then resets the state (Succeeded).
func (p LockoutPolicy) Claim(st SourceState, now time.Time) (next SourceState, locks bool, wait time.Duration, ok bool) {
	p = p.norm()
	if p.Locked(st.LockedUntil, now) {
		return st, false, st.LockedUntil.Sub(now), false
	}
	if st.Failures > 0 {
		delay := p.FirstDelay << min(st.Failures-1, 20)
		if ready := st.LastAttempt.Add(delay); now.Before(ready) {
			return st, false, ready.Sub(now), false
		}
	}
	next = st
	next.LastAttempt = now
	next.LockedUntil = time.Time{}
	if next.Failures, next.LockedUntil, locks = p.AfterFailure(st.Failures, now); locks {
		return next, true, 0, true
	}
	return next, false, 0, true
}

// Succeeded is the state after a successful login from the source at now.
func (p LockoutPolicy) Succeeded(now time.Time) SourceState {
	return SourceState{LastAttempt: now, LastSuccess: now}
}

// Known reports whether the account logged in from the source recently
// enough to be exempt from the account-wide lock.
func (p LockoutPolicy) Known(st SourceState, now time.Time) bool {
	p = p.norm()
	return !st.LastSuccess.IsZero() && now.Sub(st.LastSuccess) < p.KnownFor
}

// ThrottleConfig configures the per-IP login throttle: a token bucket of Burst
// attempts refilled at PerMinute tokens a minute, kept for at most
// MaxEntries addresses.
type ThrottleConfig struct {
	Burst      int     // login attempts an address may make at once; < 1 means 20
	PerMinute  float64 // tokens returned per minute; <= 0 means 10
	MaxEntries int     // addresses remembered; < 1 means 10000
}

// DefaultThrottle is generous on purpose: a whole township office often sits
// behind one NAT address, so the throttle must stop a password-guessing script
// (hundreds of attempts a minute), not a room of colleagues mistyping.
var DefaultThrottle = ThrottleConfig{Burst: 20, PerMinute: 10, MaxEntries: 10000}

// IPThrottle limits login attempts per client address with a token bucket.
// An attempt spends its token before any work (Take), so parallel attempts
// cannot all pass while the first ones are being checked; a successful
// login gives it back (Refund), so colleagues logging in from a shared
// address are never counted. It is in memory and bounded: when MaxEntries
// addresses are tracked, the one unused longest is forgotten (it gets a full
// bucket if it returns, which is what an idle address would have earned
// anyway after Burst/PerMinute minutes). IPv6 addresses are grouped by /64,
// the smallest block a client is usually given, so rotating addresses
// within it does not help. Several instances behind a load balancer each
// keep their own buckets; the per-account limits, stored in the database,
// are shared.
type IPThrottle struct {
	cfg     ThrottleConfig
	mu      sync.Mutex
	buckets *lru[bucket]
}

type bucket struct {
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
	return &IPThrottle{cfg: cfg, buckets: newLRU[bucket](cfg.MaxEntries)}
}

// ThrottleKey returns the bucket key for a client address as given in
// http.Request.RemoteAddr ("ip:port") or as a bare IP: the IP for IPv4, its
// /64 prefix for IPv6. Unparseable input is used as is. It is also the
// "source" of the per-account limits.
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

// bucketAt returns addr's bucket brought up to now. The caller holds t.mu.
func (t *IPThrottle) bucketAt(addr string, now time.Time) *bucket {
	b := t.buckets.get(ThrottleKey(addr), func() bucket { return bucket{tokens: float64(t.cfg.Burst), at: now} })
	if el := now.Sub(b.at); el > 0 {
		b.tokens = min(float64(t.cfg.Burst), b.tokens+el.Minutes()*t.cfg.PerMinute)
		b.at = now
	}
	return b
}

// Take spends one of addr's tokens for a login attempt at now and reports
// whether it had one: false means the attempt must be refused without any
// work. Checking and spending are one step under the lock.
func (t *IPThrottle) Take(addr string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.bucketAt(addr, now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Refund gives back the token of an attempt that succeeded.
func (t *IPThrottle) Refund(addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.bucketAt(addr, now)
	b.tokens = min(float64(t.cfg.Burst), b.tokens+1)
}

// RetryAfter returns how long addr must wait at now before Take can succeed
// again (0 if it can now), for a Retry-After header.
func (t *IPThrottle) RetryAfter(addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buckets.peek(ThrottleKey(addr)) == nil {
		return 0
	}
	b := t.bucketAt(addr, now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / t.cfg.PerMinute * float64(time.Minute))
}

// Len returns the number of addresses tracked (for tests and metrics).
func (t *IPThrottle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buckets.len()
}

// ghostLocks applies the lockout policy to logins that do not exist, in
// memory, so that the lockout cannot be used to find out which logins exist:
// an unknown login gets the same per-source waits and locks and the same
// account-wide lock as a real one (which has no known source). The attempted
// logins are kept only here, never stored: people type passwords into the
// login field. Bounded like IPThrottle.
type ghostLocks struct {
	policy   LockoutPolicy
	mu       sync.Mutex
	accounts *lru[ghost]       // by login
	sources  *lru[SourceState] // by login and source
}

type ghost struct {
	failures int
	until    time.Time
}

func newGhostLocks(p LockoutPolicy, max int) *ghostLocks {
	return &ghostLocks{policy: p.norm(), accounts: newLRU[ghost](max), sources: newLRU[SourceState](max)}
}

// lockedUntil returns the end of the account-wide ghost lock of login, or zero.
func (g *ghostLocks) lockedUntil(login string, now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if gh := g.accounts.peek(login); gh != nil && g.policy.Locked(gh.until, now) {
		return gh.until
	}
	return time.Time{}
}

// claim is LockoutPolicy.Claim for login from source, stored at once.
func (g *ghostLocks) claim(login, source string, now time.Time) (next SourceState, locks bool, wait time.Duration, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.sources.get(login+"\x00"+source, func() SourceState { return SourceState{} })
	if next, locks, wait, ok = g.policy.Claim(*st, now); ok {
		*st = next
	}
	return next, locks, wait, ok
}

// fail records a failure of login and returns the account-wide lock's end
// when it locked.
func (g *ghostLocks) fail(login string, now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	gh := g.accounts.get(login, func() ghost { return ghost{} })
	var locked bool
	gh.failures, gh.until, locked = g.policy.AfterFailure(gh.failures, now)
	if locked {
		return gh.until
	}
	return time.Time{}
}

// lru is a map bounded to max entries that forgets the least recently used
// one first. It is not safe for concurrent use: its owner locks.
type lru[V any] struct {
	max     int
	entries map[string]*list.Element
	order   *list.List // front = most recently used; values are *lruEntry[V]
}

type lruEntry[V any] struct {
	key string
	v   V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, entries: make(map[string]*list.Element), order: list.New()}
}

// get returns key's value, marked most recently used, creating it with
// fresh when absent (forgetting the oldest entry if full).
func (c *lru[V]) get(key string, fresh func() V) *V {
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		return &el.Value.(*lruEntry[V]).v
	}
	if c.order.Len() >= c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.entries, old.Value.(*lruEntry[V]).key)
	}
	e := &lruEntry[V]{key: key, v: fresh()}
	c.entries[key] = c.order.PushFront(e)
	return &e.v
}

// peek returns key's value without creating it or marking it used (nil: absent).
func (c *lru[V]) peek(key string) *V {
	if el, ok := c.entries[key]; ok {
		return &el.Value.(*lruEntry[V]).v
	}
	return nil
}

func (c *lru[V]) len() int { return c.order.Len() }
