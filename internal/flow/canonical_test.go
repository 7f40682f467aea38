package flow

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

func TestCanonical_H1_roundTripsEveryShippedFlow(t *testing.T) {
	for _, code := range ShippedCodes {
		f := mustShipped(t, code)
		c := f.Canonical()
		g, err := Parse(c, testOptions)
		if err != nil {
			t.Fatalf("%s: canonical encoding refused:%s", code, listed(err))
		}
		if !reflect.DeepEqual(f, g) {
			t.Errorf("%s: the flow read back differs", code)
		}
		if !bytes.Equal(g.Canonical(), c) {
			t.Errorf("%s: the canonical encoding is not stable", code)
		}
	}
}

func TestHash_H1_caseRecordsTheExactFlowVersion(t *testing.T) {
	f := mustParse(t, small)
	h := f.Hash()
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
		t.Fatalf("hash %q is not a hex SHA-256", h)
	}
	// Layout and comments are not content.
	relaid := "# 注释\n" + strings.Replace(small, "roles: [window]", "roles:\n      - window", 1)
	if got := mustParse(t, relaid).Hash(); got != h {
		t.Error("the hash depends on layout or comments")
	}
	// Content is: a limit, a version, a role.
	for _, edit := range [][2]string{
		{"limit: {n: 1,", "limit: {n: 2,"},
		{"version: 1", "version: 2"},
		{"roles: [unit_staff]\n    fields", "roles: [unit_staff, leader]\n    fields"},
	} {
		if got := mustParse(t, strings.Replace(small, edit[0], edit[1], 1)).Hash(); got == h {
			t.Errorf("editing %q leaves the hash unchanged", edit[0])
		}
	}
}
