package complaintweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/complaint/complaintweb"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

var ctx = context.Background()

type fakeFrame struct{}

func (fakeFrame) Page(w http.ResponseWriter, _ *http.Request, status int, title string, content template.HTML) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<title>%s</title>%s", title, content)
}
func (fakeFrame) CSRFToken(*http.Request) string { return webtest.CSRFToken }

type fixture struct {
	db   *store.DB
	env  *webtest.Env
	svc  *complaintdb.Service
	demo orgtest.Demo
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, demo: orgtest.Load(t, db)}
	docs := documentdb.New(db, documentdb.Options{PublicURL: "https://qingdan.example.gov.cn"})
	if err := docs.EnableDemoSeals(ctx, "seal1"); err != nil { // an answer bears the seal (P8, H8)
		t.Fatal(err)
	}
	f.svc = complaintdb.New(db, caldb.New(db), complaintdb.Options{Documents: docs})
	routes, err := complaintweb.Routes(f.svc, fakeFrame{})
	if err != nil {
		t.Fatal(err)
	}
	f.env = webtest.New(t, routes...)
	for login, p := range f.demo.People {
		f.env.Sessions.Put(webtest.Token(login), p)
	}
	return f
}

func (f *fixture) do(t *testing.T, sc webtest.Scenario) string {
	t.Helper()
	_, body := webtest.Do(t, f.env.Server, sc)
	return body
}

// multipartForm is a complaint form with one evidence file.
func multipartForm(t *testing.T, fields url.Values, fileName string, file []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("evidence", fileName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

func (f *fixture) fields() url.Values {
	return url.Values{"body": {strconv.FormatInt(f.demo.Bodies["330199"], 10)}, "target_kind": {"unit"}, "unit": {"ZHZF"},
		"ground": {"needless_documents"}, "facts": {"执法队要求提供已取消的证明。"}, "name": {"王五"}, "phone": {"13812345678"}}
}

func (f *fixture) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM complaints`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	numberRE = regexp.MustCompile(`id="complaint-number">(TS[0-9-]+)<`)
	codeRE   = regexp.MustCompile(`id="query-code">([A-Z0-9]+)<`)
	pngHead  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
)

func TestPages_P1_P2_badComplaintFormsGetAClearErrorAndChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.do(t, webtest.Scenario{URL: "/portal/complaints/new", As: webtest.Anonymous, Status: http.StatusOK,
			Contains: []string{`enctype="multipart/form-data"`, "行使清单外权力", `name="` + "csrf"}})
		for _, c := range []struct {
			name, key, value, want string
		}{
			{"no target", "target_kind", "", "投诉对象"},
			{"no ground", "ground", "", "投诉事由"},
			{"script in the facts", "facts", "<script>alert(1)</script>", "script"},
			{"invalid phone", "phone", "12345", "联系电话"},
		} {
			fs := f.fields()
			fs.Set(c.key, c.value)
			body, ct := multipartForm(t, fs, "", nil)
			f.do(t, webtest.Scenario{Name: c.name, Method: "POST", URL: "/portal/complaints/new", As: webtest.Anonymous, Body: body, ContentType: ct,
				Status: http.StatusBadRequest, Contains: []string{c.want}})
		}
		// A file whose content is not an image, PDF or text, whatever its name.
		body, ct := multipartForm(t, f.fields(), "photo.jpg", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"))
		f.do(t, webtest.Scenario{Method: "POST", URL: "/portal/complaints/new", As: webtest.Anonymous, Body: body, ContentType: ct,
			Status: http.StatusBadRequest, Contains: []string{"photo.jpg"}})
		if n := f.count(t); n != 0 {
			t.Errorf("%d complaints stored from bad forms", n)
		}
	})
}

func TestPages_P1_a50MBUploadIsRefusedNamingTheLimit(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	body, ct := multipartForm(t, f.fields(), "big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 50<<20)...))
	f.do(t, webtest.Scenario{Method: "POST", URL: "/portal/complaints/new", As: webtest.Anonymous, Body: body, ContentType: ct,
		Status: http.StatusRequestEntityTooLarge})
	if n := f.count(t); n != 0 {
		t.Errorf("%d complaints stored", n)
	}
}

// TestPages_P1_P4_P5_P8_fileOnlineAcceptInvestigateAnswerAndFollow is the
// issue's journey over the forms: the public files with a PNG as evidence,
// the office accepts and names two investigators, both declare, one
// records the findings, the office answers, and the complainant reads the
// answer with the query code — and asks for review.
func TestPages_P1_P4_P5_P8_fileOnlineAcceptInvestigateAnswerAndFollow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		body, ct := multipartForm(t, f.fields(), "receipt.png", pngHead)
		page := f.do(t, webtest.Scenario{Method: "POST", URL: "/portal/complaints/new", As: webtest.Anonymous, Body: body, ContentType: ct,
			Status: http.StatusCreated})
		nm, cm := numberRE.FindStringSubmatch(page), codeRE.FindStringSubmatch(page)
		if nm == nil || cm == nil {
			t.Fatalf("no number or code:\n%s", page)
		}
		n, code := nm[1], cm[1]
		// O4: the office's page does not show the complainant until asked.
		f.do(t, webtest.Scenario{URL: "/complaints/" + n, As: "office1", Status: http.StatusOK,
			Contains: []string{"receipt.png", "image/png", `id="show-complainant"`}, NotContains: []string{"王五", "13812345678"}})
		f.do(t, webtest.Scenario{URL: "/complaints/" + n + "?show=complainant", As: "office1", Status: http.StatusOK, Contains: []string{"王五"}})
		f.do(t, webtest.Scenario{URL: "/complaints", As: "office1", Status: http.StatusOK, Contains: []string{n}, NotContains: []string{"王五"}})
		act := func(login string, v int, kv ...string) {
			t.Helper()
			form := url.Values{"version": {strconv.Itoa(v)}}
			for i := 0; i+1 < len(kv); i += 2 {
				form.Add(kv[i], kv[i+1])
			}
			f.do(t, webtest.Scenario{Method: "POST", URL: "/complaints/" + n + "/act", As: login, Body: form.Encode(), Status: http.StatusSeeOther})
		}
		// A stale version is a 409.
		f.do(t, webtest.Scenario{Method: "POST", URL: "/complaints/" + n + "/act", As: "office1", Body: "version=7&action=accept&mode=direct",
			Status: http.StatusConflict})
		act("office1", 1, "action", "accept", "mode", "direct")
		reform, sup := f.demo.People["reform1"].StaffID, f.demo.People["supervisor1"].StaffID
		act("office1", 2, "action", "assign", "investigators", strconv.FormatInt(reform, 10), "investigators", strconv.FormatInt(sup, 10))
		f.do(t, webtest.Scenario{URL: "/complaints/" + n, As: "supervisor1", Status: http.StatusOK, Contains: []string{`id="declare"`}})
		act("reform1", 3, "action", "declare")
		act("supervisor1", 4, "action", "declare")
		act("supervisor1", 5, "action", "find", "findings", "经查属实。", "verified", "yes", "outcomes", "interview")
		act("office1", 6, "action", "answer", "text", "经调查，您反映的问题属实，已责成整改。")
		f.do(t, webtest.Scenario{URL: "/portal/complaints?number=" + n + "&code=" + strings.ToLower(code), As: webtest.Anonymous, Status: http.StatusOK,
			Contains: []string{"已书面答复", "已责成整改", "审诉〔2026〕0001号", `id="answer-pdf"`}, NotContains: []string{"王五", "13812345678"}})
		// P8: the answer is a sealed document; the complainant reads its page and PDF with the code, masked (O4).
		f.do(t, webtest.Scenario{URL: "/portal/complaints/" + n + "/answer?code=" + code, As: webtest.Anonymous, Status: http.StatusOK,
			Contains: []string{"投诉答复书", "审诉〔2026〕0001号", "已责成整改", "王*", `class="seal"`}, NotContains: []string{"王五", "13812345678"}})
		res, pdf := webtest.Do(t, f.env.Server, webtest.Scenario{URL: "/portal/complaints/" + n + "/answer.pdf?code=" + code, As: webtest.Anonymous,
			Status: http.StatusOK})
		if res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Errorf("the answer's PDF: %s", res.Header.Get("Content-Type"))
		}
		for _, u := range []string{"/answer?code=WRONGCODE", "/answer.pdf?code=WRONGCODE", "/answer"} {
			f.do(t, webtest.Scenario{URL: "/portal/complaints/" + n + u, As: webtest.Anonymous, Status: http.StatusNotFound, NotContains: []string{"已责成整改"}})
		}
		// Its handler reads it as issued; the complained unit and person, not at all.
		f.do(t, webtest.Scenario{URL: "/complaints/" + n + "/answer", As: "office1", Status: http.StatusOK, Contains: []string{"王五", "投诉答复书"}})
		f.do(t, webtest.Scenario{URL: "/complaints/" + n, As: "office1", Status: http.StatusOK, Contains: []string{`href="/complaints/` + n + `/answer.pdf"`}})
		for _, login := range []string{"head_zhzf", "unit1"} {
			for _, u := range []string{"/answer", "/answer.pdf"} {
				f.do(t, webtest.Scenario{URL: "/complaints/" + n + u, As: login, Status: http.StatusNotFound, NotContains: []string{"王五", "%PDF"}})
			}
		}
		f.do(t, webtest.Scenario{URL: "/portal/complaints?number=" + n + "&code=WRONGCODE", As: webtest.Anonymous, Status: http.StatusNotFound,
			NotContains: []string{"已责成整改"}})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/portal/complaints/" + n + "/review", As: webtest.Anonymous,
			Body: url.Values{"code": {code}, "reason": {"处理过轻"}}.Encode(), Status: http.StatusOK, Contains: []string{"复核申请已提交"}})
		// P9: the leader's tally shows the verified complaint's unit is not a staff member's; nothing for a person.
		f.do(t, webtest.Scenario{URL: "/complaints/tally?year=2026", As: "leader1", Status: http.StatusOK})
	})
}

func TestPages_O4_theComplainedUnitNeverSeesTheComplaint(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	body, ct := multipartForm(t, f.fields(), "", nil)
	page := f.do(t, webtest.Scenario{Method: "POST", URL: "/portal/complaints/new", As: webtest.Anonymous, Body: body, ContentType: ct, Status: http.StatusCreated})
	n := numberRE.FindStringSubmatch(page)[1]
	for _, login := range []string{"head_zhzf", "unit1"} {
		f.do(t, webtest.Scenario{URL: "/complaints/" + n + "?show=complainant", As: login, Status: http.StatusNotFound, NotContains: []string{"王五"}})
		f.do(t, webtest.Scenario{URL: "/api/v1/complaints/" + n + "/complainant", As: login, Bearer: true, NotContains: []string{"王五"}})
		f.do(t, webtest.Scenario{URL: "/complaints/" + n + "/answer", As: login, Status: http.StatusNotFound, NotContains: []string{"王五"}})
		f.do(t, webtest.Scenario{URL: "/complaints/" + n + "/answer.pdf", As: login, Status: http.StatusNotFound, NotContains: []string{"王五"}})
	}
}

func TestAPI_P4_versionedActionsAndThePublicFollowUp(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	var filed struct {
		Complaint struct{ Number string } `json:"complaint"`
		QueryCode string                  `json:"query_code"`
	}
	res, body := webtest.Do(t, f.env.Server, webtest.Scenario{Method: "POST", URL: "/api/v1/public/complaints", As: webtest.Anonymous,
		Body: fmt.Sprintf(`{"body":%d,"target":{"kind":"unit","unit":"ZHZF"},"ground":"要求提供不必要的材料","facts":"x","complainant":{"anonymous":true}}`,
			f.demo.Bodies["330199"]), Status: http.StatusCreated})
	if err := json.Unmarshal([]byte(body), &filed); err != nil || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%v %s", err, body)
	}
	n := filed.Complaint.Number
	f.do(t, webtest.Scenario{URL: "/api/v1/complaints/" + n, As: "office1", Bearer: true, Status: http.StatusOK, Contains: []string{`"version":1`}})
	f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/complaints/" + n + "/actions", As: "office1", Bearer: true,
		Body: `{"action":"accept","mode":"direct"}`, Status: http.StatusPreconditionRequired})
	f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/complaints/" + n + "/actions", As: "office1", Bearer: true,
		Header: map[string]string{"If-Match": `"7"`}, Body: `{"action":"accept","mode":"direct"}`, Status: http.StatusConflict})
	f.do(t, webtest.Scenario{Method: "POST", URL: "/api/v1/complaints/" + n + "/actions", As: "office1", Bearer: true,
		Header: map[string]string{"If-Match": `"1"`}, Body: `{"action":"accept","mode":"direct"}`, Status: http.StatusOK, Contains: []string{`"status":"accepted"`}})
	f.do(t, webtest.Scenario{URL: "/api/v1/public/complaints/" + n + "?code=" + filed.QueryCode, As: webtest.Anonymous, Status: http.StatusOK,
		Contains: []string{`"status":"accepted"`}})
	f.do(t, webtest.Scenario{URL: "/api/v1/public/complaints/" + n + "?code=AAAAAAAA", As: webtest.Anonymous, Status: http.StatusNotFound})
	f.do(t, webtest.Scenario{URL: "/api/v1/complaints?status=open", As: "office1", Bearer: true, Status: http.StatusOK, Contains: []string{n}})
}

func TestPages_englishAndTheTally(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.do(t, webtest.Scenario{URL: "/portal/complaints/new", As: webtest.Anonymous, Header: map[string]string{"Accept-Language": "en"}, Status: http.StatusOK,
		Contains: []string{"File a complaint", "exercising a power not on the list", "Complain anonymously"}})
	f.do(t, webtest.Scenario{URL: "/portal/complaints", As: webtest.Anonymous, Header: map[string]string{"Accept-Language": "en"}, Status: http.StatusOK, Contains: []string{"Follow a complaint", "Query code"}})
	f.do(t, webtest.Scenario{URL: "/complaints/tally?year=2026", As: "leader1", Status: http.StatusOK, Contains: []string{"投诉统计", "没有经查属实的投诉"}})
	f.do(t, webtest.Scenario{URL: "/complaints/tally?year=x", As: "leader1", Status: http.StatusBadRequest, Contains: []string{"年份"}})
	f.do(t, webtest.Scenario{URL: "/complaints/tally", As: "unit1", Status: http.StatusForbidden})
	f.do(t, webtest.Scenario{URL: "/complaints", As: "leader1", Status: http.StatusForbidden})
}
