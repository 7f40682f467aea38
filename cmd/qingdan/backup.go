package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/qingdan/qingdan/internal/store"
)

func init() {
	register(&command{name: "backup", summary: "qingdan.summary.backup", run: runBackup})
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan backup", flag.ContinueOnError)
	cfg := dbFlags(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{t("qingdan.usage_qingdan_backup_flags_file_file")}
	}
	file := fs.Arg(0)
	db, err := cfg.open(ctx)
	if err != nil {
		return err
	}
	err = db.Backup(ctx, file)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, store.ErrBackupPostgres) {
		return errors.New(t("qingdan.back_postgresql_up_with_pg_dump", file, cfg.redacted(), file))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "OK: "+t("qingdan.backup_written_to", file))
	return nil
}
