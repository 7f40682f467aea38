package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestAuth_C9_tamperedRowIsNotLaundered (#11.4, #12.7): an account's
// failures wiped and a token un-revoked directly in the database are named by
// verify, and the next ordinary write to them — a failed login counting
// against the account, a revocation of the token — is refused as built on
// a tampered row (store.ErrTampered, a Conflict), writing no event.
func TestAuth_C9_tamperedRowIsNotLaundered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, auth.Config{})
		p := changedPasswordPrincipal(t, f)
		_, tk, err := f.svc.CreateToken(ctx, p, "对接系统", []string{"window"}, 30)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Revoke(ctx, p, tk.ID); err != nil {
			t.Fatal(err)
		}
		victim := secondAccount(t, f)
		for range 2 {
			if _, err := f.svc.Login(ctx, "admin-b", "wrong-Pass-0000", "10.0.0.9"); err == nil {
				t.Fatal("a wrong password logged in")
			}
		}
		verifyOK(t, db)
		var failures, until int64
		if err := db.QueryRow(ctx, `SELECT failed_logins, locked_until FROM accounts WHERE id = ?`, victim).Scan(&failures, &until); err != nil || failures == 0 {
			t.Fatalf("%d failures counted: %v", failures, err)
		}

		tamper(t, db, `UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE id = ?`, victim)
		wantNamed(t, db, "accounts id="+idStr(victim))
		events := headSize(t, db)
		if _, err := f.svc.Login(ctx, "admin-b", "wrong-Pass-0001", "10.0.0.10"); !tampered(err) {
			t.Fatalf("a failed login on the wiped account: %v", err)
		}
		if n := headSize(t, db); n != events {
			t.Fatalf("the refused write left %d events, %d before", n, events)
		}
		wantNamed(t, db, "accounts id="+idStr(victim))
		tamper(t, db, `UPDATE accounts SET failed_logins = ?, locked_until = ? WHERE id = ?`, failures, until, victim)
		verifyOK(t, db)

		tamper(t, db, `UPDATE api_tokens SET revoked_at = 0 WHERE id = ?`, tk.ID)
		wantNamed(t, db, "api_tokens id="+idStr(tk.ID))
		events = headSize(t, db)
		if err := f.svc.Revoke(ctx, p, tk.ID); !tampered(err) {
			t.Fatalf("revoking the un-revoked token: %v", err)
		}
		if n := headSize(t, db); n != events {
			t.Fatalf("the refused revocation left %d events, %d before", n, events)
		}
		wantNamed(t, db, "api_tokens id="+idStr(tk.ID))
	})
}

// TestAuth_versionsOldRows (#12.7): rows written before accounts and tokens
// had a version (0, their events without one) verify as they are, and
// migrate's AddVersions moves each to version 1 with one event — except a
// row that is not what its last event says, left at 0 for verify to name.
func TestAuth_versionsOldRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db, auth.Config{})
		p := changedPasswordPrincipal(t, f)
		_, tk, err := f.svc.CreateToken(ctx, p, "对接系统", []string{"window"}, 30)
		if err != nil {
			t.Fatal(err)
		}
		other := secondAccount(t, f)
		// What a database from before migration 0520 holds.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			for _, q := range []string{`UPDATE accounts SET version = 0`, `UPDATE api_tokens SET version = 0`} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			for _, o := range []struct {
				typ string
				id  int64
			}{{"account", f.clerkAcc.ID}, {"account", other}, {"api_token", tk.ID}} {
				st, err := auth.CurrentState(ctx, tx, o.typ, o.id)
				if err != nil {
					return err
				}
				if err := tx.Emit(store.Event{Actor: "old", Action: "auth.old", ObjectType: o.typ, ObjectID: idStr(o.id), State: st}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		verifyOK(t, db)
		tamper(t, db, `UPDATE accounts SET failed_logins = 3 WHERE id = ?`, other)
		rep, err := db.AddVersions(ctx, "system", auth.VersionedTables())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Versioned != 2 || len(rep.Refused) != 1 {
			t.Fatalf("versioned %+v, want the clerk's account and the token, the tampered account refused", rep)
		}
		wantNamed(t, db, "accounts id="+idStr(other))
		var v int64
		if err := db.QueryRow(ctx, `SELECT version FROM accounts WHERE id = ?`, f.clerkAcc.ID).Scan(&v); err != nil || v != 1 {
			t.Fatalf("the clerk's account at version %d: %v", v, err)
		}
		// The versioned rows go on as any other: a revocation moves the token on.
		if err := f.svc.Revoke(ctx, p, tk.ID); err != nil {
			t.Fatal(err)
		}
		tamper(t, db, `UPDATE accounts SET failed_logins = 0 WHERE id = ?`, other)
		if again, err := db.AddVersions(ctx, "system", auth.VersionedTables()); err != nil || again.Versioned != 1 {
			t.Fatalf("versioning the restored row: %+v %v", again, err)
		}
		verifyOK(t, db)
	})
}

func tampered(err error) bool {
	return errors.Is(err, store.ErrTampered) && apperr.CodeOf(err) == apperr.Conflict
}

func headSize(t *testing.T, db *store.DB) uint64 {
	t.Helper()
	h, err := db.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h.Size
}
