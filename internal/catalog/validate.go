package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/ident"
)

// problems collects field errors so that one pass reports all of them.
type problems struct{ list apperr.List }

// add records a problem whose Chinese and English texts take the same
// arguments in the same order.
func (p *problems) add(field, zh, en string, args ...any) {
	p.list = append(p.list, apperr.Invalidf(field, zh, en, args...))
}

// add2 records a problem with texts already formatted (when the two
// languages need the arguments in different shapes).
func (p *problems) add2(field, zh, en string) {
	p.list = append(p.list, apperr.New(apperr.Invalid, field, zh, en))
}

// err returns nil or the apperr.List (never a typed nil inside an error).
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return p.list
}

func (p *problems) required(field, value, zh, en string) {
	if strings.TrimSpace(value) == "" {
		p.add2(field, zh+"不能为空", en+" is required")
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
	p.required("name", v.Name, "事项名称", "item name")
	if utf8.RuneCountInString(v.Name) > 100 {
		p.add("name", "事项名称不能超过100个字", "item name must be at most 100 characters")
	}
	info, ok := v.Category.Info()
	if !ok {
		p.add("category", "事项类型“%s”不是十一类权责事项之一", "category %q is not one of the eleven categories", v.Category)
	}
	switch {
	case !baseCodeRe.MatchString(v.BaseCode):
		p.add("base_code", "基本编码应为10位数字(2位事项类型代码+5位主项+3位子项),当前为“%s”",
			"base code must be 10 digits (2-digit category code, 5-digit main item, 3-digit sub-item), got %q", v.BaseCode)
	case ok && v.BaseCode[:2] != info.Code:
		p.add("base_code", "基本编码以“%s”开头,与事项类型“%s”(代码%s)不符",
			"base code starts with %q, which does not match category %s (code %s)", v.BaseCode[:2], info.Zh, info.Code)
	}
	v.validateBody(&p)
	v.validateLifecycle(&p)

	if len(v.LegalBases) == 0 {
		p.add("legal_bases", "至少需要一项设定依据", "at least one legal basis is required")
	}
	for i, b := range v.LegalBases {
		f := fmt.Sprintf("legal_bases[%d]", i)
		p.required(f+".law", b.Law, "法律法规名称", "law name")
		p.required(f+".article", b.Article, "条款号", "article")
		p.required(f+".text", b.Text, "条款内容", "article text")
	}
	p.required("unit", v.Unit, "责任处(科)室", "responsible unit")

	if needsInvestigationChecks[v.Category] && !v.ExOfficio {
		p.add2("ex_officio", info.Zh+"事项只能依职权实施", "a "+info.En+" item is exercised ex officio only")
	}
	service := !v.ExOfficio
	if service && len(v.Conditions) == 0 {
		p.add("conditions", "依申请事项至少需要一项受理条件", "an item handled on application needs at least one acceptance condition")
	}
	for i, c := range v.Conditions {
		p.required(fmt.Sprintf("conditions[%d]", i), c, "受理条件", "condition")
	}
	if service && len(v.Materials) == 0 {
		p.add("materials", "依申请事项至少需要一项申请材料", "an item handled on application needs at least one material")
	}
	seen := map[string]int{}
	for i, m := range v.Materials {
		validateMaterial(&p, fmt.Sprintf("materials[%d]", i), m)
		if j, dup := seen[m.Name]; dup && m.Name != "" {
			p.add(fmt.Sprintf("materials[%d].name", i), "材料“%s”与第%d项重复", "material %q duplicates entry %d", m.Name, j+1)
		}
		seen[m.Name] = i
	}

	v.validateLimits(&p)
	st := Stars(v.Online)
	if st < 1 {
		p.add("online", "办事指南、表格下载和咨询必须在网上提供(一星)", "the guide, forms and consultation must be online (one star)")
	}
	if !VisitsConsistent(st, v.Visits) {
		switch {
		case v.Visits < 0:
			p.add("visits", "到办事现场次数不能为负数", "number of visits cannot be negative")
		case v.Visits == 0:
			p.add("visits", "零跑动须达到五星(全流程网办并邮寄送达),当前为%d星", "zero visits needs five stars (fully online with delivery by post); the item has %d", st)
		default:
			p.add("visits", "%d星事项最多到现场%d次,当前填写%d次", "a %d-star item allows at most %d visits, got %d", st, MaxVisits(st), v.Visits)
		}
	}
	v.validateFee(&p)
	v.validateSteps(&p)

	p.required("complaint_office", v.ComplaintOffice, "投诉机构", "complaint office")
	for _, ph := range []struct{ field, zh, en, val string }{
		{"consult_phone", "咨询电话", "consultation phone", v.ConsultPhone},
		{"complaint_phone", "投诉电话", "complaint phone", v.ComplaintPhone},
	} {
		if !ValidPhone(ph.val) {
			p.add2(ph.field, fmt.Sprintf("%s“%s”格式不正确,应为“区号-号码”(如0371-67890123)、手机号或12345", ph.zh, ph.val),
				fmt.Sprintf("%s %q is not a valid number: use area code-number (e.g. 0371-67890123), a mobile or 12345", ph.en, ph.val))
		}
	}
	p.required("hours", v.Hours, "办理时间", "service hours")
	p.required("address", v.Address, "办理地点", "address")
	if len(v.Duties) == 0 {
		p.add("duties", "至少需要一项责任事项", "at least one duty is required")
	}
	for i, d := range v.Duties {
		p.required(fmt.Sprintf("duties[%d]", i), d, "责任事项", "duty")
	}
	if len(v.Accountability) == 0 {
		p.add("accountability", "至少需要一项追责情形", "at least one accountability ground is required")
	}
	for i, a := range v.Accountability {
		p.required(fmt.Sprintf("accountability[%d]", i), a, "追责情形", "accountability ground")
	}
	return p.err()
}

func (v ItemVersion) validateBody(p *problems) {
	p.required("body.name", v.Body.Name, "实施主体名称", "implementing body name")
	// V2: the code's alphabet and check character; stored as normalised,
	// since it prefixes the implementation code.
	switch code, err := ident.ValidateCreditCode("body.credit_code", v.Body.CreditCode); {
	case err != nil:
		p.list = append(p.list, apperr.As(err))
	case code != v.Body.CreditCode:
		p.add("body.credit_code", "实施主体编码应写作“%s”(大写、半角、无空格)", "the implementing body code must be written %q (capitals, half-width, no spaces)", code)
	}
	switch v.Body.Nature {
	case StatutoryBody, AuthorisedOrg, EntrustedOrg:
	default:
		p.add("body.nature", "实施主体性质“%s”无效(法定机关/授权组织/受委托组织)", "implementing body nature %q is invalid (statutory, authorised, entrusted)", v.Body.Nature)
	}
	switch v.Body.Level {
	case LevelCity, LevelDistrict, LevelTown, LevelCommunity:
	default:
		p.add("body.level", "行使层级“%s”无效", "exercise level %q is invalid", v.Body.Level)
	}
	// 实施编码 = 实施主体编码 + 基本编码 + up to 4 digits of 业务办理项.
	prefix := v.Body.CreditCode + v.BaseCode
	rest, ok := strings.CutPrefix(v.ImplCode, prefix)
	if !ok || len(rest) > 4 || strings.Trim(rest, "0123456789") != "" {
		p.add("impl_code", "实施编码应为实施主体编码+基本编码(可加至多4位业务办理项),即以“%s”开头,当前为“%s”",
			"implementation code must be the body code + base code (+ up to 4 digits), i.e. start with %q; got %q", prefix, v.ImplCode)
	}
}

func (v ItemVersion) validateLifecycle(p *problems) {
	// A draft gets its number and, by default, its start when published.
	draft := v.Status == StatusDraft
	if v.Version < 1 && !draft {
		p.add("version", "版本号从1开始", "version numbers start at 1")
	}
	if !v.Status.Valid() {
		p.add("status", "状态“%s”无效", "status %q is invalid", v.Status)
	}
	if v.ValidFrom.IsZero() && !draft {
		p.add("valid_from", "生效日期不能为空", "valid-from date is required")
	}
	if v.ValidTo != nil && !v.ValidTo.After(v.ValidFrom) {
		p.add("valid_to", "失效日期必须晚于生效日期", "valid-to must be after valid-from")
	}
	if v.Status.IsPublic() {
		if v.PublishedAt == nil {
			p.add("published_at", "已发布的版本必须有发布时间", "a published version needs its publication time")
		}
		// C9: the recorded hash must still match the content.
		if !Unchanged(v) {
			p.add("content_hash", "内容摘要与内容不符:已发布的版本被改动过", "content hash does not match: a published version has been altered")
		}
	} else if v.PublishedAt != nil {
		p.add("published_at", "草稿不能有发布时间", "a draft cannot have a publication time")
	}
}

func validateMaterial(p *problems, f string, m Material) {
	p.required(f+".name", m.Name, "材料名称", "material name")
	switch m.Necessity {
	case Required, Optional, Deferrable:
	default:
		p.add(f+".necessity", "必要性“%s”无效(必要/非必要/容缺后补)", "necessity %q is invalid (required, optional, deferrable)", m.Necessity)
	}
	switch m.Kind {
	case Original, Copy, OriginalAndCopy:
	default:
		p.add(f+".kind", "材料类型“%s”无效(原件/复印件/原件和复印件)", "material kind %q is invalid (original, copy, original_and_copy)", m.Kind)
	}
	if m.Count < 1 || m.Count > 99 {
		p.add(f+".count", "份数应在1到99之间,当前为%d", "count must be between 1 and 99, got %d", m.Count)
	}
	switch m.Form {
	case Paper, Electronic, PaperAndElectronic:
	default:
		p.add(f+".form", "材料形式“%s”无效(纸质/电子/纸质和电子)", "material form %q is invalid (paper, electronic, paper_and_electronic)", m.Form)
	}
	switch m.Source {
	case FromApplicant, FromGovernment, FromOther:
	default:
		p.add(f+".source", "来源渠道“%s”无效", "source %q is invalid", m.Source)
	}
	if m.Source == FromGovernment && strings.TrimSpace(m.SourceNote) == "" {
		// 政府部门核发: the guide must say which office issues it, so the
		// applicant (or a data share) can obtain it.
		p.add(f+".source_note", "由政府部门核发的材料须写明核发部门", "a material issued by a government office must name that office")
	}
}

func validLimit(p *problems, f string, l TimeLimit, allowZero bool) bool {
	ok := true
	if !l.Unit.Valid() {
		p.add(f+".unit", "时限单位“%s”无效(工作日/自然日/小时)", "time unit %q is invalid (working_days, natural_days, hours)", l.Unit)
		ok = false
	}
	if l.Value < 0 || (!allowZero && l.Value == 0) {
		p.add(f+".value", "时限应为正数,当前为%d", "time limit must be positive, got %d", l.Value)
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
			p.add("promised_limit.value", "即办件当场办结,承诺时限应为0", "an instant item is finished on the spot: promised limit must be 0")
		}
	case Promised:
		if v.PromisedLimit.Value == 0 {
			p.add("promised_limit.value", "承诺件须有承诺办结时限", "a promised item needs a promised limit")
		}
	default:
		p.add("case_type", "办件类型“%s”无效(即办件/承诺件)", "case type %q is invalid (instant, promised)", v.CaseType)
	}
	if statOK && promOK && !AtMostAsLong(v.PromisedLimit, *v.StatutoryLimit) {
		p.add2("promised_limit", fmt.Sprintf("承诺办结时限%s不得长于法定办结时限%s", v.PromisedLimit.Zh(), v.StatutoryLimit.Zh()),
			fmt.Sprintf("promised limit %s may not be longer than the statutory limit %s", v.PromisedLimit.En(), v.StatutoryLimit.En()))
	}
}

func (v ItemVersion) validateFee(p *problems) {
	if v.Fee.Charged && len(v.Fee.Items) == 0 {
		p.add("fee.items", "收费事项须列明收费项目、依据和标准", "a charged item must list its fees with basis and standard")
	}
	if !v.Fee.Charged && len(v.Fee.Items) > 0 {
		p.add("fee.charged", "列有收费项目但标为不收费", "fees are listed but the item is marked free")
	}
	for i, fi := range v.Fee.Items {
		f := fmt.Sprintf("fee.items[%d]", i)
		p.required(f+".name", fi.Name, "收费项目名称", "fee name")
		p.required(f+".basis", fi.Basis, "收费依据", "fee basis")
		p.required(f+".standard", fi.Standard, "收费标准", "fee standard")
		p.required(f+".per", fi.Per, "计费单位", "fee unit")
		if fi.MinFen < 0 {
			p.add(f+".min_fen", "收费标准不能为负数", "a fee cannot be negative")
		}
		if fi.MaxFen < fi.MinFen || (fi.MaxFen == 0 && fi.MinFen != 0) {
			p.add(f+".max_fen", "收费上限不得低于下限(%d分)", "the fee maximum may not be below the minimum (%d fen)", fi.MinFen)
		}
	}
}

// needsInvestigationChecks are categories exercised by enforcement staff: e-
// supervision must be able to check qualification and two investigators
// (S5), so their flows must carry those supervision points.
var needsInvestigationChecks = map[Category]bool{Penalty: true, Coercion: true, Inspection: true}

func (v ItemVersion) validateSteps(p *problems) {
	if len(v.Steps) == 0 {
		p.add("steps", "至少需要一个办理环节", "the flow needs at least one step")
	}
	keys := map[string]int{}
	total := 0
	has := map[CheckKind]bool{}
	for i, s := range v.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		p.required(f+".key", s.Key, "环节编码", "step key")
		if j, dup := keys[s.Key]; dup && s.Key != "" {
			p.add(f+".key", "环节编码“%s”与第%d个环节重复", "step key %q duplicates step %d", s.Key, j+1)
		}
		keys[s.Key] = i
		p.required(f+".name", s.Name, "环节名称", "step name")
		if _, ok := access.ParseRole(string(s.Role)); !ok {
			p.add(f+".role", "办理岗位“%s”不是系统角色", "acting role %q is not a known role", s.Role)
		}
		if validLimit(p, f+".limit", s.Limit, true) && s.Limit.Unit == v.PromisedLimit.Unit {
			total += s.Limit.Value
		}
		for j, r := range s.Risks {
			rf := fmt.Sprintf("%s.risks[%d]", f, j)
			switch r.Level {
			case RiskHigh, RiskMedium, RiskLow:
			default:
				p.add(rf+".level", "风险等级“%s”无效(高/中/低)", "risk level %q is invalid (high, medium, low)", r.Level)
			}
			p.required(rf+".description", r.Description, "风险点描述", "risk description")
			p.required(rf+".control", r.Control, "防控措施", "control measure")
		}
		for j, c := range s.Checks {
			cf := fmt.Sprintf("%s.checks[%d]", f, j)
			if !c.Kind.Valid() {
				p.add(cf+".kind", "监察类型“%s”无效", "supervision check %q is invalid", c.Kind)
			}
			p.required(cf+".description", c.Description, "监察内容", "check description")
			has[c.Kind] = true
		}
	}
	if v.CaseType == Promised && v.PromisedLimit.Value > 0 && total > v.PromisedLimit.Value {
		p.add2("steps", fmt.Sprintf("各环节时限之和%d%s超过承诺办结时限%s", total, v.PromisedLimit.Unit.Zh(), v.PromisedLimit.Zh()),
			fmt.Sprintf("the steps' limits add up to %d %s, more than the promised limit %s", total, v.PromisedLimit.Unit, v.PromisedLimit.En()))
	}
	if needsInvestigationChecks[v.Category] {
		for _, k := range []CheckKind{CheckQualification, CheckTwoInvestigators} {
			if !has[k] {
				p.add2("steps", fmt.Sprintf("执法类事项的流程须设置监察点“%s”", k.Zh()),
					fmt.Sprintf("an enforcement item's flow needs the supervision point %q", k))
			}
		}
	}
}
