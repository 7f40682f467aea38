package notify_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/notify"
)

// fieldOf is the field an apperr error names ("" for nil).
func fieldOf(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Field
}

func concerning(m notify.Message) notify.Message {
	m.BodyID = 7
	return m
}

func TestMessage_validateNamesTheField(t *testing.T) {
	long := strings.Repeat("长", notify.MaxSMS+1)
	hook, err := notify.Post("supervision-unit", map[string]any{"case": "330199-2026-000123"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		m     notify.Message
		field string
	}{
		{"an email", notify.Mail("张三 <zhang@example.com>", "受理通知", "已受理"), ""},
		{"an SMS", notify.Text("+86 138-0013-8000", "您的申请已受理"), ""},
		{"a webhook", hook, ""},
		{"an in-app message", notify.Inbox(12, "新的案件", "", "/cases/9"), ""},
		{"no body", notify.Message{Channel: notify.Email, Recipient: "a@example.com", Subject: "s", Body: "b"}, "body_id"},
		{"unknown channel", notify.Message{Channel: "fax", Recipient: "1"}, "channel"},
		{"bad address", notify.Mail("zhang", "s", "b"), "recipient"},
		{"subject with a line break", notify.Mail("a@example.com", "s\r\nBcc: x@example.com", "b"), "subject"},
		{"email without text", notify.Mail("a@example.com", "s", " "), "body"},
		{"email without subject", notify.Mail("a@example.com", "", "b"), "subject"},
		{"landline", notify.Text("0571-88888888", "t"), "recipient"},
		{"mobile with 12 digits", notify.Text("138001380001", "t"), "recipient"},
		{"SMS too long", notify.Text("13800138000", long), "body"},
		{"SMS with a subject", notify.Message{Channel: notify.SMS, Recipient: "13800138000", Subject: "s", Body: "t"}, "subject"},
		{"webhook to a bad name", notify.Message{Channel: notify.Webhook, Recipient: "a b", Payload: json.RawMessage(`{}`)}, "recipient"},
		{"webhook without payload", notify.Message{Channel: notify.Webhook, Recipient: "x"}, "payload"},
		{"webhook with broken JSON", notify.Message{Channel: notify.Webhook, Recipient: "x", Payload: json.RawMessage(`{`)}, "payload"},
		{"in-app to no one", notify.Inbox(0, "t", "", ""), "recipient"},
		{"in-app to another host", notify.Inbox(3, "t", "", "//evil.example/x"), "link"},
		{"in-app to a URL", notify.Inbox(3, "t", "", "https://evil.example/x"), "link"},
		{"in-app without title", notify.Inbox(3, "", "text", "/x"), "subject"},
		{"link on an email", notify.Message{Channel: notify.Email, Recipient: "a@example.com", Subject: "s", Body: "b", Link: "/x"}, "link"},
		{"payload on an SMS", notify.Message{Channel: notify.SMS, Recipient: "13800138000", Body: "b", Payload: json.RawMessage(`{}`)}, "payload"},
		{"half a root", notify.Message{Channel: notify.SMS, Recipient: "13800138000", Body: "b", RootType: "case"}, "root_id"},
		{"NUL in the text", notify.Text("13800138000", "a\x00b"), "body"},
		{"invalid UTF-8", notify.Mail("a@example.com", "s", "\xff"), "body"},
		{"an item without text", notify.Message{Channel: notify.InApp, Recipient: "3", Subject: "t", Items: []notify.Item{{Text: "ok"}, {Text: " "}}}, "items[1].text"},
		{"an item leading away", notify.Message{Channel: notify.InApp, Recipient: "3", Subject: "t", Items: []notify.Item{{Text: "ok", Link: "javascript:x"}}}, "items[0].link"},
	} {
		m := tc.m
		if tc.field != "body_id" {
			m = concerning(m)
		}
		_, err := m.Validate()
		if got := fieldOf(err); got != tc.field {
			t.Errorf("%s: error %v on field %q, want %q", tc.name, err, got, tc.field)
		}
		if err != nil {
			if e := apperr.As(err); e.Code != apperr.Invalid || e.Message("zh") == "" || e.Message("en") == "" || e.Message("zh") == e.Message("en") {
				t.Errorf("%s: %#v, want an Invalid error in both languages", tc.name, e)
			}
		}
	}
}

func TestMessage_validateNormalises(t *testing.T) {
	m, err := concerning(notify.Text("+86 138-0013-8000", "t")).Validate()
	if err != nil || m.Recipient != "13800138000" {
		t.Errorf("mobile stored as %q (%v)", m.Recipient, err)
	}
	m, err = concerning(notify.Mail(" 张三 <zhang@example.com> ", " 标题 ", "b")).Validate()
	if err != nil || m.Recipient != "zhang@example.com" || m.Subject != "标题" {
		t.Errorf("email stored to %q titled %q (%v)", m.Recipient, m.Subject, err)
	}
}

func TestParseMobile(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000": "13800138000", "+8619912345678": "19912345678", "86 150 1234 5678": "15012345678",
		"12800138000": "", "1380013800": "", "23800138000": "", "1380013800x": "", "": "", "+1 13800138000": "",
	} {
		got, err := notify.ParseMobile(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("ParseMobile(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestRetry_exponentialWithJitterAndACap(t *testing.T) {
	r := notify.Retry{Base: time.Second, Max: 10 * time.Second, MaxAttempts: 4}
	for _, tc := range []struct {
		n        int
		jitter   float64
		min, max time.Duration
	}{
		{1, 0, 500 * time.Millisecond, 500 * time.Millisecond},
		{1, 0.999, 999 * time.Millisecond, time.Second},
		{2, 0, time.Second, time.Second},
		{3, 0.5, 3 * time.Second, 3 * time.Second},
		{4, 0.999, 7990 * time.Millisecond, 8 * time.Second},
		{5, 0.999, 9990 * time.Millisecond, 10 * time.Second}, // capped
		{60, 0, 5 * time.Second, 5 * time.Second},             // no overflow
	} {
		if d := r.Delay(tc.n, tc.jitter); d < tc.min || d > tc.max {
			t.Errorf("Delay(%d, %v) = %v, want %v–%v", tc.n, tc.jitter, d, tc.min, tc.max)
		}
	}
	if r.GivesUp(3) || !r.GivesUp(4) {
		t.Error("GivesUp: four attempts, then dead")
	}
	if notify.DefaultRetry.MaxAttempts != 8 || notify.DefaultRetry.Check() != nil {
		t.Error("the default gives up after 8 attempts")
	}
	for _, bad := range []notify.Retry{{Base: 0, Max: time.Second, MaxAttempts: 3}, {Base: time.Minute, Max: time.Second, MaxAttempts: 3},
		{Base: time.Second, Max: time.Second, MaxAttempts: 0}} {
		if bad.Check() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestDigest_oneMessagePerPerson(t *testing.T) {
	var d notify.Digest
	d.Add(5, notify.Item{Text: "案件 A 即将到期", Link: "/cases/1"})
	d.Add(9, notify.Item{Text: "案件 B 已超期"})
	d.Add(5, notify.Item{Text: "案件 C 即将到期", Link: "/cases/3"})
	for i := range notify.MaxItems + 1 {
		d.Add(11, notify.Item{Text: "x", Link: "/cases/" + string(rune('0'+i%10))})
	}
	ms := d.InApp("督办提醒", "/supervise")
	if d.Len() != 3 || len(ms) != 4 {
		t.Fatalf("%d people, %d messages; want 3 people and 4 messages (501 items split in two)", d.Len(), len(ms))
	}
	if ms[0].Recipient != "5" || len(ms[0].Items) != 2 || ms[0].Items[1].Text != "案件 C 即将到期" || ms[1].Recipient != "9" {
		t.Errorf("digests %+v", ms[:2])
	}
	for _, m := range ms {
		if _, err := concerning(m).Validate(); err != nil {
			t.Errorf("a digest message is not valid: %v", err)
		}
	}
}

// Every message ID the package uses has words in the catalogue (which
// checks both languages and their verbs); none is left unused.
func TestWords_everyIDInBothLanguages(t *testing.T) {
	used := map[string]bool{}
	call := regexp.MustCompile(`(?:invalid\([^,]+|refusal\([^,]+, [^,]+), "([a-z_.]+)"`)
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	words := notify.WordsForTest()
	for id := range used {
		if !words.Has(id) {
			t.Errorf("message %q has no words", id)
		}
	}
	for _, id := range msg.IDs("zh") {
		if k, ok := strings.CutPrefix(id, words.ID("")); ok && !used[k] {
			t.Errorf("message %q is never used", k)
		}
	}
}
