package catdb_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestCatalog_C9_tamperedRowIsNotLaundered (#11.4, #12.7): an adjustment,
// an item, a published version, a review task or a reform seat changed
// directly in the database is named by verify, and the next ordinary write
// to it — an edit, the publication that moves the item on, completing the
// review, leaving the group — is refused as built on a tampered row
// (store.ErrTampered, a Conflict), writing no event; put back, the same
// write goes through.
func TestCatalog_C9_tamperedRowIsNotLaundered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.at(monday)
		item := f.shared()
		code := item.BaseCode

		// A draft of the street's liaison.
		liaison := f.who("邓雪")
		draft := item.ItemVersion.Clone()
		draft.ValidFrom = time.Time{}
		draft.Hours += "(周六延时)"
		in := catdb.AdjustmentInput{Title: "调整办理时间", Reason: catalog.OperatingExperience, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: code, Draft: &draft}}}
		a := f.must(f.s.CreateAdjustment(f.ctx, liaison, in))
		tamperCase(t, f, "catalog_adjustments", a.ID, "title", "'被改的标题'", func() error {
			_, err := f.s.UpdateAdjustment(f.ctx, liaison, a.ID, a.Version, in)
			return err
		})

		// The district's item and its current version, moved on by a
		// publication that suspends it.
		upper, err := f.s.PublishedList(f.ctx, f.root, catdb.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(upper, func(v catdb.Version) bool { return v.BaseCode == code })
		if i < 0 {
			t.Fatalf("%s is not on the district's list", code)
		}
		susp := f.approvedAtDistrict(catdb.AdjustmentInput{Title: "暂停", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.SuspendItem, BaseCode: code, Name: item.Name, Note: "职能划转期间暂停"}}})
		publish := func() error {
			_, err := f.act(f.who("周文"), susp.ID, catalog.ActPublish, "", "")
			return err
		}
		tamperCase(t, f, "catalog_items", upper[i].ItemID, "name", "'被改的名称'", nil)
		tamperCase(t, f, "catalog_versions", upper[i].ID, "content_hash", "'0000'", nil)
		tamperWrite(t, f, "catalog_items", upper[i].ItemID, "name", "'被改的名称'", publish)
		tamperWrite(t, f, "catalog_versions", upper[i].ID, "content_hash", "'0000'", publish)
		if err := publish(); err != nil {
			t.Fatalf("the publication once the rows are put back: %v", err)
		}

		// The review task the publication opened at the street.
		revs, err := f.s.Reviews(f.ctx, liaison, catdb.ReviewFilter{BodyID: f.street, OpenOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		j := slices.IndexFunc(revs, func(r catdb.Review) bool { return r.BaseCode == code })
		if j < 0 {
			t.Fatalf("no review for %s in %+v", code, revs)
		}
		tamperCase(t, f, "catalog_reviews", revs[j].ID, "due", "1", func() error {
			_, err := f.s.CompleteReview(f.ctx, liaison, revs[j].ID, "无需调整")
			return err
		})

		// A seat in a reform review group.
		office := f.who("许明")
		seats, err := f.s.ReformSeats(f.ctx, org.System, office.StaffID)
		if err != nil {
			t.Fatal(err)
		}
		seats, err = f.s.SetReformGroups(f.ctx, org.System, office.StaffID, seats.Version, []catalog.ReformGroup{catalog.PowerListGroup})
		if err != nil {
			t.Fatal(err)
		}
		var seat int64
		if err := db.QueryRow(f.ctx, `SELECT id FROM catalog_reform_members WHERE staff_id = ?`, office.StaffID).Scan(&seat); err != nil {
			t.Fatal(err)
		}
		tamperCase(t, f, "catalog_reform_members", seat, "created_at", "1", func() error {
			_, err := f.s.SetReformGroups(f.ctx, org.System, office.StaffID, seats.Version, nil)
			return err
		})
		verifyOK(t, db)
	})
}

// tamperCase sets column of the row to value behind the service's back
// and wants verify to name the row; with write, it wants write refused
// and the row still named, then puts the row back and wants write to go
// through. Without write the row is put back at once.
func tamperCase(t *testing.T, f *fixture, table string, id int64, column, value string, write func() error) {
	t.Helper()
	if write == nil {
		was := tamper(t, f, table, id, column, value)
		restore(t, f, table, id, column, was)
		return
	}
	tamperWrite(t, f, table, id, column, value, write)
	if err := write(); err != nil {
		t.Fatalf("%s id=%d: the write once the row is put back: %v", table, id, err)
	}
}

// tamperWrite tampers, wants write refused without an event, and puts the
// row back.
func tamperWrite(t *testing.T, f *fixture, table string, id int64, column, value string, write func() error) {
	t.Helper()
	was := tamper(t, f, table, id, column, value)
	events := head(t, f)
	err := write()
	if !errors.Is(err, store.ErrTampered) || apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("%s id=%d: a write on the tampered row: %v", table, id, err)
	}
	if n := head(t, f); n != events {
		t.Fatalf("%s id=%d: the refused write left %d events, %d before", table, id, n, events)
	}
	wantNamed(t, f, table, id)
	restore(t, f, table, id, column, was)
}

// tamper changes the column, wants verify to name the row and returns the
// column's value before.
func tamper(t *testing.T, f *fixture, table string, id int64, column, value string) string {
	t.Helper()
	var was string
	if err := f.db.QueryRow(f.ctx, "SELECT CAST("+column+" AS TEXT) FROM "+table+" WHERE id = ?", id).Scan(&was); err != nil {
		t.Fatal(err)
	}
	exec(t, f, "UPDATE "+table+" SET "+column+" = "+value+" WHERE id = ?", id)
	wantNamed(t, f, table, id)
	return was
}

func restore(t *testing.T, f *fixture, table string, id int64, column, was string) {
	t.Helper()
	var v any = was
	if n, err := strconv.ParseInt(was, 10, 64); err == nil && (column == "due" || column == "created_at") {
		v = n
	}
	exec(t, f, "UPDATE "+table+" SET "+column+" = ? WHERE id = ?", v, id)
	verifyOK(t, f.db)
}

func exec(t *testing.T, f *fixture, query string, args ...any) {
	t.Helper()
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(f.ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func wantNamed(t *testing.T, f *fixture, table string, id int64) {
	t.Helper()
	rep, err := f.db.Verify(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	row := table + " id=" + strconv.FormatInt(id, 10) + ":"
	if rep.OK() || !strings.HasPrefix(rep.Mismatch, row) {
		t.Fatalf("verify: %q, want it to name %s", rep.Mismatch, row)
	}
}

func head(t *testing.T, f *fixture) uint64 {
	t.Helper()
	h, err := f.db.Head(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return h.Size
}

// approvedAtDistrict runs a district adjustment through every step but
// the publication (publishAtDistrict's steps).
func (f *fixture) approvedAtDistrict(in catdb.AdjustmentInput) catdb.Adjustment {
	f.t.Helper()
	liaison, head := f.who("何静"), f.who("马骏")
	office, reform := f.who("周文"), f.who("孙建国")
	seats, err := f.s.ReformSeats(f.ctx, org.System, reform.StaffID)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.s.SetReformGroups(f.ctx, org.System, reform.StaffID, seats.Version, []catalog.ReformGroup{catalog.PowerListGroup, catalog.DutyListGroup}); err != nil {
		f.t.Fatal(err)
	}
	a := f.must(f.s.CreateAdjustment(f.ctx, liaison, in))
	f.must(f.act(head, a.ID, catalog.ActSign, "", ""))
	f.must(f.act(office, a.ID, catalog.ActOfficeApprove, "", "同意"))
	f.must(f.act(reform, a.ID, catalog.ActGroupApprove, catalog.PowerListGroup, ""))
	return f.must(f.act(reform, a.ID, catalog.ActGroupApprove, catalog.DutyListGroup, ""))
}
