package catalog

import (
	"reflect"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
)

// Bodies: 1 the district (reform office), 2 the street; unit 21 proposes.
var (
	liaison     = Actor{Login: "liaison", Roles: []access.Role{access.RoleListLiaison}, BodyID: 2, UnitID: 21}
	head        = Actor{Login: "head", Roles: []access.Role{access.RoleUnitStaff}, BodyID: 2, UnitID: 21, Head: true}
	otherHead   = Actor{Login: "otherhead", Roles: []access.Role{access.RoleUnitStaff}, BodyID: 2, UnitID: 22, Head: true}
	staffNoHead = Actor{Login: "staff", Roles: []access.Role{access.RoleUnitStaff, access.RoleListLiaison}, BodyID: 2, UnitID: 21}
	office      = Actor{Login: "office", Roles: []access.Role{access.RoleGeneralOffice}, BodyID: 2, UnitID: 29}
	powerGroup  = Actor{Login: "power", Roles: []access.Role{access.RoleGeneralOffice}, BodyID: 1, UnitID: 11, Groups: []ReformGroup{PowerListGroup}}
	dutyGroup   = Actor{Login: "duty", Roles: []access.Role{access.RoleGeneralOffice}, BodyID: 1, UnitID: 11, Groups: []ReformGroup{DutyListGroup}}
	// The street's own general office is not the reform office, whatever
	// group flags it carries: the review belongs to the level above.
	officeAsGroup = Actor{Login: "office2", Roles: []access.Role{access.RoleGeneralOffice}, BodyID: 2, Groups: []ReformGroup{PowerListGroup, DutyListGroup}}
	admin         = Actor{Login: "admin", Roles: []access.Role{access.RoleAdmin, access.RoleSupervisor, access.RoleLeader}, BodyID: 1}
)

func proposal(changes ...Change) Adjustment {
	return Adjustment{Title: "调整", BodyID: 2, UpperBodyID: 1, UnitID: 21, Reason: LawAmended,
		Bases:   []BasisDocument{{Title: "某法修正", DocNo: "主席令第1号", Issued: day(2026, 1, 1)}},
		Changes: changes}
}

func step(t *testing.T, a Adjustment, kind ActionKind, by Actor, comment string, group ReformGroup, at time.Time) Adjustment {
	t.Helper()
	next, err := Transition(a, Action{Kind: kind, Group: group, Comment: comment, At: at}, by)
	if err != nil {
		t.Fatalf("%s by %s from %s: %v", kind, by.Login, a.Stage, err)
	}
	return next
}

func addChange() Change {
	d := lowerOf(validItem())
	return Change{Kind: AddItem, BaseCode: d.BaseCode, Name: d.Name, Draft: &d}
}

func TestAdjustment_C3_fullProcedureEachStepByItsRole(t *testing.T) {
	a, err := NewAdjustment(proposal(addChange()), liaison, day(2026, 11, 2))
	if err != nil {
		t.Fatal(err)
	}
	a = step(t, a, ActSign, head, "同意", "", day(2026, 11, 3))
	a = step(t, a, ActOfficeReturn, office, "请补充依据", "", day(2026, 11, 4))
	if a.Stage != StageReturned {
		t.Fatalf("stage %s after return", a.Stage)
	}
	a = step(t, a, ActSign, head, "已补充", "", day(2026, 11, 5))
	a = step(t, a, ActOfficeApprove, office, "", "", day(2026, 11, 6))
	a = step(t, a, ActGroupApprove, powerGroup, "", PowerListGroup, day(2026, 11, 9))
	if a.Stage != StageOfficeReviewed {
		t.Fatalf("approved with only one group: %s", a.Stage)
	}
	a = step(t, a, ActReformReturn, dutyGroup, "责任事项不全", "", day(2026, 11, 10))
	if a.Stage != StageReturned || len(a.Confirmed) != 0 {
		t.Fatalf("after reform return: %s, confirmed %v", a.Stage, a.Confirmed)
	}
	a = step(t, a, ActSign, head, "", "", day(2026, 11, 11))
	a = step(t, a, ActOfficeApprove, office, "", "", day(2026, 11, 12))
	a = step(t, a, ActGroupApprove, dutyGroup, "", DutyListGroup, day(2026, 11, 13))
	a = step(t, a, ActGroupApprove, powerGroup, "", PowerListGroup, day(2026, 11, 16))
	if a.Stage != StageApproved || a.ApprovedAt == nil || !a.ApprovedAt.Equal(day(2026, 11, 16)) {
		t.Fatalf("not approved: %s %v", a.Stage, a.ApprovedAt)
	}
	a = step(t, a, ActPublish, office, "", "", day(2026, 11, 17))
	if a.Stage != StagePublished {
		t.Fatalf("stage %s", a.Stage)
	}
	// Every step is traced with who, when, from, to and comments (痕迹化).
	want := []struct {
		action ActionKind
		from   Stage
		to     Stage
		actor  string
	}{
		{"draft", "", StageDrafting, "liaison"},
		{ActSign, StageDrafting, StageSigned, "head"},
		{ActOfficeReturn, StageSigned, StageReturned, "office"},
		{ActSign, StageReturned, StageSigned, "head"},
		{ActOfficeApprove, StageSigned, StageOfficeReviewed, "office"},
		{ActGroupApprove, StageOfficeReviewed, StageOfficeReviewed, "power"},
		{ActReformReturn, StageOfficeReviewed, StageReturned, "duty"},
		{ActSign, StageReturned, StageSigned, "head"},
		{ActOfficeApprove, StageSigned, StageOfficeReviewed, "office"},
		{ActGroupApprove, StageOfficeReviewed, StageOfficeReviewed, "duty"},
		{ActGroupApprove, StageOfficeReviewed, StageApproved, "power"},
		{ActPublish, StageApproved, StagePublished, "office"},
	}
	if len(a.Trace) != len(want) {
		t.Fatalf("trace has %d entries, want %d", len(a.Trace), len(want))
	}
	for i, w := range want {
		g := a.Trace[i]
		if g.Action != w.action || g.From != w.from || g.To != w.to || g.Actor != w.actor || g.At.IsZero() {
			t.Errorf("trace[%d] = %+v, want %+v", i, g, w)
		}
	}
	if a.Trace[2].Comment != "请补充依据" {
		t.Error("return comment not traced")
	}
}

func TestAdjustment_C3_stepsRefusedToEveryoneElse(t *testing.T) {
	a0, _ := NewAdjustment(proposal(addChange()), liaison, day(2026, 11, 2))
	signed := step(t, a0, ActSign, head, "", "", day(2026, 11, 3))
	reviewed := step(t, signed, ActOfficeApprove, office, "", "", day(2026, 11, 4))
	approved := step(t, step(t, reviewed, ActGroupApprove, powerGroup, "", PowerListGroup, day(2026, 11, 5)),
		ActGroupApprove, dutyGroup, "", DutyListGroup, day(2026, 11, 6))
	cases := []struct {
		name  string
		adj   Adjustment
		kind  ActionKind
		group ReformGroup
		by    []Actor
	}{
		{"sign", a0, ActSign, "", []Actor{liaison, staffNoHead, otherHead, office, powerGroup, admin}},
		{"office review", signed, ActOfficeApprove, "", []Actor{liaison, head, powerGroup, dutyGroup, admin}},
		{"office return", signed, ActOfficeReturn, "", []Actor{head, powerGroup, admin}},
		{"power group", reviewed, ActGroupApprove, PowerListGroup, []Actor{office, officeAsGroup, dutyGroup, head, admin}},
		{"duty group", reviewed, ActGroupApprove, DutyListGroup, []Actor{office, officeAsGroup, powerGroup, admin}},
		{"reform return", reviewed, ActReformReturn, "", []Actor{office, officeAsGroup, head, admin}},
		{"publish", approved, ActPublish, "", []Actor{liaison, head, powerGroup, admin}},
		{"withdraw", a0, ActWithdraw, "", []Actor{head, office, admin}},
	}
	for _, c := range cases {
		for _, by := range c.by {
			_, err := Transition(c.adj, Action{Kind: c.kind, Group: c.group, Comment: "意见", At: day(2026, 11, 7)}, by)
			if apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("%s by %s: got %v, want forbidden", c.name, by.Login, err)
			}
		}
	}
	// Right role, wrong stage: conflict.
	stageCases := []struct {
		adj  Adjustment
		kind ActionKind
		by   Actor
	}{
		{a0, ActOfficeApprove, office}, {a0, ActPublish, office}, {signed, ActSign, head},
		{signed, ActGroupApprove, powerGroup}, {reviewed, ActPublish, office}, {approved, ActWithdraw, liaison},
		{approved, ActOfficeReturn, office},
	}
	for _, c := range stageCases {
		_, err := Transition(c.adj, Action{Kind: c.kind, Group: PowerListGroup, Comment: "x", At: day(2026, 11, 7)}, c.by)
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("%s at %s: got %v, want conflict", c.kind, c.adj.Stage, err)
		}
	}
	// The same group cannot confirm twice.
	once := step(t, reviewed, ActGroupApprove, powerGroup, "", PowerListGroup, day(2026, 11, 5))
	if _, err := Transition(once, Action{Kind: ActGroupApprove, Group: PowerListGroup, At: day(2026, 11, 6)}, powerGroup); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("double confirmation: %v", err)
	}
	// Returns need comments.
	if _, err := Transition(signed, Action{Kind: ActOfficeReturn, At: day(2026, 11, 5)}, office); !hasField(t, err, "comment") {
		t.Errorf("return without comments: %v", err)
	}
	// Only a list liaison of the unit drafts.
	if _, err := NewAdjustment(proposal(addChange()), head, day(2026, 11, 2)); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("head drafted: %v", err)
	}
	// Transition never changes its input.
	if a0.Stage != StageDrafting || len(a0.Trace) != 1 {
		t.Error("Transition modified its input")
	}
}

func TestAdjustment_C3_reasonsAndBasisDocumentsRequired(t *testing.T) {
	a := proposal(Change{Kind: "rename", BaseCode: "0100001000"}, Change{Kind: SuspendItem, BaseCode: "0100002000"})
	a.Reason = "whim"
	a.Bases = nil
	bad := lowerOf(validItem())
	bad.Materials[0].Count = 0
	a.Changes = append(a.Changes, Change{Kind: ChangeItem, BaseCode: bad.BaseCode, Draft: &bad})
	err := a.Validate()
	for _, f := range []string{"reason", "bases", "changes[0].kind", "changes[1].note", "changes[2].draft.materials[0].count"} {
		if !hasField(t, err, f) {
			t.Errorf("no error at %s: %v", f, fields(t, err))
		}
	}
	for _, r := range []Reason{LawMade, LawAmended, LawRepealed, LawInterpreted, InstitutionalReform, OperatingExperience} {
		if !r.Valid() {
			t.Errorf("reason %s invalid", r)
		}
	}
	// The unit head cannot sign an invalid proposal.
	d, _ := NewAdjustment(a, liaison, day(2026, 11, 2))
	if _, err := Transition(d, Action{Kind: ActSign, At: day(2026, 11, 3)}, head); !hasField(t, err, "reason") {
		t.Errorf("signed an invalid proposal: %v", err)
	}
}

func TestSuspension_C7_needsUpperLevelApprovalAndCanBeReenabled(t *testing.T) {
	h := mustPublish(t, nil, lowerOf(validItem()), StatusPublished, day(2026, 1, 1))
	lists := map[string][]ItemVersion{h[0].BaseCode: h}
	sus := proposal(Change{Kind: SuspendItem, BaseCode: h[0].BaseCode, Name: h[0].Name, Note: "暂停实施"})
	a, _ := NewAdjustment(sus, liaison, day(2026, 2, 1))
	a = step(t, a, ActSign, head, "", "", day(2026, 2, 2))
	a = step(t, a, ActOfficeApprove, office, "", "", day(2026, 2, 3))
	// The street's own office cannot approve a suspension; nor can it be
	// applied before the level above has confirmed.
	if _, err := Transition(a, Action{Kind: ActGroupApprove, Group: PowerListGroup, At: day(2026, 2, 4)}, officeAsGroup); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("own office approved a suspension: %v", err)
	}
	if _, err := ApplyAdjustment(a, lists, day(2026, 2, 4)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("suspension applied before approval: %v", err)
	}
	a = step(t, a, ActGroupApprove, powerGroup, "", PowerListGroup, day(2026, 2, 5))
	a = step(t, a, ActGroupApprove, dutyGroup, "", DutyListGroup, day(2026, 2, 5))
	a = step(t, a, ActPublish, office, "", "", day(2026, 2, 6))
	changed, err := ApplyAdjustment(a, lists, *a.PublishedAt)
	if err != nil {
		t.Fatal(err)
	}
	lists[h[0].BaseCode] = changed[h[0].BaseCode]
	if got, v := StandingAt(lists[h[0].BaseCode], day(2026, 2, 7)); got != Suspended || v.Version != 2 {
		t.Fatalf("after suspension: %s", got)
	}
	// Suspending again is refused; re-enabling works.
	if _, err := ApplyAdjustment(a, lists, day(2026, 2, 8)); !hasField(t, err, "changes[0]") {
		t.Errorf("suspended twice: %v", err)
	}
	re := a
	re.Changes = []Change{{Kind: ReenableItem, BaseCode: h[0].BaseCode, Name: h[0].Name, Note: "恢复"}}
	changed, err = ApplyAdjustment(re, lists, day(2026, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	hh := changed[h[0].BaseCode]
	if got, v := StandingAt(hh, day(2026, 3, 2)); got != Listed || v.Version != 3 {
		t.Errorf("after re-enabling: %s", got)
	}
	// History tells the truth about February.
	if got, _ := StandingAt(hh, day(2026, 2, 20)); got != Suspended {
		t.Errorf("February shows %s", got)
	}
	// The re-enabled version carries the same content as before.
	if !reflect.DeepEqual(hh[0].Materials, hh[2].Materials) || !reflect.DeepEqual(hh[0].Steps, hh[2].Steps) || hh[2].ContentHash == hh[0].ContentHash {
		t.Error("re-enabled version does not carry the content forward as a new version")
	}
}

func TestApply_C4_addOnlyUnregisteredItemsChangeOnlyListedOnes(t *testing.T) {
	add := addChange()
	a := proposal(add)
	a.Stage = StageApproved
	lists := map[string][]ItemVersion{}
	changed, err := ApplyAdjustment(a, lists, day(2026, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := StandingAt(changed[add.BaseCode], day(2026, 1, 2)); got != Listed {
		t.Fatalf("added item is %s", got)
	}
	lists[add.BaseCode] = changed[add.BaseCode]
	if _, err := ApplyAdjustment(a, lists, day(2026, 2, 1)); !hasField(t, err, "changes[0]") {
		t.Errorf("added an item twice: %v", err)
	}
	ch := a
	ch.Changes = []Change{{Kind: ChangeItem, BaseCode: "0100005000", Name: "x", Draft: add.Draft}}
	if _, err := ApplyAdjustment(ch, lists, day(2026, 2, 1)); !hasField(t, err, "changes[0]") {
		t.Errorf("changed an unlisted item: %v", err)
	}
}

func TestAdjustment_C3_initialReviewerCannotAlsoConfirm(t *testing.T) {
	// The district's own list: upper body = the district; one office member
	// in a review group does the initial review and may not confirm too.
	both := Actor{Login: "qs.office", Roles: []access.Role{access.RoleGeneralOffice}, BodyID: 1, Groups: []ReformGroup{PowerListGroup}}
	p := proposal(addChange())
	p.BodyID, p.UpperBodyID, p.UnitID = 1, 1, 11
	lia := Actor{Login: "qs.liaison", Roles: []access.Role{access.RoleListLiaison}, BodyID: 1, UnitID: 11}
	hd := Actor{Login: "qs.head", Roles: []access.Role{access.RoleUnitStaff}, BodyID: 1, UnitID: 11, Head: true}
	a, err := NewAdjustment(p, lia, day(2026, 11, 2))
	if err != nil {
		t.Fatal(err)
	}
	a = step(t, a, ActSign, hd, "", "", day(2026, 11, 3))
	a = step(t, a, ActOfficeApprove, both, "", "", day(2026, 11, 4))
	if _, err := Transition(a, Action{Kind: ActGroupApprove, Group: PowerListGroup, At: day(2026, 11, 5)}, both); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("initial reviewer confirmed: %v", err)
	}
	step(t, a, ActGroupApprove, Actor{Login: "qs.power", Roles: []access.Role{access.RoleGeneralOffice}, BodyID: 1, Groups: []ReformGroup{PowerListGroup}}, "", PowerListGroup, day(2026, 11, 5))
}

func TestDerived_C5_adjustmentDraftsCheckedAgainstUpperList(t *testing.T) {
	u := validItem()
	ok := lowerOf(u)
	bad := lowerOf(u)
	bad.PromisedLimit.Value = 15
	alien := lowerOf(validItem())
	alien.BaseCode = "0100007000"
	a := proposal(Change{Kind: ChangeItem, BaseCode: ok.BaseCode, Draft: &ok})
	if err := a.CheckAgainstUpper([]ItemVersion{u}); err != nil {
		t.Errorf("clean draft rejected: %v", err)
	}
	a.Changes = []Change{{Kind: ChangeItem, BaseCode: bad.BaseCode, Draft: &bad}, {Kind: AddItem, BaseCode: alien.BaseCode, Draft: &alien}}
	err := a.CheckAgainstUpper([]ItemVersion{u})
	if !hasField(t, err, "changes[0].items[0100001000].promised_limit") || !hasField(t, err, "changes[1].items[0100007000]") {
		t.Errorf("violations not reported: %v", fields(t, err))
	}
}

// TestAdjustment_C3_emptyImportDraftCannotBeSubmitted: a proposal without
// changes is refused, unless an Excel import made it (the file matched the
// list, issue #4); such a draft is valid as a record but its head may not
// sign it, with a bilingual reason, and its liaison may withdraw it.
func TestAdjustment_C3_emptyImportDraftCannotBeSubmitted(t *testing.T) {
	if !hasField(t, proposal().Validate(), "changes") {
		t.Fatal("a hand-made proposal without changes passed")
	}
	a := proposal()
	a.Imported = true
	if err := a.Validate(); err != nil {
		t.Fatalf("an imported draft without changes: %v", err)
	}
	d, err := NewAdjustment(a, liaison, day(2026, 11, 2))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Transition(d, Action{Kind: ActSign, At: day(2026, 11, 3)}, head)
	if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Field != "changes" || e.Message("zh") == "" || e.Message("en") == "" {
		t.Fatalf("signing an empty draft: %v", err)
	}
	if w := step(t, d, ActWithdraw, liaison, "", "", day(2026, 11, 3)); w.Stage != StageWithdrawn {
		t.Fatalf("withdrawn: %s", w.Stage)
	}
}
