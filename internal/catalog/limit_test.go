package catalog

import "testing"

func TestLimits_C5_atMostAsLongWhateverTheCalendar(t *testing.T) {
	cases := []struct {
		a, b TimeLimit
		want bool
	}{
		{TimeLimit{5, WorkingDays}, TimeLimit{5, WorkingDays}, true},
		{TimeLimit{6, WorkingDays}, TimeLimit{5, WorkingDays}, false},
		{TimeLimit{5, NaturalDays}, TimeLimit{5, WorkingDays}, true},  // L11: never past N working days
		{TimeLimit{5, WorkingDays}, TimeLimit{7, NaturalDays}, false}, // a holiday week stretches it
		{TimeLimit{48, Hours}, TimeLimit{2, NaturalDays}, true},
		{TimeLimit{49, Hours}, TimeLimit{2, NaturalDays}, false},
		{TimeLimit{24, Hours}, TimeLimit{1, WorkingDays}, true},
		{TimeLimit{2, NaturalDays}, TimeLimit{48, Hours}, false},
		{TimeLimit{0, WorkingDays}, TimeLimit{1, Hours}, true}, // on the spot
		{TimeLimit{1, "weeks"}, TimeLimit{30, WorkingDays}, false},
	}
	for _, c := range cases {
		if got := AtMostAsLong(c.a, c.b); got != c.want {
			t.Errorf("AtMostAsLong(%s, %s) = %v, want %v", c.a.In("en"), c.b.In("en"), got, c.want)
		}
	}
}
