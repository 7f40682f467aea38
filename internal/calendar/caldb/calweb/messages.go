package calweb

import "fmt"

// messages are the pages' words, key → [zh, en]. They live here rather than
// in the web package's catalogue because the web package offers feature
// packages no way to add keys; a test checks every template key exists.
var messages = map[string][2]string{
	"title":               {"工作日历", "Working-day calendar"},
	"home":                {"首页", "Home"},
	"lang.other":          {"English", "中文"},
	"years":               {"节假日数据", "Holiday data by year"},
	"col.year":            {"年份", "Year"},
	"col.source":          {"来源", "Source"},
	"col.file":            {"文件", "File"},
	"col.updated":         {"更新", "Updated"},
	"col.off":             {"放假天数", "Days off"},
	"col.work":            {"调休上班天数", "Make-up working days"},
	"col.date":            {"日期", "Date"},
	"col.name":            {"名称", "Name"},
	"col.kind":            {"类别", "Kind"},
	"col.body":            {"单位", "Body"},
	"col.by":              {"操作人", "By"},
	"source.embedded":     {"随软件发布", "shipped with the software"},
	"source.upload":       {"上传", "uploaded"},
	"source.edit":         {"单日修改", "edited by day"},
	"kind.off":            {"放假", "day off"},
	"kind.work":           {"上班", "working day"},
	"view":                {"查看", "view"},
	"upload.title":        {"导入一年的数据", "Import a year"},
	"upload.hint":         {"国务院办公厅放假通知，holiday-cn JSON（{year, days:[{name,date,isOffDay}]}）或 iCalendar（.ics）文件。文件有误时不保存任何内容。", "The State Council's holiday notice as a holiday-cn JSON file ({year, days:[{name,date,isOffDay}]}) or an iCalendar (.ics) file. Nothing is stored when the file has an error."},
	"upload.file":         {"文件", "File"},
	"upload.submit":       {"导入", "Import"},
	"day.title":           {"修改单日", "Edit one day"},
	"day.hint":            {"把某一天设为放假或上班；设为与其星期相同的状态（周二上班、周日休息）即撤销修改。该年须已有数据。", "Make one date a day off or a working day; setting it to what its weekday already is (a working Tuesday, a rest Sunday) removes the change. The year must already have data."},
	"day.date":            {"日期", "Date"},
	"day.kind":            {"状态", "Status"},
	"day.name":            {"名称（节日或调休）", "Name (holiday or make-up day)"},
	"day.submit":          {"保存", "Save"},
	"regional.title":      {"地方节假日", "Regional holidays"},
	"regional.hint":       {"地方节假日适用于该单位及其下级单位。", "A regional day applies to the body and every body below it."},
	"regional.body":       {"%s：地方节假日与办公时间", "%s: regional days and business hours"},
	"regional.none":       {"没有适用于该单位的地方节假日。", "No regional days apply to this body."},
	"regional.inherited":  {"上级单位设定", "set by a parent body"},
	"regional.add":        {"添加地方节假日", "Add a regional day"},
	"regional.submit":     {"添加", "Add"},
	"regional.remove":     {"删除", "Remove"},
	"regional.back":       {"返回工作日历", "Back to the calendar"},
	"year.title":          {"%d 年节假日", "Holidays of %d"},
	"year.none":           {"该年没有列出任何日期。", "The year lists no dates."},
	"done.imported":       {"已导入。", "Imported."},
	"done.day":            {"已保存。", "Saved."},
	"done.regional_add":   {"已添加地方节假日。", "Regional day added."},
	"done.regional_del":   {"已删除地方节假日。", "Regional day removed."},
	"hours.title":         {"办公时间", "Business hours"},
	"hours.hint":          {"按工作小时计算的期限只在工作日的办公时间内计时（按自然小时计算的期限不受影响）。办公时间适用于该单位及未自行设定的下级单位。格式：HH:MM-HH:MM，多个时段用逗号分隔，按时间先后、互不重叠。", "Limits counted in working hours run only inside the business hours of working days (limits in hours on the clock are not affected). The hours apply to the body and to every body below that sets none. Format: HH:MM-HH:MM, several intervals separated by commas, ascending and not overlapping."},
	"hours.effective":     {"当前适用：%s（每个工作日 %d 分钟）", "In effect: %s (%d minutes per working day)"},
	"hours.own":           {"本单位设定（%s，%s）", "set by this body (%s, %s)"},
	"hours.inherited":     {"沿用上级单位 %s 的设定", "inherited from %s"},
	"hours.default":       {"默认办公时间（本单位及上级单位均未设定）", "the default (neither this body nor a parent body sets any)"},
	"hours.input":         {"本单位的办公时间", "This body's own business hours"},
	"hours.submit":        {"保存", "Save"},
	"hours.clear":         {"清除本单位设定（沿用上级）", "Clear this body's own (inherit)"},
	"done.hours_set":      {"已保存办公时间。", "Business hours saved."},
	"done.hours_cleared":  {"已清除本单位的办公时间，现沿用上级单位或默认设定。", "This body's own business hours cleared: it inherits again."},
	"error.title":         {"出错了", "Something went wrong"},
	"error.request_id":    {"请求编号", "Request ID"},
	"missing.title":       {"缺少节假日数据", "Holiday data missing"},
	"missing.link":        {"去导入", "Import it"},
	"form.bad":            {"表单无法读取", "The form could not be read"},
	"form.file_missing":   {"请选择要导入的文件", "Choose the file to import"},
	"form.file_too_large": {"文件过大（上限 1 MB）", "The file is too large (limit 1 MB)"},
}

// text returns key in lang, formatted with args; a missing key shows itself.
func text(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == "en" {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
