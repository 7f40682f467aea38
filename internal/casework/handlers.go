package casework

import (
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// handlers hold each action's own rules, run after the flow's move has been
// applied to the copy of the case (an error still changes nothing). An
// action of a custom flow without a handler is the move alone.
var handlers = map[string]func(*transition) error{
	"accept":             (*transition).accept,
	"request_supplement": (*transition).requestSupplement,
	"supplement":         (*transition).supplement,
	"refuse":             (*transition).refuse,
	"transfer":           (*transition).transfer,
	"hand_over":          (*transition).handOver,
	"pause":              (*transition).pause,
	"resume":             (*transition).resume,
	"extend":             (*transition).extend,
	"decide":             (*transition).decide,
	"hand_back":          (*transition).handBack,
	"complete":           (*transition).complete,
	"notify":             (*transition).notifyApplicant,
	"withdraw":           (*transition).withdraw,
}

// accept (H2, C4): refused unless the item is listed at this instant; the
// clock starts today (the move's start); the acceptance notice, and for a
// promised item the promised-case notice with its due date (H5).
func (t *transition) accept() error {
	if t.env.Standing != Listed {
		return errNotListed(t.c.Item.Name, t.env.Standing)
	}
	t.c.AcceptedAt, t.c.AcceptedBy = t.now, t.env.Actor.Staff
	t.eff.Event.AcceptedOn = t.today
	return t.acceptanceDocuments()
}

func (t *transition) acceptanceDocuments() error {
	t.issue(Document{Kind: AcceptanceNotice})
	if t.c.Item.Kind != Promised {
		return nil
	}
	st, err := t.status()
	if err != nil {
		return err
	}
	t.issue(Document{Kind: PromiseNotice, Limit: st.Budget, Due: st.DueDate})
	return nil
}

// status is the case clock's answer now, after the move.
func (t *transition) status() (calendar.Status, error) {
	clk, err := t.c.Clock()
	if err != nil {
		return calendar.Status{}, err
	}
	return clk.At(t.cal, t.now)
}

// requestSupplement (H3, L2): one written notice listing every missing
// material — a list that leaves out a required material not in hand is
// refused, naming it. What it lists that was handed in must be handed in
// again. Rounds are counted; Rules.FlagRound (the third) is flagged H3.
func (t *transition) requestSupplement() error {
	var missing []string
	for _, m := range t.a.Missing {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(missing, m) {
			missing = append(missing, m)
		}
	}
	var left []string
	for _, m := range t.before.Outstanding() {
		if !slices.Contains(missing, m) {
			left = append(left, m)
		}
	}
	if len(left) > 0 {
		return errNotEverything(left)
	}
	t.c.Received = slices.DeleteFunc(t.c.Received, func(r string) bool { return slices.Contains(missing, r) })
	t.c.Rounds++
	t.c.Missing = missing
	t.eff.Event.Missing, t.eff.Event.Round = missing, t.c.Rounds
	if t.c.Rounds == t.rules.FlagRound {
		t.raise("H3")
	}
	t.issue(Document{Kind: SupplementNotice, Materials: slices.Clone(missing)})
	return nil
}

// supplement: materials handed in (the item's, or what the notice listed);
// L2 and H2 count from today, the day they were received.
func (t *transition) supplement() error {
	got, err := knownMaterials("materials", t.a.Materials, t.c.Item, t.c.Missing)
	if err != nil {
		return err
	}
	for _, m := range got {
		if !slices.Contains(t.c.Received, m) {
			t.c.Received = append(t.c.Received, m)
		}
	}
	t.c.ReceivedAt = t.now
	t.eff.Event.Materials = got
	t.tellOwner()
	return nil
}

// tellOwner tells the first responder (or, before there is one, the
// window queue) that the case needs them.
func (t *transition) tellOwner() {
	if owner := t.c.FirstResponder; !owner.IsZero() {
		t.notify(Notification{To: ToStaff, Staff: owner})
		return
	}
	t.notify(Notification{To: ToQueue, BodyPath: t.c.Body.Path, Role: t.rules.WindowRole})
}

// refuse (H3): the flow requires a reason and the legal basis; the written
// refusal decision states both.
func (t *transition) refuse() error {
	reason, basis := strings.TrimSpace(t.a.Reason), strings.TrimSpace(t.a.Basis)
	t.eff.Event.Reason, t.eff.Event.Basis = reason, basis
	t.issue(Document{Kind: RefusalDecision, Reason: reason, Basis: basis})
	return nil
}

// transfer (H6): the first responder sends the case to the right unit and
// keeps tracking it; later than Rules.TransferDays working days after
// acceptance is flagged.
func (t *transition) transfer() error {
	u := Unit{Code: strings.TrimSpace(t.a.Unit.Code), Name: strings.TrimSpace(t.a.Unit.Name)}
	if u.Code == t.c.Unit.Code {
		return errSameUnit(u)
	}
	t.c.Unit = u
	t.eff.Event.Unit = &u
	if err := t.flagLate("H6", t.acceptedOn(), t.rules.TransferDays, t.today); err != nil {
		return err
	}
	t.issue(Document{Kind: TransferNotice, Unit: &u})
	t.notify(Notification{To: ToUnit, BodyPath: t.c.Body.Path, Unit: u.Code})
	return nil
}

// acceptedOn is the day the case was accepted (registered, H2), or the day
// it came in for a case not accepted yet.
func (t *transition) acceptedOn() calendar.Date {
	if !t.c.AcceptedAt.IsZero() {
		return t.cal.Date(t.c.AcceptedAt)
	}
	return t.cal.Date(t.c.RegisteredAt)
}

// flagLate flags rule when on is after the days-th working day after from
// (days 0: after from itself).
func (t *transition) flagLate(rule string, from calendar.Date, days int, on calendar.Date) error {
	last, err := t.cal.AddWorkingDays(from, days)
	if err != nil {
		return err
	}
	if on > last {
		t.raise(rule)
	}
	return nil
}

// handOver (H5): the window hands the accepted case over with a hand-over
// form the same day, the next working day at the latest, else flagged. To
// a unit of its own body the unit is told; a move to the level above (O1)
// tells that body's queue (apply).
func (t *transition) handOver() error {
	if err := t.flagLate("H5", t.acceptedOn(), t.rules.HandOverDays, t.today); err != nil {
		return err
	}
	t.issue(Document{Kind: HandOverForm, Unit: &t.c.Unit})
	if t.move.Level == flow.Own {
		t.notify(Notification{To: ToUnit, BodyPath: t.c.Body.Path, Unit: t.c.Unit.Code})
	}
	return nil
}

// pause (L4): the move entered the special procedure (apply: approver,
// kind, length); the applicant is told in writing that its time does not
// count.
func (t *transition) pause() error {
	sp := t.c.Special
	if sp == nil {
		return nil // a custom flow's pause that is no special procedure
	}
	t.eff.Event.Reason = sp.Reason
	t.issue(Document{Kind: SpecialNotice, Special: sp.Kind, Reason: sp.Reason, Limit: sp.Limit})
	return nil
}

// resume (L4, H9): the procedure ends with the unit's written opinion; one
// that ran past its approved length is flagged L4.
func (t *transition) resume() error {
	opinion := strings.TrimSpace(t.a.Opinion)
	t.eff.Event.Opinion = opinion
	if sp := t.before.Special; sp != nil {
		over, err := overran(t.before.StepSince, sp.Limit, t.cal, t.now)
		if err != nil {
			return err
		}
		if over {
			t.raise("L4")
		}
		t.issue(Document{Kind: SpecialOpinion, Special: sp.Kind, Opinion: opinion})
	}
	return nil
}

// overran reports whether a limit begun at since has passed by now.
func overran(since time.Time, limit calendar.Budget, cal *calendar.Calendar, now time.Time) (bool, error) {
	clk, err := calendar.NewClock(calendar.Spec{Statutory: limit}, calendar.Event{Kind: calendar.Start, At: since})
	if err != nil {
		return false, err
	}
	st, err := clk.At(cal, now)
	return st.Late, err
}

// extend (L3): approved by the role the flow names (the body's head), the
// reason told to the applicant with the new due date; the days also extend
// the step the case is at.
func (t *transition) extend() error {
	reason := strings.TrimSpace(t.a.Reason)
	if t.c.StepLimit.N > 0 && t.c.StepLimit.Unit == t.c.ClockSpec.Statutory.Unit {
		t.c.StepLimit.N += t.a.Days
	}
	st, err := t.status()
	if err != nil {
		return err
	}
	t.eff.Event.Days, t.eff.Event.Reason = t.a.Days, reason
	t.issue(Document{Kind: ExtensionNotice, Reason: reason,
		Limit: calendar.Budget{N: t.a.Days, Unit: t.c.ClockSpec.Statutory.Unit}, Due: st.DueDate})
	return nil
}

// decide: approved, or not with reasons (the flow's choices and opinion).
func (t *transition) decide() error {
	d := Decision{Outcome: strings.TrimSpace(t.a.Outcome), Opinion: strings.TrimSpace(t.a.Opinion),
		By: t.env.Actor.Staff, At: t.now}
	t.c.Decision = &d
	t.eff.Event.Outcome, t.eff.Event.Opinion = d.Outcome, d.Opinion
	return nil
}

// handBack (H5): the unit hands the decided case back with a form; the
// first responder is told.
func (t *transition) handBack() error {
	t.issue(Document{Kind: HandBackForm, Unit: &t.c.Unit})
	t.tellOwner()
	return nil
}

// complete (H7, H9, H2): the completion voucher dated today with the
// certificate's number (none for a case not approved), the decision for
// the applicant, the result pushed to the supervising unit; an instant case
// completed on a later day than it was accepted is flagged H2. A flow that
// ends here (instant) has told the applicant on the spot.
func (t *transition) complete() error {
	outcome := "completed"
	if d := t.c.Decision; d != nil {
		outcome = d.Outcome
	}
	cert := strings.TrimSpace(t.a.Certificate)
	if cert != "" && outcome == "not_approved" {
		return errCertificate()
	}
	if t.a.Delivery != "" {
		if !slices.Contains(deliveries, t.a.Delivery) {
			return errDelivery("delivery", t.a.Delivery)
		}
		t.c.Delivery = t.a.Delivery
	}
	t.c.Completion = &Completion{At: t.now, On: t.today, By: t.env.Actor.Staff, Unit: t.c.Unit, Outcome: outcome, Certificate: cert}
	t.eff.Event.Certificate, t.eff.Event.Delivery = cert, t.c.Delivery
	if t.c.Item.Kind == Instant && t.today != t.acceptedOn() {
		t.raise("H2")
	}
	t.issue(Document{Kind: CompletionVoucher, Outcome: outcome, Certificate: cert})
	if d := t.c.Decision; d != nil {
		t.issue(Document{Kind: DecisionDocument, Outcome: d.Outcome, Opinion: d.Opinion})
	}
	t.notify(Notification{To: ToSupervisor, BodyPath: t.c.Body.Path, Unit: t.c.Unit.Code})
	if t.move.Terminal {
		t.c.NotifiedAt = t.now
	}
	return nil
}

// notifyApplicant (H7): the applicant was told on the completion day or
// within Rules.NotifyDays working days after it, else flagged. The time is
// the outbox's delivery time when given: not in the future, not before
// completion.
func (t *transition) notifyApplicant() error {
	at := t.a.NotifiedAt
	if at.IsZero() {
		at = t.now
	}
	done := t.c.Completion
	if at.After(t.now) || done != nil && at.Before(done.At) {
		return errNotifiedAt()
	}
	t.c.NotifiedAt = at
	t.eff.Event.NotifiedAt = at
	if done == nil {
		return nil
	}
	return t.flagLate("H7", done.On, t.rules.NotifyDays, t.cal.Date(at))
}

// withdraw: the applicant (or staff for them) withdraws before completion;
// a receipt confirms it, and whoever holds the case is told.
func (t *transition) withdraw() error {
	t.eff.Event.Reason = strings.TrimSpace(t.a.Reason)
	t.issue(Document{Kind: WithdrawalReceipt, Reason: t.eff.Event.Reason})
	t.tellOwner()
	return nil
}
