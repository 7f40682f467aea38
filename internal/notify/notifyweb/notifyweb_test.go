package notifyweb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

var ctx = context.Background()

// fixture serves the package's routes behind the web server's guard over
// the demo organisation, every demo account logged in under
// webtest.Token(login).
type fixture struct {
	db     *store.DB
	env    *webtest.Env
	svc    *notifydb.Service
	routes []httpx.Route
	people map[string]access.Principal
	bodies map[string]int64 // code → id
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	d := orgtest.Load(t, db)
	svc := notifydb.New(db)
	top := func(r *http.Request) (string, error) { return org.TopPath(r.Context(), db) }
	routes, err := Routes(svc, Options{Frame: fakeFrame{}, TopPath: top})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, env: webtest.New(t, routes...), svc: svc, routes: routes, people: d.People, bodies: d.Bodies}
	for login, p := range d.People {
		f.env.Sessions.Put(webtest.Token(login), p)
	}
	return f
}

// fakeFrame renders the content bare: the tests check the guard and the
// handlers, not the layout.
type fakeFrame struct{}

func (fakeFrame) Page(w http.ResponseWriter, _ *http.Request, status int, title string, content template.HTML) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<title>%s</title>%s", title, content)
}
func (fakeFrame) CSRFToken(*http.Request) string { return webtest.CSRFToken }

func (f *fixture) do(t *testing.T, sc webtest.Scenario) string {
	t.Helper()
	_, body := webtest.Do(t, f.env.Server, sc)
	return body
}

func (f *fixture) enqueue(t *testing.T, ms ...notify.Message) {
	t.Helper()
	if err := f.db.Write(ctx, func(tx *store.Tx) error {
		for _, m := range ms {
			if err := notifydb.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// run runs a deliverer with tiny delays until the test ends.
func (f *fixture) run(t *testing.T, attempts int) {
	t.Helper()
	d, err := notifydb.NewDeliverer(f.db, notifydb.Config{Channels: notifydb.Channels{Webhooks: &notify.Webhooks{Timeout: 5 * time.Second}},
		Poll: 20 * time.Millisecond, Retry: notify.Retry{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond, MaxAttempts: attempts}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(rctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Error(err)
		}
	})
}

// waitFor polls the outbox until every message is in state, or fails.
func (f *fixture) waitFor(t *testing.T, state notify.State, n int) []notifydb.Entry {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		o, err := f.svc.Outbox(ctx, f.people["admin"], notifydb.Filter{State: state})
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Entries) == n {
			return o.Entries
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages %s after 20 s, want %d", len(o.Entries), state, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// receiver is a webhook receiver on localhost that verifies signatures
// and answers 502 while broken.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	broken bool
	got    []string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{broken: true}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if err == nil {
			err = notify.Verify(rc.secret, r.Header, body, time.Now(), 0)
		}
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusUnauthorized)
		case rc.broken:
			http.Error(w, "网关错误", http.StatusBadGateway)
		default:
			rc.got = append(rc.got, r.Header.Get(notify.HeaderDeliveryID))
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) set(secret string, broken bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret, rc.broken = secret, broken
}

// The never-succeeding receiver: the message is dead after its attempts,
// the outbox page shows it with its last error and a retry button (a plain
// form), the API lists it; once the receiver is fixed, the page's retry
// sends it. Out of the jurisdiction, or without the role, nobody retries.
func TestOutbox_deadLetterShownAndRetriedFromThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		rc := newReceiver(t)
		// The endpoint, through its page: the secret is shown once.
		body := f.do(t, webtest.Scenario{Method: "POST", URL: "/admin/webhooks", As: "admin", Status: http.StatusCreated,
			Body: url.Values{"name": {"supervision"}, "url": {rc.srv.URL + "/in"}}.Encode(), Contains: []string{"class=\"secret\""}})
		secret := regexp.MustCompile(`<code class="secret">([0-9a-f]{64})</code>`).FindStringSubmatch(body)
		if secret == nil {
			t.Fatalf("no secret on the page: %.500s", body)
		}
		rc.set(secret[1], true)
		f.do(t, webtest.Scenario{URL: "/admin/webhooks", As: "admin", Status: http.StatusOK, Contains: []string{"supervision"}, NotContains: []string{secret[1]}})

		m, err := notify.Post("supervision", map[string]string{"number": "330199001-2026-000010"})
		if err != nil {
			t.Fatal(err)
		}
		m.BodyID, m.RootType, m.RootID, m.Cause = f.bodies["330199001"], "case", "330199001-2026-000010", "case.completed"
		f.enqueue(t, m)
		f.run(t, 3)
		dead := f.waitFor(t, notify.Dead, 1)[0]
		if dead.Attempts != 3 || !strings.Contains(dead.LastError, "502") {
			t.Fatalf("dead letter %+v", dead)
		}
		id := strconv.FormatInt(dead.ID, 10)
		f.do(t, webtest.Scenario{URL: "/admin/outbox?state=dead", As: "admin", Status: http.StatusOK,
			Contains: []string{`id="m` + id + `"`, "502 Bad Gateway", `action="/admin/outbox/` + id + `/retry"`, "死信", "330199001-2026-000010"}})
		f.do(t, webtest.Scenario{URL: "/admin/outbox?state=dead", As: "qingshan_admin", Status: http.StatusOK, Contains: []string{`id="m` + id + `"`}})
		f.do(t, webtest.Scenario{URL: "/admin/outbox", As: "xikou_admin", Status: http.StatusOK, NotContains: []string{`id="m` + id + `"`}})
		f.do(t, webtest.Scenario{URL: "/api/v1/outbox?state=dead", As: "admin", Bearer: true, Status: http.StatusOK,
			Check: func(t *testing.T, _ *http.Response, body string) {
				var o OutboxAnswer
				if err := json.Unmarshal([]byte(body), &o); err != nil || len(o.Messages) != 1 || o.Messages[0].State != "dead" ||
					o.Messages[0].DeliveryID != dead.DeliveryID || len(o.Counts) == 0 {
					t.Errorf("API outbox %v: %s", err, body)
				}
			}})

		for _, who := range []string{"xikou_admin", "qingshan1"} {
			f.do(t, webtest.Scenario{Method: "POST", URL: "/admin/outbox/" + id + "/retry", As: who, Status: http.StatusForbidden})
			f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/outbox/" + id + "/retry", As: who, Bearer: true, Status: http.StatusForbidden})
		}
		rc.set(secret[1], false)
		f.do(t, webtest.Scenario{Method: "POST", URL: "/admin/outbox/" + id + "/retry", As: "qingshan_admin", Status: http.StatusSeeOther, Location: "/admin/outbox?done=retried"})
		sent := f.waitFor(t, notify.Sent, 1)[0]
		if sent.DeliveryID != dead.DeliveryID || sent.Attempts != 1 {
			t.Errorf("after the retry: %+v", sent)
		}
		rc.mu.Lock()
		got := append([]string(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) != 1 || got[0] != dead.DeliveryID {
			t.Errorf("the receiver got %v", got)
		}
		// A sent message is no dead letter.
		f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/outbox/" + id + "/retry", As: "admin", Bearer: true, Status: http.StatusConflict})
	})
}

func TestOutbox_filtersAndAllDead(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	for _, sc := range []webtest.Scenario{
		{URL: "/api/v1/outbox?state=lost", As: "admin", Bearer: true, Status: http.StatusBadRequest, Contains: []string{`"field":"state"`}},
		{URL: "/api/v1/outbox?channel=fax", As: "admin", Bearer: true, Status: http.StatusBadRequest, Contains: []string{`"field":"channel"`}},
		{URL: "/api/v1/outbox?before=x", As: "admin", Bearer: true, Status: http.StatusBadRequest, Contains: []string{`"field":"before"`}},
		{URL: "/admin/outbox?state=lost", As: "admin", Status: http.StatusBadRequest, Contains: []string{"lost"}},
		{URL: "/admin/outbox", As: "supervisor1", Status: http.StatusForbidden},
		{URL: "/admin/outbox", Status: http.StatusSeeOther},
		{URL: "/api/v1/outbox", Status: http.StatusUnauthorized},
		{URL: "/api/v1/outbox/99999", As: "admin", Bearer: true, Status: http.StatusNotFound},
	} {
		f.do(t, sc)
	}
	// Email with no email channel: dead at once, for both towns.
	for _, town := range []string{"330199001", "330199101"} {
		m := notify.Mail("a@example.com", "通知", "内容")
		m.BodyID = f.bodies[town]
		f.enqueue(t, m)
	}
	f.run(t, 3)
	f.waitFor(t, notify.Dead, 2)
	f.do(t, webtest.Scenario{URL: "/admin/outbox?channel=email", As: "qingshan_admin", Status: http.StatusOK, Contains: []string{"重试全部死信（1 条）"}})
	f.do(t, webtest.Scenario{Method: "POST", URL: "/admin/outbox/retry-dead", As: "qingshan_admin", Body: "channel=email", Status: http.StatusSeeOther})
	f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/outbox/retry-dead?channel=fax", As: "admin", Bearer: true, Status: http.StatusBadRequest})
	f.waitFor(t, notify.Dead, 2) // 青山街道's died again (still no channel); 溪口镇's untouched
	var events int64
	if err := db.QueryRow(ctx, "SELECT count(*) FROM events WHERE action = 'notify.retried' AND actor = 'qingshan_admin'").Scan(&events); err != nil || events != 1 {
		t.Errorf("%d notify.retried events by 青山街道's administrator (%v), want 1", events, err)
	}
	f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/outbox/retry-dead", As: "admin", Bearer: true, Status: http.StatusOK, Contains: []string{`"retried":2`}})
}

// Webhook endpoints are the root body's administrator's; their secret
// appears once, in the answer that made it.
func TestWebhooks_rootAdministratorOnlySecretOnce(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	var created WebhookSecret
	f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/webhooks", As: "admin", Bearer: true, Status: http.StatusCreated,
		Body: `{"name":"archive","url":"https://archive.example.gov.cn/in"}`,
		Check: func(t *testing.T, res *http.Response, body string) {
			if err := json.Unmarshal([]byte(body), &created); err != nil || len(created.Secret) != 64 || res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("created %v %s (%q)", err, body, res.Header.Get("Cache-Control"))
			}
		}})
	id := strconv.FormatInt(created.Webhook.ID, 10)
	for _, sc := range []webtest.Scenario{
		{URL: "/api/v1/webhooks", As: "admin", Bearer: true, Status: http.StatusOK, Contains: []string{"archive"}, NotContains: []string{created.Secret}},
		{Method: "POST", URL: "/api/v1/webhooks", As: "admin", Bearer: true, Body: `{"name":"archive","url":"https://x.example.com/"}`, Status: http.StatusConflict, Contains: []string{`"field":"name"`}},
		{Method: "POST", URL: "/api/v1/webhooks", As: "admin", Bearer: true, Body: `{"name":"x","url":"ftp://x.example.com/"}`, Status: http.StatusBadRequest, Contains: []string{`"field":"url"`}},
		{Method: "POST", URL: "/api/v1/webhooks", As: "admin", Bearer: true, Body: `{"name":"x"}`, Status: http.StatusBadRequest, Contains: []string{`"field":"url"`}},
		{URL: "/api/v1/webhooks/" + id, As: "admin", Bearer: true, Status: http.StatusOK, Contains: []string{`"version":1`}, NotContains: []string{created.Secret},
			Check: func(t *testing.T, res *http.Response, _ string) {
				if res.Header.Get("ETag") != `"1"` {
					t.Errorf("ETag %q, want \"1\"", res.Header.Get("ETag"))
				}
			}},
		// H1: an edit names the version it was based on; a stale one changes nothing.
		{Method: "PATCH", URL: "/api/v1/webhooks/" + id, As: "admin", Bearer: true, Body: `{"url":"https://archive2.example.gov.cn/in","active":false}`, Status: http.StatusPreconditionRequired},
		{Method: "PATCH", URL: "/api/v1/webhooks/" + id, As: "admin", Bearer: true, Header: map[string]string{"If-Match": `"1"`}, Body: `{"url":"https://archive2.example.gov.cn/in","active":false}`, Status: http.StatusOK, Contains: []string{`"active":false`, `"version":2`}},
		{Method: "PATCH", URL: "/api/v1/webhooks/" + id, As: "admin", Bearer: true, Header: map[string]string{"If-Match": `"1"`}, Body: `{"url":"https://lost.example.gov.cn/in","active":true}`, Status: http.StatusConflict, Contains: []string{`"field":"version"`, `"current"`, "archive2.example.gov.cn"}},
		{Method: "POST", URL: "/api/v1/webhooks/" + id + "/secret", As: "admin", Bearer: true, Status: http.StatusOK, Contains: []string{`"secret":"`}, NotContains: []string{created.Secret}},
		{Method: "POST", URL: "/admin/webhooks/" + id, As: "admin", Body: "version=2&url=https%3A%2F%2Fstale.example.com%2F&active=true", Status: http.StatusConflict, Contains: []string{"已被他人修改"}},
		{Method: "POST", URL: "/admin/webhooks/" + id, As: "admin", Body: "version=3&url=https%3A%2F%2Fa.example.com%2F&active=true", Status: http.StatusSeeOther, Location: "/admin/webhooks?done=saved"},
		{URL: "/admin/webhooks", As: "admin", Status: http.StatusOK, Contains: []string{"https://a.example.com/", "checked"}},
		{URL: "/admin/webhooks", As: "qingshan_admin", Status: http.StatusForbidden},
		{URL: "/api/v1/webhooks", As: "qingshan_admin", Bearer: true, Status: http.StatusForbidden},
		{Method: "POST", URL: "/api/v1/webhooks/" + id + "/secret", As: "qingshan_admin", Bearer: true, Status: http.StatusForbidden},
		{URL: "/admin/webhooks", As: "supervisor1", Status: http.StatusForbidden},
		{Method: "POST", URL: "/admin/webhooks", As: "admin", Body: "name=bad+name&url=https%3A%2F%2Fx.example.com%2F", Status: http.StatusBadRequest, Contains: []string{"名称：", `value="bad name"`}},
	} {
		f.do(t, sc)
	}
	rep, err := db.Verify(ctx, nil)
	if err != nil || !rep.OK() {
		t.Errorf("verify: %v %s", err, rep.Mismatch)
	}
}

// The inbox, without JavaScript: the messages listed newest first, a
// digest with its items, each marked read by a plain form; only one's own.
func TestInbox_listAndMarkReadWithoutJavaScript(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		office, cao := f.people["qingshan_office"], f.people["qingshan1"]
		one := notify.Inbox(office.StaffID, "新案件待受理", "案件已转来", "/cases/9")
		var d notify.Digest
		d.Add(office.StaffID, notify.Item{Text: "案件 A 明天到期", Link: "/cases/1"})
		d.Add(office.StaffID, notify.Item{Text: "案件 B 已超期"})
		msgs := append(d.InApp("督办提醒", "/supervise"), one)
		for i := range msgs {
			msgs[i].BodyID = f.bodies["330199001"]
		}
		f.enqueue(t, msgs...)
		f.run(t, 3)
		sent := f.waitFor(t, notify.Sent, 2)
		newest := strconv.FormatInt(sent[0].ID, 10)
		body := f.do(t, webtest.Scenario{URL: "/inbox", As: "qingshan_office", Status: http.StatusOK,
			Contains: []string{"未读 2 条", "新案件待受理", `href="/cases/9"`, "案件 A 明天到期", `href="/cases/1"`, `action="/inbox/` + newest + `/read"`, `action="/inbox/read-all"`}})
		if strings.Index(body, "新案件待受理") > strings.Index(body, "督办提醒") {
			t.Error("the inbox is not newest first")
		}
		f.do(t, webtest.Scenario{URL: "/inbox", As: "qingshan1", Status: http.StatusOK, Contains: []string{"未读 0 条"}, NotContains: []string{"新案件待受理"}})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/inbox/" + newest + "/read", As: "qingshan1", Status: http.StatusNotFound})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/inbox/" + newest + "/read", As: "qingshan_office", Status: http.StatusSeeOther, Location: "/inbox?done=read"})
		f.do(t, webtest.Scenario{URL: "/api/v1/inbox", As: "qingshan_office", Bearer: true, Status: http.StatusOK,
			Check: func(t *testing.T, _ *http.Response, body string) {
				var in Inbox
				if err := json.Unmarshal([]byte(body), &in); err != nil || in.Unread != 1 || len(in.Messages) != 2 || !in.Messages[0].Read || len(in.Messages[1].Items) != 2 {
					t.Errorf("API inbox %v: %s", err, body)
				}
			}})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/inbox/read-all", As: "qingshan_office", Bearer: true, Status: http.StatusOK, Contains: []string{`"unread":0`}})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/inbox/" + newest + "/read", As: "qingshan1", Bearer: true, Status: http.StatusNotFound})
		f.do(t, webtest.Scenario{URL: "/inbox", Status: http.StatusSeeOther})
		if n, err := f.svc.Unread(ctx, cao); err != nil || n != 0 {
			t.Errorf("曹亮's unread %d %v", n, err)
		}
	})
}

// Every route's policy: the outbox is the administrators' (its messages
// scoped to their body), the endpoints the root's administrator's, the
// inbox one's own.
func TestRoutes_policies(t *testing.T) {
	routes, err := Routes(notifydb.New(nil), Options{Frame: fakeFrame{}, TopPath: func(*http.Request) (string, error) { return "/1/", nil }})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range routes {
		p, path := rt.Policy, rt.Path()
		unsafe := rt.Method() != http.MethodGet
		switch {
		case strings.Contains(path, "/outbox"):
			if len(p.Roles) != 1 || p.Roles[0] != access.RoleAdmin || p.Public || unsafe != p.Write {
				t.Errorf("%s: %+v", rt.Pattern, p)
			}
			if strings.Contains(path, "{id}") != (p.Scope != nil) {
				t.Errorf("%s: a message's route needs its scope, and only it", rt.Pattern)
			}
		case strings.Contains(path, "/webhooks"):
			if len(p.Roles) != 1 || p.Roles[0] != access.RoleAdmin || (p.Scope == nil) != (rt.Nav != nil) || unsafe != p.Write {
				t.Errorf("%s: %+v", rt.Pattern, p)
			}
		case strings.Contains(path, "/inbox"):
			if len(p.Roles) != 0 || p.Public || p.Write || unsafe != p.Self {
				t.Errorf("%s: %+v", rt.Pattern, p)
			}
		default:
			t.Errorf("%s: unexpected route", rt.Pattern)
		}
	}
}

// Every message key a template uses exists in both languages.
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
	for _, s := range notify.States {
		if !messages.Has("state." + string(s)) {
			t.Errorf("state %s has no words", s)
		}
	}
	for _, c := range notify.Channels {
		if !messages.Has("channel." + string(c)) {
			t.Errorf("channel %s has no words", c)
		}
	}
	if text, label := Badge("zh", 3); text != "站内消息" || label != "站内消息（3 条未读）" {
		t.Errorf("badge %q, %q", text, label)
	}
	if text, label := Badge("en", 0); text != "Inbox" || label != "Inbox" {
		t.Errorf("badge %q, %q", text, label)
	}
}
