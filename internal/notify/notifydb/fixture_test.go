package notifydb_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
)

var ctx = context.Background()

// demo is the demo organisation: its people by login, and the bodies
// messages are sent for.
type demo struct {
	people             map[string]access.Principal
	district, qingshan int64 // the root body and a town under it
	xikou              int64 // another town
}

func loadDemo(t testing.TB, db *store.DB) demo {
	t.Helper()
	d := orgtest.Load(t, db)
	return demo{people: d.People, district: d.Bodies["330199"], qingshan: d.Bodies["330199001"], xikou: d.Bodies["330199101"]}
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts a minute ahead of the real clock, by which Enqueue
// stamps messages due.
func newClock() *clock { return &clock{t: time.Now().Add(time.Minute)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// holdLease takes the deliverer's lease for the test, as Run would, so
// that the test drives the passes itself.
func holdLease(t *testing.T, db *store.DB) *store.Lease {
	t.Helper()
	lctx, cancel := context.WithCancel(ctx)
	got := make(chan *store.Lease, 1)
	done := make(chan error, 1)
	go func() {
		done <- db.RunPeriodic(lctx, notifydb.LeaseName, time.Hour, func(jctx context.Context, l *store.Lease) error {
			got <- l
			<-jctx.Done()
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Error(err)
		}
	})
	select {
	case l := <-got:
		return l
	case <-time.After(20 * time.Second):
		t.Fatal("the lease was not taken")
		return nil
	}
}

// hook is a webhook receiver on localhost that verifies every request
// with notify.Verify and fails the first `failures` of them.
type hook struct {
	srv      *httptest.Server
	secret   string
	mu       sync.Mutex
	failures int
	calls    int
	ids      []string // delivery id of each accepted request
	bad      []error
	// gate, when set, is waited on before answering (a slow receiver).
	gate chan struct{}
}

func newHook(t testing.TB, failures int) *hook {
	t.Helper()
	h := &hook{failures: failures}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	h.mu.Lock()
	h.calls++
	fail := h.calls <= h.failures
	secret, gate := h.secret, h.gate
	h.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if err == nil {
		err = notify.Verify(secret, r.Header, body, time.Now(), 0)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case err != nil:
		h.bad = append(h.bad, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
	case fail:
		http.Error(w, "接收系统维护中", http.StatusServiceUnavailable)
	default:
		h.ids = append(h.ids, r.Header.Get(notify.HeaderDeliveryID))
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *hook) accepted() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids...)
}

func (h *hook) stats() (calls int, bad []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls, append([]error(nil), h.bad...)
}

func (h *hook) setFailures(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures = h.calls + n
}

// register makes h an endpoint named name, as the district's
// administrator would.
func (h *hook) register(t testing.TB, s *notifydb.Service, d demo, name string) {
	t.Helper()
	_, secret, err := s.CreateEndpoint(ctx, d.people["admin"], name, h.srv.URL+"/qingdan")
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	h.secret = secret
	h.mu.Unlock()
}

// enqueue writes messages in one write, as a feature would.
func enqueue(t testing.TB, db *store.DB, ms ...notify.Message) {
	t.Helper()
	if err := db.Write(ctx, func(tx *store.Tx) error {
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

func webhookTo(t testing.TB, endpoint string, body int64, root string) notify.Message {
	t.Helper()
	m, err := notify.Post(endpoint, map[string]string{"number": root, "result": "准予许可"})
	if err != nil {
		t.Fatal(err)
	}
	m.BodyID, m.RootType, m.RootID, m.Cause = body, "case", root, "case.completed"
	return m
}

// entries reads the outbox as the district's administrator.
func entries(t *testing.T, s *notifydb.Service, d demo, f notifydb.Filter) []notifydb.Entry {
	t.Helper()
	o, err := s.Outbox(ctx, d.people["admin"], f)
	if err != nil {
		t.Fatal(err)
	}
	return o.Entries
}

func count(t testing.TB, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func verifyOK(t *testing.T, db *store.DB) {
	t.Helper()
	rep, err := db.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify: %s", rep.Mismatch)
	}
}
