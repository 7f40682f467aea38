package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/org"
)

// sessionOf logs a demo account in: its principal and session cookie.
func sessionOf(tb testing.TB, a *app, login string) (access.Principal, *http.Cookie) {
	tb.Helper()
	sess, err := a.auth.Login(context.Background(), login, org.DemoPassword, "127.0.0.1")
	if err != nil {
		tb.Fatalf("login %s: %v", login, err)
	}
	p, err := a.auth.Session(context.Background(), sess)
	if err != nil {
		tb.Fatal(err)
	}
	return p, &http.Cookie{Name: auth.DefaultSessionCookie, Value: sess}
}

// openDemoCase registers an application at window1's window and returns
// its number.
func openDemoCase(tb testing.TB, a *app) string {
	tb.Helper()
	ctx := context.Background()
	var item string
	if err := a.db.QueryRow(ctx, `SELECT i.impl_code FROM catalog_items i JOIN bodies b ON b.id = i.body_id
		WHERE b.code = '330199' AND i.standing = 'listed' AND i.impl_code <> '' ORDER BY i.id LIMIT 1`).Scan(&item); err != nil {
		tb.Fatal(err)
	}
	p, _ := sessionOf(tb, a, "window1")
	o, err := a.cases.Open(ctx, p, caseworkdb.Application{Item: item,
		Applicant: casework.Applicant{Kind: casework.Person, Name: "李四", ResidentID: "11010519491231002X", Phone: "13800138000"}}, "")
	if err != nil {
		tb.Fatal(err)
	}
	return o.Case.Number
}

// multipartBody is a form with fields and one file in "file".
func multipartBody(tb testing.TB, fields map[string]string, name string, data []byte) (*bytes.Buffer, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// upload posts a file to target as the case page's form does.
func upload(tb testing.TB, srv *httptest.Server, cookie *http.Cookie, target, name string, data []byte, fields map[string]string) (int, string, http.Header) {
	tb.Helper()
	body, ct := multipartBody(tb, fields, name, data)
	req, err := http.NewRequest("POST", srv.URL+target, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", srv.URL)
	req.AddCookie(cookie)
	res, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(tb testing.TB, srv *httptest.Server, cookie *http.Cookie, target string) (int, []byte, http.Header) {
	tb.Helper()
	req, err := http.NewRequest("GET", srv.URL+target, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.AddCookie(cookie)
	res, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode, b, res.Header
}

// TestApp_attachments_caseFilesUploadListDownloadAndRefuse (issue #15
// item 3, "Done when": oversized files and files whose content does not
// match their type get clear errors and change nothing) on both engines:
// the window attaches a PDF from the case page; the page lists it with its
// hash; the unit downloads it as an attachment with its kind's type; a
// replacement keeps the old file listed; a page named .pdf, a file over
// the item's limit and a 50 MB request are refused naming the field or the
// limit, and the audit log does not grow.
func TestApp_attachments_caseFilesUploadListDownloadAndRefuse(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, srv := demoAppOn(t, engine)
			number := openDemoCase(t, a)
			_, window := sessionOf(t, a, "window1")
			_, unit := sessionOf(t, a, "unit1")
			target := "/cases/" + number + "/files"
			pdf := []byte("%PDF-1.4\n% 申请书\n%%EOF\n")
			status, body, hd := upload(t, srv, window, target, "申请书.pdf", pdf, map[string]string{"slot": "申请书"})
			if status != http.StatusSeeOther || !strings.Contains(hd.Get("Location"), "done=attached") {
				t.Fatalf("upload: %d %s %.300s", status, hd.Get("Location"), body)
			}
			status, page, _ := get(t, srv, window, "/cases/"+number)
			if status != http.StatusOK || !strings.Contains(string(page), "申请书.pdf") || !strings.Contains(string(page), `id="attach-form"`) {
				t.Fatalf("case page: %d, file or form missing", status)
			}
			var id int64
			var sum string
			if err := a.db.QueryRow(context.Background(), `SELECT id, sha256 FROM attachments WHERE owner_id = ?`, number).Scan(&id, &sum); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(page), sum) {
				t.Fatal("the case page does not show the file's SHA-256")
			}
			status, got, hd := get(t, srv, unit, target+"/"+itoa(id))
			if status != http.StatusOK || !bytes.Equal(got, pdf) || hd.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(hd.Get("Content-Disposition"), "attachment") || hd.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("download: %d %v", status, hd)
			}
			// A replacement: both stay listed.
			v2 := append(append([]byte{}, pdf...), "% v2\n"...)
			if status, body, _ := upload(t, srv, window, target, "申请书v2.pdf", v2, map[string]string{"replaces": itoa(id)}); status != http.StatusSeeOther {
				t.Fatalf("replace: %d %.300s", status, body)
			}
			_, page, _ = get(t, srv, window, "/cases/"+number)
			if !strings.Contains(string(page), "申请书.pdf") || !strings.Contains(string(page), "申请书v2.pdf") {
				t.Fatal("after a replacement the page does not list both files")
			}
			before := count(t, a, `SELECT COUNT(*) FROM events`)
			// A page named .pdf: refused on the page, naming the file field.
			status, body, _ = upload(t, srv, window, target, "证明.pdf", []byte("<html><script>alert(1)</script></html>"), nil)
			if status != http.StatusBadRequest || !strings.Contains(body, "证明.pdf") || !strings.Contains(body, "文件") {
				t.Fatalf("a page named .pdf: %d %.500s", status, body)
			}
			// Over the default limit of an item (10 MB) but within the route's.
			big := append([]byte("%PDF-1.4\n"), make([]byte, 11<<20)...)
			status, body, _ = upload(t, srv, window, target, "big.pdf", big, nil)
			if status != http.StatusBadRequest || !strings.Contains(body, "10 MB") {
				t.Fatalf("11 MB: %d %.500s", status, body)
			}
			// 50 MB: refused at the edge before anything is read.
			huge := append([]byte("%PDF-1.4\n"), make([]byte, 50<<20)...)
			status, body, _ = upload(t, srv, window, target, "huge.pdf", huge, nil)
			if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "21 MB") {
				t.Fatalf("50 MB: %d %.300s", status, body)
			}
			if after := count(t, a, `SELECT COUNT(*) FROM events`); after != before {
				t.Fatalf("refused uploads changed something: events %d → %d", before, after)
			}
			// The API lists both files with their hashes.
			tok := bearer(t, a, "unit1")
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/cases/"+number+"/files", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var list []map[string]any
			if err := json.NewDecoder(res.Body).Decode(&list); err != nil || len(list) != 2 || list[0]["sha256"] != sum ||
				list[0]["replaced_by"] != list[1]["id"] {
				t.Fatalf("API list: %v %v", list, err)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// complaintForm is the public's online complaint form against 青山街道's
// CSGL with one evidence file.
func complaintForm(tb testing.TB, body int64, name string, data []byte) (*bytes.Buffer, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"body": strconv.FormatInt(body, 10), "target_kind": "unit", "unit": "CSGL",
		"ground": string(complaint.NeedlessDocuments), "facts": "办理备案时被要求提供已取消的证明。", "name": "欧阳明远", "phone": "13912345678"} {
		if err := mw.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("evidence", name)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

func postPublic(tb testing.TB, srv *httptest.Server, target string, body io.Reader, ct string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest("POST", srv.URL+target, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", srv.URL)
	res, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestApp_attachments_P1_O4_complaintEvidenceIsKeptForItsHandlersOnly
// (issue #17 item 1) on both engines, with a scanner configured: the
// public files a complaint online with a photo; its bytes are stored under
// the SHA-256 the complaint records; the general office downloads it; the
// complained unit's head does not (O4). A file the scanner rejects refuses
// the whole form: no complaint, no blob.
func TestApp_attachments_P1_O4_complaintEvidenceIsKeptForItsHandlersOnly(t *testing.T) {
	script := filepath.Join(t.TempDir(), "scan.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nif grep -q EICAR; then echo 'stdin: Eicar-Test-Signature FOUND'; exit 1; fi\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, srv := demoAppOn(t, engine, func(c *serveConfig) { c.scanCommand = script })
			ctx := context.Background()
			var body int64
			if err := a.db.QueryRow(ctx, `SELECT id FROM bodies WHERE code = '330199001'`).Scan(&body); err != nil {
				t.Fatal(err)
			}
			photo := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{7}, 200<<10)...)
			form, ct := complaintForm(t, body, "现场.jpg", photo)
			status, page := postPublic(t, srv, "/portal/complaints/new", form, ct)
			if status != http.StatusCreated {
				t.Fatalf("filing online: %d %.500s", status, page)
			}
			var number, state string
			if err := a.db.QueryRow(ctx, `SELECT number FROM complaints ORDER BY id DESC LIMIT 1`).Scan(&number); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(photo)
			hexSum := hex.EncodeToString(sum[:])
			if err := a.db.QueryRow(ctx, `SELECT state FROM events WHERE object_type = 'complaint' AND action = 'complaint.filed' ORDER BY seq DESC LIMIT 1`).Scan(&state); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(state, hexSum) {
				t.Fatal("the complaint's event does not record the evidence's SHA-256")
			}
			_, office := sessionOf(t, a, "qingshan_office")
			status, got, hd := get(t, srv, office, "/complaints/"+number+"/evidence/"+hexSum)
			if status != http.StatusOK || !bytes.Equal(got, photo) || hd.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("the office's download: %d %v", status, hd)
			}
			_, head := sessionOf(t, a, "qingshan1")
			if status, _, _ := get(t, srv, head, "/complaints/"+number+"/evidence/"+hexSum); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Fatalf("the complained unit's head downloads the evidence: %d", status)
			}
			// The scanner rejects: nothing is filed, nothing stored.
			complaints := count(t, a, `SELECT COUNT(*) FROM complaints`)
			bad := append(append([]byte{}, photo[:16]...), "EICAR-STANDARD-ANTIVIRUS-TEST-FILE"...)
			form, ct = complaintForm(t, body, "bad.jpg", bad)
			status, page = postPublic(t, srv, "/portal/complaints/new", form, ct)
			if status != http.StatusBadRequest || !strings.Contains(page, "bad.jpg") {
				t.Fatalf("a rejected file: %d %.500s", status, page)
			}
			if n := count(t, a, `SELECT COUNT(*) FROM complaints`); n != complaints {
				t.Fatalf("a rejected file filed a complaint: %d → %d", complaints, n)
			}
			badSum := sha256.Sum256(bad)
			if ok, err := a.files.Has(ctx, hex.EncodeToString(badSum[:])); err != nil || ok {
				t.Fatalf("a rejected file was stored: %v %v", ok, err)
			}
		})
	}
}
