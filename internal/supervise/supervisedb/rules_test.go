package supervisedb_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// The district changes its rules: H5 two working days instead of one,
// version 1 of the district's own set; the card records the region and
// version in force. A bad file, a stale base, a unit's staff member and a
// body outside the jurisdiction change nothing.
func TestRules_S5_L10_aBodysOwnSetOverridesTheDefaults_auditedAndVersioned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		district := f.demo.Bodies["330199"]
		sup := f.who("supervisor1")
		twoDays := []byte("rules:\n  - id: h5.hand_over\n    watch: hand_over\n    level: red\n    limit: {n: 2, unit: working_days}\n" +
			"    after: {n: 0, unit: working_days}\n    notify: [responsible]\nversion: 1\n")
		events := count(t, db, `SELECT COUNT(*) FROM events`)
		if _, err := f.sup.SetRules(ctx, sup, district, 0, []byte("rules:\n  - id: h5.hand_over\n    watch: nowhere\n")); err == nil {
			t.Fatal("a bad rule file was taken")
		} else if l, ok := err.(apperr.List); !ok || len(l) == 0 || l[0].Field == "" {
			t.Fatalf("a bad rule file: %v, want field-named mistakes", err)
		}
		if _, err := f.sup.SetRules(ctx, f.who("unit1"), district, 0, twoDays); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff set rules: %v", err)
		}
		if _, err := f.sup.SetRules(ctx, sup, district, 3, twoDays); !isCode(err, apperr.Conflict) {
			t.Fatalf("a stale base: %v", err)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM events`); k != events {
			t.Fatalf("refused changes wrote %d events", k-events)
		}
		rs, err := f.sup.SetRules(ctx, sup, district, 0, twoDays)
		if err != nil || rs.Version != 1 || rs.Set.Region != "330199" {
			t.Fatalf("set: %+v %v", rs, err)
		}
		own, err := f.sup.OwnRules(ctx, district)
		if err != nil || own.Version != 1 || len(own.Set.Rules) != 1 {
			t.Fatalf("own rules %+v %v", own, err)
		}

		n := f.accepted(t) // Monday 2 March
		f.catchUp(t, 0)
		f.set("2026-03-04T10:00") // the default's instant has passed: not this body's rule
		f.sweep(t)
		if _, ok := f.cardsOf(t, n)["h5.hand_over|"+n]; ok {
			t.Fatal("H5 card at the default's instant under the body's own two days")
		}
		f.set("2026-03-05T00:00")
		f.sweep(t)
		c, ok := f.cardsOf(t, n)["h5.hand_over|"+n]
		if !ok || !c.At.Equal(at("2026-03-05T00:00")) || c.RuleRegion != "330199" || c.RuleVersion != 1 {
			t.Fatalf("H5 card under the body's rules: %+v (found %v)", c, ok)
		}
		verify(t, db)
	})
}

// S5, L10: the rule page's view — every rule in force at a body with
// where it comes from (the shipped defaults, the body above, the body
// itself) — and the per-rule form's change: one rule overridden at the
// district (audited, versioned, based on the version read), inherited by
// the town below, a bad threshold named and nothing changed, a rule
// switched off.
func TestRules_S5_L10_ruleInForceWithItsSource_overriddenByForm_inheritedBelow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		district, town := f.demo.Bodies["330199"], f.demo.Bodies["330199101"]
		sup := f.who("supervisor1")
		v, err := f.sup.RulesOf(ctx, sup, 0)
		if err != nil || v.BodyID != district || v.Version != 0 || len(v.InForce) != len(supervise.Defaults().Rules) {
			t.Fatalf("the district's rules %+v %v", v, err)
		}
		for _, r := range v.InForce {
			if r.From != "" || r.Own {
				t.Fatalf("a default from %q: %+v", r.From, r)
			}
		}
		if _, err := f.sup.RulesOf(ctx, f.who("unit1"), 0); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff read the rules: %v", err)
		}
		edit := supervisedb.RuleEdit{ID: "h5.hand_over", Level: supervise.Yellow, Threshold: "after", N: 0, Unit: calendar.WorkingDays,
			Limit: 2, Notify: []supervise.Audience{supervise.ToResponsible, supervise.ToSupervision}}
		events := count(t, db, `SELECT COUNT(*) FROM events`)
		bad := edit
		bad.Threshold, bad.Share = "share", 1.5
		if _, err := f.sup.EditRule(ctx, sup, district, 0, bad); !fieldEndsWith(err, "rules[0].share") {
			t.Fatalf("a share of 150%%: %v, want the share named", err)
		}
		if _, err := f.sup.EditRule(ctx, sup, district, 1, edit); !isCode(err, apperr.Conflict) {
			t.Fatalf("a stale base: %v", err)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM events`); k != events {
			t.Fatalf("refused edits wrote %d events", k-events)
		}
		rs, err := f.sup.EditRule(ctx, sup, district, 0, edit)
		if err != nil || rs.Version != 1 {
			t.Fatalf("edit: %+v %v", rs, err)
		}
		v, err = f.sup.RulesOf(ctx, sup, district)
		if err != nil {
			t.Fatal(err)
		}
		h5 := v.InForce[slices.IndexFunc(v.InForce, func(r supervisedb.RuleInForce) bool { return r.ID == "h5.hand_over" })]
		if !h5.Own || h5.From != "青山区" || h5.Level != supervise.Yellow || h5.Limit.N != 2 || h5.Version != 1 || h5.Region != "330199" {
			t.Fatalf("h5 after the edit: %+v", h5)
		}
		below, err := f.sup.RulesOf(ctx, sup, town)
		if err != nil {
			t.Fatal(err)
		}
		h5 = below.InForce[slices.IndexFunc(below.InForce, func(r supervisedb.RuleInForce) bool { return r.ID == "h5.hand_over" })]
		if h5.Own || h5.From != "青山区" || h5.Level != supervise.Yellow || below.Version != 0 {
			t.Fatalf("h5 inherited by the town: %+v", h5)
		}
		if _, err := f.sup.EditRule(ctx, sup, town, 0, supervisedb.RuleEdit{ID: "h6.transfer", Off: true}); err != nil {
			t.Fatal(err)
		}
		below, err = f.sup.RulesOf(ctx, sup, town)
		if err != nil || slices.ContainsFunc(below.InForce, func(r supervisedb.RuleInForce) bool { return r.ID == "h6.transfer" }) {
			t.Fatalf("h6 still in force at the town after switching it off: %v", err)
		}
		if _, err := f.sup.RulesOf(ctx, f.who("xikou_admin"), district); !isCode(err, apperr.NotFound) {
			t.Fatalf("the town's administrator read the district's rules: %v", err)
		}
		verify(t, db)
	})
}

// fieldEndsWith reports whether err names a field ending in suffix (a rule
// file's mistakes are named "line L, column C: key.path").
func fieldEndsWith(err error, suffix string) bool {
	var l apperr.List
	if errors.As(err, &l) {
		for _, e := range l {
			if strings.HasSuffix(e.Field, suffix) {
				return true
			}
		}
	}
	var e *apperr.Error
	return errors.As(err, &e) && strings.HasSuffix(e.Field, suffix)
}

// Item 9: a replay re-judges the stored cases of a period under a
// proposed rule set, read-only — H5 at two working days moves the card a
// day; H5 switched off removes it — per unit, writing nothing; a bad file
// is named by line and key.
func TestReplay_S5_L10_proposedRulesOverStoredHistory_readOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t) // Monday 2 March
		f.catchUp(t, 0)
		f.set("2026-03-10T10:00")
		f.sweep(t)
		h5 := f.cardsOf(t, n)["h5.hand_over|"+n]
		if !h5.At.Equal(at("2026-03-04T00:00")) {
			t.Fatalf("the stored H5 card %+v", h5)
		}
		sup := f.who("supervisor1")
		events := count(t, db, `SELECT COUNT(*) FROM events`)
		from, to := at("2026-03-01T00:00"), at("2026-04-01T00:00")
		twoDays := []byte("version: 1\nrules:\n  - id: h5.hand_over\n    watch: hand_over\n    level: red\n    limit: {n: 2, unit: working_days}\n" +
			"    after: {n: 0, unit: working_days}\n    notify: [responsible]\n")
		r, err := f.sup.Replay(ctx, sup, from, to, twoDays)
		if err != nil {
			t.Fatal(err)
		}
		if r.Cases != 1 || len(r.Moved) != 1 || len(r.Added) != 0 || len(r.Removed) != 0 || !r.Moved[0].At.Equal(at("2026-03-05T00:00")) ||
			len(r.Units) != 1 || r.Units[0].Moved != 1 || r.Units[0].Unit != h5.Unit {
			t.Fatalf("two days: %+v", r)
		}
		r, err = f.sup.Replay(ctx, sup, from, to, []byte("version: 1\nrules:\n  - id: h5.hand_over\n    off: true\n"))
		if err != nil || len(r.Removed) != 1 || r.Removed[0].Rule != "h5.hand_over" || len(r.Added)+len(r.Moved) != 0 {
			t.Fatalf("h5 off: %+v %v", r, err)
		}
		if r, err := f.sup.Replay(ctx, sup, at("2026-04-01T00:00"), at("2026-05-01T00:00"), twoDays); err != nil || r.Cases != 0 {
			t.Fatalf("a period without cases: %+v %v", r, err)
		}
		if _, err := f.sup.Replay(ctx, sup, from, to, []byte("version: 1\nrules:\n  - id: h5.hand_over\n    watch: nowhere\n")); !fieldEndsWith(err, "rules[0].watch") {
			t.Fatalf("a bad file: %v", err)
		}
		if _, err := f.sup.Replay(ctx, f.who("unit1"), from, to, twoDays); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff replayed: %v", err)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM events`); k != events {
			t.Fatalf("a replay wrote %d events", k-events)
		}
	})
}
