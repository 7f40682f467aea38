package store

import (
	"strings"
	"testing"
)

func TestRebindSkipsLiteralsAndComments(t *testing.T) {
	cases := map[string]string{
		"SELECT 1":     "SELECT 1",
		"SELECT ? , ?": "SELECT $1 , $2",
		"SELECT '?', ? FROM t WHERE a = 'it''s ?'":   "SELECT '?', $1 FROM t WHERE a = 'it''s ?'",
		`SELECT "we?ird" FROM t WHERE x = ?`:         `SELECT "we?ird" FROM t WHERE x = $1`,
		"SELECT ? -- what?\n, ?":                     "SELECT $1 -- what?\n, $2",
		"SELECT /* ? */ ?":                           "SELECT /* ? */ $1",
		"SELECT 'unterminated ?":                     "SELECT 'unterminated ?",
		"INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?)": "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
	}
	for in, want := range cases {
		if got := Rebind(in); got != want {
			t.Errorf("Rebind(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRebind(f *testing.F) {
	f.Add("SELECT ? FROM t WHERE a = '?' AND b = ? -- ?\n/* ? */")
	f.Add(`"?"'?'?`)
	f.Fuzz(func(t *testing.T, q string) {
		r := Rebind(q)
		// Removing the placeholders from both sides must leave the same
		// text: Rebind only ever replaces a ? by $n.
		if !strings.ContainsRune(q, '?') && r != q {
			t.Fatalf("query without ? changed: %q → %q", q, r)
		}
		if strings.Count(r, "?")+strings.Count(r, "$")-strings.Count(q, "$") != strings.Count(q, "?") {
			t.Fatalf("placeholder count changed: %q → %q", q, r)
		}
	})
}
