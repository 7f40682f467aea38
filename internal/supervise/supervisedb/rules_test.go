package supervisedb_test

import (
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
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
