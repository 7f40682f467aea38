package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/msg"
)

// problems collects field errors so that one pass reports all of them.
type problems struct{ list apperr.List }

// add records a problem: message key with its arguments.
func (p *problems) add(field, key string, args ...any) {
	p.list = append(p.list, apperr.Invalidf(field, key, args...))
}

// err returns nil or the apperr.List (never a typed nil inside an error).
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return p.list
}

// required records a problem when value is blank; name is the message key
// of what the field holds.
func (p *problems) required(field, value, name string) {
	if strings.TrimSpace(value) == "" {
		p.add(field, "catalog.is_required", msg.M(name))
	}
}

var (
	// baseCodeRe: 2-digit 事项类型代码 + 5-digit 主项 + 3-digit 子项.
	baseCodeRe = regexp.MustCompile(`^[0-9]{10}$`)
	// phoneRe: a landline with area code (0371-67890123), a mobile number,
	// or a 5-digit government hotline such as 12345.
	phoneRe = regexp.MustCompile(`^(0[0-9]{2,3}-[0-9]{7,8}(-[0-9]{1,4})?|1[3-9][0-9]{9}|123[0-9]{2})$`)
)

// ValidPhone reports whether s is a phone number a guide may show.
func ValidPhone(s string) bool { return phoneRe.MatchString(s) }

// Validate checks every element of v (C2, C10, C11) and returns nil or an
// apperr.List naming each bad field by its JSON path, e.g. materials[2].count.
func (v ItemVersion) Validate() error {
	var p problems
	p.required("name", v.Name, "catalog.item_name")
	if utf8.RuneCountInString(v.Name) > 100 {
		p.add("name", "catalog.item_name_must_be_at_most")
	}
	info, ok := v.Category.Info()
	if !ok {
		p.add("category", "catalog.category_is_not_one_of_the", v.Category)
	}
	switch {
	case !baseCodeRe.MatchString(v.BaseCode):
		p.add("base_code", "catalog.base_code_must_be_10_digits", v.BaseCode)
	case ok && v.BaseCode[:2] != info.Code:
		p.add("base_code", "catalog.base_code_starts_with_which_does", v.BaseCode[:2], info.Zh, info.Code)
	}
	v.validateBody(&p)
	v.validateLifecycle(&p)

	if len(v.LegalBases) == 0 {
		p.add("legal_bases", "catalog.at_least_one_legal_basis_is")
	}
	for i, b := range v.LegalBases {
		f := fmt.Sprintf("legal_bases[%d]", i)
		p.required(f+".law", b.Law, "catalog.law_name")
		p.required(f+".article", b.Article, "catalog.article")
		p.required(f+".text", b.Text, "catalog.article_text")
	}
	p.required("unit", v.Unit, "catalog.responsible_unit")

	if needsInvestigationChecks[v.Category] && !v.ExOfficio {
		p.add("ex_officio", "catalog.a_item_is_exercised_ex_officio", msg.Both{Zh: info.Zh, En: info.En})
	}
	service := !v.ExOfficio
	if service && len(v.Conditions) == 0 {
		p.add("conditions", "catalog.an_item_handled_on_application_needs")
	}
	for i, c := range v.Conditions {
		p.required(fmt.Sprintf("conditions[%d]", i), c, "catalog.condition")
	}
	if service && len(v.Materials) == 0 {
		p.add("materials", "catalog.an_item_handled_on_application_needs_2")
	}
	seen := map[string]int{}
	for i, m := range v.Materials {
		validateMaterial(&p, fmt.Sprintf("materials[%d]", i), m)
		if j, dup := seen[m.Name]; dup && m.Name != "" {
			p.add(fmt.Sprintf("materials[%d].name", i), "catalog.material_duplicates_entry", m.Name, j+1)
		}
		seen[m.Name] = i
	}

	v.validateLimits(&p)
	st := Stars(v.Online)
	if st < 1 {
		p.add("online", "catalog.the_guide_forms_and_consultation_must")
	}
	if !VisitsConsistent(st, v.Visits) {
		switch {
		case v.Visits < 0:
			p.add("visits", "catalog.number_of_visits_cannot_be_negative")
		case v.Visits == 0:
			p.add("visits", "catalog.zero_visits_needs_five_stars_fully", st)
		default:
			p.add("visits", "catalog.a_star_item_allows_at_most", st, MaxVisits(st), v.Visits)
		}
	}
	v.validateFee(&p)
	v.validateSteps(&p)

	p.required("complaint_office", v.ComplaintOffice, "catalog.complaint_office")
	for _, ph := range []struct{ field, zh, en, val string }{
		{"consult_phone", "咨询电话", "consultation phone", v.ConsultPhone},
		{"complaint_phone", "投诉电话", "complaint phone", v.ComplaintPhone},
	} {
		if !ValidPhone(ph.val) {
			p.add(ph.field, "catalog.is_not_a_valid_number_use", ph.zh, ph.val,
				ph.en)
		}
	}
	p.required("hours", v.Hours, "catalog.service_hours")
	p.required("address", v.Address, "catalog.address")
	if len(v.Duties) == 0 {
		p.add("duties", "catalog.at_least_one_duty_is_required")
	}
	for i, d := range v.Duties {
		p.required(fmt.Sprintf("duties[%d]", i), d, "catalog.duty")
	}
	if len(v.Accountability) == 0 {
		p.add("accountability", "catalog.at_least_one_accountability_ground_is")
	}
	for i, a := range v.Accountability {
		p.required(fmt.Sprintf("accountability[%d]", i), a, "catalog.accountability_ground")
	}
	return p.err()
}

func (v ItemVersion) validateBody(p *problems) {
	p.required("body.name", v.Body.Name, "catalog.implementing_body_name")
	// V2: the code's alphabet and check character; stored as normalised,
	// since it prefixes the implementation code.
	switch code, err := ident.ValidateCreditCode("body.credit_code", v.Body.CreditCode); {
	case err != nil:
		p.list = append(p.list, apperr.As(err))
	case code != v.Body.CreditCode:
		p.add("body.credit_code", "catalog.the_implementing_body_code_must_be", code)
	}
	switch v.Body.Nature {
	case StatutoryBody, AuthorisedOrg, EntrustedOrg:
	default:
		p.add("body.nature", "catalog.implementing_body_nature_is_invalid_statutory", v.Body.Nature)
	}
	switch v.Body.Level {
	case LevelCity, LevelDistrict, LevelTown, LevelCommunity:
	default:
		p.add("body.level", "catalog.exercise_level_is_invalid", v.Body.Level)
	}
	// 实施编码 = 实施主体编码 + 基本编码 + up to 4 digits of 业务办理项.
	prefix := v.Body.CreditCode + v.BaseCode
	rest, ok := strings.CutPrefix(v.ImplCode, prefix)
	if !ok || len(rest) > 4 || strings.Trim(rest, "0123456789") != "" {
		p.add("impl_code", "catalog.implementation_code_must_be_the_body", prefix, v.ImplCode)
	}
}

func (v ItemVersion) validateLifecycle(p *problems) {
	// A draft gets its number and, by default, its start when published.
	draft := v.Status == StatusDraft
	if v.Version < 1 && !draft {
		p.add("version", "catalog.version_numbers_start_at_1")
	}
	if !v.Status.Valid() {
		p.add("status", "catalog.status_is_invalid", v.Status)
	}
	if v.ValidFrom.IsZero() && !draft {
		p.add("valid_from", "catalog.valid_from_date_is_required")
	}
	if v.ValidTo != nil && !v.ValidTo.After(v.ValidFrom) {
		p.add("valid_to", "catalog.valid_to_must_be_after_valid")
	}
	if v.Status.IsPublic() {
		if v.PublishedAt == nil {
			p.add("published_at", "catalog.a_published_version_needs_its_publication")
		}
		// C9: the recorded hash must still match the content.
		if !Unchanged(v) {
			p.add("content_hash", "catalog.content_hash_does_not_match_a")
		}
	} else if v.PublishedAt != nil {
		p.add("published_at", "catalog.a_draft_cannot_have_a_publication")
	}
}

func validateMaterial(p *problems, f string, m Material) {
	p.required(f+".name", m.Name, "catalog.material_name")
	switch m.Necessity {
	case Required, Optional, Deferrable:
	default:
		p.add(f+".necessity", "catalog.necessity_is_invalid_required_optional_deferrable", m.Necessity)
	}
	switch m.Kind {
	case Original, Copy, OriginalAndCopy:
	default:
		p.add(f+".kind", "catalog.material_kind_is_invalid_original_copy", m.Kind)
	}
	if m.Count < 1 || m.Count > 99 {
		p.add(f+".count", "catalog.count_must_be_between_1_and", m.Count)
	}
	switch m.Form {
	case Paper, Electronic, PaperAndElectronic:
	default:
		p.add(f+".form", "catalog.material_form_is_invalid_paper_electronic", m.Form)
	}
	switch m.Source {
	case FromApplicant, FromGovernment, FromOther:
	default:
		p.add(f+".source", "catalog.source_is_invalid", m.Source)
	}
	if m.Source == FromGovernment && strings.TrimSpace(m.SourceNote) == "" {
		// 政府部门核发: the guide must say which office issues it, so the
		// applicant (or a data share) can obtain it.
		p.add(f+".source_note", "catalog.a_material_issued_by_a_government")
	}
}

func validLimit(p *problems, f string, l TimeLimit, allowZero bool) bool {
	ok := true
	if !l.Unit.Valid() {
		p.add(f+".unit", "catalog.time_unit_is_invalid_working_days", l.Unit)
		ok = false
	}
	if l.Value < 0 || (!allowZero && l.Value == 0) {
		p.add(f+".value", "catalog.time_limit_must_be_positive_got", l.Value)
		ok = false
	}
	return ok
}

func (v ItemVersion) validateLimits(p *problems) {
	statOK := v.StatutoryLimit != nil && validLimit(p, "statutory_limit", *v.StatutoryLimit, false)
	promOK := validLimit(p, "promised_limit", v.PromisedLimit, true)
	switch v.CaseType {
	case Instant:
		if v.PromisedLimit.Value != 0 {
			p.add("promised_limit.value", "catalog.an_instant_item_is_finished_on")
		}
	case Promised:
		if v.PromisedLimit.Value == 0 {
			p.add("promised_limit.value", "catalog.a_promised_item_needs_a_promised")
		}
	default:
		p.add("case_type", "catalog.case_type_is_invalid_instant_promised", v.CaseType)
	}
	if statOK && promOK && !AtMostAsLong(v.PromisedLimit, *v.StatutoryLimit) {
		p.add("promised_limit", "catalog.promised_limit_may_not_be_longer", v.PromisedLimit, v.StatutoryLimit)
	}
}

func (v ItemVersion) validateFee(p *problems) {
	if v.Fee.Charged && len(v.Fee.Items) == 0 {
		p.add("fee.items", "catalog.a_charged_item_must_list_its")
	}
	if !v.Fee.Charged && len(v.Fee.Items) > 0 {
		p.add("fee.charged", "catalog.fees_are_listed_but_the_item")
	}
	for i, fi := range v.Fee.Items {
		f := fmt.Sprintf("fee.items[%d]", i)
		p.required(f+".name", fi.Name, "catalog.fee_name")
		p.required(f+".basis", fi.Basis, "catalog.fee_basis")
		p.required(f+".standard", fi.Standard, "catalog.fee_standard")
		p.required(f+".per", fi.Per, "catalog.fee_unit")
		if fi.MinFen < 0 {
			p.add(f+".min_fen", "catalog.a_fee_cannot_be_negative")
		}
		if fi.MaxFen < fi.MinFen || (fi.MaxFen == 0 && fi.MinFen != 0) {
			p.add(f+".max_fen", "catalog.the_fee_maximum_may_not_be", fi.MinFen)
		}
	}
}

// needsInvestigationChecks are categories exercised by enforcement staff: e-
// supervision must be able to check qualification and two investigators
// (S5), so their flows must carry those supervision points.
var needsInvestigationChecks = map[Category]bool{Penalty: true, Coercion: true, Inspection: true}

func (v ItemVersion) validateSteps(p *problems) {
	if len(v.Steps) == 0 {
		p.add("steps", "catalog.the_flow_needs_at_least_one")
	}
	keys := map[string]int{}
	total := 0
	has := map[CheckKind]bool{}
	for i, s := range v.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		p.required(f+".key", s.Key, "catalog.step_key")
		if j, dup := keys[s.Key]; dup && s.Key != "" {
			p.add(f+".key", "catalog.step_key_duplicates_step", s.Key, j+1)
		}
		keys[s.Key] = i
		p.required(f+".name", s.Name, "catalog.step_name")
		if _, ok := access.ParseRole(string(s.Role)); !ok {
			p.add(f+".role", "catalog.acting_role_is_not_a_known", s.Role)
		}
		if validLimit(p, f+".limit", s.Limit, true) && s.Limit.Unit == v.PromisedLimit.Unit {
			total += s.Limit.Value
		}
		for j, r := range s.Risks {
			rf := fmt.Sprintf("%s.risks[%d]", f, j)
			switch r.Level {
			case RiskHigh, RiskMedium, RiskLow:
			default:
				p.add(rf+".level", "catalog.risk_level_is_invalid_high_medium", r.Level)
			}
			p.required(rf+".description", r.Description, "catalog.risk_description")
			p.required(rf+".control", r.Control, "catalog.control_measure")
		}
		for j, c := range s.Checks {
			cf := fmt.Sprintf("%s.checks[%d]", f, j)
			if !c.Kind.Valid() {
				p.add(cf+".kind", "catalog.supervision_check_is_invalid", c.Kind)
			}
			p.required(cf+".description", c.Description, "catalog.check_description")
			has[c.Kind] = true
		}
	}
	if v.CaseType == Promised && v.PromisedLimit.Value > 0 && total > v.PromisedLimit.Value {
		p.add("steps", "catalog.the_steps_limits_add_up_to", total, v.PromisedLimit.Unit, v.PromisedLimit, string(v.PromisedLimit.Unit))
	}
	if needsInvestigationChecks[v.Category] {
		for _, k := range []CheckKind{CheckQualification, CheckTwoInvestigators} {
			if !has[k] {
				p.add("steps", "catalog.an_enforcement_item_s_flow_needs", k,
					string(k))
			}
		}
	}
}
