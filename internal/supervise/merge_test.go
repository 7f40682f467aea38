package supervise

import (
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
)

// S5, L10: rules are inherited down the body tree and overridable at each
// level. The city (330100) sets yellow at 80% of the time; the district
// (330199) switches H6 off and adds a reminder; the town (330199101)
// brings yellow back to the last working day but two. Each rule in force
// carries the region and version of the set that put it there, and a
// card the version of its rule.
func TestMerge_L10_inheritanceAndOverrideDownTheTree(t *testing.T) {
	root := Defaults()
	city := RuleSet{Region: "330100", Version: 7, Rules: []Rule{
		{ID: "case.yellow", Watch: WatchCase, Level: Yellow, When: When{Share: 0.8}, Notify: []Audience{ToResponsible}}}}
	district := RuleSet{Region: "330199", Version: 3, Rules: []Rule{
		{ID: "h6.transfer", Off: true},
		{ID: "case.reminder", Watch: WatchCase, Level: Reminder, When: When{Before: &calendar.Budget{N: 3, Unit: calendar.WorkingDays}}, Notify: []Audience{ToResponsible}}}}
	town := RuleSet{Region: "330199101", Version: 1, Rules: []Rule{
		{ID: "case.yellow", Watch: WatchCase, Level: Yellow, When: When{Before: &calendar.Budget{N: 3, Unit: calendar.WorkingDays}}, Notify: []Audience{ToUnit}}}}

	atCity := Merge(root, city)
	if r, _ := atCity.Rule("case.yellow"); r.When.Share != 0.8 || r.Region != "330100" || r.Version != 7 {
		t.Errorf("city: %+v", r)
	}
	if r, _ := atCity.Rule("case.red"); r.Region != "" || r.Version != root.Version {
		t.Errorf("city inherits red from the root: %+v", r)
	}
	atDistrict := Merge(root, city, district)
	if _, ok := atDistrict.Rule("h6.transfer"); ok {
		t.Error("district: h6.transfer is off")
	}
	if _, ok := atCity.Rule("h6.transfer"); !ok {
		t.Error("city: h6.transfer is still on")
	}
	if r, _ := atDistrict.Rule("case.yellow"); r.Region != "330100" {
		t.Errorf("district inherits the city's yellow: %+v", r)
	}
	atTown := Merge(root, city, district, town)
	if r, _ := atTown.Rule("case.yellow"); r.When.Share != 0 || r.When.Before.N != 3 || r.Region != "330199101" || r.Version != 1 {
		t.Errorf("town: %+v", r)
	}
	if _, ok := atTown.Rule("case.reminder"); !ok {
		t.Error("town inherits the district's reminder")
	}
	if len(atTown) != len(atDistrict) {
		t.Errorf("town %d rules, district %d", len(atTown), len(atDistrict))
	}
	// The order of the rules is where each was first defined.
	if atTown[0].ID != root.Rules[0].ID {
		t.Errorf("first rule %s", atTown[0].ID)
	}

	// The same case (10 working days from Monday 2 March) goes yellow at
	// different instants at each level: 80% elapsed from Friday 13 March
	// in the city; the third-last working day, Thursday 12 March, in the
	// town; the district's reminder also from the 12th.
	s := started(caseObj, WatchCase, wd(10), "2026-03-02T09:00", "")
	c := firesAt(t, atCity, s, "case.yellow", "2026-03-13T00:00")
	if c.RuleRegion != "330100" || c.RuleVersion != 7 {
		t.Errorf("city card %+v", c)
	}
	c = firesAt(t, atTown, s, "case.yellow", "2026-03-12T00:00")
	if c.RuleRegion != "330199101" || c.RuleVersion != 1 || !c.Tells(ToUnit) {
		t.Errorf("town card %+v", c)
	}
	firesAt(t, atDistrict, s, "case.reminder", "2026-03-12T00:00")
}

// A rule switched off at a level that never inherited it changes nothing.
func TestMerge_S5_offForAnUnknownRule(t *testing.T) {
	if got := Merge(Defaults(), RuleSet{Version: 1, Rules: []Rule{{ID: "nothing.here", Off: true}}}); len(got) != len(Defaults().Rules) {
		t.Errorf("%d rules", len(got))
	}
}
