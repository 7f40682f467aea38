package casework_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
)

func TestNumber_V3_readableWithBodyCodeAndYear(t *testing.T) {
	if n := casework.NumberOf("330199", 2026, 123); n != "330199-2026-000123" {
		t.Errorf("NumberOf = %s", n)
	}
	if n := casework.NumberOf("330199101", 2026, 1234567); n != "330199101-2026-1234567" {
		t.Errorf("past a million: %s", n)
	}
	code, year, seq, err := casework.ParseNumber("number", "330199001001-2026-000042")
	if err != nil || code != "330199001001" || year != 2026 || seq != 42 {
		t.Errorf("ParseNumber = %s %d %d %v", code, year, seq, err)
	}
	for _, bad := range []string{"", "330199-2026-123", "33019-2026-000123", "330199-26-000123", "330199-2026-000000",
		"330199-2026-00012a", "330199_2026_000123", "330199-2026-000123-1", "３３０１９９-2026-000123"} {
		if _, _, _, err := casework.ParseNumber("number", bad); err == nil {
			t.Errorf("%q accepted", bad)
		} else if e := bilingual(t, err); e.Field != "number" {
			t.Errorf("%q: field %s", bad, e.Field)
		}
	}
}

func TestQueryCode_V3_secretCodeFromAnUnambiguousAlphabet(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		code, err := casework.NewQueryCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != casework.QueryCodeLength || strings.ContainsAny(code, "01IOLabcdefghijklmnopqrstuvwxyz") {
			t.Fatalf("code %q", code)
		}
		seen[code] = true
	}
	if len(seen) < 200 {
		t.Error("repeated codes")
	}
	// Bytes at or above 248 are skipped, so every character is uniform.
	skewed := bytes.Repeat([]byte{255, 0}, 16)
	if code, err := casework.NewQueryCode(bytes.NewReader(skewed)); err != nil || code != "AAAAAAAA" {
		t.Errorf("from 255,0,…: %q %v", code, err)
	}
	if _, err := casework.NewQueryCode(iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Error("a failing random source gave a code")
	}
}

func TestQueryCode_V3_caseFoundOnlyWithItsCode(t *testing.T) {
	c := casework.Case{Number: applyNum, QueryCodeHash: casework.QueryCodeHash(applyNum, "ABCD2345")}
	if strings.Contains(c.QueryCodeHash, "ABCD2345") || len(c.QueryCodeHash) != 64 {
		t.Errorf("hash %s", c.QueryCodeHash)
	}
	for _, typed := range []string{"ABCD2345", "abcd2345", "ABCD-2345", " abcd 2345 "} {
		if err := c.CheckQueryCode(typed); err != nil {
			t.Errorf("%q refused: %v", typed, err)
		}
	}
	var first *apperr.Error
	for _, wrong := range []string{"ABCD2346", "", "ABCD234"} {
		e := bilingual(t, c.CheckQueryCode(wrong))
		if e.Code != apperr.NotFound {
			t.Errorf("%q: %v", wrong, e)
		}
		if first == nil {
			first = e
		} else if !reflect.DeepEqual(e, first) {
			t.Error("wrong codes are told apart")
		}
	}
	// The same code of another case hashes differently.
	if casework.QueryCodeHash("330199-2026-000124", "ABCD2345") == c.QueryCodeHash {
		t.Error("the hash does not cover the number")
	}
	if err := (casework.Case{Number: applyNum}).CheckQueryCode(""); err == nil {
		t.Error("a case without a code matched the empty code")
	}
}
