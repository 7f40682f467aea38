package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	qrcode "github.com/skip2/go-qrcode"
)

func get(t *testing.T, h http.Handler, url string, header ...string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

// getOK GETs url, which must answer 200 OK, and returns the body.
func getOK(t *testing.T, h http.Handler, url string) string {
	t.Helper()
	st, _, body := get(t, h, url)
	if st != http.StatusOK {
		t.Fatalf("%s: status %d: %s", url, st, body)
	}
	return body
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: %q missing", what, w)
		}
	}
}

// itemID finds the item of a body by base code through the search index.
func itemID(t *testing.T, db *store.DB, bodyID int64, code string) int64 {
	t.Helper()
	res, err := catsearch.Search(context.Background(), db, catsearch.Filter{Query: catsearch.Parse(code), BodyID: bodyID})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Code == code {
			return h.ItemID
		}
	}
	t.Fatalf("item %s of body %d not indexed", code, bodyID)
	return 0
}

// districtID is the demo district's body id (org's root).
func districtID(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(context.Background(), `SELECT id FROM bodies WHERE parent_id IS NULL`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPortal_searchFindsAbbreviationAndCode: 低保 (an abbreviation, not a
// substring) finds 最低生活保障待遇认定 at every body listing it; a code finds
// its item first; no login is needed.
func TestPortal_searchFindsAbbreviationAndCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := portalServer(t, db, demoCatalogue(t, db))
		st, _, body := get(t, srv, "/portal/search?q=%E4%BD%8E%E4%BF%9D") // 低保
		if st != 200 {
			t.Fatalf("status %d: %s", st, body)
		}
		if n := strings.Count(body, "最低生活保障待遇认定"); n < 3 {
			t.Errorf("低保 found %d items, want the three bodies' 最低生活保障待遇认定", n)
		}
		st, _, body = get(t, srv, "/portal/search?q=0700001000")
		if st != 200 {
			t.Fatalf("status %d", st)
		}
		mustContain(t, "code search", body, "残疾人证核发", "<code>0700001000</code>")
		// Browse a body by category and unit.
		d := districtID(t, db)
		st, _, body = get(t, srv, fmt.Sprintf("/portal/bodies/%d?category=licensing", d))
		if st != 200 {
			t.Fatalf("browse status %d", st)
		}
		mustContain(t, "browse", body, "食品经营许可", "烟草专卖零售许可")
		if strings.Contains(body, "最低生活保障待遇认定") {
			t.Error("category filter let a benefit payment through")
		}
		st, _, body = get(t, srv, "/portal/search?q=%E4%BD%8E%E4%BF%9D&category=bad")
		if st != 400 {
			t.Errorf("bad category: status %d", st)
		}
		st, _, body = get(t, srv, "/portal")
		if st != 200 {
			t.Errorf("home status %d", st)
		}
		mustContain(t, "home", body, "青山区", `name="q"`)
		if strings.Contains(body, ">0 项<") {
			t.Error("home shows a body with 0 items")
		}
	})
}

// TestPortal_C7_suspendedItemsMarked: a suspended item shows as suspended
// in results and on its page.
func TestPortal_C7_suspendedItemsMarked(t *testing.T) {
	db := storetest.SQLite(t)
	srv := portalServer(t, db, demoCatalogue(t, db))
	_, _, body := get(t, srv, "/portal/search?q=%E7%83%9F%E8%8A%B1%E7%88%86%E7%AB%B9") // 烟花爆竹
	mustContain(t, "results", body, "烟花爆竹经营(零售)许可", `class="suspended"`, "已暂停")
	id := itemID(t, db, districtID(t, db), "0100012000")
	_, _, body = get(t, srv, fmt.Sprintf("/portal/items/%d", id))
	mustContain(t, "item page", body, `id="standing"`, "该事项已暂停实施")
	_, _, body = get(t, srv, fmt.Sprintf("/portal/items/%d/guide", id))
	mustContain(t, "guide", body, `id="standing"`)
}

// TestPortal_C9_historyWithDates: the item page shows every published
// version with its dates; an earlier version can be opened and says it is
// no longer in force.
func TestPortal_C9_historyWithDates(t *testing.T) {
	db := storetest.SQLite(t)
	srv := portalServer(t, db, demoCatalogue(t, db))
	id := itemID(t, db, districtID(t, db), "0100007000") // three versions: superseded, suspended, published
	_, _, body := get(t, srv, fmt.Sprintf("/portal/items/%d", id))
	mustContain(t, "history", body, `id="history"`, "已被替代", "暂停", "现行有效",
		fmt.Sprintf(`/portal/items/%d/versions/1`, id), fmt.Sprintf(`/portal/items/%d/versions/2`, id))
	if n := len(regexp.MustCompile(`<td>\d{4}-\d{2}-\d{2}</td>`).FindAllString(body, -1)); n < 5 {
		t.Errorf("history shows %d dates, want from/to/published of three versions", n)
	}
	st, _, body := get(t, srv, fmt.Sprintf("/portal/items/%d/versions/1", id))
	if st != 200 {
		t.Fatalf("old version: status %d", st)
	}
	mustContain(t, "old version", body, `id="old-version"`, "第 1 版")
	if st, _, _ = get(t, srv, fmt.Sprintf("/portal/items/%d/versions/9", id)); st != 404 {
		t.Errorf("missing version: %d", st)
	}
	if st, _, _ = get(t, srv, "/portal/items/999999"); st != 404 {
		t.Errorf("missing item: %d", st)
	}
	// The body's change history lists the publications, newest first.
	st, _, body = get(t, srv, fmt.Sprintf("/portal/bodies/%d/changes", districtID(t, db)))
	if st != 200 {
		t.Fatalf("changes: %d", st)
	}
	mustContain(t, "changes", body, "城市建筑垃圾处置核准", "新增", "变更", "暂停", "恢复", "取消")
}

// TestGuide_C10_showsComplaintPhone: the guide shows every C10 element —
// item name, accepting unit, basis and conditions, materials, flow,
// promised time, fee basis and standard, sample forms, contact — and the
// complaint office and phone at the bottom, after everything else.
func TestGuide_C10_showsComplaintPhone(t *testing.T) {
	db := storetest.SQLite(t)
	srv := portalServer(t, db, demoCatalogue(t, db))
	d, err := catalog.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	district := d.Bodies[0].ID
	var v catalog.ItemVersion
	for _, cur := range d.Current(district) {
		if cur.Fee.Charged && cur.Status == catalog.StatusPublished && len(cur.Guide().SampleForms) > 0 {
			v = cur
			break
		}
	}
	if v.Name == "" {
		t.Fatal("the demo has no charged item with a sample form")
	}
	g := v.Guide()
	id := itemID(t, db, districtID(t, db), v.BaseCode)
	st, _, body := get(t, srv, fmt.Sprintf("/portal/items/%d/guide", id))
	if st != 200 {
		t.Fatalf("status %d", st)
	}
	esc := func(s string) string { // html/template escapes quotes and ampersands
		var b bytes.Buffer
		for _, r := range s {
			switch r {
			case '"':
				b.WriteString("&#34;")
			case '\'':
				b.WriteString("&#39;")
			case '&':
				b.WriteString("&amp;")
			case '<':
				b.WriteString("&lt;")
			case '>':
				b.WriteString("&gt;")
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	elements := []struct{ name, id, text string }{
		{"item name", "guide-name", g.Name},
		{"accepting unit", "guide-unit", g.AcceptingUnit},
		{"basis", "guide-bases", g.Bases[0].Law},
		{"conditions", "guide-conditions", g.Conditions[0]},
		{"materials", "guide-materials", g.Materials[0].Name},
		{"sample forms", "guide-forms", g.SampleForms[0]},
		{"flow", "guide-steps", g.Steps[0].Name},
		{"promised time", "guide-promised", g.PromisedLimit},
		{"fee basis", "guide-fees", g.Fees[0].Basis},
		{"fee standard", "guide-fees", g.Fees[0].Standard},
		{"contact", "guide-contact", g.ConsultPhone},
		{"QR code", "guide-qr", "qr.svg"},
	}
	complaint := strings.Index(body, `id="guide-complaint"`)
	if complaint < 0 {
		t.Fatal("no complaint section")
	}
	for _, e := range elements {
		at := strings.Index(body, `id="`+e.id+`"`)
		if at < 0 {
			t.Errorf("%s: no element %s", e.name, e.id)
			continue
		}
		if !strings.Contains(body[at:], esc(e.text)) {
			t.Errorf("%s: %q not shown", e.name, e.text)
		}
		if at > complaint {
			t.Errorf("%s comes after the complaint section", e.name)
		}
	}
	tail := body[complaint+len(`id="guide-complaint"`):]
	mustContain(t, "complaint section", tail, esc(g.ComplaintOffice), g.ComplaintPhone, `id="complaint-phone"`)
	if strings.Contains(tail, `id="guide-`) {
		t.Error("a guide element follows the complaint section")
	}
	// Stars are computed (C11), shown as marks and in words.
	mustContain(t, "stars", body, fmt.Sprintf("%d 星", v.Stars()))
	// English page: same data, English labels.
	_, _, en := get(t, srv, fmt.Sprintf("/portal/items/%d/guide", id), "Accept-Language", "en")
	mustContain(t, "english", en, "Complaint phone", g.ComplaintPhone, "Service guide")
}

// TestGuide_QRCode: the PNG is a valid image whose modules are the QR
// bitmap of the guide's URL, and the SVG has one unit per module of that
// same bitmap and a dark rect run for every dark run.
func TestGuide_QRCode(t *testing.T) {
	db := storetest.SQLite(t)
	srv := portalServer(t, db, demoCatalogue(t, db))
	id := itemID(t, db, districtID(t, db), "0500001000")
	url := fmt.Sprintf("http://example.com/portal/items/%d/guide", id)
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Bitmap()
	n := len(bm)

	st, h, body := get(t, srv, fmt.Sprintf("/portal/items/%d/guide/qr.png?download=1", id))
	if st != 200 || h.Get("Content-Type") != "image/png" || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("png: %d %v", st, h)
	}
	img, err := png.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatalf("png does not decode: %v", err)
	}
	size := img.Bounds().Dx()
	if size != img.Bounds().Dy() || size < n {
		t.Fatalf("png is %v for %d modules", img.Bounds(), n)
	}
	if size%n != 0 {
		t.Fatalf("png of %d px is not whole pixels per module (%d)", size, n)
	}
	scale, off := size/n, 0
	for y := range n {
		for x := range n {
			r, _, _, _ := img.At(off+x*scale+scale/2, off+y*scale+scale/2).RGBA()
			if dark := r < 0x8000; dark != bm[y][x] {
				t.Fatalf("png module (%d,%d) dark=%v, bitmap %v", x, y, dark, bm[y][x])
			}
		}
	}

	st, h, body = get(t, srv, fmt.Sprintf("/portal/items/%d/guide/qr.svg", id))
	if st != 200 || h.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("svg: %d %v", st, h)
	}
	if !strings.Contains(body, fmt.Sprintf(`viewBox="0 0 %d %d"`, n, n)) {
		t.Errorf("svg viewBox is not %d modules: %.200s", n, body)
	}
	runs := 0
	for _, row := range bm {
		for x := range row {
			if row[x] && (x == 0 || !row[x-1]) {
				runs++
			}
		}
	}
	if got := strings.Count(body, `height="1"/>`); got != runs {
		t.Errorf("svg has %d module runs, bitmap %d", got, runs)
	}
	if st, _, _ = get(t, srv, "/portal/items/999999/guide/qr.svg"); st != 404 {
		t.Errorf("qr of a missing item: %d", st)
	}
}

// TestPortal_worksWithoutJavaScript: every portal page is plain HTML —
// GET forms with an action, plain links, no htmx attributes or inline
// handlers — so it works with scripts off. The layout's deferred htmx is an
// enhancement only.
func TestPortal_worksWithoutJavaScript(t *testing.T) {
	db := storetest.SQLite(t)
	srv := portalServer(t, db, demoCatalogue(t, db))
	id := itemID(t, db, districtID(t, db), "0500001000")
	for _, u := range []string{"/portal", "/portal/search?q=%E4%BD%8E%E4%BF%9D", fmt.Sprintf("/portal/bodies/%d", districtID(t, db)),
		fmt.Sprintf("/portal/bodies/%d/changes", districtID(t, db)), fmt.Sprintf("/portal/items/%d", id), fmt.Sprintf("/portal/items/%d/guide", id)} {
		st, _, body := get(t, srv, u)
		if st != 200 {
			t.Errorf("%s: status %d", u, st)
			continue
		}
		main := body[strings.Index(body, `<main`):]
		for _, bad := range []string{"hx-", "onclick", "onsubmit", "<script", "javascript:", `method="post"`} {
			if strings.Contains(main, bad) {
				t.Errorf("%s: page content needs JavaScript (%q)", u, bad)
			}
		}
		if !strings.Contains(body, `name="viewport"`) {
			t.Errorf("%s: no viewport meta (mobile)", u)
		}
	}
}

// TestPortal_L7_noPersonalData: no demo staff name or login appears on any
// public page, and nothing shaped like a resident ID or mobile number.
func TestPortal_L7_noPersonalData(t *testing.T) {
	db := storetest.SQLite(t)
	srv := portalServer(t, db, demoCatalogue(t, db))
	d, err := catalog.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	var people []string
	for _, b := range d.Bodies {
		for _, s := range b.Staff {
			people = append(people, s.Name, s.Login)
		}
	}
	district := districtID(t, db)
	pages := []string{"/portal", fmt.Sprintf("/portal/bodies/%d", district), fmt.Sprintf("/portal/bodies/%d/changes", district)}
	res, err := catsearch.Search(context.Background(), db, catsearch.Filter{BodyID: district, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		pages = append(pages, fmt.Sprintf("/portal/items/%d", h.ItemID), fmt.Sprintf("/portal/items/%d/guide", h.ItemID))
	}
	residentID := regexp.MustCompile(`\b\d{17}[\dXx]\b`)
	mobile := regexp.MustCompile(`\b1[3-9]\d{9}\b`)
	for _, u := range pages {
		_, _, body := get(t, srv, u)
		main := body[strings.Index(body, `<main`):]
		for _, p := range people {
			if p != "" && strings.Contains(main, p) {
				t.Errorf("%s shows staff %q", u, p)
			}
		}
		if m := residentID.FindString(main); m != "" {
			t.Errorf("%s shows a resident-ID-like number %s", u, m)
		}
		if m := mobile.FindString(main); m != "" {
			t.Errorf("%s shows a mobile number %s", u, m)
		}
	}
}

// TestPortal_routesArePublic: every portal route is public and read-only.
func TestPortal_routesArePublic(t *testing.T) {
	db := storetest.SQLite(t)
	srv := portalServer(t, db, demoCatalogue(t, db))
	var n int
	for _, rt := range srv.Routes() {
		if strings.HasPrefix(rt.Path(), "/portal") {
			n++
			if !rt.Policy.Public || rt.Policy.Write || rt.Method() != http.MethodGet {
				t.Errorf("%s: policy %+v", rt.Pattern, rt.Policy)
			}
		}
	}
	if n != 9 {
		t.Errorf("%d portal routes, want 9", n)
	}
}
