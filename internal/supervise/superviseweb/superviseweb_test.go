package superviseweb

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/supervise"
)

// Every message a template names is in the table, in both languages, and
// every level and order state has its words.
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
	for _, l := range []supervise.Level{supervise.Reminder, supervise.Yellow, supervise.Red} {
		if !messages.Has("level." + string(l)) {
			t.Errorf("level %s has no words", l)
		}
	}
	for _, s := range []supervise.OrderState{supervise.OrderIssued, supervise.OrderAnswered, supervise.OrderClosed} {
		if !messages.Has("state." + string(s)) {
			t.Errorf("order state %s has no words", s)
		}
	}
	for _, src := range []supervise.Source{supervise.FromCard, supervise.FromOrder, supervise.FromInspection, supervise.FromComplaint, supervise.FromRating, supervise.FromExternal} {
		if !messages.Has("source." + string(src)) {
			t.Errorf("source %s has no words", src)
		}
	}
	for _, k := range supervise.ExternalKinds() {
		if !messages.Has("kind." + string(k)) {
			t.Errorf("kind of external supervisor %s has no words", k)
		}
	}
	for _, s := range []supervise.RectState{supervise.RectOpen, supervise.RectClosed} {
		if !messages.Has("rstate." + string(s)) {
			t.Errorf("rectification state %s has no words", s)
		}
	}
	for _, k := range []supervise.EnquiryKind{supervise.Letter, supervise.Interview} {
		if !messages.Has("ekind." + string(k)) {
			t.Errorf("enquiry kind %s has no words", k)
		}
	}
	for _, a := range []supervise.Audience{supervise.ToResponsible, supervise.ToUnit, supervise.ToUnitHead, supervise.ToSupervision, supervise.ToLeader} {
		if !messages.Has("aud." + string(a)) {
			t.Errorf("audience %s has no words", a)
		}
	}
	for _, id := range msg.IDs("zh") {
		if !strings.HasPrefix(id, string(messages)+".") {
			continue
		}
		if zh, en := msg.Text("zh", id), msg.Text("en", id); zh == "" || en == "" || zh == en {
			t.Errorf("message %q lacks a language", id)
		}
	}
}

// The filter read from a query keeps only what it knows; a level it does
// not know is the service's to refuse, naming the field.
func TestFilter_fromTheQuery(t *testing.T) {
	for _, c := range []struct {
		query string
		want  string
	}{
		{"", "{    false 0}"},
		{"body=/1/&unit=ZHZF&level=red&case=X&all=true", "{/1/ ZHZF red X true 0}"},
		{"all=maybe&level=%20yellow%20", "{  yellow  false 0}"},
	} {
		if got := fmtFilter(c.query); got != c.want {
			t.Errorf("%q: %s, want %s", c.query, got, c.want)
		}
	}
}
