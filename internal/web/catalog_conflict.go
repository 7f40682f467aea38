package web

import (
	"net/http"
	"strconv"
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
func (s *Server) formConflict(r *http.Request, yours, stored catalogForm) []conflictRow {
	a, b := formFields(yours), formFields(stored)
	lang := httpx.LangFrom(r.Context())
	out := make([]conflictRow, len(a))
	for i := range a {
		out[i] = conflictRow{Label: s.cat.text(lang, a[i].key), Yours: a[i].value, Current: b[i].value, Differs: a[i].value != b[i].value}
	}
	return out
}

// formField is a field of the draft form as shown: its label's message key
// and its value.
type formField struct{ key, value string }

// formFields lists the draft form's fields in the form's order.
func formFields(f catalogForm) []formField {
	var mats []string
	for _, m := range f.Materials {
		if m.Name != "" {
			mats = append(mats, m.Name)
		}
	}
	return []formField{
		{"catalog.field.title", f.Title},
		{"catalog.field.reason", selectedLabel(f.Reasons)},
		{"catalog.field.basis_title", f.BasisTitle},
		{"catalog.field.basis_doc_no", f.BasisDocNo},
		{"catalog.field.basis_issued", f.BasisIssued},
		{"catalog.field.kind", selectedLabel(f.Kinds)},
		{"catalog.field.base_code", f.BaseCode},
		{"catalog.field.note", f.Note},
		{"catalog.field.name", f.Name},
		{"catalog.field.category", selectedLabel(f.Categories)},
		{"catalog.field.unit", f.Unit},
		{"catalog.field.conditions", f.Conditions},
		{"catalog.field.promised", strings.TrimSpace(strconv.Itoa(f.PromisedValue) + " " + selectedLabel(f.PromisedUnits))},
		{"catalog.field.case_type", selectedLabel(f.CaseTypes)},
		{"catalog.field.visits", strconv.Itoa(f.Visits)},
		{"catalog.field.consult_phone", f.ConsultPhone},
		{"catalog.field.complaint_office", f.ComplaintOffice},
		{"catalog.field.complaint_phone", f.ComplaintPhone},
		{"catalog.field.hours", f.Hours},
		{"catalog.field.address", f.Address},
		{"catalog.field.materials", strings.Join(mats, "、")},
		{"catalog.form.other", strings.TrimSpace(f.Elements)},
	}
}

func selectedLabel(opts []catalogOption) string {
	for _, o := range opts {
		if o.Selected {
			return o.Label
		}
	}
	return ""
}

// reformConflict is a stale change of someone's review groups: the groups
// chosen beside the groups they sit in now.
func (s *Server) reformConflict(r *http.Request, chosen, now []catalog.ReformGroup) []conflictRow {
	lang := httpx.LangFrom(r.Context())
	names := func(gs []catalog.ReformGroup) string {
		var out []string
		for _, g := range gs {
			out = append(out, s.cat.text(lang, "catalog.reform."+string(g)))
		}
		return strings.Join(out, "、")
	}
	yours, current := names(chosen), names(now)
	return []conflictRow{{Label: s.cat.text(lang, "catalog.reform.groups"), Yours: yours, Current: current, Differs: yours != current}}
}
