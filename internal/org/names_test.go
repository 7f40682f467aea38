package org

import (
	"testing"

	"github.com/qingdan/qingdan/internal/msg"
)

// TestNames_O1_levelsAndKindsNamedInBothLanguages: every level and unit
// kind has its name in both catalogues, the Chinese as the code held it.
func TestNames_O1_levelsAndKindsNamedInBothLanguages(t *testing.T) {
	if v, ok := msg.Named("org.level", Levels...); !ok {
		t.Errorf("level %s unnamed", v)
	}
	if v, ok := msg.Named("org.unitkind", UnitKinds...); !ok {
		t.Errorf("unit kind %s unnamed", v)
	}
	if LevelTown.In("zh") != "乡镇街道" || LevelTown.In("en") != "town" || KindSection.In("zh") != "科室" || KindWindow.In("en") != "window" {
		t.Error("names differ from the code's")
	}
	for _, l := range Levels {
		if got, ok := ParseLevel(l.In("zh")); !ok || got != l {
			t.Errorf("%s: its Chinese name %q does not parse back", l, l.In("zh"))
		}
	}
}
