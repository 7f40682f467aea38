package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// tamper changes the database behind the application's back, as someone
// with write access to it could.
func tamper(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// wantNamed runs verify and wants its mismatch to name the row.
func wantNamed(t *testing.T, db *store.DB, row string) {
	t.Helper()
	rep, err := db.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.HasPrefix(rep.Mismatch, row+":") {
		t.Fatalf("verify: %q, want it to name %s", rep.Mismatch, row)
	}
	t.Log(rep.Mismatch)
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// secondAccount gives town B's administrator an account (the fixture has
// only the clerk's) and returns its id.
func secondAccount(t *testing.T, f *fixture) int64 {
	t.Helper()
	acc, err := f.svc.CreateAccount(context.Background(), f.districtAdmin, f.townBAdmin.StaffID, "admin-b", "Other-Pass-2026")
	if err != nil {
		t.Fatal(err)
	}
	return acc.ID
}

// TestVerify_O3_copiedPasswordHash (issue #11.4): copying one account's
// password hash onto another lets its password log in as the other; verify
// names the account whose hash was replaced.
func TestVerify_O3_copiedPasswordHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, auth.Config{})
		victim := secondAccount(t, f)
		verifyOK(t, db)
		tamper(t, db, `UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE id = ?) WHERE id = ?`, f.clerkAcc.ID, victim)
		wantNamed(t, db, "accounts id="+idStr(victim))
		// The copied hash matches the other password, but the login does
		// not build on the tampered row (its event would launder it).
		if _, err := f.svc.Login(ctx, "admin-b", clerkPassword, "10.0.0.1"); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("login over a copied hash: %v, want a refusal after the password matched", err)
		}
		if err := f.svc.SetAccountActive(ctx, f.districtAdmin, victim, false); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("an administrator's change over a tampered row: %v", err)
		}
		wantNamed(t, db, "accounts id="+idStr(victim))
	})
}

// TestVerify_O3_insertedSession: a sessions row inserted for a token of the
// intruder's choosing logs in as its account; verify names the row, which
// has no creation event. A session row changed to another account is named
// too; sessions deleted without an event (ended, expired) are not.
func TestVerify_O3_insertedSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, auth.Config{})
		victim := secondAccount(t, f)
		tok, err := f.svc.Login(ctx, "zhangsan", clerkPassword, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		// Ended sessions may be deleted freely.
		tamper(t, db, `DELETE FROM sessions`)
		verifyOK(t, db)

		chosen := "the-intruders-own-session-token"
		now := store.Micros(f.clock.Now())
		tamper(t, db, `INSERT INTO sessions (id, account_id, created_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, '', '')`,
			sha256Hex(chosen), victim, now, now)
		if p, err := f.svc.Session(ctx, chosen); err != nil || p.AccountID != victim {
			t.Fatalf("the inserted session does not log in, the test tampers with nothing: %+v %v", p, err)
		}
		wantNamed(t, db, "sessions id="+sha256Hex(chosen)[:16])
		tamper(t, db, `DELETE FROM sessions`)

		// A real session moved to another account.
		if tok, err = f.svc.Login(ctx, "zhangsan", clerkPassword, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		verifyOK(t, db)
		tamper(t, db, `UPDATE sessions SET account_id = ? WHERE id = ?`, victim, sha256Hex(tok))
		wantNamed(t, db, "sessions id="+sha256Hex(tok)[:16])
	})
}

// TestVerify_O3_chosenTokenHash: setting a token's hash to that of a secret
// of the intruder's choosing lets the secret act as the token's owner;
// verify names the token.
func TestVerify_O3_chosenTokenHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, auth.Config{})
		p := changedPasswordPrincipal(t, f)
		_, tk, err := f.svc.CreateToken(ctx, p, "对接系统", []string{"window"}, auth.DefaultTokenDays)
		if err != nil {
			t.Fatal(err)
		}
		verifyOK(t, db)
		chosen := auth.TokenPrefix + "the-intruders-own-secret"
		tamper(t, db, `UPDATE api_tokens SET token_hash = ? WHERE id = ?`, sha256Hex(chosen), tk.ID)
		if tp, err := f.svc.TokenPrincipal(ctx, chosen); err != nil || tp.TokenID != tk.ID {
			t.Fatalf("the chosen secret does not work, the test tampers with nothing: %+v %v", tp, err)
		}
		wantNamed(t, db, "api_tokens id="+idStr(tk.ID))
		if err := f.svc.Revoke(ctx, p, tk.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("revoking over a tampered row: %v", err)
		}
		wantNamed(t, db, "api_tokens id="+idStr(tk.ID))
	})
}

// TestVerify_O3_roleGrantInStaffRow: roles are granted in staff rows (org,
// audited): a role added behind the application's back is named.
func TestVerify_O3_roleGrantInStaffRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, auth.Config{})
		verifyOK(t, db)
		tamper(t, db, `UPDATE staff SET roles = ? WHERE id = ?`, "window,unit_staff,admin", f.clerk.ID)
		if p, err := f.org.StaffPrincipal(ctx, f.clerk.ID); err != nil || !p.Has(access.RoleAdmin) {
			t.Fatalf("the granted role does not hold, the test tampers with nothing: %+v %v", p, err)
		}
		wantNamed(t, db, "staff id="+idStr(f.clerk.ID))
	})
}

// changedPasswordPrincipal logs the clerk in and changes the initial
// password, so the clerk may create tokens; it returns the session's principal.
func changedPasswordPrincipal(t *testing.T, f *fixture) access.Principal {
	t.Helper()
	ctx := context.Background()
	tok, err := f.svc.Login(ctx, "zhangsan", clerkPassword, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Session(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ChangePassword(ctx, p, clerkPassword, "Lantern-Orchid-58"); err != nil {
		t.Fatal(err)
	}
	if p, err = f.svc.Session(ctx, tok); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpgradeAuditedState_O3_bringsLegacyRowsForward: a database whose
// accounts and tokens were audited before the credential digests (and whose
// tokens have no expiry) verifies after the upgrade, each token gets its 90
// days, and the upgrade runs once. A row changed behind the application's
// back before the upgrade is not laundered: verify still names it, and
// nothing builds on it.
func TestUpgradeAuditedState_O3_bringsLegacyRowsForward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, auth.Config{})
		tampered := secondAccount(t, f)
		p := changedPasswordPrincipal(t, f)
		secret, tk, err := f.svc.CreateToken(ctx, p, "对接系统", []string{"window"}, 30)
		if err != nil {
			t.Fatal(err)
		}
		// What an old database holds: the rows' last events in the old
		// shape, tokens without an expiry.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE api_tokens SET expires_at = 0`); err != nil {
				return err
			}
			for _, id := range []int64{f.clerkAcc.ID, tampered} {
				st, err := auth.LegacyAccountState(ctx, tx, id)
				if err != nil {
					return err
				}
				if err := tx.Emit(store.Event{Actor: "old", Action: "auth.account.old", ObjectType: "account", ObjectID: idStr(id), State: st}); err != nil {
					return err
				}
			}
			st, err := auth.LegacyTokenState(ctx, tx, tk.ID)
			if err != nil {
				return err
			}
			return tx.Emit(store.Event{Actor: "old", Action: "auth.token.old", ObjectType: "api_token", ObjectID: idStr(tk.ID), State: st})
		}); err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/api/v1/whoami", nil)
		r.Header.Set("Authorization", "Bearer "+secret)
		if _, err := f.svc.Principal(r); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Fatalf("a token without an expiry works: %v", err)
		}
		// A row changed before the upgrade, in what the old State covered
		// (a hash changed then cannot be told: the old State had none).
		tamper(t, db, `UPDATE accounts SET must_change_password = FALSE WHERE id = ?`, tampered)

		rep, err := auth.UpgradeAuditedState(ctx, db, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Done || rep.Accounts != 1 || rep.Tokens != 1 || rep.Unchanged != 1 {
			t.Fatalf("upgrade %+v, want 1 account, 1 token and the tampered account left", rep)
		}
		wantNamed(t, db, "accounts id="+idStr(tampered))
		tp, err := f.svc.Principal(r)
		if err != nil {
			t.Fatalf("the upgraded token: %v", err)
		}
		ts, err := f.svc.Tokens(ctx, tp)
		if err != nil || len(ts) != 1 || !ts[0].ExpiresAt.Equal(f.clock.Now().AddDate(0, 0, auth.DefaultTokenDays)) {
			t.Fatalf("tokens %+v %v", ts, err)
		}
		if again, err := auth.UpgradeAuditedState(ctx, db, f.clock.Now()); err != nil || again.Done {
			t.Fatalf("second upgrade: %+v %v", again, err)
		}
		// The tampered account is not built on either.
		if err := f.svc.ResetPassword(ctx, f.districtAdmin, tampered, "Fresh-Start-2027"); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("reset over a tampered row: %v", err)
		}
		wantNamed(t, db, "accounts id="+idStr(tampered))
	})
}
