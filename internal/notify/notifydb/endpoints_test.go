package notifydb_test

import (
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// Endpoints are the root body's administrator's: created with a secret
// shown once (its digest, not itself, in the audit log), renamed never,
// switched off and on, given a new secret; a switched-off endpoint's
// messages die at once. Bad input names its field and changes nothing.
func TestEndpoints_managedByTheRootAdministrator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dm := loadDemo(t, db)
		s := notifydb.New(db)
		admin := dm.people["admin"]
		ep, secret, err := s.CreateEndpoint(ctx, admin, "province-supervision", "https://jc.example.gov.cn/hooks/qingdan")
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) != 64 || !ep.Active || ep.Version != 1 {
			t.Errorf("endpoint %+v, secret %q", ep, secret)
		}
		events, err := db.Events(ctx, store.EventFilter{ObjectType: "notify_endpoint", ObjectID: "1"})
		if err != nil || len(events) != 1 {
			t.Fatalf("events %v %v", events, err)
		}
		if strings.Contains(string(events[0].State), secret) || !strings.Contains(string(events[0].State), "secret_sha256") {
			t.Errorf("the audited State holds the secret, or not its digest: %s", events[0].State)
		}

		before := count(t, db, "SELECT count(*) FROM events")
		for _, tc := range []struct {
			name, url, field string
			code             apperr.Code
		}{
			{"province-supervision", "https://x.example.com/", "name", apperr.Conflict},
			{"bad name", "https://x.example.com/", "name", apperr.Invalid},
			{"ftp", "ftp://x.example.com/", "url", apperr.Invalid},
			{"creds", "https://u:p@x.example.com/", "url", apperr.Invalid},
		} {
			_, _, err := s.CreateEndpoint(ctx, admin, tc.name, tc.url)
			if e := apperr.As(err); e.Code != tc.code || e.Field != tc.field {
				t.Errorf("%s %s: %v, want %s on %s", tc.name, tc.url, err, tc.code, tc.field)
			}
		}
		for _, who := range []string{"qingshan_admin", "supervisor1"} {
			if _, _, err := s.CreateEndpoint(ctx, dm.people[who], "other", "https://x.example.com/"); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("%s created an endpoint: %v", who, err)
			}
			if _, err := s.Endpoints(ctx, dm.people[who]); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("%s listed the endpoints: %v", who, err)
			}
		}
		if after := count(t, db, "SELECT count(*) FROM events"); after != before {
			t.Errorf("refused changes added %d events", after-before)
		}

		ep, err = s.UpdateEndpoint(ctx, admin, ep.ID, notifydb.EndpointEdit{Version: 1, URL: "https://jc2.example.gov.cn/hook", Active: false})
		if err != nil || ep.Active || ep.Version != 2 || ep.URL != "https://jc2.example.gov.cn/hook" {
			t.Fatalf("update: %+v %v", ep, err)
		}
		_, again, err := s.RotateSecret(ctx, admin, ep.ID)
		if err != nil || again == secret || len(again) != 64 {
			t.Fatalf("rotate: %q %v", again, err)
		}
		if _, err := s.UpdateEndpoint(ctx, admin, 9999, notifydb.EndpointEdit{Version: 1, URL: "https://x.example.com/"}); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("updating no endpoint: %v", err)
		}
		list, err := s.Endpoints(ctx, admin)
		if err != nil || len(list) != 1 || list[0].Version != 3 {
			t.Fatalf("list %+v %v", list, err)
		}

		// A switched-off endpoint's message is dead at once.
		c := newClock()
		d := deliverer(t, db, c, 8, notifydb.Channels{})
		l := holdLease(t, db)
		enqueue(t, db, webhookTo(t, "province-supervision", dm.qingshan, "c-1"), webhookTo(t, "nobody-registered", dm.qingshan, "c-2"))
		pass(t, d, l, 2)
		for _, e := range entries(t, s, dm, notifydb.Filter{}) {
			if e.State != notify.Dead || e.Attempts != 1 {
				t.Errorf("%+v", e)
			}
		}
		verifyOK(t, db)
	})
}
