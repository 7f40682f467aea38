package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
)

// runQingdan runs the command line args as the binary would, wants exit
// code wantCode, and returns standard output and error.
func runQingdan(t *testing.T, wantCode int, args ...string) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != wantCode {
		t.Fatalf("qingdan %v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, wantCode, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// TestMigrateVerifyBackupCommands drives the three database commands the way
// an operator does: migrate a fresh file, write audited events, verify OK,
// back up (refusing to overwrite), tamper with an event and see verify name it
// and exit 1.
func TestMigrateVerifyBackupCommands(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "qingdan.db")
	flags := []string{"--db", dbPath, "--data-dir", filepath.Join(dir, "data")}
	ctx := context.Background()
	cmd := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		return runQingdan(t, wantCode, args...)
	}
	cmd(0, append([]string{"migrate"}, flags...)...)
	cmd(0, append([]string{"migrate"}, flags...)...)

	db, err := store.Open(ctx, dbPath, store.Options{DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.Emit(store.Event{Actor: "ops", Action: "test.ping", ObjectType: "ping", ObjectID: "1", Payload: []byte{'0' + byte(i)}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.LatestCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	out, _ := cmd(0, append([]string{"verify"}, flags...)...)
	if !strings.HasPrefix(out, "OK: 5 events, root ") {
		t.Fatalf("verify said %q", out)
	}

	backupFile := filepath.Join(dir, "copy.db")
	cmd(0, append(append([]string{"backup"}, flags...), backupFile)...)
	if _, err := os.Stat(backupFile); err != nil {
		t.Fatal(err)
	}
	_, stderr := cmd(1, append(append([]string{"backup"}, flags...), backupFile)...)
	if !strings.Contains(stderr, "already exists") {
		t.Fatalf("second backup: %s", stderr)
	}
	cmd(2, append([]string{"backup"}, flags...)...)

	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE events SET actor = 'someone else' WHERE seq = 3")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, stderr = cmd(1, append([]string{"verify"}, flags...)...)
	if !strings.Contains(stderr, "event #3 (test.ping ping:1): stored content does not match its leaf hash") {
		t.Fatalf("verify of tampered data said %q", stderr)
	}
	// The backup predates the tampering and still verifies.
	out, _ = cmd(0, "verify", "--db", backupFile, "--data-dir", filepath.Join(dir, "data"))
	if !strings.HasPrefix(out, "OK: 5 events") {
		t.Fatalf("backup verify said %q", out)
	}
}
