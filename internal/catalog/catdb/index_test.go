package catdb_test

import (
	"testing"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestPublicationIndexesInItsTransaction: with the search hook wired, a
// published adjustment is searchable at once, by its new name and standing.
func TestPublicationIndexesInItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.s.SetIndexer(catsearch.Hook)
		f.at(monday)
		item := f.shared()
		f.publishAtDistrict(catdb.AdjustmentInput{Title: "暂停", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.SuspendItem, BaseCode: item.BaseCode, Name: item.Name, Note: "职能划转期间暂停"}}})
		res, err := catsearch.Search(f.ctx, db, catsearch.Filter{Query: catsearch.Parse(item.BaseCode), BodyID: f.root})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Code != item.BaseCode || res.Hits[0].Standing != string(catalog.Suspended) {
			t.Fatalf("search after suspension: %+v", res.Hits)
		}
	})
}
