package catalog

import (
	"fmt"
	"strings"
)

// Zh names the unit in Chinese.
func (u TimeUnit) Zh() string {
	switch u {
	case WorkingDays:
		return "个工作日"
	case NaturalDays:
		return "个自然日"
	case Hours:
		return "小时"
	}
	return string(u)
}

// Zh renders a limit in Chinese ("20个工作日", "当场办结").
func (l TimeLimit) Zh() string {
	if l.Value == 0 {
		return "当场办结"
	}
	return fmt.Sprintf("%d%s", l.Value, l.Unit.Zh())
}

// En renders a limit in English words (20 working days, 1 hour).
func (l TimeLimit) En() string {
	if l.Value == 0 {
		return "on the spot"
	}
	return fmt.Sprintf("%d %s", l.Value, l.Unit.En(l.Value))
}

// unitEn are the units' English names, one and many.
var unitEn = map[TimeUnit][2]string{WorkingDays: {"working day", "working days"},
	NaturalDays: {"calendar day", "calendar days"}, Hours: {"hour", "hours"}}

// En names the unit in English for a count of n.
func (u TimeUnit) En(n int) string {
	w, ok := unitEn[u]
	if !ok {
		return strings.ReplaceAll(string(u), "_", " ")
	}
	if n == 1 {
		return w[0]
	}
	return w[1]
}

// unitRank orders units by how much elapsed time one unit can cover at
// most: an hour ≤ a natural day ≤ a working day.
func unitRank(u TimeUnit) int {
	switch u {
	case Hours:
		return 0
	case NaturalDays:
		return 1
	case WorkingDays:
		return 2
	}
	return 3
}

// AtMostAsLong reports whether limit a can never end later than limit b,
// whatever the calendar. Counting by L11: N natural days end on day N (or
// the next working day when day N is a rest day), never after N working days;
// H hours end no later than ⌈H/24⌉ natural days. So a limit in a "smaller"
// unit with a value no larger (after converting hours) is at most as long;
// a limit in a larger unit than b's is never provably as short, because
// working days stretch over weekends and holidays.
func AtMostAsLong(a, b TimeLimit) bool {
	if a.Value == 0 {
		return true // on the spot is as short as anything
	}
	ra, rb := unitRank(a.Unit), unitRank(b.Unit)
	if ra > 2 || rb > 2 || ra > rb {
		return false
	}
	if a.Unit == Hours && b.Unit != Hours {
		return a.Value <= 24*b.Value
	}
	return a.Value <= b.Value
}
