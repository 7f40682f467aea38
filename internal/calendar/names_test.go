package calendar

import (
	"testing"

	"github.com/qingdan/qingdan/internal/msg"
)

// TestUnit_L1_namedInBothLanguages: every unit has its name after a number
// in both catalogues, as the code held it.
func TestUnit_L1_namedInBothLanguages(t *testing.T) {
	if v, ok := msg.Named("calendar.unit", WorkingDays, NaturalDays, Hours, WorkingHours); !ok {
		t.Errorf("unit %s unnamed", v)
	}
	if WorkingDays.In("zh") != "个工作日" || NaturalDays.In("en") != "natural days" || Unit("weeks").In("zh") != "weeks" {
		t.Error("names differ from the code's")
	}
	if s := (Budget{N: 3, Unit: WorkingHours}).String(); s != "3 working hours" {
		t.Errorf("budget %q", s)
	}
}
