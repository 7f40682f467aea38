package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/qingdan/qingdan/internal/audit"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/document/documentdb"

	// Every package that registers audited state tables (store.RegisterAudited)
	// is linked here, so verify compares all of them whatever else the binary
	// wires up.
	_ "github.com/qingdan/qingdan/internal/auth"
	_ "github.com/qingdan/qingdan/internal/calendar/caldb"
	_ "github.com/qingdan/qingdan/internal/catalog/catdb"
	_ "github.com/qingdan/qingdan/internal/org"
)

func init() {
	register(&command{name: "verify", summary: "qingdan.summary.verify", run: runVerify})
}

// progressEvery is how often a long verification reports on stderr.
const progressEvery = 2 * time.Second

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan verify", flag.ContinueOnError)
	cfg := dbFlags(fs)
	witness := fs.String("checkpoint", "", t("qingdan.flag.checkpoint"))
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{t("qingdan.verify_takes_no_arguments")}
	}
	var cp audit.Checkpoint
	if *witness != "" {
		var err error
		if cp, err = readCheckpoint(*witness); err != nil {
			return err
		}
	}
	db, err := cfg.open(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	last := start
	printed := false
	rep, err := db.Verify(ctx, func(done, total int64) {
		if now := time.Now(); now.Sub(last) >= progressEvery {
			last = now
			printed = true
			fmt.Fprintf(stderr, "verify: %d/%d events (%.0f%%), %s\n", done, total, 100*float64(done)/float64(max(total, 1)),
				now.Sub(start).Round(time.Second))
		}
	})
	if printed {
		fmt.Fprintf(stderr, "verify: done in %s\n", time.Since(start).Round(time.Millisecond))
	}
	witnessed := ""
	if err == nil && rep.OK() && *witness != "" {
		witnessed, err = db.CheckWitness(ctx, cp)
	}
	// The public search index is derived from the audited list: once the
	// list is verified, the index is recomputed from it and compared.
	var index string
	var indexed int
	if err == nil && rep.OK() {
		index, indexed, err = catsearch.Verify(ctx, db)
	}
	// Document numbers run without gaps per body, kind and year (H4).
	var gaps map[string][]int64
	if err == nil && rep.OK() {
		gaps, err = documentdb.New(db, documentdb.Options{}).Gaps(ctx)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return errors.New(t("qingdan.verification_failed", rep.Mismatch))
	}
	if witnessed != "" {
		return errors.New(t("qingdan.verification_failed", witnessed))
	}
	if len(gaps) > 0 {
		return errors.New(t("qingdan.verification_failed_document_numbers_missing", gaps))
	}
	if index != "" {
		return errors.New(t("qingdan.verification_failed_search_index", index))
	}
	fmt.Fprintf(stdout, "OK: %d events, root %s (%d nodes, %d checkpoints, %d state rows, %d items in the search index)\n",
		rep.Events, base64.StdEncoding.EncodeToString(rep.Root[:]), rep.Nodes, rep.Checkpoints, rep.Rows, indexed)
	if *witness != "" {
		fmt.Fprintln(stdout, "OK: "+t("qingdan.the_log_extends_the_witness_s_checkpoint", cp.Size))
	}
	return nil
}
