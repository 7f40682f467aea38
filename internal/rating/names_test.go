package rating

import (
	"testing"

	"github.com/qingdan/qingdan/internal/msg"
)

// TestNames_L8_levelsNamedInBothLanguages: the five levels have their names
// in both catalogues, as the code held them; an unknown level has none.
func TestNames_L8_levelsNamedInBothLanguages(t *testing.T) {
	keys := make([]string, len(Levels))
	for i, l := range Levels {
		keys[i] = l.Key()
	}
	if k, ok := msg.Named("rating.level", keys...); !ok {
		t.Errorf("level %s unnamed", k)
	}
	if VerySatisfied.In("zh") != "非常满意" || BasicallySatisfied.In("en") != "Basically satisfied" || Level(9).In("zh") != "" {
		t.Error("names differ from the code's")
	}
	if s, ok := msg.Named("rating.callback", CallbackOpen, CallbackCalled, CallbackVerified, CallbackClosed, CallbackWithdrawn); !ok {
		t.Errorf("callback state %s unnamed", s)
	}
	if CallbackClosed.In("zh") != "已整改办结" || CallbackClosed.In("en") != "closed" {
		t.Error("callback names differ from the code's")
	}
}
