package authweb

import (
	"fmt"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// messages are the pages' words, Chinese and English (a test checks that
// every key a template uses is here, in both).
var messages = map[string][2]string{
	"accounts.title":             {"账号管理", "Accounts"},
	"accounts.help":              {"管辖范围内的人员及其登录账号。账号属于个人，不得共用或外借（O3）。", "Staff of your jurisdiction and their login accounts. An account is personal: never shared or lent (O3)."},
	"accounts.q":                 {"姓名或电话", "Name or phone"},
	"accounts.search":            {"查询", "Search"},
	"accounts.none":              {"没有找到人员。", "No staff found."},
	"accounts.manage":            {"管理", "Manage"},
	"account.title":              {"账号：%s", "Account: %s"},
	"account.back":               {"返回账号列表", "Back to the accounts"},
	"account.create":             {"开通账号", "Create the account"},
	"account.create_help":        {"设置初始密码并当面或通过安全渠道告知本人；本人首次登录时必须修改密码。", "Set an initial password and hand it over in person or by a safe channel; the owner must change it at first login."},
	"account.reset":              {"重置密码", "Reset the password"},
	"account.reset_help":         {"设置新的初始密码：账号解锁，所有会话结束，本人下次登录时必须修改密码。", "Set a new initial password: the account is unlocked, all its sessions end and the owner must change the password at the next login."},
	"account.deactivate":         {"停用账号", "Deactivate the account"},
	"account.reactivate":         {"启用账号", "Reactivate the account"},
	"account.deactivate_help":    {"停用后立即退出所有会话，访问令牌停止生效；记录保留。", "Deactivating ends all sessions at once and stops its API tokens; the record stays."},
	"account.staff_inactive":     {"该人员已停用。", "This staff member is deactivated."},
	"account.created_at":         {"开通时间", "Created"},
	"account.password_changed":   {"上次改密", "Password changed"},
	"account.never":              {"从未（仍为初始密码）", "never (initial password)"},
	"account.failed":             {"连续登录失败次数", "Failed logins in a row"},
	"col.name":                   {"姓名", "Name"},
	"col.body":                   {"所属机构", "Body"},
	"col.roles":                  {"角色", "Roles"},
	"col.login":                  {"账号名", "Login"},
	"col.state":                  {"账号状态", "Account state"},
	"state.none":                 {"未开通", "none"},
	"state.inactive":             {"已停用", "deactivated"},
	"state.locked":               {"已锁定至 %s", "locked until %s"},
	"state.must_change_password": {"待本人修改初始密码", "must change the password"},
	"state.active":               {"正常", "active"},
	"field.login":                {"账号名", "Login"},
	"field.password":             {"密码", "Password"},
	"field.staff_id":             {"人员", "Staff member"},
	"field.active":               {"启用状态", "Active"},
	"field.name":                 {"令牌名称", "Token name"},
	"field.scopes":               {"权限范围", "Scopes"},
	"field.form":                 {"表单", "Form"},
	"form.login_help":            {"2–64 个字符：小写字母、数字和 . _ - @", "2–64 characters: letters, digits and . _ - @"},
	"form.password_help":         {"至少 10 个字符，不得包含账号名", "at least 10 characters, not containing the login"},
	"tokens.title":               {"访问令牌", "API tokens"},
	"tokens.help":                {"访问令牌供其他系统以您的名义调用接口（Authorization: Bearer …）。令牌只能使用您选择的角色，可随时吊销。", "API tokens let other systems call the API in your name (Authorization: Bearer …). A token can use only the roles you choose, and you can revoke it at any time."},
	"tokens.none":                {"您还没有访问令牌。", "You have no API tokens."},
	"tokens.create":              {"创建访问令牌", "Create an API token"},
	"tokens.name":                {"名称（用途）", "Name (what it is for)"},
	"tokens.scopes":              {"权限范围（您的角色）", "Scopes (your roles)"},
	"tokens.scopes_col":          {"权限范围", "Scopes"},
	"tokens.created":             {"创建时间", "Created"},
	"tokens.last_used":           {"最近使用", "Last used"},
	"tokens.never_used":          {"从未使用", "never"},
	"tokens.status":              {"状态", "Status"},
	"tokens.live":                {"有效", "live"},
	"tokens.revoked":             {"已吊销（%s）", "revoked (%s)"},
	"tokens.revoke":              {"吊销", "Revoke"},
	"tokens.secret_title":        {"新令牌“%s”已创建", "New token “%s” created"},
	"tokens.secret_warning":      {"请立即复制并妥善保存：此令牌只显示这一次，系统只保存其摘要，无法再次查看。不得共享或泄露；如有泄露，请立即吊销。", "Copy it now and keep it safe: it is shown this once, only its hash is stored and it cannot be shown again. Never share or leak it; if it leaks, revoke it at once."},
	"create":                     {"创建", "Create"},
	"error.title":                {"出错了", "Something went wrong"},
	"errors":                     {"未能完成：", "Not done:"},
	"done.created":               {"账号已开通，本人首次登录时须修改密码。", "Account created; the owner must change the password at first login."},
	"done.reset":                 {"密码已重置，本人下次登录时须修改密码。", "Password reset; the owner must change it at the next login."},
	"done.deactivated":           {"账号已停用。", "Account deactivated."},
	"done.reactivated":           {"账号已启用。", "Account reactivated."},
	"done.revoked":               {"令牌已吊销。", "Token revoked."},
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
