package supervise

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
)

// ExternalSupervisorRole is the role of external supervisors (S7), who
// read their area and report problems, which land on the list as
// rectification items (auth's RoleExternalSupervisor).
const ExternalSupervisorRole = "external_supervisor"

// Source is where a problem on the rectification list came from (S8).
type Source string

const (
	FromCard       Source = "card"       // an e-supervision card
	FromOrder      Source = "order"      // a supervision order
	FromInspection Source = "inspection" // an inspection (月结、季度联合检查)
	FromComplaint  Source = "complaint"  // a complaint (P)
	FromRating     Source = "rating"     // a bad review (L8)
	FromExternal   Source = "external"   // an external supervisor's report (S7)
)

var sources = []Source{FromCard, FromOrder, FromInspection, FromComplaint, FromRating, FromExternal}

// ExternalKind is the kind of external supervisor who reported (S7).
type ExternalKind string

var externalKinds = []ExternalKind{"deputy", "adviser", "grid_leader", "citizen_representative", "volunteer", "journalist"}

// ExternalKinds are the kinds of external supervisor S7 names, in its order.
func ExternalKinds() []ExternalKind { return slices.Clone(externalKinds) }

// Valid reports whether k is one of ExternalKinds.
func (k ExternalKind) Valid() bool { return slices.Contains(externalKinds, k) }

// Name is the kind in words.
func (k ExternalKind) Name() Text {
	switch k {
	case "deputy":
		return Text{Zh: "人大代表", En: "People's congress deputy"}
	case "adviser":
		return Text{Zh: "政协委员", En: "CPPCC member"}
	case "grid_leader":
		return Text{Zh: "网格长", En: "Grid leader"}
	case "citizen_representative":
		return Text{Zh: "群众代表", En: "Citizen representative"}
	case "volunteer":
		return Text{Zh: "志愿者", En: "Volunteer"}
	case "journalist":
		return Text{Zh: "新闻媒体记者", En: "Journalist"}
	}
	return Text{Zh: string(k), En: string(k)}
}

// RectState is where a rectification item stands.
type RectState string

const (
	RectOpen   RectState = "open"   // 整改中
	RectClosed RectState = "closed" // 已销号: closed with evidence
)

// Rectification is one item of the rectification list (整改清单, S8): a
// problem with an owner and a deadline, pushed to the owner the same day,
// with progress notes, closed with evidence; past its deadline it is a
// card (rectification.red).
type Rectification struct {
	ID       int64  `json:"id"`
	Version  int    `json:"version"`
	BodyPath string `json:"body_path"`
	Source   Source `json:"source"`
	// Ref names the source object (the card's key, the order's id, the
	// complaint's number …); Card is the card's key for a card; Reporter
	// the kind of external supervisor.
	Ref       string         `json:"ref,omitempty"`
	Card      *Key           `json:"card,omitempty"`
	Reporter  ExternalKind   `json:"reporter,omitempty"`
	Problem   string         `json:"problem"`
	Owner     casework.Staff `json:"owner"`
	Unit      casework.Unit  `json:"unit"`
	UnitBody  string         `json:"unit_body"` // the path of the unit's body
	Deadline  calendar.Date  `json:"deadline"`  // the last day to close it
	CreatedBy casework.Staff `json:"created_by"`
	CreatedAt time.Time      `json:"created_at"`
	State     RectState      `json:"state"`
	Progress  []Progress     `json:"progress"`
	ClosedAt  time.Time      `json:"closed_at,omitzero"`
	ClosedBy  casework.Staff `json:"closed_by,omitzero"`
	Evidence  []string       `json:"evidence"`
	Closing   string         `json:"closing,omitempty"`
}

// Progress is a note on the way to fixing the problem.
type Progress struct {
	Text string         `json:"text"`
	By   casework.Staff `json:"by"`
	At   time.Time      `json:"at"`
}

// RectDraft is a problem put on the list.
type RectDraft struct {
	Source Source
	// Ref names the source; for a card, Card gives it (Ref is then its
	// key's text).
	Ref      string
	Card     *Key
	Reporter ExternalKind
	Problem  string
	Owner    casework.Staff
	Unit     casework.Unit
	// UnitBody is the path of the unit's body: the reporter's own ("") or
	// one in its jurisdiction (O1).
	UnitBody string
	Deadline calendar.Date
}

// OpenRectification puts a problem on the list: a supervisor from any
// source, an external supervisor only their own report. The owner is told
// at once (the notice is in the same write, so the same day).
func OpenRectification(d RectDraft, env OrderEnv) (Rectification, Change, error) {
	a := env.Actor
	external := slices.Contains(a.Roles, ExternalSupervisorRole)
	switch {
	case a.IsApplicant() || !external && !slices.Contains(a.Roles, SupervisorRole):
		return Rectification{}, Change{}, apperr.Forbiddenf("supervise.only_supervisors_and_external_supervisors_may")
	case external && !slices.Contains(a.Roles, SupervisorRole) && d.Source != FromExternal:
		return Rectification{}, Change{}, apperr.Invalidf("source", "supervise.an_external_supervisor_reports_problems_of")
	}
	d.Problem, d.Ref = strings.TrimSpace(d.Problem), strings.TrimSpace(d.Ref)
	if d.Source == FromCard && d.Card != nil {
		d.Ref = d.Card.String()
	}
	var errs apperr.List
	if !slices.Contains(sources, d.Source) {
		errs = append(errs, apperr.Invalidf("source", "supervise.source_is_invalid", d.Source))
	}
	if (d.Source == FromCard || d.Source == FromOrder || d.Source == FromComplaint) && d.Ref == "" {
		errs = append(errs, apperr.Invalidf("ref", "supervise.name_the_source_the_card_order"))
	}
	if d.Source == FromExternal && !slices.Contains(externalKinds, d.Reporter) {
		errs = append(errs, apperr.Invalidf("reporter", "supervise.choose_the_kind_of_external_supervisor"))
	}
	if d.Problem == "" {
		errs = append(errs, apperr.Invalidf("problem", "supervise.describe_the_problem"))
	}
	if d.Owner.IsZero() {
		errs = append(errs, apperr.Invalidf("owner", "supervise.name_the_owner"))
	}
	if d.UnitBody == "" {
		d.UnitBody = a.BodyPath
	}
	switch {
	case strings.TrimSpace(d.Unit.Code) == "":
		errs = append(errs, apperr.Invalidf("unit", "supervise.choose_the_unit"))
	case !strings.HasPrefix(d.UnitBody, a.BodyPath):
		errs = append(errs, apperr.Invalidf("unit", "supervise.the_unit_is_outside_your_body_2"))
	}
	if today := env.Calendar.Date(env.Now); d.Deadline <= today {
		errs = append(errs, apperr.Invalidf("deadline", "supervise.the_deadline_must_be_after_today"))
	} else if _, err := env.Calendar.IsWorkingDay(d.Deadline); err != nil {
		errs = append(errs, apperr.Invalidf("deadline", "supervise.the_deadline_is_beyond_the_calendar"))
	}
	if len(errs) > 0 {
		return Rectification{}, Change{}, fieldErrors(errs)
	}
	r := Rectification{BodyPath: a.BodyPath, Source: d.Source, Ref: d.Ref, Reporter: d.Reporter, Problem: d.Problem,
		Owner: d.Owner, Unit: d.Unit, UnitBody: d.UnitBody, Deadline: d.Deadline, CreatedBy: a.Staff, CreatedAt: env.Now, State: RectOpen,
		Progress: []Progress{}, Evidence: []string{}}
	if d.Source != FromExternal {
		r.Reporter = ""
	}
	if d.Source == FromCard && d.Card != nil {
		k := *d.Card
		r.Card = &k
	}
	ch := Change{Event: ChangeEvent{Action: "rectification.opened", At: env.Now, By: a.Staff, To: string(RectOpen), Text: r.Problem}}
	ch.Notices = r.tell("rectification.opened", env.Now, Recipient{Staff: r.Owner}, Recipient{Audience: ToUnitHead})
	return r, ch, nil
}

// Note is the owner (or someone of the unit, or a supervisor) adding a
// progress note.
func (r Rectification) Note(text string, env OrderEnv) (Rectification, Change, error) {
	if err := r.mayWork(env); err != nil {
		return r, Change{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return r, Change{}, apperr.Invalidf("text", "supervise.describe_the_progress")
	}
	r.Progress = append(slices.Clone(r.Progress), Progress{Text: text, By: env.Actor.Staff, At: env.Now})
	return r, Change{Event: ChangeEvent{Action: "rectification.progress", At: env.Now, By: env.Actor.Staff,
		From: string(RectOpen), To: string(RectOpen), Text: text}}, nil
}

// Close is the item closed (销号) with evidence: at least one document.
func (r Rectification) Close(evidence []string, note string, env OrderEnv) (Rectification, Change, error) {
	if err := r.mayWork(env); err != nil {
		return r, Change{}, err
	}
	files, err := fileNames("evidence", evidence)
	if err != nil {
		return r, Change{}, err
	}
	if len(files) == 0 {
		return r, Change{}, apperr.Invalidf("evidence", "supervise.closing_needs_evidence")
	}
	r.State, r.ClosedAt, r.ClosedBy, r.Evidence, r.Closing = RectClosed, env.Now, env.Actor.Staff, files, strings.TrimSpace(note)
	ch := Change{Event: ChangeEvent{Action: "rectification.closed", At: env.Now, By: env.Actor.Staff,
		From: string(RectOpen), To: string(RectClosed), Text: r.Closing, Files: files}}
	ch.Notices = r.tell("rectification.closed", env.Now, Recipient{Staff: r.CreatedBy}, Recipient{Audience: ToSupervision})
	if r.Card != nil {
		ch.Clear = []Cleared{{Key: *r.Card, At: env.Now}}
	}
	return r, ch, nil
}

func (r Rectification) mayWork(env OrderEnv) error {
	a := env.Actor
	if r.State != RectOpen {
		return apperr.Conflictf("supervise.the_rectification_item_is_closed")
	}
	ownUnit := a.Unit == r.Unit.Code && a.BodyPath == r.UnitBody
	supervising := slices.Contains(a.Roles, SupervisorRole) && strings.HasPrefix(r.BodyPath, a.BodyPath)
	if a.IsApplicant() || a.ID != r.Owner.ID && !ownUnit && !supervising {
		return apperr.Forbiddenf("supervise.only_the_owner_the_unit_or")
	}
	last := r.CreatedAt
	for _, p := range r.Progress {
		last = later(last, p.At)
	}
	if env.Now.Before(last) {
		return apperr.Invalidf("at", "supervise.the_time_is_before_the_item")
	}
	return nil
}

// Subject is the item's clock for rectification.red: from its creation to
// the end of its deadline (natural days, so a deadline on a rest day runs
// to the next working day, L11), finished when closed.
func (r Rectification) Subject(cal *calendar.Calendar) Subject {
	n := int(r.Deadline - cal.Date(r.CreatedAt))
	s := Subject{Object: r.object(), Watch: WatchRectification, BodyPath: r.BodyPath, Unit: r.Unit.Code, Person: r.Owner,
		Spec:   calendar.Spec{Statutory: calendar.Budget{N: max(n, 1), Unit: calendar.NaturalDays}},
		Events: []calendar.Event{{Kind: calendar.Start, At: r.CreatedAt}}}
	if !r.ClosedAt.IsZero() {
		s.Events = append(s.Events, calendar.Event{Kind: calendar.Finish, At: r.ClosedAt})
	}
	return s
}

func (r Rectification) object() Object {
	return Object{ObjectRectification, strconv.FormatInt(r.ID, 10)}
}

func (r Rectification) tell(action string, at time.Time, to ...Recipient) []Notice {
	var out []Notice
	for _, x := range to {
		switch {
		case !x.Staff.IsZero():
		case x.Audience == ToSupervision || x.Audience == ToLeader:
			x.BodyPath = r.BodyPath
		default:
			x.BodyPath, x.Unit = r.UnitBody, r.Unit.Code
		}
		out = append(out, Notice{To: x, Action: action, Object: r.object(), At: at,
			Title: Text{Zh: "整改:" + r.Problem, En: "Rectification: " + r.Problem}})
	}
	return out
}
