package auth

import (
	"context"
	"database/sql"
	"errors"
	"github.com/qingdan/qingdan/internal/access"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// TokenPrefix starts every API token so that a leaked one is recognisable
// (secret scanners, logs).
const TokenPrefix = "qdt_"

// Token lifetimes in days (issue #13.9): chosen at creation within the
// bounds, the default when none is chosen.
const (
	DefaultTokenDays = 90
	MinTokenDays     = 1
	MaxTokenDays     = 365
)

// APIToken describes an API token (never its secret).
type APIToken struct {
	ID         int64
	Version    int64 // 0: written before versions, not versioned yet
	AccountID  int64
	Name       string
	Scopes     []access.Role // the roles the token may use; its principal holds their intersection with the staff member's roles
	CreatedAt  time.Time
	ExpiresAt  time.Time // the token stops working then
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: live

	secretDigest string // credentialDigest of token_hash, for the audited state
}

// Revoked reports whether the token was revoked.
func (t APIToken) Revoked() bool { return !t.RevokedAt.IsZero() }

// Expired reports whether the token has expired at now. A token stored
// without an expiry (before tokens had one, until the start-up upgrade
// gives it one) counts as expired: it fails closed.
func (t APIToken) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

func scopesText(rs []access.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, " ")
}

// CreateToken creates an API token for p's own account, usable with the
// given scopes (role names p holds) for days days (MinTokenDays to
// MaxTokenDays), and returns the secret — shown once, stored only as its
// SHA-256. Tokens are created from a browser session with a changed
// password, never by another token.
func (s *Service) CreateToken(ctx context.Context, p access.Principal, name string, scopes []string, days int) (string, APIToken, error) {
	if p.AccountID == 0 || p.SessionID == "" || p.TokenID != 0 {
		return "", APIToken{}, apperr.Forbiddenf("auth.api_tokens_can_only_be_created")
	}
	if p.MustChangePassword {
		return "", APIToken{}, apperr.Forbiddenf("auth.change_your_initial_password_first")
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
		return "", APIToken{}, apperr.Invalidf("name", "auth.the_token_name_needs_1_100")
	}
	var roles []access.Role
	for i, sc := range scopes {
		r, ok := access.ParseRole(strings.TrimSpace(sc))
		if !ok {
			return "", APIToken{}, apperr.Invalidf("scopes", "auth.scope_is_not_a_known_role", i+1, clip(sc, 40))
		}
		if !p.Has(r) {
			return "", APIToken{}, apperr.Invalidf("scopes", "auth.you_do_not_hold_the_role", string(r))
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		return "", APIToken{}, apperr.Invalidf("scopes", "auth.choose_at_least_one_scope")
	}
	if days < MinTokenDays || days > MaxTokenDays {
		return "", APIToken{}, apperr.Invalidf("expires_in_days", "auth.the_validity_must_be_days", MinTokenDays, MaxTokenDays)
	}
	slices.Sort(roles)
	secret, hash := newSecret(TokenPrefix)
	now := s.now()
	var t APIToken
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r := tokenRow{AccountID: p.AccountID, Name: name, TokenHash: hash, Scopes: scopesText(roles), CreatedAt: store.Micros(now),
			ExpiresAt: store.Micros(now.AddDate(0, 0, days))}
		err := tokens.Insert(ctx, tx, &r, store.Event{Actor: p.Login, BodyID: p.BodyID, Action: "auth.token.created", To: "live"})
		t = r.token()
		return err
	})
	if err != nil {
		return "", APIToken{}, err
	}
	return secret, t, nil
}

// tokenState is the event snapshot of a token: every column but
// last_used_at (touched without an event), the secret's hash only as its
// digest.
// Version 0 is left out, as for accounts (accountState).
func tokenState(t APIToken) []byte {
	m := map[string]any{"id": t.ID, "account_id": t.AccountID, "name": t.Name, "scopes": scopesText(t.Scopes),
		"created_at": micros(t.CreatedAt), "expires_at": micros(t.ExpiresAt), "revoked_at": micros(t.RevokedAt),
		"secret_digest": t.secretDigest}
	if t.Version != 0 {
		m["version"] = t.Version
	}
	return mustJSON(m)
}

// Tokens lists the API tokens of p's own account, newest first.
func (s *Service) Tokens(ctx context.Context, p access.Principal) ([]APIToken, error) {
	if p.AccountID == 0 {
		return nil, apperr.New(apperr.Unauthorized, "", "auth.please_log_in")
	}
	return queryTokens(ctx, s.db, `account_id = ? ORDER BY id DESC`, p.AccountID)
}

// queryTokens reads the tokens matching where (a condition, then perhaps an
// ORDER BY) in full, so the caller may write while it goes through them.
func queryTokens(ctx context.Context, q store.Querier, where string, args ...any) ([]APIToken, error) {
	rows, err := q.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// Revoke revokes an API token: its owner may, and so may an administrator
// covering the owner's body. Revoking a revoked token is a no-op.
func (s *Service) Revoke(ctx context.Context, p access.Principal, tokenID int64) error {
	if p.AccountID == 0 {
		return apperr.New(apperr.Unauthorized, "", "auth.please_log_in")
	}
	t, err := scanToken(s.db.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE id = ?`, tokenID))
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("auth.no_such_api_token")
	}
	if err != nil {
		return err
	}
	a, _, err := getAccount(ctx, s.db, `id = ?`, t.AccountID)
	if err != nil {
		return err
	}
	body, err := s.staffBody(ctx, a.StaffID)
	if err != nil {
		return err
	}
	if t.AccountID != p.AccountID {
		staff, err := s.dir.StaffPrincipal(ctx, a.StaffID)
		if err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				return err
			}
			// The owner was deactivated: any administrator may still
			// revoke, revoking only takes power away.
			if !p.Can(access.DutyAccounts) {
				return apperr.NotFoundf("auth.no_such_api_token")
			}
		} else if err := canAdminister(p, staff); err != nil {
			// Someone else's token outside one's reach does not exist.
			return apperr.NotFoundf("auth.no_such_api_token")
		}
	}
	if t.Revoked() {
		return nil
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		return revokeTokens(ctx, tx, p.Login, body, `id = ?`, t.ID, now, "revoked")
	})
}

// revokeTokens revokes, inside a write, the live tokens matching where
// (a condition with one "?" bound to arg) at now, each with its event; reason says why
// ("revoked", "password_changed", "password_reset"). It refuses a token row
// changed behind the service's back.
func revokeTokens(ctx context.Context, tx *store.Tx, actor string, body int64, where string, arg any, now time.Time, reason string) error {
	live, err := queryTokens(ctx, tx, `revoked_at = 0 AND `+where, arg)
	if err != nil {
		return err
	}
	for _, t := range live {
		r, err := tokens.Lock(ctx, tx, t.ID) // refuses a token changed behind the service's back
		if err != nil {
			return err
		}
		r.RevokedAt = store.Micros(now)
		if err := tokens.Save(ctx, tx, &r, store.Event{Actor: actor, BodyID: body, Action: "auth.token.revoked",
			From: "live", To: "revoked", Payload: mustJSON(map[string]any{"reason": reason})}); err != nil {
			return err
		}
	}
	return nil
}

// TokenPrincipal returns the principal of a bearer token: the owner's
// principal with Roles narrowed to the token's scopes (the permission table
// checks Roles only), Scopes set and TokenID. Unknown, revoked and expired
// tokens and tokens of inactive accounts or staff are Unauthorized.
// last_used_at is refreshed at most once per TouchEvery.
func (s *Service) TokenPrincipal(ctx context.Context, secret string) (access.Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return access.Principal{}, errBadToken
	}
	t, err := scanToken(s.db.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE token_hash = ?`, hashSecret(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return access.Principal{}, errBadToken
	}
	if err != nil {
		return access.Principal{}, err
	}
	if t.Revoked() || t.Expired(s.now()) {
		return access.Principal{}, errBadToken
	}
	a, _, err := getAccount(ctx, s.db, `id = ?`, t.AccountID)
	if err != nil {
		return access.Principal{}, err
	}
	if !a.Active {
		return access.Principal{}, errBadToken
	}
	p, err := s.principal(ctx, a)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			return access.Principal{}, err
		}
		return access.Principal{}, errBadToken
	}
	var roles []access.Role
	for _, r := range p.Roles {
		if slices.Contains(t.Scopes, r) {
			roles = append(roles, r)
		}
	}
	p.Roles = roles
	p.Scopes = strings.Fields(scopesText(t.Scopes))
	p.TokenID = t.ID
	// A machine cannot change a password; the human's forced change is
	// enforced on their browser session.
	p.MustChangePassword = false
	now := s.now()
	if now.Sub(t.LastUsedAt) >= s.cfg.TouchEvery {
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?`,
				store.Micros(now), t.ID, store.Micros(now))
			return err
		})
		if err != nil {
			return access.Principal{}, err
		}
	}
	return p, nil
}
