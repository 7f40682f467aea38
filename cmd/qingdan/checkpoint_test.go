package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
)

// TestVerifyCheckpoint_C9_rollbackAgainstWitnessIsCaught (#11.4): a
// witness saves a signed checkpoint with `qingdan checkpoint`; an intact
// database, grown since, passes `verify --checkpoint`; an older copy of the
// database (an SQLite backup, restored) verifies on its own — it is
// consistent in itself — but fails against the witness's checkpoint, named
// as a rollback; and once the restored copy has been written to past the
// checkpoint's size, it is named as not extending it. The checkpoint as the
// API publishes it (JSON) is accepted too.
func TestVerifyCheckpoint_C9_rollbackAgainstWitnessIsCaught(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	dbPath := filepath.Join(data, "qingdan.db")
	flags := []string{"--db", dbPath, "--data-dir", data}
	ctx := context.Background()
	cmd := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		return runQingdan(t, wantCode, args...)
	}
	cmd(0, append([]string{"migrate"}, flags...)...)
	ping := func(path string, n int) {
		t.Helper()
		db, err := store.Open(ctx, path, store.Options{DataDir: data})
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			err := db.Write(ctx, func(tx *store.Tx) error {
				return tx.Emit(store.Event{Actor: "ops", Action: "test.ping", ObjectType: "ping", ObjectID: "1", Payload: []byte{'0' + byte(i)}})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ping(dbPath, 5)
	older := filepath.Join(dir, "older.db")
	cmd(0, append(append([]string{"backup"}, flags...), older)...)
	ping(dbPath, 3)
	witness := filepath.Join(dir, "witness", "checkpoint.txt")
	if err := os.MkdirAll(filepath.Dir(witness), 0o700); err != nil {
		t.Fatal(err)
	}
	out, _ := cmd(0, append([]string{"checkpoint", "--out", witness}, flags...)...)
	if !strings.Contains(out, "checkpoint of 8 events") {
		t.Fatalf("checkpoint said %q", out)
	}
	ping(dbPath, 2)

	out, _ = cmd(0, append([]string{"verify", "--checkpoint", witness}, flags...)...)
	if !strings.HasPrefix(out, "OK: 10 events") || !strings.Contains(out, "extends the witness's checkpoint of 8 events") {
		t.Fatalf("verify of the intact database said %q", out)
	}

	restored := []string{"--db", older, "--data-dir", data}
	if out, _ := cmd(0, append([]string{"verify"}, restored...)...); !strings.HasPrefix(out, "OK: 5 events") {
		t.Fatalf("the older copy alone: %q", out)
	}
	_, stderr := cmd(1, append([]string{"verify", "--checkpoint", witness}, restored...)...)
	for _, want := range []string{"数据库已回退", "the database was rolled back", "saw 8 events, the log now has 5"} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("verify of the rolled-back copy said %q, want %q", stderr, want)
		}
	}

	// The checkpoint as /api/v1/audit/checkpoint answers it.
	note, err := os.ReadFile(witness)
	if err != nil {
		t.Fatal(err)
	}
	apiJSON, err := json.Marshal(map[string]any{"size": 8, "note": string(note)})
	if err != nil {
		t.Fatal(err)
	}
	apiFile := filepath.Join(dir, "witness", "checkpoint.json")
	if err := os.WriteFile(apiFile, apiJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd(0, append([]string{"verify", "--checkpoint", apiFile}, flags...)...)

	// Written anew past the checkpoint's size: still not the witnessed log.
	ping(older, 4)
	_, stderr = cmd(1, append([]string{"verify", "--checkpoint", witness}, restored...)...)
	if !strings.Contains(stderr, "the log does not extend the witness's checkpoint (size 8)") || !strings.Contains(stderr, "日志不是见证检查点") {
		t.Fatalf("verify of the rewritten copy said %q", stderr)
	}

	// A checkpoint of another log (another key) is named as such.
	otherData := filepath.Join(dir, "other")
	otherDB := filepath.Join(otherData, "qingdan.db")
	cmd(0, "migrate", "--db", otherDB, "--data-dir", otherData)
	foreign := filepath.Join(dir, "witness", "foreign.txt")
	cmd(0, "checkpoint", "--out", foreign, "--db", otherDB, "--data-dir", otherData)
	_, stderr = cmd(1, append([]string{"verify", "--checkpoint", foreign}, flags...)...)
	if !strings.Contains(stderr, "is not signed with this log's key") {
		t.Fatalf("verify against a foreign checkpoint said %q", stderr)
	}
	_, stderr = cmd(2, append([]string{"checkpoint"}, flags...)...)
	if !strings.Contains(stderr, "--out") {
		t.Fatalf("checkpoint without --out said %q", stderr)
	}
}
