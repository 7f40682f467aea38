package supervise

import "testing"

func TestDefaults_S5_shippedRulesRead(t *testing.T) {
	rs, err := Parse(defaultsYAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) < 19 {
		t.Fatalf("%d rules", len(rs.Rules))
	}
	for _, w := range Watches() {
		if len(Merge(rs).watching(w)) == 0 {
			t.Errorf("no default rule watches %s", w)
		}
	}
}
