package caldb_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/store"
)

// fillClocks adds n running clocks of body to the clocks table in one
// statement per engine (a recursive CTE on SQLite, generate_series on
// PostgreSQL), due of them with a next check at or before until, spread
// over the table (row i gets the slot i·7919 mod n, a permutation), the
// others up to n seconds later. Each has the spec and start event of a
// real licensing decision, so rows have their real size. The indexes
// other than the table's own unique key are dropped first and built again
// after, from their stored definitions (a bulk load's usual order), and
// the table is analysed, as autovacuum would.
func fillClocks(t testing.TB, db *store.DB, body int64, n, due int, until time.Time) {
	t.Helper()
	ctx := context.Background()
	spec, err := json.Marshal(calendar.LicensingDecision)
	if err != nil {
		t.Fatal(err)
	}
	events, err := json.Marshal([]calendar.Event{{Kind: calendar.Start, At: until.Add(-10 * 24 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	const step = int64(time.Second / time.Microsecond)
	base := store.Micros(until) - int64(due)*step + 1 // slot due-1 is at until - step + 1
	var offset int64
	if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM clocks`).Scan(&offset); err != nil {
		t.Fatal(err)
	}
	var series, objectID string
	switch db.Dialect() {
	case store.SQLite:
		series = `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) SELECT `
		objectID = `printf('B-%010d', ? + i)`
	default:
		series = `SELECT `
		objectID = `'B-' || lpad((? + i)::text, 10, '0')`
	}
	from := ` FROM s`
	args := []any{n}
	if db.Dialect() == store.Postgres {
		from = ` FROM generate_series(1, ?::bigint) AS s(i)`
		args = nil
	}
	insert := `INSERT INTO clocks (object_type, object_id, kind, body_id, spec, events, created_at, updated_at, standing, next_check_at, reach_at) ` +
		series + `'case', ` + objectID + `, 'handling', ?, ?, ?, ?, ?, 'running', ? + ((i * 7919) % ?) * ?, ? + ((i * 7919) % ?) * ?` + from
	at := store.Micros(until)
	args = append(args, offset, body, string(spec), string(events), at, at, base, n, step, base+30*24*3600*step, n, step)
	if db.Dialect() == store.Postgres {
		args = append(args, n)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		idx, err := clockIndexes(ctx, tx, db.Dialect())
		if err != nil {
			return err
		}
		for name := range idx {
			if _, err := tx.Exec(ctx, `DROP INDEX `+name); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, insert, args...); err != nil {
			return err
		}
		for _, def := range idx {
			if _, err := tx.Exec(ctx, def); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `ANALYZE clocks`)
		return err
	})
	if err != nil {
		t.Fatalf("fill clocks: %v", err)
	}
}

// clockIndexes are the clocks table's secondary indexes (not the key, nor
// the index of its unique constraint): name → definition.
func clockIndexes(ctx context.Context, tx *store.Tx, d store.Dialect) (map[string]string, error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clocks' AND sql IS NOT NULL`
	if d == store.Postgres {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'clocks'
			AND indexname NOT IN (SELECT conname FROM pg_constraint)`
	}
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		out[name] = def
	}
	return out, rows.Err()
}
