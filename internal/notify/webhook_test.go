package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/notify"
)

// receiver is a webhook receiver as another system would write it: it
// verifies every request with notify.Verify before reading its JSON.
type receiver struct {
	secret string
	mu     sync.Mutex
	got    []notify.Envelope
	ids    []string
	errs   []error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err == nil {
		err = notify.Verify(rc.secret, r.Header, body, time.Now(), 0)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err != nil {
		rc.errs = append(rc.errs, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var env notify.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		rc.errs = append(rc.errs, err)
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	rc.got = append(rc.got, env)
	rc.ids = append(rc.ids, r.Header.Get(notify.HeaderDeliveryID))
	w.WriteHeader(http.StatusNoContent)
}

func TestWebhook_signedAndVerifiedByTheReceiver(t *testing.T) {
	rc := &receiver{secret: "whsec-监察单位"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	m, err := notify.Post("supervision", map[string]any{"number": "330199-2026-000123", "result": "准予许可"})
	if err != nil {
		t.Fatal(err)
	}
	m.RootType, m.RootID, m.Cause = "case", "123", "case.completed"
	d := delivery("9b1f", m)
	var w notify.Webhooks
	if err := w.Send(context.Background(), notify.Endpoint{Name: "supervision", URL: srv.URL + "/hook", Secret: rc.secret}, d); err != nil {
		t.Fatal(err)
	}
	if len(rc.errs) > 0 || len(rc.got) != 1 {
		t.Fatalf("receiver: %d envelopes, errors %v", len(rc.got), rc.errs)
	}
	env := rc.got[0]
	if rc.ids[0] != "9b1f" || env.ID != "9b1f" || env.Type != "case.completed" || env.Root == nil || env.Root.ID != "123" ||
		!env.CreatedAt.Equal(d.CreatedAt) || !strings.Contains(string(env.Data), "准予许可") {
		t.Errorf("envelope %+v (header id %q)", env, rc.ids[0])
	}
}

// Verify refuses what a receiver must refuse: another secret, a body
// changed in transit, a request replayed after the tolerance, no headers.
func TestVerify_refusesForgeriesAndReplays(t *testing.T) {
	body := []byte(`{"id":"1","data":{"a":1}}`)
	now := time.Unix(1_780_000_000, 0)
	h := func(secret string, at time.Time, b []byte) http.Header {
		ts := at.Unix()
		return http.Header{notify.HeaderTimestamp: {strconv.FormatInt(ts, 10)}, notify.HeaderSignature: {notify.Sign(secret, ts, b)}}
	}
	if err := notify.Verify("s", h("s", now, body), body, now.Add(time.Minute), 0); err != nil {
		t.Fatalf("a good request: %v", err)
	}
	for _, tc := range []struct {
		name string
		h    http.Header
		body []byte
		want error
	}{
		{"another secret", h("t", now, body), body, notify.ErrBadSignature},
		{"a changed body", h("s", now, body), []byte(`{"id":"1","data":{"a":2}}`), notify.ErrBadSignature},
		{"a replay", h("s", now.Add(-10*time.Minute), body), body, notify.ErrBadSignature},
		{"a replay, re-signed stamp", h("s", now.Add(-10*time.Minute), body), body, notify.ErrStale},
		{"no headers", http.Header{}, body, notify.ErrNoSignature},
	} {
		hdr := tc.h
		if tc.name == "a replay" {
			// The old signature with a fresh timestamp: the stamp is signed too.
			hdr = hdr.Clone()
			hdr.Set(notify.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		}
		if err := notify.Verify("s", hdr, tc.body, now, 0); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// The signature is the documented one: HMAC-SHA256 over "ts.body", hex
	// (the figure computed independently, with Python's hmac module).
	if got := notify.Sign("key", 1, []byte("x")); got != "sha256=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec" {
		t.Errorf("Sign = %s", got)
	}
}

func TestWebhook_failuresAndRefusals(t *testing.T) {
	m, err := notify.Post("x", map[string]int{"a": 1})
	if err != nil {
		t.Fatal(err)
	}
	d := delivery("e1", m)
	var w notify.Webhooks
	ctx := context.Background()

	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "维护中", http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	if err := w.Send(ctx, notify.Endpoint{Name: "x", URL: busy.URL, Secret: "s"}, d); err == nil || notify.IsPermanent(err) || !strings.Contains(err.Error(), "503") {
		t.Errorf("a 503: %v, want a retryable error naming it", err)
	}

	// A redirect is not followed: the delivery goes only where the
	// administrator said.
	var followed bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed = true }))
	defer other.Close()
	moved := httptest.NewServer(http.RedirectHandler(other.URL, http.StatusTemporaryRedirect))
	defer moved.Close()
	if err := w.Send(ctx, notify.Endpoint{Name: "x", URL: moved.URL, Secret: "s"}, d); err == nil || followed {
		t.Errorf("a redirect: %v, followed %v", err, followed)
	}

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil { // read, so the server notices the client leave
			return
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	start := time.Now()
	short := notify.Webhooks{Timeout: 100 * time.Millisecond}
	if err := short.Send(ctx, notify.Endpoint{Name: "x", URL: slow.URL, Secret: "s"}, d); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("a slow receiver: %v after %v, want a timeout after 100 ms", err, time.Since(start))
	}

	if err := w.Send(ctx, notify.Endpoint{Name: "x", URL: "ftp://example.com/x", Secret: "s"}, d); !notify.IsPermanent(err) {
		t.Errorf("an ftp endpoint: %v, want a permanent refusal", err)
	}
}

func TestCheckEndpointURL_onlyHTTP(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://supervise.example.gov.cn/hooks/qingdan": true, "http://10.1.2.3:8080/hook": true,
		"ftp://example.com/x": false, "file:///etc/passwd": false, "javascript:alert(1)": false, "https://": false,
		"https://user:pass@example.com/": false, "/relative": false, "https://example.com/#frag": false, "gopher://x": false,
	} {
		if err := notify.CheckEndpointURL(u); (err == nil) != ok {
			t.Errorf("CheckEndpointURL(%q) = %v", u, err)
		} else if err != nil && fieldOf(err) != "url" {
			t.Errorf("CheckEndpointURL(%q) names %q", u, fieldOf(err))
		}
	}
}
