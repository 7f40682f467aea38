package catdb_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

var shanghai = calendar.DefaultLocation

// fixture is the demo district with the catalogue demo loaded.
type fixture struct {
	t      *testing.T
	db     *store.DB
	s      *catdb.Service
	ctx    context.Context
	root   int64 // 青山区
	street int64 // 青山街道 (the demo list dongfenglu.json)
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	s, _ := demoDB(t, db)
	f := &fixture{t: t, db: db, s: s, ctx: context.Background()}
	f.root = f.bodyID(org.DemoRootCode)
	f.street = f.bodyID("330199001")
	return f
}

func (f *fixture) bodyID(code string) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.QueryRow(f.ctx, `SELECT id FROM bodies WHERE code = ?`, code).Scan(&id); err != nil {
		f.t.Fatalf("body %s: %v", code, err)
	}
	return id
}

// who returns the principal of the org demo staff member with that name.
func (f *fixture) who(name string) access.Principal {
	f.t.Helper()
	var id int64
	if err := f.db.QueryRow(f.ctx, `SELECT id FROM staff WHERE name = ?`, name).Scan(&id); err != nil {
		f.t.Fatalf("staff %s: %v", name, err)
	}
	p, err := org.NewService(f.db).StaffPrincipal(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	p.Login, p.AccountID = name, id
	return p
}

// at sets the service clock.
func (f *fixture) at(t time.Time) { f.s.SetNow(func() time.Time { return t }) }

// shared returns the street's version of an item listed at both the
// district and the street, with materials, and still derived cleanly (the
// demo leaves one item for the street to review).
func (f *fixture) shared() catdb.Version {
	f.t.Helper()
	open, err := f.s.Reviews(f.ctx, org.System, catdb.ReviewFilter{BodyID: f.street, OpenOnly: true})
	if err != nil {
		f.t.Fatal(err)
	}
	upper, err := f.s.PublishedList(f.ctx, f.root, catdb.ListFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	lower, err := f.s.PublishedList(f.ctx, f.street, catdb.ListFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, l := range lower {
		if l.Status != catalog.StatusPublished || len(l.Materials) < 2 ||
			slices.ContainsFunc(open, func(r catdb.Review) bool { return r.BaseCode == l.BaseCode }) {
			continue
		}
		for _, u := range upper {
			if u.BaseCode == l.BaseCode && u.Status == catalog.StatusPublished {
				return l
			}
		}
	}
	f.t.Fatal("no item listed at both levels")
	return catdb.Version{}
}

func (f *fixture) act(p access.Principal, id int64, kind catalog.ActionKind, group catalog.ReformGroup, comment string) (catdb.Adjustment, error) {
	return f.s.Act(f.ctx, p, id, 0, catalog.Action{Kind: kind, Group: group, Comment: comment})
}

func (f *fixture) must(a catdb.Adjustment, err error) catdb.Adjustment {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	got := apperr.CodeOf(err)
	var l apperr.List
	if errors.As(err, &l) && len(l) > 0 {
		got = l[0].Code
	}
	if got != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func basis() []catalog.BasisDocument {
	return []catalog.BasisDocument{{Title: "青山区机构改革方案", DocNo: "青办〔2026〕1号", Issued: time.Date(2026, 10, 8, 0, 0, 0, 0, shanghai)}}
}

// A plain week without holidays, after the demo's last publication (19
// November): Monday 30 November 2026, 10:00.
var monday = time.Date(2026, 11, 30, 10, 0, 0, 0, shanghai)

func TestC3_eachStepOnlyByItsRoleAndTraced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.at(monday)
		item := f.shared()
		draft := item.ItemVersion.Clone()
		draft.ValidFrom = time.Time{} // takes effect when published
		draft.Hours += "(周六上午延时服务)"
		in := catdb.AdjustmentInput{Title: "调整办理时间", Reason: catalog.OperatingExperience, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &draft}}}

		liaison, head := f.who("邓雪"), f.who("许明") // 社会事务办 liaison; its head, also in the street's general office
		other := f.who("彭悦")                      // liaison of another unit
		power, duty := f.who("孙建国"), f.who("周文")  // the district's reform office

		_, err := f.s.CreateAdjustment(f.ctx, head, in)
		wantCode(t, err, apperr.Forbidden) // a head is not a list liaison
		a := f.must(f.s.CreateAdjustment(f.ctx, liaison, in))
		if a.Stage != catalog.StageDrafting || a.UpperBodyID != f.root {
			t.Fatalf("created %+v", a.Adjustment)
		}
		if ch, err := f.s.ChangedElements(f.ctx, liaison, a.ID); err != nil || !slices.Equal(ch[item.BaseCode], []string{"hours"}) {
			t.Fatalf("changed elements %v %v", ch, err)
		}
		steps := []struct {
			by    access.Principal
			kind  catalog.ActionKind
			group catalog.ReformGroup
			want  apperr.Code // "" means allowed
		}{
			{other, catalog.ActSign, "", apperr.Forbidden},
			{liaison, catalog.ActSign, "", apperr.Forbidden},
			{head, catalog.ActSign, "", ""},
			{liaison, catalog.ActOfficeApprove, "", apperr.Forbidden},
			{power, catalog.ActOfficeApprove, "", apperr.Forbidden}, // the upper office does not do the initial review
			{head, catalog.ActOfficeApprove, "", ""},
			{head, catalog.ActGroupApprove, catalog.PowerListGroup, apperr.Forbidden},
			{duty, catalog.ActGroupApprove, catalog.PowerListGroup, apperr.Forbidden}, // not that group
			{power, catalog.ActGroupApprove, catalog.PowerListGroup, ""},
			{duty, catalog.ActGroupApprove, catalog.DutyListGroup, ""},
			{duty, catalog.ActPublish, "", apperr.Forbidden}, // the body's own office publishes
			{liaison, catalog.ActPublish, "", apperr.Forbidden},
			{head, catalog.ActPublish, "", ""},
		}
		for i, st := range steps {
			got, err := f.act(st.by, a.ID, st.kind, st.group, "意见"+strconv.Itoa(i))
			if st.want != "" {
				wantCode(t, err, st.want)
				continue
			}
			if err != nil {
				t.Fatalf("step %d %s by %s: %v", i, st.kind, st.by.Login, err)
			}
			a = got
		}
		if a.Stage != catalog.StagePublished {
			t.Fatalf("stage %s", a.Stage)
		}
		// After publication the draft is the current version; reviewers
		// still see what it changed against the version it was written on.
		if ch, err := f.s.ChangedElements(f.ctx, liaison, a.ID); err != nil || !slices.Equal(ch[item.BaseCode], []string{"hours"}) {
			t.Fatalf("changed elements after publication %v %v", ch, err)
		}
		if bases, err := f.s.DraftBases(f.ctx, liaison, a.ID); err != nil || bases[item.BaseCode].Hours != item.Hours ||
			bases[item.BaseCode].Version != item.ItemVersion.Version {
			t.Fatalf("draft bases after publication %+v %v", bases[item.BaseCode], err)
		}
		// Every allowed step is traced with actor, comment and time, and is an event.
		var kinds []catalog.ActionKind
		for _, tr := range a.Trace {
			kinds = append(kinds, tr.Action)
			if tr.Actor == "" || tr.At.IsZero() {
				t.Fatalf("trace entry %+v", tr)
			}
		}
		want := []catalog.ActionKind{catalog.ActDraft, catalog.ActSign, catalog.ActOfficeApprove, catalog.ActGroupApprove, catalog.ActGroupApprove, catalog.ActPublish}
		if !slices.Equal(kinds, want) {
			t.Fatalf("trace %v, want %v", kinds, want)
		}
		roles := []string{"list_liaison", "unit_head", "general_office", "reform_office", "reform_office", "general_office"}
		for i, tr := range a.Trace {
			if tr.Role != roles[i] {
				t.Fatalf("step %d (%s) traced in role %q, want %q", i, tr.Action, tr.Role, roles[i])
			}
		}
		if a.Trace[2].Comment != "意见5" || a.Trace[2].Actor != "许明" {
			t.Fatalf("office step traced as %+v", a.Trace[2])
		}
		evs, err := db.Events(f.ctx, store.EventFilter{ObjectType: catdb.ObjAdjustment, ObjectID: strconv.FormatInt(a.ID, 10)})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		if len(evs) != len(want) || actions[len(actions)-1] != "catalog.adjustment.publish" {
			t.Fatalf("events %v", actions)
		}
		// Publishing made a new version; the public sees it.
		d, err := f.s.Item(f.ctx, f.street, item.BaseCode)
		if err != nil {
			t.Fatal(err)
		}
		if d.Current.ItemVersion.Version != item.ItemVersion.Version+1 || d.Current.Hours != draft.Hours || d.Current.AdjustmentID != a.ID {
			t.Fatalf("current after publish: v%d %q", d.Current.ItemVersion.Version, d.Current.Hours)
		}
		// A return needs comments, and a returned adjustment can be edited and resubmitted.
		f.at(monday.Add(time.Hour))
		draft2 := d.Current.ItemVersion.Clone()
		draft2.ValidFrom = time.Time{}
		draft2.ConsultPhone = "0371-62550399"
		in.Changes[0].Draft = &draft2
		b := f.must(f.s.CreateAdjustment(f.ctx, liaison, in))
		f.must(f.act(head, b.ID, catalog.ActSign, "", ""))
		_, err = f.act(head, b.ID, catalog.ActOfficeReturn, "", " ")
		wantCode(t, err, apperr.Invalid)
		b = f.must(f.act(head, b.ID, catalog.ActOfficeReturn, "", "请补充依据"))
		if b.Stage != catalog.StageReturned || b.Trace[len(b.Trace)-1].Comment != "请补充依据" {
			t.Fatalf("returned: %+v", b.Trace)
		}
		in.Title = "调整咨询电话"
		b = f.must(f.s.UpdateAdjustment(f.ctx, liaison, b.ID, b.Version, in))
		if b.Title != "调整咨询电话" || b.Stage != catalog.StageReturned {
			t.Fatalf("edited: %+v", b.Adjustment)
		}
		_, err = f.s.UpdateAdjustment(f.ctx, other, b.ID, b.Version, in)
		wantCode(t, err, apperr.Forbidden)
	})
}

// publishAtDistrict runs a district adjustment through every step.
func (f *fixture) publishAtDistrict(in catdb.AdjustmentInput) catdb.Adjustment {
	f.t.Helper()
	liaison, head := f.who("何静"), f.who("马骏") // 市场监管所
	office, reform := f.who("周文"), f.who("孙建国")
	// At the top the district's own office holds both reviews; the initial
	// reviewer may not confirm, so one member holds both groups.
	seats, err := f.s.ReformSeats(f.ctx, org.System, reform.StaffID)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.s.SetReformGroups(f.ctx, org.System, reform.StaffID, seats.Version, []catalog.ReformGroup{catalog.PowerListGroup, catalog.DutyListGroup}); err != nil {
		f.t.Fatal(err)
	}
	a := f.must(f.s.CreateAdjustment(f.ctx, liaison, in))
	f.must(f.act(head, a.ID, catalog.ActSign, "", ""))
	f.must(f.act(office, a.ID, catalog.ActOfficeApprove, "", "同意"))
	_, err = f.act(office, a.ID, catalog.ActGroupApprove, catalog.DutyListGroup, "")
	wantCode(f.t, err, apperr.Forbidden) // initial reviewer may not confirm
	f.must(f.act(reform, a.ID, catalog.ActGroupApprove, catalog.PowerListGroup, ""))
	f.must(f.act(reform, a.ID, catalog.ActGroupApprove, catalog.DutyListGroup, ""))
	return f.must(f.act(office, a.ID, catalog.ActPublish, "", ""))
}

func TestC7_suspendAndReenable_C6_reviewsDueInFiveWorkingDays_C4_standing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.at(monday)
		item := f.shared()
		code := item.BaseCode
		before := monday.Add(-time.Hour)

		a := f.publishAtDistrict(catdb.AdjustmentInput{Title: "暂停", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.SuspendItem, BaseCode: code, Name: item.Name, Note: "职能划转期间暂停"}}})
		if a.Stage != catalog.StagePublished {
			t.Fatal(a.Stage)
		}
		// C4: suspended now, listed an hour before; a case is refused now.
		now, err := f.s.Standing(f.ctx, f.root, code, monday.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if now.Standing != catalog.Suspended || now.MayOpenCase || now.Refusal() == nil || !strings.Contains(now.ReasonZh, "暂停") {
			t.Fatalf("standing now %+v", now)
		}
		then, err := f.s.Standing(f.ctx, f.root, code, before)
		if err != nil {
			t.Fatal(err)
		}
		if then.Standing != catalog.Listed || !then.MayOpenCase || then.Refusal() != nil || then.Version != now.Version-1 {
			t.Fatalf("standing before %+v (now v%d)", then, now.Version)
		}
		// The implementation code answers the same.
		byImpl, err := f.s.Standing(f.ctx, f.root, now.ImplCode, monday.Add(time.Minute))
		if err != nil || byImpl.Standing != catalog.Suspended {
			t.Fatalf("by impl code: %+v %v", byImpl, err)
		}
		// Suspended items stay on the public list, shown as suspended.
		list, err := f.s.PublishedList(f.ctx, f.root, catdb.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(list, func(v catdb.Version) bool { return v.BaseCode == code })
		if i < 0 || list[i].Status != catalog.StatusSuspended {
			t.Fatalf("public list entry %v", i)
		}

		// C6: the street derives the item and must review it within 5
		// working days of the publication: Tue 1 … Mon 7 December, due at
		// the end of the 7th.
		revs, err := f.s.Reviews(f.ctx, f.who("许明"), catdb.ReviewFilter{BodyID: f.street, OpenOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		j := slices.IndexFunc(revs, func(r catdb.Review) bool { return r.BaseCode == code })
		if j < 0 {
			t.Fatalf("no review for %s in %+v", code, revs)
		}
		due := time.Date(2026, 12, 8, 0, 0, 0, 0, shanghai)
		if !revs[j].Due.Equal(due) || revs[j].Overdue {
			t.Fatalf("review due %v, want %v", revs[j].Due.In(shanghai), due)
		}
		_, err = f.s.CompleteReview(f.ctx, f.who("邓雪"), revs[j].ID, "")
		wantCode(t, err, apperr.Invalid)
		_, err = f.s.CompleteReview(f.ctx, f.who("何静"), revs[j].ID, "无需调整")
		wantCode(t, err, apperr.Forbidden) // not the street's
		f.at(due.Add(time.Hour))
		r, err := f.s.CompleteReview(f.ctx, f.who("邓雪"), revs[j].ID, "无需调整")
		if err != nil || r.Status != catdb.ReviewDone || !r.Overdue {
			t.Fatalf("completed late: %+v %v", r, err)
		}

		// C7: re-enabling lists it again.
		f.at(monday.AddDate(0, 0, 2))
		f.publishAtDistrict(catdb.AdjustmentInput{Title: "恢复", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.ReenableItem, BaseCode: code, Name: item.Name, Note: "职能划转完成"}}})
		again, err := f.s.Standing(f.ctx, f.root, code, monday.AddDate(0, 0, 2).Add(time.Minute))
		if err != nil || again.Standing != catalog.Listed || again.Version != now.Version+1 {
			t.Fatalf("after re-enable: %+v %v", again, err)
		}
		// and the suspension stays true for its own time.
		mid, err := f.s.Standing(f.ctx, f.root, code, monday.AddDate(0, 0, 1))
		if err != nil || mid.Standing != catalog.Suspended {
			t.Fatalf("during suspension: %+v %v", mid, err)
		}
		// Re-enabling a listed item is refused with the reason.
		_, err = f.s.CreateAdjustment(f.ctx, f.who("何静"), catdb.AdjustmentInput{Title: "恢复", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.ReenableItem, BaseCode: code, Name: item.Name, Note: "再次恢复"}}})
		wantCode(t, err, apperr.Invalid)
		rep, err := db.Verify(f.ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

func TestC4_refusalForSuspendedCancelledUnknown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		items, err := f.s.Items(f.ctx, org.System, f.root)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[catalog.Standing]bool{}
		for _, it := range items {
			ans, err := f.s.Standing(f.ctx, f.root, it.BaseCode, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if ans.Standing != it.Standing {
				t.Fatalf("%s: standing %s, item says %s", it.BaseCode, ans.Standing, it.Standing)
			}
			if ans.MayOpenCase != (it.Standing == catalog.Listed) || (ans.Refusal() == nil) != ans.MayOpenCase {
				t.Fatalf("%s: %+v", it.BaseCode, ans)
			}
			seen[it.Standing] = true
		}
		if !seen[catalog.Suspended] || !seen[catalog.Cancelled] || !seen[catalog.Listed] {
			t.Fatalf("demo standings %v", seen)
		}
		ans, err := f.s.Standing(f.ctx, f.root, "9999999999", time.Now())
		if err != nil || ans.Standing != catalog.Unknown || ans.MayOpenCase || ans.Refusal() == nil {
			t.Fatalf("unknown: %+v %v", ans, err)
		}
		// Before its first publication an item is unknown too.
		ans, err = f.s.Standing(f.ctx, f.root, items[0].BaseCode, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || ans.Standing != catalog.Unknown {
			t.Fatalf("in 2000: %+v %v", ans, err)
		}
		_, err = f.s.Standing(f.ctx, f.root, "", time.Now())
		wantCode(t, err, apperr.Invalid)
	})
}

func TestC5_lowerListRefusedWithExplanation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.at(monday)
		item := f.shared()
		liaison := f.who("邓雪")
		n := f.count(`SELECT COUNT(*) FROM catalog_adjustments`)

		// Removing an element the upper list requires.
		draft := item.ItemVersion.Clone()
		draft.ValidFrom = time.Time{}
		draft.Materials = draft.Materials[1:]
		_, err := f.s.CreateAdjustment(f.ctx, liaison, catdb.AdjustmentInput{Title: "减少材料", Reason: catalog.OperatingExperience, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &draft}}})
		var l apperr.List
		if !errors.As(err, &l) || !strings.HasPrefix(l[0].Field, "changes[0].") || !strings.Contains(l[0].Field, "materials") || l[0].Message("zh") == "" || l[0].Message("en") == "" {
			t.Fatalf("removing a material: %v", err)
		}
		// Adding an item the upper list does not have.
		add := item.ItemVersion.Clone()
		add.BaseCode, add.Name = "0500099000", "自创给付事项"
		add.ImplCode = strings.Replace(add.ImplCode, item.BaseCode, add.BaseCode, 1)
		_, err = f.s.CreateAdjustment(f.ctx, liaison, catdb.AdjustmentInput{Title: "新增", Reason: catalog.OperatingExperience, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.AddItem, BaseCode: add.BaseCode, Draft: &add}}})
		if !errors.As(err, &l) || !strings.HasPrefix(l[0].Field, "changes[0]") {
			t.Fatalf("adding an item: %v", err)
		}
		if got := f.count(`SELECT COUNT(*) FROM catalog_adjustments`); got != n {
			t.Fatalf("refused proposals were stored: %d → %d", n, got)
		}
	})
}

func (f *fixture) count(q string) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRow(f.ctx, q).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestC8_latePublicationOfApprovedServiceItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := org.System
		approved, err := f.s.Adjustments(f.ctx, admin, catdb.AdjustmentFilter{Stage: catalog.StageApproved})
		if err != nil || len(approved) != 1 {
			t.Fatalf("approved demo adjustments: %d %v", len(approved), err)
		}
		a := approved[0]
		day := a.ApprovedAt.In(shanghai)
		f.at(day.Add(24 * time.Hour))
		got, err := f.s.Adjustment(f.ctx, admin, a.ID)
		if err != nil || got.Late || got.PublicationDue == nil {
			t.Fatalf("a day after approval: late=%v due=%v %v", got.Late, got.PublicationDue, err)
		}
		// Due at the end of the third natural day after approval.
		y, m, d := day.Date()
		want := time.Date(y, m, d+4, 0, 0, 0, 0, shanghai)
		if !got.PublicationDue.Equal(want) {
			t.Fatalf("due %v, want %v", got.PublicationDue.In(shanghai), want)
		}
		f.at(want)
		got, err = f.s.Adjustment(f.ctx, admin, a.ID)
		if err != nil || !got.Late {
			t.Fatalf("at the deadline: late=%v %v", got.Late, err)
		}
		late, err := f.s.LatePublications(f.ctx, admin)
		if err != nil || len(late) != 1 || late[0].ID != a.ID {
			t.Fatalf("late list %v %v", late, err)
		}
	})
}

func TestC9_oldVersionsStayVisibleUnchangedAndProvable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		items, err := f.s.Items(f.ctx, org.System, f.root)
		if err != nil {
			t.Fatal(err)
		}
		var d catdb.ItemDetail
		for _, it := range items {
			if it.Version >= 2 {
				if d, err = f.s.ItemByID(f.ctx, it.ID); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		if len(d.History) < 2 {
			t.Fatal("no demo item with history")
		}
		for _, v := range d.History {
			if !catalog.Unchanged(v.ItemVersion) {
				t.Fatalf("v%d does not match its hash", v.ItemVersion.Version)
			}
			p, err := f.s.Proof(f.ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := catdb.VerifyProof(p, v.ItemVersion, db.PublicKey()); err != nil {
				t.Fatalf("v%d: %v", v.ItemVersion.Version, err)
			}
		}
		old := d.History[len(d.History)-1]
		if old.ValidTo == nil || old.Status == catalog.StatusPublished {
			t.Fatalf("old version not closed: %+v", old.Status)
		}
		// A changed version does not pass the proof of what was published.
		tampered := old.ItemVersion.Clone()
		tampered.PromisedLimit.Value++
		p, err := f.s.Proof(f.ctx, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := catdb.VerifyProof(p, tampered, db.PublicKey()); err == nil {
			t.Fatal("a changed version passed its proof")
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		item := f.shared()
		liaison := f.who("邓雪")
		head, err := db.Head(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		draft := item.ItemVersion.Clone()
		// V2: the implementing body's code of issue #11 item 5, whose check
		// character is wrong (J is right).
		badCode := draft.Clone()
		badCode.Body.CreditCode = "114101990051010620"
		badCode.ImplCode = badCode.Body.CreditCode + badCode.BaseCode
		cases := []struct {
			field string
			in    catdb.AdjustmentInput
		}{
			{"title", catdb.AdjustmentInput{Reason: catalog.LawAmended, Bases: basis(), Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &draft}}}},
			{"reason", catdb.AdjustmentInput{Title: "x", Reason: "whim", Bases: basis(), Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &draft}}}},
			{"bases", catdb.AdjustmentInput{Title: "x", Reason: catalog.LawAmended, Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &draft}}}},
			{"changes", catdb.AdjustmentInput{Title: "x", Reason: catalog.LawAmended, Bases: basis()}},
			{"changes[0].kind", catdb.AdjustmentInput{Title: "x", Reason: catalog.LawAmended, Bases: basis(), Changes: []catalog.Change{{Kind: "merge", BaseCode: item.BaseCode}}}},
			{"changes[0].draft.body.credit_code", catdb.AdjustmentInput{Title: "x", Reason: catalog.LawAmended, Bases: basis(), Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &badCode}}}},
			{"changes[0].note", catdb.AdjustmentInput{Title: "x", Reason: catalog.LawAmended, Bases: basis(), Changes: []catalog.Change{{Kind: catalog.SuspendItem, BaseCode: item.BaseCode}}}},
		}
		for _, c := range cases {
			_, err := f.s.CreateAdjustment(f.ctx, liaison, c.in)
			var l apperr.List
			e := apperr.As(err)
			switch {
			case errors.As(err, &l):
				if !slices.ContainsFunc(l, func(e *apperr.Error) bool { return e.Field == c.field }) {
					t.Errorf("%s: got %v", c.field, err)
				}
			case e != nil && e.Field == c.field:
			default:
				t.Errorf("%s: got %v", c.field, err)
			}
		}
		after, err := db.Head(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after.Size != head.Size {
			t.Fatalf("bad input wrote %d events", after.Size-head.Size)
		}
	})
}

// TestC6_dueCountsTheDerivedBodysCalendar: the 5 working days are counted
// by the derived body's own calendar, so a regional holiday of the street
// moves its deadline while the district's calendar is unchanged.
func TestC6_dueCountsTheDerivedBodysCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cals := caldb.New(db)
		f.s.SetCalendars(cals)
		if _, err := cals.AddRegionalHoliday(f.ctx, org.System, f.street, calendar.DateOf(2026, 12, 2), "街道纪念日", true); err != nil {
			t.Fatal(err)
		}
		f.at(monday)
		item := f.shared()
		f.publishAtDistrict(catdb.AdjustmentInput{Title: "暂停", Reason: catalog.InstitutionalReform, Bases: basis(),
			Changes: []catalog.Change{{Kind: catalog.SuspendItem, BaseCode: item.BaseCode, Name: item.Name, Note: "职能划转期间暂停"}}})
		revs, err := f.s.Reviews(f.ctx, org.System, catdb.ReviewFilter{BodyID: f.street})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(revs, func(r catdb.Review) bool { return r.BaseCode == item.BaseCode })
		if i < 0 {
			t.Fatal("no review task")
		}
		// Tue 1, (Wed 2 off), Thu 3, Fri 4, Mon 7, Tue 8 → due at the end of the 8th.
		if want := time.Date(2026, 12, 9, 0, 0, 0, 0, shanghai); !revs[i].Due.Equal(want) {
			t.Fatalf("due %v, want %v", revs[i].Due.In(shanghai), want)
		}
	})
}

// approveAtStreet runs a street adjustment up to approval.
func (f *fixture) approveAtStreet(id int64) {
	f.t.Helper()
	head, power, duty := f.who("许明"), f.who("孙建国"), f.who("周文")
	f.must(f.act(head, id, catalog.ActSign, "", ""))
	f.must(f.act(head, id, catalog.ActOfficeApprove, "", ""))
	f.must(f.act(power, id, catalog.ActGroupApprove, catalog.PowerListGroup, ""))
	f.must(f.act(duty, id, catalog.ActGroupApprove, catalog.DutyListGroup, ""))
}

// TestC9_draftOvertakenByAnotherPublicationIsRefused: two drafts written
// against the same version; once one is published the other would undo it,
// so its publication is refused until it is returned and revised.
func TestC9_draftOvertakenByAnotherPublicationIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.at(monday)
		item := f.shared()
		liaison, office := f.who("邓雪"), f.who("许明")
		draft := func(base catalog.ItemVersion, edit func(*catalog.ItemVersion)) catdb.AdjustmentInput {
			d := base.Clone()
			d.ValidFrom = time.Time{}
			edit(&d)
			return catdb.AdjustmentInput{Title: "调整", Reason: catalog.OperatingExperience, Bases: basis(),
				Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &d}}}
		}
		a := f.must(f.s.CreateAdjustment(f.ctx, liaison, draft(item.ItemVersion, func(d *catalog.ItemVersion) { d.Hours += "(周六延时)" })))
		b := f.must(f.s.CreateAdjustment(f.ctx, liaison, draft(item.ItemVersion, func(d *catalog.ItemVersion) { d.ConsultPhone = "0371-62550399" })))
		f.approveAtStreet(a.ID)
		f.must(f.act(office, a.ID, catalog.ActPublish, "", ""))

		f.at(monday.Add(time.Hour))
		f.approveAtStreet(b.ID)
		_, err := f.act(office, b.ID, catalog.ActPublish, "", "")
		var l apperr.List
		if !errors.As(err, &l) || l[0].Code != apperr.Conflict || l[0].Field != "changes[0].draft.version" {
			t.Fatalf("stale publication: %v", err)
		}
		// The reform office returns it; the liaison revises it against the
		// new version; then it goes through and keeps both changes.
		b = f.must(f.act(f.who("周文"), b.ID, catalog.ActReformReturn, "", "事项已有新版本,请据此修改"))
		cur, err := f.s.Item(f.ctx, f.street, item.BaseCode)
		if err != nil {
			t.Fatal(err)
		}
		f.at(monday.Add(2 * time.Hour))
		f.must(f.s.UpdateAdjustment(f.ctx, liaison, b.ID, b.Version, draft(cur.Current.ItemVersion, func(d *catalog.ItemVersion) { d.ConsultPhone = "0371-62550399" })))
		f.approveAtStreet(b.ID)
		f.must(f.act(office, b.ID, catalog.ActPublish, "", ""))
		got, err := f.s.Item(f.ctx, f.street, item.BaseCode)
		if err != nil {
			t.Fatal(err)
		}
		if got.Current.ConsultPhone != "0371-62550399" || !strings.HasSuffix(got.Current.Hours, "(周六延时)") || len(got.History) != len(cur.History)+1 {
			t.Fatalf("after both: phone %q hours %q, %d versions", got.Current.ConsultPhone, got.Current.Hours, len(got.History))
		}
	})
}

// TestBasisDateBounded_nothingStored (#11.10): a basis document dated 1800
// or 9999 is refused naming its date, on both engines, and nothing is
// stored; a real date is accepted.
func TestBasisDateBounded_nothingStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.at(monday)
		item := f.shared()
		liaison := f.who("邓雪")
		draft := item.ItemVersion.Clone()
		draft.ValidFrom = time.Time{} // from its publication
		in := func(issued time.Time) catdb.AdjustmentInput {
			return catdb.AdjustmentInput{Title: "依据日期", Reason: catalog.LawAmended,
				Bases:   []catalog.BasisDocument{{Title: "某条例", Issued: issued}},
				Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: item.BaseCode, Draft: &draft}}}
		}
		head, err := db.Head(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, issued := range []time.Time{time.Date(1800, 1, 1, 0, 0, 0, 0, shanghai), time.Date(9999, 12, 31, 0, 0, 0, 0, shanghai)} {
			_, err := f.s.CreateAdjustment(f.ctx, liaison, in(issued))
			var l apperr.List
			if !errors.As(err, &l) || !slices.ContainsFunc(l, func(e *apperr.Error) bool { return e.Field == "bases[0].issued" }) {
				t.Errorf("issued %s: got %v", issued.Format(time.DateOnly), err)
			}
		}
		if after, err := db.Head(f.ctx); err != nil || after.Size != head.Size {
			t.Fatalf("refused dates wrote events: %v", err)
		}
		if _, err := f.s.CreateAdjustment(f.ctx, liaison, in(time.Date(2026, 10, 8, 0, 0, 0, 0, shanghai))); err != nil {
			t.Fatalf("a real date refused: %v", err)
		}
	})
}

// The trace records logins, or staff:N for a staff member without one;
// pages show both by the person's name.
func TestC3_traceActorsHaveNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var staffID, liaisonID int64
		if err := db.QueryRow(f.ctx, `SELECT id FROM staff WHERE name = '马骏'`).Scan(&staffID); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(f.ctx, `SELECT id FROM staff WHERE name = '何静'`).Scan(&liaisonID); err != nil {
			t.Fatal(err)
		}
		// 何静's demo account, as auth creates it (the fixture loads no accounts).
		if err := db.Write(f.ctx, func(tx *store.Tx) error {
			tx.Queue(f.ctx, `INSERT INTO accounts (staff_id, login, password_hash, created_at) VALUES (?, 'liaison1', 'x', 0)`, liaisonID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		names, err := f.s.ActorNames(f.ctx, []string{"liaison1", "LIAISON1", fmt.Sprintf("staff:%d", staffID), "staff:x", "nobody", ""})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"liaison1": "何静", "LIAISON1": "何静", fmt.Sprintf("staff:%d", staffID): "马骏"}
		if !maps.Equal(names, want) {
			t.Fatalf("names %v, want %v", names, want)
		}
	})
}
