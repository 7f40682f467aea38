package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	_ "gocloud.dev/blob/fileblob" // file:// buckets, the default

	"github.com/qingdan/qingdan/internal/attach/attachdb"
	"github.com/qingdan/qingdan/internal/store"
)

// openAttachments opens the attachments' bucket (--attach-url, by default
// the directory attachments under the data directory) and the scanner
// (--scan-command) and returns the service over them (app.close closes the
// bucket).
func openAttachments(ctx context.Context, cfg *serveConfig, db *store.DB, now func() time.Time) (*attachdb.Service, error) {
	u := cfg.attachURL
	if u == "" {
		dir, err := filepath.Abs(filepath.Join(cfg.db.DataDir, "attachments"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t("qingdan.the_attachments_directory"), err)
		}
		u = attachdb.DefaultURL(dir)
	}
	bucket, err := attachdb.OpenBucket(ctx, u)
	if err != nil {
		return nil, err
	}
	o := attachdb.Options{Now: now}
	sc, err := attachdb.ParseCommand(cfg.scanCommand)
	if err != nil {
		return nil, closeAfterBucket(bucket, usageError{"--scan-command: " + err.Error()})
	}
	if sc != nil {
		o.Scanner = sc
	}
	return attachdb.New(db, bucket, o), nil
}

func closeAfterBucket(b interface{ Close() error }, err error) error {
	if cerr := b.Close(); cerr != nil {
		return fmt.Errorf("%w (closing the bucket: %v)", err, cerr)
	}
	return err
}
