package catalog

import (
	"fmt"
	"github.com/qingdan/qingdan/internal/msg"
	"slices"
	"time"
)

// CheckDerived checks a lower level's list against the upper level's it is
// derived from (C5, seed 002 §三(四)(五)): powers only decrease (只减不增) —
// the lower list may drop items but never list one the upper does not — and
// an item's elements only increase (只增不减) — everything the upper version
// requires is still required, and the lower one may only add or tighten.
// It returns nil or an apperr.List with every violation, each with a field
// path like items[0500001000].materials[2].count.
//
// "Tighten" is read in the citizen's favour wherever the seeds leave it
// open: promised limits may only get shorter, visits fewer, stars higher, an
// instant item stays instant; fees may not be added or raised, because a
// lower body has no power to create a charge (A1, unauthorised fee).
// The statutory limit is the law's and must be copied unchanged.
func CheckDerived(upper, lower []ItemVersion) error {
	var p problems
	up := map[string]ItemVersion{}
	for _, u := range upper {
		up[u.BaseCode] = u
	}
	seen := map[string]bool{}
	for _, l := range lower {
		f := fmt.Sprintf("items[%s]", l.BaseCode)
		if seen[l.BaseCode] {
			p.add(f, "catalog.item_is_listed_twice_in_the", l.Name)
			continue
		}
		seen[l.BaseCode] = true
		u, ok := up[l.BaseCode]
		if !ok {
			p.add(f, "catalog.the_upper_list_has_no_item", l.Name, l.BaseCode)
			continue
		}
		checkDerivedItem(&p, f, u, l)
	}
	return p.err()
}

func checkDerivedItem(p *problems, f string, u, l ItemVersion) {
	if l.Name != u.Name {
		p.add(f+".name", "catalog.the_item_name_must_match_the", u.Name, l.Name)
	}
	if l.Category != u.Category {
		p.add(f+".category", "catalog.the_category_must_match_the_upper", u.Category, l.Category)
	}
	for _, b := range u.LegalBases {
		if !slices.ContainsFunc(l.LegalBases, func(x LegalBasis) bool { return x.Law == b.Law && x.Article == b.Article }) {
			p.add(f+".legal_bases", "catalog.the_legal_basis_listed_above_is", b.Law, b.Article)
		}
	}
	missing(p, f+".conditions", u.Conditions, l.Conditions, "catalog.condition")
	missing(p, f+".duties", u.Duties, l.Duties, "catalog.duty")
	missing(p, f+".accountability", u.Accountability, l.Accountability, "catalog.accountability_ground")

	for _, um := range u.Materials {
		i := slices.IndexFunc(l.Materials, func(m Material) bool { return m.Name == um.Name })
		if i < 0 {
			p.add(f+".materials", "catalog.material_required_above_is_missing_elements", um.Name)
			continue
		}
		checkDerivedMaterial(p, fmt.Sprintf("%s.materials[%d]", f, i), um, l.Materials[i])
	}

	if (u.StatutoryLimit == nil) != (l.StatutoryLimit == nil) ||
		(u.StatutoryLimit != nil && *u.StatutoryLimit != *l.StatutoryLimit) {
		p.add(f+".statutory_limit", "catalog.the_statutory_limit_is_set_by", optionalLimit{u.StatutoryLimit})
	}
	if !AtMostAsLong(l.PromisedLimit, u.PromisedLimit) {
		p.add(f+".promised_limit", "catalog.the_promised_limit_may_only_get", u.PromisedLimit, l.PromisedLimit)
	}
	if u.CaseType == Instant && l.CaseType != Instant {
		p.add(f+".case_type", "catalog.the_upper_list_makes_it_an")
	}
	if l.Visits > u.Visits {
		p.add(f+".visits", "catalog.visits_may_not_increase_upper_lower", u.Visits, l.Visits)
	}
	if us, ls := Stars(u.Online), Stars(l.Online); ls < us {
		p.add(f+".online", "catalog.online_depth_may_not_drop_upper", us, ls)
	}
	checkDerivedFees(p, f, u.Fee, l.Fee)
	checkDerivedSteps(p, f, u.Steps, l.Steps)
}

// optionalLimit is a limit that may be absent (none, 无).
type optionalLimit struct{ l *TimeLimit }

// In renders the limit in lang, or says there is none.
func (o optionalLimit) In(lang string) string {
	if o.l == nil {
		return msg.Text(lang, "catalog.limit.none")
	}
	return o.l.In(lang)
}

// missing records each of upper's elements that lower lacks; what is the
// message key naming the kind of element.
func missing(p *problems, f string, upper, lower []string, what string) {
	for _, x := range upper {
		if !slices.Contains(lower, x) {
			p.add(f, "catalog.the_listed_above_is_missing_elements", msg.M(what), x)
		}
	}
}

// necessityRank orders necessities from loosest to strictest.
func necessityRank(n Necessity) int {
	switch n {
	case Optional:
		return 0
	case Deferrable:
		return 1
	case Required:
		return 2
	}
	return -1
}

// covers reports whether kind a asks for at least what b asks for.
func kindCovers(a, b MaterialKind) bool { return a == b || a == OriginalAndCopy }

func formCovers(a, b MaterialForm) bool { return a == b || a == PaperAndElectronic }

func checkDerivedMaterial(p *problems, f string, u, l Material) {
	if necessityRank(l.Necessity) < necessityRank(u.Necessity) {
		p.add(f+".necessity", "catalog.material_may_not_become_less_necessary", u.Name, u.Necessity, l.Necessity)
	}
	if !kindCovers(l.Kind, u.Kind) {
		p.add(f+".kind", "catalog.material_may_not_ask_for_less", u.Name, u.Kind, l.Kind)
	}
	if l.Count < u.Count {
		p.add(f+".count", "catalog.material_count_may_not_decrease_upper", u.Name, u.Count, l.Count)
	}
	if !formCovers(l.Form, u.Form) {
		p.add(f+".form", "catalog.material_may_not_ask_for_less_2", u.Name, u.Form, l.Form)
	}
}

func checkDerivedFees(p *problems, f string, u, l Fee) {
	if l.Charged && !u.Charged {
		p.add(f+".fee.charged", "catalog.the_upper_list_makes_the_item")
	}
	for i, lf := range l.Items {
		j := slices.IndexFunc(u.Items, func(x FeeItem) bool { return x.Name == lf.Name })
		ff := fmt.Sprintf("%s.fee.items[%d]", f, i)
		if j < 0 {
			p.add(ff, "catalog.the_upper_list_has_no_fee", lf.Name)
			continue
		}
		uf := u.Items[j]
		if lf.Basis != uf.Basis || lf.Per != uf.Per {
			p.add(ff, "catalog.fee_must_keep_the_upper_list", lf.Name)
		}
		if !uf.Ranged() && lf.Standard != uf.Standard {
			p.add(ff, "catalog.fee_must_keep_the_upper_list_2", lf.Name, uf.Standard)
		}
		if uf.Ranged() && (!lf.Ranged() || lf.MinFen < uf.MinFen || lf.MaxFen > uf.MaxFen) {
			p.add(ff, "catalog.fee_must_stay_within_the_upper", lf.Name, uf.MinFen, uf.MaxFen, lf.MinFen, lf.MaxFen)
		}
	}
	for _, uf := range u.Items {
		if !slices.ContainsFunc(l.Items, func(x FeeItem) bool { return x.Name == uf.Name }) {
			p.add(f+".fee.items", "catalog.the_fee_with_its_basis_and", uf.Name)
		}
	}
}

func checkDerivedSteps(p *problems, f string, upper, lower []Step) {
	last := -1
	for _, us := range upper {
		i := slices.IndexFunc(lower, func(s Step) bool { return s.Key == us.Key })
		if i < 0 {
			p.add(f+".steps", "catalog.the_step_of_the_upper_flow", us.Name, us.Key)
			continue
		}
		sf := fmt.Sprintf("%s.steps[%d]", f, i)
		if i < last {
			p.add(sf, "catalog.step_is_out_of_the_upper", us.Name)
		}
		last = max(last, i)
		ls := lower[i]
		if ls.Role != us.Role || ls.Head != us.Head {
			p.add(sf+".role", "catalog.step_must_be_done_by_the", us.Name, us.Role)
		}
		if !AtMostAsLong(ls.Limit, us.Limit) {
			p.add(sf+".limit", "catalog.step_the_limit_may_only_get", us.Name, us.Limit, ls.Limit)
		}
		for _, r := range us.Risks {
			j := slices.IndexFunc(ls.Risks, func(x RiskPoint) bool { return x.Description == r.Description })
			if j < 0 {
				p.add(sf+".risks", "catalog.step_lacks_the_risk_point_listed", us.Name, r.Description)
				continue
			}
			if riskRank(ls.Risks[j].Level) < riskRank(r.Level) {
				p.add(fmt.Sprintf("%s.risks[%d].level", sf, j), "catalog.risk_point_may_not_be_rated", r.Description, r.Level)
			}
		}
		for _, c := range us.Checks {
			if !slices.ContainsFunc(ls.Checks, func(x SupervisionPoint) bool { return x.Kind == c.Kind }) {
				p.add(sf+".checks", "catalog.step_lacks_the_supervision_point_listed", us.Name, c.Kind,
					string(c.Kind))
			}
		}
	}
}

func riskRank(l RiskLevel) int {
	switch l {
	case RiskLow:
		return 0
	case RiskMedium:
		return 1
	case RiskHigh:
		return 2
	}
	return -1
}

// Derive starts a lower body's implementation of an upper item (C5): a draft
// with the same elements under the lower body's identity and codes. The
// caller then adds elements and sets the lower body's unit and contacts;
// CheckDerived tells what it may not do.
func Derive(upper ItemVersion, body Body, suffix string) ItemVersion {
	v := upper.Clone()
	v.Body = body
	v.ImplCode = body.CreditCode + upper.BaseCode + suffix
	v.Version = 0
	v.Status = StatusDraft
	v.ValidFrom = time.Time{}
	v.ValidTo, v.PublishedAt = nil, nil
	v.ContentHash = ""
	return v
}
