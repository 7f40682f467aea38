package main

import (
	"context"
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
			fmt.Fprintf(stderr, "未加版本号 / not versioned: %s\n", row)
		}
		return fmt.Errorf("%d 行与其最后一条审计事件不符，未加版本号；请运行 qingdan verify 并调查 / "+
			"%d rows differ from their last audited event and were not versioned; run qingdan verify and investigate", len(refused), len(refused))
	}
	fmt.Fprintf(stdout, "OK: %s is up to date / 数据库已是最新\n", cfg.redacted())
	return nil
}
