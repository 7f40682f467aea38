package attachdb_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "gocloud.dev/blob/fileblob"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/attach"
	"github.com/qingdan/qingdan/internal/attach/attachdb"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

var ctx = context.Background()

type list struct{}

func (list) Listing(_ context.Context, _ casework.Body, code string, _ time.Time) (caseworkdb.Listing, error) {
	if code != "XK0001" {
		return caseworkdb.Listing{Standing: casework.Unlisted}, nil
	}
	return caseworkdb.Listing{Standing: casework.Listed, Item: casework.Item{ID: 1, VersionID: 1, Code: "XK0001", Name: "户外广告设置许可",
		Category: "licensing", Kind: casework.Promised, Stars: 4, Unit: casework.Unit{Code: "ZHZF", Name: "综合执法队"},
		Materials: []casework.Material{{Name: "申请书", Required: true}}}}, nil
}

type fixture struct {
	db     *store.DB
	svc    *attachdb.Service
	dir    string
	demo   orgtest.Demo
	number string
}

func newFixture(t *testing.T, db *store.DB, scanner attachdb.Scanner) *fixture {
	t.Helper()
	f := &fixture{db: db, demo: orgtest.Load(t, db), dir: t.TempDir()}
	b, err := attachdb.OpenBucket(ctx, attachdb.DefaultURL(filepath.Join(f.dir, "attachments")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	f.svc = attachdb.New(db, b, attachdb.Options{Scanner: scanner})
	cases := caseworkdb.New(db, caldb.New(db), list{}, caseworkdb.Options{})
	if err := cases.StoreShipped(ctx); err != nil {
		t.Fatal(err)
	}
	o, err := cases.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Materials: []string{"申请书"},
		Applicant: casework.Applicant{Kind: casework.Person, Name: "张三", ResidentID: "11010519491231002X", Phone: "13800138000"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.number = o.Case.Number
	return f
}

func (f *fixture) who(login string) access.Principal {
	p, ok := f.demo.People[login]
	if !ok {
		panic("no demo person " + login)
	}
	return p
}

func (f *fixture) blobs(t *testing.T) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(f.dir, "attachments"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return n
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var pdf = []byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")

func TestAdd_caseFileIsStoredByHashAndOnTheCaseTimeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		got, err := f.svc.Add(ctx, f.who("window1"), attachdb.OwnerCase, f.number,
			[]attachdb.Upload{{Slot: "申请书", Name: "申请书.pdf", Data: pdf}}, attach.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		a := got[0]
		if a.Kind != "pdf" || a.Size != int64(len(pdf)) || a.Name != "申请书.pdf" || a.Slot != "申请书" || len(a.SHA256) != 64 {
			t.Fatalf("attachment: %+v", a)
		}
		evs, err := db.Events(ctx, store.EventFilter{RootType: "case", RootID: f.number})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range evs {
			if e.Action == "attachment.added" && bytes.Contains(e.Payload, []byte(a.SHA256)) && bytes.Contains(e.Payload, []byte(`"kind":"pdf"`)) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no attachment.added event with the hash on the case's timeline: %+v", evs)
		}
		meta, rd, err := f.svc.Open(ctx, f.who("unit1"), attachdb.OwnerCase, f.number, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rd)
		if cerr := rd.Close(); err != nil || cerr != nil {
			t.Fatal(err, cerr)
		}
		if !bytes.Equal(body, pdf) || meta.SHA256 != a.SHA256 {
			t.Fatal("the bytes read back differ")
		}
		// The same bytes again: a second row, one blob.
		if _, err := f.svc.Add(ctx, f.who("window1"), attachdb.OwnerCase, f.number,
			[]attachdb.Upload{{Name: "copy.pdf", Data: pdf}}, attach.Limits{}); err != nil {
			t.Fatal(err)
		}
		if n := f.blobs(t); n != 1 {
			t.Fatalf("%d blobs for one content", n)
		}
		verify(t, db)
	})
}

func TestAdd_O1_outsideTheJurisdictionIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		_, err := f.svc.Add(ctx, f.who("xikou1"), attachdb.OwnerCase, f.number, []attachdb.Upload{{Name: "a.pdf", Data: pdf}}, attach.Limits{})
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("another town's staff attaching: %v", err)
		}
		if _, _, err := f.svc.Open(ctx, f.who("xikou1"), attachdb.OwnerCase, f.number, 1); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("another town's staff downloading: %v", err)
		}
		if _, err := f.svc.Add(ctx, access.Principal{}, attachdb.OwnerCase, f.number, []attachdb.Upload{{Name: "a.pdf", Data: pdf}}, attach.Limits{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("the anonymous attaching: %v", err)
		}
		if f.blobs(t) != 0 || count(t, db, `SELECT COUNT(*) FROM attachments`) != 0 {
			t.Fatal("a refused upload left something behind")
		}
	})
}

func TestAdd_badFilesChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		seq := count(t, db, `SELECT COUNT(*) FROM events`)
		big := append([]byte("%PDF-1.4\n"), make([]byte, 2<<20)...)
		for _, c := range []struct {
			what string
			ups  []attachdb.Upload
			lim  attach.Limits
			key  string
		}{
			{"oversized", []attachdb.Upload{{Field: "file", Name: "big.pdf", Data: big}}, attach.Limits{MaxSize: 1 << 20},
				"attach.the_file_is_larger_than_this_item_accepts"},
			{"a page named .pdf", []attachdb.Upload{{Field: "file", Name: "x.pdf", Data: []byte("<html>hi</html>")}}, attach.Limits{},
				"attach.the_file_s_content_is_not_an_accepted_kind"},
			// The first file is good, the second is not: neither is kept.
			{"one bad of two", []attachdb.Upload{{Field: "file", Name: "ok.pdf", Data: pdf}, {Field: "file", Name: "x.pdf", Data: []byte("MZ\x90")}},
				attach.Limits{}, "attach.the_file_s_content_is_not_an_accepted_kind"},
		} {
			_, err := f.svc.Add(ctx, f.who("window1"), attachdb.OwnerCase, f.number, c.ups, c.lim)
			if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "file" || e.Key != c.key {
				t.Fatalf("%s: %v", c.what, err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM attachments`); n != 0 {
			t.Fatalf("%d rows after refusals", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events`); n != seq {
			t.Fatalf("events %d → %d after refusals", seq, n)
		}
		// The good file of the mixed upload was written before the bad one
		// was read: its blob is there, named by no row, and Orphans says so.
		orphans, err := f.svc.Orphans(ctx)
		if err != nil || len(orphans) != f.blobs(t) {
			t.Fatalf("orphans %v (%v), blobs %d", orphans, err, f.blobs(t))
		}
	})
}

func TestReplace_theOldFileStaysInTheHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		w := f.who("window1")
		first, err := f.svc.Add(ctx, w, attachdb.OwnerCase, f.number, []attachdb.Upload{{Slot: "申请书", Name: "v1.pdf", Data: pdf}}, attach.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		v2 := append(append([]byte{}, pdf...), "% v2\n"...)
		second, err := f.svc.Add(ctx, w, attachdb.OwnerCase, f.number, []attachdb.Upload{{Name: "v2.pdf", Data: v2, Replaces: first[0].ID}}, attach.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if second[0].Replaces != first[0].ID || second[0].Slot != "申请书" {
			t.Fatalf("replacement: %+v", second[0])
		}
		all, err := f.svc.List(ctx, w, attachdb.OwnerCase, f.number)
		if err != nil || len(all) != 2 || all[0].ReplacedBy != second[0].ID {
			t.Fatalf("list after a replacement: %+v, %v", all, err)
		}
		// The old one still downloads.
		_, rd, err := f.svc.Open(ctx, w, attachdb.OwnerCase, f.number, first[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := rd.Close(); err != nil {
			t.Fatal(err)
		}
		// Replacing the replaced one again is a conflict.
		_, err = f.svc.Add(ctx, w, attachdb.OwnerCase, f.number, []attachdb.Upload{{Name: "v3.pdf", Data: pdf, Replaces: first[0].ID}}, attach.Limits{})
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("replacing a replaced file: %v", err)
		}
		verify(t, db)
	})
}

func TestScanner_aRejectedFileIsRefused(t *testing.T) {
	script := filepath.Join(t.TempDir(), "scan.sh")
	// The tiny scanner: rejects any file containing EICAR.
	if err := os.WriteFile(script, []byte("#!/bin/sh\nif grep -q EICAR; then echo 'stdin: Eicar-Test-Signature FOUND'; exit 1; fi\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sc, err := attachdb.ParseCommand(script)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, sc)
		bad := append(append([]byte{}, pdf...), "EICAR-STANDARD-ANTIVIRUS-TEST-FILE"...)
		_, err := f.svc.Add(ctx, f.who("window1"), attachdb.OwnerCase, f.number, []attachdb.Upload{{Field: "file", Name: "bad.pdf", Data: bad}}, attach.Limits{})
		if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "file" || e.Key != "attachdb.the_virus_scanner_refused" {
			t.Fatalf("a file the scanner rejects: %v", err)
		}
		if f.blobs(t) != 0 || count(t, db, `SELECT COUNT(*) FROM attachments`) != 0 {
			t.Fatal("a rejected file left something behind")
		}
		if _, err := f.svc.Add(ctx, f.who("window1"), attachdb.OwnerCase, f.number, []attachdb.Upload{{Name: "ok.pdf", Data: pdf}}, attach.Limits{}); err != nil {
			t.Fatalf("a clean file: %v", err)
		}
	})
	// A scanner that cannot run refuses everything (nothing unscanned is kept).
	broken := &attachdb.Command{Argv: []string{"/nonexistent/scanner"}}
	if err := broken.Scan(ctx, pdf); err == nil {
		t.Fatal("a missing scanner passed the file")
	}
}

func TestAdd_concurrentUploadsOfOneCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, nil)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := append(append([]byte{}, pdf...), byte('0'+i))
				_, err := f.svc.Add(ctx, f.who("window1"), attachdb.OwnerCase, f.number, []attachdb.Upload{{Name: "f.pdf", Data: data}}, attach.Limits{})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM attachments`); n != 8 {
			t.Fatalf("%d rows", n)
		}
	})
}

func verify(t *testing.T, db *store.DB) {
	t.Helper()
	rep, err := db.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify: %s", rep.Mismatch)
	}
}
