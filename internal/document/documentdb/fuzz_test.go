package documentdb_test

import (
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/document/documentdb"
)

// FuzzPrefix: whatever a body is named, its numbers' prefix is one that
// document accepts (1–8 Han characters), so no name makes issuing fail.
func FuzzPrefix(f *testing.F) {
	for _, s := range []string{"青山镇人民政府", "青山街道", "区", "", "ABC", "某某某某某某某某某某管理委员会", "溪口乡\x00", "\u3000镇"} {
		f.Add(s)
	}
	day := calendar.DateOf(2026, 3, 2)
	f.Fuzz(func(t *testing.T, name string) {
		p := documentdb.Prefix(name)
		n, err := document.NumberFor(p, document.Specs[0], day, 1)
		if err != nil {
			t.Fatalf("Prefix(%q) = %q: %v", name, p, err)
		}
		if back, err := document.ParseNumber("number", n.String()); err != nil || back != n {
			t.Fatalf("%s does not read back: %v", n, err)
		}
	})
}
