package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
)

// TestVerify_C9_editedSearchRowsAreNamed (issue #11 item 4): `qingdan
// verify` recomputes the public search index from the audited list, so a
// search row edited in the database (the public would see a fee the
// published version does not have) fails verification with the row named.
func TestVerify_C9_editedSearchRowsAreNamed(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole demo")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "qingdan.db")
	flags := []string{"--db", dbPath, "--data-dir", filepath.Join(dir, "data")}
	ctx := context.Background()
	runQingdan(t, 0, append([]string{"demo"}, flags...)...)
	if out, _ := runQingdan(t, 0, append([]string{"verify"}, flags...)...); !strings.Contains(out, "items in the search index") {
		t.Fatalf("verify: %s", out)
	}
	db, err := store.Open(ctx, dbPath, store.Options{DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE catsearch_docs SET name = name || '(收费100元)' WHERE item_id = (SELECT MIN(item_id) FROM catsearch_docs)`)
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	_, stderr := runQingdan(t, 1, append([]string{"verify"}, flags...)...)
	if !strings.Contains(stderr, "catsearch_docs item_id=") || !strings.Contains(stderr, "name") || !strings.Contains(stderr, "收费100元") {
		t.Errorf("verify after editing a search row: %s", stderr)
	}
}
