package supervise

import (
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
)

// ObjectType is the kind of thing a card is about.
type ObjectType string

const (
	ObjectCase          ObjectType = "case"          // a case, by number
	ObjectStep          ObjectType = "step"          // one visit of a case to a step: number/step/#event
	ObjectItem          ObjectType = "item"          // a list item, by code
	ObjectUnit          ObjectType = "unit"          // a unit, by body path and code
	ObjectOrder         ObjectType = "order"         // a supervision order, by id
	ObjectRectification ObjectType = "rectification" // a rectification item, by id
)

// Object names what a card is about.
type Object struct {
	Type ObjectType `json:"type"`
	ID   string     `json:"id"`
}

func (o Object) String() string { return string(o.Type) + ":" + o.ID }

// Key is a card's identity in the ledger: each (object, rule, level)
// fires once, however often or late the sweep runs and however many
// instances run it. Storage keeps String() under a unique index.
type Key struct {
	Object Object `json:"object"`
	Rule   string `json:"rule"`
	Level  Level  `json:"level"`
}

func (k Key) String() string { return k.Object.String() + "|" + k.Rule + "|" + string(k.Level) }

// Card is a yellow or red card (or a reminder): which rule, at which
// version, fired on which object at which instant — the rule's instant,
// even when the sweep that found it ran later (RaisedAt) — who answers for
// it, and when its cause was fixed.
type Card struct {
	Key
	// RuleRegion and RuleVersion are the set that put the rule in force.
	RuleRegion  string `json:"rule_region"`
	RuleVersion int    `json:"rule_version"`
	Name        Text   `json:"name"` // the rule's
	Watch       Watch  `json:"watch"`
	// At is the rule's instant; RaisedAt when the card was raised.
	At       time.Time `json:"at"`
	RaisedAt time.Time `json:"raised_at"`
	// BodyPath is the body whose supervisors see the card (O1); Case the
	// case's number when the object is a case or one of its steps.
	BodyPath string         `json:"body_path"`
	Case     string         `json:"case,omitempty"`
	Unit     string         `json:"unit,omitempty"` // the responsible unit's code
	Person   casework.Staff `json:"person,omitzero"`
	// Detail says what broke the rule (the steps skipped, the role acted
	// in, the item's standing …).
	Detail string     `json:"detail,omitempty"`
	Notify []Audience `json:"notify"`
	// Cleared is when the cause was fixed (the clock finished, the order
	// answered) or a supervisor cleared it; the card stays in the history.
	Cleared     time.Time      `json:"cleared,omitzero"`
	ClearedBy   casework.Staff `json:"cleared_by,omitzero"`
	ClearReason string         `json:"clear_reason,omitempty"`
}

// Open reports whether the card is not cleared.
func (c Card) Open() bool { return c.Cleared.IsZero() }

// Tells reports whether the card tells a.
func (c Card) Tells(a Audience) bool { return slices.Contains(c.Notify, a) }

// Clear is a supervisor clearing a card by hand: a structure card whose
// cause a person judged fixed. A reason is required; a card cleared
// already, or a clearing dated before the card, is refused.
func (c Card) Clear(by casework.Staff, at time.Time, reason string) (Card, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case !c.Open():
		return c, apperr.Conflictf("supervise.the_card_was_cleared_at", c.Cleared.Format("2006-01-02 15:04"))
	case reason == "":
		return c, apperr.Invalidf("reason", "supervise.clearing_a_card_needs_a_reason")
	case by.IsZero():
		return c, apperr.Invalidf("by", "supervise.a_card_is_cleared_by_a")
	case at.Before(c.At):
		return c, apperr.Invalidf("at", "supervise.the_clearing_is_dated_before_the")
	}
	c.Cleared, c.ClearedBy, c.ClearReason = at, by, reason
	return c, nil
}

// Cleared names a card whose cause was fixed, and when.
type Cleared struct {
	Key Key       `json:"key"`
	At  time.Time `json:"at"`
}

// Ledger is the cards raised, by key: what storage keeps in a table with
// the key unique, and the simulator in memory.
type Ledger map[Key]Card

// Raise adds the cards whose key is new and returns them; a key already
// in the ledger, open or cleared, does not fire again.
func (l Ledger) Raise(cards ...Card) []Card {
	var out []Card
	for _, c := range cards {
		if _, ok := l[c.Key]; ok {
			continue
		}
		l[c.Key] = c
		out = append(out, c)
	}
	return out
}

// ClearAt marks the cards named cleared at their instants (when still
// open) and returns them.
func (l Ledger) ClearAt(cl ...Cleared) []Card {
	var out []Card
	for _, x := range cl {
		c, ok := l[x.Key]
		if !ok || !c.Open() {
			continue
		}
		c.Cleared, c.ClearReason = x.At, "cause fixed"
		l[x.Key] = c
		out = append(out, c)
	}
	return out
}

// Of lists the cards on object o, by key.
func (l Ledger) Of(o Object) []Card {
	var out []Card
	for k, c := range l {
		if k.Object == o {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Card) int { return strings.Compare(a.Key.String(), b.Key.String()) })
	return out
}
