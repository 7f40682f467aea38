package catxlsx

import (
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the list's dates are read in Asia/Shanghai wherever the binary runs

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/msg"
)

// cellError is what a cell parser says about a bad value (a message); the
// caller adds where the cell is.
type cellError struct{ m msg.Message }

func (e *cellError) Error() string { return e.m.In("en") }

// In is the message in lang: a cellError is an argument of the caller's.
func (e *cellError) In(lang string) string { return e.m.In(lang) }

func bad(key string, args ...any) *cellError { return &cellError{msg.M(key, args...)} }

// maxCell bounds a cell's text: Excel itself stops at 32,767 characters,
// and a longer "cell" means a file built to waste memory.
const maxCell = 32767

// Zone is where dates without a zone are read and written (the list's
// bodies are in China; the store keeps UTC).
var Zone = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is embedded, so this cannot happen in a built binary.
		panic("catxlsx: " + err.Error())
	}
	return z
}

// Date layouts accepted on import, most specific first. Export writes the
// shortest one that keeps the instant exactly.
var dateLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"2006/1/2",
	"2006-1-2",
	"2006年1月2日",
	"20060102",
}

// FormatTime renders an instant in Zone: a bare date at midnight, seconds
// when they are whole, microseconds otherwise (what the store keeps), so
// ParseTime gives the same instant back.
func FormatTime(t time.Time) string {
	t = t.In(Zone)
	switch {
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0:
		return t.Format("2006-01-02")
	case t.Nanosecond() == 0:
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.999999999")
}

// ParseTime reads a date or date-time cell: the layouts above in Zone,
// RFC 3339 with its own offset, or an Excel serial date (a number, which is
// what a cell becomes once Excel recognises it as a date).
func ParseTime(s string) (time.Time, *cellError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, bad("catxlsx.date_is_required")
	}
	if len(s) > 64 {
		return time.Time{}, bad("catxlsx.not_a_date")
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(Zone), nil
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, Zone); err == nil {
			return t, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && f >= 1 && f < 2958466 {
		return excelSerial(f), nil
	}
	return time.Time{}, bad("catxlsx.is_not_a_date_write_it", clip(s))
}

// excelSerial converts an Excel serial date (1900 system, with Excel's
// phantom 29 February 1900) to an instant in Zone, to the second.
func excelSerial(f float64) time.Time {
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, Zone)
	if days < 61 {
		base = base.AddDate(0, 0, 1) // before 1 March 1900 Excel counts the day that never was
	}
	return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
}

// ParseInt reads a whole number between lo and hi. Excel may store a whole
// number as "20.0" or "2E1"; those are accepted, fractions are not.
func ParseInt(s string, lo, hi int64) (int64, *cellError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, bad("catxlsx.required_a_whole_number")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || len(s) > 32 || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, bad("catxlsx.is_not_a_whole_number", clip(s))
		}
		n = int64(f)
	}
	if n < lo || n > hi {
		return 0, bad("catxlsx.is_out_of_range_it_must", clip(s), strconv.FormatInt(lo, 10), strconv.FormatInt(hi, 10))
	}
	return n, nil
}

// ParseBool reads 是/否 (and the English and numeric forms people type).
func ParseBool(s string) (bool, *cellError) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "是", "yes", "y", "true", "1", "√", "✓":
		return true, nil
	case "否", "no", "n", "false", "0", "×", "✗":
		return false, nil
	case "":
		return false, bad("catxlsx.required_yes_or_no")
	}
	return false, bad("catxlsx.must_be_yes_or_no", clip(s))
}

// FormatBool writes 是/否.
func FormatBool(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// ParseCategory reads 事项类型 in any of the forms catalog.ParseCategory
// knows (Chinese name, English name, two-digit code, abbreviation).
func ParseCategory(s string) (catalog.Category, *cellError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", bad("catxlsx.category_is_required")
	}
	if c, ok := catalog.ParseCategory(s); ok {
		return c, nil
	}
	names := make([]string, 0, len(catalog.Categories))
	for _, i := range catalog.Categories {
		names = append(names, i.Zh)
	}
	return "", bad("catxlsx.is_not_one_of_the_eleven", clip(s), strings.Join(names, "、"))
}

// FormatCategory writes the Chinese name of a category.
func FormatCategory(c catalog.Category) string {
	if i, ok := c.Info(); ok {
		return i.Zh
	}
	return string(c)
}

// enum is a closed set of values written in Chinese and read in Chinese or
// by their English identifier.
type enum struct {
	what   string // for messages: 办件类型 / case type
	whatEn string
	vals   []enumVal
}

type enumVal struct {
	id string   // the model's value
	zh []string // the first is written
}

func (e enum) format(id string) string {
	for _, v := range e.vals {
		if v.id == id {
			return v.zh[0]
		}
	}
	return id // an unknown value goes out as is, so import can name it
}

func (e enum) parse(s string) (string, *cellError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", bad("catxlsx.is_required", e.what, e.whatEn)
	}
	var zh []string
	for _, v := range e.vals {
		if strings.EqualFold(s, v.id) {
			return v.id, nil
		}
		for _, z := range v.zh {
			if s == z {
				return v.id, nil
			}
		}
		zh = append(zh, v.zh[0])
	}
	return "", bad("catxlsx.is_not_a_valid_one_of", clip(s), e.what, strings.Join(zh, "、"),
		e.whatEn, strings.Join(zh, ", "))
}

var (
	exOfficioEnum = enum{"行使方式", "exercise mode", []enumVal{
		{"false", []string{"依申请"}}, {"true", []string{"依职权"}}}}
	statusEnum = enum{"状态", "status", []enumVal{
		{string(catalog.StatusPublished), []string{"已发布", "在用"}},
		{string(catalog.StatusSuspended), []string{"已暂停", "暂停"}},
		{string(catalog.StatusCancelled), []string{"已取消", "取消"}},
		{string(catalog.StatusSuperseded), []string{"已被替代"}},
		{string(catalog.StatusDraft), []string{"草稿", "新增"}}}}
	natureEnum = enum{"实施主体性质", "body nature", []enumVal{
		{string(catalog.StatutoryBody), []string{"法定机关"}},
		{string(catalog.AuthorisedOrg), []string{"法律法规授权组织", "授权组织"}},
		{string(catalog.EntrustedOrg), []string{"受委托组织"}}}}
	levelEnum = enum{"行使层级", "exercise level", []enumVal{
		{string(catalog.LevelCity), []string{"市级"}},
		{string(catalog.LevelDistrict), []string{"县(区)级", "县级", "区级", "县(区)级"}},
		{string(catalog.LevelTown), []string{"镇(乡、街道)级", "乡镇级", "街道级", "镇(乡、街道)级"}},
		{string(catalog.LevelCommunity), []string{"村(社区)级", "村级", "社区级", "村(社区)级"}}}}
	unitEnum = enum{"时限单位", "time unit", []enumVal{
		{string(catalog.WorkingDays), []string{"工作日"}},
		{string(catalog.NaturalDays), []string{"自然日"}},
		{string(catalog.Hours), []string{"小时"}}}}
	caseTypeEnum = enum{"办件类型", "case type", []enumVal{
		{string(catalog.Instant), []string{"即办件"}},
		{string(catalog.Promised), []string{"承诺件"}}}}
	necessityEnum = enum{"必要性", "necessity", []enumVal{
		{string(catalog.Required), []string{"必要"}},
		{string(catalog.Optional), []string{"非必要"}},
		{string(catalog.Deferrable), []string{"容缺后补"}}}}
	kindEnum = enum{"材料类型", "material kind", []enumVal{
		{string(catalog.Original), []string{"原件"}},
		{string(catalog.Copy), []string{"复印件"}},
		{string(catalog.OriginalAndCopy), []string{"原件和复印件"}}}}
	formEnum = enum{"材料形式", "material form", []enumVal{
		{string(catalog.Paper), []string{"纸质"}},
		{string(catalog.Electronic), []string{"电子"}},
		{string(catalog.PaperAndElectronic), []string{"纸质和电子"}}}}
	sourceEnum = enum{"来源渠道", "source", []enumVal{
		{string(catalog.FromApplicant), []string{"申请人自备"}},
		{string(catalog.FromGovernment), []string{"政府部门核发"}},
		{string(catalog.FromOther), []string{"其他"}}}}
	riskEnum = enum{"风险等级", "risk level", []enumVal{
		{string(catalog.RiskHigh), []string{"高"}},
		{string(catalog.RiskMedium), []string{"中"}},
		{string(catalog.RiskLow), []string{"低"}}}}
	roleEnum  = enum{"办理岗位", "acting role", roleVals()}
	checkEnum = enum{"监察类型", "supervision check", checkVals()}
)

// roleZh names the roles as the i18n catalogue of the web layer does; the
// template must not depend on package web.
var roleZh = map[access.Role]string{
	access.RoleWindow: "窗口", access.RoleUnitStaff: "站所/科室工作人员", access.RoleListLiaison: "清单联络员",
	access.RoleGeneralOffice: "党政办", access.RoleSupervisor: "监察", access.RoleExternalSupervisor: "外部监督员",
	access.RoleLeader: "领导", access.RoleAdmin: "系统管理员", access.RoleSecurityAdmin: "安全管理员", access.RoleAuditAdmin: "审计管理员",
	access.RoleSealKeeper: "印章管理员",
}

func roleVals() []enumVal {
	out := make([]enumVal, 0, len(access.AllRoles))
	for _, r := range access.AllRoles {
		zh := roleZh[r]
		if zh == "" {
			zh = string(r)
		}
		out = append(out, enumVal{string(r), []string{zh}})
	}
	return out
}

func checkVals() []enumVal {
	kinds := []catalog.CheckKind{catalog.CheckTimeLimit, catalog.CheckFee, catalog.CheckQualification,
		catalog.CheckTwoInvestigators, catalog.CheckRecusal, catalog.CheckFlowOrder, catalog.CheckDiscretion,
		catalog.CheckSupplementRepeats, catalog.CheckLateEntry, catalog.CheckDocuments}
	out := make([]enumVal, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, enumVal{string(k), []string{k.In("zh")}})
	}
	return out
}

// clip shortens a value quoted in a message, so a junk cell cannot make
// the error table enormous.
func clip(s string) string {
	const n = 40
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
