package casework

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// ApplyAction is the start action of an application flow (issue #14 item 8).
const ApplyAction = "apply"

// Action is what an actor submits: the flow action's id and its fields.
// Which fields an action reads is said beside each.
type Action struct {
	ID string
	// Materials: supplement (what is handed in, by name).
	Materials []string
	// Missing: request_supplement (everything missing, once, H3).
	Missing []string
	// Reason: refuse, pause, extend (told to the applicant, L3), withdraw.
	// Basis: refuse (the legal basis, H3).
	Reason string
	Basis  string
	// Kind: pause (when given, the special procedure the flow's pause
	// leads to must be this one).
	Kind flow.SpecialKind
	// Days: extend (working days added, L3); pause (the approved length,
	// at most the flow's maximum; 0 for the maximum).
	Days int
	// Outcome and Opinion: decide (approved or not_approved, with
	// reasons); Opinion also resume (the written opinion, H9).
	Outcome string
	Opinion string
	// Unit: transfer (the right unit, H6).
	Unit Unit
	// Certificate and Delivery: complete (the certificate's number, if
	// any; a delivery method other than the applicant chose).
	Certificate string
	Delivery    Delivery
	// NotifiedAt: notify (when the outbox delivered the notice to the
	// applicant; zero for Env.Now).
	NotifiedAt time.Time
	// Assisted: a staff member takes the applicant's action (supplement,
	// withdraw) in the applicant's stead (帮办代办, H13), recorded as such.
	Assisted bool
}

// input is what the flow's fields and guards see.
func (a Action) input(c Case) flow.Input {
	in := flow.Input{
		"materials": strings.Join(a.Materials, "\n"),
		"missing":   strings.Join(a.Missing, "\n"),
		"reason":    a.Reason,
		"basis":     a.Basis,
		"outcome":   a.Outcome,
		"opinion":   a.Opinion,
		"unit":      a.Unit.Code,
		"kind":      string(a.Kind),
	}
	if a.Days != 0 {
		in["days"] = strconv.Itoa(a.Days)
	}
	// Materials the action names as missing or defective (不符合法定形式)
	// are not complete, whatever is in hand.
	if c.MaterialsComplete() && len(a.Missing) == 0 {
		in["materials_complete"] = "true"
	}
	return in
}

// Application is what Open needs besides the environment: the number and
// query code hash (storage draws the sequence and the code), the item as
// published, the body (and its parent for joint flows, O1), the applicant
// and what they handed in.
type Application struct {
	Number        string
	QueryCodeHash string
	Item          Item
	Body          Body
	Parent        *Body
	Applicant     Applicant
	Materials     []string
	Delivery      Delivery // "" for pick-up at the window
	// Assisted: a staff member applies in the applicant's stead (帮办代办,
	// H13), recorded as such.
	Assisted bool
	// Secret and Privacy keep the case out of public view (H12).
	Secret, Privacy bool
}

// rules returns the environment's rules, the defaults when none are set.
func (e Env) rules() Rules {
	if e.Rules == (Rules{}) {
		return DefaultRules()
	}
	return e.Rules
}

// transition is one action being worked out on a copy of the case; an
// error anywhere returns the case unchanged.
type transition struct {
	before Case
	c      Case
	a      Action
	env    Env
	rules  Rules
	f      *flow.Flow
	from   flow.Step // the step left (zero when opening)
	move   flow.Move
	cal    *calendar.Calendar
	now    time.Time
	today  calendar.Date
	eff    Effects
	// startAt is when the clock starts if the move starts it: now, or the
	// day the materials were received for a deemed acceptance (L2).
	startAt time.Time
	// assisted: the staff actor acts in the applicant's stead (帮办代办).
	assisted bool
}

// Open registers an application: the flow's apply action, online by the
// applicant (C11: items of Rules.OnlineStars or more) or at the window by
// a staff member, who becomes the first responder (H6). It refuses an item
// that is not listed at Env.Now (C4), an invalid applicant (V1, V2) and
// materials not on the item's list.
func Open(app Application, env Env) (Case, Effects, error) {
	t, err := begin(Case{}, env)
	if err != nil {
		return Case{}, Effects{}, err
	}
	if err := t.application(app); err != nil {
		return Case{}, Effects{}, err
	}
	t.assisted = app.Assisted
	if err := t.take(ApplyAction, flow.Input{}); err != nil {
		return Case{}, Effects{}, err
	}
	t.c.RegisteredAt = t.now
	t.c.ReceivedAt = t.now
	t.eff.Event.Materials = slices.Clone(t.c.Received)
	t.issue(Document{Kind: ApplicationReceipt, Materials: slices.Clone(t.c.Received)})
	if t.env.Actor.IsApplicant() {
		t.notify(Notification{To: ToQueue, BodyPath: t.c.Body.Path, Role: t.rules.WindowRole})
	}
	return t.finish()
}

// Act takes action a on case c. It refuses, changing nothing, an action the
// flow does not allow at the case's step or to the actor's roles, an actor
// who does not hold the case (its body, its unit, its first responder or
// backup, H6, H13), an action dated before the case's last (no
// backdating), and whatever the action's own rules refuse (see the
// handlers below).
func Act(c Case, a Action, env Env) (Case, Effects, error) {
	t, err := begin(c, env)
	if err != nil {
		return c, Effects{}, err
	}
	t.a, t.assisted = a, a.Assisted
	if err := t.take(a.ID, a.input(c)); err != nil {
		return c, Effects{}, err
	}
	if h := handlers[a.ID]; h != nil {
		if err := h(t); err != nil {
			return c, Effects{}, err
		}
	}
	return t.finish()
}

// DeemAccept applies L2: an incomplete application left without a
// supplementation notice for Rules.NoticeDays working days counts as
// accepted on the day its materials were received. The periodic job calls
// it for each case Rules.DeemedAccepted names; Env.Actor is not used (the
// law acts, recorded as System), nor is the item's standing (it was listed
// when the materials came in).
func DeemAccept(c Case, env Env) (Case, Effects, error) {
	t, err := begin(c, env)
	if err != nil {
		return c, Effects{}, err
	}
	ok, day, err := t.rules.DeemedAccepted(c, t.now, t.cal)
	if err != nil {
		return c, Effects{}, err
	}
	if !ok {
		return c, Effects{}, errNotDeemed(t.rules.NoticeDays)
	}
	act, ok := startAction(t.f, c.Step)
	if !ok {
		return c, Effects{}, errNoAcceptAction(c.Step)
	}
	t.move, err = t.f.Apply(c.Step, act.ID, act.Roles, flow.Input{"materials_complete": "true"})
	if err != nil {
		return c, Effects{}, err
	}
	t.from, _ = t.f.Step(c.Step)
	t.startAt = c.ReceivedAt
	t.eff.Event = Event{Action: DeemAction, By: System, Role: "system"}
	if err := t.apply(); err != nil {
		return c, Effects{}, err
	}
	t.c.AcceptedAt, t.c.AcceptedBy, t.c.Deemed = c.ReceivedAt, System, true
	t.eff.Event.AcceptedOn = day
	t.raise("L2")
	if err := t.acceptanceDocuments(); err != nil {
		return c, Effects{}, err
	}
	return t.finish()
}

// startAction is the action from step that starts the clock (acceptance).
func startAction(f *flow.Flow, step string) (flow.Action, bool) {
	for _, a := range f.Actions {
		if a.Clock == flow.ClockStart && slices.Contains(a.From, step) {
			return a, true
		}
	}
	return flow.Action{}, false
}

// begin checks what every transition needs: a calendar and a flow, the
// case's own flow version (H1), and an instant not before the case's last
// action (no backdating).
func begin(c Case, env Env) (*transition, error) {
	if env.Calendar == nil || env.Flow == nil || env.Now.IsZero() {
		return nil, errEnv()
	}
	f := env.Flow
	if c.Number != "" && (c.Flow.Code != f.Code || c.Flow.Version != f.Version || c.Flow.Hash != f.Hash()) {
		return nil, errFlowVersion(c.Flow)
	}
	if env.Now.Before(c.Updated) {
		return nil, errBackdated(c.Updated)
	}
	if err := env.rules().Validate(); err != nil {
		return nil, err
	}
	t := &transition{before: c, c: c.clone(), env: env, rules: env.rules(), f: f, cal: env.Calendar, now: env.Now,
		today: env.Calendar.Date(env.Now), startAt: env.Now}
	return t, nil
}

// clone copies the slices a transition appends to or edits, so the case
// given to Act never changes.
func (c Case) clone() Case {
	c.Received = slices.Clone(c.Received)
	c.Missing = slices.Clone(c.Missing)
	c.ClockEvents = slices.Clone(c.ClockEvents)
	c.Flags = slices.Clone(c.Flags)
	return c
}

// take runs the flow's action for the actor, checks the actor may act on
// this case, and applies the move.
func (t *transition) take(id string, in flow.Input) error {
	actor := t.env.Actor
	if err := t.refuseWhenDeemed(id); err != nil {
		return err
	}
	var err error
	if t.move, err = t.f.Apply(t.c.Step, id, actor.Roles, in); err != nil {
		return err
	}
	t.from, _ = t.f.Step(t.c.Step)
	if err := t.authorise(); err != nil {
		return err
	}
	return t.apply()
}

// refuseWhenDeemed: once L2's notice period has run out, the application
// counts as accepted; a late supplementation notice or refusal of
// acceptance is no longer possible (the periodic job accepts it).
func (t *transition) refuseWhenDeemed(id string) error {
	if t.c.Number == "" || (id != "request_supplement" && id != "refuse") {
		return nil
	}
	deemed, day, err := t.rules.DeemedAccepted(t.c, t.now, t.cal)
	if err != nil {
		return err
	}
	if deemed {
		return errDeemed(t.rules.NoticeDays, day)
	}
	return nil
}

// authorise checks the actor may act on the case at its step, and notes in
// which role and capacity: the applicant; staff of the body whose queue
// holds the case (O1); at the window's steps its first responder, or the
// backup while the owner is away (H6, H13), the first window staff member
// to act on an online application becoming its first responder; at a unit's
// steps the unit handling the case. Staff acting in the applicant's stead
// (帮办代办) may do so only in the applicant's own actions.
func (t *transition) authorise() error {
	actor := t.env.Actor
	ev := Event{Action: t.move.Action}
	act, _ := t.f.Action(t.move.Action)
	if t.assisted && (actor.IsApplicant() || !slices.Contains(act.Roles, flow.Applicant)) {
		return errAssisted()
	}
	if actor.IsApplicant() {
		ev.Role = flow.Applicant
		t.eff.Event = ev
		return nil
	}
	for _, r := range act.Roles {
		if slices.Contains(actor.Roles, r) {
			ev.Role = r
			break
		}
	}
	ev.By, ev.Assisted = actor.Staff, t.assisted
	if t.c.Number != "" {
		if queue := t.c.queueAt(t.from); actor.BodyPath != queue.Path {
			return errNotHolder(queue)
		}
	}
	switch {
	case ev.Role == t.rules.WindowRole && t.from.Level != flow.Parent:
		owner := t.c.FirstResponder
		switch {
		case owner.IsZero():
			t.c.FirstResponder, t.c.Backup = actor.Staff, actor.Backup
		case actor.ID == owner.ID:
		case actor.ID == t.c.Backup.ID && !t.c.Backup.IsZero() && t.env.OwnerAway:
			ev.AsBackup = true
		default:
			return errNotOwner(owner, t.c.Backup)
		}
	case ev.Role == t.from.Role && t.from.Level != flow.Parent && t.c.Unit.Code != "" && actor.Unit != t.c.Unit.Code:
		return errNotUnit(t.c.Unit)
	}
	if ev.Assisted && t.c.AssistedBy.IsZero() {
		t.c.AssistedBy = actor.Staff
	}
	t.eff.Event = ev
	return nil
}

// queueAt is the body whose queue holds the case at step s: the parent's
// at a step at the level above (O1), the case's own otherwise.
func (c Case) queueAt(s flow.Step) Body {
	if s.Level == flow.Parent && c.Parent != nil {
		return *c.Parent
	}
	return c.Body
}

// Queue is the body whose queue holds the case now (O1).
func (c Case) Queue(f *flow.Flow) Body {
	s, _ := f.Step(c.Step)
	return c.queueAt(s)
}

// apply carries out the move: the clock changes (H2, L3, L4), the step and
// its own limit (L10), a special procedure begun or ended, and the queue
// it moves to (O1).
func (t *transition) apply() error {
	m := t.move
	for _, ch := range m.Clock {
		if err := t.clock(ch); err != nil {
			return err
		}
	}
	c := &t.c
	c.Status = m.Status
	if m.To != c.Step {
		c.Step, c.StepSince, c.StepLimit, c.Special = m.To, t.now, calendar.Budget{}, nil
		if to, ok := t.f.Step(m.To); ok {
			c.StepLimit = to.Limit
			if to.Special != nil {
				if err := t.special(*to.Special); err != nil {
					return err
				}
			}
		}
	}
	if m.FromLevel != m.Level {
		to, _ := t.f.Step(m.To)
		if q := c.queueAt(to); q.Path != "" {
			t.notify(Notification{To: ToQueue, BodyPath: q.Path, Role: to.Role})
		}
	}
	ev := &t.eff.Event
	ev.From, ev.To, ev.Status = m.From, m.To, m.Status
	if to, ok := t.f.Step(m.To); ok {
		ev.Body = c.queueAt(to).Path
	} else {
		ev.Body = c.Body.Path
	}
	return nil
}

// clock applies one clock change of the move. Before acceptance the clock
// has not started, so a pause, resume or finish is nothing to apply.
func (t *transition) clock(ch flow.ClockChange) error {
	clk, err := t.c.Clock()
	if err != nil {
		return err
	}
	started := slices.ContainsFunc(t.c.ClockEvents, func(e calendar.Event) bool { return e.Kind == calendar.Start })
	if !started && ch.Kind != calendar.Start {
		return nil
	}
	e := calendar.Event{Kind: ch.Kind, At: t.now, Reason: ch.Reason}
	switch ch.Kind {
	case calendar.Start:
		e.At = t.startAt
	case calendar.Extend:
		if t.a.Days <= 0 {
			return errDays("days")
		}
		e.N, e.Note = t.a.Days, t.a.Reason
	}
	if _, err := clk.Apply(e); err != nil {
		return errClock(err)
	}
	t.c.ClockEvents = append(t.c.ClockEvents, e)
	t.eff.Clock = append(t.eff.Clock, e)
	return nil
}

// special starts the special procedure a move enters (L4): its kind as the
// flow says (an action naming another is refused), the approved length at
// most the flow's maximum, the approver recorded.
func (t *transition) special(sp flow.Special) error {
	if t.a.Kind != "" && t.a.Kind != sp.Kind {
		return errSpecialKind(t.a.Kind, sp.Kind)
	}
	limit := sp.Max
	if t.a.Days < 0 {
		return errDays("days")
	}
	if t.a.Days > 0 {
		if t.a.Days > sp.Max.N {
			return errPauseTooLong(sp.Max)
		}
		limit.N = t.a.Days
	}
	t.c.StepLimit = limit
	t.c.Special = &Special{Kind: sp.Kind, Reason: strings.TrimSpace(t.a.Reason), Approver: t.env.Actor.Staff,
		Limit: limit, Start: t.now}
	t.boundPause(limit)
	t.eff.Event.Special, t.eff.Event.Days = sp.Kind, limit.N
	return nil
}

// boundPause gives the special procedure's pause of the case clock, applied
// by this move, its approved length (calendar.Event.Max), so the stored
// clock's next check falls when the procedure has lasted it (L4).
func (t *transition) boundPause(limit calendar.Budget) {
	n, m := len(t.eff.Clock), len(t.c.ClockEvents)
	if limit.N <= 0 || n == 0 || m == 0 {
		return
	}
	if e := t.eff.Clock[n-1]; e.Kind != calendar.Pause || e.Reason != calendar.SpecialProcedure {
		return
	}
	t.eff.Clock[n-1].Max = limit
	t.c.ClockEvents[m-1].Max = limit
}

// raise flags rule on the case, at the step the action left.
func (t *transition) raise(rule string) {
	f := Flag{Rule: rule, At: t.now, Step: t.before.Step}
	t.c.Flags = append(t.c.Flags, f)
	t.eff.Flags = append(t.eff.Flags, f)
}

// issue adds a document bearing today's date; one for the applicant is
// also sent to them (H3: in writing).
func (t *transition) issue(d Document) {
	if d.Date == 0 {
		d.Date = t.today
	}
	t.eff.Documents = append(t.eff.Documents, d)
	if d.Kind.ForApplicant() {
		t.notify(Notification{To: ToApplicant, Document: d.Kind})
	}
}

func (t *transition) notify(n Notification) {
	if n.Action == "" {
		n.Action = t.move.Action
		if t.eff.Event.Action == DeemAction {
			n.Action = DeemAction
		}
	}
	t.eff.Notifications = append(t.eff.Notifications, n)
}

// finish stamps the event and returns the new case and its effects.
func (t *transition) finish() (Case, Effects, error) {
	t.c.Updated = t.now
	ev := &t.eff.Event
	ev.At = t.now
	for _, d := range t.eff.Documents {
		ev.Documents = append(ev.Documents, d.Kind)
	}
	for _, f := range t.eff.Flags {
		ev.Flags = append(ev.Flags, f.Rule)
	}
	ev.Clock = t.eff.Clock
	return t.c, t.eff, nil
}

// ForApplicant reports whether documents of kind k go to the applicant;
// the others are internal forms (hand-over, opinions, transfer).
func (k DocumentKind) ForApplicant() bool {
	switch k {
	case HandOverForm, HandBackForm, SpecialOpinion, TransferNotice:
		return false
	}
	return true
}
