package catdb_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// both runs two calls at once (released together) and returns their errors.
func both(calls [2]func() error) [2]error {
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = call()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWon checks that exactly one of two racing edits was saved and the
// other refused as stale, and returns which one was saved.
func oneWon(t *testing.T, errs [2]error) int {
	t.Helper()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("both edits based on one version were saved: a lost update")
		case err == nil:
			won = i
		case !apperr.IsStale(err):
			t.Fatalf("the losing edit: %v, want a stale conflict", err)
		}
	}
	if won < 0 {
		t.Fatalf("neither edit was saved: %v", errs)
	}
	return won
}

// TestConcurrentEdits_H1_adjustmentDraftsLoseNothing is issue #11's trial
// for drafts (10 of 10 lost before): the liaison has the draft open twice
// (two sessions) and saves two different titles at the same moment, based
// on the same version. One is saved; the other is refused as stale and
// changes nothing. A step taken from a page that showed an older version is
// refused the same way; one taken without a version is not checked.
func TestConcurrentEdits_H1_adjustmentDraftsLoseNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.at(monday)
		item := f.shared()
		liaison, head := f.who("邓雪"), f.who("许明")
		draft := item.ItemVersion.Clone()
		draft.ValidFrom = time.Time{}
		draft.Hours += "(周六延时)"
		in := catdb.AdjustmentInput{Title: "调整办理时间", Reason: catalog.OperatingExperience, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &draft}}}
		a := f.must(f.s.CreateAdjustment(f.ctx, liaison, in))
		if a.Version != 1 {
			t.Fatalf("a new draft is at version %d", a.Version)
		}
		if _, err := f.s.UpdateAdjustment(f.ctx, liaison, a.ID, 0, in); apperr.CodeOf(err) != apperr.VersionRequired {
			t.Fatalf("edit without a version: %v", err)
		}
		for trial := range 10 {
			base, err := f.s.Adjustment(f.ctx, liaison, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			titles := [2]string{fmt.Sprintf("调整办理时间-%d-甲", trial), fmt.Sprintf("调整办理时间-%d-乙", trial)}
			edit := func(title string) func() error {
				return func() error {
					mine := in
					mine.Title = title
					_, err := f.s.UpdateAdjustment(f.ctx, liaison, a.ID, base.Version, mine)
					return err
				}
			}
			won := oneWon(t, both([2]func() error{edit(titles[0]), edit(titles[1])}))
			now, err := f.s.Adjustment(f.ctx, liaison, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if now.Title != titles[won] || now.Version != base.Version+1 {
				t.Fatalf("trial %d: stored %q at version %d, want %q at %d", trial, now.Title, now.Version, titles[won], base.Version+1)
			}
		}
		cur, err := f.s.Adjustment(f.ctx, head, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Act(f.ctx, head, a.ID, cur.Version-1, catalog.Action{Kind: catalog.ActSign}); !apperr.IsStale(err) {
			t.Fatalf("signing the draft as it was a version ago: %v", err)
		}
		signed, err := f.s.Act(f.ctx, head, a.ID, cur.Version, catalog.Action{Kind: catalog.ActSign})
		if err != nil || signed.Stage != catalog.StageSigned || signed.Version != cur.Version+1 {
			t.Fatalf("signing the draft as shown: %+v %v", signed.Adjustment, err)
		}
		if _, err := f.s.Act(f.ctx, head, a.ID, 0, catalog.Action{Kind: catalog.ActOfficeApprove}); err != nil {
			t.Fatalf("a step without a version: %v", err)
		}
		verifyOK(t, db)
	})
}

// TestConcurrentEdits_H1_reformSeats: two administrators change one
// member's review groups from the same view at once; one is saved, the
// other refused as stale. The seats' version grows with every change,
// also when a group is left and joined again.
func TestConcurrentEdits_H1_reformSeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		office := f.who("许明")
		seats, err := f.s.ReformSeats(f.ctx, org.System, office.StaffID)
		if err != nil || len(seats.Groups) != 0 || seats.Version != 1 {
			t.Fatalf("seats of a member in no group: %+v %v", seats, err)
		}
		choices := [2][]catalog.ReformGroup{{catalog.PowerListGroup}, {catalog.DutyListGroup}}
		set := func(groups []catalog.ReformGroup) func() error {
			return func() error {
				_, err := f.s.SetReformGroups(f.ctx, org.System, office.StaffID, seats.Version, groups)
				return err
			}
		}
		won := oneWon(t, both([2]func() error{set(choices[0]), set(choices[1])}))
		now, err := f.s.ReformSeats(f.ctx, org.System, office.StaffID)
		if err != nil || len(now.Groups) != 1 || now.Groups[0] != choices[won][0] || now.Version <= seats.Version {
			t.Fatalf("after the race: %+v %v (won %v)", now, err, choices[won])
		}
		seen := map[int64]bool{seats.Version: true, now.Version: true}
		for _, groups := range [][]catalog.ReformGroup{nil, choices[won], choices[1-won], nil} {
			next, err := f.s.SetReformGroups(f.ctx, org.System, office.StaffID, now.Version, groups)
			if err != nil {
				t.Fatal(err)
			}
			if seen[next.Version] {
				t.Fatalf("seats version %d again after setting %v: an old view would pass", next.Version, groups)
			}
			seen[next.Version] = true
			now = next
		}
		if _, err := f.s.SetReformGroups(f.ctx, org.System, office.StaffID, seats.Version, choices[0]); !apperr.IsStale(err) {
			t.Fatalf("a change from the first view: %v", err)
		}
		verifyOK(t, db)
	})
}

func verifyOK(t *testing.T, db *store.DB) {
	t.Helper()
	rep, err := db.Verify(t.Context(), nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
