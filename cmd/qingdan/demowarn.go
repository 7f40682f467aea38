package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web"
)

// demoCheck warns when a production database (PostgreSQL) still has demo
// accounts that can log in: their password is published (docs/demo.md), and
// --demo, on by default, loads them into an empty database. It warns in
// the log at start and in a banner on every administrator's page, until
// the accounts are switched off.
type demoCheck struct {
	accounts   *auth.Service
	production bool
	log        *slog.Logger

	mu      sync.Mutex
	checked time.Time
	active  []string
}

// demoRecheck is how long a check's answer stands for the banners.
const demoRecheck = time.Minute

func newDemoCheck(accounts *auth.Service, production bool, log *slog.Logger) *demoCheck {
	return &demoCheck{accounts: accounts, production: production, log: log}
}

// activeDemo returns the demo logins still active, checked at most once
// per demoRecheck.
func (d *demoCheck) activeDemo(ctx context.Context) ([]string, error) {
	if !d.production {
		return nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.checked.IsZero() && time.Since(d.checked) < demoRecheck {
		return d.active, nil
	}
	var logins []string
	for _, a := range org.DemoAccounts() {
		logins = append(logins, a.Login)
	}
	active, err := d.accounts.ActiveLogins(ctx, logins)
	if err != nil {
		return nil, err
	}
	d.active, d.checked = active, time.Now()
	return active, nil
}

func (d *demoCheck) warnAtStart(ctx context.Context) error {
	active, err := d.activeDemo(ctx)
	if err != nil || len(active) == 0 {
		return err
	}
	d.log.Warn("demo accounts with the published password can log in to this production database; switch them off (or start with --demo=false on a new database)",
		"accounts", strings.Join(active, ","))
	return nil
}

// notices is the banner for administrators (any of the three duties).
func (d *demoCheck) notices(ctx context.Context, p access.Principal, lang string) []web.Notice {
	if !p.HasAny(access.RoleAdmin, access.RoleSecurityAdmin, access.RoleAuditAdmin) {
		return nil
	}
	active, err := d.activeDemo(ctx)
	if err != nil {
		d.log.Error("checking for demo accounts", "err", err)
		return nil
	}
	if len(active) == 0 {
		return nil
	}
	sep := "、"
	if lang == "en" {
		sep = ", "
	}
	return []web.Notice{{Text: msg.Text(lang, "qingdan.demo_accounts_still_active", strings.Join(active, sep))}}
}
