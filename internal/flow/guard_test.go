package flow

import "testing"

func TestGuard_parseAndHold(t *testing.T) {
	for _, c := range []struct {
		text string
		want Guard
		yes  Input
		no   Input
	}{
		{"materials_complete", Guard{"materials_complete", IsTrue, ""}, Input{"materials_complete": "true"}, Input{"materials_complete": "false"}},
		{"!materials_complete", Guard{"materials_complete", NotTrue, ""}, Input{}, Input{"materials_complete": "true"}},
		{"outcome == approved", Guard{"outcome", Equal, "approved"}, Input{"outcome": " approved "}, Input{"outcome": "not_approved"}},
		{"outcome!=approved", Guard{"outcome", NotEqual, "approved"}, Input{}, Input{"outcome": "approved"}},
	} {
		g, err := ParseGuard(c.text)
		if err != nil || g != c.want {
			t.Errorf("%q: %+v, %v", c.text, g, err)
			continue
		}
		if !g.Holds(c.yes) || g.Holds(c.no) {
			t.Errorf("%q holds wrongly", c.text)
		}
		back, err := ParseGuard(g.String())
		if err != nil || back != g {
			t.Errorf("%q does not round-trip: %q", c.text, g.String())
		}
	}
	for _, bad := range []string{"", "!", "Outcome", "a b", "a == ", "a == b c", "== b", "a === b", `a == "b"`} {
		if _, err := ParseGuard(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
