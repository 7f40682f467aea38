package notify

import (
	"fmt"

	"github.com/qingdan/qingdan/internal/apperr"
)

// words are the package's user-visible words, message ID → {Chinese,
// English}, all in this one file so that they move to the coming message
// catalogue as they are (the IDs become its keys).
var words = map[string][2]string{
	"text.invalid":         {"含有无效字符（须为 UTF-8 文本且不含 NUL）", "contains invalid characters (it must be UTF-8 text without NUL)"},
	"text.too_long":        {"过长：最多 %d 个字符", "too long: at most %d characters"},
	"text.too_large":       {"过大：最多 %s", "too large: at most %s"},
	"root.pair":            {"root_type 与 root_id 须同时给出或同时省略", "root_type and root_id go together"},
	"body.required":        {"须指明消息所属的机构", "the body the message is sent for is required"},
	"subject.control":      {"标题不能含换行等控制字符", "the subject cannot contain line breaks or other control characters"},
	"subject.required":     {"标题不能为空", "the subject is required"},
	"subject.sms":          {"短信没有标题", "an SMS has no subject"},
	"body_text.required":   {"内容不能为空", "the text is required"},
	"body.webhook":         {"推送只携带 payload，不带标题和正文", "a webhook carries a payload, not a subject or text"},
	"link.inapp_only":      {"链接和条目只用于站内消息", "links and items are for in-app messages only"},
	"link.local":           {"链接须为本站路径（以单个 / 开头）：%s", "the link must be a path on this site (starting with one /): %s"},
	"payload.webhook_only": {"payload 只用于推送", "a payload is for webhooks only"},
	"payload.required":     {"推送须带 payload（JSON）", "a webhook needs a payload (JSON)"},
	"payload.json":         {"payload 不是有效的 JSON", "the payload is not valid JSON"},
	"channel.unknown":      {"未知的发送渠道 %q（可选 email、sms、webhook、inapp）", "unknown channel %q (email, sms, webhook or inapp)"},
	"recipient.email":      {"收件人不是有效的电子邮件地址：%s", "the recipient is not a valid email address: %s"},
	"recipient.staff":      {"站内消息的收件人须为人员编号：%s", "the recipient of an in-app message must be a staff id: %s"},
	"recipient.mobile":     {"不是有效的大陆手机号码（11 位，以 1 开头，第二位为 3–9）：%s", "not a valid mainland mobile number (11 digits, starting with 1 and then 3–9): %s"},
	"items.too_many":       {"条目过多：最多 %d 条", "too many items: at most %d"},
	"endpoint.name":        {"推送端点名称须为 1–64 个字母、数字、-、_ 或 .", "an endpoint's name must be 1–64 letters, digits, -, _ or ."},
	"endpoint.url":         {"推送地址须为 http 或 https 地址，含主机名，不含用户名、密码和片段：%s", "the endpoint's URL must be an http or https URL with a host and without user, password or fragment: %s"},
	"endpoint.url_long":    {"推送地址过长：最多 %d 个字符", "the endpoint's URL is too long: at most %d characters"},
	"sms.template":         {"短信网关的请求体模板无效：%v", "the SMS gateway's body template is invalid: %v"},
	"sms.method":           {"短信网关的请求方法须为 GET、POST 或 PUT：%s", "the SMS gateway's method must be GET, POST or PUT: %s"},
	"sms.url":              {"短信网关地址须为 http 或 https 地址：%s", "the SMS gateway's URL must be an http or https URL: %s"},
	"sms.header":           {"短信网关的请求头须写成“名称: 值”：%q", "an SMS gateway header must read \"Name: value\": %q"},
	"sms.ok":               {"短信网关的成功判断须写成“字段=值”，如 code=0：%q", "the SMS gateway's success check must read \"field=value\", e.g. code=0: %q"},
	"smtp.tls":             {"SMTP 加密方式须为 starttls、tls 或 none：%s", "the SMTP encryption must be starttls, tls or none: %s"},
	"smtp.from":            {"发件人不是有效的电子邮件地址：%s", "the sender is not a valid email address: %s"},
	"smtp.auth_plain":      {"未加密的连接上不发送 SMTP 密码（仅本机中继可关闭 STARTTLS）", "the SMTP password is not sent over an unencrypted connection (STARTTLS may be off only for a relay on this machine)"},
	"backoff.range":        {"重试间隔须为正，且最长间隔不小于首次间隔", "the retry delays must be positive, the longest no shorter than the first"},
	"attempts.range":       {"最大尝试次数须在 1 到 100 之间", "the maximum number of attempts must be between 1 and 100"},
	"message.none":         {"没有编号为 %d 的消息", "no message with id %d"},
	"message.not_dead":     {"消息 %d 不在死信中（只有放弃投递的消息可以重试）", "message %d is not a dead letter (only messages given up on can be retried)"},
	"message.not_yours":    {"没有编号为 %d 的站内消息", "no in-app message with id %d"},
	"message.foreign":      {"消息 %d 不属于您管辖的机构", "message %d belongs to a body outside your jurisdiction"},
	"outbox.admin":         {"只有管理员可以查看和重试发件箱", "only administrators see and retry the outbox"},
	"outbox.filter":        {"未知的筛选值 %q", "unknown filter value %q"},
	"endpoint.none":        {"没有编号为 %d 的推送端点", "no webhook endpoint with id %d"},
	"endpoint.taken":       {"已有名为 %q 的推送端点", "a webhook endpoint named %q exists already"},
	"endpoint.root":        {"推送端点由最高一级机构的管理员管理", "webhook endpoints are managed by the administrator of the root body"},
	"staff.only":           {"站内消息属于人员账号，此账号没有对应人员", "in-app messages belong to staff, and this account has no staff record"},
}

// invalid is an apperr.Invalid error on field with the words of message id.
func invalid(field, id string, args ...any) *apperr.Error {
	return refusal(apperr.Invalid, field, id, args...)
}

// refusal is an apperr error of code on field with the words of message id.
func refusal(code apperr.Code, field, id string, args ...any) *apperr.Error {
	w, ok := words[id]
	if !ok {
		panic("notify: no words for " + id) // a typo, found by the tests
	}
	return apperr.New(code, field, fmt.Sprintf(w[0], args...), fmt.Sprintf(w[1], args...))
}

// The refusals of the outbox, the inbox and the endpoints (notifydb).

// ErrNoMessage: no message with this id (or none the caller may see).
func ErrNoMessage(id int64) error { return refusal(apperr.NotFound, "", "message.none", id) }

// ErrNotDead: only a dead letter can be retried.
func ErrNotDead(id int64) error { return refusal(apperr.Conflict, "", "message.not_dead", id) }

// ErrNotInInbox: no such message in the caller's inbox.
func ErrNotInInbox(id int64) error { return refusal(apperr.NotFound, "", "message.not_yours", id) }

// ErrForeignMessage: the message's body is outside the caller's
// jurisdiction (O1).
func ErrForeignMessage(id int64) error { return refusal(apperr.Forbidden, "", "message.foreign", id) }

// ErrOutboxAdminOnly: the outbox is the administrators'.
func ErrOutboxAdminOnly() error { return refusal(apperr.Forbidden, "", "outbox.admin") }

// ErrFilter: a filter value that is no state or channel.
func ErrFilter(field, value string) error {
	return refusal(apperr.Invalid, field, "outbox.filter", value)
}

// ErrNoEndpoint: no endpoint with this id.
func ErrNoEndpoint(id int64) error { return refusal(apperr.NotFound, "", "endpoint.none", id) }

// ErrEndpointTaken: endpoint names are unique.
func ErrEndpointTaken(name string) error {
	return refusal(apperr.Conflict, "name", "endpoint.taken", name)
}

// ErrEndpointsRootOnly: endpoints (and their secrets) are the root body's
// administrator's.
func ErrEndpointsRootOnly() error { return refusal(apperr.Forbidden, "", "endpoint.root") }

// ErrNoStaff: an account without a staff record has no inbox.
func ErrNoStaff() error { return refusal(apperr.Forbidden, "", "staff.only") }
