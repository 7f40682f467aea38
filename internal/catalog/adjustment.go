package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// AdjustmentKind is what an adjustment does to one item (C3, C7).
type AdjustmentKind string

const (
	AddItem      AdjustmentKind = "add"      // 新增
	ChangeItem   AdjustmentKind = "change"   // 变更
	SuspendItem  AdjustmentKind = "suspend"  // 暂停
	ReenableItem AdjustmentKind = "reenable" // 恢复
	CancelItem   AdjustmentKind = "cancel"   // 取消
)

// Reason is why the list is adjusted (C3, seed 000 art. 32).
type Reason string

const (
	LawMade             Reason = "law_made"             // 法律法规立
	LawAmended          Reason = "law_amended"          // 改
	LawRepealed         Reason = "law_repealed"         // 废
	LawInterpreted      Reason = "law_interpreted"      // 释
	InstitutionalReform Reason = "institutional_reform" // 机构改革和职能调整
	OperatingExperience Reason = "operating_experience" // 清单运行情况
)

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool {
	switch r {
	case LawMade, LawAmended, LawRepealed, LawInterpreted, InstitutionalReform, OperatingExperience:
		return true
	}
	return false
}

// BasisDocument is a document the adjustment relies on: the new law, the
// reform decision, the lead-meeting minutes.
type BasisDocument struct {
	Title  string    `json:"title"`            // 文件名称
	DocNo  string    `json:"doc_no,omitempty"` // 文号
	Issued time.Time `json:"issued"`           // 发布日期
}

// Change is one item affected by an adjustment. Draft is the new content for
// add and change (and optionally re-enable); suspend and cancel copy the
// item's current content into the new version.
type Change struct {
	Kind     AdjustmentKind `json:"kind"`
	BaseCode string         `json:"base_code"`
	Name     string         `json:"name"`
	Draft    *ItemVersion   `json:"draft,omitempty"`
	Note     string         `json:"note,omitempty"` // 调整说明
}

// Stage is where an adjustment stands (C3: seed 000 art. 32–35).
type Stage string

const (
	StageDrafting       Stage = "drafting"        // 单位起草
	StageSigned         Stage = "signed"          // 单位负责人已签字,待党政办初审
	StageOfficeReviewed Stage = "office_reviewed" // 党政办初审通过,待改革办审核
	StageApproved       Stage = "approved"        // 改革办权力清单组、责任清单组均已审核确认
	StagePublished      Stage = "published"       // 已调整并向社会公布
	StageReturned       Stage = "returned"        // 退回修改
	StageWithdrawn      Stage = "withdrawn"       // 已撤回
)

// Stages lists the stages in the order an adjustment goes through them.
var Stages = []Stage{StageDrafting, StageSigned, StageOfficeReviewed, StageApproved, StagePublished, StageReturned, StageWithdrawn}

// Known reports whether s is one of Stages.
func (s Stage) Known() bool { return slices.Contains(Stages, s) }

// In names the stage in lang.
func (s Stage) In(lang string) string { return msg.Name(lang, "catalog.stage", string(s)) }

// ReformGroup is one of the two review groups of the upper level's reform
// office (五单一网改革办): both must confirm an adjustment (seed 000 art. 33).
type ReformGroup string

const (
	PowerListGroup ReformGroup = "power_list" // 权力清单组
	DutyListGroup  ReformGroup = "duty_list"  // 责任清单组
)

// ActionKind is a step in the adjustment procedure.
type ActionKind string

const (
	ActDraft         ActionKind = "draft"          // 清单联络员起草 (the first trace entry)
	ActSign          ActionKind = "sign"           // 单位负责人签字确认
	ActOfficeApprove ActionKind = "office_approve" // 党政办初审通过
	ActOfficeReturn  ActionKind = "office_return"  // 党政办退回
	ActGroupApprove  ActionKind = "group_approve"  // 改革办某组审核确认
	ActReformReturn  ActionKind = "reform_return"  // 改革办退回
	ActPublish       ActionKind = "publish"        // 公布
	ActWithdraw      ActionKind = "withdraw"       // 起草单位撤回
)

// Action is one request to move an adjustment on.
type Action struct {
	Kind    ActionKind
	Group   ReformGroup // for ActGroupApprove: which group confirms
	Comment string
	At      time.Time
}

// Actor is who acts, as far as the procedure cares.
//
// For the top list the system holds (the district's own), there is no body
// above: UpperBodyID is then the district itself, whose reform office
// (区政务服务改革管理办公室) reviews with its two groups; the initial reviewer
// may not also confirm (Transition refuses it).
//
// Roles come from internal/access. The unit head is a unit_staff or
// list_liaison of the unit with Head set (O2: the head is the first
// responsible person; there is no separate role). The reform office (改革办)
// sits in the upper level's government: it is modelled as a general_office
// staff member of the adjustment's upper body who belongs to one or both
// review groups (Groups), so no new role is needed and jurisdiction stays a
// body test.
type Actor struct {
	Login  string
	Roles  []access.Role
	BodyID int64
	UnitID int64
	Head   bool
	Groups []ReformGroup
}

func (a Actor) has(r access.Role) bool { return slices.Contains(a.Roles, r) }

// TraceEntry records one step (痕迹化管理, seed 000 art. 35).
type TraceEntry struct {
	At     time.Time   `json:"at"`
	Action ActionKind  `json:"action"`
	Group  ReformGroup `json:"group,omitempty"`
	From   Stage       `json:"from"`
	To     Stage       `json:"to"`
	Actor  string      `json:"actor"`
	// Role is the capacity the step was taken in (StepRole).
	Role    string `json:"role,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// StepRole names the capacity in which a step is taken, for the trace:
// list_liaison, unit_head, general_office (the body's own office) or
// reform_office (the upper level's review groups).
func StepRole(k ActionKind) string {
	switch k {
	case ActDraft, ActWithdraw:
		return string(access.RoleListLiaison)
	case ActSign:
		return "unit_head"
	case ActGroupApprove, ActReformReturn:
		return "reform_office"
	}
	return string(access.RoleGeneralOffice)
}

// Adjustment is a proposal to add, change, suspend, re-enable or cancel
// items of one body's list, with its whole trace.
type Adjustment struct {
	Title       string          `json:"title"`
	BodyID      int64           `json:"body_id"`       // the body whose list changes
	UpperBodyID int64           `json:"upper_body_id"` // where the reform office sits
	UnitID      int64           `json:"unit_id"`       // proposing unit
	Reason      Reason          `json:"reason"`
	Bases       []BasisDocument `json:"bases"`
	Changes     []Change        `json:"changes"`
	Stage       Stage           `json:"stage"`
	// Groups that have confirmed in the current reform review round.
	Confirmed   []ReformGroup `json:"confirmed,omitempty"`
	ApprovedAt  *time.Time    `json:"approved_at,omitempty"`
	PublishedAt *time.Time    `json:"published_at,omitempty"`
	Trace       []TraceEntry  `json:"trace"`
	// Imported marks the draft an Excel import of the list made (issue #4).
	// It is created even when the file matched the list, so the comparison
	// is on record: such a draft has no changes and cannot be signed.
	Imported bool `json:"imported,omitempty"`
}

// NewAdjustment starts a draft proposed by actor, a list liaison of its unit.
func NewAdjustment(a Adjustment, actor Actor, at time.Time) (Adjustment, error) {
	if !actor.has(access.RoleListLiaison) || actor.BodyID != a.BodyID || actor.UnitID != a.UnitID {
		return Adjustment{}, apperr.Forbiddenf("catalog.only_a_list_liaison_of_the")
	}
	a.Stage = StageDrafting
	a.Confirmed = nil
	a.ApprovedAt, a.PublishedAt = nil, nil
	a.Trace = []TraceEntry{{At: at, Action: ActDraft, To: StageDrafting, Actor: actor.Login, Role: StepRole(ActDraft)}}
	return a, nil
}

// Validate checks the proposal itself: reason, basis documents and changes.
// Drafts are checked element by element; field paths start at changes[i].
func (a Adjustment) Validate() error {
	var p problems
	p.required("title", a.Title, "catalog.title")
	if a.BodyID <= 0 || a.UnitID <= 0 {
		p.add("body_id", "catalog.the_body_whose_list_changes_and")
	}
	if a.UpperBodyID <= 0 {
		p.add("upper_body_id", "catalog.the_body_whose_reform_office_reviews")
	}
	if !a.Reason.Valid() {
		p.add("reason", "catalog.reason_is_invalid_law_made_amended", a.Reason)
	}
	if len(a.Bases) == 0 {
		p.add("bases", "catalog.basis_documents_are_required")
	}
	for i, b := range a.Bases {
		p.required(fmt.Sprintf("bases[%d].title", i), b.Title, "catalog.document_title")
		if b.Issued.IsZero() {
			p.add(fmt.Sprintf("bases[%d].issued", i), "catalog.the_document_s_date_of_issue")
		}
	}
	if len(a.Changes) == 0 && !a.Imported {
		p.add("changes", "catalog.an_adjustment_must_concern_at_least")
	}
	seen := map[string]bool{}
	for i, c := range a.Changes {
		f := fmt.Sprintf("changes[%d]", i)
		p.required(f+".base_code", c.BaseCode, "catalog.item_base_code")
		if seen[c.BaseCode] {
			p.add(f+".base_code", "catalog.an_item_may_appear_only_once")
		}
		seen[c.BaseCode] = true
		switch c.Kind {
		case AddItem, ChangeItem:
			if c.Draft == nil {
				p.add(f+".draft", "catalog.adding_or_changing_an_item_needs")
				continue
			}
		case SuspendItem, ReenableItem, CancelItem:
			p.required(f+".note", c.Note, "catalog.explanation")
		default:
			p.add(f+".kind", "catalog.change_kind_is_invalid", c.Kind)
			continue
		}
		if c.Draft == nil {
			continue
		}
		if c.Draft.BaseCode != c.BaseCode {
			p.add(f+".draft.base_code", "catalog.the_content_s_base_code_differs")
		}
		if c.Draft.Status != StatusDraft {
			p.add(f+".draft.status", "catalog.content_in_an_adjustment_must_be")
		}
		if err := c.Draft.Validate(); err != nil {
			for _, e := range err.(apperr.List) {
				e.Field = f + ".draft." + e.Field
				p.list = append(p.list, e)
			}
		}
	}
	return p.err()
}

// nothingToSubmit refuses signing (submitting) an adjustment without
// changes, which an Excel import whose file matched the list leaves. A
// Conflict, so Allowed does not offer the step at all.
func nothingToSubmit() error {
	return apperr.New(apperr.Conflict, "changes", "catalog.the_adjustment_has_no_changes_the")
}

// Transition moves an adjustment one step, if actor is entitled to take that
// step now, and returns the new state with the step traced. adj is not
// modified. It only moves the procedure; publishing the items' new versions
// is ApplyAdjustment, called in the same transaction as ActPublish.
func Transition(adj Adjustment, act Action, actor Actor) (Adjustment, error) {
	next := adj
	next.Confirmed = slices.Clone(adj.Confirmed)
	next.Trace = slices.Clone(adj.Trace)
	wrongStage := func() error {
		return apperr.New(apperr.Conflict, "stage", "catalog.the_adjustment_is_this_action_is", adj.Stage,
			string(adj.Stage))
	}
	needComment := func() error {
		if strings.TrimSpace(act.Comment) == "" {
			return apperr.Invalidf("comment", "catalog.a_return_needs_comments")
		}
		return nil
	}
	inUpperOffice := actor.has(access.RoleGeneralOffice) && actor.BodyID == adj.UpperBodyID && len(actor.Groups) > 0
	inOwnOffice := actor.has(access.RoleGeneralOffice) && actor.BodyID == adj.BodyID

	switch act.Kind {
	case ActSign:
		if adj.Stage != StageDrafting && adj.Stage != StageReturned {
			return adj, wrongStage()
		}
		if !actor.Head || !actor.HasAnyRole(access.RoleUnitStaff, access.RoleListLiaison) || actor.UnitID != adj.UnitID || actor.BodyID != adj.BodyID {
			return adj, apperr.Forbiddenf("catalog.only_the_head_of_the_proposing")
		}
		if len(adj.Changes) == 0 {
			// Only an import that matched the list makes such a draft: it
			// records the comparison and has nothing to submit.
			return adj, nothingToSubmit()
		}
		if err := adj.Validate(); err != nil {
			return adj, err
		}
		next.Stage = StageSigned
	case ActOfficeApprove, ActOfficeReturn:
		if adj.Stage != StageSigned {
			return adj, wrongStage()
		}
		if !inOwnOffice {
			return adj, apperr.Forbiddenf("catalog.only_this_body_s_general_office")
		}
		if act.Kind == ActOfficeReturn {
			if err := needComment(); err != nil {
				return adj, err
			}
			next.Stage = StageReturned
		} else {
			next.Stage = StageOfficeReviewed
		}
	case ActGroupApprove:
		if adj.Stage != StageOfficeReviewed {
			return adj, wrongStage()
		}
		if !inUpperOffice || !slices.Contains(actor.Groups, act.Group) {
			return adj, apperr.Forbiddenf("catalog.only_that_review_group_of_the")
		}
		if adj.LastActor(ActOfficeApprove) == actor.Login {
			// Where the district reviews its own list, the same office holds
			// both reviews; one person may not do both (审核分离).
			return adj, apperr.Forbiddenf("catalog.the_initial_reviewer_may_not_also")
		}
		if slices.Contains(next.Confirmed, act.Group) {
			return adj, apperr.Conflictf("catalog.this_review_group_has_already_confirmed")
		}
		next.Confirmed = append(next.Confirmed, act.Group)
		if slices.Contains(next.Confirmed, PowerListGroup) && slices.Contains(next.Confirmed, DutyListGroup) {
			next.Stage = StageApproved
			next.ApprovedAt = new(act.At)
		}
	case ActReformReturn:
		// An approved adjustment not yet published may still be returned:
		// its item may have been republished by another adjustment meanwhile,
		// and only a revised draft can then be published.
		if adj.Stage != StageOfficeReviewed && adj.Stage != StageApproved {
			return adj, wrongStage()
		}
		if !inUpperOffice {
			return adj, apperr.Forbiddenf("catalog.only_the_upper_level_s_reform")
		}
		if err := needComment(); err != nil {
			return adj, err
		}
		next.Stage = StageReturned
		next.Confirmed = nil // a resubmission is reviewed afresh by both groups
		next.ApprovedAt = nil
	case ActPublish:
		if adj.Stage != StageApproved {
			return adj, wrongStage()
		}
		if !inOwnOffice {
			return adj, apperr.Forbiddenf("catalog.only_this_body_s_general_office_2")
		}
		next.Stage = StagePublished
		next.PublishedAt = new(act.At)
	case ActWithdraw:
		if adj.Stage != StageDrafting && adj.Stage != StageReturned && adj.Stage != StageSigned {
			return adj, wrongStage()
		}
		if !actor.has(access.RoleListLiaison) || actor.UnitID != adj.UnitID || actor.BodyID != adj.BodyID {
			return adj, apperr.Forbiddenf("catalog.only_a_list_liaison_of_the_2")
		}
		next.Stage = StageWithdrawn
	default:
		return adj, apperr.Invalidf("action", "catalog.unknown_action", act.Kind)
	}
	next.Trace = append(next.Trace, TraceEntry{At: act.At, Action: act.Kind, Group: act.Group,
		From: adj.Stage, To: next.Stage, Actor: actor.Login, Role: StepRole(act.Kind), Comment: act.Comment})
	return next, nil
}

// LastActor returns who last took action kind (empty if nobody).
func (a Adjustment) LastActor(kind ActionKind) string {
	for i := len(a.Trace) - 1; i >= 0; i-- {
		if a.Trace[i].Action == kind {
			return a.Trace[i].Actor
		}
	}
	return ""
}

// CheckAgainstUpper checks every draft of the adjustment against the upper
// level's current list (C5): an add, change or re-enable may not give the
// body an item or element the upper list does not allow. Field paths start
// at changes[i]. The service calls it before signing and again before
// publishing, since the upper list may have changed meanwhile (C6).
func (a Adjustment) CheckAgainstUpper(upper []ItemVersion) error {
	var p problems
	for i, c := range a.Changes {
		if c.Draft == nil || c.Kind == SuspendItem || c.Kind == CancelItem {
			continue
		}
		err := CheckDerived(upper, []ItemVersion{*c.Draft})
		if l, ok := err.(apperr.List); ok {
			for _, e := range l {
				e.Field = fmt.Sprintf("changes[%d].", i) + e.Field
				p.list = append(p.list, e)
			}
		}
	}
	return p.err()
}

// HasAnyRole reports whether the actor holds any of rs.
func (a Actor) HasAnyRole(rs ...access.Role) bool {
	return slices.ContainsFunc(rs, a.has)
}

// ApplyAdjustment computes the new version histories a published adjustment
// produces (C3, C4, C7, C9). histories maps base code to that item's
// versions at the body; the result holds only the items that changed. Each
// kind requires the standing it acts on: add needs an unknown or cancelled
// item (an item must be registered before cases open under it, C4), change
// a listed one, suspend a listed one, re-enable a suspended one, cancel a
// listed or suspended one.
func ApplyAdjustment(adj Adjustment, histories map[string][]ItemVersion, at time.Time) (map[string][]ItemVersion, error) {
	if adj.Stage != StageApproved && adj.Stage != StagePublished {
		return nil, apperr.Conflictf("catalog.the_adjustment_has_not_been_approved")
	}
	var p problems
	out := map[string][]ItemVersion{}
	for i, c := range adj.Changes {
		f := fmt.Sprintf("changes[%d]", i)
		h := histories[c.BaseCode]
		st := currentStanding(h)
		need := map[AdjustmentKind][]Standing{
			AddItem: {Unknown, Cancelled}, ChangeItem: {Listed}, SuspendItem: {Listed},
			ReenableItem: {Suspended}, CancelItem: {Listed, Suspended},
		}[c.Kind]
		if !slices.Contains(need, st) {
			p.add(f, "catalog.item_is_it_cannot_be", c.Name, st, c.Kind, string(st))
			continue
		}
		var draft ItemVersion
		switch {
		case c.Draft != nil:
			draft = c.Draft.Clone()
		default:
			// Suspension, re-enabling and cancellation carry the current
			// content forward into the new version.
			draft = latest(h).Clone()
			draft.ContentHash = ""
			draft.PublishedAt, draft.ValidTo = nil, nil
			draft.ValidFrom = time.Time{}
		}
		draft.Status = StatusDraft
		effect := map[AdjustmentKind]VersionStatus{AddItem: StatusPublished, ChangeItem: StatusPublished,
			ReenableItem: StatusPublished, SuspendItem: StatusSuspended, CancelItem: StatusCancelled}[c.Kind]
		nh, err := Publish(h, draft, effect, at)
		if err != nil {
			if l, ok := err.(apperr.List); ok {
				for _, e := range l {
					e.Field = f + ".draft." + e.Field
					p.list = append(p.list, e)
				}
			} else {
				e := *apperr.As(err) // a copy: never rewrite a shared error
				if e.Field != "" {
					e.Field = f + ".draft." + e.Field
				} else {
					e.Field = f
				}
				p.list = append(p.list, &e)
			}
			continue
		}
		out[c.BaseCode] = nh
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// In names the kind in lang: as a verb in Chinese, a past participle in
// English.
func (k AdjustmentKind) In(lang string) string { return msg.Name(lang, "catalog.adjkind", string(k)) }
