package catalog

import (
	"errors"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

func loadDemo(t *testing.T) *Demo {
	t.Helper()
	d, err := LoadDemo()
	var l apperr.List
	if errors.As(err, &l) {
		for _, e := range l {
			t.Error(e)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDemo_C1_C2_everyItemValidAllCategoriesCodesUnique(t *testing.T) {
	d := loadDemo(t)
	district := d.Current(1)
	if len(district) < 60 {
		t.Errorf("district list has %d items, want at least 60", len(district))
	}
	cats := map[Category]int{}
	names := map[string]bool{}
	for _, v := range district {
		cats[v.Category]++
		if names[v.Name] {
			t.Errorf("item name %s twice", v.Name)
		}
		names[v.Name] = true
	}
	for _, c := range Categories {
		if cats[c.Category] == 0 {
			t.Errorf("no demo item of category %s", c.Zh)
		}
	}
	impl := map[string]bool{}
	total := 0
	for body, list := range d.Lists {
		for code, h := range list {
			for _, v := range h {
				total++
				if err := v.Validate(); err != nil {
					t.Errorf("body %d %s v%d: %v", body, v.Name, v.Version, fields(t, err))
				}
				if v.BaseCode != code {
					t.Errorf("%s filed under %s", v.BaseCode, code)
				}
				if !Unchanged(v) {
					t.Errorf("%s v%d: hash mismatch", v.Name, v.Version)
				}
			}
			if impl[h[0].ImplCode] {
				t.Errorf("implementation code %s used twice", h[0].ImplCode)
			}
			impl[h[0].ImplCode] = true
		}
	}
	// Base codes are unique within the district by construction (map keys);
	// check they are unique across distinct names too.
	byCode := map[string]string{}
	for _, v := range district {
		if n, ok := byCode[v.BaseCode]; ok && n != v.Name {
			t.Errorf("base code %s for %s and %s", v.BaseCode, n, v.Name)
		}
		byCode[v.BaseCode] = v.Name
	}
	t.Logf("%d district items, %d versions in all, categories %v", len(district), total, cats)
}

func TestDemo_C2_guidesAreComplete(t *testing.T) {
	d := loadDemo(t)
	for _, v := range d.Current(1) {
		if !v.IsServiceItem() {
			continue
		}
		g := v.Guide()
		if len(g.Materials) == 0 || len(g.Conditions) == 0 || len(g.Steps) < 2 || len(g.Bases) == 0 ||
			g.ComplaintPhone == "" || g.ConsultPhone == "" || g.Stars < 1 {
			t.Errorf("%s: incomplete guide", v.Name)
		}
		for _, m := range v.Materials {
			if m.Count < 1 {
				t.Errorf("%s: material %s without count", v.Name, m.Name)
			}
		}
	}
}

func TestDemo_C5_streetListsDeriveFromTheDistrictList(t *testing.T) {
	d := loadDemo(t)
	upper := d.Current(1)
	for _, b := range d.Bodies {
		if b.UpperID == 0 {
			continue
		}
		lower := d.Current(b.ID)
		if len(lower) == 0 {
			t.Fatalf("%s has no list", b.Name)
		}
		if err := CheckDerived(upper, lower); err != nil {
			t.Errorf("%s: %v", b.Name, fields(t, err))
		}
	}
}

func TestDemo_C3_oneAdjustmentAtEachStage(t *testing.T) {
	d := loadDemo(t)
	stages := map[Stage]bool{}
	for _, a := range d.Adjustments {
		stages[a.Stage] = true
		if len(a.Trace) == 0 || a.Trace[len(a.Trace)-1].To != a.Stage {
			t.Errorf("%s: trace does not end at %s", a.Title, a.Stage)
		}
		if err := a.CheckAgainstUpper(d.Current(a.UpperBodyID)); err != nil {
			t.Errorf("%s: drafts break C5: %v", a.Title, fields(t, err))
		}
	}
	for _, s := range []Stage{StageDrafting, StageSigned, StageOfficeReviewed, StageApproved, StagePublished, StageReturned, StageWithdrawn} {
		if !stages[s] {
			t.Errorf("no demo adjustment at stage %s", s)
		}
	}
}

func TestDemo_C4_C7_suspendedCancelledAndHistoricalVersions(t *testing.T) {
	d := loadDemo(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)
	count := map[Standing]int{}
	superseded := 0
	for _, h := range d.Lists[1] {
		st, _ := StandingAt(h, now)
		count[st]++
		for _, v := range h {
			if v.Status == StatusSuperseded {
				superseded++
			}
		}
	}
	if count[Suspended] < 2 || count[Cancelled] < 1 || superseded < 4 || count[Listed] < 60 {
		t.Errorf("standings %v, superseded %d", count, superseded)
	}
	// The published demo adjustment shortened 青山街道's 临时救助给付 to 5 days.
	for _, h := range d.Lists[2] {
		if h[0].Name != "临时救助给付" {
			continue
		}
		st, v := StandingAt(h, now)
		if st != Listed || v.Version != 2 || v.PromisedLimit.Value != 5 || h[0].Status != StatusSuperseded {
			t.Errorf("临时救助给付 at 青山街道: %s v%d promised %v", st, v.Version, v.PromisedLimit)
		}
		if st, v := StandingAt(h, time.Date(2026, 8, 1, 0, 0, 0, 0, shanghai)); st != Listed || v.Version != 1 {
			t.Error("history of 临时救助给付 lost")
		}
	}
}

func TestDemo_C8_approvedAdjustmentShownLate(t *testing.T) {
	d := loadDemo(t)
	for _, a := range d.Adjustments {
		if a.Stage == StageApproved {
			if !AdjustmentPublicationLate(a, time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)) {
				t.Errorf("%s approved %v is not late on 23 Nov", a.Title, a.ApprovedAt)
			}
		}
	}
}
