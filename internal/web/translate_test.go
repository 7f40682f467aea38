package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web"
)

// TestTranslatedTemplates_sameBytes: every public page — each demo item's
// page, earlier versions and guide, search and browse pages, a body's
// changes, the home, error pages, an htmx partial, the login page — is byte
// for byte the same in both languages whether rendered with the
// pre-translated templates or with every message looked up at run time.
func TestTranslatedTemplates_sameBytes(t *testing.T) {
	db := storetest.SQLite(t)
	cat := demoCatalogue(t, db)
	// Uncached, so each request renders.
	srv := portalServerWith(t, db, struct{ web.Portal }{web.NewPortal(db, cat)})
	ctx := context.Background()
	d := districtID(t, db)
	urls := []string{"/portal", "/portal/search", "/portal/search?q=%E4%BD%8E%E4%BF%9D", "/portal/search?q=%E8%AE%B8%E5%8F%AF&page=2",
		"/portal/search?q=%E4%BD%8E%E4%BF%9D&category=bad", "/portal/search?q=%3Cb%3E%22%26%27",
		fmt.Sprintf("/portal/bodies/%d", d), fmt.Sprintf("/portal/bodies/%d?category=licensing", d),
		fmt.Sprintf("/portal/bodies/%d/changes", d), "/portal/items/999999", "/login"}
	rows, err := db.Query(ctx, `SELECT v.item_id, v.version FROM catalog_versions v ORDER BY v.item_id, v.version`)
	if err != nil {
		t.Fatal(err)
	}
	items := 0
	for rows.Next() {
		var id int64
		var version int
		if err := rows.Scan(&id, &version); err != nil {
			t.Fatal(err)
		}
		if version == 1 {
			items++
			urls = append(urls, fmt.Sprintf("/portal/items/%d", id), fmt.Sprintf("/portal/items/%d/guide", id))
		}
		urls = append(urls, fmt.Sprintf("/portal/items/%d/versions/%d", id, version))
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if items < 20 {
		t.Fatalf("only %d demo items", items)
	}
	type page struct {
		status int
		body   string
	}
	render := func() map[string]page {
		out := map[string]page{}
		for _, lang := range web.Langs {
			for _, u := range urls {
				for _, hx := range []bool{false, true} {
					req := httptest.NewRequest(http.MethodGet, u, nil)
					req.AddCookie(&http.Cookie{Name: web.LangCookie, Value: lang})
					req.AddCookie(&http.Cookie{Name: auth.CSRFCookie, Value: "fixed-visitor"})
					req.Header.Set("X-Request-ID", "same-request")
					if hx {
						req.Header.Set("HX-Request", "true")
					}
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					out[fmt.Sprintf("%s %s hx=%v", lang, u, hx)] = page{rec.Code, rec.Body.String()}
				}
			}
		}
		return out
	}
	translated := render()
	web.UntranslatedTemplates(t, srv)
	reference := render()
	for k, want := range reference {
		got := translated[k]
		if got != want {
			t.Errorf("%s: translated page differs (status %d vs %d)\n got %.300q\nwant %.300q", k, got.status, want.status, got.body, want.body)
		}
	}
	if len(reference) < 200 {
		t.Errorf("compared only %d pages", len(reference))
	}
}
