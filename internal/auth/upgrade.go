package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/store"
)

// The audited State of accounts and API tokens gained the digests of their
// credentials (issue #11.4), and tokens an expiry (issue #13.9). Rows
// written before carry events with the older State, which verify would
// report as changed rows. UpgradeAuditedState brings them forward once:
// each row whose last event holds exactly the older rendering of the row
// gets an event with the new State (a token also gets its expiry); a row
// that matches neither has been changed behind the application's back and
// is left as it is, for verify to name — the upgrade never launders it.

// upgradeMarker is the event object that records the upgrade was done.
const (
	upgradeObjectType = "auth_upgrade"
	upgradeObjectID   = "credential_digests"
)

// UpgradeReport says what UpgradeAuditedState did.
type UpgradeReport struct {
	Done      bool // it ran now (false: it had run before)
	Accounts  int  // accounts brought forward
	Tokens    int  // tokens brought forward (each given an expiry)
	Unchanged int  // rows that matched neither State: left for verify
}

// UpgradeAuditedState runs the upgrade described above once per database
// (an event marks it done; a database without accounts or tokens needs
// none and gets no event); `qingdan migrate` and every command that
// migrates at start call it after the migrations. now dates the expiry of
// tokens that had none: DefaultTokenDays from the upgrade.
func UpgradeAuditedState(ctx context.Context, db *store.DB, now time.Time) (UpgradeReport, error) {
	var rep UpgradeReport
	done, err := upgraded(ctx, db)
	if err != nil || done {
		return rep, err
	}
	var rows int
	if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM api_tokens)`).Scan(&rows); err != nil || rows == 0 {
		return rep, err
	}
	expires := store.FromMicros(store.Micros(now.AddDate(0, 0, DefaultTokenDays)))
	err = db.Write(ctx, func(tx *store.Tx) error {
		rep = UpgradeReport{Done: true}
		if done, err := upgraded(ctx, tx); err != nil || done {
			rep.Done = false
			return err // another instance upgraded meanwhile
		}
		if err := upgradeAccounts(ctx, tx, &rep); err != nil {
			return err
		}
		if err := upgradeTokens(ctx, tx, expires, &rep); err != nil {
			return err
		}
		return tx.Emit(store.Event{Actor: "system", Action: "auth.audit.upgraded", ObjectType: upgradeObjectType,
			ObjectID: upgradeObjectID, Payload: mustJSON(map[string]any{"accounts": rep.Accounts, "tokens": rep.Tokens,
				"left_unchanged": rep.Unchanged, "token_expiry": micros(expires)})})
	})
	return rep, err
}

func upgraded(ctx context.Context, q store.Querier) (bool, error) {
	evs, err := store.QueryEvents(ctx, q, store.EventFilter{ObjectType: upgradeObjectType, ObjectID: upgradeObjectID, Limit: 1})
	return len(evs) > 0, err
}

func upgradeAccounts(ctx context.Context, tx *store.Tx, rep *UpgradeReport) error {
	rows, err := tx.Query(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY id`)
	if err != nil {
		return err
	}
	var accounts []Account
	for rows.Next() {
		a, _, err := scanAccount(rows)
		if err != nil {
			rows.Close()
			return err
		}
		accounts = append(accounts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, a := range accounts {
		last, _, err := store.LastState(ctx, tx, "account", idStr(a.ID))
		if err != nil {
			return err
		}
		switch {
		case sameJSON(last, accountState(a)):
		case sameJSON(last, legacyAccountState(a)):
			rep.Accounts++
			if err := tx.Emit(store.Event{Actor: "system", Action: "auth.account.audit_upgraded", ObjectType: "account",
				ObjectID: idStr(a.ID), State: accountState(a)}); err != nil {
				return err
			}
		default:
			rep.Unchanged++
		}
	}
	return nil
}

func upgradeTokens(ctx context.Context, tx *store.Tx, expires time.Time, rep *UpgradeReport) error {
	tokens, err := queryTokens(ctx, tx, `TRUE ORDER BY id`)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		last, _, err := store.LastState(ctx, tx, "api_token", idStr(t.ID))
		if err != nil {
			return err
		}
		if sameJSON(last, tokenState(t)) {
			continue
		}
		if !t.ExpiresAt.IsZero() || !sameJSON(last, legacyTokenState(t)) {
			rep.Unchanged++
			continue
		}
		rep.Tokens++
		t.ExpiresAt = expires
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET expires_at = ? WHERE id = ?`, store.Micros(expires), t.ID); err != nil {
			return err
		}
		if err := tx.Emit(store.Event{Actor: "system", Action: "auth.token.audit_upgraded", ObjectType: "api_token",
			ObjectID: idStr(t.ID), State: tokenState(t), Payload: mustJSON(map[string]any{"expires_at": micros(expires)})}); err != nil {
			return err
		}
	}
	return nil
}

func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// legacyAccountState is how accounts were audited before: without the
// password's digest.
func legacyAccountState(a Account) json.RawMessage {
	return withoutKeys(accountState(a), "password_digest")
}

// legacyTokenState is how tokens were audited before: without the secret's
// digest and the expiry.
func legacyTokenState(t APIToken) json.RawMessage {
	return withoutKeys(tokenState(t), "secret_digest", "expires_at")
}

// withoutKeys returns a State object without the given keys.
func withoutKeys(state json.RawMessage, keys ...string) json.RawMessage {
	d := json.NewDecoder(bytes.NewReader(state))
	d.UseNumber() // unix microseconds must not pass through float64
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		// The states come from mustJSON of maps: a failure is a programming error.
		panic(fmt.Sprintf("auth: decode state: %v", err))
	}
	for _, k := range keys {
		delete(m, k)
	}
	return mustJSON(m)
}
