package api_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/audit"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// auditServer serves the audit routes over a store holding n events.
func auditServer(t *testing.T, db *store.DB, n int) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.Emit(store.Event{Actor: "test", Action: "test.audit.event", ObjectType: "test", ObjectID: fmt.Sprint(i),
				Payload: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	for _, rt := range api.AuditRoutes(db) {
		mux.Handle(rt.Pattern, rt.Handler)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func getJSON(t *testing.T, url string, want int, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d", url, res.StatusCode, want)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func unhex(t *testing.T, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hash %q", s)
	}
	return [32]byte(b)
}

// TestAuditAPI_proofsVerifyAgainstSignedCheckpoint checks the public audit API
// end to end: the checkpoint's signature verifies with the published key, an
// inclusion proof verifies against its root, and a consistency proof links an
// older size to the checkpoint. A client needs nothing but these answers.
func TestAuditAPI_proofsVerifyAgainstSignedCheckpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := auditServer(t, db, 13)

		var cp api.Checkpoint
		getJSON(t, srv.URL+"/api/v1/audit/checkpoint", 200, &cp)
		if cp.Size != 13 {
			t.Fatalf("checkpoint size %d, want 13", cp.Size)
		}
		pub, _ := base64.StdEncoding.DecodeString(cp.PublicKey)
		parsed, err := audit.ParseCheckpoint([]byte(cp.Note))
		if err != nil {
			t.Fatal(err)
		}
		if base64.StdEncoding.EncodeToString(parsed.Sig) != cp.Signature || parsed.Size != cp.Size {
			t.Fatalf("note %q disagrees with the fields %+v", cp.Note, cp)
		}
		if err := parsed.Verify(pub); err != nil {
			t.Fatalf("checkpoint signature: %v", err)
		}
		root := unhex(t, cp.Root)

		var inc api.InclusionProof
		getJSON(t, srv.URL+"/api/v1/audit/events/5/inclusion", 200, &inc)
		proof := make([][]byte, len(inc.Proof))
		for i, h := range inc.Proof {
			proof[i], _ = hex.DecodeString(h)
		}
		if err := audit.VerifyInclusion(5, inc.Size, unhex(t, inc.LeafHash), proof, root); err != nil {
			t.Fatalf("inclusion proof does not verify: %v", err)
		}
		// A proof for a different leaf must not verify for this one.
		if err := audit.VerifyInclusion(6, inc.Size, unhex(t, inc.LeafHash), proof, root); err == nil {
			t.Fatal("inclusion proof verified for the wrong index")
		}

		var con api.ConsistencyProof
		getJSON(t, srv.URL+"/api/v1/audit/consistency?from=7", 200, &con)
		cproof := make([][]byte, len(con.Proof))
		for i, h := range con.Proof {
			cproof[i], _ = hex.DecodeString(h)
		}
		if err := audit.VerifyConsistency(7, 13, cproof, unhex(t, con.RootFrom), root); err != nil {
			t.Fatalf("consistency proof does not verify: %v", err)
		}
	})
}

// TestAuditAPI_badParametersAreFieldNamed: bad input names the parameter.
func TestAuditAPI_badParametersAreFieldNamed(t *testing.T) {
	db := storetest.SQLite(t)
	srv := auditServer(t, db, 3)
	for _, tc := range []struct{ url, field string }{
		{"/api/v1/audit/events/x/inclusion", "seq"},
		{"/api/v1/audit/events/9/inclusion", "seq"},
		{"/api/v1/audit/events/1/inclusion?size=-1", "size"},
		{"/api/v1/audit/consistency", "from"},
		{"/api/v1/audit/consistency?from=2&to=1", "from"},
	} {
		var e api.Error
		res, err := http.Get(srv.URL + tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("%s: status %d, want 4xx", tc.url, res.StatusCode)
		}
		if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if e.Field != tc.field || e.Message == "" {
			t.Errorf("%s: error %+v, want field %q with a message", tc.url, e, tc.field)
		}
	}
}
