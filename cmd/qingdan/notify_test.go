package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
)

// TestApp_outboxDeliversAndTheHeaderCountsTheInbox: the wired deliverer
// runs as serve starts it, an in-app message to a window clerk lands in
// their inbox, and every page's header then shows the inbox with its
// unread count; reading it on /inbox (a plain form) clears the count.
func TestApp_outboxDeliversAndTheHeaderCountsTheInbox(t *testing.T) {
	a, srv := demoApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.deliver(ctx) }()
	defer func() { cancel(); <-done }()

	window := bearer(t, a, "window1")
	p, err := a.auth.TokenPrincipal(context.Background(), window)
	if err != nil {
		t.Fatal(err)
	}
	if _, body := send(t, srv, "GET", "/account/tokens", window, "", ""); !strings.Contains(body, `<a class="badge" href="/inbox" aria-label="站内消息">站内消息</a>`) {
		t.Errorf("no inbox in the header before any message: %.300s", headerOf(body))
	}
	m := notify.Inbox(p.StaffID, "新申请待受理", "", "/inbox")
	m.BodyID = p.BodyID
	if err := a.db.Write(ctx, func(tx *store.Tx) error { return notifydb.Enqueue(ctx, tx, m) }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for n := 0; n == 0; {
		if n, err = a.notes.Unread(ctx, p); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the message did not land within 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, body := send(t, srv, "GET", "/account/tokens", window, "", "")
	if !strings.Contains(body, `aria-label="站内消息（1 条未读）">站内消息 <span class="count">1</span></a>`) {
		t.Errorf("the header does not count the unread message: %.400s", headerOf(body))
	}
	if _, body := send(t, srv, "GET", "/inbox", window, "", ""); !strings.Contains(body, "新申请待受理") {
		t.Errorf("the inbox lacks the message: %.400s", body)
	}
	if status, _ := send(t, srv, "POST", "/inbox/read-all", window, "x=1", ""); status != http.StatusSeeOther {
		t.Errorf("mark all read: %d", status)
	}
	if _, body := send(t, srv, "GET", "/account/tokens", window, "", ""); strings.Contains(body, `class="count"`) {
		t.Error("the count stays after reading")
	}
}

func headerOf(body string) string {
	if i := strings.Index(body, "<header"); i >= 0 {
		body = body[i:]
	}
	if i := strings.Index(body, "</header>"); i >= 0 {
		body = body[:i]
	}
	return body
}

// TestServe_notifySettingsNamedWhenWrong: settings of the outbox that
// cannot work stop the start with the flag named; several gateway headers
// come from one environment variable, one per line.
func TestServe_notifySettingsNamedWhenWrong(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--smtp-host", "mail.example.gov.cn", "--smtp-from", "x"}, "--smtp-from"},
		{[]string{"--smtp-host", "mail.example.gov.cn", "--smtp-from", "a@example.gov.cn", "--smtp-tls", "ssl"}, "--smtp-tls"},
		{[]string{"--smtp-host", "mail.example.gov.cn", "--smtp-from", "a@example.gov.cn", "--smtp-tls", "none", "--smtp-user", "u"}, "--smtp-tls"},
		{[]string{"--smtp-host", "mail.example.gov.cn", "--smtp-from", "a@example.gov.cn", "--smtp-ca-file", "/no/such/file"}, "--smtp-ca-file"},
		{[]string{"--sms-url", "sms.example.com/send"}, "--sms-url"},
		{[]string{"--sms-url", "https://sms.example.com/send", "--sms-template", "{{.mobile}}"}, "--sms-template"},
		{[]string{"--sms-url", "https://sms.example.com/send", "--sms-ok", "code"}, "--sms-ok"},
		{[]string{"--sms-header", "no colon"}, "sms-header"},
		{[]string{"--notify-max-attempts", "0"}, "--notify-max-attempts"},
		{[]string{"--notify-backoff", "1h", "--notify-backoff-max", "1m"}, "--notify-backoff"},
		{[]string{"--notify-in-flight", "0"}, "--notify-in-flight"},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		cfg := serveFlags(fs)
		err := parseFlags(fs, tc.args, io.Discard)
		if err == nil {
			err = cfg.check()
		}
		if err == nil || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, tc.flag)
		}
	}

	t.Setenv("QINGDAN_SMS_HEADER", "X-Api-Key: k-123\nX-Sign-Name: 青山街道")
	t.Setenv("QINGDAN_SMS_URL", "https://sms.example.com/send")
	t.Setenv("QINGDAN_SMS_OK", "code=0")
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg := serveFlags(fs)
	if err := parseFlags(fs, nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	ch, err := cfg.notify.channels()
	if err != nil {
		t.Fatal(err)
	}
	g, ok := ch.SMS.(*notify.SMSGateway)
	if !ok || g.Header.Get("X-Api-Key") != "k-123" || g.Header.Get("X-Sign-Name") != "青山街道" || g.OKField != "code" || ch.Email != nil {
		t.Errorf("channels from the environment: %+v", ch)
	}
}
