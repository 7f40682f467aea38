package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// Accounts, API tokens and sessions are audited tables: `qingdan verify`
// compares each row with the State of its object's last event, so an
// account unlocked, a password hash copied, a token un-revoked or given a
// chosen hash, or a session inserted behind the application's back is
// named. Credentials appear in a State only as their digest
// (credentialDigest): enough to notice a changed hash, nothing to guess a
// password or forge a token from. A session's State is set when it is
// created and never changes (its touches are deliberately not events);
// sessions end by being deleted, with or without an event, so a missing
// session row is no mismatch (store.AuditedTable.Ephemeral).
func init() {
	store.RegisterAudited(store.AuditedTable{ObjectType: "account", Table: "accounts",
		Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
			rows, err := q.Query(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				a, _, err := scanAccount(rows)
				if err != nil {
					return err
				}
				if err := yield(idStr(a.ID), accountState(a)); err != nil {
					return err
				}
			}
			return rows.Err()
		}})
	store.RegisterAudited(store.AuditedTable{ObjectType: "api_token", Table: "api_tokens",
		Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
			rows, err := q.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				t, err := scanToken(rows)
				if err != nil {
					return err
				}
				if err := yield(idStr(t.ID), tokenState(t)); err != nil {
					return err
				}
			}
			return rows.Err()
		}})
	store.RegisterAudited(store.AuditedTable{ObjectType: "session", Table: "sessions", Ephemeral: true,
		Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
			rows, err := q.Query(ctx, `SELECT id, account_id, created_at FROM sessions ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				var account, created int64
				if err := rows.Scan(&id, &account, &created); err != nil {
					return err
				}
				if err := yield(sessionObjectID(id), sessionState(id, account, created)); err != nil {
					return err
				}
			}
			return rows.Err()
		}})
}

// Kinds of credential digest, so that equal hashes of different kinds
// never share a digest.
const (
	digestPassword = "password"
	digestToken    = "api_token"
	digestSession  = "session"
)

// credentialDigest is what an audited State holds of a stored credential
// hash: the hex SHA-256 of the kind and the hash. The hash itself never goes
// into the audit log, which is kept forever and read more widely than the
// accounts table.
func credentialDigest(kind, hash string) string {
	h := sha256.Sum256([]byte("qingdan credential\x00" + kind + "\x00" + hash))
	return hex.EncodeToString(h[:])
}

// sessionObjectID names a session in events: the first 16 hex digits of its
// id (the hash of its token), as its log lines do.
func sessionObjectID(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

// sessionState is the audited State of a session row: whose it is, since
// when, and the digest of its id (the hash of the cookie's token).
func sessionState(id string, accountID, createdAt int64) json.RawMessage {
	return mustJSON(map[string]any{"account_id": accountID, "created_at": createdAt, "token_digest": credentialDigest(digestSession, id)})
}

// errTampered refuses a change to an account or token whose row differs from
// its last audited event.
var errTampered = apperr.Conflictf("auth.this_account_s_or_token_s")

// checkAudited refuses to build on a row whose State differs from the State
// of its object's last event: the row was changed behind the service's back,
// and an event now would record that change as the actor's — a copied
// password hash would be laundered by the next login. It logs loudly.
func checkAudited(ctx context.Context, tx *store.Tx, objectType, table, id string, state json.RawMessage) error {
	last, _, err := store.LastState(ctx, tx, objectType, id)
	if err != nil {
		return err
	}
	if sameJSON(last, state) {
		return nil
	}
	slog.ErrorContext(ctx, "refusing to change a row that differs from its last audited event; run qingdan verify",
		"table", table, "id", id)
	return errTampered
}

// auditedAccount reads an account inside a write that will emit its new
// State, refusing one changed behind the service's back.
func auditedAccount(ctx context.Context, tx *store.Tx, id int64) (Account, string, error) {
	a, hash, err := getAccount(ctx, tx, `id = ?`, id)
	if err != nil {
		return Account{}, "", err
	}
	return a, hash, checkAudited(ctx, tx, "account", "accounts", idStr(id), accountState(a))
}
