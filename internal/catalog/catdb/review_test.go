package catdb_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// demoStaff is the principal of the demo staff member named name.
func demoStaff(t *testing.T, db *store.DB, name string) access.Principal {
	t.Helper()
	ctx := context.Background()
	os := org.NewService(db)
	found, err := os.SearchStaff(ctx, org.System, org.StaffQuery{Text: name})
	if err != nil || len(found) != 1 {
		t.Fatalf("staff %s: %v %v", name, found, err)
	}
	p, err := os.StaffPrincipal(ctx, found[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func named(ws []catdb.Waiting, role, name string) bool {
	return slices.ContainsFunc(ws, func(w catdb.Waiting) bool {
		return w.Role == role && slices.ContainsFunc(w.People, func(p catdb.Person) bool { return p.Name == name })
	})
}

func hasTask(ts []catdb.Task, reviewID int64) bool {
	return slices.ContainsFunc(ts, func(t catdb.Task) bool { return t.Review != nil && t.Review.ID == reviewID })
}

// TestReview_C5_conflictClosedOnlyByAdjustmentOrApprovedExemption (issue
// #13 item 5): the street's demo task lacks a material the district
// requires (只增不减). Its liaison cannot close it as needing no
// adjustment; asking to leave it unchanged needs a reason and puts it
// before the district's reform office, which refuses (with comments) or
// approves; only the approval closes it, with reason, requester and
// approver on record. Every refused step changes nothing.
func TestReview_C5_conflictClosedOnlyByAdjustmentOrApprovedExemption(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := demoDB(t, db)
		liaison, reform, other := demoStaff(t, db, "邓雪"), demoStaff(t, db, "孙建国"), demoStaff(t, db, "何静")
		revs, err := s.Reviews(ctx, liaison, catdb.ReviewFilter{})
		if err != nil || len(revs) != 1 {
			t.Fatalf("the street's reviews: %+v %v", revs, err)
		}
		r := revs[0]
		if r.BodyName != "青山街道" || !r.Conflicting() || r.Problems[0].Element != "materials" || r.Problems[0].Zh == "" || r.Problems[0].En == "" {
			t.Fatalf("task %+v", r)
		}
		ws, err := s.ReviewActors(ctx, r)
		if err != nil || !named(ws, catdb.AsListLiaison, "邓雪") || named(ws, catdb.AsListLiaison, "何静") {
			t.Fatalf("open task waits for %+v %v", ws, err)
		}
		ts, err := s.Tasks(ctx, liaison)
		if err != nil || !hasTask(ts, r.ID) || ts[len(ts)-1].Review.Due.IsZero() {
			t.Fatalf("邓雪's tasks %+v %v", ts, err)
		}
		size := func() uint64 {
			h, err := db.Head(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return h.Size
		}
		before := size()

		_, err = s.CompleteReview(ctx, liaison, r.ID, "暂不调整")
		wantCode(t, err, apperr.Conflict)
		_, err = s.RequestExemption(ctx, liaison, r.ID, "  ")
		wantCode(t, err, apperr.Invalid)
		_, err = s.RequestExemption(ctx, other, r.ID, "理由")
		wantCode(t, err, apperr.Forbidden)
		if after := size(); after != before {
			t.Fatalf("refused steps wrote events: %d → %d", before, after)
		}

		asked, err := s.RequestExemption(ctx, liaison, r.ID, "本街道无低保审批权,材料由区级收取")
		if err != nil || !asked.AwaitingApproval() || asked.Status != catdb.ReviewOpen {
			t.Fatalf("request: %+v %v", asked, err)
		}
		_, err = s.RequestExemption(ctx, liaison, r.ID, "再次申请")
		wantCode(t, err, apperr.Conflict)
		ws, err = s.ReviewActors(ctx, asked)
		if err != nil || !named(ws, catdb.AsReformOffice, "孙建国") || named(ws, catdb.AsListLiaison, "邓雪") {
			t.Fatalf("awaiting approval waits for %+v %v", ws, err)
		}
		if ts, err := s.Tasks(ctx, reform); err != nil || !hasTask(ts, r.ID) {
			t.Fatalf("the reform office's tasks %+v %v", ts, err)
		}
		_, err = s.DecideExemption(ctx, liaison, r.ID, true, "") // the district is not the street's to see
		wantCode(t, err, apperr.NotFound)
		_, err = s.DecideExemption(ctx, other, r.ID, true, "") // the district's liaison is not its reform office
		wantCode(t, err, apperr.Forbidden)
		_, err = s.DecideExemption(ctx, reform, r.ID, false, "")
		wantCode(t, err, apperr.Invalid)

		refused, err := s.DecideExemption(ctx, reform, r.ID, false, "须补齐材料")
		if err != nil || refused.AwaitingApproval() || refused.Status != catdb.ReviewOpen || refused.Note == "" {
			t.Fatalf("refusal: %+v %v", refused, err)
		}
		if _, err := s.RequestExemption(ctx, liaison, r.ID, "已与区民政局确认由区级收取"); err != nil {
			t.Fatal(err)
		}
		done, err := s.DecideExemption(ctx, reform, r.ID, true, "同意")
		if err != nil || done.Status != catdb.ReviewDone || done.ApprovedBy == "" || done.DoneBy == "" || done.ExemptReason == "" {
			t.Fatalf("approval: %+v %v", done, err)
		}
		if ts, err := s.Tasks(ctx, liaison); err != nil || hasTask(ts, r.ID) {
			t.Fatalf("closed task still waits: %+v %v", ts, err)
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

// TestAdjustment_C3_nextActorsByStage: every demo adjustment still in
// progress names who acts next, by the procedure's step (issue #13 item 3):
// the unit head signs a draft, the liaisons revise a returned one, the
// general office reviews and publishes, the reform groups not yet
// confirmed confirm; finished ones wait for nobody.
func TestAdjustment_C3_nextActorsByStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := demoDB(t, db)
		as, err := s.Adjustments(ctx, org.System, catdb.AdjustmentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[catalog.Stage]string{catalog.StageDrafting: catdb.AsUnitHead, catalog.StageReturned: catdb.AsListLiaison,
			catalog.StageSigned: catdb.AsGeneralOffice, catalog.StageApproved: catdb.AsGeneralOffice, catalog.StageOfficeReviewed: catdb.AsReformOffice}
		for _, a := range as {
			ws, err := s.NextActors(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			role, waits := want[a.Stage]
			if !waits {
				if len(ws) != 0 {
					t.Errorf("%s (%s) waits for %+v", a.Title, a.Stage, ws)
				}
				continue
			}
			if len(ws) == 0 || ws[0].Role != role || len(ws[0].People) == 0 {
				t.Errorf("%s (%s) waits for %+v, want %s by name", a.Title, a.Stage, ws, role)
				continue
			}
			// The one waited for finds it on their to-do list.
			p, err := org.NewService(db).StaffPrincipal(ctx, ws[0].People[0].StaffID)
			if err != nil {
				t.Fatal(err)
			}
			ts, err := s.Tasks(ctx, p)
			if err != nil || !slices.ContainsFunc(ts, func(x catdb.Task) bool { return x.Adjustment != nil && x.Adjustment.ID == a.ID }) {
				t.Errorf("%s: %s's tasks %+v %v lack it", a.Title, ws[0].People[0].Name, ts, err)
			}
		}
	})
}

// TestReview_C6_oneOpenTaskPerBodyAndItem (issue #13 item 5): when the
// district republishes an item before the street reviewed the last
// version, the street has one open task for it, for the newest version;
// the older one is closed as superseded, on record.
func TestReview_C6_oneOpenTaskPerBodyAndItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.at(monday)
		item := f.shared()
		code := item.BaseCode
		f.publishAtDistrict(catdb.AdjustmentInput{Title: "暂停", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.SuspendItem, BaseCode: code, Name: item.Name, Note: "职能划转期间暂停"}}})
		f.at(monday.Add(24 * time.Hour))
		f.publishAtDistrict(catdb.AdjustmentInput{Title: "恢复", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.ReenableItem, BaseCode: code, Name: item.Name, Note: "划转完成"}}})
		revs, err := f.s.Reviews(f.ctx, f.who("许明"), catdb.ReviewFilter{BodyID: f.street})
		if err != nil {
			t.Fatal(err)
		}
		var open, superseded int
		for _, r := range revs {
			switch {
			case r.BaseCode != code:
			case r.Status == catdb.ReviewOpen:
				open++
			case strings.Contains(r.Note, "superseded"):
				superseded++
			}
		}
		if open != 1 || superseded != 1 {
			t.Fatalf("%d open and %d superseded tasks for %s: %+v", open, superseded, code, revs)
		}
	})
}
