package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

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
	// Sessions are no declared aggregate: keyed by the hash of their token,
	// never changed after they are made, and ended by deletion.
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
