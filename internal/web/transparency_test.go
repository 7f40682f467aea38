package web_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

// TestTransparency_showsPublicKeyAndSignedCheckpoint: the public page shows
// the audit log's signing key and the latest checkpoint, without login.
func TestTransparency_showsPublicKeyAndSignedCheckpoint(t *testing.T) {
	db := storetest.SQLite(t)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		return tx.Emit(store.Event{Actor: "test", Action: "test.event", ObjectType: "test", ObjectID: "1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	env := wt.NewWith(t, wt.Options{Audit: db})
	// html/template writes '+' as "&#43;" in text.
	key := strings.ReplaceAll(base64.StdEncoding.EncodeToString(db.PublicKey()), "+", "&#43;")
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "public, Chinese", URL: "/transparency", Status: 200,
			Contains: []string{"防篡改审计日志", key, `id="checkpoint-size">1<`, "qingdan checkpoint"}},
		{Name: "English", URL: "/transparency", Header: map[string]string{"Accept-Language": "en"}, Status: 200,
			Contains: []string{"Tamper-evident audit log", key}},
	})
}
