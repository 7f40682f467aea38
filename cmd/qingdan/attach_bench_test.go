package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"strconv"
	"testing"

	"gocloud.dev/blob"

	"github.com/qingdan/qingdan/internal/attach/attachdb"
)

// BenchmarkAttachUpload (issue #15: a 2 MB attachment uploaded through
// HTTP ≥ 50/s on SQLite), through the application `qingdan serve` wires:
// 8 clients each POST /api/v1/cases/{number}/files as multipart with a
// distinct 2 MB PDF and an API token (the edge reads the form, the guard
// scopes the case, the file is sniffed, hashed, written to the fileblob
// bucket under the data directory and its row and event committed).
// raw-bucket: the same bytes written straight to a bucket on the same
// directory by the same clients, in the same run — the disk's limit.
//
//	go test ./cmd/qingdan -run '^$' -bench AttachUpload -benchtime 400x
func BenchmarkAttachUpload(b *testing.B) {
	const size, clients = 2 << 20, 8
	block := make([]byte, size)
	if _, err := rand.Read(block); err != nil {
		b.Fatal(err)
	}
	copy(block, "%PDF-1.4\n")
	b.Run("sqlite/http-2MB", func(b *testing.B) {
		a, srv := benchApp(b, "sqlite", 0)
		number := openDemoCase(b, a)
		token := benchBearer(b, a, "window1")
		client := benchClient()
		url := srv.URL + "/api/v1/cases/" + number + "/files"
		b.SetBytes(size)
		drive(b, clients, func(k int) error {
			body, ct := uploadBody("file", fmt.Sprintf("scan-%d.pdf", k), uniq(block, k))
			req, err := http.NewRequest("POST", url, body)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", ct)
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			out, err := io.ReadAll(res.Body)
			if err != nil {
				return err
			}
			if res.StatusCode != http.StatusCreated {
				return fmt.Errorf("upload %d: %d %.300s", k, res.StatusCode, out)
			}
			return nil
		})
		var n int
		if err := a.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM attachments`).Scan(&n); err != nil || n != b.N {
			b.Fatalf("%d rows after %d uploads (%v)", n, b.N, err)
		}
	})
	b.Run("sqlite/raw-bucket-2MB", func(b *testing.B) {
		dir := b.TempDir()
		bucket, err := attachdb.OpenBucket(context.Background(), attachdb.DefaultURL(filepath.Join(dir, "attachments")))
		if err != nil {
			b.Fatal(err)
		}
		defer bucket.Close()
		b.SetBytes(size)
		drive(b, clients, func(k int) error {
			return bucket.WriteAll(context.Background(), "raw/"+strconv.Itoa(k), uniq(block, k), &blob.WriterOptions{ContentType: "application/pdf"})
		})
	})
}

// uniq is block with k written after its PDF header: distinct bytes (a
// distinct hash, a new blob) per operation. It copies, as a client would
// hold its own file.
func uniq(block []byte, k int) []byte {
	out := bytes.Clone(block)
	copy(out[9:], strconv.Itoa(k)+"\n")
	return out
}

// uploadBody is a multipart form with data as the file of field.
func uploadBody(field, name string, data []byte) (io.Reader, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	h.Set("Content-Type", "application/octet-stream")
	if _, err := mw.CreatePart(h); err != nil {
		panic(err) // a bytes.Buffer does not fail
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	return io.MultiReader(bytes.NewReader(head.Bytes()), bytes.NewReader(data), bytes.NewReader([]byte(tail))), mw.FormDataContentType()
}

// BenchmarkComplaintOnline (issue #17: filing a complaint online over HTTP
// with a 200 KB attachment ≥ 500/s): 32 anonymous clients each POST the
// public form /portal/complaints/new as multipart with a distinct 200 KB
// JPEG — the edge reads the form, the evidence is sniffed, hashed, stored
// in the bucket, and the complaint filed in its own write. Beside it in the
// same run: GET /healthz through the same stack, and the same 200 KB written
// straight to a bucket by the same clients.
//
//	go test ./cmd/qingdan -run '^$' -bench ComplaintOnline -benchtime 2000x
func BenchmarkComplaintOnline(b *testing.B) {
	const size = 200 << 10
	block := make([]byte, size)
	if _, err := rand.Read(block); err != nil {
		b.Fatal(err)
	}
	copy(block, "\xff\xd8\xff\xe0\x00\x10JFIF\x00")
	photo := func(k int) []byte {
		out := bytes.Clone(block)
		copy(out[16:], strconv.Itoa(k)+"|")
		return out
	}
	b.Run("sqlite/file-200KB", func(b *testing.B) {
		a, srv := benchApp(b, "sqlite", 0)
		var body int64
		if err := a.db.QueryRow(context.Background(), `SELECT id FROM bodies WHERE code = '330199001'`).Scan(&body); err != nil {
			b.Fatal(err)
		}
		client := benchClient()
		drive(b, benchClients, func(k int) error {
			form, ct := complaintForm(b, body, fmt.Sprintf("现场%d.jpg", k), photo(k))
			req, err := http.NewRequest("POST", srv.URL+"/portal/complaints/new", form)
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Origin", srv.URL)
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			out, err := io.ReadAll(res.Body)
			if err != nil {
				return err
			}
			if res.StatusCode != http.StatusCreated {
				return fmt.Errorf("filing %d: %d %.300s", k, res.StatusCode, out)
			}
			return nil
		})
	})
	b.Run("sqlite/raw-healthz", func(b *testing.B) {
		_, srv := benchApp(b, "sqlite", 0)
		client := benchClient()
		drive(b, benchClients, func(int) error { return expect(client, "GET", srv.URL+"/healthz", "", "") })
	})
	b.Run("sqlite/raw-bucket-200KB", func(b *testing.B) {
		bucket, err := attachdb.OpenBucket(context.Background(), attachdb.DefaultURL(filepath.Join(b.TempDir(), "attachments")))
		if err != nil {
			b.Fatal(err)
		}
		defer bucket.Close()
		drive(b, benchClients, func(k int) error {
			return bucket.WriteAll(context.Background(), "raw/"+strconv.Itoa(k), photo(k), &blob.WriterOptions{ContentType: "image/jpeg"})
		})
	})
}
