package catweb

import (
	"net/http"
	"strings"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// A stale edit (someone saved the object after the editor opened it) comes
// back with the editor's input still in the form and, beside it, every
// field as sent and as stored now; the form then carries the current
// version, so saving again is decided with both in view (docs/ARCHITECTURE.md,
// "Concurrent edits"). Nothing typed is lost.

// conflictRow is one field of that table.
type conflictRow struct {
	Label, Yours, Current string
	Differs               bool
}

// formConflict lists a draft form's fields as sent (yours) beside the
// stored adjustment's (stored).
func (h *handlers) formConflict(r *http.Request, yours, stored catalogForm) []conflictRow {
	h.finish(r, &yours)
	h.finish(r, &stored)
	a, b := formFields(yours), formFields(stored)
	lang := httpx.LangFrom(r.Context())
	out := make([]conflictRow, len(a))
	for i := range a {
		out[i] = conflictRow{Label: messages.Text(lang, a[i].key), Yours: a[i].value, Current: b[i].value, Differs: a[i].value != b[i].value}
	}
	return out
}

// formField is a field of the draft form as shown: its label's message key
// and its value.
type formField struct{ key, value string }

// formFields lists the draft form's fields in the form's order, each list
// as the names of its rows.
func formFields(f catalogForm) []formField {
	names := func(n int, at func(int) string) string {
		var out []string
		for i := range n {
			if x := at(i); x != "" {
				out = append(out, x)
			}
		}
		return strings.Join(out, "、")
	}
	o := f.Opts
	return []formField{
		{"catalog.field.title", f.Title},
		{"catalog.field.reason", labelOf(o.Reasons, f.Reason)},
		{"catalog.field.basis_title", f.BasisTitle},
		{"catalog.field.basis_doc_no", f.BasisDocNo},
		{"catalog.field.basis_issued", f.BasisIssued},
		{"catalog.field.kind", labelOf(o.Kinds, f.Kind)},
		{"catalog.field.base_code", f.BaseCode},
		{"catalog.field.note", f.Note},
		{"catalog.field.name", f.Name},
		{"catalog.field.category", labelOf(o.Categories, f.Category)},
		{"catalog.field.unit", f.Unit},
		{"catalog.field.legal_bases", names(len(f.LegalBases), func(i int) string { return f.LegalBases[i].Law })},
		{"catalog.field.conditions", f.Conditions},
		{"catalog.field.materials", names(len(f.Materials), func(i int) string { return f.Materials[i].Name })},
		{"catalog.field.statutory", strings.TrimSpace(f.StatutoryValue + " " + labelOf(o.Units, f.StatutoryUnit))},
		{"catalog.field.promised", strings.TrimSpace(f.PromisedValue + " " + labelOf(o.Units, f.PromisedUnit))},
		{"catalog.field.case_type", labelOf(o.CaseTypes, f.CaseType)},
		{"catalog.field.visits", f.Visits},
		{"catalog.field.fee", names(len(f.Fees), func(i int) string { return f.Fees[i].Name })},
		{"catalog.field.steps", names(len(f.Steps), func(i int) string { return f.Steps[i].Name })},
		{"catalog.field.consult_phone", f.ConsultPhone},
		{"catalog.field.complaint_office", f.ComplaintOffice},
		{"catalog.field.complaint_phone", f.ComplaintPhone},
		{"catalog.field.hours", f.Hours},
		{"catalog.field.address", f.Address},
		{"catalog.field.duties", names(len(f.Duties), func(i int) string { return f.Duties[i].Text })},
		{"catalog.field.accountability", names(len(f.Accountability), func(i int) string { return f.Accountability[i].Text })},
	}
}

// reformConflict is a stale change of someone's review groups: the groups
// chosen beside the groups they sit in now.
func (h *handlers) reformConflict(r *http.Request, chosen, now []catalog.ReformGroup) []conflictRow {
	lang := httpx.LangFrom(r.Context())
	names := func(gs []catalog.ReformGroup) string {
		var out []string
		for _, g := range gs {
			out = append(out, messages.Text(lang, "catalog.reform."+string(g)))
		}
		return strings.Join(out, "、")
	}
	yours, current := names(chosen), names(now)
	return []conflictRow{{Label: messages.Text(lang, "catalog.reform.groups"), Yours: yours, Current: current, Differs: yours != current}}
}
