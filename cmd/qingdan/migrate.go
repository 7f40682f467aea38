package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
)

func init() {
	register(&command{name: "migrate", summary: "qingdan.summary.migrate", run: runMigrate})
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan migrate", flag.ContinueOnError)
	cfg := dbFlags(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{t("qingdan.migrate_takes_no_arguments")}
	}
	db, err := cfg.openAsIs(ctx)
	if err != nil {
		return err
	}
	refused, err := migrate(ctx, db)
	if err != nil {
		return closeAfter(db, err)
	}
	// A migration may empty the derived search index (0491: pinyin); it is
	// refilled here as serve would at start, so verify finds it complete.
	if err := rebuildSearchIfEmpty(ctx, db, slog.New(slog.NewTextHandler(stderr, nil))); err != nil {
		return closeAfter(db, err)
	}
	if err := db.Close(); err != nil {
		return err
	}
	if len(refused) > 0 {
		for _, row := range refused {
			fmt.Fprintln(stderr, t("qingdan.not_versioned", row))
		}
		return errors.New(t("qingdan.rows_differ_from_their_last_audited_event", len(refused)))
	}
	fmt.Fprintln(stdout, "OK: "+t("qingdan.is_up_to_date", cfg.redacted()))
	return nil
}
