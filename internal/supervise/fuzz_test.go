package supervise

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

// FuzzParse: whatever the file, Parse gives a rule set or a list of
// bilingual, field-named mistakes, never both and never a panic; a set it
// accepts merges and reads back the same.
func FuzzParse(f *testing.F) {
	f.Add(defaultsYAML)
	f.Add([]byte(goodSet))
	f.Add([]byte("version: 1\nrules:\n  - id: a\n    watch: case\n    level: red\n    share: 0.5\n    notify: unit\n"))
	f.Add([]byte("version: 1\nrules:\n  - {id: a, off: true}\n"))
	f.Add([]byte("{version: 1, rules: [{id: a, watch: role, level: red, notify: [unit, unit]}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Parse(data)
		if err != nil {
			var list apperr.List
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("not a list: %v", err)
			}
			for _, e := range list {
				if e.Field == "" || e.Message("zh") == "" || e.Message("en") == "" {
					t.Fatalf("unnamed or monolingual: %+v", e)
				}
			}
			if rs.Version != 0 || rs.Rules != nil {
				t.Fatalf("rules beside mistakes: %+v", rs)
			}
			return
		}
		if rs.Version < 1 {
			t.Fatalf("accepted version %d", rs.Version)
		}
		js, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := Parse(js); err != nil || !reflect.DeepEqual(rs, back) {
			t.Fatalf("JSON round trip: %s: %v", js, err)
		}
		set := Merge(rs)
		for _, r := range rs.Rules {
			if _, in := set.Rule(r.ID); in == r.Off {
				t.Fatalf("rule %s off=%v in force=%v", r.ID, r.Off, in)
			}
			if !r.Off && (r.Level == "" || len(r.Notify) == 0 || watches[r.Watch] == (watchInfo{})) {
				t.Fatalf("accepted an incomplete rule %+v", r)
			}
		}
	})
}
