// Package caseworktest holds what the tests of casework and of its
// scenario format share: the shipped flows parsed with today's roles and
// checks, the categories, and the national calendar. Its own test keeps
// casework's copies of catalog's values (categories, standings) equal to
// catalog's, which casework cannot import (catalog reaches the database
// through auth).
package caseworktest

import (
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// FlowOptions are today's staff roles (auth's) and supervision checks
// (catalog's), as the wiring passes them to flow.Parse; casework imports
// neither auth nor catalog.
var FlowOptions = flow.Options{
	Roles: []string{"window", "unit_staff", "list_liaison", "general_office", "supervisor",
		"external_supervisor", "leader", "admin"},
	Checks: []string{"time_limit", "fee", "qualification", "two_investigators", "recusal",
		"flow_order", "discretion", "supplement_repeats", "late_entry", "documents"},
}

// Categories are the Chinese names of the eleven categories (C1), as the
// wiring passes catalog's to scenario.Options.
var Categories = []string{"行政许可", "行政处罚", "行政征收", "行政给付", "行政奖励", "行政强制", "行政确认", "行政裁决",
	"行政检查", "基本公共服务", "其他行政权力"}

// Flows returns the shipped flows by code.
func Flows(t testing.TB) map[string]*flow.Flow {
	t.Helper()
	fs, err := flow.Shipped(FlowOptions)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*flow.Flow{}
	for _, f := range fs {
		out[f.Code] = f
	}
	return out
}

// Calendar returns the national calendar (the embedded State Council years).
func Calendar(t testing.TB) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// ProvisionalCalendar is the national calendar with provisional years after
// the last notice (L9), as the stored calendar builds it.
func ProvisionalCalendar(t testing.TB) *calendar.Calendar {
	t.Helper()
	ys, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.New(ys, calendar.Options{ProvisionalYears: calendar.ProvisionalHorizon})
	if err != nil {
		t.Fatal(err)
	}
	return cal
}
