package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func init() {
	register(&command{name: "migrate", summary: "apply database migrations / 迁移数据库", run: runMigrate})
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan migrate", flag.ContinueOnError)
	cfg := dbFlags(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{"migrate takes no arguments / 不接受参数"}
	}
	db, err := cfg.openMigrated(ctx)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OK: %s is up to date / 数据库已是最新\n", cfg.redacted())
	return nil
}
