package casework

import (
	"slices"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// Record is what national and provincial exchange platforms expect of a
// 办件 (issue #14 item 5), rebuilt from a case and its timeline: the
// document of GET /api/v1/cases/{number}/record. Times are RFC 3339 with
// the offset; limits are {value, unit} with unit working_days,
// natural_days, hours or working_hours. docs/CASES.md lists every field.
type Record struct {
	SerialNumber string      `json:"serial_number"`  // 申办流水号: the case number
	HasQueryCode bool        `json:"has_query_code"` // 查询码: whether there is one (never the code)
	ItemCode     string      `json:"item_code"`      // 事项编码 (实施编码)
	ItemName     string      `json:"item_name"`
	Category     string      `json:"category"`    // C1 category (catalog's English name)
	ItemKind     Kind        `json:"item_kind"`   // instant | promised
	RegionCode   string      `json:"region_code"` // 行政区划代码: the body's code
	Department   string      `json:"department"`  // the body's name
	Applicant    RecordParty `json:"applicant"`
	Channel      Channel     `json:"channel"` // window | online
	AssistedBy   *Staff      `json:"assisted_by,omitempty"`
	SubmittedAt  time.Time   `json:"submitted_at"`
	Acceptance   *Acceptance `json:"acceptance,omitempty"`
	// StatutoryLimit is 法定时限 (absent when the law sets none);
	// PromisedLimit 承诺时限 (absent: on the spot).
	StatutoryLimit    *RecordLimit      `json:"statutory_limit,omitempty"`
	PromisedLimit     *RecordLimit      `json:"promised_limit,omitempty"`
	Materials         []RecordMaterial  `json:"materials"`
	Supplements       []RecordNotice    `json:"supplements"`
	Steps             []RecordStep      `json:"steps"`
	SpecialProcedures []RecordSpecial   `json:"special_procedures"`
	Extensions        []RecordExtension `json:"extensions"`
	Refusal           *RecordRefusal    `json:"refusal,omitempty"`
	Completion        *RecordCompletion `json:"completion,omitempty"`
	Delivery          Delivery          `json:"delivery"` // window | post | online
	Status            flow.Status       `json:"status"`
	Step              string            `json:"step"` // the flow's step (or outcome) code
	Flags             []string          `json:"flags"`
}

// RecordParty is the applicant as exchanged: type, name, the identifier's
// type (resident_id or credit_code) and number, contact.
type RecordParty struct {
	Type     ApplicantKind `json:"type"` // person | organisation
	Name     string        `json:"name"`
	IDType   string        `json:"id_type"`
	IDNumber string        `json:"id_number"`
	Phone    string        `json:"phone,omitempty"`
	Address  string        `json:"address,omitempty"`
}

// Acceptance is 受理: when, by whom (the accepting officer), deemed (L2).
type Acceptance struct {
	At      time.Time `json:"at"`
	Officer Staff     `json:"officer"`
	Deemed  bool      `json:"deemed"`
}

// RecordLimit is a time limit with its unit.
type RecordLimit struct {
	Value int           `json:"value"`
	Unit  calendar.Unit `json:"unit"`
}

func limitOf(b calendar.Budget) *RecordLimit {
	if b.N == 0 {
		return nil
	}
	return &RecordLimit{Value: b.N, Unit: b.Unit}
}

// RecordMaterial is one material of the item's list and whether (and when
// last) it was received.
type RecordMaterial struct {
	Name       string     `json:"name"`
	Required   bool       `json:"required"`
	Received   bool       `json:"received"`
	ReceivedAt *time.Time `json:"received_at,omitempty"`
}

// RecordNotice is one supplementation round (H3): the notice and, once
// the applicant answered, the receipt.
type RecordNotice struct {
	Round      int        `json:"round"`
	NoticeAt   time.Time  `json:"notice_at"`
	Officer    Staff      `json:"officer"`
	Missing    []string   `json:"missing"`
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	Received   []string   `json:"received,omitempty"`
}

// RecordStep is one action taken on the case: at which step (code and
// name), which action, by whom, with what opinion, when.
type RecordStep struct {
	Code     string      `json:"code"`
	Name     string      `json:"name"`
	Action   string      `json:"action"`
	Officer  *Staff      `json:"officer,omitempty"` // absent when the applicant acted
	Role     string      `json:"role"`
	Opinion  string      `json:"opinion,omitempty"`
	At       time.Time   `json:"at"`
	Status   flow.Status `json:"status"` // after the action
	Assisted bool        `json:"assisted,omitempty"`
}

// RecordSpecial is one special procedure (L4).
type RecordSpecial struct {
	Type     flow.SpecialKind `json:"type"`
	Approver Staff            `json:"approver"`
	Reason   string           `json:"reason"`
	Limit    RecordLimit      `json:"limit"`
	Start    time.Time        `json:"start"`
	End      *time.Time       `json:"end,omitempty"`
	Opinion  string           `json:"opinion,omitempty"`
}

// RecordExtension is one extension (L3).
type RecordExtension struct {
	Days     int       `json:"days"`
	Reason   string    `json:"reason"`
	Approver Staff     `json:"approver"`
	At       time.Time `json:"at"`
}

// RecordRefusal is 不予受理 (H3): reasons and legal basis.
type RecordRefusal struct {
	Reason  string    `json:"reason"`
	Basis   string    `json:"basis"`
	Officer Staff     `json:"officer"`
	At      time.Time `json:"at"`
}

// RecordCompletion is 办结 (H7).
type RecordCompletion struct {
	Department        string        `json:"department"` // the unit that handled it
	Outcome           string        `json:"outcome"`    // approved | not_approved | completed
	CertificateNumber string        `json:"certificate_number,omitempty"`
	At                time.Time     `json:"at"`
	On                calendar.Date `json:"on"` // the certificate's date
	NotifiedAt        *time.Time    `json:"notified_at,omitempty"`
}

// BuildRecord rebuilds the exchange record from case c, its events in
// order and the flow version it runs on (for step names).
func BuildRecord(c Case, events []Event, f *flow.Flow) Record {
	r := Record{
		SerialNumber: c.Number, HasQueryCode: c.QueryCodeHash != "",
		ItemCode: c.Item.Code, ItemName: c.Item.Name, Category: c.Item.Category, ItemKind: c.Item.Kind,
		RegionCode: c.Body.Code, Department: c.Body.Name, Applicant: partyOf(c.Applicant), Channel: c.Channel,
		StatutoryLimit: limitOf(c.Item.Statutory), PromisedLimit: limitOf(c.Item.Promised),
		Supplements: []RecordNotice{}, Steps: []RecordStep{}, SpecialProcedures: []RecordSpecial{}, Extensions: []RecordExtension{},
		Delivery: c.Delivery, Status: c.Status, Step: c.Step, Flags: c.FlagRules(),
	}
	if !c.AssistedBy.IsZero() {
		r.AssistedBy = &c.AssistedBy
	}
	receivedAt := map[string]time.Time{}
	for _, ev := range events {
		r.Steps = append(r.Steps, stepOf(ev, f))
		for _, m := range ev.Materials {
			receivedAt[m] = ev.At
		}
		switch ev.Action {
		case ApplyAction:
			r.SubmittedAt = ev.At
		case "accept", DeemAction:
			r.Acceptance = &Acceptance{At: ev.At, Officer: ev.By, Deemed: ev.Action == DeemAction}
		case "request_supplement":
			r.Supplements = append(r.Supplements, RecordNotice{Round: ev.Round, NoticeAt: ev.At, Officer: ev.By, Missing: ev.Missing})
		case "supplement":
			if n := len(r.Supplements); n > 0 {
				s := &r.Supplements[n-1]
				s.ReceivedAt, s.Received = &ev.At, append(s.Received, ev.Materials...)
			}
		case "refuse":
			r.Refusal = &RecordRefusal{Reason: ev.Reason, Basis: ev.Basis, Officer: ev.By, At: ev.At}
		case "extend":
			r.Extensions = append(r.Extensions, RecordExtension{Days: ev.Days, Reason: ev.Reason, Approver: ev.By, At: ev.At})
		}
		if ev.Special != "" {
			unit := calendar.WorkingDays
			if s, ok := f.Step(ev.To); ok && s.Special != nil {
				unit = s.Special.Max.Unit
			}
			r.SpecialProcedures = append(r.SpecialProcedures, RecordSpecial{Type: ev.Special, Approver: ev.By, Reason: ev.Reason,
				Limit: RecordLimit{Value: ev.Days, Unit: unit}, Start: ev.At})
		} else if s, ok := f.Step(ev.From); ok && s.Special != nil && ev.To != ev.From {
			if n := len(r.SpecialProcedures); n > 0 {
				sp := &r.SpecialProcedures[n-1]
				sp.End, sp.Opinion = &ev.At, ev.Opinion
			}
		}
	}
	if a := r.Acceptance; a != nil && c.Deemed {
		a.At = c.AcceptedAt // the day the materials were received (L2)
	}
	for _, m := range c.Item.Materials {
		rm := RecordMaterial{Name: m.Name, Required: m.Required, Received: slices.Contains(c.Received, m.Name)}
		if at, ok := receivedAt[m.Name]; ok && rm.Received {
			rm.ReceivedAt = &at
		}
		r.Materials = append(r.Materials, rm)
	}
	if done := c.Completion; done != nil {
		r.Completion = &RecordCompletion{Department: unitName(done.Unit), Outcome: done.Outcome,
			CertificateNumber: done.Certificate, At: done.At, On: done.On}
		if !c.NotifiedAt.IsZero() {
			r.Completion.NotifiedAt = &c.NotifiedAt
		}
	}
	return r
}

func partyOf(a Applicant) RecordParty {
	p := RecordParty{Type: a.Kind, Name: a.Name, Phone: a.Phone, Address: a.Address, IDType: "resident_id", IDNumber: a.ResidentID}
	if a.Kind == Organisation {
		p.IDType, p.IDNumber = "credit_code", a.CreditCode
	}
	return p
}

// stepOf is the record of one action: the step it was taken at (for the
// application, the step it led to).
func stepOf(ev Event, f *flow.Flow) RecordStep {
	code := ev.From
	if code == "" {
		code = ev.To
	}
	s := RecordStep{Code: code, Action: ev.Action, Role: ev.Role, Opinion: ev.Opinion, At: ev.At, Status: ev.Status, Assisted: ev.Assisted}
	if st, ok := f.Step(code); ok {
		s.Name = st.Name.Zh
	}
	if s.Opinion == "" {
		s.Opinion = ev.Reason
	}
	if !ev.By.IsZero() || ev.By == System {
		by := ev.By
		s.Officer = &by
	}
	return s
}
