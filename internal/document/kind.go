package document

import (
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
)

// Spec is what this package knows of a document kind: its titles, the word
// its numbers carry (受 in 青山审受〔2026〕0001号), whether it must bear the
// approval seal (H4, H8, L2) and which template fields it cannot go without.
type Spec struct {
	Kind    casework.DocumentKind
	Zh, En  string // titles
	Word    string // one character of the number; also names its sequence
	Sealed  bool   // refuses to render without the seal (H8)
	Require []string
}

// Fields every template must use, whatever its kind: the number (a
// document without its number cannot be registered or cited), the date it
// bears, and the QR code to the case's public page.
var common = []string{"Number", "Date", "qr"}

// Specs lists the kinds this package renders: those a transition issues
// (casework's DocumentKind) to the applicant and between the window and a
// unit (issue #15 item 1, then the receipts). The internal opinion, the decision and the transfer slip are the
// unit's own papers and not templated here.
var Specs = []Spec{
	{casework.AcceptanceNotice, "受理通知书", "Acceptance Notice", "受", true, []string{"Applicant", "Item", "AcceptedOn", "seal"}},
	{casework.SupplementNotice, "一次性告知书", "One-Time Notice of Missing Materials", "补", true, []string{"Applicant", "Item", "Materials", "seal"}},
	{casework.RefusalDecision, "不予受理决定书", "Decision Not to Accept", "不", true, []string{"Applicant", "Item", "Reason", "Basis", "Remedies", "seal"}},
	{casework.PromiseNotice, "承诺件通知单", "Promised-Case Notice", "承", true, []string{"Applicant", "Item", "Limit", "Due", "seal"}},
	{casework.HandOverForm, "移交交接单", "Hand-Over Form", "交", false, []string{"Item", "Unit", "Materials", "Officer"}},
	{casework.HandBackForm, "交回交接单", "Hand-Back Form", "回", false, []string{"Item", "Unit", "Outcome", "Officer"}},
	{casework.SpecialNotice, "特别程序告知书", "Special-Procedure Notice", "特", true, []string{"Applicant", "Item", "Special", "Limit", "Reason", "seal"}},
	{casework.ExtensionNotice, "延期告知书", "Extension Notice", "延", true, []string{"Applicant", "Item", "Limit", "Due", "Reason", "seal"}},
	{casework.CompletionVoucher, "办结凭证", "Completion Certificate", "结", true, []string{"Applicant", "Item", "Outcome", "seal"}},
	// The dated receipt of an application (L2: the day materials were
	// received is the day a silent office is deemed to have accepted), and
	// the confirmation of a withdrawal.
	{casework.ApplicationReceipt, "收件凭证", "Application Receipt", "收", true, []string{"Applicant", "Item", "seal"}},
	{casework.WithdrawalReceipt, "撤回确认书", "Withdrawal Confirmation", "撤", true, []string{"Applicant", "Item", "seal"}},
	// The written answer to a complaint (P8), issued by complaintdb, not
	// by a case's transition: Applicant is the complainant, Case the
	// complaint's number, Item the target, Reason the ground, Opinion the
	// answer and Remedies the review right.
	{ComplaintAnswer, "投诉答复书", "Complaint Answer", "诉", true, []string{"Applicant", "Case", "Item", "Reason", "Opinion", "Remedies", "seal"}},
}

// ComplaintAnswer is the kind of a complaint's written answer (P8). It is
// not one of casework's kinds: no case transition issues it.
const ComplaintAnswer casework.DocumentKind = "complaint_answer"

// SpecOf returns the spec of kind k, or an Invalid error on field naming
// a kind this package does not render.
func SpecOf(field string, k casework.DocumentKind) (Spec, error) {
	for _, s := range Specs {
		if s.Kind == k {
			return s, nil
		}
	}
	return Spec{}, apperr.Invalidf(field, "document.no_template_for_documents_of_kind", string(k))
}

// Required is every field a template of this kind must use.
func (s Spec) Required() []string {
	return append(append([]string(nil), common...), s.Require...)
}

// Title is the kind's title in lang ("en", or Chinese).
func (s Spec) Title(lang string) string {
	if lang == "en" {
		return s.En
	}
	return s.Zh
}
