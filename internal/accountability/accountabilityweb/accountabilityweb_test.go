package accountabilityweb

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/qingdan/qingdan/internal/web/page"
)

// Every message a template names is in the table, in both languages, and
// every state and subject kind has its words; the pages
// parse with their functions.
func TestPages_messagesComplete(t *testing.T) {
	re := regexp.MustCompile(`\bt \S+ "([a-z_.]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if !messages.Has(m[1]) {
				t.Errorf("%s: message %q missing", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"state.opened", "state.heard", "state.decided", "kind.staff", "kind.window"} {
		if !messages.Has(k) {
			t.Errorf("%s has no words", k)
		}
	}
	// Both languages of every ID: internal/msg's TestCatalogue_everyIDInBothLanguages.
	if _, err := page.Parse(templateFS, messages, funcs(), pageNames...); err != nil {
		t.Fatal(err)
	}
}

// The subject field names one staff member or one window, never both.
func FuzzSubjectOf(f *testing.F) {
	for _, s := range []string{"s:12", "w:3", "x:1", "s:-1", "s:", ":", "w:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		staff, window := subjectOf(v)
		if staff < 0 || window < 0 || staff > 0 && window > 0 {
			t.Fatalf("%q: staff %d window %d", v, staff, window)
		}
	})
}
