package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/qingdan/qingdan/internal/audit"
)

func init() {
	register(&command{name: "checkpoint", summary: "qingdan.summary.checkpoint", run: runCheckpoint})
}

// runCheckpoint writes the latest signed checkpoint (signing a new one if
// the log grew) to --out, in the text form /api/v1/audit/checkpoint
// publishes as its note. A witness keeps it away from this database;
// `qingdan verify --checkpoint FILE` then catches a rollback.
func runCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan checkpoint", flag.ContinueOnError)
	cfg := dbFlags(fs)
	out := fs.String("out", "", t("qingdan.flag.out"))
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 0 || *out == "" {
		return usageError{t("qingdan.usage_qingdan_checkpoint_flags_out_file")}
	}
	db, err := cfg.open(ctx)
	if err != nil {
		return err
	}
	cp, err := db.LatestCheckpoint(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	text, err := cp.MarshalText()
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err := stdout.Write(text)
		return err
	}
	if err := writeFileAtomic(*out, text); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "OK: "+t("qingdan.checkpoint_written_to", cp.Size, *out))
	return nil
}

// writeFileAtomic replaces path with data, synced, so a witness never keeps
// half a checkpoint.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(f.Name()))
	}
	return nil
}

// readCheckpoint reads a witness's checkpoint: the text `qingdan
// checkpoint` writes (the note), or the JSON /api/v1/audit/checkpoint
// answers (its note is parsed; the rest is derived from it).
func readCheckpoint(path string) (audit.Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	if len(b) > 0 && b[0] == '{' {
		var api struct {
			Note string `json:"note"`
		}
		if err := json.Unmarshal(b, &api); err != nil {
			return audit.Checkpoint{}, fmt.Errorf("%s: %w", t("qingdan.checkpoint_file_is_not_valid_json", path), err)
		}
		b = []byte(api.Note)
	}
	cp, err := audit.ParseCheckpoint(b)
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("%s: %w", t("qingdan.checkpoint_file_malformed", path), err)
	}
	return cp, nil
}
