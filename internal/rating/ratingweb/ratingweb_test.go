package ratingweb

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Every message a template names is in the table, in both languages, and
// every callback state, appeal kind and channel has its words; the pages
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
	for _, s := range rating.CallbackStates {
		if !messages.Has("callback." + string(s)) {
			t.Errorf("callback state %s has no words", s)
		}
	}
	for _, k := range []string{"appeal.mistaken", "appeal.malicious", "channel.portal", "channel.link", "channel.kiosk"} {
		if !messages.Has(k) {
			t.Errorf("%s has no words", k)
		}
	}
	// Both languages of every ID: internal/msg's TestCatalogue_everyIDInBothLanguages.
	if _, err := page.Parse(templateFS, messages, funcs(), pageNames...); err != nil {
		t.Fatal(err)
	}
}
