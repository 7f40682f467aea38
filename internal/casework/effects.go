package casework

import (
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// Effects are what a transition asks storage to carry out in the same
// write as the case row: record Event on the case's timeline (its payload
// is the Event itself, JSON), append Clock to the persisted case clock,
// issue Documents (with the approval seal, H4, H8), enqueue Notifications
// (outbox) and note the Flags raised for supervision.
type Effects struct {
	Event         Event
	Clock         []calendar.Event
	Documents     []Document
	Notifications []Notification
	Flags         []Flag
}

// DeemAction is the action of a deemed acceptance (L2), taken by the
// periodic job rather than by a person.
const DeemAction = "deem_accept"

// Event is one entry of a case's timeline (痕迹化): who did what, when, from
// which step to which, and what the action carried. Every field that is not
// common to all actions says which actions fill it. The exchange record
// (BuildRecord) and the public view (Public) are rebuilt from these events.
type Event struct {
	Action string    `json:"action"` // the flow action's id; DeemAction for L2
	At     time.Time `json:"at"`
	By     Staff     `json:"by,omitzero"` // zero for the applicant; System for a job
	// Role is the role the actor acted in: flow.Applicant for the
	// applicant, "system" for a job, else one of the action's roles the
	// actor holds.
	Role string `json:"role"`
	// Assisted: staff took the applicant's action in their stead (帮办代办).
	Assisted bool `json:"assisted,omitempty"`
	// AsBackup: the A/B backup acted while the first responder was away (H13).
	AsBackup bool        `json:"as_backup,omitempty"`
	From     string      `json:"from"` // "" for apply
	To       string      `json:"to"`
	Status   flow.Status `json:"status"`
	// Body is the path of the body whose queue holds the case after the
	// action: the parent's while at a step at the level above (O1).
	Body string `json:"body"`

	// Materials: apply (received with the application), supplement
	// (supplied).
	Materials []string `json:"materials,omitempty"`
	// Missing and Round: request_supplement (the one-time notice, H3).
	Missing []string `json:"missing,omitempty"`
	Round   int      `json:"round,omitempty"`
	// Reason: refuse, pause, extend, withdraw. Basis: refuse (legal basis).
	Reason string `json:"reason,omitempty"`
	Basis  string `json:"basis,omitempty"`
	// Outcome and Opinion: decide; Opinion also resume (the written
	// opinion of a special procedure, H9).
	Outcome string `json:"outcome,omitempty"`
	Opinion string `json:"opinion,omitempty"`
	// Days: extend (units added, L3); pause (the approved length).
	Days int `json:"days,omitempty"`
	// Unit: transfer (the unit now handling the case, H6).
	Unit *Unit `json:"unit,omitempty"`
	// Special: pause (the procedure started, L4).
	Special flow.SpecialKind `json:"special,omitempty"`
	// AcceptedOn: accept, deem_accept (H2, L2).
	AcceptedOn calendar.Date `json:"accepted_on,omitzero"`
	// Certificate and Delivery: complete (H7).
	Certificate string   `json:"certificate,omitempty"`
	Delivery    Delivery `json:"delivery,omitempty"`
	// NotifiedAt: notify (when the notice reached the applicant, H7).
	NotifiedAt time.Time `json:"notified_at,omitzero"`

	// Documents issued, flags raised and clock events, as in Effects.
	Documents []DocumentKind   `json:"documents,omitempty"`
	Flags     []string         `json:"flags,omitempty"`
	Clock     []calendar.Event `json:"clock,omitempty"`
}

// DocumentKind is a written document a transition issues (H4).
type DocumentKind string

const (
	AcceptanceNotice   DocumentKind = "acceptance_notice"   // 受理通知书 (H2, L2)
	SupplementNotice   DocumentKind = "supplement_notice"   // 一次性告知书 (H3)
	RefusalDecision    DocumentKind = "refusal_decision"    // 不予受理决定书 (H3)
	PromiseNotice      DocumentKind = "promise_notice"      // 承诺件告知书 (H5)
	HandOverForm       DocumentKind = "hand_over_form"      // 移交交接单 (H5)
	HandBackForm       DocumentKind = "hand_back_form"      // 交回交接单 (H5)
	SpecialNotice      DocumentKind = "special_notice"      // 特别程序告知书 (L4)
	ExtensionNotice    DocumentKind = "extension_notice"    // 延期告知书 (L3)
	CompletionVoucher  DocumentKind = "completion_voucher"  // 办结凭证 (H7)
	WithdrawalReceipt  DocumentKind = "withdrawal_receipt"  // 撤回确认书
	SpecialOpinion     DocumentKind = "special_opinion"     // 书面意见 of a survey or review (H9)
	DecisionDocument   DocumentKind = "decision"            // 准予/不予许可决定书
	TransferNotice     DocumentKind = "transfer_notice"     // 转办单 (H6)
	ApplicationReceipt DocumentKind = "application_receipt" // 收件凭证 (L2: a dated written receipt)
)

// Document is one document to issue, with what it must say. The documents
// issue renders and seals them; those for the applicant (Kind.ForApplicant)
// are sent to them and are the notices the public view lists.
type Document struct {
	Kind DocumentKind  `json:"kind"`
	Date calendar.Date `json:"date"` // the date it bears
	// Materials: the application receipt (received), the supplement
	// notice (everything missing, once, H3).
	Materials []string `json:"materials,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	Basis     string   `json:"basis,omitempty"`
	Outcome   string   `json:"outcome,omitempty"`
	Opinion   string   `json:"opinion,omitempty"`
	// Limit: the promise notice (the limit in force), the special notice
	// (the procedure's approved length, not counted, L4), the extension
	// notice (the days added).
	Limit calendar.Budget `json:"limit,omitzero"`
	// Due: the promise and extension notices (the last day of the limit in
	// force after the action).
	Due         calendar.Date    `json:"due,omitzero"`
	Special     flow.SpecialKind `json:"special,omitempty"`
	Unit        *Unit            `json:"unit,omitempty"`
	Certificate string           `json:"certificate,omitempty"`
}

// Audience is who a notification goes to.
type Audience string

const (
	// ToApplicant: the applicant (SMS, email, the portal).
	ToApplicant Audience = "applicant"
	// ToStaff: one staff member (in-app), Staff.
	ToStaff Audience = "staff"
	// ToUnit: a unit's inbox, Unit in the body at BodyPath (in-app).
	ToUnit Audience = "unit"
	// ToQueue: the queue of Role in the body at BodyPath (an online
	// application for the window; O1: a case arriving from below or coming
	// back).
	ToQueue Audience = "queue"
	// ToSupervisor: the supervising functional unit, Unit, which receives
	// the result after completion (审管分离, H9: in-app and the signed
	// webhook of the exchange).
	ToSupervisor Audience = "supervisor"
)

// Notification is one message to enqueue: to whom, and what it is about
// (the action, and the document it carries if any).
type Notification struct {
	To       Audience     `json:"to"`
	Staff    Staff        `json:"staff,omitzero"`
	BodyPath string       `json:"body_path,omitempty"`
	Unit     string       `json:"unit,omitempty"` // unit code
	Role     string       `json:"role,omitempty"` // ToQueue: whose queue (the step's role)
	Action   string       `json:"action"`
	Document DocumentKind `json:"document,omitempty"`
}
