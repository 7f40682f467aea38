package rating

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// CallbackState is where a bad rating's callback (回访整改) stands.
type CallbackState string

const (
	CallbackOpen      CallbackState = "open"      // waiting for the call
	CallbackCalled    CallbackState = "called"    // the applicant was called back
	CallbackVerified  CallbackState = "verified"  // the facts were checked
	CallbackClosed    CallbackState = "closed"    // rectified, with evidence
	CallbackWithdrawn CallbackState = "withdrawn" // the rating was removed on appeal
)

// CallbackStates lists the states in order.
var CallbackStates = []CallbackState{CallbackOpen, CallbackCalled, CallbackVerified, CallbackClosed, CallbackWithdrawn}

// Staff names who acted.
type Staff struct {
	ID    int64  `json:"id"`
	Login string `json:"login" mask:"keep"`
	Name  string `json:"name"`
}

// Note is one step of a callback or an appeal: who, when, what.
type Note struct {
	At   time.Time `json:"at"`
	By   Staff     `json:"by"`
	Text string    `json:"text"`
}

// Callback is the task a bad rating opens for the responsible unit (L8):
// call the applicant back, verify the facts, rectify by Due and close with
// the evidence of it.
type Callback struct {
	State CallbackState `json:"state"`
	Due   time.Time     `json:"due"` // the end of the last working day allowed
	Call  *Note         `json:"call,omitempty"`
	// Verified: the finding, and whether the complaint in the rating was
	// founded.
	Verified *Note `json:"verified,omitempty"`
	Founded  bool  `json:"founded,omitempty"`
	// Closed: the rectification, and its evidence.
	Closed   *Note  `json:"closed,omitempty"`
	Evidence string `json:"evidence,omitempty"`
	Late     bool   `json:"late,omitempty"` // closed after Due
}

// Overdue reports whether the callback is still open after its due time.
func (c *Callback) Overdue(now time.Time) bool {
	return c != nil && c.State != CallbackClosed && c.State != CallbackWithdrawn && now.After(c.Due)
}

// Step is one callback step as staff enter it.
type Step struct {
	Action   string // call, verify or close
	Text     string // what the applicant said; the finding; the rectification
	Founded  bool   // verify: the rating's complaint was founded
	Evidence string // close: what proves the rectification
}

// MaxNote bounds a step's texts, in characters.
const MaxNote = 2000

func text(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", apperr.Invalidf(field, "rating.must_not_be_empty")
	}
	if utf8.RuneCountInString(s) > MaxNote {
		return "", apperr.Invalidf(field, "rating.must_be_at_most_characters", MaxNote)
	}
	return s, nil
}

// Advance takes r's callback one step, by who at now: call (the call
// back), verify (the finding), close (the rectification and its evidence).
// Steps go in that order; a closed callback takes none.
func Advance(r Rating, who Staff, s Step, now time.Time) (Rating, error) {
	if r.Callback == nil {
		return r, apperr.New(apperr.Conflict, "action", "rating.only_a_bad_rating_has_a")
	}
	cb := *r.Callback
	want := map[string]CallbackState{"call": CallbackOpen, "verify": CallbackCalled, "close": CallbackVerified}
	from, ok := want[s.Action]
	if !ok {
		return r, apperr.Invalidf("action", "rating.unknown_callback_step_call_verify_or", clip(s.Action))
	}
	if cb.State != from {
		return r, apperr.New(apperr.Conflict, "action", "rating.the_callback_is_this_step_does", cb.State,
			string(cb.State))
	}
	t, err := text("text", s.Text, true)
	if err != nil {
		return r, err
	}
	n := &Note{At: now, By: who, Text: t}
	switch s.Action {
	case "call":
		cb.Call, cb.State = n, CallbackCalled
	case "verify":
		cb.Verified, cb.Founded, cb.State = n, s.Founded, CallbackVerified
	case "close":
		ev, err := text("evidence", s.Evidence, true)
		if err != nil {
			return r, err
		}
		cb.Closed, cb.Evidence, cb.State, cb.Late = n, ev, CallbackClosed, now.After(cb.Due)
	}
	r.Callback = &cb
	return r, nil
}

// In names the state in lang (in English by its code name).
func (s CallbackState) In(lang string) string { return msg.Name(lang, "rating.callback", string(s)) }

func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// AppealKind is why a unit appeals a rating (L8: mistaken or malicious).
type AppealKind string

const (
	Mistaken  AppealKind = "mistaken"  // 误评: the rating is not about this service
	Malicious AppealKind = "malicious" // 恶意评价
)

// Appeal is a unit's appeal against a rating and the supervisor's decision.
type Appeal struct {
	Kind     AppealKind `json:"kind"`
	Filed    Note       `json:"filed"`
	Decided  *Note      `json:"decided,omitempty"`
	Upheld   bool       `json:"upheld,omitempty"`
	Rejected bool       `json:"rejected,omitempty"`
}

// Pending reports whether the appeal waits for its decision.
func (a *Appeal) Pending() bool { return a != nil && a.Decided == nil }

// FileAppeal is the responsible unit's appeal against r: one per rating.
func FileAppeal(r Rating, who Staff, kind AppealKind, reason string, now time.Time) (Rating, error) {
	if kind != Mistaken && kind != Malicious {
		return r, apperr.Invalidf("kind", "rating.the_appeal_must_be_mistaken_or")
	}
	if r.Appeal != nil {
		return r, apperr.New(apperr.Conflict, "kind", "rating.this_rating_has_been_appealed_already")
	}
	t, err := text("reason", reason, true)
	if err != nil {
		return r, err
	}
	r.Appeal = &Appeal{Kind: kind, Filed: Note{At: now, By: who, Text: t}}
	return r, nil
}

// DecideAppeal is the supervisor's decision on r's appeal: upheld removes
// the rating from the statistics and withdraws its open callback.
func DecideAppeal(r Rating, who Staff, upheld bool, opinion string, now time.Time) (Rating, error) {
	if !r.Appeal.Pending() {
		return r, apperr.New(apperr.Conflict, "decision", "rating.there_is_no_appeal_waiting_for")
	}
	t, err := text("opinion", opinion, true)
	if err != nil {
		return r, err
	}
	a := *r.Appeal
	a.Decided, a.Upheld, a.Rejected = &Note{At: now, By: who, Text: t}, upheld, !upheld
	r.Appeal = &a
	if upheld {
		r.Status = Removed
		if r.Callback != nil && r.Callback.State != CallbackClosed {
			cb := *r.Callback
			cb.State = CallbackWithdrawn
			r.Callback = &cb
		}
	}
	return r, nil
}
