package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// runReplay is `qingdan simulate --replay FROM TO --rules FILE [--body
// CODE]` (issue #16 item 9): the stored cases registered from FROM to TO
// (dates, TO included) re-judged under the rule file put in place of the
// body's own set (the root body's unless --body names one), read-only;
// the cards added, removed and moved per unit as JSON on stdout.
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := usageError{t("qingdan.usage_qingdan_simulate_replay_from_to")}
	if len(args) < 2 {
		return usage
	}
	fromDate, err := calendar.ParseDate("from", args[0])
	if err != nil {
		return err
	}
	toDate, err := calendar.ParseDate("to", args[1])
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("qingdan simulate --replay", flag.ContinueOnError)
	cfg := dbFlags(fs)
	rules := fs.String("rules", "", t("qingdan.flag.rules"))
	body := fs.String("body", "", t("qingdan.flag.body_3"))
	if err := parseFlags(fs, args[2:], stderr); err != nil {
		return err
	}
	if *rules == "" || fs.NArg() != 0 {
		return usage
	}
	file, err := os.ReadFile(*rules)
	if err != nil {
		return fmt.Errorf("%s: %w", t("qingdan.cannot_read_the_rule_file"), err)
	}
	db, err := cfg.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	cals := caldb.New(db)
	cases := caseworkdb.New(db, cals, caseworkdb.CatalogItems{Cat: newCatalogue(db, cals)}, caseworkdb.Options{})
	sup := supervisedb.New(cases, caldb.NewClocks(db, cals), supervisedb.Options{})
	var b org.Body
	if *body == "" {
		if b.Path, err = org.TopPath(ctx, db); err == nil {
			// Several roots ("/"): no body of its own, the proposal goes first.
			if qerr := db.QueryRow(ctx, `SELECT id FROM bodies WHERE path = ?`, b.Path).Scan(&b.ID); qerr != nil && !errors.Is(qerr, sql.ErrNoRows) {
				err = qerr
			}
		}
	} else {
		b, err = org.NewService(db).BodyByCode(ctx, org.System, *body)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", t("qingdan.replay_body", *body), err)
	}
	// The replay reads for the body as its supervision office would.
	p := access.Principal{Login: "system", Name: "系统", BodyID: b.ID, BodyPath: b.Path, Roles: []access.Role{access.RoleSupervisor}}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	r, err := sup.Replay(ctx, p, fromDate.Start(loc), toDate.End(loc), file)
	if err != nil {
		var list apperr.List
		if errors.As(err, &list) || apperr.CodeOf(err) == apperr.Invalid {
			for _, e := range flattenErrors(err) {
				fmt.Fprintf(stderr, "%s: %s / %s\n", e.Field, e.Message("zh"), e.Message("en"))
			}
			return errors.New(t("qingdan.the_rule_file_has_mistakes"))
		}
		return err
	}
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(out, '\n'))
	return err
}
