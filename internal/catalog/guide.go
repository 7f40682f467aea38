package catalog

// Guide is the public service guide of an item (办事指南, C10): the elements
// seed 000 art. 26, seed 001 §三(三) and seed 004 §三 require, in the order a
// citizen reads them. It is built from the version's elements, never typed
// separately, so the guide cannot disagree with the list.
type Guide struct {
	Name            string       `json:"name"`             // 事项名称
	BaseCode        string       `json:"base_code"`        // 基本编码
	ImplCode        string       `json:"impl_code"`        // 实施编码
	Version         int          `json:"version"`          // 版本号
	Category        string       `json:"category"`         // 事项类型 (中文)
	AcceptingBody   string       `json:"accepting_body"`   // 受理机构
	AcceptingUnit   string       `json:"accepting_unit"`   // 责任处(科)室
	Bases           []LegalBasis `json:"bases"`            // 设定依据
	Conditions      []string     `json:"conditions"`       // 受理条件
	Materials       []Material   `json:"materials"`        // 申请材料
	SampleForms     []string     `json:"sample_forms"`     // 样表
	Steps           []GuideStep  `json:"steps"`            // 办理流程
	CaseType        string       `json:"case_type"`        // 办件类型
	StatutoryLimit  string       `json:"statutory_limit"`  // 法定办结时限
	PromisedLimit   string       `json:"promised_limit"`   // 承诺办结时限
	Free            bool         `json:"free"`             // 不收费
	Fees            []FeeItem    `json:"fees"`             // 收费项目、依据、标准
	Visits          int          `json:"visits"`           // 到办事现场次数
	Stars           int          `json:"stars"`            // 网办深度星级 (C11)
	Hours           string       `json:"hours"`            // 办理时间
	Address         string       `json:"address"`          // 办理地点
	ConsultPhone    string       `json:"consult_phone"`    // 咨询电话
	ComplaintOffice string       `json:"complaint_office"` // 投诉机构
	ComplaintPhone  string       `json:"complaint_phone"`  // 投诉电话
}

// GuideStep is one flow step as the public sees it (risk and supervision
// points are internal and not shown).
type GuideStep struct {
	Name  string `json:"name"`
	Limit string `json:"limit"`
}

// Guide builds the public guide of v.
func (v ItemVersion) Guide() Guide {
	info, _ := v.Category.Info()
	g := Guide{
		Name: v.Name, BaseCode: v.BaseCode, ImplCode: v.ImplCode, Version: v.Version, Category: info.Zh,
		AcceptingBody: v.Body.Name, AcceptingUnit: v.Unit,
		Bases: v.LegalBases, Conditions: v.Conditions, Materials: v.Materials,
		PromisedLimit: v.PromisedLimit.In("zh"), StatutoryLimit: optionalLimit{v.StatutoryLimit}.In("zh"),
		Free: !v.Fee.Charged, Fees: v.Fee.Items, Visits: v.Visits, Stars: v.Stars(),
		Hours: v.Hours, Address: v.Address, ConsultPhone: v.ConsultPhone,
		ComplaintOffice: v.ComplaintOffice, ComplaintPhone: v.ComplaintPhone,
	}
	if v.CaseType == Instant {
		g.CaseType = "即办件"
	} else {
		g.CaseType = "承诺件"
	}
	for _, m := range v.Materials {
		if m.SampleForm != "" {
			g.SampleForms = append(g.SampleForms, m.SampleForm)
		}
	}
	for _, s := range v.Steps {
		g.Steps = append(g.Steps, GuideStep{Name: s.Name, Limit: s.Limit.In("zh")})
	}
	return g
}

// GuideEn is the guide with its enumerated values in English (case type,
// time limits): an English page shows no Chinese where the value is one of
// a fixed set. What people typed (names, materials, addresses) stays as
// typed.
func (v ItemVersion) GuideEn() Guide {
	g := v.Guide()
	if info, ok := v.Category.Info(); ok {
		g.Category = info.En
	}
	g.CaseType = "promised (done within the promised time)"
	if v.CaseType == Instant {
		g.CaseType = "instant (done on the spot)"
	}
	g.PromisedLimit, g.StatutoryLimit = v.PromisedLimit.In("en"), optionalLimit{v.StatutoryLimit}.In("en")
	for i, s := range v.Steps {
		g.Steps[i].Limit = s.Limit.In("en")
	}
	return g
}
