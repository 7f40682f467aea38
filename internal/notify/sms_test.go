package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/notify"
)

// gateway is an SMS gateway on localhost: it records each request and
// answers with status and answer.
type gateway struct {
	status int
	answer string
	mu     sync.Mutex
	reqs   []gatewayRequest
}

type gatewayRequest struct {
	method, contentType, key string
	body                     []byte
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.reqs = append(g.reqs, gatewayRequest{method: r.Method, contentType: r.Header.Get("Content-Type"), key: r.Header.Get("X-Api-Key"), body: b})
	g.mu.Unlock()
	w.WriteHeader(g.status)
	if _, err := io.WriteString(w, g.answer); err != nil {
		return // the client left
	}
}

func smsGateway(t *testing.T, g *gateway, template, check string, headers ...string) *notify.SMSGateway {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	tmpl, err := notify.ParseSMSTemplate(template)
	if err != nil {
		t.Fatal(err)
	}
	gw := &notify.SMSGateway{URL: srv.URL + "/sms/send", Body: tmpl, Header: http.Header{}}
	if gw.OKField, gw.OKValue, err = notify.ParseSMSCheck(check); err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, err := notify.ParseSMSHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		gw.Header.Add(k, v)
	}
	if err := gw.Check(); err != nil {
		t.Fatal(err)
	}
	return gw
}

const smsText = `您的申请已受理，编号 330199-2026-000123。"查询码"见短信：8F3K`

func TestSMS_jsonTemplateCarriesChineseAndQuotes(t *testing.T) {
	g := &gateway{status: http.StatusOK, answer: `{"result":{"code":0,"msg":"成功"}}`}
	gw := smsGateway(t, g, notify.DefaultSMSTemplate, "result.code=0", "X-Api-Key: k-123")
	if err := gw.Send(context.Background(), delivery("s1", notify.Text("13800138000", smsText))); err != nil {
		t.Fatal(err)
	}
	if len(g.reqs) != 1 {
		t.Fatalf("%d requests", len(g.reqs))
	}
	r := g.reqs[0]
	var got map[string]string
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("the body is not JSON: %v: %s", err, r.body)
	}
	if got["phone"] != "13800138000" || got["text"] != smsText || got["id"] != "s1" || r.method != "POST" || r.key != "k-123" ||
		!strings.HasPrefix(r.contentType, "application/json") {
		t.Errorf("request %+v, body %v", r, got)
	}
}

func TestSMS_formTemplate(t *testing.T) {
	g := &gateway{status: http.StatusOK, answer: "OK"}
	gw := smsGateway(t, g, `mobile={{urlquery .phone}}&content={{urlquery .text}}&sid={{urlquery .id}}`, "",
		"Content-Type: application/x-www-form-urlencoded")
	if err := gw.Send(context.Background(), delivery("s2", notify.Text("13800138000", smsText))); err != nil {
		t.Fatal(err)
	}
	v, err := url.ParseQuery(string(g.reqs[0].body))
	if err != nil || v.Get("content") != smsText || v.Get("mobile") != "13800138000" || v.Get("sid") != "s2" {
		t.Errorf("form %v (%v)", v, err)
	}
}

// Success is the status and, when configured, the JSON field: a 200 that
// says the message was refused is a failure to retry.
func TestSMS_failureJudgedByStatusAndField(t *testing.T) {
	ctx := context.Background()
	d := delivery("s3", notify.Text("13800138000", "t"))
	for _, tc := range []struct {
		status        int
		answer, check string
		ok            bool
	}{
		{200, `{"code":"0"}`, "code=0", true},
		{200, `{"code":"1007","msg":"余额不足"}`, "code=0", false},
		{200, `not json`, "code=0", false},
		{200, `{"ok":true}`, "ok=true", true},
		{500, `{"code":0}`, "code=0", false},
		{429, `slow down`, "", false},
		{204, ``, "", true},
	} {
		g := &gateway{status: tc.status, answer: tc.answer}
		err := smsGateway(t, g, notify.DefaultSMSTemplate, tc.check).Send(ctx, d)
		if (err == nil) != tc.ok || notify.IsPermanent(err) {
			t.Errorf("%d %s (check %q): %v", tc.status, tc.answer, tc.check, err)
		}
	}
}

func TestSMS_configurationRefusals(t *testing.T) {
	for _, tmpl := range []string{`{{.phone`, `{{.mobile}}`} {
		if _, err := notify.ParseSMSTemplate(tmpl); fieldOf(err) != "sms_template" {
			t.Errorf("template %q: %v", tmpl, err)
		}
	}
	for _, h := range []string{"no colon", ": value", "Bad Name: v"} {
		if _, _, err := notify.ParseSMSHeader(h); fieldOf(err) != "sms_header" {
			t.Errorf("header %q: %v", h, err)
		}
	}
	if _, _, err := notify.ParseSMSCheck("code"); fieldOf(err) != "sms_ok" {
		t.Errorf("check without '=': %v", err)
	}
	tmpl, err := notify.ParseSMSTemplate(notify.DefaultSMSTemplate)
	if err != nil {
		t.Fatal(err)
	}
	for _, gw := range []notify.SMSGateway{{URL: "smtp://x", Body: tmpl}, {URL: "https://sms.example.com", Method: "DELETE", Body: tmpl}} {
		if err := gw.Check(); err == nil {
			t.Errorf("%+v accepted", gw)
		}
	}
}
