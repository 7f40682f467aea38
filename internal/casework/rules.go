package casework

import (
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// Rules are the numbers the national rules fix, configurable per region and
// item (DOMAIN.md's L section); DefaultRules has the national defaults.
type Rules struct {
	// NoticeDays (L2): an incomplete application must be answered with a
	// supplementation notice within this many working days of receipt, or
	// it counts as accepted on the day the materials were received.
	NoticeDays int
	// FlagRound (H3): the supplementation round that is flagged (third).
	FlagRound int
	// TransferDays (H6): a transfer to the right unit within this many
	// working days of acceptance (registration, 登记并出具受理通知书).
	TransferDays int
	// HandOverDays (H5): the hand-over to the unit the same day, the next
	// working day at the latest.
	HandOverDays int
	// NotifyDays (H7): the applicant notified on the completion day or
	// within this many working days after it.
	NotifyDays int
	// MaxExtension (L3): the most an extension may add, in the limit's
	// units; JointMaxExtension for a joint flow (one with steps at the
	// level above: 联合办理, 45 + 15).
	MaxExtension      int
	JointMaxExtension int
	// DueSoonUnits (L10): due soon once this many units remain, the
	// current one included (yellow from the start of the last working day).
	DueSoonUnits int
	// WindowRole is the role whose steps belong to the first responder
	// (H6, H13).
	WindowRole string
	// OnlineStars (C11): the least star level an item needs to be applied
	// for online.
	OnlineStars int
}

// DefaultRules are the national defaults of DOMAIN.md.
func DefaultRules() Rules {
	return Rules{NoticeDays: 5, FlagRound: 3, TransferDays: 1, HandOverDays: 1, NotifyDays: 1,
		MaxExtension: 10, JointMaxExtension: 15, DueSoonUnits: 1, WindowRole: "window", OnlineStars: 3}
}

// Validate checks rules a region configured: every count a whole number
// in its range, the window's role named.
func (r Rules) Validate() error {
	for _, c := range []struct {
		field  string
		v, min int
	}{{"notice_days", r.NoticeDays, 1}, {"flag_round", r.FlagRound, 1}, {"transfer_days", r.TransferDays, 0},
		{"hand_over_days", r.HandOverDays, 0}, {"notify_days", r.NotifyDays, 0}, {"max_extension", r.MaxExtension, 0},
		{"joint_max_extension", r.JointMaxExtension, 0}, {"due_soon_units", r.DueSoonUnits, 0}, {"online_stars", r.OnlineStars, 1}} {
		if c.v < c.min || c.v > 1000 || c.field == "online_stars" && c.v > 5 {
			return errRule(c.field)
		}
	}
	if r.WindowRole == "" {
		return errRule("window_role")
	}
	return nil
}

// Standing is what the list says about the item at the instant of an
// action (C4), as catalog's Standing: only a listed item may have cases.
type Standing string

const (
	Listed    Standing = "listed"
	Suspended Standing = "suspended"
	Cancelled Standing = "cancelled"
	Unlisted  Standing = "unknown" // never published, or not yet at that instant
)

// Actor is who takes an action: a staff member with roles in a body and a
// unit, or the applicant (ApplicantActor), whom the public adapter has
// identified by number and query code.
type Actor struct {
	Staff
	Roles    []string
	BodyPath string
	Unit     string // the unit's code
	// Backup is the actor's named A/B backup (H13), from the organisation:
	// it becomes the case's backup when the actor becomes its first
	// responder.
	Backup Staff
}

// ApplicantActor is the applicant acting on the public side.
func ApplicantActor() Actor { return Actor{Roles: []string{flow.Applicant}} }

// IsApplicant reports whether the actor is the applicant, not staff.
func (a Actor) IsApplicant() bool { return a.ID == 0 }

// System is who acts for a periodic job (deemed acceptance, L2).
var System = Staff{Login: "system", Name: "系统"}

// Env is what an action is judged against besides the case.
type Env struct {
	Now      time.Time
	Calendar *calendar.Calendar // the body's calendar
	Flow     *flow.Flow         // the flow version the case runs on
	Actor    Actor
	// Standing is the item's standing at Now (C4: catalog's StandingAt);
	// Open and accept refuse anything but Listed.
	Standing Standing
	// OwnerAway: the first responder is marked away at Now, so the backup
	// may act (H13).
	OwnerAway bool
	// Rules: the zero value for DefaultRules; otherwise complete and valid.
	Rules Rules
}
