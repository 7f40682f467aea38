package catsearch

import (
	"context"
	"fmt"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/store"
)

// Hook is catdb's Indexer: the binary wires it with
// catdb.Service.SetIndexer(catsearch.Hook), so every publication updates the
// index in its own transaction.
//
// catdb updates catalog_items (the item's current version) before it inserts
// the versions of one publication, and may insert several versions of one
// item in one call (demo replay): a version older than the item's current
// one is therefore skipped, so the index always holds the current version.
func Hook(ctx context.Context, tx *store.Tx, v catdb.Version) error {
	var current int
	if err := tx.QueryRow(ctx, `SELECT version FROM catalog_items WHERE id = ?`, v.ItemID).Scan(&current); err != nil {
		return fmt.Errorf("catsearch: item %d: %w", v.ItemID, err)
	}
	if v.ItemVersion.Version < current {
		return nil
	}
	st, ok := standingOf(v.Status)
	if !ok {
		return fmt.Errorf("catsearch: version %d has status %q, not a publication", v.ID, v.Status)
	}
	return IndexVersion(ctx, tx, FromVersion(v.BodyID, v.ItemID, v.ID, v.ItemVersion, st, nil))
}

// standingOf is what a newly published version makes of its item (C4, C7).
func standingOf(s catalog.VersionStatus) (catalog.Standing, bool) {
	switch s {
	case catalog.StatusPublished:
		return catalog.Listed, true
	case catalog.StatusSuspended:
		return catalog.Suspended, true
	case catalog.StatusCancelled:
		return catalog.Cancelled, true
	}
	return "", false
}

// rebuildBatch is how many items one Rebuild transaction indexes.
const rebuildBatch = 5000

// Rebuild replaces the whole index with the current version of every
// published item in catalog_items, in batches of rebuildBatch items per
// write. The binary calls it at start when the index is empty but the list
// is not (a database published before the index existed, or restored from
// a backup without it); the benchmark's bulk loader uses it too.
func Rebuild(ctx context.Context, db *store.DB) (int, error) {
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for _, t := range []string{"catsearch_grams", "catsearch_docs", "catsearch_df"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t); err != nil {
				return fmt.Errorf("catsearch: rebuild: %w", err)
			}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	n := 0
	var after int64
	for {
		docs, last, err := currentDocs(ctx, db, after, rebuildBatch)
		if err != nil {
			return n, err
		}
		if len(docs) == 0 {
			return n, nil
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return IndexBatch(ctx, tx, docs) }); err != nil {
			return n, err
		}
		n += len(docs)
		after = last
	}
}

// NeedsRebuild reports whether the list has published items but the index
// has none.
func NeedsRebuild(ctx context.Context, q store.Querier) (bool, error) {
	var items, docs int
	if err := q.QueryRow(ctx, `SELECT (SELECT count(*) FROM (SELECT 1 FROM catalog_items WHERE standing <> 'unknown' LIMIT 1) a),
		(SELECT count(*) FROM (SELECT 1 FROM catsearch_docs LIMIT 1) b)`).Scan(&items, &docs); err != nil {
		return false, fmt.Errorf("catsearch: %w", err)
	}
	return items > 0 && docs == 0, nil
}

// currentDocs reads the docs of up to limit items with id > after, from the
// item rows (name, category, unit and standing of the current version are
// kept there by catdb) joined with their current version's id.
func currentDocs(ctx context.Context, q store.Querier, after int64, limit int) ([]Doc, int64, error) {
	rows, err := q.Query(ctx, `SELECT i.id, i.body_id, v.id, i.base_code, i.name, i.category, i.unit, i.standing
		FROM catalog_items i JOIN catalog_versions v ON v.item_id = i.id AND v.version = i.version
		WHERE i.id > ? AND i.standing <> 'unknown' ORDER BY i.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("catsearch: rebuild: %w", err)
	}
	defer rows.Close()
	var (
		docs []Doc
		last int64
	)
	for rows.Next() {
		var d Doc
		if err := rows.Scan(&d.ItemID, &d.BodyID, &d.VersionID, &d.Code, &d.Name, &d.Category, &d.Unit, &d.Standing); err != nil {
			return nil, 0, fmt.Errorf("catsearch: rebuild: %w", err)
		}
		docs = append(docs, d)
		last = d.ItemID
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("catsearch: rebuild: %w", err)
	}
	return docs, last, nil
}
