package caseworktest_test

import (
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/catalog"
)

// TestContract_caseworkSpeaksCatalogsValues: storage converts catalog's
// standing to casework's by its value, the wiring passes catalog's category
// names to scenario files and its check kinds to flows, so the copies the
// tests use must be catalog's.
func TestContract_caseworkSpeaksCatalogsValues(t *testing.T) {
	for c, w := range map[catalog.Standing]casework.Standing{catalog.Listed: casework.Listed, catalog.Suspended: casework.Suspended,
		catalog.Cancelled: casework.Cancelled, catalog.Unknown: casework.Unlisted} {
		if casework.Standing(c) != w {
			t.Errorf("catalog's %s is casework's %s", c, w)
		}
	}
	var zh []string
	for _, c := range catalog.Categories {
		zh = append(zh, c.Zh)
	}
	if !slices.Equal(zh, caseworktest.Categories) {
		t.Errorf("categories %v, catalog's %v", caseworktest.Categories, zh)
	}
	for _, c := range caseworktest.FlowOptions.Checks {
		if !catalog.CheckKind(c).Valid() {
			t.Errorf("check %s is not catalog's", c)
		}
	}
}
