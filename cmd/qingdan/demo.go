package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

func init() {
	register(&command{name: "demo", summary: "qingdan.summary.demo", run: runDemo})
}

// runDemo migrates the database, loads the demo district (docs/demo.md) with
// its login accounts, and lists the accounts. A demo load that was
// interrupted is completed; a database that already holds the whole demo or
// another organisation is left alone and the command fails.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan demo", flag.ContinueOnError)
	cfg := dbFlags(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{t("qingdan.demo_takes_no_arguments")}
	}
	db, err := cfg.openMigrated(ctx)
	if err != nil {
		return err
	}
	orgs := org.NewService(db)
	accounts := auth.NewService(db, orgs, auth.Config{})
	// The catalogue demo list goes onto the demo district, replayed through
	// the catalogue service so its publications and steps are audited events.
	loaded, err := loadDemo(ctx, db, accounts)
	if err == nil && !loaded {
		err = errors.New(t("qingdan.already_holds_an_organisation", cfg.redacted()))
	}
	if err != nil {
		return closeAfter(db, err)
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "OK: "+t("qingdan.demo_loaded_into", cfg.redacted()))
	writeDemoAccounts(stdout)
	return nil
}

// writeDemoAccounts lists the demo logins as a table (docs/demo.md has the
// same list).
func writeDemoAccounts(w io.Writer) {
	fmt.Fprintf(w, "\n%s\n\n", t("qingdan.demo_accounts_password_2", org.DemoPassword))
	fmt.Fprintf(w, "  %-16s %-6s %-10s %-16s %s\n", t("qingdan.demo.login"), t("qingdan.demo.name"), t("qingdan.demo.body"), t("qingdan.demo.unit"), t("qingdan.demo.roles"))
	for _, a := range org.DemoAccounts() {
		roles := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			roles[i] = string(r)
		}
		unit := a.Unit
		if unit == "" {
			unit = "—"
		}
		fmt.Fprintf(w, "  %-16s %-6s %-10s %-16s %s\n", a.Login, a.Name, a.Body, unit, strings.Join(roles, ","))
	}
}

// newCatalogue is the catalogue service as the binary wires it: deadlines
// (C6) counted by each body's stored calendar, and every publication indexed
// for the portal's search in its own transaction. serve hands it to
// catweb.Routes (the API and staff pages) and the portal.
func newCatalogue(db *store.DB, cals *caldb.Service) *catdb.Service {
	cat := catdb.New(db)
	cat.SetCalendars(cals)
	cat.SetIndexer(catsearch.Hook)
	return cat
}
