package catdb_test

import (
	"context"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// demoDB loads org's demo and the catalogue demo into db.
func demoDB(t *testing.T, db *store.DB) (*catdb.Service, catdb.DemoResult) {
	t.Helper()
	ctx := context.Background()
	if err := org.LoadDemo(ctx, db, nil); err != nil {
		t.Fatalf("org demo: %v", err)
	}
	s := catdb.New(db)
	res, err := catdb.LoadDemo(ctx, s)
	if err != nil {
		t.Fatalf("catalogue demo: %v", err)
	}
	return s, res
}

func TestDemoLoadsAndVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, res := demoDB(t, db)
		if res.Items < 60 || res.Adjustments != 7 {
			t.Fatalf("demo result %+v", res)
		}
		rep, err := db.Verify(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("verify after demo: %s", rep.Mismatch)
		}
	})
}
