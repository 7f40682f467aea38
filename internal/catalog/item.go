package catalog

import (
	"reflect"
	"slices"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/msg"
)

// Item is the stable identity of one power or service item across versions
// and bodies: its base code (基本编码) never changes; everything else lives in
// ItemVersion.
type Item struct {
	BaseCode string   `json:"base_code"` // 基本编码
	Name     string   `json:"name"`      // 事项名称 (of the current version, for listings)
	Category Category `json:"category"`  // 事项类型
}

// VersionStatus is where one version of an item stands in its life (C3, C9).
// A version is never edited once published: superseding, suspending or
// cancelling publishes a new version; the statuses of old versions only
// record what happened to them.
type VersionStatus string

const (
	// StatusDraft: being prepared inside an adjustment; not public.
	StatusDraft VersionStatus = "draft"
	// StatusPublished: published; the item is listed while it is in force.
	StatusPublished VersionStatus = "published"
	// StatusSuperseded: a published version replaced by a later one; it was
	// listed during [ValidFrom, ValidTo).
	StatusSuperseded VersionStatus = "superseded"
	// StatusSuspended: a published version recording a suspension (暂停, C7):
	// while in force no case may be opened under the item. It keeps this
	// status when a re-enabling version follows, so history stays true.
	StatusSuspended VersionStatus = "suspended"
	// StatusCancelled: a published version recording a cancellation (取消).
	StatusCancelled VersionStatus = "cancelled"
)

// Valid reports whether s is a known status.
func (s VersionStatus) Valid() bool {
	switch s {
	case StatusDraft, StatusPublished, StatusSuperseded, StatusSuspended, StatusCancelled:
		return true
	}
	return false
}

// IsPublic reports whether a version with status s has been published.
func (s VersionStatus) IsPublic() bool { return s.Valid() && s != StatusDraft }

// TimeUnit is the unit of a time limit (L1, L11).
type TimeUnit string

const (
	WorkingDays TimeUnit = "working_days" // 工作日
	NaturalDays TimeUnit = "natural_days" // 自然日
	Hours       TimeUnit = "hours"        // 小时
)

// Valid reports whether u is a known unit.
func (u TimeUnit) Valid() bool { return u == WorkingDays || u == NaturalDays || u == Hours }

// TimeLimit is a limit such as 20 working days. A zero Value means "on the
// spot" (当场办结) and is allowed only where the element says so.
type TimeLimit struct {
	Value int      `json:"value"` // 时限数值
	Unit  TimeUnit `json:"unit"`  // 时限单位
}

// CaseType is 办件类型.
type CaseType string

const (
	Instant  CaseType = "instant"  // 即办件: finished on the spot
	Promised CaseType = "promised" // 承诺件: finished within the promised limit
)

// Nature is 实施主体性质.
type Nature string

const (
	StatutoryBody Nature = "statutory"  // 法定机关
	AuthorisedOrg Nature = "authorised" // 法律法规授权组织
	EntrustedOrg  Nature = "entrusted"  // 受委托组织
)

// Level is 行使层级 (O1).
type Level string

const (
	LevelCity      Level = "city"      // 市级
	LevelDistrict  Level = "district"  // 县(区)级
	LevelTown      Level = "town"      // 镇(乡、街道)级
	LevelCommunity Level = "community" // 村(社区)级
)

// Body is 实施主体: who implements the item. CreditCode is the body's unified
// social credit code, the prefix of the implementation code.
type Body struct {
	Name       string `json:"name"`                    // 实施主体名称
	CreditCode string `json:"credit_code" mask:"keep"` // 实施主体编码 (统一社会信用代码, V2)
	Nature     Nature `json:"nature"`                  // 实施主体性质
	Level      Level  `json:"level"`                   // 行使层级
}

// LegalBasis is one entry of 设定依据.
type LegalBasis struct {
	Law     string `json:"law"`              // 法律法规名称
	DocNo   string `json:"doc_no,omitempty"` // 依据文号 (e.g. 国务院令第649号)
	Article string `json:"article"`          // 条款号
	Text    string `json:"text"`             // 条款内容 (or its gist)
}

// Necessity is 材料必要性.
type Necessity string

const (
	Required   Necessity = "required"   // 必要
	Optional   Necessity = "optional"   // 非必要
	Deferrable Necessity = "deferrable" // 容缺后补: may be handed in later
)

// MaterialKind is 材料类型: original, copy or both.
type MaterialKind string

const (
	Original        MaterialKind = "original"          // 原件
	Copy            MaterialKind = "copy"              // 复印件
	OriginalAndCopy MaterialKind = "original_and_copy" // 原件和复印件
)

// MaterialForm is 材料形式.
type MaterialForm string

const (
	Paper              MaterialForm = "paper"                // 纸质
	Electronic         MaterialForm = "electronic"           // 电子
	PaperAndElectronic MaterialForm = "paper_and_electronic" // 纸质和电子
)

// Source is 来源渠道.
type Source string

const (
	FromApplicant  Source = "applicant"  // 申请人自备
	FromGovernment Source = "government" // 政府部门核发
	FromOther      Source = "other"      // 其他 (中介、第三方)
)

// Material is one entry of 申请材料.
type Material struct {
	Name       string       `json:"name"`                  // 材料名称
	Necessity  Necessity    `json:"necessity"`             // 必要性
	Kind       MaterialKind `json:"kind"`                  // 材料类型 (原件/复印件)
	Count      int          `json:"count"`                 // 份数
	Form       MaterialForm `json:"form"`                  // 材料形式
	Source     Source       `json:"source"`                // 来源渠道
	SourceNote string       `json:"source_note,omitempty"` // 来源渠道说明
	SampleForm string       `json:"sample_form,omitempty"` // 样表 (attachment name)
	BlankForm  string       `json:"blank_form,omitempty"`  // 空白表格
	Note       string       `json:"note,omitempty"`        // 填报须知
}

// FeeItem is one charge: 收费项目 with 收费依据 and 收费标准. Standard is the
// standard as published (a fixed amount, a range or a formula); MinFen and
// MaxFen give it as numbers in fen (分) where it is an amount or a range, so
// e-supervision can compare a case's fee (S5) and no float touches money.
// Both are zero for a standard that is only a formula.
type FeeItem struct {
	Name     string `json:"name"`           // 收费项目名称
	Basis    string `json:"basis"`          // 收费依据
	Standard string `json:"standard"`       // 收费标准
	MinFen   int64  `json:"min_fen"`        // 收费标准下限 (分)
	MaxFen   int64  `json:"max_fen"`        // 收费标准上限 (分)
	Per      string `json:"per"`            // 计费单位 (每证、每平方米 …)
	Note     string `json:"note,omitempty"` // 减免说明
}

// Ranged reports whether the standard is an amount or range in numbers.
func (f FeeItem) Ranged() bool { return f.MaxFen > 0 }

// Fee is 收费: whether the item is charged and what.
type Fee struct {
	Charged bool      `json:"charged"`         // 是否收费
	Items   []FeeItem `json:"items,omitempty"` // 收费项目
}

// RiskLevel is 风险等级.
type RiskLevel string

const (
	RiskHigh   RiskLevel = "high"   // 高
	RiskMedium RiskLevel = "medium" // 中
	RiskLow    RiskLevel = "low"    // 低
)

// RiskPoint is 风险点 of one flow step (C7).
type RiskPoint struct {
	Level       RiskLevel `json:"level"`       // 风险等级
	Description string    `json:"description"` // 风险点描述
	Control     string    `json:"control"`     // 防控措施
}

// CheckKind names what electronic supervision checks at a step (S5).
type CheckKind string

const (
	CheckTimeLimit         CheckKind = "time_limit"         // 时限
	CheckFee               CheckKind = "fee"                // 收费与标准一致
	CheckQualification     CheckKind = "qualification"      // 执法资格
	CheckTwoInvestigators  CheckKind = "two_investigators"  // 两人以上执法
	CheckRecusal           CheckKind = "recusal"            // 回避
	CheckFlowOrder         CheckKind = "flow_order"         // 流程不得跳步
	CheckDiscretion        CheckKind = "discretion"         // 裁量基准
	CheckSupplementRepeats CheckKind = "supplement_repeats" // 反复补正
	CheckLateEntry         CheckKind = "late_entry"         // 48小时内录入
	CheckDocuments         CheckKind = "documents"          // 文书齐全 (告知书、受理通知书 …)
)

var checkKinds = []CheckKind{CheckTimeLimit, CheckFee, CheckQualification, CheckTwoInvestigators,
	CheckRecusal, CheckFlowOrder, CheckDiscretion, CheckSupplementRepeats, CheckLateEntry, CheckDocuments}

// Valid reports whether k is a known check.
func (k CheckKind) Valid() bool {
	for _, x := range checkKinds {
		if x == k {
			return true
		}
	}
	return false
}

// SupervisionPoint is 监察点 of one flow step (C7): the supervision engine
// runs Kind against every case at this step.
type SupervisionPoint struct {
	Kind        CheckKind `json:"kind"`        // 监察类型
	Description string    `json:"description"` // 监察内容
}

// Step is one step of 办理流程. Case handling runs these in order, so they
// are data, not text: Key is stable across versions and levels (C5 matches
// steps by it).
type Step struct {
	Key   string      `json:"key"`   // 环节编码
	Name  string      `json:"name"`  // 环节名称
	Role  access.Role `json:"role"`  // 办理岗位
	Head  bool        `json:"head"`  // 由单位负责人办理 (审批、签发)
	Limit TimeLimit   `json:"limit"` // 环节时限
	// Risks are the step's 风险点; Checks its 监察点.
	Risks  []RiskPoint        `json:"risks,omitempty"`
	Checks []SupervisionPoint `json:"checks,omitempty"`
}

// Online is 网办深度: what the applicant can do online. Stars (C11) are
// computed from it, never typed in.
type Online struct {
	Guide         bool `json:"guide"`          // 办事指南在线公开
	Forms         bool `json:"forms"`          // 表格下载
	Consultation  bool `json:"consultation"`   // 在线咨询
	Booking       bool `json:"booking"`        // 网上预约
	PartialUpload bool `json:"partial_upload"` // 部分材料电子化上传
	PreReview     bool `json:"pre_review"`     // 网上预审
	FullUpload    bool `json:"full_upload"`    // 全部材料电子化上传
	OnlineReview  bool `json:"online_review"`  // 网上审核、全流程网办
	PostDelivery  bool `json:"post_delivery"`  // 结果邮寄送达
}

// ItemVersion is one version of one item as implemented by one body (实施清单
// 事项). Field comments give the national platform's element names.
type ItemVersion struct {
	BaseCode string   `json:"base_code" mask:"keep"` // 基本编码
	ImplCode string   `json:"impl_code" mask:"keep"` // 实施编码
	Name     string   `json:"name"`                  // 事项名称
	Category Category `json:"category"`              // 事项类型
	// ExOfficio is 行使方式 依职权: the body acts on its own motion (penalties,
	// coercion, inspections, levies, investigations); false is 依申请.
	ExOfficio bool `json:"ex_officio,omitempty"`

	Version     int           `json:"version"`                            // 版本号
	Status      VersionStatus `json:"status"`                             // 状态
	ValidFrom   time.Time     `json:"valid_from"`                         // 生效日期
	ValidTo     *time.Time    `json:"valid_to,omitempty"`                 // 失效日期
	PublishedAt *time.Time    `json:"published_at,omitempty"`             // 发布时间
	ContentHash string        `json:"content_hash,omitempty" mask:"keep"` // 内容摘要 (SHA-256)

	LegalBases []LegalBasis `json:"legal_bases"` // 设定依据
	Body       Body         `json:"body"`        // 实施主体
	Unit       string       `json:"unit"`        // 责任处(科)室
	Conditions []string     `json:"conditions"`  // 受理条件
	Materials  []Material   `json:"materials"`   // 申请材料

	StatutoryLimit *TimeLimit `json:"statutory_limit,omitempty"` // 法定办结时限 (nil: 法律未规定)
	PromisedLimit  TimeLimit  `json:"promised_limit"`            // 承诺办结时限
	CaseType       CaseType   `json:"case_type"`                 // 办件类型
	Visits         int        `json:"visits"`                    // 到办事现场次数
	Online         Online     `json:"online"`                    // 网办深度 (星级由此计算)
	Fee            Fee        `json:"fee"`                       // 收费
	Steps          []Step     `json:"steps"`                     // 办理流程

	ConsultPhone    string `json:"consult_phone"`    // 咨询电话
	ComplaintOffice string `json:"complaint_office"` // 投诉机构
	ComplaintPhone  string `json:"complaint_phone"`  // 投诉电话
	Hours           string `json:"hours"`            // 办理时间
	Address         string `json:"address"`          // 办理地点

	Duties         []string `json:"duties"`         // 责任事项
	Accountability []string `json:"accountability"` // 追责情形
}

// IsServiceItem reports whether v is a government-service item: handled on
// application in a service category (C8's "convenience service items").
func (v ItemVersion) IsServiceItem() bool { return !v.ExOfficio && v.Category.IsService() }

// Item returns the stable identity of v.
func (v ItemVersion) Item() Item {
	return Item{BaseCode: v.BaseCode, Name: v.Name, Category: v.Category}
}

// Clone returns a deep copy, so a derived or next version never shares
// slices with the one it came from.
func (v ItemVersion) Clone() ItemVersion {
	c := v
	if v.ValidTo != nil {
		t := *v.ValidTo
		c.ValidTo = &t
	}
	if v.PublishedAt != nil {
		t := *v.PublishedAt
		c.PublishedAt = &t
	}
	if v.StatutoryLimit != nil {
		l := *v.StatutoryLimit
		c.StatutoryLimit = &l
	}
	c.LegalBases = slices.Clone(v.LegalBases)
	c.Conditions = slices.Clone(v.Conditions)
	c.Materials = slices.Clone(v.Materials)
	c.Fee.Items = slices.Clone(v.Fee.Items)
	c.Steps = slices.Clone(v.Steps)
	for i := range c.Steps {
		c.Steps[i].Risks = slices.Clone(c.Steps[i].Risks)
		c.Steps[i].Checks = slices.Clone(c.Steps[i].Checks)
	}
	c.Duties = slices.Clone(v.Duties)
	c.Accountability = slices.Clone(v.Accountability)
	return c
}

// Public returns v as the public sees it (L7, O4): a deep copy whose every
// free-text element has passed through ident.MaskText (by reflection, so a
// text element added later is masked too). The codes and the hash, whose
// formats are validated and which must stay exact, are tagged
// mask:"keep". Staff pages show v as entered.
func (v ItemVersion) Public() ItemVersion {
	c := v.Clone()
	ident.MaskFields(&c)
	return c
}

// Masked reports whether Public hides anything of v: v holds personal data
// (as far as ident.MaskText finds it).
func (v ItemVersion) Masked() bool { return !reflect.DeepEqual(v.Public(), v) }

// In names the check in lang.
func (k CheckKind) In(lang string) string { return msg.Name(lang, "catalog.check", string(k)) }
