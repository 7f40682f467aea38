package catdb_test

import (
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestChangedItems_C9_aPublicationNamesExactlyItsItems: readers that keep
// public pages (the portal) learn from the audit log which items a
// publication changed: every item of the demo at first, then exactly the
// items of the next publication, then none; the limit says there are more.
func TestChangedItems_C9_aPublicationNamesExactlyItsItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var items int
		if err := db.QueryRow(f.ctx, `SELECT count(*) FROM catalog_items`).Scan(&items); err != nil {
			t.Fatal(err)
		}
		all, upto, more, err := f.s.ChangedItems(f.ctx, -1, 100_000)
		if err != nil || more || len(all) != items {
			t.Fatalf("since the start: %d ids (more %v, %v), want the %d items", len(all), more, err, items)
		}
		if _, _, more, err := f.s.ChangedItems(f.ctx, -1, items-1); err != nil || !more {
			t.Errorf("limit %d of %d items: more %v (%v)", items-1, items, more, err)
		}
		if ids, again, _, err := f.s.ChangedItems(f.ctx, upto, 100); err != nil || len(ids) != 0 || again != upto {
			t.Fatalf("nothing new: %v up to %d (%v), want none up to %d", ids, again, err, upto)
		}
		item := f.shared()
		f.publishAtDistrict(catdb.AdjustmentInput{Title: "暂停", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.SuspendItem, BaseCode: item.BaseCode, Name: item.Name, Note: "职能划转期间暂停"}}})
		var suspended int64
		if err := db.QueryRow(f.ctx, `SELECT id FROM catalog_items WHERE body_id = ? AND base_code = ?`, f.root, item.BaseCode).Scan(&suspended); err != nil {
			t.Fatal(err)
		}
		ids, next, more, err := f.s.ChangedItems(f.ctx, upto, 100)
		if err != nil || more || !slices.Equal(ids, []int64{suspended}) || next <= upto {
			t.Fatalf("after the suspension: %v up to %d (more %v, %v), want [%d] after %d", ids, next, more, err, suspended, upto)
		}
	})
}
