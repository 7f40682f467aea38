package supervise

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/msg"
)

// SupervisorRole is the role that issues, accepts and returns orders and
// records enquiries (auth's RoleSupervisor, 监察/纪工委).
const SupervisorRole = "supervisor"

// OrderDays is how long a unit has to answer an order by default (L10).
const OrderDays = 5

// maxOrderDays bounds the time given to answer.
const maxOrderDays = 60

// OrderState is where a supervision order (督办单) stands.
type OrderState string

const (
	OrderIssued   OrderState = "issued"   // 待答复: the unit must answer by Due
	OrderAnswered OrderState = "answered" // 已答复: the supervisor judges the measures
	OrderClosed   OrderState = "closed"   // 已办结: the measures were accepted
)

// EnquiryKind is a measure for a unit with repeated problems (S4).
type EnquiryKind string

const (
	Letter    EnquiryKind = "letter"    // 函询: a written enquiry
	Interview EnquiryKind = "interview" // 约谈: an interview
)

// Order is a supervision order (S4, L10): issued to a unit from a card or
// by hand, answered online with measures, accepted (closed) or returned
// with a new deadline; unanswered past its deadline it is itself a card
// (order.red) and the case it concerns is red again (case.escalated).
type Order struct {
	ID       int64         `json:"id"`
	Version  int           `json:"version"`
	BodyPath string        `json:"body_path"` // the issuing body (O1)
	Unit     casework.Unit `json:"unit"`      // the unit ordered
	UnitBody string        `json:"unit_body"` // the path of the unit's body (its own or one below)
	// Card is the card it was issued from; nil when issued by hand.
	Card *Key `json:"card,omitempty"`
	// Case is the case concerned (from the card, or named by hand).
	Case   string `json:"case,omitempty"`
	Matter string `json:"matter"` // what to fix
	// Days is the working days given to answer; Since when they run from
	// (the issue, or the last return); Due 24:00 of the last of them.
	Days       int            `json:"days"`
	IssuedBy   casework.Staff `json:"issued_by"`
	IssuedAt   time.Time      `json:"issued_at"`
	Since      time.Time      `json:"since"`
	Due        time.Time      `json:"due"`
	State      OrderState     `json:"state"`
	Answers    []OrderAnswer  `json:"answers"`
	Returns    []OrderReturn  `json:"returns"`
	ClosedAt   time.Time      `json:"closed_at,omitzero"`
	ClosedBy   casework.Staff `json:"closed_by,omitzero"`
	Conclusion string         `json:"conclusion,omitempty"`
	Enquiries  []Enquiry      `json:"enquiries"`
}

// OrderAnswer is the unit's answer: the measures taken and attachments
// (documents' names as stored by the documents service).
type OrderAnswer struct {
	Measures    string         `json:"measures"`
	Attachments []string       `json:"attachments"`
	By          casework.Staff `json:"by"`
	At          time.Time      `json:"at"`
	Late        bool           `json:"late,omitempty"` // answered after Due
}

// OrderReturn is a supervisor returning an answer as not enough.
type OrderReturn struct {
	Reason string         `json:"reason"`
	Days   int            `json:"days"`
	By     casework.Staff `json:"by"`
	At     time.Time      `json:"at"`
}

// Enquiry is a written enquiry or an interview recorded on an order, with
// its documents.
type Enquiry struct {
	Kind      EnquiryKind    `json:"kind"`
	Note      string         `json:"note"`
	Documents []string       `json:"documents"`
	By        casework.Staff `json:"by"`
	At        time.Time      `json:"at"`
}

// OrderEnv is what an order's transition is judged against: the instant,
// the issuing body's calendar and who acts.
type OrderEnv struct {
	Now      time.Time
	Calendar *calendar.Calendar
	Actor    casework.Actor
}

// Recipient is whom a notice goes to: an audience of a unit or body, or a
// named staff member. Storage resolves audiences to people (Digest).
type Recipient struct {
	Audience Audience       `json:"audience,omitempty"`
	BodyPath string         `json:"body_path,omitempty"`
	Unit     string         `json:"unit,omitempty"`
	Staff    casework.Staff `json:"staff,omitzero"`
}

// Notice is one thing to tell someone: a card raised or an order's step.
type Notice struct {
	To     Recipient `json:"to"`
	Action string    `json:"action"` // card.raised, order.issued …
	Object Object    `json:"object"`
	Level  Level     `json:"level,omitempty"`
	Title  Text      `json:"title"`
	At     time.Time `json:"at"`
}

// Change is what an order or rectification transition asks storage to do
// in the same write as the row: record Event (audited), send Notices, and
// clear the cards whose cause the transition fixed (the card an order or a
// rectification item came from, once it is closed).
type Change struct {
	Event   ChangeEvent `json:"event"`
	Notices []Notice    `json:"notices"`
	Clear   []Cleared   `json:"clear,omitempty"`
}

// ChangeEvent is one entry of an order's or rectification's history.
type ChangeEvent struct {
	Action string         `json:"action"`
	At     time.Time      `json:"at"`
	By     casework.Staff `json:"by"`
	From   string         `json:"from"`
	To     string         `json:"to"`
	Text   string         `json:"text,omitempty"` // the matter, measures, reason, note …
	Files  []string       `json:"files,omitempty"`
	Days   int            `json:"days,omitempty"`
	Due    time.Time      `json:"due,omitzero"`
}

// OrderDraft is what a supervisor fills in to issue an order.
type OrderDraft struct {
	Unit casework.Unit
	// UnitBody is the path of the unit's body: the issuer's own ("") or
	// one in its jurisdiction (O1).
	UnitBody string
	Card     *Card // the card it comes from, if any
	Case     string
	Matter   string
	Days     int // 0 for OrderDays
}

// Issue is a supervisor issuing an order to a unit.
func Issue(d OrderDraft, env OrderEnv) (Order, Change, error) {
	if err := supervisor(env.Actor); err != nil {
		return Order{}, Change{}, err
	}
	d.Matter, d.Case = strings.TrimSpace(d.Matter), strings.TrimSpace(d.Case)
	if d.Days == 0 {
		d.Days = OrderDays
	}
	var errs apperr.List
	if d.UnitBody == "" {
		d.UnitBody = env.Actor.BodyPath
	}
	switch {
	case strings.TrimSpace(d.Unit.Code) == "":
		errs = append(errs, apperr.Invalidf("unit", "supervise.choose_the_unit_ordered"))
	case !strings.HasPrefix(d.UnitBody, env.Actor.BodyPath):
		errs = append(errs, apperr.Invalidf("unit", "supervise.the_unit_is_outside_your_body"))
	}
	if d.Matter == "" {
		errs = append(errs, apperr.Invalidf("matter", "supervise.say_what_is_to_be_fixed"))
	}
	if d.Days < 1 || d.Days > maxOrderDays {
		errs = append(errs, apperr.Invalidf("days", "supervise.the_time_to_answer_must_be", maxOrderDays))
	}
	if d.Card != nil && !d.Card.Open() {
		errs = append(errs, apperr.Invalidf("card", "supervise.the_card_was_cleared_no_order"))
	}
	if len(errs) > 0 {
		return Order{}, Change{}, fieldErrors(errs)
	}
	due, err := answerDue(env, d.Days)
	if err != nil {
		return Order{}, Change{}, err
	}
	o := Order{BodyPath: env.Actor.BodyPath, Unit: d.Unit, UnitBody: d.UnitBody, Case: d.Case, Matter: d.Matter, Days: d.Days,
		IssuedBy: env.Actor.Staff, IssuedAt: env.Now, Since: env.Now, Due: due, State: OrderIssued,
		Answers: []OrderAnswer{}, Returns: []OrderReturn{}, Enquiries: []Enquiry{}}
	if d.Card != nil {
		k := d.Card.Key
		o.Card = &k
		if o.Case == "" {
			o.Case = d.Card.Case
		}
	}
	ch := Change{Event: ChangeEvent{Action: "order.issued", At: env.Now, By: env.Actor.Staff, To: string(OrderIssued),
		Text: o.Matter, Days: o.Days, Due: due}}
	ch.Notices = o.tell("order.issued", env.Now, Recipient{Audience: ToUnit}, Recipient{Audience: ToUnitHead})
	return o, ch, nil
}

// Answer is the ordered unit answering with its measures.
func (o Order) Answer(measures string, attachments []string, env OrderEnv) (Order, Change, error) {
	if o.State != OrderIssued {
		return o, Change{}, o.stateErr("supervise.answered")
	}
	if env.Actor.IsApplicant() || env.Actor.Unit != o.Unit.Code || env.Actor.BodyPath != o.UnitBody {
		return o, Change{}, apperr.Forbiddenf("supervise.only_the_unit_ordered_may_answer", o.Unit.Name)
	}
	measures = strings.TrimSpace(measures)
	if measures == "" {
		return o, Change{}, apperr.Invalidf("measures", "supervise.say_what_measures_were_taken")
	}
	files, err := fileNames("attachments", attachments)
	if err != nil {
		return o, Change{}, err
	}
	if err := o.notBefore(env.Now); err != nil {
		return o, Change{}, err
	}
	o.Answers = append(slices.Clone(o.Answers), OrderAnswer{Measures: measures, Attachments: files, By: env.Actor.Staff,
		At: env.Now, Late: env.Now.After(o.Due)})
	o.State = OrderAnswered
	ch := Change{Event: ChangeEvent{Action: "order.answered", At: env.Now, By: env.Actor.Staff, From: string(OrderIssued),
		To: string(OrderAnswered), Text: measures, Files: files}}
	ch.Notices = o.tell("order.answered", env.Now, Recipient{Staff: o.IssuedBy}, Recipient{Audience: ToSupervision})
	return o, ch, nil
}

// Accept is the supervisor accepting the measures: the order is closed.
func (o Order) Accept(conclusion string, env OrderEnv) (Order, Change, error) {
	if o.State != OrderAnswered {
		return o, Change{}, o.stateErr("supervise.closed")
	}
	if err := o.supervising(env.Actor); err != nil {
		return o, Change{}, err
	}
	if err := o.notBefore(env.Now); err != nil {
		return o, Change{}, err
	}
	o.State, o.ClosedAt, o.ClosedBy, o.Conclusion = OrderClosed, env.Now, env.Actor.Staff, strings.TrimSpace(conclusion)
	ch := Change{Event: ChangeEvent{Action: "order.closed", At: env.Now, By: env.Actor.Staff, From: string(OrderAnswered),
		To: string(OrderClosed), Text: o.Conclusion}}
	ch.Notices = o.tell("order.closed", env.Now, Recipient{Audience: ToUnit})
	if o.Card != nil {
		ch.Clear = []Cleared{{Key: *o.Card, At: env.Now}}
	}
	return o, ch, nil
}

// Return is the supervisor sending the answer back as not enough, with a
// reason and new time to answer (0: the order's own).
func (o Order) Return(reason string, days int, env OrderEnv) (Order, Change, error) {
	if o.State != OrderAnswered {
		return o, Change{}, o.stateErr("supervise.returned")
	}
	if err := o.supervising(env.Actor); err != nil {
		return o, Change{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return o, Change{}, apperr.Invalidf("reason", "supervise.a_return_needs_a_reason")
	}
	if days == 0 {
		days = o.Days
	}
	if days < 1 || days > maxOrderDays {
		return o, Change{}, apperr.Invalidf("days", "supervise.the_time_to_answer_must_be", maxOrderDays)
	}
	if err := o.notBefore(env.Now); err != nil {
		return o, Change{}, err
	}
	due, err := answerDue(env, days)
	if err != nil {
		return o, Change{}, err
	}
	o.Returns = append(slices.Clone(o.Returns), OrderReturn{Reason: reason, Days: days, By: env.Actor.Staff, At: env.Now})
	o.State, o.Since, o.Due = OrderIssued, env.Now, due
	ch := Change{Event: ChangeEvent{Action: "order.returned", At: env.Now, By: env.Actor.Staff, From: string(OrderAnswered),
		To: string(OrderIssued), Text: reason, Days: days, Due: due}}
	ch.Notices = o.tell("order.returned", env.Now, Recipient{Audience: ToUnit}, Recipient{Audience: ToUnitHead})
	return o, ch, nil
}

// Record is the supervisor recording a written enquiry (函询) or an
// interview (约谈) with the unit, with its documents (S4).
func (o Order) Record(kind EnquiryKind, note string, documents []string, env OrderEnv) (Order, Change, error) {
	if err := o.supervising(env.Actor); err != nil {
		return o, Change{}, err
	}
	if kind != Letter && kind != Interview {
		return o, Change{}, apperr.Invalidf("kind", "supervise.choose_a_written_enquiry_or_an")
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return o, Change{}, apperr.Invalidf("note", "supervise.say_what_the_enquiry_or_interview")
	}
	files, err := fileNames("documents", documents)
	if err != nil {
		return o, Change{}, err
	}
	if len(files) == 0 {
		return o, Change{}, apperr.Invalidf("documents", "supervise.attach_the_letter_or_the_interview")
	}
	if err := o.notBefore(env.Now); err != nil {
		return o, Change{}, err
	}
	o.Enquiries = append(slices.Clone(o.Enquiries), Enquiry{Kind: kind, Note: note, Documents: files, By: env.Actor.Staff, At: env.Now})
	ch := Change{Event: ChangeEvent{Action: "order." + string(kind), At: env.Now, By: env.Actor.Staff, From: string(o.State),
		To: string(o.State), Text: note, Files: files}}
	ch.Notices = o.tell("order."+string(kind), env.Now, Recipient{Audience: ToUnitHead})
	return o, ch, nil
}

// Subject is the order's answer clock for the time rules on orders
// (order.reminder, order.red): the current round, from Since, finished by
// the answer.
func (o Order) Subject() Subject {
	days := o.Days
	if n := len(o.Returns); n > 0 {
		days = o.Returns[n-1].Days // a return gives the round its own time
	}
	s := Subject{Object: o.object(), Watch: WatchOrder, BodyPath: o.BodyPath, Case: o.Case, Unit: o.Unit.Code,
		Spec:   calendar.Spec{Statutory: calendar.Budget{N: days, Unit: calendar.WorkingDays}},
		Events: []calendar.Event{{Kind: calendar.Start, At: o.Since}}}
	for _, a := range o.Answers {
		if !a.At.Before(o.Since) {
			s.Events = append(s.Events, calendar.Event{Kind: calendar.Finish, At: a.At})
			break
		}
	}
	return s
}

// Escalation is the clock of the case the order concerns against the
// order's first deadline (case.escalated, L10): finished when the case
// ended (caseEnded, zero while open) or the order was closed. ok is false
// for an order about no case.
func (o Order) Escalation(caseEnded time.Time) (Subject, bool) {
	if o.Case == "" {
		return Subject{}, false
	}
	s := Subject{Object: Object{ObjectCase, o.Case}, Watch: WatchEscalation, BodyPath: o.BodyPath, Case: o.Case,
		Unit:   o.Unit.Code,
		Spec:   calendar.Spec{Statutory: calendar.Budget{N: o.Days, Unit: calendar.WorkingDays}},
		Events: []calendar.Event{{Kind: calendar.Start, At: o.IssuedAt}}}
	end := caseEnded
	if !o.ClosedAt.IsZero() && (end.IsZero() || o.ClosedAt.Before(end)) {
		end = o.ClosedAt
	}
	if !end.IsZero() {
		s.Events = append(s.Events, calendar.Event{Kind: calendar.Finish, At: later(end, o.IssuedAt)})
	}
	return s, true
}

func (o Order) object() Object { return Object{ObjectOrder, strconv.FormatInt(o.ID, 10)} }

// tell addresses the order's notices: the ordered unit's audiences in its
// body, the issuing body's supervision office or leaders, or named staff.
func (o Order) tell(action string, at time.Time, to ...Recipient) []Notice {
	var out []Notice
	for _, r := range to {
		switch {
		case !r.Staff.IsZero():
		case r.Audience == ToSupervision || r.Audience == ToLeader:
			r.BodyPath = o.BodyPath
		default:
			r.BodyPath, r.Unit = o.UnitBody, o.Unit.Code
		}
		out = append(out, Notice{To: r, Action: action, Object: o.object(), At: at,
			Title: Text{Zh: "督办:" + o.Matter, En: "Supervision order: " + o.Matter}})
	}
	return out
}

func (o Order) notBefore(now time.Time) error {
	last := o.Since
	for _, a := range o.Answers {
		last = later(last, a.At)
	}
	for _, e := range o.Enquiries {
		last = later(last, e.At)
	}
	if now.Before(last) {
		return apperr.Invalidf("at", "supervise.the_time_is_before_the_order")
	}
	return nil
}

// In names the state in lang (in English by its code name).
func (s OrderState) In(lang string) string { return msg.Name(lang, "supervise.orderstate", string(s)) }

// stateErr refuses a transition the order's state does not allow; what is
// the message key of the transition.
func (o Order) stateErr(what string) error {
	return apperr.New(apperr.Conflict, "", "supervise.the_order_is_it_cannot_be",
		o.State, msg.M(what))
}

// supervising checks that a is a supervisor whose jurisdiction covers the
// issuing body (O1).
func (o Order) supervising(a casework.Actor) error {
	if err := supervisor(a); err != nil {
		return err
	}
	if !strings.HasPrefix(o.BodyPath, a.BodyPath) {
		return apperr.Forbiddenf("supervise.the_order_is_outside_your_jurisdiction")
	}
	return nil
}

func supervisor(a casework.Actor) error {
	if a.IsApplicant() || !slices.Contains(a.Roles, SupervisorRole) {
		return apperr.Forbiddenf("supervise.only_a_supervisor_may_do_this")
	}
	return nil
}

// answerDue is 24:00 of the days-th working day after today.
func answerDue(env OrderEnv, days int) (time.Time, error) {
	last, err := env.Calendar.AddWorkingDays(env.Calendar.Date(env.Now), days)
	if err != nil {
		return time.Time{}, err
	}
	return env.Calendar.End(last), nil
}

// fileNames checks a list of attached documents' names: none blank, each
// once, at most 20.
func fileNames(field string, names []string) ([]string, error) {
	out := []string{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || slices.Contains(out, n) {
			return nil, apperr.Invalidf(field, "supervise.an_attachment_s_name_must_not")
		}
		out = append(out, n)
	}
	if len(out) > 20 {
		return nil, apperr.Invalidf(field, "supervise.at_most_20_attachments")
	}
	return out, nil
}

// fieldErrors is one field error, or the list of several, so a form can
// name every field at fault at once.
func fieldErrors(l apperr.List) error {
	if len(l) == 1 {
		return l[0]
	}
	return l
}
