package catalog

import (
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
)

const streetCredit = "11410199005102014T"

func streetBody() Body {
	return Body{Name: "东风路街道办事处", CreditCode: streetCredit, Nature: EntrustedOrg, Level: LevelTown}
}

// lowerOf derives a clean lower version of v.
func lowerOf(v ItemVersion) ItemVersion { return Derive(v, streetBody(), "00") }

func TestDerived_C5_derivedCopyIsValidAndClean(t *testing.T) {
	u := validItem()
	l := lowerOf(u)
	if err := l.Validate(); err != nil {
		t.Fatalf("derived item invalid: %v", fields(t, err))
	}
	if err := CheckDerived([]ItemVersion{u}, []ItemVersion{l}); err != nil {
		t.Fatalf("clean derivation rejected: %v", err)
	}
	if !strings.HasPrefix(l.ImplCode, streetCredit+u.BaseCode) {
		t.Errorf("implementation code %s is not the street's", l.ImplCode)
	}
	l.Materials[0].Name = "changed"
	if u.Materials[0].Name == "changed" {
		t.Error("Derive shares slices with the upper version")
	}
}

func TestDerived_C5_lowerLevelMayNotAddItems(t *testing.T) {
	u := validItem()
	extra := validItem()
	extra.BaseCode, extra.Name = "0100002000", "自设许可"
	extra = lowerOf(extra)
	err := CheckDerived([]ItemVersion{u}, []ItemVersion{lowerOf(u), extra})
	if !hasField(t, err, "items[0100002000]") {
		t.Fatalf("an item absent above was accepted: %v", err)
	}
	e := err.(apperr.List)[0]
	if !strings.Contains(e.Message("zh"), "只减不增") || !strings.Contains(e.Message("en"), "never add") || !strings.Contains(e.Message("zh"), "自设许可") {
		t.Errorf("explanation unclear: %s", e.Error())
	}
}

func TestDerived_C5_lowerLevelMayDropItemsAndAddElements(t *testing.T) {
	u1, u2 := validItem(), validItem()
	u2.BaseCode, u2.Name = "0100002000", "另一许可"
	l := lowerOf(u1)
	l.Materials = append(l.Materials, Material{Name: "社区证明", Necessity: Required, Kind: Original, Count: 1, Form: Paper, Source: FromOther, SourceNote: "社区"})
	l.Materials[2].Count = 2                 // more copies
	l.Materials[2].Form = PaperAndElectronic // same form kept
	l.Steps = append(l.Steps[:1], append([]Step{{Key: "community", Name: "社区初审", Role: access.RoleUnitStaff, Limit: TimeLimit{1, WorkingDays}}}, l.Steps[1:]...)...)
	l.Steps[2].Limit.Value = 4                  // shorter step
	l.PromisedLimit = TimeLimit{8, WorkingDays} // stricter promise
	l.Steps[2].Risks = append(l.Steps[2].Risks, RiskPoint{RiskLow, "新风险", "新措施"})
	l.Steps[2].Checks = append(l.Steps[2].Checks, SupervisionPoint{CheckRecusal, "回避"})
	l.Conditions = append(l.Conditions, "本街道辖区内经营")
	l.Online.PostDelivery, l.Visits = true, 0 // more online
	if err := l.Validate(); err != nil {
		t.Fatalf("lower item invalid: %v", fields(t, err))
	}
	if err := CheckDerived([]ItemVersion{u1, u2}, []ItemVersion{l}); err != nil {
		t.Fatalf("dropping an item and adding elements rejected: %v", err)
	}
}

func TestDerived_C5_elementsMayNotBeRemovedOrLoosened(t *testing.T) {
	u := validItem()
	cases := []struct {
		name, field string
		change      func(*ItemVersion)
	}{
		{"material removed", "items[0100001000].materials", func(l *ItemVersion) { l.Materials = l.Materials[:2] }},
		{"count reduced", "items[0100001000].materials[0].count", func(l *ItemVersion) { l.Materials[0].Count = 0 }},
		{"required made optional", "items[0100001000].materials[1].necessity", func(l *ItemVersion) { l.Materials[1].Necessity = Optional }},
		{"original turned copy", "items[0100001000].materials[0].kind", func(l *ItemVersion) { l.Materials[0].Kind = Copy }},
		{"form narrowed", "items[0100001000].materials[2].form", func(l *ItemVersion) { l.Materials[2].Form = Paper }},
		{"condition removed", "items[0100001000].conditions", func(l *ItemVersion) { l.Conditions = l.Conditions[:1] }},
		{"legal basis removed", "items[0100001000].legal_bases", func(l *ItemVersion) { l.LegalBases = nil }},
		{"duty removed", "items[0100001000].duties", func(l *ItemVersion) { l.Duties = l.Duties[1:] }},
		{"accountability removed", "items[0100001000].accountability", func(l *ItemVersion) { l.Accountability = nil }},
		{"step removed", "items[0100001000].steps", func(l *ItemVersion) { l.Steps = append(l.Steps[:1], l.Steps[2]) }},
		{"steps reordered", "items[0100001000].steps[1]", func(l *ItemVersion) { l.Steps[1], l.Steps[2] = l.Steps[2], l.Steps[1] }},
		{"step given to another role", "items[0100001000].steps[2].role", func(l *ItemVersion) { l.Steps[2].Head = false }},
		{"step limit lengthened", "items[0100001000].steps[1].limit", func(l *ItemVersion) { l.Steps[1].Limit.Value = 8 }},
		{"step limit in a looser unit", "items[0100001000].steps[1].limit", func(l *ItemVersion) { l.Steps[1].Limit = TimeLimit{9, "weeks"} }},
		{"risk point removed", "items[0100001000].steps[1].risks", func(l *ItemVersion) { l.Steps[1].Risks = nil }},
		{"risk rated lower", "items[0100001000].steps[1].risks[0].level", func(l *ItemVersion) { l.Steps[1].Risks[0].Level = RiskLow }},
		{"supervision point removed", "items[0100001000].steps[2].checks", func(l *ItemVersion) { l.Steps[2].Checks = l.Steps[2].Checks[:1] }},
		{"promised limit lengthened", "items[0100001000].promised_limit", func(l *ItemVersion) { l.PromisedLimit.Value = 12 }},
		{"promised limit in an unknown unit", "items[0100001000].promised_limit", func(l *ItemVersion) { l.PromisedLimit = TimeLimit{10, "months"} }},
		{"statutory limit changed", "items[0100001000].statutory_limit", func(l *ItemVersion) { l.StatutoryLimit = &TimeLimit{30, WorkingDays} }},
		{"instant made promised", "items[0100001000].case_type", nil},
		{"more visits", "items[0100001000].visits", func(l *ItemVersion) { l.Visits = 2 }},
		{"fewer stars", "items[0100001000].online", func(l *ItemVersion) { l.Online.OnlineReview = false }},
		{"fee added", "items[0100001000].fee.items[1]", func(l *ItemVersion) {
			l.Fee.Items = append(l.Fee.Items, FeeItem{Name: "服务费", Basis: "无", Standard: "5元", MinFen: 500, MaxFen: 500, Per: "每件"})
		}},
		{"fee raised", "items[0100001000].fee.items[0]", func(l *ItemVersion) { l.Fee.Items[0].MaxFen = 2000 }},
		{"fee removed", "items[0100001000].fee.items", func(l *ItemVersion) { l.Fee.Items = nil }},
		{"name changed", "items[0100001000].name", func(l *ItemVersion) { l.Name = "食品经营许可(街道)" }},
	}
	for _, c := range cases {
		up := u.Clone()
		l := lowerOf(up)
		if c.change == nil { // instant above, promised below
			up.CaseType, up.PromisedLimit = Instant, TimeLimit{0, WorkingDays}
			l = lowerOf(up)
			l.CaseType, l.PromisedLimit = Promised, TimeLimit{1, WorkingDays}
		} else {
			c.change(&l)
		}
		err := CheckDerived([]ItemVersion{up}, []ItemVersion{l})
		if !hasField(t, err, c.field) {
			t.Errorf("%s: want an error at %s, got %v", c.name, c.field, fields(t, err))
		}
	}
}

func TestDerived_C5_reportsEveryViolationAtOnce(t *testing.T) {
	u := validItem()
	l := lowerOf(u)
	l.Materials = l.Materials[:1]
	l.PromisedLimit.Value = 15
	l.Visits = 3
	err := CheckDerived([]ItemVersion{u}, []ItemVersion{l})
	if n := len(fields(t, err)); n < 4 { // two materials, promise, visits
		t.Errorf("got %d violations, want at least 4: %v", n, err)
	}
}

func TestReview_C6_lowerItemsToReviewWithinFiveWorkingDays(t *testing.T) {
	// A stand-in calendar: weekends off, no holidays (the real one is
	// internal/calendar, passed in by the service).
	addWD := func(t0 time.Time, n int) time.Time {
		d := t0
		for n > 0 {
			d = d.AddDate(0, 0, 1)
			if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
				n--
			}
		}
		y, m, dd := d.Date()
		return time.Date(y, m, dd, 23, 59, 59, 0, d.Location())
	}
	u := validItem()
	lower := []ItemVersion{lowerOf(u)}
	other := validItem()
	other.BaseCode = "0100009000"
	hist, err := Publish(nil, u, StatusPublished, day(2026, 11, 19)) // a Thursday
	if err != nil {
		t.Fatal(err)
	}
	u2 := hist[0].Clone()
	u2.Status, u2.PublishedAt, u2.ContentHash, u2.ValidFrom = StatusDraft, nil, "", time.Time{}
	u2.PromisedLimit.Value = 8 // the upper tightens: the lower's 10 now breaks C5
	u2.Steps[1].Limit.Value = 5
	hist, err = Publish(hist, u2, StatusPublished, day(2026, 11, 20)) // Friday
	if err != nil {
		t.Fatal(err)
	}
	reviews := ReviewsDue([]ItemVersion{hist[1], other}, lower, addWD)
	if len(reviews) != 1 || reviews[0].BaseCode != u.BaseCode {
		t.Fatalf("reviews = %+v, want the one derived item", reviews)
	}
	r := reviews[0]
	if want := time.Date(2026, 11, 27, 23, 59, 59, 0, shanghai); !r.Due.Equal(want) { // Fri + 5 working days
		t.Errorf("due %v, want %v", r.Due, want)
	}
	if !hasField(t, r.Violations, "items[0100001000].promised_limit") {
		t.Errorf("the new conflict is not reported: %v", r.Violations)
	}
	if ReviewOverdue(r, nil, day(2026, 11, 27)) {
		t.Error("overdue before the deadline")
	}
	if !ReviewOverdue(r, nil, day(2026, 11, 30)) {
		t.Error("not overdue after the deadline")
	}
	done := day(2026, 11, 26)
	if ReviewOverdue(r, &done, day(2026, 12, 30)) {
		t.Error("adjusted in time but reported overdue")
	}
}
