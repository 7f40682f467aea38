package supervise

import (
	"testing"

	"github.com/qingdan/qingdan/internal/msg"
)

// TestNames_S4_levelsAndOrderStatesNamedInBothLanguages: card levels and
// order states have their names in both catalogues, as the code held them.
func TestNames_S4_levelsAndOrderStatesNamedInBothLanguages(t *testing.T) {
	if v, ok := msg.Named("supervise.cardlevel", Reminder, Yellow, Red); !ok {
		t.Errorf("level %s unnamed", v)
	}
	if v, ok := msg.Named("supervise.orderstate", OrderIssued, OrderAnswered, OrderClosed); !ok {
		t.Errorf("order state %s unnamed", v)
	}
	if Yellow.In("zh") != "黄牌" || Red.In("en") != "Red card" || OrderAnswered.In("zh") != "已答复" || OrderClosed.In("en") != "closed" {
		t.Error("names differ from the code's")
	}
}
