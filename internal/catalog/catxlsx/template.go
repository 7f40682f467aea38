package catxlsx

import (
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/catalog"
)

// Sheet names of the template (docs/catalog-excel.md). ReadmeSheet is
// written on export and ignored on import; every other sheet is required
// and no other sheet is allowed.
const (
	ItemsSheet          = "事项"
	ConditionsSheet     = "受理条件"
	MaterialsSheet      = "材料"
	FeesSheet           = "收费"
	BasesSheet          = "设定依据"
	StepsSheet          = "流程"
	RisksSheet          = "风险点"
	ChecksSheet         = "监察点"
	DutiesSheet         = "责任事项"
	AccountabilitySheet = "追责情形"
	ReadmeSheet         = "说明"
)

// Rows 1 and 2 are the headers (Chinese element names, then the English
// keys = JSON paths of catalog.ItemVersion); data starts at row 3.
const firstDataRow = 3

// column is one column of a sheet: its English key (the JSON path inside
// the sheet's record, which is also how Validate names the field), its
// Chinese header, how to write it and how to read it.
type column[T any] struct {
	key, zh string
	width   float64
	get     func(*T) any
	set     func(*T, string) *cellError
}

func textCol[T any](key, zh string, width float64, p func(*T) *string) column[T] {
	return column[T]{key: key, zh: zh, width: width,
		get: func(t *T) any { return *p(t) },
		set: func(t *T, s string) *cellError { *p(t) = s; return nil }}
}

// codeCol is text whose surrounding blanks are never meaningful (codes,
// phones): they are trimmed, so a stray space typed in Excel is harmless.
func codeCol[T any](key, zh string, width float64, p func(*T) *string) column[T] {
	return column[T]{key: key, zh: zh, width: width,
		get: func(t *T) any { return *p(t) },
		set: func(t *T, s string) *cellError { *p(t) = strings.TrimSpace(s); return nil }}
}

// intCol reads a whole number in [lo, hi]; optional columns read an empty
// cell as 0.
func intCol[T any](key, zh string, lo, hi int64, optional bool, p func(*T) *int) column[T] {
	return column[T]{key: key, zh: zh, width: 10,
		get: func(t *T) any { return *p(t) },
		set: func(t *T, s string) *cellError {
			if optional && strings.TrimSpace(s) == "" {
				*p(t) = 0
				return nil
			}
			n, err := ParseInt(s, lo, hi)
			*p(t) = int(n)
			return err
		}}
}

func int64Col[T any](key, zh string, lo, hi int64, p func(*T) *int64) column[T] {
	return column[T]{key: key, zh: zh, width: 14,
		get: func(t *T) any { return *p(t) },
		set: func(t *T, s string) *cellError {
			n, err := ParseInt(s, lo, hi)
			*p(t) = n
			return err
		}}
}

func boolCol[T any](key, zh string, p func(*T) *bool) column[T] {
	return column[T]{key: key, zh: zh, width: 10,
		get: func(t *T) any { return FormatBool(*p(t)) },
		set: func(t *T, s string) *cellError {
			b, err := ParseBool(s)
			*p(t) = b
			return err
		}}
}

func enumCol[T any, S ~string](key, zh string, e enum, width float64, p func(*T) *S) column[T] {
	return column[T]{key: key, zh: zh, width: width,
		get: func(t *T) any { return e.format(string(*p(t))) },
		set: func(t *T, s string) *cellError {
			v, err := e.parse(s)
			*p(t) = S(v)
			return err
		}}
}

// optTimeCol is an optional instant (失效日期, 发布时间): empty is nil.
func optTimeCol[T any](key, zh string, p func(*T) **time.Time) column[T] {
	return column[T]{key: key, zh: zh, width: 20,
		get: func(t *T) any {
			if *p(t) == nil {
				return ""
			}
			return FormatTime(**p(t))
		},
		set: func(t *T, s string) *cellError {
			if strings.TrimSpace(s) == "" {
				*p(t) = nil
				return nil
			}
			v, err := ParseTime(s)
			if err != nil {
				return err
			}
			*p(t) = &v
			return nil
		}}
}

// itemColumns are the columns of 事项, one per scalar element of
// catalog.ItemVersion, in the order of the national guide.
var itemColumns = []column[catalog.ItemVersion]{
	codeCol("base_code", "基本编码", 14, func(v *catalog.ItemVersion) *string { return &v.BaseCode }),
	codeCol("impl_code", "实施编码", 34, func(v *catalog.ItemVersion) *string { return &v.ImplCode }),
	textCol("name", "事项名称", 30, func(v *catalog.ItemVersion) *string { return &v.Name }),
	{key: "category", zh: "事项类型", width: 14,
		get: func(v *catalog.ItemVersion) any { return FormatCategory(v.Category) },
		set: func(v *catalog.ItemVersion, s string) *cellError {
			c, err := ParseCategory(s)
			v.Category = c
			return err
		}},
	{key: "ex_officio", zh: "行使方式", width: 10,
		get: func(v *catalog.ItemVersion) any { return exOfficioEnum.format(strconv.FormatBool(v.ExOfficio)) },
		set: func(v *catalog.ItemVersion, s string) *cellError {
			x, err := exOfficioEnum.parse(s)
			v.ExOfficio = x == "true"
			return err
		}},
	intCol("version", "版本号", 0, 1_000_000, true, func(v *catalog.ItemVersion) *int { return &v.Version }),
	{key: "status", zh: "状态", width: 10,
		get: func(v *catalog.ItemVersion) any { return statusEnum.format(string(v.Status)) },
		set: func(v *catalog.ItemVersion, s string) *cellError {
			// An empty status is a new row someone added: a draft.
			if strings.TrimSpace(s) == "" {
				v.Status = catalog.StatusDraft
				return nil
			}
			x, err := statusEnum.parse(s)
			v.Status = catalog.VersionStatus(x)
			return err
		}},
	{key: "valid_from", zh: "生效日期", width: 20,
		get: func(v *catalog.ItemVersion) any {
			if v.ValidFrom.IsZero() {
				return ""
			}
			return FormatTime(v.ValidFrom)
		},
		set: func(v *catalog.ItemVersion, s string) *cellError {
			// Empty: takes effect when published.
			if strings.TrimSpace(s) == "" {
				v.ValidFrom = time.Time{}
				return nil
			}
			t, err := ParseTime(s)
			v.ValidFrom = t
			return err
		}},
	optTimeCol("valid_to", "失效日期", func(v *catalog.ItemVersion) **time.Time { return &v.ValidTo }),
	optTimeCol("published_at", "发布时间", func(v *catalog.ItemVersion) **time.Time { return &v.PublishedAt }),
	codeCol("content_hash", "内容摘要", 20, func(v *catalog.ItemVersion) *string { return &v.ContentHash }),
	textCol("body.name", "实施主体名称", 24, func(v *catalog.ItemVersion) *string { return &v.Body.Name }),
	codeCol("body.credit_code", "实施主体编码", 22, func(v *catalog.ItemVersion) *string { return &v.Body.CreditCode }),
	enumCol("body.nature", "实施主体性质", natureEnum, 16, func(v *catalog.ItemVersion) *catalog.Nature { return &v.Body.Nature }),
	enumCol("body.level", "行使层级", levelEnum, 14, func(v *catalog.ItemVersion) *catalog.Level { return &v.Body.Level }),
	textCol("unit", "责任处(科)室", 16, func(v *catalog.ItemVersion) *string { return &v.Unit }),
	{key: "statutory_limit.value", zh: "法定办结时限", width: 12,
		get: func(v *catalog.ItemVersion) any {
			if v.StatutoryLimit == nil {
				return ""
			}
			return v.StatutoryLimit.Value
		},
		set: func(v *catalog.ItemVersion, s string) *cellError {
			// Both cells empty: the law sets no limit (nil).
			if strings.TrimSpace(s) == "" {
				return nil
			}
			n, err := ParseInt(s, 0, 100_000)
			if v.StatutoryLimit == nil {
				v.StatutoryLimit = &catalog.TimeLimit{}
			}
			v.StatutoryLimit.Value = int(n)
			return err
		}},
	{key: "statutory_limit.unit", zh: "法定办结时限单位", width: 12,
		get: func(v *catalog.ItemVersion) any {
			if v.StatutoryLimit == nil {
				return ""
			}
			return unitEnum.format(string(v.StatutoryLimit.Unit))
		},
		set: func(v *catalog.ItemVersion, s string) *cellError {
			if strings.TrimSpace(s) == "" {
				return nil
			}
			u, err := unitEnum.parse(s)
			if v.StatutoryLimit == nil {
				v.StatutoryLimit = &catalog.TimeLimit{}
			}
			v.StatutoryLimit.Unit = catalog.TimeUnit(u)
			return err
		}},
	intCol("promised_limit.value", "承诺办结时限", 0, 100_000, false, func(v *catalog.ItemVersion) *int { return &v.PromisedLimit.Value }),
	enumCol("promised_limit.unit", "承诺办结时限单位", unitEnum, 12, func(v *catalog.ItemVersion) *catalog.TimeUnit { return &v.PromisedLimit.Unit }),
	enumCol("case_type", "办件类型", caseTypeEnum, 10, func(v *catalog.ItemVersion) *catalog.CaseType { return &v.CaseType }),
	intCol("visits", "到办事现场次数", 0, 99, false, func(v *catalog.ItemVersion) *int { return &v.Visits }),
	boolCol("online.guide", "办事指南在线公开", func(v *catalog.ItemVersion) *bool { return &v.Online.Guide }),
	boolCol("online.forms", "表格下载", func(v *catalog.ItemVersion) *bool { return &v.Online.Forms }),
	boolCol("online.consultation", "在线咨询", func(v *catalog.ItemVersion) *bool { return &v.Online.Consultation }),
	boolCol("online.booking", "网上预约", func(v *catalog.ItemVersion) *bool { return &v.Online.Booking }),
	boolCol("online.partial_upload", "部分材料电子化上传", func(v *catalog.ItemVersion) *bool { return &v.Online.PartialUpload }),
	boolCol("online.pre_review", "网上预审", func(v *catalog.ItemVersion) *bool { return &v.Online.PreReview }),
	boolCol("online.full_upload", "全部材料电子化上传", func(v *catalog.ItemVersion) *bool { return &v.Online.FullUpload }),
	boolCol("online.online_review", "网上审核", func(v *catalog.ItemVersion) *bool { return &v.Online.OnlineReview }),
	boolCol("online.post_delivery", "结果邮寄送达", func(v *catalog.ItemVersion) *bool { return &v.Online.PostDelivery }),
	boolCol("fee.charged", "是否收费", func(v *catalog.ItemVersion) *bool { return &v.Fee.Charged }),
	codeCol("consult_phone", "咨询电话", 16, func(v *catalog.ItemVersion) *string { return &v.ConsultPhone }),
	textCol("complaint_office", "投诉机构", 24, func(v *catalog.ItemVersion) *string { return &v.ComplaintOffice }),
	codeCol("complaint_phone", "投诉电话", 16, func(v *catalog.ItemVersion) *string { return &v.ComplaintPhone }),
	textCol("hours", "办理时间", 30, func(v *catalog.ItemVersion) *string { return &v.Hours }),
	textCol("address", "办理地点", 30, func(v *catalog.ItemVersion) *string { return &v.Address }),
}

// textRow is one entry of a list of strings (受理条件, 责任事项, 追责情形).
type textRow struct{ Text string }

// riskRow and checkRow are a step's risk and supervision points, keyed by
// the step's 环节编码 within the item.
type riskRow struct {
	StepKey string
	catalog.RiskPoint
}

type checkRow struct {
	StepKey string
	catalog.SupervisionPoint
}

// child describes a sheet whose rows belong to an item: column A is the
// item's 基本编码, then cols. rows lists an item's records for export;
// add attaches one to the item on import and returns the JSON path of the
// list it went into (how Validate names its entries), or the key of the
// column that is wrong and why.
type child[T any] struct {
	name, en string
	cols     []column[T]
	rows     func(*catalog.ItemVersion) []T
	add      func(*catalog.ItemVersion, T) (list, badCol string, err *cellError)
}

func appendTo[T any](list string, p func(*catalog.ItemVersion) *[]T) func(*catalog.ItemVersion, T) (string, string, *cellError) {
	return func(v *catalog.ItemVersion, t T) (string, string, *cellError) {
		*p(v) = append(*p(v), t)
		return list, "", nil
	}
}

func textRows(p func(*catalog.ItemVersion) []string) func(*catalog.ItemVersion) []textRow {
	return func(v *catalog.ItemVersion) []textRow {
		var out []textRow
		for _, s := range p(v) {
			out = append(out, textRow{s})
		}
		return out
	}
}

func textChild(name, en, zh string, p func(*catalog.ItemVersion) *[]string) child[textRow] {
	return child[textRow]{name: name, en: en,
		cols: []column[textRow]{textCol("text", zh, 80, func(t *textRow) *string { return &t.Text })},
		rows: textRows(func(v *catalog.ItemVersion) []string { return *p(v) }),
		add: func(v *catalog.ItemVersion, t textRow) (string, string, *cellError) {
			*p(v) = append(*p(v), t.Text)
			return en, "", nil
		}}
}

var (
	conditionsSheet     = textChild(ConditionsSheet, "conditions", "受理条件", func(v *catalog.ItemVersion) *[]string { return &v.Conditions })
	dutiesSheet         = textChild(DutiesSheet, "duties", "责任事项", func(v *catalog.ItemVersion) *[]string { return &v.Duties })
	accountabilitySheet = textChild(AccountabilitySheet, "accountability", "追责情形", func(v *catalog.ItemVersion) *[]string { return &v.Accountability })

	materialsSheet = child[catalog.Material]{name: MaterialsSheet, en: "materials",
		cols: []column[catalog.Material]{
			textCol("name", "材料名称", 36, func(m *catalog.Material) *string { return &m.Name }),
			enumCol("necessity", "必要性", necessityEnum, 10, func(m *catalog.Material) *catalog.Necessity { return &m.Necessity }),
			enumCol("kind", "材料类型", kindEnum, 14, func(m *catalog.Material) *catalog.MaterialKind { return &m.Kind }),
			intCol("count", "份数", 0, 9999, false, func(m *catalog.Material) *int { return &m.Count }),
			enumCol("form", "材料形式", formEnum, 12, func(m *catalog.Material) *catalog.MaterialForm { return &m.Form }),
			enumCol("source", "来源渠道", sourceEnum, 14, func(m *catalog.Material) *catalog.Source { return &m.Source }),
			textCol("source_note", "来源渠道说明", 20, func(m *catalog.Material) *string { return &m.SourceNote }),
			textCol("sample_form", "样表", 20, func(m *catalog.Material) *string { return &m.SampleForm }),
			textCol("blank_form", "空白表格", 20, func(m *catalog.Material) *string { return &m.BlankForm }),
			textCol("note", "填报须知", 24, func(m *catalog.Material) *string { return &m.Note }),
		},
		rows: func(v *catalog.ItemVersion) []catalog.Material { return v.Materials },
		add:  appendTo("materials", func(v *catalog.ItemVersion) *[]catalog.Material { return &v.Materials })}

	feesSheet = child[catalog.FeeItem]{name: FeesSheet, en: "fee.items",
		cols: []column[catalog.FeeItem]{
			textCol("name", "收费项目名称", 24, func(f *catalog.FeeItem) *string { return &f.Name }),
			textCol("basis", "收费依据", 36, func(f *catalog.FeeItem) *string { return &f.Basis }),
			textCol("standard", "收费标准", 24, func(f *catalog.FeeItem) *string { return &f.Standard }),
			int64Col("min_fen", "收费标准下限(分)", 0, 1e12, func(f *catalog.FeeItem) *int64 { return &f.MinFen }),
			int64Col("max_fen", "收费标准上限(分)", 0, 1e12, func(f *catalog.FeeItem) *int64 { return &f.MaxFen }),
			textCol("per", "计费单位", 12, func(f *catalog.FeeItem) *string { return &f.Per }),
			textCol("note", "减免说明", 24, func(f *catalog.FeeItem) *string { return &f.Note }),
		},
		rows: func(v *catalog.ItemVersion) []catalog.FeeItem { return v.Fee.Items },
		add:  appendTo("fee.items", func(v *catalog.ItemVersion) *[]catalog.FeeItem { return &v.Fee.Items })}

	basesSheet = child[catalog.LegalBasis]{name: BasesSheet, en: "legal_bases",
		cols: []column[catalog.LegalBasis]{
			textCol("law", "法律法规名称", 36, func(b *catalog.LegalBasis) *string { return &b.Law }),
			textCol("doc_no", "依据文号", 20, func(b *catalog.LegalBasis) *string { return &b.DocNo }),
			textCol("article", "条款号", 14, func(b *catalog.LegalBasis) *string { return &b.Article }),
			textCol("text", "条款内容", 80, func(b *catalog.LegalBasis) *string { return &b.Text }),
		},
		rows: func(v *catalog.ItemVersion) []catalog.LegalBasis { return v.LegalBases },
		add:  appendTo("legal_bases", func(v *catalog.ItemVersion) *[]catalog.LegalBasis { return &v.LegalBases })}

	// Steps carry their risk and check points in their own sheets; a step
	// row itself has none.
	stepsSheet = child[catalog.Step]{name: StepsSheet, en: "steps",
		cols: []column[catalog.Step]{
			codeCol("key", "环节编码", 14, func(s *catalog.Step) *string { return &s.Key }),
			textCol("name", "环节名称", 16, func(s *catalog.Step) *string { return &s.Name }),
			enumCol("role", "办理岗位", roleEnum, 18, func(s *catalog.Step) *access.Role { return &s.Role }),
			boolCol("head", "由单位负责人办理", func(s *catalog.Step) *bool { return &s.Head }),
			intCol("limit.value", "环节时限", 0, 100_000, false, func(s *catalog.Step) *int { return &s.Limit.Value }),
			enumCol("limit.unit", "环节时限单位", unitEnum, 12, func(s *catalog.Step) *catalog.TimeUnit { return &s.Limit.Unit }),
		},
		rows: func(v *catalog.ItemVersion) []catalog.Step {
			out := make([]catalog.Step, len(v.Steps))
			for i, s := range v.Steps {
				s.Risks, s.Checks = nil, nil
				out[i] = s
			}
			return out
		},
		add: appendTo("steps", func(v *catalog.ItemVersion) *[]catalog.Step { return &v.Steps })}

	risksSheet = child[riskRow]{name: RisksSheet, en: "steps.risks",
		cols: []column[riskRow]{
			codeCol("step_key", "环节编码", 14, func(r *riskRow) *string { return &r.StepKey }),
			enumCol("level", "风险等级", riskEnum, 10, func(r *riskRow) *catalog.RiskLevel { return &r.Level }),
			textCol("description", "风险点描述", 40, func(r *riskRow) *string { return &r.Description }),
			textCol("control", "防控措施", 40, func(r *riskRow) *string { return &r.Control }),
		},
		rows: func(v *catalog.ItemVersion) []riskRow {
			var out []riskRow
			for _, s := range v.Steps {
				for _, r := range s.Risks {
					out = append(out, riskRow{s.Key, r})
				}
			}
			return out
		},
		add: func(v *catalog.ItemVersion, r riskRow) (string, string, *cellError) {
			i, err := stepIndex(v, r.StepKey)
			if err != nil {
				return "", "step_key", err
			}
			v.Steps[i].Risks = append(v.Steps[i].Risks, r.RiskPoint)
			return "steps[" + strconv.Itoa(i) + "].risks", "", nil
		}}

	checksSheet = child[checkRow]{name: ChecksSheet, en: "steps.checks",
		cols: []column[checkRow]{
			codeCol("step_key", "环节编码", 14, func(r *checkRow) *string { return &r.StepKey }),
			enumCol("kind", "监察类型", checkEnum, 14, func(r *checkRow) *catalog.CheckKind { return &r.Kind }),
			textCol("description", "监察内容", 40, func(r *checkRow) *string { return &r.Description }),
		},
		rows: func(v *catalog.ItemVersion) []checkRow {
			var out []checkRow
			for _, s := range v.Steps {
				for _, c := range s.Checks {
					out = append(out, checkRow{s.Key, c})
				}
			}
			return out
		},
		add: func(v *catalog.ItemVersion, r checkRow) (string, string, *cellError) {
			i, err := stepIndex(v, r.StepKey)
			if err != nil {
				return "", "step_key", err
			}
			v.Steps[i].Checks = append(v.Steps[i].Checks, r.SupervisionPoint)
			return "steps[" + strconv.Itoa(i) + "].checks", "", nil
		}}
)

// stepIndex finds the item's step with key k (the first, if keys repeat:
// Validate reports the repetition on the step sheet).
func stepIndex(v *catalog.ItemVersion, k string) (int, *cellError) {
	if k == "" {
		return 0, bad("catxlsx.step_key_is_required")
	}
	for i, s := range v.Steps {
		if s.Key == k {
			return i, nil
		}
	}
	return 0, bad("catxlsx.item_has_no_step_on_sheet", v.BaseCode, clip(k))
}
