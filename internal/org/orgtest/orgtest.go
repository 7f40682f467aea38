// Package orgtest loads the demo organisation for other packages' tests:
// every demo person as the principal their session would carry, and the
// demo bodies by code.
package orgtest

import (
	"context"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

// Demo is the demo organisation as loaded.
type Demo struct {
	// People are the demo accounts' principals by login (org.DemoAccounts),
	// with their staff id, body and roles; AccountID is the staff id plus
	// 1000 (no account table is written).
	People map[string]access.Principal
	// Bodies are the demo bodies' ids by code ("330199", the district …).
	Bodies map[string]int64
}

// staffIDs records the staff id of each demo login instead of creating an
// account.
type staffIDs map[string]int64

func (a staffIDs) CreateInitialAccount(_ context.Context, staffID int64, login, _ string, _ bool) error {
	a[login] = staffID
	return nil
}

// Load loads the demo organisation into an empty db.
func Load(t testing.TB, db *store.DB) Demo {
	t.Helper()
	ctx := context.Background()
	ids := staffIDs{}
	if err := org.LoadDemo(ctx, db, ids); err != nil {
		t.Fatal(err)
	}
	orgs := org.NewService(db)
	d := Demo{People: map[string]access.Principal{}, Bodies: map[string]int64{}}
	for login, id := range ids {
		p, err := orgs.StaffPrincipal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p.AccountID, p.Login = id+1000, login
		d.People[login] = p
	}
	bodies, err := orgs.Bodies(ctx, org.System, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		d.Bodies[b.Code] = b.ID
	}
	return d
}
