package caseworkweb_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/casework/caseworkweb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

var ctx = context.Background()

// list is the catalogue the tests set: items by code with a standing a
// test may change (C4).
type list struct {
	mu    sync.Mutex
	items map[string]caseworkdb.Listing
}

func (l *list) Listing(_ context.Context, _ casework.Body, code string, _ time.Time) (caseworkdb.Listing, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	it, ok := l.items[code]
	if !ok {
		return caseworkdb.Listing{Standing: casework.Unlisted}, nil
	}
	return it, nil
}

func (l *list) set(code string, st casework.Standing) {
	l.mu.Lock()
	defer l.mu.Unlock()
	it := l.items[code]
	it.Standing = st
	l.items[code] = it
}

func wd(n int) calendar.Budget { return calendar.Budget{N: n, Unit: calendar.WorkingDays} }

const (
	applyForm  = "申请书"
	siteProof  = "场地使用证明"
	residentID = "11010519491231002X" // a valid resident ID (V1)
)

func newList() *list {
	zhzf := casework.Unit{Code: "ZHZF", Name: "综合执法队"}
	return &list{items: map[string]caseworkdb.Listing{
		"XK0001": {Standing: casework.Listed, Item: casework.Item{ID: 1, VersionID: 1, Code: "XK0001", Name: "户外广告设置许可",
			Category: "licensing", Kind: casework.Promised, Statutory: wd(20), Promised: wd(10), Stars: 4, Unit: zhzf,
			Materials: []casework.Material{{Name: applyForm, Required: true}, {Name: siteProof, Required: true}}}},
		"XK0002": {Standing: casework.Listed, Item: casework.Item{ID: 2, VersionID: 2, Code: "XK0002", Name: "只在窗口办的许可",
			Category: "licensing", Kind: casework.Promised, Statutory: wd(20), Promised: wd(10), Stars: 2, Unit: zhzf,
			Materials: []casework.Material{{Name: applyForm, Required: true}}}},
	}}
}

type fixture struct {
	db     *store.DB
	env    *webtest.Env
	svc    *caseworkdb.Service
	list   *list
	demo   orgtest.Demo
	online map[string]int64 // item code → catalogue row id, for /portal/apply/{item}
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

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, list: newList(), demo: orgtest.Load(t, db), online: map[string]int64{}}
	f.svc = caseworkdb.New(db, caldb.New(db), f.list, caseworkdb.Options{})
	if err := f.svc.StoreShipped(ctx); err != nil {
		t.Fatal(err)
	}
	pages, err := caseworkweb.PageRoutes(f.svc, caseworkweb.PageOptions{Frame: fakeFrame{}})
	if err != nil {
		t.Fatal(err)
	}
	routes := append(caseworkweb.Routes(f.svc), pages...)
	f.env = webtest.New(t, routes...)
	for login, p := range f.demo.People {
		f.env.Sessions.Put(webtest.Token(login), p)
	}
	// The catalogue rows the portal links its items by (the list above
	// answers their standing and content).
	for i, code := range []string{"XK0001", "XK0002"} {
		id := int64(9001 + i)
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO catalog_items (id, body_id, base_code, impl_code, name, category, unit, standing,
				version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'licensing', 'ZHZF', 'listed', 1, 0, 0)`,
				id, f.demo.Bodies["330199"], code, code, f.list.items[code].Item.Name)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		f.online[code] = id
	}
	return f
}

func (f *fixture) do(t *testing.T, sc webtest.Scenario) (*http.Response, string) {
	t.Helper()
	return webtest.Do(t, f.env.Server, sc)
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func (f *fixture) cases(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// register registers an application for XK0001 at window1's console with
// the materials given and answers its number.
func (f *fixture) register(t *testing.T, materials ...string) string {
	t.Helper()
	kv := []string{"item", "XK0001", "kind", "person", "name", "李四", "resident_id", residentID, "delivery", "window"}
	for _, m := range materials {
		kv = append(kv, "materials", m)
	}
	_, body := f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/window", As: "window1", Body: form(kv...), Status: http.StatusCreated,
		Contains: []string{"query-code"}})
	return numberIn(t, body)
}

var numberRE = regexp.MustCompile(`330199-\d{4}-\d{6}`)

func numberIn(t *testing.T, body string) string {
	t.Helper()
	n := numberRE.FindString(body)
	if n == "" {
		t.Fatalf("no case number in %s", body)
	}
	return n
}

var codeRE = regexp.MustCompile(`id="query-code">([^<]+)<`)

// act posts an action form of the case page as login, on the version the
// page shows now.
func (f *fixture) act(t *testing.T, login, number string, status int, kv ...string) string {
	t.Helper()
	v := f.version(t, login, number)
	_, body := f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/" + number + "/act", As: login,
		Body: form(append([]string{"version", fmt.Sprint(v)}, kv...)...), Status: status})
	return body
}

func (f *fixture) version(t *testing.T, login, number string) int {
	t.Helper()
	d, err := f.svc.Get(ctx, f.demo.People[login], number)
	if err != nil {
		t.Fatal(err)
	}
	return d.Case.Version
}

func (f *fixture) get(t *testing.T, number string) casework.Case {
	t.Helper()
	d, err := f.svc.Get(ctx, f.demo.People["window1"], number)
	if err != nil {
		t.Fatal(err)
	}
	return d.Case
}

func TestWindow_V1_badResidentIDNamedAndNothingStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/window", As: "window1", Status: http.StatusBadRequest,
			Body:     form("item", "XK0001", "kind", "person", "name", "李四", "resident_id", "110105194912310021", "materials", applyForm),
			Contains: []string{"身份证号码", "李四", `id="resident_id-error"`}}) // named beside the field, and the form keeps what was typed
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/window", As: "window1", Status: http.StatusBadRequest,
			Body:     form("item", "XK0001", "kind", "organisation", "name", "某公司", "credit_code", "91330100MA27XXXX0X"),
			Contains: []string{"统一社会信用代码"}})
		if n := f.cases(t); n != 0 {
			t.Fatalf("%d cases stored after refusals", n)
		}
	})
}

func TestWindow_C4_suspendedItemRefusedWithItsReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.list.set("XK0001", casework.Suspended)
		f.do(t, webtest.Scenario{URL: "/cases/window?item=XK0001", As: "window1", Status: http.StatusConflict,
			Contains: []string{"暂停"}, NotContains: []string{"register-form"}})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/window", As: "window1", Status: http.StatusConflict,
			Body:     form("item", "XK0001", "kind", "person", "name", "李四", "resident_id", residentID, "materials", applyForm),
			Contains: []string{"暂停"}})
		if n := f.cases(t); n != 0 {
			t.Fatalf("%d cases stored for a suspended item", n)
		}
	})
}

func TestWindow_H3_supplementNoticeListsEveryMissingMaterial(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.register(t, applyForm)
		// The case page offers the notice with the missing material checked.
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "window1", Status: http.StatusOK,
			Contains:    []string{`id="act-request_supplement"`, `name="missing" value="` + siteProof + `" checked`},
			NotContains: []string{`id="act-accept"`}}) // not with a material missing
		// A notice leaving a missing material out is refused, naming the field.
		body := f.act(t, "window1", n, http.StatusBadRequest, "action", "request_supplement")
		if !strings.Contains(body, "缺少的材料") || !strings.Contains(body, siteProof) {
			t.Fatalf("refusal does not name the missing material: %s", body)
		}
		f.act(t, "window1", n, http.StatusSeeOther, "action", "request_supplement", "missing", siteProof)
		c := f.get(t, n)
		if c.Status != "supplementing" || c.Rounds != 1 || strings.Join(c.Missing, ",") != siteProof {
			t.Fatalf("after the notice: status %s, rounds %d, missing %v", c.Status, c.Rounds, c.Missing)
		}
		f.do(t, webtest.Scenario{URL: "/cases/window", As: "window1", Status: http.StatusOK, Contains: []string{n}})
	})
}

func TestCase_H1_twoStaffAtOnceOneSucceedsTheOtherSeesAConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.register(t, applyForm, siteProof)
		v := fmt.Sprint(f.version(t, "window1", n))
		// Both opened the page at version v; the first accepts.
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/" + n + "/act", As: "window1", Status: http.StatusSeeOther,
			Body: form("version", v, "action", "accept")})
		_, body := f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/" + n + "/act", As: "window1", Status: http.StatusConflict,
			Body: form("version", v, "action", "refuse", "reason", "材料不全", "basis", "《行政许可法》第三十二条")})
		if !strings.Contains(body, "已被他人修改") || !strings.Contains(body, "已受理") {
			t.Fatalf("the conflict does not show the case as it is now: %s", body)
		}
		if c := f.get(t, n); c.Status != "accepted" {
			t.Fatalf("status %s after the conflict", c.Status)
		}
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/" + n + "/act", As: "window1", Status: http.StatusBadRequest,
			Body: form("action", "hand_over"), Contains: []string{"版本"}})
	})
}

func TestWindow_H3_refusalNeedsReasonAndBasis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.register(t, applyForm)
		f.act(t, "window1", n, http.StatusBadRequest, "action", "refuse", "reason", " ")
		if c := f.get(t, n); c.Status != "submitted" {
			t.Fatalf("status %s after a refusal without reason", c.Status)
		}
		f.act(t, "window1", n, http.StatusSeeOther, "action", "refuse", "reason", "不属于本机关职权范围", "basis", "《行政许可法》第三十二条")
		if c := f.get(t, n); c.Status != "refused" {
			t.Fatalf("status %s", c.Status)
		}
	})
}

func TestCase_L7_supervisorSeesTheApplicantMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.register(t, applyForm, siteProof)
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "window1", Status: http.StatusOK, Contains: []string{residentID, "李四"}})
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "supervisor1", Status: http.StatusOK,
			NotContains: []string{residentID, "李四"}, Contains: []string{"李*", "<svg"}})
		// Outside the jurisdiction: the town's staff cannot open it (O1).
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "xikou1", Status: http.StatusForbidden})
	})
}

func TestCase_L4_pauseAndResumeWithWrittenOpinion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.register(t, applyForm, siteProof)
		f.act(t, "window1", n, http.StatusSeeOther, "action", "accept")
		f.act(t, "window1", n, http.StatusSeeOther, "action", "hand_over")
		f.act(t, "unit1", n, http.StatusSeeOther, "action", "receive")
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "leader1", Status: http.StatusOK,
			Contains: []string{`id="act-pause"`, `id="act-extend"`}})
		f.act(t, "leader1", n, http.StatusSeeOther, "action", "pause", "reason", "须现场核实广告位", "kind", "site_survey", "days", "5")
		if c := f.get(t, n); c.Status != "suspended" || c.Special == nil {
			t.Fatalf("after the pause: %s %+v", c.Status, c.Special)
		}
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "unit1", Status: http.StatusOK, Contains: []string{"暂停计时", `id="act-resume"`}})
		f.act(t, "unit1", n, http.StatusBadRequest, "action", "resume")
		f.act(t, "unit1", n, http.StatusSeeOther, "action", "resume", "opinion", "现场与申请一致")
		f.act(t, "leader1", n, http.StatusBadRequest, "action", "extend", "days", "x", "reason", "复杂")
		f.act(t, "leader1", n, http.StatusSeeOther, "action", "extend", "days", "5", "reason", "情况复杂")
		c := f.get(t, n)
		if c.Status != "handling" || c.Special != nil {
			t.Fatalf("after resume and extension: %s", c.Status)
		}
	})
}

func TestInbox_H5_bulkReceiveSeveralHandedOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var numbers []string
		for range 3 {
			n := f.register(t, applyForm, siteProof)
			f.act(t, "window1", n, http.StatusSeeOther, "action", "accept")
			f.act(t, "window1", n, http.StatusSeeOther, "action", "hand_over")
			numbers = append(numbers, n)
		}
		_, body := f.do(t, webtest.Scenario{URL: "/cases?status=handling", As: "unit1", Status: http.StatusOK})
		for _, n := range numbers {
			if !strings.Contains(body, `name="case" value="`+n+`"`) {
				t.Fatalf("inbox lacks %s: %s", n, body)
			}
		}
		kv := []string{"action", "receive"}
		for _, n := range numbers[:2] {
			kv = append(kv, "case", n, "v."+n, fmt.Sprint(f.version(t, "unit1", n)))
		}
		kv = append(kv, "case", numbers[2], "v."+numbers[2], "1") // stale: reported, not taken
		_, body = f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/bulk", As: "unit1", Body: form(kv...), Status: http.StatusConflict,
			Contains: []string{"bulk-results"}})
		for i, n := range numbers {
			want := "review"
			if i == 2 {
				want = "unit_receipt"
			}
			if c := f.get(t, n); c.Step != want {
				t.Fatalf("%s at %s, want %s", n, c.Step, want)
			}
		}
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/bulk", As: "unit1", Body: form("action", "decide", "case", numbers[0]),
			Status: http.StatusBadRequest})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/bulk", As: "supervisor1", Body: form("action", "receive", "case", numbers[2]),
			Status: http.StatusForbidden})
	})
}

// applyOnline submits the portal's form for item with the key and answers
// the page.
func (f *fixture) applyOnline(t *testing.T, code, key string, status int, kv ...string) string {
	t.Helper()
	// The form names the materials by their place in the item's list;
	// without any given, every one is handed in.
	given := false
	for i := 0; i < len(kv); i += 2 {
		given = given || kv[i] == "materials"
	}
	if !given {
		kv = append(kv, "materials", "0", "materials", "1")
	}
	kv = append([]string{"key", key, "kind", "person", "name", "王五", "resident_id", residentID, "phone", "13800138000"}, kv...)
	_, body := f.do(t, webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/portal/apply/%d", f.online[code]), As: webtest.Anonymous,
		Body: form(kv...), Status: status})
	return body
}

func TestPublic_C11_applyOnlineOnceForTwoSubmits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.do(t, webtest.Scenario{URL: fmt.Sprintf("/portal/apply/%d", f.online["XK0001"]), As: webtest.Anonymous, Status: http.StatusOK,
			Contains: []string{`name="key"`, siteProof, `name="materials" value="1"`, `id="flow-diagram"><svg`}})
		f.applyOnline(t, "XK0001", "abcdefabcdefabcdefabcdefabcdefab", http.StatusBadRequest, "materials", "7")
		f.do(t, webtest.Scenario{URL: fmt.Sprintf("/portal/apply/%d", f.online["XK0002"]), As: webtest.Anonymous, Status: http.StatusConflict,
			Contains: []string{"C11"}})
		key := "0123456789abcdef0123456789abcdef"
		first := f.applyOnline(t, "XK0001", key, http.StatusCreated)
		second := f.applyOnline(t, "XK0001", key, http.StatusCreated)
		n1, n2 := numberIn(t, first), numberIn(t, second)
		c1, c2 := codeRE.FindStringSubmatch(first), codeRE.FindStringSubmatch(second)
		if n1 != n2 || c1 == nil || c2 == nil || c1[1] != c2[1] {
			t.Fatalf("two submits: %s %v and %s %v", n1, c1, n2, c2)
		}
		if n := f.cases(t); n != 1 {
			t.Fatalf("%d cases for one submission sent twice", n)
		}
		f.applyOnline(t, "XK0002", "fedcba9876543210fedcba9876543210", http.StatusConflict)
		if n := f.cases(t); n != 1 {
			t.Fatalf("%d cases after a refused online application", n)
		}
	})
}

func TestPublic_V3_numberAloneFindsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		body := f.applyOnline(t, "XK0001", "0123456789abcdef0123456789abcdef", http.StatusCreated)
		n := numberIn(t, body)
		f.do(t, webtest.Scenario{URL: "/portal/cases?number=" + n, As: webtest.Anonymous, Status: http.StatusBadRequest,
			Contains: []string{"查询码"}, NotContains: []string{"户外广告设置许可"}})
		_, wrong := f.do(t, webtest.Scenario{URL: "/portal/cases?number=" + n + "&code=AAAAAAAA", As: webtest.Anonymous,
			Status: http.StatusNotFound, NotContains: []string{"户外广告设置许可"}})
		_, unknown := f.do(t, webtest.Scenario{URL: "/portal/cases?number=330199-2026-999999&code=AAAAAAAA", As: webtest.Anonymous,
			Status: http.StatusNotFound})
		strip := func(s string) string { return numberRE.ReplaceAllString(s, "") }
		if strip(wrong) != strip(unknown) {
			t.Fatalf("a wrong code answers differently from an unknown number:\n%s\n%s", wrong, unknown)
		}
	})
}

func TestPublic_L7_followMasksTheApplicantAndH12WithholdsSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		body := f.applyOnline(t, "XK0001", "0123456789abcdef0123456789abcdef", http.StatusCreated)
		n, code := numberIn(t, body), codeRE.FindStringSubmatch(body)[1]
		f.do(t, webtest.Scenario{URL: "/portal/cases?number=" + n + "&code=" + code, As: webtest.Anonymous, Status: http.StatusOK,
			Contains: []string{"户外广告设置许可", "王*"}, NotContains: []string{"王五", residentID, "13800138000"}})
		// Registered at the window as involving privacy.
		_, reg := f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/window", As: "window1", Status: http.StatusCreated,
			Body: form("item", "XK0001", "kind", "person", "name", "赵六", "resident_id", residentID, "materials", applyForm, "privacy", "on")})
		f.do(t, webtest.Scenario{URL: "/portal/cases?number=" + numberIn(t, reg) + "&code=" + codeRE.FindStringSubmatch(reg)[1], As: webtest.Anonymous,
			Status: http.StatusOK, Contains: []string{"不公开详情"}, NotContains: []string{"户外广告设置许可", "赵"}})
	})
}

func TestPublic_H3_supplementAndWithdrawOnline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		body := f.applyOnline(t, "XK0001", "0123456789abcdef0123456789abcdef", http.StatusCreated, "materials", "0") // the application form only
		n, code := numberIn(t, body), codeRE.FindStringSubmatch(body)[1]
		f.act(t, "window1", n, http.StatusSeeOther, "action", "request_supplement", "missing", siteProof)
		follow := "/portal/cases?number=" + n + "&code=" + code
		f.do(t, webtest.Scenario{URL: follow, As: webtest.Anonymous, Status: http.StatusOK,
			Contains: []string{"supplement-form", `value="` + siteProof + `"`, "一次性告知书"}})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/portal/cases/" + n + "/supplement", As: webtest.Anonymous, Status: http.StatusNotFound,
			Body: form("code", "AAAAAAAA", "materials", siteProof)})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/portal/cases/" + n + "/supplement", As: webtest.Anonymous, Status: http.StatusOK,
			Body: form("code", code, "materials", siteProof), Contains: []string{"补正材料已提交"}})
		if c := f.get(t, n); c.Status != "submitted" || len(c.Missing) != 0 && c.MaterialsComplete() == false {
			t.Fatalf("after supplementing online: %s, missing %v", c.Status, c.Missing)
		}
		f.do(t, webtest.Scenario{Method: "POST", URL: "/portal/cases/" + n + "/withdraw", As: webtest.Anonymous, Status: http.StatusOK,
			Body: form("code", code, "reason", "不再需要"), Contains: []string{"申请已撤回"}, NotContains: []string{"withdraw-form"}})
		if c := f.get(t, n); c.Status != "withdrawn" {
			t.Fatalf("status %s after withdrawing", c.Status)
		}
	})
}

// TestPages_H7_applyOnlineToCompletion walks the path through the
// pages: apply online, the window accepts and hands over, the unit
// receives and decides, the window completes and notifies, and the
// applicant follows it to the end with the query code.
func TestPages_H7_applyOnlineToCompletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		body := f.applyOnline(t, "XK0001", "0123456789abcdef0123456789abcdef", http.StatusCreated)
		n, code := numberIn(t, body), codeRE.FindStringSubmatch(body)[1]
		for _, s := range []struct {
			who string
			kv  []string
		}{
			{"window1", []string{"action", "accept"}},
			{"window1", []string{"action", "hand_over"}},
			{"unit1", []string{"action", "receive"}},
			{"unit1", []string{"action", "decide", "outcome", "approved", "opinion", "符合设置要求"}},
			{"unit1", []string{"action", "hand_back"}},
			{"window1", []string{"action", "complete", "certificate", "GG2026-001"}},
		} {
			f.act(t, s.who, n, http.StatusSeeOther, s.kv...)
		}
		f.do(t, webtest.Scenario{URL: "/portal/cases?number=" + n + "&code=" + code, As: webtest.Anonymous, Status: http.StatusOK,
			Contains: []string{"已办结", "GG2026-001", "受理通知书", "办结凭证"}, NotContains: []string{"withdraw-form"}})
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "window1", Status: http.StatusOK,
			Contains: []string{"作出决定", "符合设置要求", `data-current="true"`}})
	})
}

// TestPages_policies: each page refuses whom its policy refuses.
func TestPages_policies(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	for _, sc := range []webtest.Scenario{
		{URL: "/cases/window", As: webtest.Anonymous, Status: http.StatusSeeOther},
		{URL: "/cases/window", As: "unit1", Status: http.StatusForbidden},
		{URL: "/cases/window", As: "window1", Status: http.StatusOK},
		{URL: "/cases", As: "unit1", Status: http.StatusOK},
		{URL: "/cases", As: "external1", Status: http.StatusForbidden},
		{URL: "/cases?due_before=2026-13-01", As: "unit1", Status: http.StatusBadRequest},
		{Method: "POST", URL: "/cases/window", As: "external1", Body: form("item", "XK0001"), Status: http.StatusForbidden},
		{URL: "/portal/cases", As: webtest.Anonymous, Status: http.StatusOK, Contains: []string{"follow-form"}},
		{URL: "/portal/apply/0", As: webtest.Anonymous, Status: http.StatusNotFound},
		{URL: "/portal/apply/x", As: webtest.Anonymous, Status: http.StatusNotFound},
	} {
		sc.Name = sc.Method + " " + sc.URL + " as " + sc.As
		f.do(t, sc)
	}
}

// TestCaseLists_H1_stepsShowByTheirFlowsName (#14 item 2): the window's
// console and the case list show where a case stands by the flow's name of
// the step, in the page's language, never by its id; the API carries the
// name beside the id.
func TestCaseLists_H1_stepsShowByTheirFlowsName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.register(t, applyForm)
		for _, url := range []string{"/cases/window", "/cases"} {
			f.do(t, webtest.Scenario{URL: url, As: "window1", Status: http.StatusOK, Contains: []string{n, "窗口收件审查"},
				NotContains: []string{"· received<"}})
			f.do(t, webtest.Scenario{URL: url, As: "window1", Header: map[string]string{"Accept-Language": "en"}, Status: http.StatusOK,
				Contains: []string{"Window checks the application"}})
		}
		f.do(t, webtest.Scenario{URL: "/api/v1/cases", As: "window1", Bearer: true, Status: http.StatusOK,
			Contains: []string{`"step":"received","step_name":{"zh":"窗口收件审查","en":"Window checks the application"}`}})
	})
}

// TestCase_H13_backupActsThroughThePagesOnlyWhileTheOwnerIsAway: through
// the A/B post page the window's head names themselves 陈晓's backup; the
// backup's acceptance is refused while 陈晓 is present, 陈晓 marks
// themselves away, the case page shows the owner away and the backup, and
// the backup's acceptance goes through, marked as the backup's. Someone
// else cannot mark 陈晓 away.
func TestCase_H13_backupActsThroughThePagesOnlyWhileTheOwnerIsAway(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		owner, head := f.demo.People["window1"], f.demo.People["head_bmfw"]
		post, staff := "/cases/ab-post", fmt.Sprint(owner.StaffID)
		f.do(t, webtest.Scenario{URL: "/cases/ab-post", As: "head_bmfw", Status: http.StatusOK,
			Contains: []string{`name="staff" value="` + staff + `"`, "指定B岗"}})
		f.do(t, webtest.Scenario{Method: "POST", URL: post, As: "head_bmfw", Status: http.StatusSeeOther, Location: "/cases/ab-post?done=post",
			Body: form("staff", staff, "version", "0", "backup", fmt.Sprint(head.StaffID))})
		f.do(t, webtest.Scenario{Method: "POST", URL: post, As: "unit1", Status: http.StatusForbidden, Body: form("staff", staff, "version", "1", "away", "on")})
		n := f.register(t, applyForm, siteProof)
		f.act(t, "head_bmfw", n, http.StatusForbidden, "action", "accept")
		f.do(t, webtest.Scenario{URL: "/cases/ab-post", As: "window1", Status: http.StatusOK, Contains: []string{"王芳"}, NotContains: []string{"指定B岗"}})
		f.do(t, webtest.Scenario{Method: "POST", URL: post, As: "window1", Status: http.StatusSeeOther, Body: form("staff", staff, "version", "1", "away", "on")})
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "head_bmfw", Status: http.StatusOK,
			Contains: []string{`id="backup">王芳`, "（不在岗）", `id="act-accept"`}})
		f.act(t, "head_bmfw", n, http.StatusSeeOther, "action", "accept")
		if c := f.get(t, n); c.Status != "accepted" || c.FirstResponder.ID != owner.StaffID {
			t.Fatalf("after the backup's acceptance: %s, owner %+v", c.Status, c.FirstResponder)
		}
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "window1", Status: http.StatusOK, Contains: []string{"B岗代办"}})
	})
}
