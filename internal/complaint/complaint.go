// Package complaint is the pure core of complaints (投诉, issue #17 items
// 1–5 and 7's tallies; DOMAIN.md P1–P9, O4): intake from five channels,
// acceptance or refusal, investigation with recusal, the handling clock and
// its one extension, the written answer, the review request, and the
// yearly tallies of verified complaints. It holds no database: every
// transition takes the complaint and returns it changed (or a bilingual
// error naming the field), and storage (complaintdb) carries it out in one
// audited write. Dates are the body's calendar dates (calendar.Date).
package complaint

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/notify"
)

// Channel is how a complaint came in (P1).
type Channel string

const (
	Phone    Channel = "phone"
	Letter   Channel = "letter" // the complaint box at the office
	Email    Channel = "email"
	InPerson Channel = "in_person"
	Online   Channel = "online"
)

// Channels in the order forms list them.
var Channels = []Channel{Online, Phone, Letter, Email, InPerson}

// In names the channel in lang.
func (c Channel) In(lang string) string { return msg.Name(lang, "complaint.channel", string(c)) }

// addsEvidenceLater: phone and letter complainants add evidence within 3
// working days (P1).
func (c Channel) addsEvidenceLater() bool { return c == Phone || c == Letter }

// Ground is what a complaint alleges: one of the seven grounds of P2.
type Ground string

const (
	UnlistedPower     Ground = "unlisted_power"
	CancelledPower    Ground = "cancelled_power"
	ServiceAsApproval Ground = "service_as_approval"
	NeedlessDocuments Ground = "needless_documents"
	NotAsListed       Ground = "not_as_listed"
	DutyNotFulfilled  Ground = "duty_not_fulfilled"
	OtherGround       Ground = "other"
)

// Grounds in P2's order.
var Grounds = []Ground{UnlistedPower, CancelledPower, ServiceAsApproval, NeedlessDocuments, NotAsListed, DutyNotFulfilled, OtherGround}

// In names the ground in lang.
func (g Ground) In(lang string) string { return msg.Name(lang, "complaint.ground", string(g)) }

// ParseGround reads a ground by its key or its Chinese name (P2).
func ParseGround(field, s string) (Ground, error) {
	s = strings.TrimSpace(s)
	for _, g := range Grounds {
		if s == string(g) || s == g.In("zh") {
			return g, nil
		}
	}
	if s == "" {
		return "", apperr.Invalidf(field, "complaint.choose_the_ground_of_the_complaint")
	}
	return "", apperr.Invalidf(field, "complaint.ground_is_not_one_of_the", s)
}

// ParseChannel reads a channel by its key.
func ParseChannel(field, s string) (Channel, error) {
	for _, c := range Channels {
		if s == string(c) {
			return c, nil
		}
	}
	return "", apperr.Invalidf(field, "complaint.channel_is_not_valid", s)
}

// TargetKind is what a complaint is about.
type TargetKind string

const (
	TargetUnit  TargetKind = "unit"
	TargetStaff TargetKind = "staff"
	TargetCase  TargetKind = "case"
	TargetItem  TargetKind = "item"
)

// Target is what a complaint names. Unit is the code of the complained
// unit in the complaint's body whatever the kind (a staff member's unit, a
// case's handling unit, an item's unit) when storage could find it: it is
// the unit whose staff are recused (P5) and who never see the complainant
// (O4). StaffID names a complained staff member.
type Target struct {
	Kind     TargetKind `json:"kind"`
	Unit     string     `json:"unit,omitempty"`
	UnitName string     `json:"unit_name,omitempty"`
	StaffID  int64      `json:"staff_id,omitempty"`
	Staff    string     `json:"staff,omitempty"` // the staff member's name
	Case     string     `json:"case,omitempty"`  // a case number
	Item     string     `json:"item,omitempty"`  // an item code
}

// Key identifies the target for the repeat rule (P3): the same key and
// ground is the same complaint again.
func (t Target) Key() string {
	switch t.Kind {
	case TargetStaff:
		return "staff:" + strconv.FormatInt(t.StaffID, 10)
	case TargetCase:
		return "case:" + t.Case
	case TargetItem:
		return "item:" + t.Item
	}
	return "unit:" + t.Unit
}

// In names the target in lang ("工作人员 张三（窗口）", "case …").
func (t Target) In(lang string) string {
	switch t.Kind {
	case TargetStaff:
		return msg.Text(lang, "complaint.target.staff", t.Staff, t.UnitName)
	case TargetCase:
		return msg.Text(lang, "complaint.target.case", t.Case)
	case TargetItem:
		return msg.Text(lang, "complaint.target.item", t.Item)
	}
	return msg.Text(lang, "complaint.target.unit", t.UnitName)
}

func (t Target) validate() error {
	switch t.Kind {
	case TargetUnit:
		if t.Unit == "" {
			return apperr.Invalidf("target.unit", "complaint.choose_the_unit_complained_about")
		}
	case TargetStaff:
		if t.StaffID == 0 && strings.TrimSpace(t.Staff) == "" {
			return apperr.Invalidf("target.staff", "complaint.choose_the_staff_member_complained_about")
		}
	case TargetCase:
		if t.Case == "" {
			return apperr.Invalidf("target.case", "complaint.give_the_number_of_the_case")
		}
	case TargetItem:
		if t.Item == "" {
			return apperr.Invalidf("target.item", "complaint.give_the_code_of_the_item")
		}
	case "":
		return apperr.Invalidf("target", "complaint.name_the_target_a_unit_a")
	default:
		return apperr.Invalidf("target.kind", "complaint.target_kind_is_not_valid", t.Kind)
	}
	return nil
}

// Complainant is who complains. Real names are encouraged, anonymity
// allowed (P1); the identity is seen by handlers only (O4).
type Complainant struct {
	Anonymous bool   `json:"anonymous,omitempty"`
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email,omitempty"`
	Address   string `json:"address,omitempty"`
}

// Evidence is one file the complainant gave: its name, size, type sniffed
// from its content, and SHA-256. The bytes are kept by storage.
type Evidence struct {
	Name   string    `json:"name"`
	Size   int64     `json:"size"`
	Type   string    `json:"type"`
	SHA256 string    `json:"sha256"`
	Added  time.Time `json:"added"`
}

// Limits on text; a complaint's facts are a page or two.
const (
	maxFacts     = 5000
	maxShortText = 200
	// MaxEvidenceFiles and MaxEvidenceBytes bound a complaint's files.
	MaxEvidenceFiles = 5
	MaxEvidenceBytes = 10 << 20
)

// CheckText refuses text that is not plain: too long, or carrying markup
// (a script in the facts is refused, not stored and escaped later).
// name is the message ID of what the field holds ("the name").
func CheckText(field, name, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return apperr.New(apperr.Invalid, field, "complaint.is_required", msg.M(name))
	}
	if utf8.RuneCountInString(s) > max {
		return apperr.New(apperr.Invalid, field, "complaint.must_not_exceed_characters", msg.M(name), max)
	}
	if hasMarkup(s) {
		return apperr.New(apperr.Invalid, field, "complaint.must_not_contain_markup_such_as", msg.M(name))
	}
	return nil
}

// hasMarkup: a '<' opening a tag, a comment or a closing tag.
func hasMarkup(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		c := s[i+1]
		if c == '/' || c == '!' || c == '?' || (c|0x20 >= 'a' && c|0x20 <= 'z') {
			return true
		}
	}
	return false
}

// ParsePhone checks a complainant's phone: a mainland mobile, or a fixed
// line of 7–12 digits with an optional area code and hyphen.
func ParsePhone(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if m, err := notify.ParseMobile(s); err == nil {
		return m, nil
	}
	digits, hyphens := 0, 0
	ok := s != ""
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-':
			hyphens++
		default:
			ok = false
		}
	}
	if ok && hyphens <= 1 && digits >= 7 && digits <= 12 && s[0] == '0' || ok && hyphens == 0 && digits >= 7 && digits <= 8 {
		return s, nil
	}
	return "", apperr.Invalidf(field, "complaint.phone_is_not_valid_give_a", s)
}

func (c *Complainant) normalise() error {
	c.Name, c.Email, c.Address = strings.TrimSpace(c.Name), strings.TrimSpace(c.Email), strings.TrimSpace(c.Address)
	if err := CheckText("complainant.name", "complaint.the_name", c.Name, 50, false); err != nil {
		return err
	}
	if err := CheckText("complainant.address", "complaint.the_address", c.Address, maxShortText, false); err != nil {
		return err
	}
	if err := CheckText("complainant.email", "complaint.the_e_mail_address", c.Email, maxShortText, false); err != nil {
		return err
	}
	if c.Email != "" && (!strings.Contains(c.Email, "@") || strings.ContainsAny(c.Email, " \t")) {
		return apperr.Invalidf("complainant.email", "complaint.e_mail_address_is_not_valid", c.Email)
	}
	if strings.TrimSpace(c.Phone) != "" {
		p, err := ParsePhone("complainant.phone", c.Phone)
		if err != nil {
			return err
		}
		c.Phone = p
	}
	if c.Anonymous {
		// An anonymous complaint keeps no name; a contact is optional.
		c.Name = ""
		return nil
	}
	if c.Name == "" {
		return apperr.Invalidf("complainant.name", "complaint.give_your_name_or_complain_anonymously")
	}
	if c.Phone == "" && c.Email == "" && c.Address == "" {
		return apperr.Invalidf("complainant.phone", "complaint.leave_a_phone_e_mail_or")
	}
	return nil
}

// dateOf is the body's calendar date of t.
func dateOf(cal *calendar.Calendar, t time.Time) calendar.Date { return cal.Date(t) }
