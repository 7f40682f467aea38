package catalog

import (
	"fmt"
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
			p.add(f, "事项“%s”在下级清单中重复列出", "item %q is listed twice in the lower list", l.Name)
			continue
		}
		seen[l.BaseCode] = true
		u, ok := up[l.BaseCode]
		if !ok {
			p.add(f, "上级清单没有事项“%s”(%s):下级清单只减不增,不得新增上级没有的权力",
				"the upper list has no item %q (%s): a lower list may drop items but never add one the upper list lacks",
				l.Name, l.BaseCode)
			continue
		}
		checkDerivedItem(&p, f, u, l)
	}
	return p.err()
}

func checkDerivedItem(p *problems, f string, u, l ItemVersion) {
	if l.Name != u.Name {
		p.add(f+".name", "事项名称须与上级一致(上级为“%s”,下级为“%s”)", "the item name must match the upper list (upper %q, lower %q)", u.Name, l.Name)
	}
	if l.Category != u.Category {
		p.add(f+".category", "事项类型须与上级一致(上级为“%s”,下级为“%s”)", "the category must match the upper list (upper %q, lower %q)", u.Category, l.Category)
	}
	for _, b := range u.LegalBases {
		if !slices.ContainsFunc(l.LegalBases, func(x LegalBasis) bool { return x.Law == b.Law && x.Article == b.Article }) {
			p.add(f+".legal_bases", "缺少上级列明的设定依据《%s》%s", "the legal basis %s %s listed above is missing", b.Law, b.Article)
		}
	}
	missing(p, f+".conditions", u.Conditions, l.Conditions, "受理条件", "condition")
	missing(p, f+".duties", u.Duties, l.Duties, "责任事项", "duty")
	missing(p, f+".accountability", u.Accountability, l.Accountability, "追责情形", "accountability ground")

	for _, um := range u.Materials {
		i := slices.IndexFunc(l.Materials, func(m Material) bool { return m.Name == um.Name })
		if i < 0 {
			p.add(f+".materials", "缺少上级要求的申请材料“%s”:要素只增不减", "material %q required above is missing: elements may only be added", um.Name)
			continue
		}
		checkDerivedMaterial(p, fmt.Sprintf("%s.materials[%d]", f, i), um, l.Materials[i])
	}

	if (u.StatutoryLimit == nil) != (l.StatutoryLimit == nil) ||
		(u.StatutoryLimit != nil && *u.StatutoryLimit != *l.StatutoryLimit) {
		p.add2(f+".statutory_limit", fmt.Sprintf("法定办结时限由法律规定,须与上级一致(上级为%s)", limitZh(u.StatutoryLimit)),
			fmt.Sprintf("the statutory limit is set by law and must match the upper list (%s)", limitEn(u.StatutoryLimit)))
	}
	if !AtMostAsLong(l.PromisedLimit, u.PromisedLimit) {
		p.add2(f+".promised_limit", fmt.Sprintf("承诺办结时限只能缩短:上级为%s,下级为%s", u.PromisedLimit.Zh(), l.PromisedLimit.Zh()),
			fmt.Sprintf("the promised limit may only get shorter: upper %s, lower %s", u.PromisedLimit.En(), l.PromisedLimit.En()))
	}
	if u.CaseType == Instant && l.CaseType != Instant {
		p.add(f+".case_type", "上级为即办件,下级不得改为承诺件", "the upper list makes it an instant item; the lower may not make it a promised one")
	}
	if l.Visits > u.Visits {
		p.add(f+".visits", "到现场次数不得增加:上级%d次,下级%d次", "visits may not increase: upper %d, lower %d", u.Visits, l.Visits)
	}
	if us, ls := Stars(u.Online), Stars(l.Online); ls < us {
		p.add(f+".online", "网办深度不得降低:上级%d星,下级%d星", "online depth may not drop: upper %d stars, lower %d", us, ls)
	}
	checkDerivedFees(p, f, u.Fee, l.Fee)
	checkDerivedSteps(p, f, u.Steps, l.Steps)
}

func limitZh(l *TimeLimit) string {
	if l == nil {
		return "无"
	}
	return l.Zh()
}

func limitEn(l *TimeLimit) string {
	if l == nil {
		return "none"
	}
	return l.En()
}

func missing(p *problems, f string, upper, lower []string, zh, en string) {
	for _, x := range upper {
		if !slices.Contains(lower, x) {
			p.add2(f, fmt.Sprintf("缺少上级列明的%s“%s”:要素只增不减", zh, x),
				fmt.Sprintf("the %s %q listed above is missing: elements may only be added", en, x))
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
		p.add(f+".necessity", "材料“%s”的必要性不得放宽(上级为%s,下级为%s)", "material %q may not become less necessary (upper %s, lower %s)", u.Name, u.Necessity, l.Necessity)
	}
	if !kindCovers(l.Kind, u.Kind) {
		p.add(f+".kind", "材料“%s”的材料类型不得减少(上级为%s,下级为%s)", "material %q may not ask for less (upper %s, lower %s)", u.Name, u.Kind, l.Kind)
	}
	if l.Count < u.Count {
		p.add(f+".count", "材料“%s”的份数不得减少(上级%d份,下级%d份)", "material %q: count may not decrease (upper %d, lower %d)", u.Name, u.Count, l.Count)
	}
	if !formCovers(l.Form, u.Form) {
		p.add(f+".form", "材料“%s”的材料形式不得减少(上级为%s,下级为%s)", "material %q may not ask for less (upper form %s, lower %s)", u.Name, u.Form, l.Form)
	}
}

func checkDerivedFees(p *problems, f string, u, l Fee) {
	if l.Charged && !u.Charged {
		p.add(f+".fee.charged", "上级为不收费事项,下级不得收费", "the upper list makes the item free; the lower may not charge")
	}
	for i, lf := range l.Items {
		j := slices.IndexFunc(u.Items, func(x FeeItem) bool { return x.Name == lf.Name })
		ff := fmt.Sprintf("%s.fee.items[%d]", f, i)
		if j < 0 {
			p.add(ff, "上级没有收费项目“%s”,下级不得增设收费", "the upper list has no fee %q; a lower body may not add a charge", lf.Name)
			continue
		}
		uf := u.Items[j]
		if lf.Basis != uf.Basis || lf.Per != uf.Per {
			p.add(ff, "收费项目“%s”的依据和计费单位须与上级一致", "fee %q must keep the upper list's basis and unit", lf.Name)
		}
		if !uf.Ranged() && lf.Standard != uf.Standard {
			p.add(ff, "收费项目“%s”的标准须与上级一致(%s)", "fee %q must keep the upper list's standard (%s)", lf.Name, uf.Standard)
		}
		if uf.Ranged() && (!lf.Ranged() || lf.MinFen < uf.MinFen || lf.MaxFen > uf.MaxFen) {
			p.add(ff, "收费项目“%s”的标准须在上级标准%d–%d分之内,下级为%d–%d分",
				"fee %q must stay within the upper standard %d–%d fen; the lower has %d–%d",
				lf.Name, uf.MinFen, uf.MaxFen, lf.MinFen, lf.MaxFen)
		}
	}
	for _, uf := range u.Items {
		if !slices.ContainsFunc(l.Items, func(x FeeItem) bool { return x.Name == uf.Name }) {
			p.add(f+".fee.items", "缺少上级列明的收费项目“%s”及其依据和标准", "the fee %q with its basis and standard listed above is missing", uf.Name)
		}
	}
}

func checkDerivedSteps(p *problems, f string, upper, lower []Step) {
	last := -1
	for _, us := range upper {
		i := slices.IndexFunc(lower, func(s Step) bool { return s.Key == us.Key })
		if i < 0 {
			p.add(f+".steps", "缺少上级流程环节“%s”(%s):环节只增不减", "the step %q (%s) of the upper flow is missing: steps may only be added", us.Name, us.Key)
			continue
		}
		sf := fmt.Sprintf("%s.steps[%d]", f, i)
		if i < last {
			p.add(sf, "环节“%s”的顺序与上级流程不一致", "step %q is out of the upper flow's order", us.Name)
		}
		last = max(last, i)
		ls := lower[i]
		if ls.Role != us.Role || ls.Head != us.Head {
			p.add(sf+".role", "环节“%s”的办理岗位须与上级一致(%s)", "step %q must be done by the role set above (%s)", us.Name, us.Role)
		}
		if !AtMostAsLong(ls.Limit, us.Limit) {
			p.add2(sf+".limit", fmt.Sprintf("环节“%s”的时限只能缩短:上级为%s,下级为%s", us.Name, us.Limit.Zh(), ls.Limit.Zh()),
				fmt.Sprintf("step %q: the limit may only get shorter: upper %s, lower %s", us.Name, us.Limit.En(), ls.Limit.En()))
		}
		for _, r := range us.Risks {
			j := slices.IndexFunc(ls.Risks, func(x RiskPoint) bool { return x.Description == r.Description })
			if j < 0 {
				p.add(sf+".risks", "环节“%s”缺少上级列明的风险点“%s”", "step %q lacks the risk point %q listed above", us.Name, r.Description)
				continue
			}
			if riskRank(ls.Risks[j].Level) < riskRank(r.Level) {
				p.add(fmt.Sprintf("%s.risks[%d].level", sf, j), "风险点“%s”的等级不得降低(上级为%s)", "risk point %q may not be rated lower (upper %s)", r.Description, r.Level)
			}
		}
		for _, c := range us.Checks {
			if !slices.ContainsFunc(ls.Checks, func(x SupervisionPoint) bool { return x.Kind == c.Kind }) {
				p.add2(sf+".checks", fmt.Sprintf("环节“%s”缺少上级列明的监察点“%s”", us.Name, c.Kind.Zh()),
					fmt.Sprintf("step %q lacks the supervision point %q listed above", us.Name, c.Kind))
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
