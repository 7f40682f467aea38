package casework

import (
	"slices"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/ident"
)

// PublicView is what the public sees when following a case by its number
// and query code (V3, H12): the timeline with dates, the current step and
// its due date, the notices issued to the applicant — every text masked
// (L7). A case of a minor or involving secrets or privacy shows its number
// and status only (Withheld).
type PublicView struct {
	Number   string      `json:"number" mask:"keep"`
	Status   flow.Status `json:"status"`
	Withheld bool        `json:"withheld"`

	Item       string        `json:"item,omitempty"`
	ItemCode   string        `json:"item_code,omitempty" mask:"keep"`
	Applicant  string        `json:"applicant,omitempty"` // the name, masked
	Submitted  calendar.Date `json:"submitted,omitzero"`
	AcceptedOn calendar.Date `json:"accepted_on,omitzero"`
	// Step is where the case is now, with the limit it is due by: the
	// case's (due and remaining, working days) while it runs.
	Step     *PublicStep     `json:"step,omitempty"`
	Timeline []PublicEntry   `json:"timeline,omitempty"`
	Notices  []PublicNotice  `json:"notices,omitempty"`
	Done     *PublicDone     `json:"done,omitempty"`
	Deadline *PublicDeadline `json:"deadline,omitempty"`
}

// PublicStep names the step the case is at.
type PublicStep struct {
	Code string    `json:"code" mask:"keep"`
	Name flow.Text `json:"name" mask:"keep"`
}

// PublicDeadline is the limit in force, as the applicant reads it.
type PublicDeadline struct {
	Due         calendar.Date  `json:"due"`
	State       calendar.State `json:"state"`
	Remaining   int            `json:"remaining_days"` // working days, today included; negative: overdue
	Provisional bool           `json:"provisional,omitempty"`
}

// PublicEntry is one action on the timeline: the day, what was done (the
// flow's name of it) and the status after.
type PublicEntry struct {
	Date   calendar.Date `json:"date"`
	Action flow.Text     `json:"action" mask:"keep"`
	Status flow.Status   `json:"status"`
}

// PublicNotice is a document issued to the applicant, with what it said.
type PublicNotice struct {
	Kind      DocumentKind     `json:"kind"`
	Date      calendar.Date    `json:"date"`
	Materials []string         `json:"materials,omitempty"` // a supplementation notice: what is missing
	Reason    string           `json:"reason,omitempty"`
	Basis     string           `json:"basis,omitempty"`
	Days      int              `json:"days,omitempty"`
	Special   flow.SpecialKind `json:"special,omitempty"`
}

// PublicDone is how the case ended, when it has.
type PublicDone struct {
	Date        calendar.Date `json:"date"`
	Outcome     string        `json:"outcome"`
	Certificate string        `json:"certificate,omitempty" mask:"keep"`
}

// Public builds the public view of c from its events, the flow it runs on
// and the body's calendar at now. The caller has checked the query code
// (Case.CheckQueryCode).
func Public(c Case, events []Event, f *flow.Flow, cal *calendar.Calendar, now time.Time) (PublicView, error) {
	v := PublicView{Number: c.Number, Status: c.Status, Withheld: c.Undisclosed()}
	if v.Withheld {
		return v, nil
	}
	v.Item, v.ItemCode, v.Applicant = c.Item.Name, c.Item.Code, c.Applicant.Name
	if c.Applicant.Kind == Person {
		v.Applicant = ident.MaskName(c.Applicant.Name)
	}
	v.Submitted = cal.Date(c.RegisteredAt)
	if !c.AcceptedAt.IsZero() {
		v.AcceptedOn = cal.Date(c.AcceptedAt)
	}
	if s, ok := f.Step(c.Step); ok {
		v.Step = &PublicStep{Code: s.ID, Name: s.Name}
	} else if o, ok := f.Outcome(c.Step); ok {
		v.Step = &PublicStep{Code: o.ID, Name: o.Name}
	}
	for _, ev := range events {
		v.Timeline = append(v.Timeline, PublicEntry{Date: cal.Date(ev.At), Action: actionName(f, ev.Action), Status: ev.Status})
		for _, k := range ev.Documents {
			if k.ForApplicant() && k != ApplicationReceipt {
				v.Notices = append(v.Notices, noticeOf(k, ev, c, cal))
			}
		}
	}
	if done := c.Completion; done != nil {
		v.Done = &PublicDone{Date: done.On, Outcome: done.Outcome, Certificate: done.Certificate}
	}
	if started := slices.ContainsFunc(c.ClockEvents, func(e calendar.Event) bool { return e.Kind == calendar.Start }); started && !c.Ended() {
		d, err := c.Deadlines(cal, now)
		if err != nil {
			return v, err
		}
		v.Deadline = &PublicDeadline{Due: d.Case.DueDate, State: d.Case.State, Remaining: d.Case.Remaining.Days, Provisional: d.Case.Provisional}
	}
	ident.MaskFields(&v)
	return v, nil
}

// actionName is the flow's name of an action; a deemed acceptance (L2) is
// named as the law has it.
func actionName(f *flow.Flow, id string) flow.Text {
	if id == DeemAction {
		return flow.Text{Zh: "视为受理", En: "Deemed accepted"}
	}
	if a, ok := f.Action(id); ok {
		return a.Name
	}
	return flow.Text{Zh: id, En: id}
}

// noticeOf is what a document of kind k, issued by event ev on case c,
// told the applicant.
func noticeOf(k DocumentKind, ev Event, c Case, cal *calendar.Calendar) PublicNotice {
	n := PublicNotice{Kind: k, Date: cal.Date(ev.At)}
	switch k {
	case SupplementNotice:
		n.Materials = ev.Missing
	case RefusalDecision:
		n.Reason, n.Basis = ev.Reason, ev.Basis
	case SpecialNotice:
		n.Reason, n.Days, n.Special = ev.Reason, ev.Days, ev.Special
	case ExtensionNotice:
		n.Reason, n.Days = ev.Reason, ev.Days
	case DecisionDocument:
		if c.Decision != nil {
			n.Reason = c.Decision.Opinion
		}
	}
	return n
}
