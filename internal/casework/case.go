package casework

import (
	"slices"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// Kind is 办件类型: how an item's cases finish.
type Kind string

const (
	Instant  Kind = "instant"  // 即办件: finished on the spot (H2)
	Promised Kind = "promised" // 承诺件: finished within the promised limit
)

// Material is one entry of an item's materials list (申请材料).
type Material struct {
	Name     string `json:"name"`
	Required bool   `json:"required"` // 必要: an application without it is incomplete (L2)
}

// Item is the item a case runs under, as its published version stood when
// the case was registered (C2): the case keeps these values whatever later
// versions say.
type Item struct {
	ID        int64  `json:"id"`
	VersionID int64  `json:"version_id"` // the published version registered under
	Code      string `json:"code"`       // 实施编码, the code exchange platforms know
	Name      string `json:"name"`
	// Category is the C1 category by catalog's stable English name
	// ("licensing", "public_service" …).
	Category string `json:"category"`
	Kind     Kind   `json:"kind"`
	// Statutory is 法定办结时限 (N 0: the law sets none); Promised is 承诺办结
	//时限 (N 0: on the spot, an instant item).
	Statutory calendar.Budget `json:"statutory"`
	Promised  calendar.Budget `json:"promised"`
	Materials []Material      `json:"materials"`
	Stars     int             `json:"stars"` // C11: online depth, 1–5
	Unit      Unit            `json:"unit"`  // 责任单位: who handles its cases
}

// FlowRef names the flow version a case runs on to its end (H1).
type FlowRef struct {
	Code    string `json:"code"`
	Version int    `json:"version"`
	Hash    string `json:"hash"`
}

// Body is an organisation body (O1): its materialised path (jurisdiction),
// its division code (the region code exchange platforms know) and name.
type Body struct {
	ID   int64  `json:"id"`
	Path string `json:"path"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// Unit is an organisational unit of a body (站所, 科室, the window).
type Unit struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Staff names a staff member on a case and its events.
type Staff struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
}

// IsZero reports whether s names nobody. System (no id, a login) is
// somebody: its events keep their "by" when stored as JSON (omitzero).
func (s Staff) IsZero() bool { return s == Staff{} }

// ApplicantKind says whether the applicant is a person or an organisation.
type ApplicantKind string

const (
	Person       ApplicantKind = "person"       // 自然人: resident ID (V1)
	Organisation ApplicantKind = "organisation" // 法人或其他组织: credit code (V2)
)

// Applicant is who applies. A person has a resident ID number (V1), an
// organisation a unified social credit code (V2), both validated and
// normalised by Open.
type Applicant struct {
	Kind       ApplicantKind `json:"kind"`
	Name       string        `json:"name"`
	ResidentID string        `json:"resident_id,omitempty"`
	CreditCode string        `json:"credit_code,omitempty"`
	Phone      string        `json:"phone,omitempty"`
	// Email, when given, is where the applicant's notices are also sent
	// (through the outbox, H7).
	Email   string `json:"email,omitempty"`
	Address string `json:"address,omitempty"`
}

// Channel is how an application came in.
type Channel string

const (
	AtWindow Channel = "window" // at the service centre's window
	Online   Channel = "online" // on the portal (C11: items of 3 stars or more)
)

// Delivery is how the result reaches the applicant.
type Delivery string

const (
	PickUp     Delivery = "window" // 窗口领取
	Post       Delivery = "post"   // 邮寄 (EMS)
	OnlineSend Delivery = "online" // 网上送达
)

var deliveries = []Delivery{PickUp, Post, OnlineSend}

// Flag is a rule a case broke or a fact supervision must see, raised by a
// transition: H2 (an instant case not finished on its day), H3 (the third
// supplementation round), H5 (a late hand-over), H6 (a late transfer), H7
// (a late notification), L2 (deemed acceptance: no notice in time), L4 (a
// special procedure over its limit).
type Flag struct {
	Rule string    `json:"rule"`
	At   time.Time `json:"at"`
	Step string    `json:"step"` // the step the case was at
}

// Decision is the unit's decision (准予 or 不予, with reasons).
type Decision struct {
	Outcome string    `json:"outcome"` // approved | not_approved
	Opinion string    `json:"opinion"`
	By      Staff     `json:"by"`
	At      time.Time `json:"at"`
}

// Completion is how a case finished (H7).
type Completion struct {
	At          time.Time     `json:"at"`
	On          calendar.Date `json:"on"` // the completion day: the certificate's date
	By          Staff         `json:"by"`
	Unit        Unit          `json:"unit"`                  // the department that handled it
	Outcome     string        `json:"outcome"`               // approved | not_approved | completed
	Certificate string        `json:"certificate,omitempty"` // the certificate's number, if any
}

// Special is the special procedure (特别程序, L4) a case is in.
type Special struct {
	Kind     flow.SpecialKind `json:"kind"`
	Reason   string           `json:"reason"`
	Approver Staff            `json:"approver"`
	Limit    calendar.Budget  `json:"limit"`
	Start    time.Time        `json:"start"`
}

// Case is one application (办件) and where it stands. Only Open, Act and
// DeemAccept make or change one; storage keeps it as a row whose Version
// it checks and bumps on every save (H1 concurrency: one of two staff
// acting at once wins).
type Case struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`

	// Number is the public case number (V3): body code, year, sequence.
	Number string `json:"number"`
	// QueryCodeHash is the hash of the secret query code (QueryCodeHash);
	// the code itself is never stored.
	QueryCodeHash string `json:"query_code_hash"`

	Item Item    `json:"item"`
	Flow FlowRef `json:"flow"`
	Body Body    `json:"body"`
	// Parent is the level above (O1), for flows with steps there.
	Parent *Body `json:"parent,omitempty"`
	// Unit is the unit handling the case: the item's, or the one it was
	// transferred to (H6).
	Unit Unit `json:"unit"`

	Applicant Applicant `json:"applicant"`
	// Minor, Secret and Privacy keep the case out of public view (H12, L7):
	// an applicant under 18, state or trade secrets, personal privacy.
	Minor   bool `json:"minor,omitempty"`
	Secret  bool `json:"secret,omitempty"`
	Privacy bool `json:"privacy,omitempty"`

	Channel Channel `json:"channel"`
	// AssistedBy is the staff member who acted for the applicant (帮办代办,
	// H13), if any.
	AssistedBy Staff `json:"assisted_by,omitzero"`
	// FirstResponder owns the case's window steps until it is done (首问负责,
	// H6): whoever registered it at the window, or for an online
	// application the first window staff member who acted on it.
	FirstResponder Staff `json:"first_responder,omitzero"`
	// Backup is the first responder's named A/B backup (H13): it may act on
	// the window steps while the owner is marked away.
	Backup Staff `json:"backup,omitzero"`

	// Received are the materials in hand, by name.
	Received []string `json:"received"`
	// ReceivedAt is when materials were last received (the application or
	// a supplementation): the day L2 counts from.
	ReceivedAt time.Time `json:"received_at"`
	// Rounds counts supplementation notices (H3); Missing is what the last
	// one listed.
	Rounds  int      `json:"rounds,omitempty"`
	Missing []string `json:"missing,omitempty"`

	// Step is the flow step (or outcome) the case is at; Status its public
	// status; StepSince when it got there; StepLimit the step's own limit
	// in force (L10: the flow's, a special procedure's approved length,
	// plus extensions granted at the step; N 0: none).
	Step      string          `json:"step"`
	Status    flow.Status     `json:"status"`
	StepSince time.Time       `json:"step_since"`
	StepLimit calendar.Budget `json:"step_limit,omitzero"`
	Special   *Special        `json:"special,omitempty"`

	RegisteredAt time.Time `json:"registered_at"`
	// AcceptedAt is when the case was accepted (H2); for a deemed
	// acceptance (L2, Deemed) the instant the materials were received.
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	AcceptedBy Staff     `json:"accepted_by,omitzero"`
	Deemed     bool      `json:"deemed,omitempty"`

	// ClockSpec is the limit in force (the promised one, else the
	// statutory one) under the rules of the day the case opened; ClockEvents
	// are its start, pauses, extensions and finish.
	ClockSpec   calendar.Spec    `json:"clock_spec"`
	ClockEvents []calendar.Event `json:"clock_events"`

	Flags      []Flag      `json:"flags"`
	Decision   *Decision   `json:"decision,omitempty"`
	Completion *Completion `json:"completion,omitempty"`
	NotifiedAt time.Time   `json:"notified_at,omitzero"`
	Delivery   Delivery    `json:"delivery"`

	// Updated is the instant of the last action: none may be dated before
	// it (no backdating, L4).
	Updated time.Time `json:"updated"`
}

// Undisclosed reports whether the case is kept out of public view (H12,
// L7): an applicant who is a minor, secrets or privacy.
func (c Case) Undisclosed() bool { return c.Minor || c.Secret || c.Privacy }

// Clock rebuilds the case clock: the limit in force.
func (c Case) Clock() (calendar.Clock, error) {
	return calendar.NewClock(c.ClockSpec, c.ClockEvents...)
}

// StatutoryClock rebuilds the clock against the statutory limit (the law's,
// with the same pauses and extensions), for the exchange record and for
// supervision; it is the clock in force when the item promises nothing.
func (c Case) StatutoryClock() (calendar.Clock, error) {
	spec := c.ClockSpec
	if c.Item.Statutory.N > 0 {
		spec.Statutory = c.Item.Statutory
	}
	return calendar.NewClock(spec, c.ClockEvents...)
}

// MaterialsComplete reports whether every required material and everything
// the last supplementation notice listed is in hand (the flow's
// materials_complete).
func (c Case) MaterialsComplete() bool { return len(c.Outstanding()) == 0 }

// Outstanding lists what is still missing: the required materials not in
// hand, then what the last notice listed and was not supplied.
func (c Case) Outstanding() []string {
	var out []string
	for _, m := range c.Item.Materials {
		if m.Required && !slices.Contains(c.Received, m.Name) {
			out = append(out, m.Name)
		}
	}
	for _, m := range c.Missing {
		if !slices.Contains(c.Received, m) && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// Flagged reports whether rule was raised on the case.
func (c Case) Flagged(rule string) bool {
	return slices.ContainsFunc(c.Flags, func(f Flag) bool { return f.Rule == rule })
}

// FlagRules lists the rules raised, in the order raised, each once.
func (c Case) FlagRules() []string {
	out := []string{}
	for _, f := range c.Flags {
		if !slices.Contains(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	return out
}

// Ended reports whether the case has ended: at an outcome, or at a step
// whose status is done (completed, still to be notified, H7).
func (c Case) Ended() bool { return c.Status.Done() }
