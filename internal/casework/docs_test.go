package casework_test

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/casework"
)

// TestDocs_recordAndEventFieldsAreDocumented keeps docs/CASES.md true: every
// JSON field of the exchange record and of a timeline event is named there.
func TestDocs_recordAndEventFieldsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/CASES.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{casework.Record{}, casework.Event{}} {
		for _, name := range jsonNames(reflect.TypeOf(v), map[reflect.Type]bool{}) {
			if !strings.Contains(string(doc), "`"+name+"`") {
				t.Errorf("%T: field %s is not documented in docs/CASES.md", v, name)
			}
		}
	}
}

// jsonNames lists the JSON names of t's fields and of the structs they
// hold, except the calendar's own types and times.
func jsonNames(t reflect.Type, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] || t == reflect.TypeOf(time.Time{}) || t.PkgPath() != reflect.TypeOf(casework.Case{}).PkgPath() {
		return nil
	}
	seen[t] = true
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
		out = append(out, jsonNames(f.Type, seen)...)
	}
	return out
}
