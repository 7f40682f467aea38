package auth

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// Accounts and API tokens are declared aggregates (store.Declare): verify
// compares each row with the State of its object's last event, and every
// change locks its row first (Lock), which refuses a row changed behind
// the service's back — a copied password hash is never laundered by the
// next login — then saves it at its next version with its event. The
// row types are the rows as stored, credentials included; their State
// holds the credentials only as digests (credentialDigest).

// accountRow is an accounts row as stored.
type accountRow struct {
	ID, Version        int64
	StaffID            int64
	Login              string
	PasswordHash       string
	MustChangePassword bool
	FailedLogins       int64
	LockedUntil        int64 // unix µs, 0: not locked
	CreatedAt          int64
	PasswordChangedAt  int64 // 0: the initial password is still in use
	Active             bool
}

// tokenRow is an api_tokens row as stored, but for last_used_at: touched
// without an event (at most once per TouchEvery), it is not the
// aggregate's, so a Save never writes it back.
type tokenRow struct {
	ID, Version int64
	AccountID   int64
	Name        string
	TokenHash   string
	Scopes      string // role names separated by spaces
	CreatedAt   int64
	ExpiresAt   int64
	RevokedAt   int64 // 0: live
}

var (
	accounts = store.Declare(store.Aggregate[accountRow]{
		Table: "accounts", ObjectType: "account",
		Columns: []string{"staff_id", "login", "password_hash", "must_change_password", "failed_logins", "locked_until",
			"created_at", "password_changed_at", "active"},
		Fields: func(r *accountRow) []any {
			return []any{&r.ID, &r.Version, &r.StaffID, &r.Login, &r.PasswordHash, &r.MustChangePassword, &r.FailedLogins,
				&r.LockedUntil, &r.CreatedAt, &r.PasswordChangedAt, &r.Active}
		},
		State: func(r *accountRow) any { return accountState(r.account()) },
		Stale: func(*accountRow) error { return errChanged },
	})
	tokens = store.Declare(store.Aggregate[tokenRow]{
		Table: "api_tokens", ObjectType: "api_token",
		Columns: []string{"account_id", "name", "token_hash", "scopes", "created_at", "expires_at", "revoked_at"},
		Fields: func(r *tokenRow) []any {
			return []any{&r.ID, &r.Version, &r.AccountID, &r.Name, &r.TokenHash, &r.Scopes, &r.CreatedAt, &r.ExpiresAt, &r.RevokedAt}
		},
		State: func(r *tokenRow) any { return json.RawMessage(tokenState(r.token())) },
		Stale: func(*tokenRow) error { return errChanged },
	})
)

// errChanged refuses a save whose row another instance changed since this
// write locked it (only a row lock lost to a bug could allow it).
var errChanged = apperr.Conflictf("auth.the_account_or_token_was_just")

// accountCols and tokenCols are the columns of the aggregates' Fields (and
// a token's last_used_at after them), for the reads.
const (
	accountCols = `id, version, staff_id, login, password_hash, must_change_password, failed_logins, locked_until, created_at, password_changed_at, active`
	tokenCols   = `id, version, account_id, name, token_hash, scopes, created_at, expires_at, revoked_at, last_used_at`
)

func (r *accountRow) account() Account {
	return Account{ID: r.ID, Version: r.Version, StaffID: r.StaffID, Login: r.Login, MustChangePassword: r.MustChangePassword,
		FailedLogins: int(r.FailedLogins), LockedUntil: fromMicros(r.LockedUntil), CreatedAt: fromMicros(r.CreatedAt),
		PasswordChangedAt: fromMicros(r.PasswordChangedAt), Active: r.Active,
		passwordDigest: credentialDigest(digestPassword, r.PasswordHash)}
}

func (r *tokenRow) token() APIToken {
	t := APIToken{ID: r.ID, Version: r.Version, AccountID: r.AccountID, Name: r.Name, CreatedAt: fromMicros(r.CreatedAt),
		ExpiresAt: fromMicros(r.ExpiresAt), RevokedAt: fromMicros(r.RevokedAt), secretDigest: credentialDigest(digestToken, r.TokenHash)}
	for _, f := range strings.Fields(r.Scopes) {
		// Scopes were validated as roles when stored; a role since removed
		// from the code grants nothing and is dropped.
		if role, ok := access.ParseRole(f); ok {
			t.Scopes = append(t.Scopes, role)
		}
	}
	return t
}

// scanAccount reads a row of accountCols: the account and its password hash.
func scanAccount(row interface{ Scan(...any) error }) (Account, string, error) {
	var r accountRow
	if err := row.Scan(accounts.Fields(&r)...); err != nil {
		return Account{}, "", err
	}
	return r.account(), r.PasswordHash, nil
}

// scanToken reads a row of tokenCols.
func scanToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var r tokenRow
	var used int64
	if err := row.Scan(append(tokens.Fields(&r), &used)...); err != nil {
		return APIToken{}, err
	}
	t := r.token()
	t.LastUsedAt = fromMicros(used)
	return t, nil
}

// lockAccount reads an account a write is about to change (or to record
// an event about), locked until the write commits, refusing one changed
// behind the service's back.
func lockAccount(ctx context.Context, tx *store.Tx, id int64) (accountRow, error) {
	r, err := accounts.Lock(ctx, tx, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return r, apperr.NotFoundf("auth.no_such_account")
	}
	return r, err
}

// VersionedTables are the auth tables whose rows gained their version in
// migration 0520, for store.AddVersions (run by qingdan migrate): their
// State rendered with the version even at 0, as AddVersions compares it.
func VersionedTables() []store.VersionedTable {
	return []store.VersionedTable{
		{ObjectType: "account", Table: "accounts", Key: "id", State: withVersion(accounts)},
		{ObjectType: "api_token", Table: "api_tokens", Key: "id", State: withVersion(tokens)},
	}
}

func withVersion[R any](a *store.Aggregate[R]) func(context.Context, store.Querier, int64) (json.RawMessage, error) {
	return func(ctx context.Context, q store.Querier, key int64) (json.RawMessage, error) {
		r, err := a.Get(ctx, q, key)
		if err != nil {
			return nil, err
		}
		st, err := json.Marshal(a.State(&r))
		if err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(st, &m); err != nil {
			return nil, err
		}
		m["version"] = json.RawMessage(strconv.FormatInt(*a.Fields(&r)[1].(*int64), 10))
		return json.Marshal(m)
	}
}
