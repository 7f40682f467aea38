package catsearch

import (
	"strings"
	"testing"
)

// TestInList_paddedToPowersOfTwo: IN lists come in a few lengths (so their
// statements stay prepared) and say the same: padding repeats the last value.
func TestInList_paddedToPowersOfTwo(t *testing.T) {
	for _, c := range []struct{ n, want int }{{1, 1}, {2, 2}, {3, 4}, {5, 8}, {1000, 1024}} {
		args := make([]any, c.n)
		for i := range args {
			args[i] = int64(i + 1)
		}
		sql, got := inList(args)
		if len(got) != c.want || strings.Count(sql, "?") != c.want {
			t.Errorf("%d values: %d args, %q…", c.n, len(got), sql[:min(len(sql), 20)])
			continue
		}
		for i, v := range got {
			want := int64(min(i+1, c.n))
			if v != want {
				t.Errorf("%d values: arg %d is %v, want %d", c.n, i, v, want)
				break
			}
		}
	}
	if sql, args := inList(nil); sql != "(NULL)" || args != nil {
		t.Errorf("no values: %q %v", sql, args)
	}
}
