// Package rating is the good/bad evaluation of finished services (好差评,
// L8) without storage: the five levels, who may rate which case and when
// (once per matter; at a window device one rating per visit), the callback
// a bad rating opens for the responsible unit (call back, verify, rectify
// within 15 working days by default, close with evidence), the unit's
// appeal against a mistaken or malicious rating and the supervisor's
// decision (an upheld appeal removes the rating from the statistics), and
// the published tallies per unit and item. Storage is ratingdb's; every
// function here returns the new state for it to save in one audited write.
package rating

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/msg"
)

// Level is one of L8's five levels, scored like stars: 5 is very
// satisfied, 1 very dissatisfied.
type Level int

const (
	VeryDissatisfied   Level = 1 // 非常不满意 (bad)
	Dissatisfied       Level = 2 // 不满意 (bad)
	BasicallySatisfied Level = 3 // 基本满意
	Satisfied          Level = 4 // 满意
	VerySatisfied      Level = 5 // 非常满意
)

// Levels lists the levels as a form offers them, best first.
var Levels = []Level{VerySatisfied, Satisfied, BasicallySatisfied, Dissatisfied, VeryDissatisfied}

var levelKeys = map[Level]string{VerySatisfied: "very_satisfied", Satisfied: "satisfied",
	BasicallySatisfied: "basically_satisfied", Dissatisfied: "dissatisfied", VeryDissatisfied: "very_dissatisfied"}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { _, ok := levelKeys[l]; return ok }

// Bad reports whether l is a bad review (差评): the last two levels (L8).
func (l Level) Bad() bool { return l.Valid() && l <= Dissatisfied }

// Key is the level's stable English key ("very_satisfied").
func (l Level) Key() string { return levelKeys[l] }

// In is the level's name in lang ("en" or Chinese).
func (l Level) In(lang string) string {
	if !l.Valid() {
		return ""
	}
	return msg.Name(lang, "rating.level", l.Key())
}

// ParseLevel reads a level from a form or a scenario: its score 1–5, its
// Chinese name or its English key. Errors name field.
func ParseLevel(field, s string) (Level, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if l := Level(n); l.Valid() {
			return l, nil
		}
	}
	for l, key := range levelKeys {
		if s == key || s == l.In("zh") {
			return l, nil
		}
	}
	return 0, apperr.Invalidf(field, "rating.the_level_must_be_1_5")
}

// Channel is where the rating was given (L8: one per visit on site, one
// per matter online).
type Channel string

const (
	Portal Channel = "portal" // the case's public page, with number and query code
	Link   Channel = "link"   // the secret link in the completion message
	Kiosk  Channel = "kiosk"  // the rating device at the window
)

// MaxComment bounds a rating's comment, in characters.
const MaxComment = 500

// Unit names the unit a rating concerns.
type Unit struct {
	Code string `json:"code" mask:"keep"`
	Name string `json:"name"`
}

// Item names the item a rated case ran under.
type Item struct {
	Code string `json:"code" mask:"keep"`
	Name string `json:"name"`
}

// Facts are what a rating needs of the rated case.
type Facts struct {
	Number      string
	Status      flow.Status
	BodyID      int64
	BodyPath    string
	Unit        Unit // the unit that handled it: it answers for the rating
	Item        Item
	CompletedAt time.Time
	Undisclosed bool // a minor's, secret or private case (H12, L7)
}

// FactsOf reads the facts of a case.
func FactsOf(c casework.Case) Facts {
	f := Facts{Number: c.Number, Status: c.Status, BodyID: c.Body.ID, BodyPath: c.Body.Path,
		Unit: Unit{Code: c.Unit.Code, Name: c.Unit.Name}, Item: Item{Code: c.Item.Code, Name: c.Item.Name},
		Undisclosed: c.Undisclosed()}
	if c.Completion != nil {
		f.CompletedAt = c.Completion.At
	}
	return f
}

// Status says whether a rating counts in the statistics.
type Status string

const (
	Counted Status = "counted"
	Removed Status = "removed" // an appeal against it was upheld
)

// Rating is one evaluation of one case.
type Rating struct {
	ID       int64     `json:"id"`
	Version  int       `json:"version"`
	Case     string    `json:"case" mask:"keep"`
	BodyID   int64     `json:"body_id"`
	BodyPath string    `json:"body_path" mask:"keep"`
	Unit     Unit      `json:"unit"`
	Item     Item      `json:"item"`
	Level    Level     `json:"level"`
	Comment  string    `json:"comment,omitempty"`
	Channel  Channel   `json:"channel"`
	KioskID  int64     `json:"kiosk_id,omitempty"`
	At       time.Time `json:"at"`
	Status   Status    `json:"status"`
	Callback *Callback `json:"callback,omitempty"`
	Appeal   *Appeal   `json:"appeal,omitempty"`
}

// Rate is the rating of a case with the facts f at level, with comment,
// given through ch at now. A case that has not completed is refused, as is
// a bad level or an over-long comment; a bad rating opens its callback,
// due at callbackDue (the caller counts the body's working days).
// A second rating of the same matter is the caller's to refuse (it sees
// the stored ones): ErrRated.
func Rate(f Facts, level Level, comment string, ch Channel, now, callbackDue time.Time) (Rating, error) {
	if f.Status != flow.Completed {
		return Rating{}, apperr.New(apperr.Conflict, "case", "rating.the_case_has_not_completed_it")
	}
	if !level.Valid() {
		return Rating{}, apperr.Invalidf("level", "rating.choose_a_level")
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxComment {
		return Rating{}, apperr.Invalidf("comment", "rating.the_comment_must_be_at_most", MaxComment)
	}
	if level.Bad() && comment == "" {
		return Rating{}, apperr.Invalidf("comment", "rating.a_bad_rating_needs_a_reason")
	}
	r := Rating{Case: f.Number, BodyID: f.BodyID, BodyPath: f.BodyPath, Unit: f.Unit, Item: f.Item, Level: level,
		Comment: comment, Channel: ch, At: now, Status: Counted}
	if level.Bad() {
		r.Callback = &Callback{State: CallbackOpen, Due: callbackDue}
	}
	return r, nil
}

// ErrRated is the refusal of a second rating of one matter (L8).
func ErrRated(number string) error {
	return apperr.New(apperr.Conflict, "case", "rating.case_has_been_rated_already_each", number)
}

// CallbackDays is L8's default time to call back, verify and rectify, in
// working days.
const CallbackDays = 15

// Public is the rating as a public page shows it: the comment masked (L7,
// O4) and nothing of the callback or appeal.
type Public struct {
	Level   Level     `json:"level"`
	Comment string    `json:"comment,omitempty"`
	Unit    Unit      `json:"unit"`
	Item    Item      `json:"item"`
	At      time.Time `json:"at"`
}

// PublicOf is r as the public sees it.
func PublicOf(r Rating) Public {
	p := Public{Level: r.Level, Comment: r.Comment, Unit: r.Unit, Item: r.Item, At: r.At}
	ident.MaskFields(&p)
	return p
}

// Visit is L8's "one rating per visit" at a window device: the case must
// belong to the kiosk's body and have completed on the day the applicant
// stands at the counter (in the body's calendar).
func Visit(f Facts, kioskBody int64, cal *calendar.Calendar, now time.Time) error {
	if f.BodyID != kioskBody || f.CompletedAt.IsZero() || cal.Date(f.CompletedAt) != cal.Date(now) {
		return apperr.New(apperr.Conflict, "case", "rating.the_window_device_rates_cases_completed")
	}
	return nil
}
