package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/qingdan/qingdan/internal/access"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// StaffDirectory is what auth needs from the organisation (internal/org
// implements it): the principal of a staff member — name, roles, body, body
// path, unit — without Login, AccountID or Scopes, which auth fills in. It
// returns an *apperr.Error of code Forbidden or NotFound for a staff member
// who may not act (deactivated, or of a deactivated body). auth does not
// import org, which imports auth for Principal.
type StaffDirectory interface {
	StaffPrincipal(ctx context.Context, staffID int64) (access.Principal, error)
}

// Config tunes the Service. Zero fields take the defaults noted.
type Config struct {
	Argon2          Argon2Params   // zero: DefaultArgon2
	HashConcurrency int            // parallel password hashes; 0: 4
	Lockout         LockoutPolicy  // zero: 5 failures, 15 min
	Throttle        ThrottleConfig // zero: DefaultThrottle
	IdleTimeout     time.Duration  // 0: 30 min
	AbsoluteTimeout time.Duration  // 0: 12 h
	// TouchEvery is how stale last_seen_at (and an API token's last_used_at)
	// may get before a request writes it again; 0: 1 min. The idle timeout is
	// therefore exact to within TouchEvery, and a busy user costs one write a
	// minute, not one per request.
	TouchEvery time.Duration
	Cookie     CookieOptions
	// SeparationOfDuties separates the administrator's duties (三员分立):
	// accounts and roles to the security administrator, the audit log to
	// the audit administrator, the rest to the system administrator, and
	// nobody may hold two (Principal.Can, CheckDuties). Every instance
	// sharing a database must be started with the same setting.
	SeparationOfDuties bool
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
}

// Service manages accounts, sessions and API tokens (O3) over the store.
// Every state change goes through db.Write with an event, except refreshing
// a session's last_seen_at or a token's last_used_at, which are plain writes
// inside db.Write (an event per request would flood the audit log).
type Service struct {
	db       *store.DB
	dir      StaffDirectory
	cfg      Config
	hasher   *Hasher
	throttle *IPThrottle
	ghosts   *ghostLocks
	now      func() time.Time

	dummyOnce sync.Once
	dummy     string // a hash verified for unknown logins, so they take as long as known ones
	dummyErr  error
}

// NewService returns the account service over db, reading staff from dir.
func NewService(db *store.DB, dir StaffDirectory, cfg Config) *Service {
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2
	}
	if cfg.HashConcurrency <= 0 {
		cfg.HashConcurrency = 4
	}
	cfg.Lockout = cfg.Lockout.norm()
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	if cfg.TouchEvery <= 0 {
		cfg.TouchEvery = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{db: db, dir: dir, cfg: cfg, hasher: NewHasher(cfg.Argon2, cfg.HashConcurrency),
		throttle: NewIPThrottle(cfg.Throttle), ghosts: newGhostLocks(cfg.Lockout, 10000), now: cfg.Now}
}

// Account is an account as administrators see it (never its hash).
type Account struct {
	ID                 int64
	Version            int64 // 0: written before versions, not versioned yet
	StaffID            int64
	Login              string
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        time.Time // zero: not locked
	CreatedAt          time.Time
	PasswordChangedAt  time.Time // zero: the initial password is still in use
	Active             bool

	passwordDigest string // credentialDigest of the stored hash, for the audited state
}

// accountState is the event snapshot of an account: every column, the
// password hash only as its digest (credentialDigest), so that a hash
// copied or changed behind the service's back is named by verify while
// the audit log holds nothing to guess passwords from. Version 0 (a row
// from before versions, until migrate versions it) is left out, as the
// events of that time had it.
func accountState(a Account) json.RawMessage {
	m := map[string]any{
		"id": a.ID, "staff_id": a.StaffID, "login": a.Login, "must_change_password": a.MustChangePassword,
		"failed_logins": a.FailedLogins, "locked_until": micros(a.LockedUntil), "created_at": micros(a.CreatedAt),
		"password_changed_at": micros(a.PasswordChangedAt), "active": a.Active, "password_digest": a.passwordDigest,
	}
	if a.Version != 0 {
		m["version"] = a.Version
	}
	return mustJSON(m)
}

// micros stores a time, with the zero time as 0 ("never").
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return store.Micros(t)
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return store.FromMicros(us)
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Only maps of strings, numbers and booleans are passed: a failure
		// is a programming error.
		panic(fmt.Sprintf("auth: marshal event JSON: %v", err))
	}
	return b
}

func getAccount(ctx context.Context, q store.Querier, where string, arg any) (Account, string, error) {
	a, hash, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, "", apperr.NotFoundf("auth.no_such_account")
	}
	return a, hash, err
}

// System-level errors shared by several methods.
var (
	// errWrongCredentials is the one answer to a wrong login or a wrong
	// password, so that accounts cannot be enumerated.
	errWrongCredentials = apperr.New(apperr.Unauthorized, "password", "auth.wrong_account_or_password")
	errThrottled        = apperr.New(apperr.TooMany, "", "auth.too_many_login_attempts_from_this")
	errSessionEnded     = apperr.New(apperr.Unauthorized, "", "auth.your_session_has_ended_please_log")
	errBadToken         = apperr.New(apperr.Unauthorized, "", "auth.the_api_token_is_invalid_revoked")
	// errRaced makes a write give up when the row it decided on changed
	// underneath (another instance on the same PostgreSQL); the caller
	// retries with fresh data.
	errRaced = errors.New("auth: account changed concurrently")
)

func lockedError(until time.Time) *apperr.Error {
	at := until.In(time.FixedZone("CST", 8*3600)).Format("15:04")
	return apperr.New(apperr.TooMany, "", "auth.too_many_failed_logins_the_account", at)
}

// NormalizeLogin trims and lower-cases a login name: logins are compared
// case-insensitively.
func NormalizeLogin(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// checkLogin enforces the shape of a login name: 2–64 characters among
// a–z, 0–9 and . _ - @ (so a login fits URLs, logs and exports unquoted).
func checkLogin(login string) error {
	n := utf8.RuneCountInString(login)
	if n < 2 || n > 64 {
		return apperr.Invalidf("login", "auth.a_login_has_2_64_characters", n)
	}
	for i, r := range login {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '@') {
			return apperr.Invalidf("login", "auth.character_of_the_login_is_not", utf8.RuneCountInString(login[:i])+1)
		}
	}
	return nil
}

// newSecret returns a random token (32 bytes, base64url) and its stored form,
// the hex SHA-256. The token has 256 bits of entropy, so a fast hash is
// enough at rest: it cannot be guessed, only stolen, and the hash is useless
// to a thief of the database.
func newSecret(prefix string) (token, hash string) {
	b := make([]byte, 32)
	// crypto/rand.Read never returns an error (it panics on failure since Go 1.24).
	_, _ = rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashSecret(token)
}

func hashSecret(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// canAdminister: account administration is for an administrator whose
// jurisdiction covers the staff member's body (O1, O3).
func canAdminister(p access.Principal, staff access.Principal) error {
	if p.BodyPath == "" {
		return apperr.New(apperr.Unauthorized, "", "auth.please_log_in")
	}
	if !p.Can(access.DutyAccounts) {
		return apperr.Forbiddenf("auth.only_the_administrator_in_charge_of")
	}
	if !p.Covers(staff.BodyPath) {
		return apperr.Forbiddenf("auth.this_staff_member_is_outside_your")
	}
	return nil
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// refuseOwnAccount: an administrator does not administer their own account
// (O3) — their password changes on the password page, with the old one.
func refuseOwnAccount(p access.Principal, accountID int64) error {
	if p.AccountID != 0 && p.AccountID == accountID {
		return apperr.Forbiddenf("auth.you_cannot_administer_your_own_account")
	}
	return nil
}

// CreateAccount creates the personal account of a staff member with an
// initial password the person must change at first login (O3). Only an
// administrator covering the staff member's body may do it.
func (s *Service) CreateAccount(ctx context.Context, p access.Principal, staffID int64, login, password string) (Account, error) {
	return s.createAccount(ctx, p, staffID, login, password, true)
}

// CreateInitialAccount creates the login of a staff member on behalf of the
// system (the demo loader, an installation script): mustChange=false only
// for documented demo accounts, so a visitor can log in at once. It
// satisfies org.AccountCreator.
func (s *Service) CreateInitialAccount(ctx context.Context, staffID int64, login, password string, mustChange bool) error {
	system := access.Principal{Login: "system", Roles: []access.Role{access.RoleAdmin}, BodyPath: "/"}
	_, err := s.createAccount(ctx, system, staffID, login, password, mustChange)
	return err
}

func (s *Service) createAccount(ctx context.Context, p access.Principal, staffID int64, login, password string, mustChange bool) (Account, error) {
	login = NormalizeLogin(login)
	if err := checkLogin(login); err != nil {
		return Account{}, err
	}
	staff, err := s.dir.StaffPrincipal(ctx, staffID)
	if err != nil {
		return Account{}, err
	}
	if err := canAdminister(p, staff); err != nil {
		return Account{}, err
	}
	if err := CheckPasswordRules(login, staff.Name, password); err != nil {
		return Account{}, err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return Account{}, err
	}
	now := s.now()
	var a Account
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		r := accountRow{StaffID: staffID, Login: login, PasswordHash: hash, MustChangePassword: mustChange, CreatedAt: store.Micros(now), Active: true}
		err := accounts.Insert(ctx, tx, &r, store.Event{Actor: p.Login, BodyID: staff.BodyID, Action: "auth.account.created", To: "active",
			Payload: mustJSON(map[string]any{"staff_id": staffID, "login": login})})
		if store.IsUniqueViolation(err) {
			return apperr.Conflictf("auth.the_login_is_taken_or_the")
		}
		a = r.account()
		return err
	})
	if err != nil {
		var e *apperr.Error
		if errors.As(err, &e) && e.Code == apperr.Conflict {
			e.Field = "login"
		}
		return Account{}, err
	}
	return a, nil
}

type uaKey struct{}

// WithUserAgent returns ctx carrying the client's User-Agent for Login to
// record with the session (the web layer's Login signature has no room for it).
func WithUserAgent(ctx context.Context, ua string) context.Context {
	return context.WithValue(ctx, uaKey{}, ua)
}

func userAgent(ctx context.Context) string {
	ua, _ := ctx.Value(uaKey{}).(string)
	return clip(ua, 512)
}

// clip shortens s to at most n bytes on a rune boundary, dropping invalid UTF-8.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Login checks login and password from the client address ip and opens a
// session, returning its token for the session cookie. Wrong login and wrong
// password get the same error (errWrongCredentials) after the same work, so
// accounts cannot be enumerated. Every attempt is counted before any work,
// under the lockout policy (LockoutPolicy): the address's bucket, then the
// account and source (TooMany while the source waits after a failure or is
// locked out, and while the account is locked unless the source is one it
// logged in from recently); an unknown login is locked just the same, in
// memory, so that the locks reveal nothing either. Each failure, lock and
// success is an event.
func (s *Service) Login(ctx context.Context, login, password, ip string) (string, error) {
	now := s.now()
	if !s.throttle.Take(ip, now) {
		return "", errThrottled
	}
	login = NormalizeLogin(login)
	source := clip(ThrottleKey(ip), 64)
	ip = clip(ip, 64)
	if len(password) > maxPasswordBytes || len(login) > 256 {
		// No account has such a login or password; refusing before hashing
		// keeps a megabyte "password" from costing a megabyte of hashing.
		return "", errWrongCredentials
	}
	a, hash, err := getAccount(ctx, s.db, `login = ?`, login)
	if apperr.CodeOf(err) == apperr.NotFound {
		return "", s.loginUnknown(ctx, login, password, source, ip, now)
	}
	if err != nil {
		return "", err
	}
	c, err := s.claimAttempt(ctx, a, source, now)
	if err != nil {
		return "", err
	}
	ok, err := s.hasher.Verify(ctx, password, hash)
	if err != nil {
		return "", err
	}
	if !ok || !a.Active {
		// An inactive account answers like a wrong password: its state is
		// nobody's business but the administrator's.
		until, err := s.recordFailure(ctx, anonymousActor, a, now, "auth.login.failed", ip)
		switch {
		case err != nil:
			return "", err
		case c.locks:
			return "", lockedError(c.next.LockedUntil)
		case !until.IsZero() && !c.known:
			return "", lockedError(until)
		}
		return "", errWrongCredentials
	}
	s.throttle.Refund(ip, now)
	staff, err := s.principal(ctx, a)
	if err != nil {
		return "", err
	}
	newHash := ""
	if s.hasher.NeedsRehash(hash) {
		// Upgrade the hash to the current parameters while the password is
		// at hand.
		if newHash, err = s.hasher.Hash(ctx, password); err != nil {
			return "", err
		}
	}
	token, id := newSecret("")
	ua := userAgent(ctx)
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := lockAccount(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		// Locked or deactivated between our read and now (a concurrent
		// attempt, an administrator, another instance).
		if until := fromMicros(cur.LockedUntil); s.cfg.Lockout.Locked(until, now) && !c.known {
			return lockedError(until)
		}
		if !cur.Active {
			return errWrongCredentials
		}
		if err := s.sourceSucceeded(ctx, tx, a.ID, source, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (id, account_id, created_at, last_seen_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?)`, id, a.ID, store.Micros(now), store.Micros(now), ip, ua); err != nil {
			return err
		}
		e := store.Event{Actor: cur.Login, BodyID: staff.BodyID, Action: "auth.login.succeeded",
			Payload: mustJSON(map[string]any{"ip": ip, "user_agent": ua, "session": sessionObjectID(id), "rehashed": newHash != ""})}
		if newHash == "" && cur.FailedLogins == 0 {
			if err := accounts.Emit(tx, &cur, e); err != nil {
				return err
			}
		} else {
			if newHash != "" {
				cur.PasswordHash = newHash
			}
			cur.FailedLogins = 0
			if err := accounts.Save(ctx, tx, &cur, e); err != nil {
				return err
			}
		}
		return tx.Emit(store.Event{Actor: cur.Login, BodyID: staff.BodyID, Action: "auth.session.created", ObjectType: "session",
			ObjectID: sessionObjectID(id), To: "open", State: sessionState(id, a.ID, store.Micros(now))})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// loginUnknown answers a login that has no account exactly as a wrong
// password of an account without known sources: the same checks in the
// same order, the same locks after the same failures, the same time spent
// on a hash.
func (s *Service) loginUnknown(ctx context.Context, login, password, source, ip string, now time.Time) error {
	if until := s.ghosts.lockedUntil(login, now); !until.IsZero() {
		return lockedError(until)
	}
	next, locks, wait, ok := s.ghosts.claim(login, source, now)
	switch {
	case !ok && s.cfg.Lockout.Locked(next.LockedUntil, now):
		return lockedError(next.LockedUntil)
	case !ok:
		return waitError(wait)
	}
	if err := s.verifyDummy(ctx, password); err != nil {
		return err
	}
	until := s.ghosts.fail(login, now)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		// The attempted login is not recorded: people type passwords
		// into the login field, and the audit log is forever.
		return tx.Emit(store.Event{Actor: anonymousActor, Action: "auth.login.failed", ObjectType: "login", ObjectID: "unknown",
			Payload: mustJSON(map[string]any{"ip": ip, "reason": "unknown_login"})})
	})
	switch {
	case err != nil:
		return err
	case locks:
		return lockedError(next.LockedUntil)
	case !until.IsZero():
		return lockedError(until)
	}
	return errWrongCredentials
}

// verifyDummy verifies password against a fixed hash so that an unknown
// login costs what a known one does.
func (s *Service) verifyDummy(ctx context.Context, password string) error {
	s.dummyOnce.Do(func() {
		s.dummy, s.dummyErr = s.hasher.Hash(context.Background(), "qingdan dummy password")
	})
	if s.dummyErr != nil {
		return s.dummyErr
	}
	_, err := s.hasher.Verify(ctx, password, s.dummy)
	return err
}

// anonymousActor is the actor of events caused by someone not (yet) logged
// in: a failed login may be anyone's, not the account owner's.
const anonymousActor = "anonymous"

// recordFailure counts one failed password check of account a0 under the
// lockout policy and emits action by actor (and auth.account.locked when it
// locks). It returns the lock's end when the account is locked after it.
func (s *Service) recordFailure(ctx context.Context, actor string, a0 Account, now time.Time, action, ip string) (time.Time, error) {
	id := a0.ID
	staff, err := s.staffBody(ctx, a0.StaffID)
	if err != nil {
		return time.Time{}, err
	}
	var until time.Time
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		until = time.Time{}
		// Locked: a concurrent attempt (another instance) waits for this one.
		a, err := lockAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if at := fromMicros(a.LockedUntil); s.cfg.Lockout.Locked(at, now) {
			// Locked meanwhile by a concurrent attempt: this failure is
			// recorded but not counted, or the owner would find fewer
			// attempts left when the lock ends.
			until = at
			return accounts.Emit(tx, &a, store.Event{Actor: actor, BodyID: staff, Action: action,
				Payload: mustJSON(map[string]any{"ip": ip, "while_locked": true})})
		}
		failures, lockedUntil, locked := s.cfg.Lockout.AfterFailure(int(a.FailedLogins), now)
		before := a.FailedLogins
		a.FailedLogins, a.LockedUntil = int64(failures), micros(lockedUntil)
		if locked {
			until = fromMicros(a.LockedUntil)
		}
		if err := accounts.Save(ctx, tx, &a, store.Event{Actor: actor, BodyID: staff, Action: action,
			Payload: mustJSON(map[string]any{"ip": ip, "failures": before + 1})}); err != nil {
			return err
		}
		if !locked {
			return nil
		}
		return accounts.Emit(tx, &a, store.Event{Actor: actor, BodyID: staff, Action: "auth.account.locked", From: "unlocked", To: "locked",
			Payload: mustJSON(map[string]any{"ip": ip, "until": micros(until), "failures": before + 1})})
	})
	return until, err
}

// staffBody returns the body of a staff member for an event, or 0 when the
// directory no longer admits them (deactivated): the event is still recorded.
func (s *Service) staffBody(ctx context.Context, staffID int64) (int64, error) {
	p, err := s.dir.StaffPrincipal(ctx, staffID)
	if err == nil {
		return p.BodyID, nil
	}
	var e *apperr.Error
	if errors.As(err, &e) && e.Code != apperr.Internal {
		return 0, nil
	}
	return 0, err
}

// Principal implements the web layer's Sessions: the principal of a request
// from its "Authorization: Bearer" API token or, when it has none, its
// session cookie; the zero Principal for the public. A request with an
// Authorization header is never authenticated by its cookies, which is what
// makes the CSRF exemption of bearer requests sound.
func (s *Service) Principal(r *http.Request) (access.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok := bearer(r)
		if tok == "" {
			return access.Principal{}, errBadToken
		}
		return s.TokenPrincipal(r.Context(), tok)
	}
	if tok := s.cfg.Cookie.Read(r); tok != "" {
		return s.Session(r.Context(), tok)
	}
	return access.Principal{}, nil
}

// Session returns the principal of a session token: Unauthorized when the
// session is unknown, idle for longer than IdleTimeout, older than
// AbsoluteTimeout, or its account is inactive. It refreshes last_seen_at at
// most once per TouchEvery.
func (s *Service) Session(ctx context.Context, token string) (access.Principal, error) {
	now := s.now()
	id := hashSecret(token)
	var accountID, created, seen int64
	err := s.db.QueryRow(ctx, `SELECT account_id, created_at, last_seen_at FROM sessions WHERE id = ?`, id).
		Scan(&accountID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Principal{}, errSessionEnded
	}
	if err != nil {
		return access.Principal{}, err
	}
	a, _, err := getAccount(ctx, s.db, `id = ?`, accountID)
	if err != nil {
		return access.Principal{}, err
	}
	reason := ""
	switch {
	case !a.Active:
		reason = "account_inactive"
	case now.Sub(store.FromMicros(created)) >= s.cfg.AbsoluteTimeout:
		reason = "absolute_timeout"
	case now.Sub(store.FromMicros(seen)) >= s.cfg.IdleTimeout:
		reason = "idle_timeout"
	}
	var p access.Principal
	if reason == "" {
		if p, err = s.principal(ctx, a); err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				return access.Principal{}, err
			}
			reason = "staff_inactive"
		}
	}
	if reason != "" {
		if err := s.endSession(ctx, id, a, "auth.session.expired", reason); err != nil {
			return access.Principal{}, err
		}
		return access.Principal{}, errSessionEnded
	}
	if now.Sub(store.FromMicros(seen)) >= s.cfg.TouchEvery {
		// A plain write: sliding the idle window is not an action anyone
		// audits, and one event per minute per user would flood the log.
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?`,
				store.Micros(now), id, store.Micros(now))
			return err
		})
		if err != nil {
			return access.Principal{}, err
		}
	}
	p.SessionID = id
	return p, nil
}

// principal combines the staff record with the account. With duties
// separated, a staff member holding two administrative roles (recorded
// before the setting was turned on) is refused rather than given either.
func (s *Service) principal(ctx context.Context, a Account) (access.Principal, error) {
	p, err := s.dir.StaffPrincipal(ctx, a.StaffID)
	if err != nil {
		return access.Principal{}, err
	}
	if err := access.CheckDuties(s.cfg.SeparationOfDuties, p.Roles); err != nil {
		return access.Principal{}, apperr.Forbiddenf("auth.separation_of_duties_you_hold_two")
	}
	p.AccountID, p.StaffID, p.Login, p.MustChangePassword = a.ID, a.StaffID, a.Login, a.MustChangePassword
	p.Scopes, p.Separated = nil, s.cfg.SeparationOfDuties
	return p, nil
}

// endSession deletes a session and records why.
func (s *Service) endSession(ctx context.Context, id string, a Account, action, reason string) error {
	body, err := s.staffBody(ctx, a.StaffID)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // already gone (a concurrent request ended it): nothing to record
		}
		return tx.Emit(store.Event{Actor: a.Login, BodyID: body, Action: action, ObjectType: "session",
			ObjectID: sessionObjectID(id), From: "open", Payload: mustJSON(map[string]any{"account_id": a.ID, "reason": reason})})
	})
}

// Logout ends the session of token. An unknown or already ended session is
// not an error: the user is logged out either way.
func (s *Service) Logout(ctx context.Context, token string) error {
	id := hashSecret(token)
	var accountID int64
	err := s.db.QueryRow(ctx, `SELECT account_id FROM sessions WHERE id = ?`, id).Scan(&accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	a, _, err := getAccount(ctx, s.db, `id = ?`, accountID)
	if err != nil {
		return err
	}
	return s.endSession(ctx, id, a, "auth.logout", "logout")
}

// ChangePassword changes p's password after checking the old one (a wrong old
// password counts as a failed login towards the lockout), enforces the rules
// and the history (errors name the field new_password), clears
// MustChangePassword, ends the account's other sessions — whoever else was
// logged in with the old password is logged out — and revokes its API tokens.
func (s *Service) ChangePassword(ctx context.Context, p access.Principal, oldPassword, newPassword string) error {
	if p.AccountID == 0 || len(p.Scopes) > 0 {
		return apperr.New(apperr.Unauthorized, "", "auth.please_log_in")
	}
	a, hash, err := getAccount(ctx, s.db, `id = ?`, p.AccountID)
	if err != nil {
		return err
	}
	now := s.now()
	if s.cfg.Lockout.Locked(a.LockedUntil, now) {
		return lockedError(a.LockedUntil)
	}
	ok, err := s.hasher.Verify(ctx, oldPassword, hash)
	if err != nil {
		return err
	}
	if !ok {
		until, err := s.recordFailure(ctx, a.Login, a, now, "auth.password.change_failed", "")
		if err != nil {
			return err
		}
		if !until.IsZero() {
			return lockedError(until)
		}
		return apperr.Invalidf("old_password", "auth.the_current_password_is_wrong")
	}
	newHash, err := s.newPasswordHash(ctx, a, hash, p.Name, newPassword)
	if err != nil {
		e := *apperr.As(err)
		if e.Code == apperr.Invalid {
			e.Field = "new_password"
		}
		return &e
	}
	body, err := s.staffBody(ctx, a.StaffID)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := lockAccount(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if cur.PasswordHash != hash {
			return apperr.Conflictf("auth.the_password_was_changed_meanwhile_log")
		}
		cur.PasswordHash, cur.MustChangePassword, cur.FailedLogins, cur.PasswordChangedAt = newHash, false, 0, store.Micros(now)
		if err := rememberPassword(ctx, tx, a.ID, hash, now); err != nil {
			return err
		}
		ended, err := tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = ? AND id <> ?`, a.ID, p.SessionID)
		if err != nil {
			return err
		}
		// Tokens were made under the old password: whoever may have learnt
		// it must not keep a way in through them.
		if err := revokeTokens(ctx, tx, a.Login, body, `account_id = ?`, a.ID, now, "password_changed"); err != nil {
			return err
		}
		n, err := ended.RowsAffected()
		if err != nil {
			return err
		}
		return accounts.Save(ctx, tx, &cur, store.Event{Actor: cur.Login, BodyID: body, Action: "auth.password.changed",
			Payload: mustJSON(map[string]any{"other_sessions_ended": n})})
	})
}

// ResetPassword sets a new initial password for an account (the owner forgot
// it), unlocks it, ends its sessions, revokes its API tokens and makes the
// owner change the password at the next login. For an administrator
// covering the staff member's body.
func (s *Service) ResetPassword(ctx context.Context, p access.Principal, accountID int64, password string) error {
	if err := refuseOwnAccount(p, accountID); err != nil {
		return err
	}
	a, oldHash, err := getAccount(ctx, s.db, `id = ?`, accountID)
	if err != nil {
		return err
	}
	staff, err := s.dir.StaffPrincipal(ctx, a.StaffID)
	if err != nil {
		return err
	}
	if err := canAdminister(p, staff); err != nil {
		return err
	}
	hash, err := s.newPasswordHash(ctx, a, oldHash, staff.Name, password)
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := lockAccount(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		cur.PasswordHash, cur.MustChangePassword, cur.FailedLogins, cur.LockedUntil = hash, true, 0, 0
		if err := rememberPassword(ctx, tx, a.ID, oldHash, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = ?`, a.ID); err != nil {
			return err
		}
		if err := unlockSources(ctx, tx, a.ID); err != nil {
			return err
		}
		if err := revokeTokens(ctx, tx, p.Login, staff.BodyID, `account_id = ?`, a.ID, now, "password_reset"); err != nil {
			return err
		}
		return accounts.Save(ctx, tx, &cur, store.Event{Actor: p.Login, BodyID: staff.BodyID, Action: "auth.password.reset"})
	})
}

// SetAccountActive switches an account on or off (an administrator covering
// the staff member's body). Switching off ends its sessions; its API tokens
// stop working while it is off.
func (s *Service) SetAccountActive(ctx context.Context, p access.Principal, accountID int64, active bool) error {
	if err := refuseOwnAccount(p, accountID); err != nil {
		return err
	}
	a, _, err := getAccount(ctx, s.db, `id = ?`, accountID)
	if err != nil {
		return err
	}
	staff, err := s.dir.StaffPrincipal(ctx, a.StaffID)
	if err != nil && (active || apperr.CodeOf(err) == apperr.Internal) {
		return err // a deactivated staff member's account may be switched off, not on
	}
	if err == nil {
		if err := canAdminister(p, staff); err != nil {
			return err
		}
	} else if !p.Can(access.DutyAccounts) || p.BodyPath == "" {
		return apperr.Forbiddenf("auth.only_the_administrator_in_charge_of")
	}
	if a.Active == active {
		return nil
	}
	from, to := "inactive", "active"
	if !active {
		from, to = to, from
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := lockAccount(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		cur.Active = active
		if !active {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = ?`, a.ID); err != nil {
				return err
			}
		}
		return accounts.Save(ctx, tx, &cur, store.Event{Actor: p.Login, BodyID: staff.BodyID, Action: "auth.account." + to, From: from, To: to})
	})
}

// GetAccount returns an account by id (for administrators' pages).
func (s *Service) GetAccount(ctx context.Context, p access.Principal, accountID int64) (Account, error) {
	a, _, err := getAccount(ctx, s.db, `id = ?`, accountID)
	if err != nil {
		return Account{}, err
	}
	if p.AccountID == a.ID {
		return a, nil
	}
	staff, err := s.dir.StaffPrincipal(ctx, a.StaffID)
	if err != nil {
		return Account{}, err
	}
	if err := canAdminister(p, staff); err != nil {
		return Account{}, err
	}
	return a, nil
}

// PurgeSessions deletes sessions that have passed either timeout at now and
// returns how many; a periodic job calls it so that abandoned sessions do not
// pile up (Session deletes the ones it meets). One event records the sweep.
// It also forgets the login sources the lockout policy no longer needs.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.now()
	var n int64
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.purgeSources(ctx, tx, now); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?`,
			store.Micros(now.Add(-s.cfg.IdleTimeout)), store.Micros(now.Add(-s.cfg.AbsoluteTimeout)))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return tx.Emit(store.Event{Actor: "system", Action: "auth.session.purged", ObjectType: "sessions", ObjectID: "expired",
			Payload: mustJSON(map[string]any{"count": n})})
	})
	return n, err
}
