package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// loggedIn is an HTTP client holding a demo account's session.
func loggedIn(t *testing.T, base, login string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	req, err := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"login": {login}, "password": {org.DemoPassword}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return client
}

func fetch(t *testing.T, c *http.Client, u string) (int, []byte, http.Header) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b, res.Header
}

// completedDemoCase is a demo case completed with its certificate issued
// (the demo issues documents as its cases are generated), and that
// certificate's id.
func completedDemoCase(t *testing.T, a *app) (string, int64) {
	t.Helper()
	var number string
	var id int64
	if err := a.db.QueryRow(context.Background(), `SELECT case_number, id FROM documents WHERE kind = 'completion_voucher' ORDER BY id LIMIT 1`).
		Scan(&number, &id); err != nil {
		t.Fatalf("no demo case has a completion certificate: %v", err)
	}
	return number, id
}

// TestBrowser_H7_H8_completionCertificatePrintsWithTheSealAndDownloadsAsPDF
// (issue #15 "Done when"): window1 opens a completed demo case, follows its
// completion certificate from the case page's documents, and Chromium —
// under the site's CSP, with print media emulated — shows it with the
// print stylesheet applied and the approval seal over the sign-off; its
// PDF downloads and holds the certificate's Chinese text and number.
func TestBrowser_H7_H8_completionCertificatePrintsWithTheSealAndDownloadsAsPDF(t *testing.T) {
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 200 })
	number, id := completedDemoCase(t, a)
	tab := browsertest.New(t, 1200, 1400)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	window := session(t, tab, srv.URL, "window1")
	link := `#doc-` + strconv.FormatInt(id, 10) + ` a`
	if err := chromedp.Do(window,
		chromedp.Navigate(srv.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`#documents`)),
		chromedp.Click(chromedp.CSS(link)),
		chromedp.WaitVisible(chromedp.CSS(`.seal svg`)),
	); err != nil {
		t.Fatalf("window1 opens the certificate of %s: %v", number, err)
	}
	title, err := chromedp.Run(window, chromedp.Evaluate[string](`document.title`))
	if err != nil || !strings.Contains(title, "办结凭证") {
		t.Fatalf("the page is %q (%v)", title, err)
	}
	printMedia := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})
	if err := chromedp.Do(window, printMedia); err != nil {
		t.Fatal(err)
	}
	shadow, err := chromedp.Run(window, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.document')).boxShadow`))
	if err != nil || shadow != "none" {
		t.Errorf("printed with the sheet's shadow %q (%v): the print stylesheet is not applied", shadow, err)
	}
	visible, err := chromedp.Run(window, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('.seal').getBoundingClientRect(),
		d = document.querySelector('.sign').getBoundingClientRect(), st = getComputedStyle(document.querySelector('.seal'));
		return s.width > 150 && st.visibility === 'visible' && st.display !== 'none' && s.left < d.right && s.right > d.left && s.top < d.bottom && s.bottom > d.top })()`))
	if err != nil || !visible {
		t.Errorf("the seal is not visible over the sign-off in print (%v)", err)
	}

	// The PDF, as the case page's link downloads it.
	c := loggedIn(t, srv.URL, "window1")
	status, pdf, h := fetch(t, c, srv.URL+"/cases/"+number+"/documents/"+strconv.FormatInt(id, 10)+".pdf")
	if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PDF: %d %s %.20q", status, h.Get("Content-Type"), pdf)
	}
	var doc string
	if err := a.db.QueryRow(context.Background(), `SELECT number FROM documents WHERE id = ?`, id).Scan(&doc); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed: the PDF's text is not read")
	}
	path := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"办结凭证", doc, number, "行政审批专用章"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the PDF's text lacks %s", want)
		}
	}
}

// TestServe_H8_sealKeeperAloneConfiguresTheSealAndTheRegisterExports: the
// demo's seal keeper sees the enabled seal and may disable it (then a
// registration, which issues a sealed receipt, is refused naming the
// seal) and enable it again; an administrator may not; the register lists
// a case's sealed documents and exports them to Excel; a bad date is named.
func TestServe_H8_sealKeeperAloneConfiguresTheSealAndTheRegisterExports(t *testing.T) {
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 60 })
	keeper := loggedIn(t, srv.URL, "seal1")
	status, body, _ := fetch(t, keeper, srv.URL+"/admin/seal")
	if status != http.StatusOK || !strings.Contains(string(body), "行政审批专用章") || !strings.Contains(string(body), "已启用") ||
		!strings.Contains(string(body), `href="/admin/seal"`) {
		t.Fatalf("the seal page: %d", status)
	}
	if status, _, _ := fetch(t, loggedIn(t, srv.URL, "admin"), srv.URL+"/admin/seal"); status != http.StatusForbidden {
		t.Fatalf("the administrator reached the seal page: %d", status)
	}
	number, id := completedDemoCase(t, a)
	status, body, _ = fetch(t, keeper, srv.URL+"/admin/seal/register?case="+url.QueryEscape(number))
	doc := "/cases/" + number + "/documents/" + strconv.FormatInt(id, 10)
	if status != http.StatusOK || !strings.Contains(string(body), number) || !strings.Contains(string(body), "审结〔") ||
		!strings.Contains(string(body), doc) {
		t.Fatalf("the register of %s: %d", number, status)
	}
	// The register's document opens for the keeper (the public copy: the
	// keeper does not act on cases).
	if status, body, _ := fetch(t, keeper, srv.URL+doc); status != http.StatusOK || !strings.Contains(string(body), "办结凭证") {
		t.Fatalf("the keeper opens %s: %d", doc, status)
	}
	status, body, _ = fetch(t, keeper, srv.URL+"/admin/seal/register?from=2026-13-01")
	if status != http.StatusBadRequest || !strings.Contains(string(body), "from") && !strings.Contains(string(body), "自（日期）") {
		t.Fatalf("a bad date: %d", status)
	}
	status, xlsx, _ := fetch(t, keeper, srv.URL+"/admin/seal/register.xlsx?case="+url.QueryEscape(number))
	if status != http.StatusOK {
		t.Fatalf("export: %d", status)
	}
	x, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil || len(rows) < 3 || rows[1][2] != number {
		t.Fatalf("exported rows %v (%v)", rows, err)
	}
	var sealed int
	if err := a.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM documents WHERE case_number = ? AND seal <> ''`, number).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != sealed {
		t.Errorf("exported %d uses, %d sealed documents", len(rows)-1, sealed)
	}
}

// TestServe_L7_portalListsTheApplicantsDocumentsMasked: the applicant who
// follows a demo case with its number and query code sees the documents
// issued to them, each page masked; without the code, or with another's,
// nothing.
func TestServe_L7_portalListsTheApplicantsDocumentsMasked(t *testing.T) {
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 60 })
	number, id := completedDemoCase(t, a)
	code := caseworkdb.DemoQueryCode(number)
	public := &http.Client{}
	status, body, _ := fetch(t, public, srv.URL+"/portal/cases?number="+url.QueryEscape(number)+"&code="+url.QueryEscape(code))
	page := "/portal/cases/" + number + "/documents/" + strconv.FormatInt(id, 10)
	if status != http.StatusOK || !strings.Contains(string(body), `id="documents"`) || !strings.Contains(string(body), page) {
		t.Fatalf("the portal's case page lists no certificate: %d", status)
	}
	if strings.Contains(string(body), "hand_over") || strings.Contains(string(body), "移交交接单") {
		t.Error("the portal lists an internal form")
	}
	var applicant string
	if err := a.db.QueryRow(context.Background(), `SELECT data FROM cases WHERE number = ?`, number).Scan(&applicant); err != nil {
		t.Fatal(err)
	}
	status, body, _ = fetch(t, public, srv.URL+page+"?code="+url.QueryEscape(code))
	if status != http.StatusOK || !strings.Contains(string(body), "办结凭证") {
		t.Fatalf("the applicant's certificate: %d", status)
	}
	if i := strings.Index(applicant, `"resident_id":"`); i >= 0 {
		id := applicant[i+len(`"resident_id":"`):]
		id = id[:strings.IndexByte(id, '"')]
		if id != "" && strings.Contains(string(body), id) {
			t.Errorf("the public copy shows the resident ID %s", id)
		}
	}
	for _, bad := range []string{"", "WRONG234"} {
		if status, _, _ := fetch(t, public, srv.URL+page+"?code="+bad); status != http.StatusNotFound {
			t.Errorf("code %q: %d", bad, status)
		}
	}
}

// TestServe_templateEditedWithPreviewAndLineErrors (issue #15 item 1): the
// administrator opens a kind's template, previews an edit on the sample
// case as an A4 page, is told the line of a mistake (nothing saved), and
// saves the edit as a new version, which the list then shows.
func TestServe_templateEditedWithPreviewAndLineErrors(t *testing.T) {
	a, srv := demoApp(t)
	admin := bearer(t, a, "admin")
	status, body := send(t, srv, "GET", "/admin/documents/templates/refusal_decision", admin, "", "")
	if status != http.StatusOK || !strings.Contains(body, `id="template-form"`) || !strings.Contains(body, "不予受理决定书") {
		t.Fatalf("the form: %d", status)
	}
	cur, err := a.docs.TemplateOf(context.Background(), mustPrincipal(t, a, admin), "refusal_decision")
	if err != nil {
		t.Fatal(err)
	}
	version := cur.ID
	edited := strings.Replace(cur.Source, "{{.Reason}}", "{{.Reason}}（特此告知）", 1)
	form := func(src string) string {
		return url.Values{"version": {strconv.FormatInt(version, 10)}, "template": {src}}.Encode()
	}
	status, body = send(t, srv, "POST", "/admin/documents/templates/refusal_decision/preview", admin, form(edited), "")
	if status != http.StatusOK || !strings.Contains(body, "（特此告知）") || !strings.Contains(body, `class="seal"`) {
		t.Fatalf("preview: %d %.300s", status, body)
	}
	bad := strings.Replace(edited, "{{.Basis}}", "{{.Basis}}\n{{.Nmae}}", 1)
	status, body = send(t, srv, "POST", "/admin/documents/templates/refusal_decision", admin, form(bad), "")
	if status != http.StatusBadRequest || !strings.Contains(body, "行：未知字段 .Nmae") {
		t.Fatalf("a bad template: %d %.500s", status, body)
	}
	status, _ = send(t, srv, "POST", "/admin/documents/templates/refusal_decision", admin, form(edited), "")
	if status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	status, body = send(t, srv, "GET", "/admin/documents/templates", admin, "", "")
	if status != http.StatusOK || !strings.Contains(body, "本机关修改版") {
		t.Fatalf("the list after saving: %d", status)
	}
}

func mustPrincipal(t *testing.T, a *app, token string) access.Principal {
	t.Helper()
	p, err := a.auth.TokenPrincipal(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
