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

// The calendar what-if's days, one a line: a date, off or work (休, 班),
// the day's name; a mistake names its line.
func TestParseDays_L1_oneDayALine_mistakesNameTheLine(t *testing.T) {
	days, err := parseDays("2027-02-06 work 春节调休\n\n 2027-02-10 休 春节 \n2027-10-09 班 国庆节调休")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 3 || days[0].IsOffDay || days[0].Name != "春节调休" || !days[1].IsOffDay || days[1].Name != "春节" ||
		days[1].Date.String() != "2027-02-10" || days[2].IsOffDay {
		t.Fatalf("days %+v", days)
	}
	for _, c := range []struct{ text, line string }{
		{"2027-02-06 maybe 春节", "第 1 行"},
		{"2027-02-06 work x\n2027-02-30 off x", "第 2 行"},
		{"x\n", "第 1 行"},
	} {
		_, err := parseDays(c.text)
		if fieldOf(err) != "days" || !strings.Contains(apperrText(err), c.line) {
			t.Errorf("%q: %v, want a mistake on %s", c.text, err, c.line)
		}
	}
}
