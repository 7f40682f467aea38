package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web"
)

// snapshotMarker is written into stored pages behind the portal's back: a
// page showing it came from the snapshot, not from a render.
const snapshotMarker = "<p>snapshot-marker</p>"

// markSnapshots puts the marker into every stored page of item id and
// returns how many pages there were.
func markSnapshots(t *testing.T, db *store.DB, id int64) int {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Query(ctx, `SELECT page, lang, html FROM portal_snapshots WHERE item_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		page, lang string
		html       []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.page, &r.lang, &r.html); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		html := strings.Replace(string(r.html), "<main id=\"main\">", "<main id=\"main\">"+snapshotMarker, 1)
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE portal_snapshots SET html = ? WHERE item_id = ? AND page = ? AND lang = ?`, []byte(html), id, r.page, r.lang)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return len(rs)
}

// Servers built anew below stand for other instances over the same
// database: each has its own memory cache, so what it serves comes from a
// snapshot or a render.

// TestPortalSnapshot_C9_itemPageServedFromTheDatabase: an item page and
// its guide, seen once, are kept in portal_snapshots per language; another
// instance then serves them from there with its visitor's own CSRF token in
// every place the token goes, and the same bytes a render gives.
func TestPortalSnapshot_C9_itemPageServedFromTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cat := demoCatalogue(t, db)
		const code = "0700001000"
		id := itemID(t, db, districtID(t, db), code)
		item := fmt.Sprintf("/portal/items/%d", id)
		p1 := web.NewPortal(db, cat, nil)
		srv1 := portalServerWith(t, db, p1)
		langs := map[string]string{"zh": "zh-CN", "en": "en"}
		rendered := map[string]string{}
		for _, u := range []string{item, item + "/guide"} {
			for lang, al := range langs {
				st, _, body := get(t, srv1, u, "Accept-Language", al, "Cookie", auth.CSRFCookie+"=visitor-1")
				if st != 200 {
					t.Fatalf("%s (%s): status %d", u, lang, st)
				}
				rendered[u+lang] = body
			}
		}
		// An earlier version's page and a page with a query are not kept.
		get(t, srv1, item+"?x=1")
		web.WaitSnapshots(t, p1)
		var n int
		if err := db.QueryRow(context.Background(), `SELECT count(*) FROM portal_snapshots WHERE item_id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Fatalf("%d snapshots of item %d, want 4 (item and guide, zh and en)", n, id)
		}

		srv2 := portalServerWith(t, db, web.NewPortal(db, cat, nil))
		for _, u := range []string{item, item + "/guide"} {
			for lang, al := range langs {
				_, _, body := get(t, srv2, u, "Accept-Language", al, "Cookie", auth.CSRFCookie+"=visitor-1")
				tok := tokenOf(t, body)
				if strings.Count(body, tok) != 2 || strings.IndexByte(body, 0) >= 0 {
					t.Errorf("%s (%s): the visitor's token is in %d places (want 2), or a NUL is left", u, lang, strings.Count(body, tok))
				}
				// Each server signs its own tokens: compare without them.
				if strings.ReplaceAll(body, tok, "T") != strings.ReplaceAll(rendered[u+lang], tokenOf(t, rendered[u+lang]), "T") {
					t.Errorf("%s (%s): the page from the snapshot differs from the rendered one", u, lang)
				}
			}
		}

		if m := markSnapshots(t, db, id); m != 4 {
			t.Fatalf("marked %d snapshots", m)
		}
		srv3 := portalServerWith(t, db, web.NewPortal(db, cat, nil))
		for _, u := range []string{item, item + "/guide"} {
			if _, _, body := get(t, srv3, u); !strings.Contains(body, snapshotMarker) {
				t.Errorf("%s: not served from its snapshot", u)
			}
		}
		// Another build (templates, messages or code changed) renders anew.
		srv4 := portalServerWith(t, db, web.NewPortal(db, cat, nil))
		web.SetSnapshotBuild(srv4, "another-build")
		if _, _, body := get(t, srv4, item); strings.Contains(body, snapshotMarker) {
			t.Error("another build served this build's snapshot")
		}
	})
}

// tokenOf is the CSRF token in a page's language form.
func tokenOf(t *testing.T, body string) string {
	t.Helper()
	const attr = `name="` + web.CSRFField + `" value="`
	i := strings.Index(body, attr)
	if i < 0 {
		t.Fatal("page without CSRF token")
	}
	rest := body[i+len(attr):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestPortalSnapshot_C7_publicationAndRenameMakeItStale: a snapshot is
// served only while its item and body are as they were: after a suspension
// is published the item page shows it (C7), and after the body is renamed
// the page shows the new name, on an instance that never saw either page.
// A page rendered from an older copy of the body's name is not kept.
func TestPortalSnapshot_C7_publicationAndRenameMakeItStale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := demoCatalogue(t, db)
		const code, name = "0700001000", "残疾人证核发"
		district := districtID(t, db)
		id := itemID(t, db, district, code)
		item := fmt.Sprintf("/portal/items/%d", id)
		p1 := web.NewPortal(db, cat, nil)
		srv1 := portalServerWith(t, db, p1)
		get(t, srv1, item)
		web.WaitSnapshots(t, p1)
		if markSnapshots(t, db, id) != 1 {
			t.Fatal("no snapshot to mark")
		}

		suspendAtDistrict(t, db, cat, code, name)
		_, _, body := get(t, portalServerWith(t, db, web.NewPortal(db, cat, nil)), item)
		if strings.Contains(body, snapshotMarker) || !strings.Contains(body, `id="standing"`) {
			t.Fatal("after the suspension's publication the old snapshot was served")
		}

		// Keep a snapshot of the suspended page, then rename the body.
		p2 := web.NewPortal(db, cat, nil)
		srv2 := portalServerWith(t, db, p2)
		get(t, srv2, item)
		web.WaitSnapshots(t, p2)
		if markSnapshots(t, db, id) != 1 {
			t.Fatal("no snapshot of the suspended page")
		}
		// p2 reads its list of bodies (kept a few seconds) before the rename.
		if _, err := p2.Bodies(ctx); err != nil {
			t.Fatal(err)
		}
		orgs := org.NewService(db)
		b, err := orgs.Body(ctx, org.System, district)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := orgs.UpdateBody(ctx, org.System, district, b.Version, org.BodyEdit{Level: b.Level, Code: b.Code, Name: "青山新区", TimeZone: b.TimeZone}); err != nil {
			t.Fatal(err)
		}
		// p2 still holds the old name in its list of bodies: its render
		// shows the old name and must not be kept under the new stamps.
		p2srv := portalServerWith(t, db, p2)
		if _, _, body := get(t, p2srv, item); strings.Contains(body, snapshotMarker) || strings.Contains(body, "青山新区") {
			t.Fatal("after the rename: the old snapshot was served, or the cached body list was not a few seconds old as this test assumes")
		}
		web.WaitSnapshots(t, p2)
		_, _, body = get(t, portalServerWith(t, db, web.NewPortal(db, cat, nil)), item)
		if !strings.Contains(body, "青山新区") {
			t.Error("a page with the body's old name was kept as fresh after the rename")
		}
	})
}

// TestPortalSnapshot_concurrentReadsGetTheirOwnPages: snapshot reads of
// many visitors at once share queries (per page and language, padded id
// lists); each still gets its own item's page in its own language.
func TestPortalSnapshot_concurrentReadsGetTheirOwnPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cat := demoCatalogue(t, db)
		var ids []int64
		rows, err := db.Query(context.Background(), `SELECT id FROM catalog_items WHERE standing <> 'unknown' ORDER BY id LIMIT 40`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil || len(ids) < 20 {
			t.Fatalf("%d items, %v", len(ids), err)
		}
		type req struct{ url, lang string }
		var reqs []req
		for _, id := range ids {
			for _, lang := range []string{"zh-CN", "en"} {
				reqs = append(reqs, req{fmt.Sprintf("/portal/items/%d", id), lang}, req{fmt.Sprintf("/portal/items/%d/guide", id), lang})
			}
		}
		p := web.NewPortal(db, cat, nil)
		srv := portalServerWith(t, db, p)
		want := map[req]string{}
		for _, r := range reqs {
			_, _, body := get(t, srv, r.url, "Accept-Language", r.lang)
			want[r] = strings.ReplaceAll(body, tokenOf(t, body), "T")
		}
		web.WaitSnapshots(t, p)

		other := portalServerWith(t, db, web.NewPortal(db, cat, nil))
		web.NoPortalMemoryCache(other)
		errs := make(chan string, len(reqs))
		var wg sync.WaitGroup
		for _, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := httptest.NewRequest(http.MethodGet, r.url, nil)
				req.Header.Set("Accept-Language", r.lang)
				rec := httptest.NewRecorder()
				other.ServeHTTP(rec, req)
				body := rec.Body.String()
				if rec.Code != 200 || !strings.Contains(body, `name="`+web.CSRFField+`"`) {
					errs <- fmt.Sprintf("%s (%s): status %d", r.url, r.lang, rec.Code)
					return
				}
				if got := strings.ReplaceAll(body, tokenOf(t, body), "T"); got != want[r] {
					errs <- fmt.Sprintf("%s (%s): another page than its own", r.url, r.lang)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	})
}
