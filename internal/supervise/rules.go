package supervise

import (
	"slices"

	"github.com/qingdan/qingdan/internal/calendar"
)

// Level is how grave a card is (S5, L10): a reminder, a yellow card (due
// soon), a red card (overdue or a breach).
type Level string

const (
	Reminder Level = "reminder" // 提醒
	Yellow   Level = "yellow"   // 黄牌
	Red      Level = "red"      // 红牌
)

var levels = []Level{Reminder, Yellow, Red}

// Watch is what a rule watches. A time watch follows a clock (a limit that
// falls due); an event watch looks at each committed case event.
type Watch string

// Time watches. Those marked "own limit" time an object whose limit is its
// own (the case's, the step's, the order's …); the others take the limit
// from the rule (Rule.Limit).
const (
	WatchCase          Watch = "case"          // the case's limit in force (L10); own limit
	WatchStep          Watch = "step"          // a step's own limit (L10); own limit
	WatchSpecial       Watch = "special"       // a special procedure over its approved length (L4); own limit
	WatchOrder         Watch = "order"         // a supervision order unanswered past its deadline (S4, L10); own limit
	WatchEscalation    Watch = "escalation"    // a case still open when an order on it falls due (L10); own limit
	WatchRectification Watch = "rectification" // a rectification item past its deadline (S8); own limit
	WatchHandOver      Watch = "hand_over"     // H5: from acceptance to the hand-over
	WatchNotify        Watch = "notify"        // H7: from completion to the applicant told
	WatchListReview    Watch = "list_review"   // C6: an upper-level list change to review
	WatchPublication   Watch = "publication"   // C8: a document or item to publish
)

// Event watches.
const (
	WatchStanding   Watch = "standing"          // C4: a case opened or accepted under an item not listed at that instant
	WatchSkipped    Watch = "skipped_step"      // S5: a move that went round a mandatory step
	WatchRole       Watch = "role"              // S5: an action by someone without the role the flow names
	WatchSupplement Watch = "supplement_rounds" // H3: the Rounds-th supplementation round
	WatchTransfer   Watch = "transfer"          // H6: a transfer later than the rule's limit after acceptance
)

// watchInfo says what kind of watch each is.
type watchInfo struct {
	time     bool // a time watch (else an event watch)
	ownLimit bool // the object carries its limit (else the rule's Limit)
	object   ObjectType
}

var watches = map[Watch]watchInfo{
	WatchCase:          {time: true, ownLimit: true, object: ObjectCase},
	WatchStep:          {time: true, ownLimit: true, object: ObjectStep},
	WatchSpecial:       {time: true, ownLimit: true, object: ObjectStep},
	WatchOrder:         {time: true, ownLimit: true, object: ObjectOrder},
	WatchEscalation:    {time: true, ownLimit: true, object: ObjectCase},
	WatchRectification: {time: true, ownLimit: true, object: ObjectRectification},
	WatchHandOver:      {time: true, object: ObjectCase},
	WatchNotify:        {time: true, object: ObjectCase},
	WatchListReview:    {time: true, object: ObjectItem},
	WatchPublication:   {time: true, object: ObjectItem},
	WatchStanding:      {object: ObjectCase},
	WatchSkipped:       {object: ObjectCase},
	WatchRole:          {object: ObjectCase},
	WatchSupplement:    {object: ObjectCase},
	WatchTransfer:      {object: ObjectCase},

	WatchComplaintAcceptance: {time: true, ownLimit: true, object: ObjectComplaint},
	WatchComplaint:           {time: true, ownLimit: true, object: ObjectComplaint},
	WatchCallback:            {time: true, ownLimit: true, object: ObjectCallback},
}

// Watches lists every watch, time watches first, in a fixed order.
func Watches() []Watch {
	return []Watch{WatchCase, WatchStep, WatchSpecial, WatchOrder, WatchEscalation, WatchRectification,
		WatchHandOver, WatchNotify, WatchListReview, WatchPublication, WatchComplaintAcceptance, WatchComplaint, WatchCallback,
		WatchStanding, WatchSkipped, WatchRole, WatchSupplement, WatchTransfer}
}

// IsTime reports whether w follows a clock.
func (w Watch) IsTime() bool { return watches[w].time }

// Audience is who a card tells, resolved to people by storage.
type Audience string

const (
	ToResponsible Audience = "responsible" // the responsible person (else the unit)
	ToUnit        Audience = "unit"        // the responsible unit's inbox
	ToUnitHead    Audience = "unit_head"   // the responsible unit's head
	ToSupervision Audience = "supervision" // the body's supervision office (S4)
	ToLeader      Audience = "leader"      // the body's leaders
)

var audiences = []Audience{ToResponsible, ToUnit, ToUnitHead, ToSupervision, ToLeader}

// When is a time rule's threshold, one of three forms (L10: regions set
// their own): Before, from 00:00 body-local of the N-th last working day of
// the limit (N 1: its last working day; natural days count back in days;
// hours: N hours before it falls due); After, N units after it fell due (N
// 0: the start of the first day after the limit, for days; the instant it
// fell due, for hours); Share, once that share of the time has elapsed.
type When struct {
	Before *calendar.Budget `json:"before,omitempty"`
	After  *calendar.Budget `json:"after,omitempty"`
	Share  float64          `json:"share,omitempty"`
}

// Rule is one e-supervision rule (S5), data not code: what it watches, when
// it fires, how grave, and whom it tells. Rules with one id replace each
// other down the body tree (Merge).
type Rule struct {
	ID   string `json:"id"`
	Name Text   `json:"name,omitzero"`
	// Watch is what the rule watches; Of narrows a publication watch to
	// one kind of thing published (C8: normative_document, service_item).
	Watch Watch  `json:"watch,omitempty"`
	Of    string `json:"of,omitempty"`
	Level Level  `json:"level,omitempty"`
	// Limit is the limit a watch without its own runs against (H5, H6,
	// H7, C6, C8); none for the others.
	Limit calendar.Budget `json:"limit,omitzero"`
	// When: time rules only. Embedded, so that a rule set marshalled to
	// JSON is itself a rule file (before, after, share beside the rest).
	When
	// Rounds: supplement_rounds only, the round that fires (H3: 3).
	Rounds int        `json:"rounds,omitempty"`
	Notify []Audience `json:"notify,omitempty"`
	// Off switches an inherited rule off at this level and below.
	Off bool `json:"off,omitempty"`
}

// Text is a name in Chinese and English.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en,omitempty"`
}

// In is the text in lang ("en", else Chinese; Chinese when there is no
// English).
func (t Text) In(lang string) string {
	if lang == "en" && t.En != "" {
		return t.En
	}
	return t.Zh
}

// Tells reports whether the rule tells a.
func (r Rule) Tells(a Audience) bool { return slices.Contains(r.Notify, a) }

// RuleSet is the rules one region (a body: its division code) sets, at one
// version. Storage keeps each body's set, audits every change and bumps
// the version; the card records the version of the rule that raised it.
type RuleSet struct {
	// Region is the body's division code; "" in a file applies where the
	// file is put (a scenario's own rules, an upload for one body).
	Region  string `json:"region,omitempty"`
	Version int    `json:"version"`
	Rules   []Rule `json:"rules"`
}

// InForce is a rule in force at a body, with the region and version of
// the set that made it so.
type InForce struct {
	Rule
	Region  string `json:"region"`
	Version int    `json:"version"`
}

// Set is the rules in force at a body, in the order they were first
// defined down the chain.
type Set []InForce

// Merge is the rules in force at a body, given the chain of rule sets from
// the root's to the body's own (a body without a set of its own is left
// out of the chain): each set adds its rules, replaces whole an inherited
// rule of the same id, and switches off those it marks off. It is pure, so
// storage, the sweep and the simulator agree on what is in force.
func Merge(chain ...RuleSet) Set {
	var out Set
	for _, rs := range chain {
		for _, r := range rs.Rules {
			i := slices.IndexFunc(out, func(f InForce) bool { return f.ID == r.ID })
			switch {
			case r.Off && i >= 0:
				out = slices.Delete(out, i, i+1)
			case r.Off:
				// Off for a rule not inherited: nothing to switch off
				// (the level above may have dropped it already).
			case i >= 0:
				out[i] = InForce{Rule: r, Region: rs.Region, Version: rs.Version}
			default:
				out = append(out, InForce{Rule: r, Region: rs.Region, Version: rs.Version})
			}
		}
	}
	return out
}

// Rule finds the rule in force with id.
func (s Set) Rule(id string) (InForce, bool) {
	i := slices.IndexFunc(s, func(f InForce) bool { return f.ID == id })
	if i < 0 {
		return InForce{}, false
	}
	return s[i], true
}

// watching lists the rules in force on w.
func (s Set) watching(w Watch) []InForce {
	var out []InForce
	for _, r := range s {
		if r.Watch == w {
			out = append(out, r)
		}
	}
	return out
}
