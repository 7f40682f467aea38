package flow

import (
	"errors"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Today's staff roles (auth.AllRoles) and supervision checks (catalog's
// CheckKind values), as the wiring passes them; the flow package does not
// import either.
var testOptions = Options{
	Roles: []string{"window", "unit_staff", "list_liaison", "general_office", "supervisor",
		"external_supervisor", "leader", "admin"},
	Checks: []string{"time_limit", "fee", "qualification", "two_investigators", "recusal",
		"flow_order", "discretion", "supplement_repeats", "late_entry", "documents"},
}

// mustShipped returns the shipped flow with the given code.
func mustShipped(t testing.TB, code string) *Flow {
	t.Helper()
	src, err := ShippedSource(code)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(src, testOptions)
	if err != nil {
		t.Fatalf("shipped flow %s: %s", code, listed(err))
	}
	return f
}

// mistakes returns the apperr.List of a failed parse.
func mistakes(t testing.TB, err error) apperr.List {
	t.Helper()
	var l apperr.List
	if !errors.As(err, &l) || len(l) == 0 {
		t.Fatalf("want a non-empty apperr.List, got %T %v", err, err)
	}
	return l
}

// listed renders an error list one mistake a line, for failure messages.
func listed(err error) string {
	var l apperr.List
	if !errors.As(err, &l) {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range l {
		b.WriteString("\n  " + e.Field + ": " + e.Message("en"))
	}
	return b.String()
}
