package superviseweb

import "github.com/qingdan/qingdan/internal/web/page"

// messages are the pages' words, key → {Chinese, English}.
var messages = page.Messages{
	"dash.title":     {"电子监察", "E-supervision"},
	"dash.help":      {"本管辖范围内未消除的提醒、黄牌和红牌，按机构和单位统计（随亮牌和消牌实时更新）。点击数字查看对应办件。", "Open reminders, yellow and red cards in your jurisdiction, by body and unit, kept up to date as cards are raised and cleared. Follow a number to the cases behind it."},
	"dash.total":     {"合计：提醒 %d，黄牌 %d，红牌 %d", "In all: %d reminders, %d yellow, %d red"},
	"dash.none":      {"目前没有未消除的牌。", "No open cards."},
	"dash.all_cards": {"全部未消除的牌", "All open cards"},
	"col.body":       {"机构", "Body"},
	"col.unit":       {"单位", "Unit"},
	"col.whole":      {"（全机构）", "(whole body)"},
	"col.level":      {"级别", "Level"},
	"col.rule":       {"规则", "Rule"},
	"col.object":     {"对象", "Object"},
	"col.case":       {"办件", "Case"},
	"col.person":     {"责任人", "Responsible"},
	"col.at":         {"亮牌时刻", "Card's instant"},
	"col.raised":     {"发现时刻", "Raised"},
	"col.cleared":    {"消除时刻", "Cleared"},
	"col.detail":     {"说明", "Detail"},
	"level.reminder": {"提醒", "Reminder"},
	"level.yellow":   {"黄牌", "Yellow"},
	"level.red":      {"红牌", "Red"},
	"cards.title":    {"监察牌", "Cards"},
	"cards.none":     {"没有符合条件的牌。", "No cards match."},
	"cards.filter":   {"筛选", "Filter"},
	"cards.all":      {"含已消除", "cleared too"},
	"cards.any":      {"全部级别", "any level"},
	"cards.export":   {"导出 Excel", "Export to Excel"},
	"cards.open":     {"未消除", "open"},
	"cards.back":     {"返回监察总览", "Back to the dashboard"},
	"error.title":    {"出错了", "Something went wrong"},
	"errors":         {"请更正：", "Please correct:"},
}
