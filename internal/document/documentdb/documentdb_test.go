package documentdb_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

var ctx = context.Background()

type list struct{ items map[string]caseworkdb.Listing }

func (l *list) Listing(_ context.Context, _ casework.Body, code string, _ time.Time) (caseworkdb.Listing, error) {
	it, ok := l.items[code]
	if !ok {
		return caseworkdb.Listing{Standing: casework.Unlisted}, nil
	}
	return it, nil
}

func wd(n int) calendar.Budget { return calendar.Budget{N: n, Unit: calendar.WorkingDays} }

var items = &list{items: map[string]caseworkdb.Listing{
	"XK0001": {Standing: casework.Listed, Item: casework.Item{ID: 1, VersionID: 1, Code: "XK0001", Name: "户外广告设置许可",
		Category: "licensing", Kind: casework.Promised, Statutory: wd(20), Promised: wd(10), Stars: 4,
		Unit:      casework.Unit{Code: "ZHZF", Name: "综合执法队"},
		Materials: []casework.Material{{Name: "申请书", Required: true}, {Name: "场地使用证明", Required: true}}}},
}}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

type fixture struct {
	db    *store.DB
	cases *caseworkdb.Service
	docs  *documentdb.Service
	demo  orgtest.Demo
	mu    sync.Mutex
	clock time.Time
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, demo: orgtest.Load(t, db), clock: at("2026-03-02T09:00")}
	f.docs = documentdb.New(db, documentdb.Options{PublicURL: "https://qingdan.example.gov.cn/", Now: f.now})
	f.cases = caseworkdb.New(db, caldb.New(db), items, caseworkdb.Options{Now: f.now, Documents: f.docs})
	if err := f.cases.StoreShipped(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *fixture) set(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = at(s)
}

func (f *fixture) who(login string) access.Principal {
	p, ok := f.demo.People[login]
	if !ok {
		panic("no demo person " + login)
	}
	return p
}

// keeper is a seal keeper of window1's body (the security administrator
// gives the role like any other).
func (f *fixture) keeper() access.Principal {
	p := f.who("window1")
	p.Roles = []access.Role{access.RoleSealKeeper}
	return p
}

func (f *fixture) enableSeal(t testing.TB) {
	t.Helper()
	if _, err := f.docs.SetSeal(ctx, f.keeper(), 0, true); err != nil {
		t.Fatal(err)
	}
}

var zhangsan = casework.Applicant{Kind: casework.Person, Name: "张三", ResidentID: "11010519491231002X", Phone: "13800138000"}

func (f *fixture) open(t testing.TB, materials ...string) caseworkdb.Opened {
	t.Helper()
	o, err := f.cases.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: zhangsan, Materials: materials}, "")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return o
}

func (f *fixture) act(t testing.TB, when, login, number string, a casework.Action) {
	t.Helper()
	f.set(when)
	if _, err := f.cases.Act(ctx, f.who(login), number, 0, a); err != nil {
		t.Fatalf("%s by %s: %v", a.ID, login, err)
	}
}

func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func verify(t testing.TB, db *store.DB) {
	t.Helper()
	rep, err := db.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify: %s", rep.Mismatch)
	}
}

// TestDocument_H4_everyKindIsIssuedAndStoredByRealTransitions runs cases
// through the service's transitions — receipt, acceptance, promise,
// hand-over, special procedure, extension, hand-back, completion;
// supplementation and refusal; withdrawal — and finds every kind stored,
// numbered in its sequence, hashed, sealed where it must be, with its
// event rooted at the case, and rendered again identically.
func TestDocument_H4_everyKindIsIssuedAndStoredByRealTransitions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.enableSeal(t)
		n := f.open(t, "申请书", "场地使用证明").Case.Number
		f.act(t, "2026-03-02T09:10", "window1", n, casework.Action{ID: "accept"})
		f.act(t, "2026-03-02T10:00", "window1", n, casework.Action{ID: "hand_over"})
		f.act(t, "2026-03-03T09:00", "unit1", n, casework.Action{ID: "receive"})
		f.act(t, "2026-03-04T09:00", "leader1", n, casework.Action{ID: "pause", Reason: "需核实广告牌位置", Days: 5})
		f.act(t, "2026-03-06T09:00", "unit1", n, casework.Action{ID: "resume", Opinion: "位置符合规划"})
		f.act(t, "2026-03-09T09:00", "leader1", n, casework.Action{ID: "extend", Days: 5, Reason: "需征求城管部门意见"})
		f.act(t, "2026-03-12T09:00", "unit1", n, casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予设置"})
		f.act(t, "2026-03-12T15:00", "unit1", n, casework.Action{ID: "hand_back"})
		f.act(t, "2026-03-13T09:00", "window1", n, casework.Action{ID: "complete", Certificate: "GG-2026-0001"})

		f.set("2026-03-02T09:00")
		short := f.open(t, "申请书").Case.Number
		f.act(t, "2026-03-02T09:20", "window1", short, casework.Action{ID: "request_supplement", Missing: []string{"场地使用证明"}})
		f.act(t, "2026-03-03T09:00", "window1", short, casework.Action{ID: "refuse", Reason: "申请人逾期未补正",
			Basis: "《中华人民共和国行政许可法》第三十二条"})
		f.set("2026-03-02T09:00")
		gone := f.open(t, "申请书", "场地使用证明").Case.Number
		f.act(t, "2026-03-02T11:00", "window1", gone, casework.Action{ID: "withdraw", Reason: "不再设置"})

		issued := map[casework.DocumentKind]bool{}
		for _, number := range []string{n, short, gone} {
			docs, err := f.docs.ForCase(ctx, f.who("window1"), number)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				issued[d.Kind] = true
				spec, err := document.SpecOf("kind", d.Kind)
				if err != nil {
					t.Fatal(err)
				}
				if d.Sealed != spec.Sealed || len(d.Hash) != 64 || !strings.HasPrefix(d.Number, "青山审"+spec.Word+"〔2026〕") {
					t.Errorf("%s: %+v", d.Kind, d)
				}
				r, err := f.docs.Get(ctx, f.who("window1"), number, d.ID)
				if err != nil {
					t.Fatalf("%s: %v", d.Number, err)
				}
				body := r.Body()
				if !strings.Contains(body, d.Number) || !strings.Contains(body, "张三") || spec.Sealed != strings.Contains(body, "行政审批专用章") {
					t.Errorf("%s renders %.300s", d.Number, body)
				}
			}
		}
		for _, s := range document.Specs {
			if s.Kind == document.ComplaintAnswer {
				continue // a complaint's answer: complaintdb's TestComplaintDB_P8_O4_… issues it
			}
			if !issued[s.Kind] {
				t.Errorf("no %s stored", s.Kind)
			}
		}
		// Each document is one event rooted at its case.
		if k := count(t, db, `SELECT COUNT(*) FROM events WHERE object_type = 'document' AND root_type = 'case' AND root_id = ?`, n); k != 8 {
			t.Errorf("%d document events on %s, want 8", k, n)
		}
		// H7: the certificate bears the completion day.
		var on string
		if err := db.QueryRow(ctx, `SELECT issued_on FROM documents WHERE kind = 'completion_voucher'`).Scan(&on); err != nil || on != "2026-03-13" {
			t.Errorf("completion certificate dated %q, %v", on, err)
		}
		// Three receipts, one per application, numbered 1, 2, 3 (receipts
		// of one body share a sequence).
		if gaps, err := f.docs.Gaps(ctx); err != nil || len(gaps) != 0 {
			t.Errorf("gaps %v %v", gaps, err)
		}
		if k := count(t, db, `SELECT MAX(seq) FROM documents WHERE word = '收'`); k != 3 {
			t.Errorf("receipt sequence reached %d", k)
		}
		verify(t, db)
	})
}

// TestDocument_H8_sealedDocumentWithoutTheSealRefusesTheTransition: with
// the body's seal not enabled, acceptance (which issues the sealed
// acceptance notice) is refused naming the seal, and nothing of it is
// kept — not the case's move, not a number.
func TestDocument_H8_sealedDocumentWithoutTheSealRefusesTheTransition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		_, err := f.cases.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: zhangsan, Materials: []string{"申请书"}}, "")
		if e := apperr.As(err); e == nil || e.Field != "seal" || !strings.Contains(e.Message("zh"), "印章") || e.Message("en") == "" {
			t.Fatalf("registration without the seal: %v", err)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM cases`) + count(t, db, `SELECT COUNT(*) FROM documents`) +
			count(t, db, `SELECT COUNT(*) FROM document_numbers`); k != 0 {
			t.Fatalf("%d rows left by a refused registration", k)
		}
		f.enableSeal(t)
		n := f.open(t, "申请书", "场地使用证明").Case.Number
		// Disabled again by the keeper: the next sealed document is refused.
		v, err := f.docs.SealOf(ctx, f.keeper())
		if err != nil || !v.Enabled {
			t.Fatalf("seal %+v %v", v, err)
		}
		if _, err := f.docs.SetSeal(ctx, f.keeper(), v.Version, false); err != nil {
			t.Fatal(err)
		}
		f.set("2026-03-02T09:10")
		_, err = f.cases.Act(ctx, f.who("window1"), n, 0, casework.Action{ID: "accept"})
		if apperr.As(err) == nil || apperr.As(err).Field != "seal" {
			t.Fatalf("accepted without the seal: %v", err)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM documents WHERE case_number = ?`, n); k != 1 {
			t.Fatalf("%d documents (the receipt only)", k)
		}
		// Nobody but the seal keeper configures it; a stale version is refused.
		if _, err := f.docs.SetSeal(ctx, f.who("admin"), 0, true); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("admin set the seal: %v", err)
		}
		if _, err := f.docs.SetSeal(ctx, f.keeper(), v.Version, true); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("stale seal change: %v", err)
		}
		verify(t, db)
	})
}

// TestDocument_H4_numbersWithoutGapsUnderConcurrentIssues: many cases
// registered at once (each issuing a sealed receipt) leave the receipt
// sequence 1..n, without gap or duplicate, on both engines.
func TestDocument_H4_numbersWithoutGapsUnderConcurrentIssues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.enableSeal(t)
		const n = 24
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = f.cases.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: zhangsan,
					Materials: []string{"申请书", "场地使用证明"}}, "")
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.Query(ctx, `SELECT seq FROM documents WHERE word = '收' ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var seqs []int64
		for rows.Next() {
			var s int64
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, s)
		}
		if len(seqs) != n || seqs[0] != 1 || seqs[n-1] != n || len(slices.Compact(slices.Clone(seqs))) != n {
			t.Fatalf("receipt numbers %v", seqs)
		}
		if gaps, err := f.docs.Gaps(ctx); err != nil || len(gaps) != 0 {
			t.Fatalf("gaps %v %v", gaps, err)
		}
		// A number drawn and never issued (the sequence moved behind the
		// service's back) is a gap verify reports.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE document_numbers SET last = last + 1 WHERE word = '收'`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		gaps, err := f.docs.Gaps(ctx)
		if err != nil || len(gaps) != 1 {
			t.Fatalf("gaps %v %v", gaps, err)
		}
		for _, g := range gaps {
			if len(g) != 1 || g[0] != n+1 {
				t.Fatalf("gaps %v", gaps)
			}
		}
	})
}

// TestDocument_H4_issuedDocumentIsImmutableAndCorrectedByANewOne: a
// correction is a new document of the same kind naming the one it
// replaces and why; the original stays as issued; correcting it again is
// refused (correct the one in force); a row changed behind the log's back
// is found by verify.
func TestDocument_H4_issuedDocumentIsImmutableAndCorrectedByANewOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.enableSeal(t)
		n := f.open(t, "申请书", "场地使用证明").Case.Number
		docs, err := f.docs.ForCase(ctx, f.who("window1"), n)
		if err != nil || len(docs) != 1 {
			t.Fatalf("%+v %v", docs, err)
		}
		orig := docs[0]
		if _, err := f.docs.Correct(ctx, f.who("window1"), n, orig.ID, "  "); apperr.As(err) == nil || apperr.As(err).Field != "reason" {
			t.Fatalf("correction without a reason: %v", err)
		}
		f.set("2026-03-02T09:30")
		c, err := f.docs.Correct(ctx, f.who("window1"), n, orig.ID, "材料名称录入有误")
		if err != nil {
			t.Fatal(err)
		}
		if c.Replaces != orig.Number || c.Kind != orig.Kind || c.Number == orig.Number {
			t.Fatalf("correction %+v", c)
		}
		r, err := f.docs.Get(ctx, f.who("window1"), n, c.ID)
		if err != nil || !strings.Contains(r.Body(), "更正并取代"+orig.Number) {
			t.Fatalf("correction renders %v", err)
		}
		again, err := f.docs.Get(ctx, f.who("window1"), n, orig.ID)
		if err != nil || again.Hash != orig.Hash {
			t.Fatalf("original changed: %v", err)
		}
		if _, err := f.docs.Correct(ctx, f.who("window1"), n, orig.ID, "再次更正"); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("corrected a replaced document: %v", err)
		}
		listed, _ := f.docs.ForCase(ctx, f.who("window1"), n)
		if len(listed) != 2 || listed[0].ReplacedBy != c.Number {
			t.Fatalf("listed %+v", listed)
		}
		// Another town's staff cannot read or correct it.
		if _, err := f.docs.Correct(ctx, f.who("xikou1"), n, c.ID, "越权"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("another town corrected: %v", err)
		}
		verify(t, db)
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE documents SET data = replace(data, '张三', '王五') WHERE id = ?`, orig.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if rep, err := db.Verify(ctx, nil); err != nil || rep.OK() {
			t.Fatalf("verify missed a changed document: %v", err)
		}
	})
}

// TestDocument_L7_portalShowsOnlyTheApplicantsDocumentsMasked: with the
// query code the public sees the documents issued to the applicant, not
// the internal forms, with the applicant's name and ID masked; a wrong
// code is the same not-found as an unknown number.
func TestDocument_L7_portalShowsOnlyTheApplicantsDocumentsMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.enableSeal(t)
		o := f.open(t, "申请书", "场地使用证明")
		n := o.Case.Number
		f.act(t, "2026-03-02T09:10", "window1", n, casework.Action{ID: "accept"})
		f.act(t, "2026-03-02T10:00", "window1", n, casework.Action{ID: "hand_over"})
		pub, err := f.docs.ForApplicant(ctx, n, o.QueryCode)
		if err != nil {
			t.Fatal(err)
		}
		staff, _ := f.docs.ForCase(ctx, f.who("window1"), n)
		if len(staff) != len(pub)+1 {
			t.Fatalf("public %d, staff %d (the hand-over form is internal)", len(pub), len(staff))
		}
		for _, d := range pub {
			if d.Kind == casework.HandOverForm {
				t.Fatal("the public sees the hand-over form")
			}
			r, err := f.docs.GetPublic(ctx, n, o.QueryCode, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			body := r.Body()
			if strings.Contains(body, "张三") || strings.Contains(body, "11010519491231002X") || !strings.Contains(body, d.Number) {
				t.Errorf("%s public copy not masked: %.400s", d.Number, body)
			}
		}
		hand := staff[len(staff)-1]
		if _, err := f.docs.GetPublic(ctx, n, o.QueryCode, hand.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("public got the hand-over form: %v", err)
		}
		_, err1 := f.docs.ForApplicant(ctx, n, "WRONG234")
		_, err2 := f.docs.ForApplicant(ctx, "330199-2026-999999", o.QueryCode)
		if apperr.CodeOf(err1) != apperr.NotFound || apperr.CodeOf(err2) != apperr.NotFound || apperr.As(err1).Message("zh") != apperr.As(err2).Message("zh") {
			t.Fatalf("wrong code %v, unknown number %v", err1, err2)
		}
	})
}

// TestDocument_H8_sealRegisterListsEveryUseFiltered: every sealed document
// is a row of the register, with who, when, case and number, filterable;
// hand-over forms (not sealed) are not.
func TestDocument_H8_sealRegisterListsEveryUseFiltered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.enableSeal(t)
		a := f.open(t, "申请书", "场地使用证明").Case.Number
		f.act(t, "2026-03-03T09:10", "window1", a, casework.Action{ID: "accept"})
		f.act(t, "2026-03-03T10:00", "window1", a, casework.Action{ID: "hand_over"})
		f.set("2026-03-04T09:00")
		b := f.open(t, "申请书", "场地使用证明").Case.Number
		all, err := f.docs.Register(ctx, f.keeper(), documentdb.RegisterFilter{})
		if err != nil {
			t.Fatal(err)
		}
		sealed := count(t, db, `SELECT COUNT(*) FROM documents WHERE seal <> ''`)
		if len(all) != sealed || sealed != count(t, db, `SELECT COUNT(*) FROM documents`)-1 {
			t.Fatalf("register %d rows, %d sealed", len(all), sealed)
		}
		for _, u := range all {
			if u.IssuedBy != "window1" || u.Case == "" || u.Number == "" || u.IssuedAt.IsZero() || u.Seal == "" {
				t.Fatalf("register row %+v", u)
			}
		}
		byCase, _ := f.docs.Register(ctx, f.keeper(), documentdb.RegisterFilter{Case: b})
		if len(byCase) != 1 || byCase[0].Case != b {
			t.Fatalf("by case %+v", byCase)
		}
		day, _ := calendar.ParseDate("from", "2026-03-04")
		byDate, _ := f.docs.Register(ctx, f.keeper(), documentdb.RegisterFilter{From: day, To: day})
		if len(byDate) != 1 {
			t.Fatalf("by date %+v", byDate)
		}
		// A number typed with other brackets finds it.
		typed := strings.NewReplacer("〔", "[", "〕", "]").Replace(all[0].Number)
		byNumber, err := f.docs.Register(ctx, f.keeper(), documentdb.RegisterFilter{Number: typed})
		if err != nil || len(byNumber) != 1 {
			t.Fatalf("by number %q: %+v %v", typed, byNumber, err)
		}
		if _, err := f.docs.Register(ctx, f.keeper(), documentdb.RegisterFilter{Number: "not a number"}); apperr.As(err) == nil || apperr.As(err).Field != "number" {
			t.Fatalf("bad number: %v", err)
		}
		// Another town's keeper sees none of this body's uses.
		other := f.who("xikou1")
		other.Roles = []access.Role{access.RoleSealKeeper}
		if rows, err := f.docs.Register(ctx, other, documentdb.RegisterFilter{}); err != nil || len(rows) != 0 {
			t.Fatalf("another town sees %d, %v", len(rows), err)
		}
	})
}

func TestPrefix_bodyShortName(t *testing.T) {
	for name, want := range map[string]string{"青山镇人民政府": "青山", "青山街道": "青山", "青山区人民政府": "青山", "溪口乡": "溪口", "区": "区", "ABC": "本机关"} {
		if got := documentdb.Prefix(name); got != want {
			t.Errorf("Prefix(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestDocument_templateEditUsedByLaterDocumentsIssuedOnesKeepTheirs (issue
// #15 item 1): the body's administrator saves an edited acceptance notice;
// a bad template is refused naming its line and nothing is saved; a stale
// base is a conflict; a document issued before still renders as issued,
// one issued after carries the edit; others may not edit.
func TestDocument_templateEditUsedByLaterDocumentsIssuedOnesKeepTheirs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.enableSeal(t)
		admin := f.who("admin")
		before := f.open(t, "申请书", "场地使用证明").Case.Number
		f.act(t, "2026-03-02T09:10", "window1", before, casework.Action{ID: "accept"})
		cur, err := f.docs.TemplateOf(ctx, admin, casework.AcceptanceNotice)
		if err != nil || cur.ID == 0 || cur.Edited {
			t.Fatalf("current %+v %v", cur, err)
		}
		bad := strings.Replace(cur.Source, "{{.Applicant}}", "{{.Applicant}}\n{{.Nmae}}", 1)
		_, err = f.docs.SaveTemplate(ctx, admin, casework.AcceptanceNotice, cur.ID, bad)
		if err == nil || !strings.Contains(err.Error(), "template: 第 4 行") || !strings.Contains(err.Error(), "line 4: unknown field .Nmae") {
			t.Fatalf("bad template: %v", err)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM document_templates WHERE body_id <> 0`); k != 0 {
			t.Fatalf("%d edits saved", k)
		}
		edited := strings.Replace(cur.Source, "予以受理。", "予以受理。请保持电话畅通。", 1)
		if _, err := f.docs.SaveTemplate(ctx, f.who("window1"), casework.AcceptanceNotice, cur.ID, edited); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("window staff edited a template: %v", err)
		}
		saved, err := f.docs.SaveTemplate(ctx, admin, casework.AcceptanceNotice, cur.ID, edited)
		if err != nil || !saved.Edited || saved.ID == cur.ID {
			t.Fatalf("saved %+v %v", saved, err)
		}
		if _, err := f.docs.SaveTemplate(ctx, admin, casework.AcceptanceNotice, cur.ID, edited); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("stale save: %v", err)
		}
		f.set("2026-03-02T10:00")
		after := f.open(t, "申请书", "场地使用证明").Case.Number
		f.act(t, "2026-03-02T10:10", "window1", after, casework.Action{ID: "accept"})
		body := func(number string) string {
			t.Helper()
			docs, err := f.docs.ForCase(ctx, f.who("window1"), number)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				if d.Kind == casework.AcceptanceNotice {
					r, err := f.docs.Get(ctx, f.who("window1"), number, d.ID)
					if err != nil {
						t.Fatal(err)
					}
					return r.Body()
				}
			}
			t.Fatalf("no acceptance notice on %s", number)
			return ""
		}
		if strings.Contains(body(before), "请保持电话畅通") || !strings.Contains(body(after), "请保持电话畅通") {
			t.Fatal("the edit did not apply to later documents only")
		}
		verify(t, db)
	})
}

// TestDocument_H4_H8_templateOrSealChangedAfterPrepareRefusesTheWriteWithoutANumber:
// the templates and the seal are read before the transition's write; if
// either changed before it, the write is refused (a Conflict on the
// document, which caseworkdb works out again) and no number is drawn, so
// the sequence keeps no gap; prepared afresh, the document is issued with
// the version in force and number 1.
func TestDocument_H4_H8_templateOrSealChangedAfterPrepareRefusesTheWriteWithoutANumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.enableSeal(t)
		admin := f.who("admin")
		// One acceptance first: its notice stores the shipped template.
		first := f.open(t, "申请书", "场地使用证明").Case.Number
		f.act(t, "2026-03-02T09:10", "window1", first, casework.Action{ID: "accept"})
		c := f.open(t, "申请书", "场地使用证明").Case
		c.AcceptedAt = f.now() // as the acceptance leaves it
		docs := []casework.Document{{Kind: casework.AcceptanceNotice}}
		actor := casework.Actor{Staff: casework.Staff{ID: f.who("window1").StaffID, Login: "window1", Name: "窗口一"}}
		issueIn := func(issue func(context.Context, *store.Tx) error) error {
			return db.Write(ctx, func(tx *store.Tx) error { return issue(ctx, tx) })
		}
		refused := func(what string, err error) {
			t.Helper()
			if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Field != documentdb.FieldDocument ||
				e.Message("zh") == "" || e.Message("en") == "" {
				t.Fatalf("%s: %v", what, err)
			}
			if k := count(t, db, `SELECT last FROM document_numbers WHERE word = '受'`); k != 1 {
				t.Fatalf("%s: the sequence moved to %d", what, k)
			}
			if k := count(t, db, `SELECT COUNT(*) FROM documents WHERE case_number = ? AND kind = ?`, c.Number,
				string(casework.AcceptanceNotice)); k != 0 {
				t.Fatalf("%s: %d documents issued", what, k)
			}
		}

		issue, err := f.docs.Prepare(ctx, c, docs, actor, "window1")
		if err != nil {
			t.Fatal(err)
		}
		cur, err := f.docs.TemplateOf(ctx, admin, casework.AcceptanceNotice)
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(cur.Source, "予以受理。", "予以受理。请保持电话畅通。", 1)
		if _, err := f.docs.SaveTemplate(ctx, admin, casework.AcceptanceNotice, cur.ID, edited); err != nil {
			t.Fatal(err)
		}
		refused("template edited after prepare", issueIn(issue))

		if issue, err = f.docs.Prepare(ctx, c, docs, actor, "window1"); err != nil {
			t.Fatal(err)
		}
		v, err := f.docs.SealOf(ctx, f.keeper())
		if err != nil {
			t.Fatal(err)
		}
		if v, err = f.docs.SetSeal(ctx, f.keeper(), v.Version, false); err != nil {
			t.Fatal(err)
		}
		if _, err = f.docs.SetSeal(ctx, f.keeper(), v.Version, true); err != nil {
			t.Fatal(err)
		}
		refused("seal disabled and enabled again after prepare", issueIn(issue))

		if issue, err = f.docs.Prepare(ctx, c, docs, actor, "window1"); err != nil {
			t.Fatal(err)
		}
		if err := issueIn(issue); err != nil {
			t.Fatal(err)
		}
		var seq int
		if err := db.QueryRow(ctx, `SELECT seq FROM documents WHERE case_number = ? AND kind = ?`, c.Number,
			string(casework.AcceptanceNotice)).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		if seq != 2 {
			t.Fatalf("issued as number %d", seq)
		}
		list, err := f.docs.ForCase(ctx, f.who("window1"), c.Number)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range list {
			if d.Kind == casework.AcceptanceNotice {
				r, err := f.docs.Get(ctx, f.who("window1"), c.Number, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				found = strings.Contains(r.Body(), "请保持电话畅通")
			}
		}
		if !found {
			t.Fatal("the document was not issued with the template in force")
		}
		verify(t, db)
	})
}
