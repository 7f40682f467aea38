package document

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/ident"
)

// Data is what a template can print: each exported field of type string
// or []string is a template field of the same name ({{.Applicant}},
// {{range .Materials}}). Values are text as it is to be read, formatted
// in the document's language (FromCase does that); templates only place
// them. Codes, numbers and the URL are tagged mask:"keep": masking (L7)
// leaves them whole.
type Data struct {
	Number      string   `mask:"keep"` // this document's number (Number.String)
	Body        string   // the issuing body's full name
	Case        string   `mask:"keep"` // the case number
	Item        string   // the item's name
	ItemCode    string   `mask:"keep"`
	Applicant   string   // the applicant's name
	ApplicantID string   // resident ID (V1) or credit code (V2)
	Officer     string   // the staff member who issues it
	Unit        string   // the unit handling the case (hand-over, hand-back)
	Date        string   // the date it bears: the completion day on a completion certificate (H7)
	AcceptedOn  string   // the day the clock started (H2, L2)
	Due         string   // the last day of the limit in force
	Limit       string   // a limit: promised, the procedure's length (L4), the days added (L3)
	Materials   []string // received, handed over, or everything missing (H3)
	Reason      string
	Basis       string // legal basis (H3)
	Remedies    string // the applicant's remedies (review, suit) and their time limits
	Outcome     string
	Opinion     string
	Special     string // the special procedure's name (L4)
	Certificate string `mask:"keep"` // the licence or certificate number
	Delivery    string // how the result reaches the applicant
	PublicURL   string `mask:"keep"` // the case's public page; the QR code's payload

	// Person: the applicant is a natural person, whose name the public
	// form masks too (L7).
	Person bool
	// Replaces and Correction: a correction names the document it replaces
	// and why; the renderer prints that itself, whatever the template says.
	Replaces   string `mask:"keep"`
	Correction string
}

// fieldKinds: the template fields, by name: false a string, true a list.
var fieldKinds = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[Data]()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == "Replaces" || f.Name == "Correction" {
			continue
		}
		switch f.Type {
		case reflect.TypeFor[string]():
			m[f.Name] = false
		case reflect.TypeFor[[]string]():
			m[f.Name] = true
		}
	}
	return m
}()

// Fields lists the template fields, sorted.
func Fields() []string {
	out := make([]string, 0, len(fieldKinds))
	for k := range fieldKinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// value is field name's value in d.
func (d *Data) value(name string) reflect.Value {
	return reflect.ValueOf(d).Elem().FieldByName(name)
}

// Public is d as a document for the public shows it (L7): every text
// through ident.MaskText, a person's name and ID masked, and the name of
// the staff member who issued it (a natural person other than the party).
func (d Data) Public() Data {
	p := d
	p.Materials = slices.Clone(d.Materials)
	ident.MaskFields(&p)
	p.Officer = ident.MaskName(d.Officer)
	if d.Person {
		p.Applicant = ident.MaskName(d.Applicant)
		p.ApplicantID = ident.MaskResidentID(d.ApplicantID)
	} else {
		p.ApplicantID = d.ApplicantID // a credit code identifies an organisation, not a person
	}
	return p
}

// Context is what FromCase needs beyond the case and the document.
type Context struct {
	Lang      string         // "en" for an applicant whose language is English; else Chinese
	PublicURL string         // the case's public page
	Officer   string         // who issues it
	Remedies  string         // the body's wording of the remedies; DefaultRemedies when empty
	Location  *time.Location // the body's time zone; Asia/Shanghai when nil
}

// FromCase fills Data for document d of case c, numbered n.
func FromCase(c casework.Case, d casework.Document, n Number, ctx Context) Data {
	loc := ctx.Location
	if loc == nil {
		loc = shanghai
	}
	lang := ctx.Lang
	out := Data{
		Number: n.String(), Body: c.Body.Name, Case: c.Number, Item: c.Item.Name, ItemCode: c.Item.Code,
		Applicant: c.Applicant.Name, ApplicantID: c.Applicant.ResidentID, Person: c.Applicant.Kind == casework.Person,
		Officer: ctx.Officer, Unit: c.Unit.Name, Date: FormatDate(d.Date, lang), Due: FormatDate(d.Due, lang),
		Limit: FormatBudget(d.Limit, lang), Materials: slices.Clone(d.Materials), Reason: d.Reason, Basis: d.Basis,
		Remedies: ctx.Remedies, Outcome: OutcomeText(d.Outcome, lang), Opinion: d.Opinion,
		Special: SpecialText(d.Special, lang), Certificate: d.Certificate, Delivery: DeliveryText(c.Delivery, lang),
		PublicURL: ctx.PublicURL,
	}
	if c.Applicant.Kind == casework.Organisation {
		out.ApplicantID = c.Applicant.CreditCode
	}
	if d.Unit != nil {
		out.Unit = d.Unit.Name
	}
	if !c.AcceptedAt.IsZero() {
		t := c.AcceptedAt.In(loc)
		out.AcceptedOn = FormatDate(calendar.DateOf(t.Year(), t.Month(), t.Day()), lang)
	}
	if out.Remedies == "" {
		out.Remedies = DefaultRemedies(lang)
	}
	switch {
	case d.Kind == casework.HandOverForm && len(out.Materials) == 0:
		out.Materials = slices.Clone(c.Received) // what travels with the case (H5)
	case d.Kind == casework.HandBackForm && c.Decision != nil:
		if out.Outcome == "" {
			out.Outcome = OutcomeText(c.Decision.Outcome, lang)
		}
		if out.Opinion == "" {
			out.Opinion = c.Decision.Opinion
		}
	}
	if d.Kind == casework.CompletionVoucher && c.Completion != nil {
		// H7: the certificate bears the completion day, whatever day it is printed.
		out.Date = FormatDate(c.Completion.On, lang)
		if out.Outcome == "" {
			out.Outcome = OutcomeText(c.Completion.Outcome, lang)
		}
		if out.Certificate == "" {
			out.Certificate = c.Completion.Certificate
		}
	}
	return out
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// FormatDate writes a date as documents bear it: 2026年3月5日, 5 March 2026.
func FormatDate(d calendar.Date, lang string) string {
	if d == 0 {
		return ""
	}
	y, m, day := d.Civil()
	if lang == "en" {
		return fmt.Sprintf("%d %s %d", day, m, y)
	}
	return fmt.Sprintf("%d年%d月%d日", y, int(m), day)
}

// FormatBudget writes a limit: 10个工作日, 10 working days.
func FormatBudget(b calendar.Budget, lang string) string {
	if b.N == 0 {
		return ""
	}
	names := map[calendar.Unit][2]string{
		calendar.WorkingDays:  {"个工作日", "working days"},
		calendar.NaturalDays:  {"日", "days"},
		calendar.Hours:        {"小时", "hours"},
		calendar.WorkingHours: {"个工作小时", "working hours"},
	}
	n, ok := names[b.Unit]
	if !ok {
		n = [2]string{string(b.Unit), string(b.Unit)}
	}
	if lang == "en" {
		return fmt.Sprintf("%d %s", b.N, n[1])
	}
	return fmt.Sprintf("%d%s", b.N, n[0])
}

// OutcomeText names a decision's or completion's outcome.
func OutcomeText(o, lang string) string {
	t := map[string][2]string{
		"approved":     {"准予许可", "approved"},
		"not_approved": {"不予许可", "not approved"},
		"completed":    {"已办结", "completed"},
	}[o]
	switch {
	case o == "":
		return ""
	case t[0] == "":
		return o
	case lang == "en":
		return t[1]
	}
	return t[0]
}

// SpecialText names a special procedure (L4).
func SpecialText(k flow.SpecialKind, lang string) string {
	t := map[flow.SpecialKind][2]string{
		flow.Hearing: {"听证", "hearing"}, flow.Bidding: {"招标", "bidding"}, flow.Auction: {"拍卖", "auction"},
		flow.Inspection: {"检验", "inspection"}, flow.Testing: {"检测", "testing"}, flow.Quarantine: {"检疫", "quarantine"},
		flow.Appraisal: {"鉴定", "appraisal"}, flow.ExpertReview: {"专家评审", "expert review"}, flow.SiteSurvey: {"现场勘察", "site survey"},
	}[k]
	switch {
	case k == "":
		return ""
	case t[0] == "":
		return string(k)
	case lang == "en":
		return t[1]
	}
	return t[0]
}

// DeliveryText names how the result reaches the applicant.
func DeliveryText(d casework.Delivery, lang string) string {
	t := map[casework.Delivery][2]string{
		casework.PickUp: {"窗口领取", "collection at the window"}, casework.Post: {"邮寄送达", "by post"},
		casework.OnlineSend: {"网上送达", "online"},
	}[d]
	switch {
	case d == "":
		return ""
	case t[0] == "":
		return string(d)
	case lang == "en":
		return t[1]
	}
	return t[0]
}

// DefaultRemedies is the remedies paragraph of a refusal (行政复议法 art. 20:
// 60 days; 行政诉讼法 art. 46: 6 months), for a body that has not worded its own.
func DefaultRemedies(lang string) string {
	if lang == "en" {
		return "If you disagree with this decision, you may apply for administrative review within 60 days of receiving it, or bring an administrative suit before a people's court within 6 months."
	}
	return "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
}

// blank reports whether s holds no text.
func blank(s string) bool { return strings.TrimSpace(s) == "" }
