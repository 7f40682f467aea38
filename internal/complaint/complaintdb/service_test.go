package complaintdb_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

var ctx = context.Background()

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
	svc   *complaintdb.Service
	docs  *documentdb.Service
	demo  orgtest.Demo
	mu    sync.Mutex
	clock time.Time
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, demo: orgtest.Load(t, db), clock: at("2026-03-02T09:00")}
	f.docs = documentdb.New(db, documentdb.Options{PublicURL: "https://qingdan.example.gov.cn", Now: f.now})
	// The bodies' approval seals are enabled: an answer bears it (P8, H8).
	if err := f.docs.EnableDemoSeals(ctx, "seal1"); err != nil {
		t.Fatal(err)
	}
	f.svc = complaintdb.New(db, caldb.New(db), complaintdb.Options{Now: f.now, Documents: f.docs})
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

// unit1 is 吴刚 of 综合执法队 (ZHZF) in the district.
func (f *fixture) filing() complaint.Filing {
	return complaint.Filing{Target: complaint.Target{Kind: complaint.TargetStaff, StaffID: f.who("unit1").StaffID},
		Ground: complaint.NeedlessDocuments, Facts: "执法队要求提供已取消的证明。",
		Complainant: complaint.Complainant{Name: "王五", Phone: "13812345678"}}
}

func (f *fixture) file(t testing.TB) complaintdb.Filed {
	t.Helper()
	out, err := f.svc.File(ctx, access.Principal{}, f.demo.Bodies["330199"], f.filing())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) act(t testing.TB, login, number string, a complaintdb.Action) complaint.Complaint {
	t.Helper()
	c, err := f.svc.Act(ctx, f.who(login), number, 0, a)
	if err != nil {
		t.Fatalf("%s by %s: %v", a.Action, login, err)
	}
	return c
}

func count(t testing.TB, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestComplaintDB_P1_P4_filedOnlineThenAcceptedLateIsFlagged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		filed := f.file(t)
		if !strings.HasPrefix(filed.Complaint.Number, "TS330199-2026-") || len(filed.QueryCode) != 8 {
			t.Fatalf("%+v", filed)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM clocks WHERE object_type = 'complaint' AND object_id = ?`, filed.Complaint.Number); n != 1 {
			t.Errorf("acceptance clock: %d", n)
		}
		f.set("2026-03-05T09:00") // the third working day
		c := f.act(t, "office1", filed.Complaint.Number, complaintdb.Action{Action: "accept", Mode: "direct"})
		if !c.LateAccept || c.Due.String() != "2026-03-26" {
			t.Errorf("P4: late=%v due=%s", c.LateAccept, c.Due)
		}
		if c.Complainant.Name != "" {
			t.Error("O4: Act returned the complainant")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM clocks WHERE object_type = 'complaint' AND kind = 'handling'`); n != 1 {
			t.Errorf("P6: handling clock: %d", n)
		}
	})
}

func TestComplaintDB_P1_badFilingChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		before := count(t, db, `SELECT COUNT(*) FROM events`)
		for _, edit := range []func(*complaint.Filing){
			func(x *complaint.Filing) { x.Target = complaint.Target{} },
			func(x *complaint.Filing) { x.Ground = "" },
			func(x *complaint.Filing) { x.Facts = "<script>alert(1)</script>" },
			func(x *complaint.Filing) { x.Complainant.Phone = "110" },
			func(x *complaint.Filing) { x.Target = complaint.Target{Kind: complaint.TargetUnit, Unit: "NOPE"} },
		} {
			fl := f.filing()
			edit(&fl)
			if _, err := f.svc.File(ctx, access.Principal{}, f.demo.Bodies["330199"], fl); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("bad filing: %v", err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM complaints`); n != 0 {
			t.Errorf("%d complaints stored", n)
		}
		if after := count(t, db, `SELECT COUNT(*) FROM events`); after != before {
			t.Errorf("events %d → %d", before, after)
		}
	})
}

func TestComplaintDB_P5_P7_P8_investigatedAnsweredAndReadWithTheCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		filed := f.file(t)
		n := filed.Complaint.Number
		f.act(t, "office1", n, complaintdb.Action{Action: "accept", Mode: "direct"})
		// P5: an investigator of the complained unit (head_zhzf of ZHZF) is recused.
		_, err := f.svc.Act(ctx, f.who("office1"), n, 0, complaintdb.Action{Action: "assign",
			Investigators: []int64{f.who("reform1").StaffID, f.who("head_zhzf").StaffID}})
		if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "recused") {
			t.Errorf("P5: an investigator from the complained unit: %v", err)
		}
		_, err = f.svc.Act(ctx, f.who("office1"), n, 0, complaintdb.Action{Action: "assign", Investigators: []int64{f.who("reform1").StaffID}})
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("P5: one investigator: %v", err)
		}
		f.act(t, "office1", n, complaintdb.Action{Action: "assign", Investigators: []int64{f.who("reform1").StaffID, f.who("supervisor1").StaffID}})
		// O4: the complained person neither reads the complaint nor its complainant.
		if _, err := f.svc.Get(ctx, f.who("unit1"), n); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("O4: the complained person read the complaint: %v", err)
		}
		if _, err := f.svc.Identity(ctx, f.who("head_zhzf"), n); err == nil {
			t.Error("O4: the complained unit read the complainant")
		}
		f.act(t, "reform1", n, complaintdb.Action{Action: "declare"})
		f.act(t, "supervisor1", n, complaintdb.Action{Action: "declare"})
		f.act(t, "supervisor1", n, complaintdb.Action{Action: "find", Findings: "经查属实。", Verified: true, Outcomes: []string{"interview"}})
		// P6: 16 days refused; the office director (reform1, head of DZB) approves 10.
		if _, err := f.svc.Act(ctx, f.who("reform1"), n, 0, complaintdb.Action{Action: "extend", Days: 16, Reason: "复杂"}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("P6: 16 working days: %v", err)
		}
		if _, err := f.svc.Act(ctx, f.who("office1"), n, 0, complaintdb.Action{Action: "extend", Days: 5, Reason: "复杂"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("P6: extension by someone other than the director: %v", err)
		}
		f.act(t, "reform1", n, complaintdb.Action{Action: "extend", Days: 10, Reason: "需调取外单位材料"})
		f.set("2026-03-10T10:00")
		c := f.act(t, "office1", n, complaintdb.Action{Action: "answer", Text: "经调查，投诉属实，已对相关人员诫勉谈话。"})
		if c.Answer == nil || c.Answer.Number != "青山审诉〔2026〕0001号" || c.Answer.Document == 0 {
			t.Fatalf("P8: %+v", c.Answer)
		}
		pub, err := f.svc.Lookup(ctx, n, strings.ToLower(filed.QueryCode))
		if err != nil || pub.Answer == nil || pub.Status != complaint.Answered {
			t.Fatalf("P8: the complainant's follow-up: %+v %v", pub, err)
		}
		if _, err := f.svc.Lookup(ctx, n, "AAAAAAAA"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("V3: a wrong code: %v", err)
		}
		if _, err := f.svc.RequestReview(ctx, n, filed.QueryCode, "处理过轻"); err != nil {
			t.Errorf("P8: review: %v", err)
		}
		// P9: the tally counts the verified complaint against 吴刚.
		rows, err := f.svc.Tally(ctx, f.who("leader1"), 2026)
		if err != nil || len(rows) != 1 || rows[0].Name != "吴刚" || rows[0].Count != 1 {
			t.Errorf("P9: %+v %v", rows, err)
		}
		if _, err := f.svc.Identity(ctx, f.who("office1"), n); err != nil {
			t.Fatal(err)
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

func TestComplaintDB_O4_everyReadOfTheIdentityIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.file(t).Complaint.Number
		v, err := f.svc.Get(ctx, f.who("office1"), n)
		if err != nil || v.Complaint.Complainant.Name != "" || v.Complaint.Complainant.Phone != "" {
			t.Fatalf("O4: Get shows the complainant: %+v %v", v.Complaint.Complainant, err)
		}
		who, err := f.svc.Identity(ctx, f.who("office1"), n)
		if err != nil || who.Name != "王五" {
			t.Fatalf("%+v %v", who, err)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM events WHERE action = 'complaint.identity.read' AND actor = 'office1'`); got != 1 {
			t.Errorf("O4: %d audited reads, want 1", got)
		}
		if _, err := f.svc.Identity(ctx, f.who("leader1"), n); apperr.CodeOf(err) != apperr.Forbidden && apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("O4: a leader read the complainant: %v", err)
		}
		if _, err := f.svc.Identity(ctx, f.who("xikou1"), n); err == nil {
			t.Error("O4: another town's staff read the complainant")
		}
	})
}

func TestComplaintDB_P3_repeatIsLinkedAndTheEarlierAnswerShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first := f.file(t).Complaint.Number
		f.act(t, "office1", first, complaintdb.Action{Action: "refuse", Reason: "in_reconsideration_or_litigation", Text: "已申请行政复议。"})
		second := f.file(t).Complaint.Number
		v, err := f.svc.Get(ctx, f.who("office1"), second)
		if err != nil || v.Complaint.RepeatOf != first || v.Earlier == nil || v.Earlier.RefusalText == "" {
			t.Errorf("P3: repeat not linked: %+v %v", v, err)
		}
	})
}

func TestComplaintDB_listAndToDos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for range 3 {
			f.file(t)
		}
		l, err := f.svc.List(ctx, f.who("office1"), complaintdb.Filter{Status: "received", PageSize: 2})
		if err != nil || len(l.Complaints) != 2 || !l.More {
			t.Fatalf("%+v %v", l, err)
		}
		l, _ = f.svc.List(ctx, f.who("office1"), complaintdb.Filter{Status: "received", PageSize: 2, Page: 2})
		if len(l.Complaints) != 1 || l.More {
			t.Errorf("page 2: %+v", l)
		}
		if _, err := f.svc.List(ctx, f.who("office1"), complaintdb.Filter{Status: "bogus"}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("bad status: %v", err)
		}
		if _, err := f.svc.List(ctx, f.who("unit1"), complaintdb.Filter{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("unit staff listed complaints: %v", err)
		}
		td, err := f.svc.ToDos(ctx, f.who("office1"))
		if err != nil || len(td) != 3 {
			t.Errorf("to-dos: %d %v", len(td), err)
		}
		if td, _ := f.svc.ToDos(ctx, f.who("qingshan_office")); len(td) != 0 {
			t.Errorf("a street's office sees the district's complaints: %d", len(td))
		}
	})
}

func TestComplaintDB_demoComplaintsAtEveryStageAndTheP9Consequence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		now := at("2026-06-15T16:00")
		n, err := complaintdb.DemoComplaints(ctx, db, caldb.New(db), f.docs, now, 36)
		if err != nil || n != 36 {
			t.Fatalf("%d complaints: %v", n, err)
		}
		for _, st := range complaint.Statuses {
			if c := count(t, db, `SELECT COUNT(*) FROM complaints WHERE status = ?`, string(st)); c == 0 {
				t.Errorf("no demo complaint %s", st)
			}
		}
		if c := count(t, db, `SELECT COUNT(*) FROM complaints WHERE received_at > ?`, store.Micros(now)); c != 0 {
			t.Errorf("%d demo complaints from the future", c)
		}
		rows, err := f.svc.Tally(ctx, f.who("leader1"), 2026)
		var person, window complaint.TallyRow
		for _, r := range rows {
			if r.Name == "陈晓" {
				person = r
			}
			if r.Kind == "window" && r.Unit == "BMFW" {
				window = r
			}
		}
		if err != nil || person.Count != 3 || person.ConsequenceZh == "" || window.Count < 3 || window.ConsequenceEn == "" {
			t.Errorf("P9: %+v %v", rows, err)
		}
		if again, err := complaintdb.DemoComplaints(ctx, db, caldb.New(db), f.docs, now, 36); err != nil || again != 0 {
			t.Errorf("a second run made %d: %v", again, err)
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

func TestComplaintDB_P1_aPhoneComplainantAddsEvidenceWithinThreeWorkingDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		fl := f.filing()
		fl.Channel = complaint.Phone
		filed, err := f.svc.File(ctx, f.who("office1"), 0, fl)
		if err != nil {
			t.Fatal(err)
		}
		n := filed.Complaint.Number
		ev := []complaint.Evidence{{Name: "收据.jpg", Size: 3, Type: "image/jpeg", SHA256: "ab"}}
		if _, err := f.svc.AddEvidence(ctx, n, "WRONGONE", ev); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("a wrong code: %v", err)
		}
		f.set("2026-03-05T17:00") // the third working day after Monday
		p, err := f.svc.AddEvidence(ctx, n, filed.QueryCode, ev)
		if err != nil || len(p.Evidence) != 1 {
			t.Fatalf("P1: %+v %v", p, err)
		}
		f.set("2026-03-06T09:00")
		if _, err := f.svc.AddEvidence(ctx, n, filed.QueryCode, ev); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("P1: evidence on the fourth working day: %v", err)
		}
		if _, err := f.svc.File(ctx, f.who("office1"), 0, f.filing()); field(err) != "channel" {
			t.Errorf("the office recorded an online complaint: %v", err)
		}
	})
}

func field(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Field
	}
	return ""
}

// answered takes a filed complaint to its written answer by office1.
func (f *fixture) answered(t testing.TB, n string) (complaint.Complaint, error) {
	t.Helper()
	f.act(t, "office1", n, complaintdb.Action{Action: "accept", Mode: "direct"})
	f.act(t, "office1", n, complaintdb.Action{Action: "assign", Investigators: []int64{f.who("reform1").StaffID, f.who("supervisor1").StaffID}})
	f.act(t, "reform1", n, complaintdb.Action{Action: "declare"})
	f.act(t, "supervisor1", n, complaintdb.Action{Action: "declare"})
	f.act(t, "supervisor1", n, complaintdb.Action{Action: "find", Findings: "经查属实。", Verified: true, Outcomes: []string{"interview"}})
	return f.svc.Act(ctx, f.who("office1"), n, 0, complaintdb.Action{Action: "answer", Text: "经调查，投诉属实，已对吴刚诫勉谈话。联系电话13812345678。"})
}

func TestComplaintDB_P8_O4_theAnswerIsASealedNumberedDocumentTheComplainantReadsMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		filed := f.file(t)
		n := filed.Complaint.Number
		c, err := f.answered(t, n)
		if err != nil {
			t.Fatal(err)
		}
		second := f.file(t).Complaint.Number
		c2, err := f.answered(t, second)
		if err != nil {
			t.Fatal(err)
		}
		// P8: numbered from the body's gapless sequence of answers, sealed,
		// issued in the answer's write (its event is in the complaint's timeline).
		if c.Answer.Number != "青山审诉〔2026〕0001号" || c2.Answer.Number != "青山审诉〔2026〕0002号" {
			t.Errorf("numbers %s, %s", c.Answer.Number, c2.Answer.Number)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM documents WHERE kind = 'complaint_answer' AND seal <> '' AND case_number = ?`, n); got != 1 {
			t.Errorf("sealed answer documents of %s: %d", n, got)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM events WHERE action = 'document.issued' AND root_type = 'complaint' AND root_id = ?`,
			strconvI(c.ID)); got != 1 {
			t.Errorf("the document's event is not in the complaint's timeline: %d", got)
		}
		// The complainant reads it with the query code: the name and phone masked.
		d, err := f.svc.PublicAnswer(ctx, n, strings.ToLower(filed.QueryCode))
		if err != nil {
			t.Fatal(err)
		}
		body := d.Body()
		if d.Number != c.Answer.Number || d.Rendered.Seal == nil || !strings.Contains(body, "投诉答复书") || !strings.Contains(body, n) {
			t.Errorf("P8: the public answer %s: %s", d.Number, body)
		}
		if strings.Contains(body, "王五") || strings.Contains(body, "13812345678") || !strings.Contains(body, "王*") {
			t.Errorf("O4: the public answer shows the complainant: %s", body)
		}
		pdf, err := d.PDF()
		if err != nil || len(pdf.Bytes) < 1000 {
			t.Errorf("PDF: %v", err)
		}
		if _, err := f.svc.PublicAnswer(ctx, n, "AAAAAAAA"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("V3: a wrong code read the answer: %v", err)
		}
		// Its handlers read it as issued, and the read is audited (O4).
		before := count(t, db, `SELECT COUNT(*) FROM events WHERE action = 'complaint.identity.read'`)
		h, err := f.svc.AnswerDocument(ctx, f.who("office1"), n)
		if err != nil || !strings.Contains(h.Body(), "王五") {
			t.Fatalf("the handler's copy: %v", err)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM events WHERE action = 'complaint.identity.read'`); got != before+1 {
			t.Errorf("O4: the handler's read is not audited: %d → %d", before, got)
		}
		// The complained person and unit: no such complaint.
		for _, login := range []string{"unit1", "head_zhzf"} {
			if _, err := f.svc.AnswerDocument(ctx, f.who(login), n); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("O4: %s read the answer: %v", login, err)
			}
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

func TestComplaintDB_P8_H8_noSealNoAnswerAndNothingWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.file(t).Complaint.Number
		keeper := f.who("office1") // a seal keeper of the district
		keeper.Roles = []access.Role{access.RoleSealKeeper}
		v, err := f.docs.SealOf(ctx, keeper)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.docs.SetSeal(ctx, keeper, v.Version, false); err != nil {
			t.Fatal(err)
		}
		_, err = f.answered(t, n)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != "seal" {
			t.Fatalf("H8: answered without the seal: %v", err)
		}
		got, err := f.svc.Get(ctx, f.who("office1"), n)
		if err != nil || got.Complaint.Status != complaint.Found || got.Complaint.Answer != nil {
			t.Errorf("a refused answer changed the complaint: %+v %v", got.Complaint.Status, err)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM documents`); got != 0 {
			t.Errorf("%d documents", got)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM document_numbers WHERE word = '诉'`); got != 0 {
			t.Errorf("a number was drawn: %d", got)
		}
	})
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }
