package catweb

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// The draft form holds every element of an item (C2) in a control of its
// own: lists (legal bases, materials, fees, steps with their risk and
// supervision points, duties, accountability) are repeatable rows. Without
// JavaScript a row is added by an "add a row" submit button, which shows
// the form again with one more blank row and saves nothing, and removed by
// its "remove" box. The form keeps what was typed as text, so a bad number
// comes back as typed, next to its message.
//
// Names of a row's controls carry its index ("mat.2.name"), so a row's
// check boxes stay with their row; errors are keyed by the element's path
// in a version ("materials[2].name"), which is what validation names.

// catalogForm is the draft form as shown and as posted.
type catalogForm struct {
	ID int64
	// Version is the version of the adjustment the edit is based on; after
	// a stale edit the current one, with Conflict listing what was sent
	// beside what is stored (catalog_conflict.go).
	Version  int64
	Conflict []conflictRow

	Title, Reason, BasisTitle, BasisDocNo, BasisIssued string
	Kind, BaseCode, Note                               string

	Name, Category                                      string
	ExOfficio                                           bool
	ImplCode, BodyName, BodyCode, BodyNature, BodyLevel string
	Unit, Conditions, ValidFrom                         string
	StatutoryValue, StatutoryUnit                       string
	PromisedValue, PromisedUnit, CaseType, Visits       string
	Online                                              map[string]bool
	FeeCharged                                          bool
	Fees                                                []feeRow
	LegalBases                                          []basisRow
	Materials                                           []materialRow
	Steps                                               []stepRow
	Duties, Accountability                              []textRow
	ConsultPhone, ComplaintOffice, ComplaintPhone       string
	Hours, Address                                      string

	Opts     formOptions
	Error    string
	Problems []string
	errs     map[string][]string
}

// Row types: N is the prefix of the row's control names, P its path in a
// version (for its errors).
type (
	basisRow struct {
		N, P                      string
		Num                       int
		Law, DocNo, Article, Text string
	}
	materialRow struct {
		Num                                     int
		N, P                                    string
		Name, Necessity, Kind, Count, Form      string
		Source, SourceNote, Sample, Blank, Note string
	}
	feeRow struct {
		Num                                  int
		N, P                                 string
		Name, Basis, Standard, Min, Max, Per string
		Note                                 string
	}
	stepRow struct {
		Num                   int
		N, P                  string
		Key, Name, Role       string
		Head                  bool
		LimitValue, LimitUnit string
		Risks                 []riskRow
		Checks                []checkRow
	}
	riskRow struct {
		Num                         int
		N, P                        string
		Level, Description, Control string
	}
	checkRow struct {
		Num               int
		N, P              string
		Kind, Description string
	}
	textRow struct {
		Num        int
		N, P, Text string
	}
)

// formOptions are the choices of the form's selects, in the request's
// language; each control compares its value with them.
type formOptions struct {
	Reasons, Kinds, Categories, Natures, Levels, Units, CaseTypes []catalogOption
	Necessities, MaterialKinds, MaterialForms, Sources            []catalogOption
	Roles, RiskLevels, Checks, Online                             []catalogOption
}

// Of returns the choices of list (a field of formOptions) with v selected.
func (o formOptions) Of(list, v string) []catalogOption {
	src := map[string][]catalogOption{"Reasons": o.Reasons, "Kinds": o.Kinds, "Categories": o.Categories, "Natures": o.Natures,
		"Levels": o.Levels, "Units": o.Units, "CaseTypes": o.CaseTypes, "Necessities": o.Necessities,
		"MaterialKinds": o.MaterialKinds, "MaterialForms": o.MaterialForms, "Sources": o.Sources, "Roles": o.Roles,
		"RiskLevels": o.RiskLevels, "Checks": o.Checks}[list]
	out := make([]catalogOption, len(src))
	for i, x := range src {
		x.Selected = x.Value == v
		out[i] = x
	}
	return out
}

// Err returns the messages of the control at path key.
func (f catalogForm) Err(key string) []string { return f.errs[key] }

// IsAdd reports whether the form proposes a new item: only then are the
// implementing body and the implementation code entered.
func (f catalogForm) IsAdd() bool { return f.Kind == string(catalog.AddItem) }

// maxFormRows bounds each repeatable list of a posted form.
const maxFormRows = 200

// formOf fills the form from an adjustment proposal (its first change).
func formOf(in catdb.AdjustmentInput) catalogForm {
	f := catalogForm{Title: in.Title, Reason: string(in.Reason), Online: map[string]bool{}}
	if len(in.Bases) > 0 {
		f.BasisTitle, f.BasisDocNo, f.BasisIssued = in.Bases[0].Title, in.Bases[0].DocNo, day(in.Bases[0].Issued)
	}
	var c catalog.Change
	if len(in.Changes) > 0 {
		c = in.Changes[0]
	}
	f.Kind, f.BaseCode, f.Note = string(c.Kind), c.BaseCode, c.Note
	if c.Draft == nil {
		f.Name = c.Name
		return f
	}
	d := c.Draft.Clone()
	f.Name, f.Category, f.ExOfficio, f.Unit = d.Name, string(d.Category), d.ExOfficio, d.Unit
	f.ImplCode, f.BodyName, f.BodyCode, f.BodyNature, f.BodyLevel = d.ImplCode, d.Body.Name, d.Body.CreditCode, string(d.Body.Nature), string(d.Body.Level)
	f.Conditions, f.ValidFrom = strings.Join(d.Conditions, "\n"), day(d.ValidFrom)
	if d.StatutoryLimit != nil {
		f.StatutoryValue, f.StatutoryUnit = strconv.Itoa(d.StatutoryLimit.Value), string(d.StatutoryLimit.Unit)
	}
	f.PromisedValue, f.PromisedUnit = strconv.Itoa(d.PromisedLimit.Value), string(d.PromisedLimit.Unit)
	f.CaseType, f.Visits = string(d.CaseType), strconv.Itoa(d.Visits)
	for _, oc := range catalog.OnlineCapabilities {
		f.Online[oc.Key] = oc.Of(&d.Online)
	}
	f.FeeCharged = d.Fee.Charged
	for _, x := range d.Fee.Items {
		r := feeRow{Name: x.Name, Basis: x.Basis, Standard: x.Standard, Per: x.Per, Note: x.Note}
		if x.MinFen != 0 || x.MaxFen != 0 {
			r.Min, r.Max = catalog.Yuan(x.MinFen), catalog.Yuan(x.MaxFen)
		}
		f.Fees = append(f.Fees, r)
	}
	for _, b := range d.LegalBases {
		f.LegalBases = append(f.LegalBases, basisRow{Law: b.Law, DocNo: b.DocNo, Article: b.Article, Text: b.Text})
	}
	for _, m := range d.Materials {
		f.Materials = append(f.Materials, materialRow{Name: m.Name, Necessity: string(m.Necessity), Kind: string(m.Kind),
			Count: strconv.Itoa(m.Count), Form: string(m.Form), Source: string(m.Source), SourceNote: m.SourceNote,
			Sample: m.SampleForm, Blank: m.BlankForm, Note: m.Note})
	}
	for _, s := range d.Steps {
		st := stepRow{Key: s.Key, Name: s.Name, Role: string(s.Role), Head: s.Head,
			LimitValue: strconv.Itoa(s.Limit.Value), LimitUnit: string(s.Limit.Unit)}
		for _, r := range s.Risks {
			st.Risks = append(st.Risks, riskRow{Level: string(r.Level), Description: r.Description, Control: r.Control})
		}
		for _, c := range s.Checks {
			st.Checks = append(st.Checks, checkRow{Kind: string(c.Kind), Description: c.Description})
		}
		f.Steps = append(f.Steps, st)
	}
	for _, x := range d.Duties {
		f.Duties = append(f.Duties, textRow{Text: x})
	}
	for _, x := range d.Accountability {
		f.Accountability = append(f.Accountability, textRow{Text: x})
	}
	f.ConsultPhone, f.ComplaintOffice, f.ComplaintPhone, f.Hours, f.Address = d.ConsultPhone, d.ComplaintOffice, d.ComplaintPhone, d.Hours, d.Address
	return f
}

// postedForm reads the form as posted, rows in order, without their
// removed and blank rows. An error names a list with too many rows.
func postedForm(v url.Values) (catalogForm, error) {
	t := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	on := func(k string) bool { return v.Get(k) != "" }
	f := catalogForm{Title: t("title"), Reason: t("reason"), BasisTitle: t("basis_title"), BasisDocNo: t("basis_doc_no"),
		BasisIssued: t("basis_issued"), Kind: t("kind"), BaseCode: t("base_code"), Note: t("note"),
		Name: t("name"), Category: t("category"), ExOfficio: v.Get("ex_officio") == "1", ImplCode: t("impl_code"),
		BodyName: t("body_name"), BodyCode: t("body_credit_code"), BodyNature: t("body_nature"), BodyLevel: t("body_level"),
		Unit: t("unit"), Conditions: v.Get("conditions"), ValidFrom: t("valid_from"),
		StatutoryValue: t("statutory_value"), StatutoryUnit: t("statutory_unit"),
		PromisedValue: t("promised_value"), PromisedUnit: t("promised_unit"), CaseType: t("case_type"), Visits: t("visits"),
		Online: map[string]bool{}, FeeCharged: on("fee_charged"),
		ConsultPhone: t("consult_phone"), ComplaintOffice: t("complaint_office"), ComplaintPhone: t("complaint_phone"),
		Hours: t("hours"), Address: t("address")}
	for _, x := range v["online"] {
		f.Online[x] = true
	}
	// each calls row for every row of a list whose rows have the control
	// first, in order, until the first index not posted.
	var tooMany error
	each := func(list, prefix, first string, row func(n string)) {
		for i := 0; ; i++ {
			n := prefix + "." + strconv.Itoa(i)
			if !v.Has(n + "." + first) {
				return
			}
			if i >= maxFormRows {
				tooMany = apperr.Invalidf(list, "web.a_list_may_have_at_most", maxFormRows)
				return
			}
			if !on(n + ".remove") {
				row(n)
			}
		}
	}
	each("legal_bases", "lb", "law", func(n string) {
		r := basisRow{Law: t(n + ".law"), DocNo: t(n + ".doc_no"), Article: t(n + ".article"), Text: t(n + ".text")}
		if r.Law+r.DocNo+r.Article+r.Text != "" {
			f.LegalBases = append(f.LegalBases, r)
		}
	})
	each("materials", "mat", "name", func(n string) {
		r := materialRow{Name: t(n + ".name"), Necessity: t(n + ".necessity"), Kind: t(n + ".kind"), Count: t(n + ".count"),
			Form: t(n + ".form"), Source: t(n + ".source"), SourceNote: t(n + ".source_note"), Sample: t(n + ".sample_form"),
			Blank: t(n + ".blank_form"), Note: t(n + ".note")}
		if r.Name+r.SourceNote+r.Sample+r.Blank+r.Note != "" {
			f.Materials = append(f.Materials, r)
		}
	})
	each("fee.items", "fee", "name", func(n string) {
		r := feeRow{Name: t(n + ".name"), Basis: t(n + ".basis"), Standard: t(n + ".standard"), Min: t(n + ".min"),
			Max: t(n + ".max"), Per: t(n + ".per"), Note: t(n + ".note")}
		if r.Name+r.Basis+r.Standard+r.Min+r.Max+r.Per+r.Note != "" {
			f.Fees = append(f.Fees, r)
		}
	})
	each("steps", "step", "key", func(n string) {
		s := stepRow{Key: t(n + ".key"), Name: t(n + ".name"), Role: t(n + ".role"), Head: on(n + ".head"),
			LimitValue: t(n + ".limit_value"), LimitUnit: t(n + ".limit_unit")}
		each("steps.risks", n+".risk", "level", func(m string) {
			r := riskRow{Level: t(m + ".level"), Description: t(m + ".description"), Control: t(m + ".control")}
			if r.Description+r.Control != "" {
				s.Risks = append(s.Risks, r)
			}
		})
		each("steps.checks", n+".check", "kind", func(m string) {
			c := checkRow{Kind: t(m + ".kind"), Description: t(m + ".description")}
			if c.Description != "" {
				s.Checks = append(s.Checks, c)
			}
		})
		if s.Key+s.Name+s.LimitValue != "" || len(s.Risks)+len(s.Checks) > 0 {
			f.Steps = append(f.Steps, s)
		}
	})
	each("duties", "duty", "text", func(n string) {
		if x := t(n + ".text"); x != "" {
			f.Duties = append(f.Duties, textRow{Text: x})
		}
	})
	each("accountability", "acct", "text", func(n string) {
		if x := t(n + ".text"); x != "" {
			f.Accountability = append(f.Accountability, textRow{Text: x})
		}
	})
	return f, tooMany
}

// addRow adds the blank row an "add a row" button asks for: a list's name,
// or steps[i].risks / steps[i].checks. An unknown name adds nothing.
func (f *catalogForm) addRow(list string) {
	switch list {
	case "legal_bases":
		f.LegalBases = append(f.LegalBases, basisRow{})
	case "materials":
		f.Materials = append(f.Materials, materialRow{Count: "1"})
	case "fees":
		f.Fees = append(f.Fees, feeRow{})
		f.FeeCharged = true
	case "steps":
		f.Steps = append(f.Steps, stepRow{LimitValue: "1"})
	case "duties":
		f.Duties = append(f.Duties, textRow{})
	case "accountability":
		f.Accountability = append(f.Accountability, textRow{})
	default:
		var i int
		var sub string
		if _, err := fmt.Sscanf(list, "steps[%d].%s", &i, &sub); err != nil || i < 0 || i >= len(f.Steps) {
			return
		}
		switch sub {
		case "risks":
			f.Steps[i].Risks = append(f.Steps[i].Risks, riskRow{})
		case "checks":
			f.Steps[i].Checks = append(f.Steps[i].Checks, checkRow{})
		}
	}
}

// input turns the form into a proposal; a value that is not what its
// control asks (a number, a date, an amount) is a field error at its path.
func (f catalogForm) input() (catdb.AdjustmentInput, error) {
	var problems apperr.List
	bad := func(field, key string) { problems = append(problems, apperr.Invalidf(field, key)) }
	num := func(field, s string) int {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 100000 {
			bad(field, "web.must_be_a_whole_number_0")
		}
		return n
	}
	date := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, s, calendar.DefaultLocation)
		if err != nil {
			bad(field, "web.the_date_must_look_like_2026")
		}
		return d
	}
	in := catdb.AdjustmentInput{Title: f.Title, Reason: catalog.Reason(f.Reason)}
	if f.BasisTitle != "" || f.BasisIssued != "" || f.BasisDocNo != "" {
		in.Bases = []catalog.BasisDocument{{Title: f.BasisTitle, DocNo: f.BasisDocNo, Issued: date("basis_issued", f.BasisIssued)}}
	}
	c := catalog.Change{Kind: catalog.AdjustmentKind(f.Kind), BaseCode: f.BaseCode, Note: f.Note, Name: f.Name}
	if c.Kind == catalog.AddItem && f.ImplCode == "" {
		// 实施编码 = 实施主体编码 + 基本编码 unless a 业务办理项 is added.
		f.ImplCode = f.BodyCode + f.BaseCode
	}
	if c.Kind == catalog.AddItem || c.Kind == catalog.ChangeItem {
		d := catalog.ItemVersion{BaseCode: f.BaseCode, ImplCode: f.ImplCode, Name: f.Name, Category: catalog.Category(f.Category),
			ExOfficio: f.ExOfficio, Status: catalog.StatusDraft, ValidFrom: date("valid_from", f.ValidFrom),
			Body: catalog.Body{Name: f.BodyName, CreditCode: f.BodyCode, Nature: catalog.Nature(f.BodyNature), Level: catalog.Level(f.BodyLevel)},
			Unit: f.Unit, CaseType: catalog.CaseType(f.CaseType), Visits: num("visits", f.Visits),
			PromisedLimit: catalog.TimeLimit{Value: num("promised_limit", f.PromisedValue), Unit: catalog.TimeUnit(f.PromisedUnit)},
			ConsultPhone:  f.ConsultPhone, ComplaintOffice: f.ComplaintOffice, ComplaintPhone: f.ComplaintPhone,
			Hours: f.Hours, Address: f.Address, Fee: catalog.Fee{Charged: f.FeeCharged}}
		if f.StatutoryValue != "" {
			d.StatutoryLimit = &catalog.TimeLimit{Value: num("statutory_limit", f.StatutoryValue), Unit: catalog.TimeUnit(f.StatutoryUnit)}
		}
		for _, line := range strings.Split(f.Conditions, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				d.Conditions = append(d.Conditions, line)
			}
		}
		for _, oc := range catalog.OnlineCapabilities {
			if f.Online[oc.Key] {
				oc.Set(&d.Online)
			}
		}
		for _, b := range f.LegalBases {
			d.LegalBases = append(d.LegalBases, catalog.LegalBasis{Law: b.Law, DocNo: b.DocNo, Article: b.Article, Text: b.Text})
		}
		for i, m := range f.Materials {
			d.Materials = append(d.Materials, catalog.Material{Name: m.Name, Necessity: catalog.Necessity(m.Necessity),
				Kind: catalog.MaterialKind(m.Kind), Count: num(fmt.Sprintf("materials[%d].count", i), m.Count),
				Form: catalog.MaterialForm(m.Form), Source: catalog.Source(m.Source), SourceNote: m.SourceNote,
				SampleForm: m.Sample, BlankForm: m.Blank, Note: m.Note})
		}
		for i, x := range f.Fees {
			p := fmt.Sprintf("fee.items[%d]", i)
			fi := catalog.FeeItem{Name: x.Name, Basis: x.Basis, Standard: x.Standard, Per: x.Per, Note: x.Note}
			var ok bool
			if fi.MinFen, ok = catalog.ParseYuan(x.Min); !ok {
				bad(p+".min_fen", "web.an_amount_in_yuan_with_at")
			}
			if fi.MaxFen, ok = catalog.ParseYuan(x.Max); !ok {
				bad(p+".max_fen", "web.an_amount_in_yuan_with_at")
			}
			d.Fee.Items = append(d.Fee.Items, fi)
		}
		for i, s := range f.Steps {
			st := catalog.Step{Key: s.Key, Name: s.Name, Role: access.Role(s.Role), Head: s.Head,
				Limit: catalog.TimeLimit{Value: num(fmt.Sprintf("steps[%d].limit", i), s.LimitValue), Unit: catalog.TimeUnit(s.LimitUnit)}}
			for _, r := range s.Risks {
				st.Risks = append(st.Risks, catalog.RiskPoint{Level: catalog.RiskLevel(r.Level), Description: r.Description, Control: r.Control})
			}
			for _, c := range s.Checks {
				st.Checks = append(st.Checks, catalog.SupervisionPoint{Kind: catalog.CheckKind(c.Kind), Description: c.Description})
			}
			d.Steps = append(d.Steps, st)
		}
		for _, x := range f.Duties {
			d.Duties = append(d.Duties, x.Text)
		}
		for _, x := range f.Accountability {
			d.Accountability = append(d.Accountability, x.Text)
		}
		c.Draft = &d
	}
	in.Changes = []catalog.Change{c}
	if len(problems) == 0 {
		return in, nil
	}
	// The draft's own problems too, so one round shows all of them; a
	// value the form could not read is reported once, as unreadable.
	if c.Draft != nil {
		var l apperr.List
		if errors.As(c.Draft.Validate(), &l) {
			seen := map[string]bool{}
			for _, p := range problems {
				seen[controlOf(p.Field)] = true
			}
			for _, e := range l {
				if !seen[controlOf(e.Field)] {
					e.Field = changePrefix + "draft." + e.Field
					problems = append(problems, e)
				}
			}
		}
	}
	return in, problems
}

// finish numbers the rows, adds a blank row to each list (to add one
// without JavaScript) and fills the choices in the request's language.
func (h *handlers) finish(r *http.Request, f *catalogForm) {
	lang := httpx.LangFrom(r.Context())
	en := lang == httpx.LangEn
	if f.Online == nil {
		f.Online = map[string]bool{}
	}
	if f.Kind == string(catalog.AddItem) || f.Kind == string(catalog.ChangeItem) {
		f.LegalBases = append(f.LegalBases, basisRow{})
		f.Materials = append(f.Materials, materialRow{Count: "1"})
		f.Fees = append(f.Fees, feeRow{})
		f.Steps = append(f.Steps, stepRow{})
		f.Duties = append(f.Duties, textRow{})
		f.Accountability = append(f.Accountability, textRow{})
	}
	for i := range f.LegalBases {
		f.LegalBases[i].Num, f.LegalBases[i].N, f.LegalBases[i].P = i+1, fmt.Sprintf("lb.%d", i), fmt.Sprintf("legal_bases[%d]", i)
	}
	for i := range f.Materials {
		f.Materials[i].Num, f.Materials[i].N, f.Materials[i].P = i+1, fmt.Sprintf("mat.%d", i), fmt.Sprintf("materials[%d]", i)
	}
	for i := range f.Fees {
		f.Fees[i].Num, f.Fees[i].N, f.Fees[i].P = i+1, fmt.Sprintf("fee.%d", i), fmt.Sprintf("fee.items[%d]", i)
	}
	for i := range f.Steps {
		st := &f.Steps[i]
		st.Num, st.N, st.P = i+1, fmt.Sprintf("step.%d", i), fmt.Sprintf("steps[%d]", i)
		for j := range st.Risks {
			st.Risks[j].Num, st.Risks[j].N, st.Risks[j].P = j+1, fmt.Sprintf("%s.risk.%d", st.N, j), fmt.Sprintf("%s.risks[%d]", st.P, j)
		}
		for j := range st.Checks {
			st.Checks[j].Num, st.Checks[j].N, st.Checks[j].P = j+1, fmt.Sprintf("%s.check.%d", st.N, j), fmt.Sprintf("%s.checks[%d]", st.P, j)
		}
	}
	for i := range f.Duties {
		f.Duties[i].Num, f.Duties[i].N, f.Duties[i].P = i+1, fmt.Sprintf("duty.%d", i), fmt.Sprintf("duties[%d]", i)
	}
	for i := range f.Accountability {
		f.Accountability[i].Num, f.Accountability[i].N, f.Accountability[i].P = i+1, fmt.Sprintf("acct.%d", i), fmt.Sprintf("accountability[%d]", i)
	}
	o := &f.Opts
	for _, x := range catalogReasons {
		o.Reasons = append(o.Reasons, catalogOption{Value: string(x), Label: reasonName(r, x)})
	}
	for _, k := range catalogKinds {
		o.Kinds = append(o.Kinds, catalogOption{Value: string(k), Label: k.In(lang)})
	}
	for _, info := range catalog.Categories {
		o.Categories = append(o.Categories, catalogOption{Value: string(info.Category), Label: pick(r, info.Zh, info.En)})
	}
	for _, n := range catalog.Natures {
		o.Natures = append(o.Natures, catalogOption{Value: string(n), Label: n.Text(en)})
	}
	for _, l := range catalog.Levels {
		o.Levels = append(o.Levels, catalogOption{Value: string(l), Label: l.Text(en)})
	}
	for _, u := range []catalog.TimeUnit{catalog.WorkingDays, catalog.NaturalDays, catalog.Hours} {
		o.Units = append(o.Units, catalogOption{Value: string(u), Label: strings.TrimPrefix(u.In(lang), "个")})
	}
	for _, ct := range []catalog.CaseType{catalog.Promised, catalog.Instant} {
		o.CaseTypes = append(o.CaseTypes, catalogOption{Value: string(ct), Label: ct.Text(en)})
	}
	for _, x := range []catalog.Necessity{catalog.Required, catalog.Optional, catalog.Deferrable} {
		o.Necessities = append(o.Necessities, catalogOption{Value: string(x), Label: x.Text(en)})
	}
	for _, x := range []catalog.MaterialKind{catalog.Original, catalog.Copy, catalog.OriginalAndCopy} {
		o.MaterialKinds = append(o.MaterialKinds, catalogOption{Value: string(x), Label: x.Text(en)})
	}
	for _, x := range []catalog.MaterialForm{catalog.Paper, catalog.Electronic, catalog.PaperAndElectronic} {
		o.MaterialForms = append(o.MaterialForms, catalogOption{Value: string(x), Label: x.Text(en)})
	}
	for _, x := range []catalog.Source{catalog.FromApplicant, catalog.FromGovernment, catalog.FromOther} {
		o.Sources = append(o.Sources, catalogOption{Value: string(x), Label: x.Text(en)})
	}
	for _, x := range []access.Role{access.RoleWindow, access.RoleUnitStaff, access.RoleGeneralOffice, access.RoleLeader, access.RoleSupervisor} {
		o.Roles = append(o.Roles, catalogOption{Value: string(x), Label: messages.Text(lang, "role."+string(x))})
	}
	for _, x := range catalog.RiskLevels {
		o.RiskLevels = append(o.RiskLevels, catalogOption{Value: string(x), Label: x.Text(en)})
	}
	for _, x := range catalog.CheckKinds() {
		o.Checks = append(o.Checks, catalogOption{Value: string(x), Label: x.In(lang)})
	}
	for _, x := range catalog.OnlineCapabilities {
		o.Online = append(o.Online, catalogOption{Value: x.Key, Label: pick(r, x.Zh, x.En), Selected: f.Online[x.Key]})
	}
	// A step's role the choices lack (an older version's) stays choosable.
	for _, st := range f.Steps {
		if st.Role != "" && labelOf(o.Roles, st.Role) == "" {
			o.Roles = append(o.Roles, catalogOption{Value: st.Role, Label: messages.Text(lang, "role."+st.Role)})
		}
	}
}

// labelOf is the label of the option with value v ("" if none).
func labelOf(opts []catalogOption, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return ""
}

// changePrefix is where a proposal's first change sits in validation's
// paths; the form shows one change.
const changePrefix = "changes[0]."

// proposalControls maps the proposal's paths to the form's controls.
var proposalControls = map[string]string{"title": "title", "reason": "reason", "bases": "basis_title",
	"bases[0].title": "basis_title", "bases[0].issued": "basis_issued", "changes": "kind", "changes[0].kind": "kind",
	"changes[0].base_code": "base_code", "changes[0].note": "note", "changes[0].draft": "kind",
	"changes[0].draft.base_code": "base_code"}

// limitPath folds a limit's value and unit into the limit (one control).
var limitPath = regexp.MustCompile(`^(.*(?:limit))\.(?:value|unit)$`)

// controlOf is the control a validation path belongs to.
func controlOf(path string) string {
	if c, ok := proposalControls[path]; ok {
		return c
	}
	path = strings.TrimPrefix(path, changePrefix+"draft.")
	if m := limitPath.FindStringSubmatch(path); m != nil {
		return m[1]
	}
	if strings.HasPrefix(path, "conditions[") {
		return "conditions" // one box, a line each
	}
	return path
}

var rowPath = regexp.MustCompile(`^(legal_bases|materials|fee\.items|steps|duties|accountability|conditions)\[(\d+)\](?:\.(risks|checks)\[(\d+)\])?`)

// placeOf names, in words, where a problem at control path is: the row
// with its number and name ("材料 2「营业执照」"), or the element.
func (h *handlers) placeOf(lang string, f catalogForm, path string) string {
	m := rowPath.FindStringSubmatch(path)
	if m == nil {
		top, _, _ := strings.Cut(path, ".")
		if e, ok := catalog.ElementNamed(top); ok {
			if lang == httpx.LangEn {
				return e.En
			}
			return e.Zh
		}
		if key := "catalog.control." + path; messages.Has(key) {
			return messages.Text(lang, key)
		}
		return ""
	}
	i, err := strconv.Atoi(m[2])
	if err != nil {
		return ""
	}
	name := ""
	switch m[1] {
	case "legal_bases":
		if i < len(f.LegalBases) {
			name = f.LegalBases[i].Law
		}
	case "materials":
		if i < len(f.Materials) {
			name = f.Materials[i].Name
		}
	case "fee.items":
		if i < len(f.Fees) {
			name = f.Fees[i].Name
		}
	case "steps":
		if i < len(f.Steps) {
			name = f.Steps[i].Name
		}
	}
	place := messages.Text(lang, "catalog.row."+m[1], i+1)
	if name != "" {
		place += messages.Text(lang, "catalog.row.named", name)
	}
	if m[3] != "" {
		if j, err := strconv.Atoi(m[4]); err == nil {
			place += " " + messages.Text(lang, "catalog.row."+m[3], j+1)
		}
	}
	return place
}

// explain sets the form's problems from err: each message beside its
// control, and every one in words at the top of the form.
func (h *handlers) explain(r *http.Request, f *catalogForm, err error) {
	lang := httpx.LangFrom(r.Context())
	var list apperr.List
	if !errors.As(err, &list) {
		if e := apperr.As(err); e.Field != "" && e.Code == apperr.Invalid {
			list = apperr.List{e}
		}
	}
	if list == nil {
		f.Error, f.Problems = describe(r, err)
		return
	}
	f.errs = map[string][]string{}
	f.Error = messages.Text(lang, "catalog.form.problems", len(list))
	for _, e := range list {
		ctl := controlOf(e.Field)
		msg := e.Message(lang)
		f.errs[ctl] = append(f.errs[ctl], msg)
		if place := h.placeOf(lang, *f, strings.TrimPrefix(e.Field, changePrefix+"draft.")); place != "" {
			msg = place + messages.Text(lang, "catalog.row.sep") + msg
		}
		f.Problems = append(f.Problems, msg)
	}
}
