package complaint

import (
	"crypto/subtle"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/msg"
)

// Numbers: TS, then a case-style number (body code, year, sequence), so a
// complaint number never reads as a case number. Query codes and their
// hashes are casework's (V3): the hash covers the number, so a code is
// bound to its complaint.

// NumberOf formats a complaint number: TS330199-2026-000001.
func NumberOf(bodyCode string, year int, seq int64) string {
	return "TS" + casework.NumberOf(bodyCode, year, seq)
}

// ParseNumber checks a complaint number, naming field.
func ParseNumber(field, s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	rest, ok := strings.CutPrefix(s, "TS")
	if ok {
		if _, _, _, err := casework.ParseNumber(field, rest); err == nil {
			return s, nil
		}
	}
	return "", apperr.Invalidf(field, "complaint.complaint_number_is_not_valid_like", s)
}

// CheckQueryCode verifies the public's query code in constant time; a
// wrong code is the same NotFound as a number that does not exist.
func (c Complaint) CheckQueryCode(code string) error {
	want, got := []byte(c.QueryCodeHash), []byte(casework.QueryCodeHash(c.Number, code))
	if len(want) == 0 || subtle.ConstantTimeCompare(want, got) != 1 {
		return ErrNoSuchComplaint()
	}
	return nil
}

// ErrNoSuchComplaint: no complaint with this number (and code).
func ErrNoSuchComplaint() error {
	return apperr.NotFoundf("complaint.no_complaint_with_this_number_or")
}

// AnswerNumber is the written answer's document number: 青山投复〔2026〕0001号.
func AnswerNumber(prefix string, year int, seq int64) string {
	return fmt.Sprintf("%s投复〔%04d〕%04d号", prefix, year, seq)
}

// Redacted is the complaint without its complainant's identity: what
// everyone but its handlers sees (O4).
func (c Complaint) Redacted() Complaint {
	c.Complainant = Complainant{Anonymous: c.Complainant.Anonymous}
	return c
}

// Public is what the complainant reads with the query code, and what no
// one else reads: the progress and the answer, personal data masked (O4:
// a public page shows no identity even to the one who holds the code, as
// the page may be seen over a shoulder).
type Public struct {
	Number      string        `json:"number"`
	Status      Status        `json:"status"`
	StatusZh    string        `json:"status_zh"`
	StatusEn    string        `json:"status_en"`
	Ground      Ground        `json:"ground"`
	ReceivedAt  time.Time     `json:"received_at"`
	AcceptDue   calendar.Date `json:"accept_due"`
	AcceptedOn  calendar.Date `json:"accepted_on,omitzero"`
	Due         calendar.Date `json:"due,omitzero"`
	Extension   *Extension    `json:"extension,omitempty"`
	Refusal     RefusalReason `json:"refusal,omitempty"`
	RefusalText string        `json:"refusal_text,omitempty"`
	Answer      *Answer       `json:"answer,omitempty"`
	ReviewDue   calendar.Date `json:"review_due,omitzero"`
	ReviewAt    time.Time     `json:"review_at,omitzero"`
	EvidenceDue calendar.Date `json:"evidence_due,omitzero"`
	RepeatOf    string        `json:"repeat_of,omitempty"`
	// Evidence are the names of the files given so far.
	Evidence []string `json:"evidence,omitempty"`
}

// PublicView is c as its complainant reads it.
func (c Complaint) PublicView() Public {
	p := Public{Number: c.Number, Status: c.Status, StatusZh: c.Status.In("zh"), StatusEn: c.Status.In("en"), Ground: c.Ground, ReceivedAt: c.ReceivedAt,
		AcceptDue: c.AcceptDue, AcceptedOn: c.AcceptedOn, Due: c.Due, Refusal: c.Refusal,
		RefusalText: ident.MaskText(c.RefusalText), ReviewDue: c.ReviewDue, ReviewAt: c.ReviewAt, RepeatOf: c.RepeatOf}
	if c.Status == Received {
		p.EvidenceDue = c.EvidenceDue
	}
	for _, e := range c.Evidence {
		p.Evidence = append(p.Evidence, ident.MaskText(e.Name))
	}
	if c.Extension != nil {
		e := *c.Extension
		e.Reason, e.ApprovedBy = ident.MaskText(e.Reason), ""
		p.Extension = &e
	}
	if c.Answer != nil {
		a := *c.Answer
		a.Text, a.By = ident.MaskText(a.Text), ""
		p.Answer = &a
	}
	return p
}

// TallyEntry is one verified complaint for the tallies (P9): against a
// staff member, or against a window unit.
type TallyEntry struct {
	Year     int
	BodyID   int64 // a unit's code is unique within its body only
	StaffID  int64
	Staff    string
	Unit     string // the unit's code
	UnitName string
	Window   bool // the unit is a window (service counter)
}

// TallyRow is the count of verified complaints of one person or window in
// one year, with its consequence (P9) when it reached the threshold.
type TallyRow struct {
	Year          int    `json:"year"`
	Kind          string `json:"kind"` // "staff" or "window"
	StaffID       int64  `json:"staff_id,omitempty"`
	Name          string `json:"name"`
	Unit          string `json:"unit"`
	Count         int    `json:"count"`
	ConsequenceZh string `json:"consequence_zh,omitempty"`
	ConsequenceEn string `json:"consequence_en,omitempty"`
}

// Tally counts verified complaints per staff member and per window per
// year (P9). A staff member with three or more is barred from an
// "excellent" rating; a window with three or more has its head interviewed
// or its staff replaced. Rows come most complaints first.
func Tally(entries []TallyEntry, r Rules) []TallyRow {
	idx := map[string]int{}
	var rows []TallyRow
	add := func(key string, row TallyRow) {
		i, ok := idx[key]
		if !ok {
			i = len(rows)
			idx[key] = i
			rows = append(rows, row)
		}
		rows[i].Count++
	}
	for _, e := range entries {
		if e.StaffID != 0 {
			add("s"+strconv.Itoa(e.Year)+"/"+strconv.FormatInt(e.StaffID, 10),
				TallyRow{Year: e.Year, Kind: "staff", StaffID: e.StaffID, Name: e.Staff, Unit: e.UnitName})
		}
		if e.Window && e.Unit != "" {
			add("w"+strconv.Itoa(e.Year)+"/"+strconv.FormatInt(e.BodyID, 10)+"/"+e.Unit, TallyRow{Year: e.Year, Kind: "window", Name: e.UnitName, Unit: e.Unit})
		}
	}
	for i := range rows {
		if rows[i].Count < r.BarredFromAwardAt {
			continue
		}
		if rows[i].Kind == "staff" {
			rows[i].ConsequenceZh, rows[i].ConsequenceEn = msg.Text("zh", "complaint.consequence.staff"), msg.Text("en", "complaint.consequence.staff")
		} else {
			rows[i].ConsequenceZh, rows[i].ConsequenceEn = msg.Text("zh", "complaint.consequence.window"), msg.Text("en", "complaint.consequence.window")
		}
	}
	slices.SortStableFunc(rows, func(a, b TallyRow) int {
		if a.Year != b.Year {
			return b.Year - a.Year
		}
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Kind+a.Name, b.Kind+b.Name)
	})
	return rows
}
