package caseworkweb

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
)

// TestMessages_everyKeyHasBothLanguages: every key a template names, and
// every key built from a value (status, clock state, unit, document,
// special procedure, delivery), is in the table in Chinese and English.
func TestMessages_everyKeyHasBothLanguages(t *testing.T) {
	literal := regexp.MustCompile(`\bt \$?\.?Lang "([a-z_.]+)"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, name := range files {
		b, err := fs.ReadFile(templateFS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	for _, s := range []flow.Status{flow.Submitted, flow.Supplementing, flow.Accepted, flow.Handling, flow.Suspended,
		flow.Completed, flow.Refused, flow.Withdrawn} {
		keys["status."+string(s)] = true
	}
	for _, s := range []calendar.State{calendar.NotStarted, calendar.Running, calendar.Paused, calendar.DueSoon, calendar.Overdue, calendar.Finished} {
		keys["state."+string(s)] = true
	}
	for _, u := range []calendar.Unit{calendar.WorkingDays, calendar.NaturalDays, calendar.WorkingHours} {
		keys["unit."+string(u)] = true
	}
	for _, k := range []casework.DocumentKind{casework.AcceptanceNotice, casework.SupplementNotice, casework.RefusalDecision,
		casework.PromiseNotice, casework.HandOverForm, casework.HandBackForm, casework.SpecialNotice, casework.ExtensionNotice,
		casework.CompletionVoucher, casework.WithdrawalReceipt, casework.SpecialOpinion, casework.DecisionDocument,
		casework.TransferNotice, casework.ApplicationReceipt} {
		keys["doc."+string(k)] = true
	}
	for _, k := range []flow.SpecialKind{flow.Hearing, flow.Bidding, flow.Auction, flow.Inspection, flow.Testing, flow.Quarantine,
		flow.Appraisal, flow.ExpertReview, flow.SiteSurvey} {
		keys["special."+string(k)] = true
	}
	for _, d := range []casework.Delivery{casework.PickUp, casework.Post, casework.OnlineSend} {
		keys["delivery."+string(d)] = true
	}
	for _, a := range bulkActions {
		keys["action."+a] = true
	}
	for name := range extraFields {
		for _, f := range extraFields[name] {
			keys["field."+f] = true
		}
	}
	for k := range keys {
		// Both languages and non-empty: internal/msg's tests check every ID.
		if !messages.Has(k) {
			t.Errorf("message %q is missing", k)
		}
	}
	if len(keys) < 100 {
		t.Fatalf("only %d keys found: the pattern missed the templates", len(keys))
	}
}
