package catxlsx_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// storeFixture is org's and the catalogue's demo in a real store, with the
// street whose list the tests import into and its list liaison.
type storeFixture struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	svc     *catxlsx.Service
	cat     *catdb.Service
	street  int64
	liaison access.Principal
	head    access.Principal // of the liaison's unit
}

func newStoreFixture(t *testing.T, db *store.DB) *storeFixture {
	t.Helper()
	ctx := context.Background()
	if err := org.LoadDemo(ctx, db, nil); err != nil {
		t.Fatalf("org demo: %v", err)
	}
	cat := catdb.New(db)
	if _, err := catdb.LoadDemo(ctx, cat); err != nil {
		t.Fatalf("catalogue demo: %v", err)
	}
	monday := time.Date(2026, 11, 2, 10, 0, 0, 0, catxlsx.Zone)
	cat.SetNow(func() time.Time { return monday })
	svc := catxlsx.NewService(cat)
	svc.SetNow(func() time.Time { return monday })
	f := &storeFixture{t: t, ctx: ctx, db: db, svc: svc, cat: cat}
	if err := db.QueryRow(ctx, `SELECT id FROM bodies WHERE code = ?`, "330199001").Scan(&f.street); err != nil {
		t.Fatal(err)
	}
	f.liaison = f.who("邓雪")
	f.head = f.who("许明")
	return f
}

// who is a demo staff member as a principal.
func (f *storeFixture) who(name string) access.Principal {
	f.t.Helper()
	var staff int64
	if err := f.db.QueryRow(f.ctx, `SELECT id FROM staff WHERE name = ?`, name).Scan(&staff); err != nil {
		f.t.Fatal(err)
	}
	p, err := org.NewService(f.db).StaffPrincipal(f.ctx, staff)
	if err != nil {
		f.t.Fatal(err)
	}
	p.Login, p.AccountID = name, staff
	return p
}

func (f *storeFixture) count(q string) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRow(f.ctx, q).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *storeFixture) export() []byte {
	f.t.Helper()
	var buf bytes.Buffer
	if err := f.svc.Export(f.ctx, f.street, &buf); err != nil {
		f.t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *storeFixture) edit(b []byte, sheet, cell, value string) []byte {
	f.t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		f.t.Fatal(err)
	}
	if err := x.SetCellStr(sheet, cell, value); err != nil {
		f.t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := x.WriteTo(&out); err != nil {
		f.t.Fatal(err)
	}
	return out.Bytes()
}

// importFile runs the whole import: parse, then create the draft.
func (f *storeFixture) importFile(b []byte) (*catdb.Adjustment, *catxlsx.Preview, error) {
	book, err := catxlsx.ParseBook(bytes.NewReader(b), int64(len(b)), nil)
	if err != nil {
		return nil, nil, err
	}
	return f.svc.CreateDraft(f.ctx, f.liaison, f.street, book, catxlsx.DraftInput{})
}

// TestImportRoundTripThroughStore (issue #4): export a stored list, import
// it unchanged → a draft adjustment with no differences, which says so and
// cannot be submitted (signing is refused naming the reason; it can be
// withdrawn); change one cell → a draft adjustment (never published) with
// exactly that difference.
func TestImportRoundTripThroughStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newStoreFixture(t, db)
		adjs, events := f.count(`SELECT COUNT(*) FROM catalog_adjustments`), f.count(`SELECT COUNT(*) FROM events`)
		b := f.export()
		adj, pv, err := f.importFile(b)
		if err != nil || adj == nil || len(pv.Changes) != 0 || len(pv.Proposal) != 0 {
			t.Fatalf("unchanged import: %v %+v %v", adj, pv, err)
		}
		if len(adj.Changes) != 0 || !adj.Imported || adj.Stage != catalog.StageDrafting || !strings.Contains(adj.Title, "无差异") {
			t.Fatalf("unchanged import's draft: %+v", adj.Adjustment)
		}
		if n := f.count(`SELECT COUNT(*) FROM catalog_adjustments`); n != adjs+1 {
			t.Fatalf("unchanged import: adjustments %d → %d", adjs, n)
		}
		// Nothing to submit: the head may not sign it, and is not offered to.
		allowed, err := f.cat.Allowed(f.ctx, f.head, adj.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range allowed {
			if a.Kind == catalog.ActSign {
				t.Errorf("signing an empty draft is offered: %v", allowed)
			}
		}
		_, err = f.cat.Act(f.ctx, f.head, adj.ID, 0, catalog.Action{Kind: catalog.ActSign})
		if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Field != "changes" ||
			!strings.Contains(e.Message("zh"), "不含任何变更") || !strings.Contains(e.Message("en"), "no changes") {
			t.Fatalf("signing an empty draft: %v", err)
		}
		if got, err := f.cat.Act(f.ctx, f.liaison, adj.ID, 0, catalog.Action{Kind: catalog.ActWithdraw}); err != nil || got.Stage != catalog.StageWithdrawn {
			t.Fatalf("withdrawing the empty draft: %v %v", got.Stage, err)
		}
		adjs++

		hours := cellOf(t, b, catxlsx.ItemsSheet, "hours", 3)
		adj, pv, err = f.importFile(f.edit(b, catxlsx.ItemsSheet, hours, "周一至周五 8:30-12:00、14:00-17:30(周六上午延时服务)"))
		if err != nil {
			t.Fatalf("one-cell import: %v", err)
		}
		if len(pv.Changes) != 1 || strings.Join(pv.Changes[0].Paths, ",") != "hours" {
			t.Fatalf("preview %+v", pv.Changes)
		}
		if adj == nil || adj.Stage != catalog.StageDrafting || len(adj.Changes) != 1 ||
			adj.Changes[0].Kind != catalog.ChangeItem || adj.Reason != catalog.OperatingExperience {
			t.Fatalf("adjustment %+v", adj)
		}
		if n := f.count(`SELECT COUNT(*) FROM catalog_adjustments`); n != adjs+1 {
			t.Fatalf("adjustments %d → %d", adjs, n)
		}
		if n := f.count(`SELECT COUNT(*) FROM events`); n <= events {
			t.Fatal("creating the draft emitted no event")
		}
		// Nothing was published: the list is what it was.
		cur, err := f.svc.Current(f.ctx, f.street)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := catxlsx.Parse(bytes.NewReader(b), -1, nil); len(catxlsx.Diff(cur, got)) != 0 {
			t.Fatal("the import changed the published list")
		}
	})
}

// TestBadImportChangesNothing: a bad file, and a good file a non-liaison
// imports, store no adjustment and no event.
func TestBadImportChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newStoreFixture(t, db)
		adjs, events := f.count(`SELECT COUNT(*) FROM catalog_adjustments`), f.count(`SELECT COUNT(*) FROM events`)
		b := f.export()
		cat := cellOf(t, b, catxlsx.ItemsSheet, "category", 4)
		for name, file := range map[string][]byte{
			"bad category": f.edit(b, catxlsx.ItemsSheet, cat, "行政审批"),
			"bad date":     f.edit(b, catxlsx.ItemsSheet, cellOf(t, b, catxlsx.ItemsSheet, "valid_from", 3), "明天"),
			"junk":         bytes.Repeat([]byte{0x5a}, 10<<20),
			"other body":   f.edit(b, catxlsx.ItemsSheet, cellOf(t, b, catxlsx.ItemsSheet, "body.credit_code", 3), "11410199005101054P"),
		} {
			adj, _, err := f.importFile(file)
			var l apperr.List
			if adj != nil || !errors.As(err, &l) {
				t.Errorf("%s: want a list of errors, got %v %v", name, adj, err)
			}
		}
		// The same liaison rule as the procedure: a head is not a liaison.
		hours := cellOf(t, b, catxlsx.ItemsSheet, "hours", 3)
		book, err := catxlsx.ParseBook(bytes.NewReader(f.edit(b, catxlsx.ItemsSheet, hours, "全天")), -1, nil)
		if err != nil {
			t.Fatal(err)
		}
		other := f.liaison
		other.Roles = []access.Role{access.RoleGeneralOffice}
		if _, _, err := f.svc.CreateDraft(f.ctx, other, f.street, book, catxlsx.DraftInput{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("general office creating a draft: %v", err)
		}
		if a, e := f.count(`SELECT COUNT(*) FROM catalog_adjustments`), f.count(`SELECT COUNT(*) FROM events`); a != adjs || e != events {
			t.Fatalf("refused imports wrote: adjustments %d → %d, events %d → %d", adjs, a, events, e)
		}
	})
}

// cellOf is the cell of an item-sheet column by its English key (row 2).
func cellOf(t *testing.T, b []byte, sheet, key string, row int) string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for c, k := range rows[1] {
		if k == key {
			n, err := excelize.CoordinatesToCellName(c+1, row)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no column %s", key)
	return ""
}
