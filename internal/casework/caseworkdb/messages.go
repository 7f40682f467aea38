package caseworkdb

import (
	"fmt"

	"github.com/qingdan/qingdan/internal/apperr"
)

// The refusals of the storage layer, in one place; casework's own are in
// casework/messages.go.

func errNoCase(number string) error {
	return apperr.New(apperr.NotFound, "number", fmt.Sprintf("没有办件 %s", clip(number)), fmt.Sprintf("no case %s", clip(number)))
}

func errNotYours(number string) error {
	return apperr.Forbiddenf("办件 %s 不在您的辖区内", "case %s is outside your jurisdiction", clip(number))
}

func errBodyNotYours(body string) error {
	return apperr.Forbiddenf("%s 不在您的辖区内", "%s is outside your jurisdiction", clip(body))
}

func errStaffOnly() error {
	return apperr.Forbiddenf("须以工作人员身份登录", "only staff may do this")
}

func errNotOnList(code string) error {
	return apperr.New(apperr.Conflict, "item", fmt.Sprintf("事项“%s”不在清单内，不能受理", clip(code)),
		fmt.Sprintf("item %q is not on the list; no case may be opened", clip(code)))
}

func errNoBody() error {
	return apperr.New(apperr.Invalid, "body", "须指明受理的单位", "the body that receives the application is required")
}

func errStale(number string) error {
	return apperr.Stale("办件 "+number, "case "+number)
}

func errKey() error {
	return apperr.New(apperr.Invalid, "Idempotency-Key", "Idempotency-Key 须为 16 到 200 个可见 ASCII 字符（建议使用随机 UUID）",
		"Idempotency-Key must be 16 to 200 visible ASCII characters (a random UUID is best)")
}

func errKeyReused() error {
	return apperr.New(apperr.Conflict, "Idempotency-Key", "此 Idempotency-Key 已用于另一份不同的申请",
		"this Idempotency-Key was used for a different application")
}

func errPhone() error {
	return apperr.New(apperr.Invalid, "applicant.phone", "申请人电话须为中国大陆手机号码", "the applicant's phone must be a mainland mobile number")
}

func errPaging(field string) error {
	return apperr.Invalidf(field, "分页参数无效", "invalid paging parameter")
}

func errStatus(s string) error {
	return apperr.Invalidf("status", "未知的办件状态 %q", "unknown case status %q", clip(s))
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
