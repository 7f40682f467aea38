package notifyweb

import (
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/page"
)

// messages are the pages' words, key → {Chinese, English}, all in this one
// file (a test checks that every key a template uses is here, in both).
var messages = page.Messages{
	"outbox.title":        {"发件箱", "Outbox"},
	"outbox.help":         {"系统发出的邮件、短信、推送和站内消息（本管辖范围内机构的）。投递失败会按退避间隔自动重试，多次失败后转入死信；排除原因后可在此重试。", "The email, SMS, webhooks and in-app messages sent for the bodies of your jurisdiction. A failed delivery is retried with growing delays; after the last attempt the message is a dead letter, which you can retry here once the cause is fixed."},
	"outbox.counts":       {"按渠道和状态统计", "By channel and state"},
	"outbox.sent_window":  {"24 小时内送达", "sent in the last 24 h"},
	"outbox.filter":       {"筛选", "Filter"},
	"outbox.any_state":    {"全部状态", "any state"},
	"outbox.any_channel":  {"全部渠道", "any channel"},
	"outbox.none":         {"没有符合条件的消息。", "No messages match."},
	"outbox.retry":        {"重试", "Retry"},
	"outbox.retry_all":    {"重试全部死信（%d 条）", "Retry all dead letters (%d)"},
	"outbox.older":        {"更早的消息", "Older messages"},
	"col.id":              {"编号", "Id"},
	"col.created":         {"生成时间", "Enqueued"},
	"col.channel":         {"渠道", "Channel"},
	"col.recipient":       {"接收方", "Recipient"},
	"col.about":           {"内容", "About"},
	"col.state":           {"状态", "State"},
	"col.attempts":        {"尝试次数", "Attempts"},
	"col.next":            {"下次尝试", "Next attempt"},
	"col.error":           {"最近错误", "Last error"},
	"col.delivered":       {"送达时间", "Delivered"},
	"channel.email":       {"邮件", "Email"},
	"channel.sms":         {"短信", "SMS"},
	"channel.webhook":     {"推送", "Webhook"},
	"channel.inapp":       {"站内消息", "In-app"},
	"state.pending":       {"待发送", "pending"},
	"state.sending":       {"发送中", "sending"},
	"state.failed":        {"待重试", "failed, to retry"},
	"state.sent":          {"已送达", "sent"},
	"state.dead":          {"死信", "dead"},
	"webhooks.title":      {"推送端点", "Webhook endpoints"},
	"webhooks.help":       {"接收签名推送的外部系统（如监管单位）。每条推送带 Qingdan-Timestamp 与 Qingdan-Signature（以密钥计算的 HMAC-SHA256），接收方用密钥验签，并按 Qingdan-Delivery-Id 去重。密钥只在创建或更换时显示一次。", "The outside systems (a supervising unit …) that receive signed webhooks. Each carries Qingdan-Timestamp and Qingdan-Signature (HMAC-SHA256 with the secret); the receiver verifies it with the secret and dedupes on Qingdan-Delivery-Id. A secret is shown once, when it is made."},
	"webhooks.secret":     {"端点 %s 的密钥（只显示这一次，请立即交给接收方妥善保存）：", "The secret of endpoint %s (shown this once: hand it to the receiver now, to keep safe):"},
	"webhooks.name":       {"名称", "Name"},
	"webhooks.url":        {"地址", "URL"},
	"webhooks.active":     {"启用", "Active"},
	"webhooks.updated":    {"更新时间", "Updated"},
	"webhooks.save":       {"保存", "Save"},
	"webhooks.rotate":     {"更换密钥", "New secret"},
	"webhooks.create":     {"新建推送端点", "New webhook endpoint"},
	"webhooks.none":       {"还没有推送端点。", "No webhook endpoints yet."},
	"webhooks.name_help":  {"字母、数字、-、_ 或 .，消息以此名称指定端点", "letters, digits, -, _ or .; messages name the endpoint by it"},
	"inbox.title":         {"站内消息", "Inbox"},
	"inbox.unread":        {"未读 %d 条", "%d unread"},
	"inbox.none":          {"没有站内消息。", "No messages."},
	"inbox.read":          {"标为已读", "Mark as read"},
	"inbox.read_all":      {"全部标为已读", "Mark all as read"},
	"inbox.is_read":       {"已读", "read"},
	"inbox.is_unread":     {"未读", "unread"},
	"inbox.open":          {"查看", "Open"},
	"inbox.older":         {"更早的消息", "Older messages"},
	"create":              {"新建", "Create"},
	"error.title":         {"出错了", "Something went wrong"},
	"errors":              {"未能完成：", "Not done:"},
	"done.retried":        {"已重新排队投递。", "Queued for delivery again."},
	"done.retried_all":    {"死信已重新排队投递（每次最多 1000 条）。", "The dead letters are queued for delivery again (at most 1,000 at a time)."},
	"done.saved":          {"已保存。", "Saved."},
	"done.read":           {"已标为已读。", "Marked as read."},
	"done.read_all":       {"已全部标为已读。", "All marked as read."},
	"field.channel":       {"渠道", "Channel"},
	"field.state":         {"状态", "State"},
	"field.name":          {"名称", "Name"},
	"field.url":           {"地址", "URL"},
	"field.before":        {"分页位置", "Page position"},
	"field.limit":         {"条数", "Limit"},
	"badge.inbox":         {"站内消息", "Inbox"},
	"badge.inbox_unread":  {"站内消息（%d 条未读）", "Inbox (%d unread)"},
	"notify.not_a_number": {"%s 须为非负整数", "%s must be a whole number ≥ 0"},
}

// errNotNumber refuses a query parameter that is no whole number ≥ 0.
func errNotNumber(name string) error {
	w := messages["notify.not_a_number"]
	return apperr.Invalidf(name, w[0], w[1], name)
}

// Badge is the inbox's entry in the site header, in lang: its text and the
// words a screen reader says for it with the unread count (the binary
// wires it into web.Deps.Badges).
func Badge(lang string, unread int) (text, label string) {
	text = messages.Text(lang, "badge.inbox")
	if unread == 0 {
		return text, text
	}
	return text, messages.Text(lang, "badge.inbox_unread", unread)
}
