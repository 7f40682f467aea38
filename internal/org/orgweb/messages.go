package orgweb

import (
	"fmt"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// messages are the pages' words, Chinese and English (a test checks every
// key used by a template is here).
var messages = map[string][2]string{
	"home":               {"首页", "Home"},
	"org.title":          {"组织机构", "Organisation"},
	"org.tree":           {"机构树", "Bodies"},
	"org.gaps":           {"未配齐负责人或联络员的单位（O2）", "Units without a head or list liaison (O2)"},
	"org.no_gaps":        {"所有单位均已配齐负责人和清单联络员。", "Every unit has its head and list liaison."},
	"org.import":         {"导入", "Import"},
	"org.staff":          {"人员", "Staff"},
	"org.inactive":       {"已停用", "inactive"},
	"org.active":         {"启用", "active"},
	"body.title":         {"机构：%s", "Body: %s"},
	"body.code":          {"编码", "Code"},
	"body.name":          {"名称", "Name"},
	"body.level":         {"层级", "Level"},
	"body.time_zone":     {"时区", "Time zone"},
	"body.path":          {"路径", "Path"},
	"body.parent":        {"上级机构", "Parent"},
	"body.children":      {"下级机构", "Sub-bodies"},
	"body.add_child":     {"新建下级机构", "New sub-body"},
	"body.edit":          {"修改", "Edit"},
	"body.move":          {"移动到新的上级机构（整个子树随之移动）", "Move under another parent (with its subtree)"},
	"body.move_to":       {"新的上级机构", "New parent"},
	"body.no_targets":    {"没有可移动到的上级机构。", "There is no body it could move under."},
	"body.deactivate":    {"停用机构", "Deactivate body"},
	"body.reactivate":    {"启用机构", "Reactivate body"},
	"unit.title":         {"单位：%s", "Unit: %s"},
	"unit.units":         {"单位", "Units"},
	"unit.add":           {"新建单位", "New unit"},
	"unit.kind":          {"类型", "Kind"},
	"unit.code":          {"单位编码", "Unit code"},
	"unit.head":          {"负责人", "Head"},
	"unit.liaison":       {"清单联络员", "List liaison"},
	"unit.set_head":      {"设为负责人", "Make head"},
	"unit.deactivate":    {"停用单位", "Deactivate unit"},
	"unit.reactivate":    {"启用单位", "Reactivate unit"},
	"unit.people":        {"人员（负责人一名，清单联络员一至二名）", "People (one head, one or two list liaisons)"},
	"staff.title":        {"人员：%s", "Staff: %s"},
	"staff.list":         {"人员查询", "Find staff"},
	"staff.search":       {"查询", "Search"},
	"staff.q":            {"姓名或电话", "Name or phone"},
	"staff.any_role":     {"任意角色", "any role"},
	"staff.add":          {"新建人员", "New staff member"},
	"staff.name":         {"姓名", "Name"},
	"staff.phone":        {"电话", "Phone"},
	"staff.body":         {"所属机构", "Body"},
	"staff.unit":         {"所属单位", "Unit"},
	"staff.no_unit":      {"（无）", "(none)"},
	"staff.roles":        {"角色", "Roles"},
	"staff.is_head":      {"单位负责人", "Head of the unit"},
	"staff.is_liaison":   {"清单联络员（须有该角色）", "List liaison (needs the role)"},
	"staff.deactivate":   {"停用人员", "Deactivate"},
	"staff.reactivate":   {"启用人员", "Reactivate"},
	"staff.none":         {"没有找到人员。", "No staff found."},
	"qual.title":         {"执法证", "Law-enforcement certificates"},
	"qual.cert_no":       {"证号", "Number"},
	"qual.scope":         {"执法范围", "Scope"},
	"qual.valid_from":    {"有效期起", "Valid from"},
	"qual.valid_to":      {"有效期止", "Valid to"},
	"qual.add":           {"登记执法证", "Register a certificate"},
	"qual.revoke":        {"注销", "Revoke"},
	"qual.none":          {"无执法证。", "No certificates."},
	"import.title":       {"导入组织机构", "Import the organisation"},
	"import.help":        {"上传 Excel (.xlsx) 或 CSV 文件。任何一行有错误时整个文件都不会导入，并按行号和列列出所有错误。", "Upload an Excel (.xlsx) or CSV file. If any row is bad, nothing is imported and every error is listed by row and column."},
	"import.file":        {"文件", "File"},
	"import.upload":      {"导入", "Import"},
	"import.template":    {"下载模板：", "Download the template:"},
	"import.ok":          {"已导入：机构 %d 个，单位 %d 个，人员 %d 名，执法证 %d 个。", "Imported: %d bodies, %d units, %d staff, %d certificates."},
	"import.failed":      {"未导入任何数据。共 %d 处错误：", "Nothing was imported. %d errors:"},
	"import.cell":        {"位置", "Cell"},
	"import.problem":     {"问题", "Problem"},
	"save":               {"保存", "Save"},
	"create":             {"新建", "Create"},
	"error.title":        {"出错了", "Something went wrong"},
	"errors":             {"未能完成：", "Not done:"},
	"done.created":       {"已新建。", "Created."},
	"done.saved":         {"已保存。", "Saved."},
	"done.moved":         {"已移动，下级机构的路径已一并更新。", "Moved; the paths of its subtree were updated too."},
	"done.deactivated":   {"已停用（记录保留）。", "Deactivated (the record stays)."},
	"done.reactivated":   {"已启用。", "Reactivated."},
	"gap.no_head":        {"缺负责人", "no head"},
	"gap.no_liaison":     {"缺清单联络员", "no list liaison"},
	"time_zone.default":  {"默认 Asia/Shanghai", "default Asia/Shanghai"},
	"yes":                {"是", "yes"},
	"staff.head_mark":    {"负责人", "head"},
	"staff.liaison_mark": {"联络员", "liaison"},
}

// msg returns a message in lang, formatted with args; an unknown key shows
// as itself so a missing message is visible, and a test catches it.
func msg(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == httpx.LangEn {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
