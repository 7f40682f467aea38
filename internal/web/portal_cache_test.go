package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web"
)

// staff returns the principal of the org demo staff member with that name.
func staff(t *testing.T, db *store.DB, name string) access.Principal {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := db.QueryRow(ctx, `SELECT id FROM staff WHERE name = ?`, name).Scan(&id); err != nil {
		t.Fatalf("staff %s: %v", name, err)
	}
	p, err := org.NewService(db).StaffPrincipal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	p.Login, p.AccountID = name, id
	return p
}

// within waits up to 2.5 s (a generation check, with room to spare) for
// ok, and fails with msg if it never holds.
func within(t *testing.T, msg string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(2500 * time.Millisecond)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sqlStmt is a statement and its arguments.
type sqlStmt struct {
	q    string
	args []any
}

// behindTheBack runs stmts in one transaction, as another program (or
// another instance) writing the tables would, without the services.
func behindTheBack(t *testing.T, db *store.DB, stmts ...sqlStmt) {
	t.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for _, st := range stmts {
			if _, err := tx.Exec(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// otherInstance is another instance's server over db: its own catalogue
// service and portal.
func otherInstance(t *testing.T, db *store.DB) *web.Server {
	t.Helper()
	other := catdb.New(db)
	other.SetIndexer(catsearch.Hook)
	return portalServer(t, db, other)
}

// suspendAtDistrict runs a suspension of the district's item code through
// every step of the procedure (C3) up to its publication.
func suspendAtDistrict(t *testing.T, db *store.DB, cat *catdb.Service, code, name string) {
	t.Helper()
	ctx := context.Background()
	liaison, head := staff(t, db, "何静"), staff(t, db, "马骏")
	office, reform := staff(t, db, "周文"), staff(t, db, "孙建国")
	seats, err := cat.ReformSeats(ctx, org.System, reform.StaffID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.SetReformGroups(ctx, org.System, reform.StaffID, seats.Version, []catalog.ReformGroup{catalog.PowerListGroup, catalog.DutyListGroup}); err != nil {
		t.Fatal(err)
	}
	a, err := cat.CreateAdjustment(ctx, liaison, catdb.AdjustmentInput{Title: "暂停", Reason: catalog.InstitutionalReform,
		Bases:   []catalog.BasisDocument{{Title: "青山区机构改革方案", DocNo: "青办〔2026〕1号", Issued: time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC)}},
		Changes: []catalog.Change{{Kind: catalog.SuspendItem, BaseCode: code, Name: name, Note: "职能划转期间暂停"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		who   access.Principal
		kind  catalog.ActionKind
		group catalog.ReformGroup
		note  string
	}{{head, catalog.ActSign, "", ""}, {office, catalog.ActOfficeApprove, "", "同意"},
		{reform, catalog.ActGroupApprove, catalog.PowerListGroup, ""}, {reform, catalog.ActGroupApprove, catalog.DutyListGroup, ""},
		{office, catalog.ActPublish, "", ""}} {
		if _, err := cat.Act(ctx, step.who, a.ID, 0, catalog.Action{Kind: step.kind, Group: step.group, Comment: step.note}); err != nil {
			t.Fatalf("%s: %v", step.kind, err)
		}
	}
}

// TestPortal_C7_cachedPagesSeeSuspensionAtOnce: the portal caches rendered
// pages, yet a suspension is on the item page, its guide and the search
// results of the instance that published it on the very next request, and
// on another instance sharing the database within its generation check
// (about a second, well before the cache's TTL).
func TestPortal_C7_cachedPagesSeeSuspensionAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cat := demoCatalogue(t, db)
		srv, srv2 := portalServer(t, db, cat), otherInstance(t, db)

		const code, name = "0700001000", "残疾人证核发"
		id := itemID(t, db, districtID(t, db), code)
		item := fmt.Sprintf("/portal/items/%d", id)
		search := "/portal/search?q=" + code
		pages := []string{item, item + "/guide", search}
		// One visitor (one CSRF cookie, so one token in the frame): the
		// page from the cache (second round) is the page a server without
		// cache renders; another visitor gets their own token, never the
		// first one's.
		plain := portalServerWith(t, db, struct{ web.Portal }{web.NewPortal(db, cat)})
		cookie := []string{"Cookie", auth.CSRFCookie + "=visitor-1"}
		tokenRE := regexp.MustCompile(`name="` + web.CSRFField + `" value="([^"]+)"`)
		untoken := func(body string) string {
			m := tokenRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("page without CSRF token")
			}
			return strings.ReplaceAll(body, m[1], "TOKEN")
		}
		for round := range 2 {
			for _, u := range pages {
				_, _, want := get(t, plain, u, cookie...)
				for _, s := range []http.Handler{srv, srv2} {
					st, _, body := get(t, s, u, cookie...)
					if st != 200 {
						t.Fatalf("%s: status %d", u, st)
					}
					if strings.Contains(body, `id="standing"`) || strings.Contains(body, `class="suspended"`) {
						t.Fatalf("%s shows %s suspended before the suspension", u, code)
					}
					// Each server signs tokens with its own key.
					if untoken(body) != untoken(want) {
						t.Errorf("%s (round %d): the cached page differs from the rendered one", u, round)
					}
					m := tokenRE.FindStringSubmatch(body)
					_, _, other := get(t, s, u, "Cookie", auth.CSRFCookie+"=visitor-2")
					if m == nil || strings.Contains(other, m[1]) || !tokenRE.MatchString(other) {
						t.Errorf("%s: token %v of visitor 1 shown to visitor 2, or no token", u, m)
					}
				}
			}
		}

		suspendAtDistrict(t, db, cat, code, name)

		want := map[string]string{item: `id="standing"`, item + "/guide": `id="standing"`, search: `class="suspended"`}
		for _, u := range pages {
			_, _, body := get(t, srv, u)
			if !strings.Contains(body, want[u]) {
				t.Errorf("%s: the publishing instance still shows the item listed", u)
			}
		}
		for _, u := range pages {
			within(t, u+": the other instance still shows the item listed after 2.5 s", func() bool {
				_, _, body := get(t, srv2, u)
				return strings.Contains(body, want[u])
			})
		}
	})
}

// TestPortalCache_C9_itemPagesStayInMemoryUntilTheirGenerationEnds: an
// item page is served from memory however old it is, while the portal's
// generation stands (a change no publication makes, written behind the
// portal's back, does not show); a body renamed by another instance ends
// the generation within its check, and the page shows the new name.
func TestPortalCache_C9_itemPagesStayInMemoryUntilTheirGenerationEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := demoCatalogue(t, db)
		srv := portalServer(t, db, cat)
		clk := &clock{t: time.Now()}
		web.SetPortalClock(srv, clk.now)
		district := districtID(t, db)
		id := itemID(t, db, district, "0700001000")
		u := fmt.Sprintf("/portal/items/%d", id)
		var bodyName string
		if err := db.QueryRow(ctx, `SELECT name FROM bodies WHERE id = ?`, district).Scan(&bodyName); err != nil {
			t.Fatal(err)
		}
		page := func() string { t.Helper(); return getOK(t, srv, u) }
		if body := page(); !strings.Contains(body, bodyName) || strings.Contains(body, `id="standing"`) {
			t.Fatal("first view: no body name, or the item shown suspended")
		}
		// Behind the portal's back: the item marked suspended without a
		// publication. A render would show it.
		behindTheBack(t, db, sqlStmt{`UPDATE catalog_items SET standing = ? WHERE id = ?`, []any{string(catalog.Suspended), id}})
		clk.add(24 * time.Hour)
		if strings.Contains(page(), `id="standing"`) {
			t.Fatal("a day later, with the generation unchanged, the page was not served from memory")
		}
		// Another instance renames the body: within the generation check
		// (a second) the page is rendered anew, with the new name.
		renamed := bodyName + "（更名）"
		behindTheBack(t, db, sqlStmt{`UPDATE bodies SET name = ?, updated_at = updated_at + 1 WHERE id = ?`, []any{renamed, district}})
		within(t, "2.5 s after another instance renamed the body, the page still shows the old name", func() bool {
			return strings.Contains(page(), renamed)
		})
	})
}

// TestPortalCache_C9_aPublicationCommittedLateIsNoticed: the portal learns
// what changed from the audit log's events after the last it saw, not from
// the newest version id or the items' updated_at: another instance's
// publication that commits after a later one (its version ids lower, the
// newest id unchanged, its rows stamped earlier) still ends the pages it
// changed within the generation check. Nothing of the portal's is kept on
// the catalogue's tables.
func TestPortalCache_C9_aPublicationCommittedLateIsNoticed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := demoCatalogue(t, db)
		srv := portalServer(t, db, cat)
		scalar := func(q string, args ...any) int64 {
			t.Helper()
			var n int64
			if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, gone := range []string{`SELECT count(*) FROM catalog_epoch`, `SELECT count(*) FROM portal_snapshots`, `SELECT epoch FROM catalog_items`} {
			if _, err := db.Query(ctx, gone); err == nil {
				t.Errorf("%s: still there", gone)
			}
		}
		suspendAtDistrict(t, db, cat, "0700001000", "残疾人证核发")
		id := scalar(`SELECT id FROM catalog_items WHERE standing = ? ORDER BY id LIMIT 1`, string(catalog.Listed))
		u := fmt.Sprintf("/portal/items/%d", id)
		if strings.Contains(getOK(t, srv, u), `id="standing"`) {
			t.Fatal("a listed item shown suspended")
		}
		newest, updated := scalar(`SELECT MAX(id) FROM catalog_versions`), scalar(`SELECT updated_at FROM catalog_items WHERE id = ?`, id)
		// The late commit, as its effect on the tables: the item's row
		// changed with its event, no version id above the newest, the row
		// stamped as before.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE catalog_items SET standing = ? WHERE id = ?`, string(catalog.Suspended), id); err != nil {
				return err
			}
			return tx.Emit(store.Event{Actor: "other-instance", Action: "catalog.item.updated", ObjectType: catdb.ObjItem,
				ObjectID: strconv.FormatInt(id, 10), From: string(catalog.Listed), To: string(catalog.Suspended)})
		}); err != nil {
			t.Fatal(err)
		}
		if n := scalar(`SELECT MAX(id) FROM catalog_versions`); n != newest {
			t.Fatalf("newest version id moved from %d to %d", newest, n)
		}
		if n := scalar(`SELECT updated_at FROM catalog_items WHERE id = ?`, id); n != updated {
			t.Fatalf("updated_at moved from %d to %d", updated, n)
		}
		within(t, "2.5 s after a late publication committed, the item page still shows the item listed", func() bool {
			return strings.Contains(getOK(t, srv, u), `id="standing"`)
		})
	})
}

// TestPortalCache_C9_aPublicationEndsOnlyItsItemsPages: on the publishing
// instance at once, and on another within its check, a publication ends
// the pages of the items it published and leaves the rest of the list's
// pages in memory (a change written behind the portals' back to another
// item does not show).
func TestPortalCache_C9_aPublicationEndsOnlyItsItemsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := demoCatalogue(t, db)
		srv, srv2 := portalServer(t, db, cat), otherInstance(t, db)
		const code, name = "0700001000", "残疾人证核发"
		a := fmt.Sprintf("/portal/items/%d", itemID(t, db, districtID(t, db), code))
		var bID int64
		if err := db.QueryRow(ctx, `SELECT id FROM catalog_items WHERE standing = ? AND base_code <> ? ORDER BY id LIMIT 1`,
			string(catalog.Listed), code).Scan(&bID); err != nil {
			t.Fatal(err)
		}
		b := fmt.Sprintf("/portal/items/%d", bID)
		suspended := func(h http.Handler, u string) bool {
			t.Helper()
			return strings.Contains(getOK(t, h, u), `id="standing"`)
		}
		for _, h := range []http.Handler{srv, srv2} {
			if suspended(h, a) || suspended(h, b) {
				t.Fatal("a listed item shown suspended")
			}
		}
		// Behind the portals' back, without an event: only the memory
		// can still serve the page as it was.
		behindTheBack(t, db, sqlStmt{`UPDATE catalog_items SET standing = ?, updated_at = updated_at + 1 WHERE id = ?`, []any{string(catalog.Suspended), bID}})
		suspendAtDistrict(t, db, cat, code, name)
		if !suspended(srv, a) {
			t.Error("the publishing instance does not show its publication on the next request")
		}
		within(t, "the other instance does not show the publication after 2.5 s", func() bool { return suspended(srv2, a) })
		for i, h := range []http.Handler{srv, srv2} {
			if suspended(h, b) {
				t.Errorf("instance %d: the publication of another item ended this item's page in memory", i+1)
			}
		}
	})
}
