package casework

import (
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// Every message casework shows people, in Chinese and English, each naming
// the field it concerns. They are here, in one file, so that the message
// catalogue (issue #12 item 9) can take them over in one move.

func errEnv() error {
	return &apperr.Error{Code: apperr.Internal, Zh: "办件环境缺少时间、日历或流程", En: "the case environment lacks the time, calendar or flow"}
}

func errFlowVersion(r FlowRef) error {
	return apperr.New(apperr.Conflict, "flow",
		fmt.Sprintf("此办件按流程“%s”第%d版办理,不能按其他版本办理", r.Code, r.Version),
		fmt.Sprintf("this case runs on version %d of flow %q, not on another", r.Version, r.Code))
}

func errBackdated(last time.Time) error {
	return apperr.Invalidf("at", "不能倒签:办理时间不能早于上一次办理(%s)", "no backdating: an action cannot be dated before the last one (%s)",
		last.Format("2006-01-02 15:04"))
}

func errRule(field string) error {
	return apperr.Invalidf("rules."+field, "办件规则“%s”的取值无效", "the case rule %q has an invalid value", field)
}

func errAssisted() error {
	return apperr.Invalidf("assisted", "帮办代办是工作人员代申请人办理申请人的事项", "assisted handling is staff taking an applicant's action in their stead")
}

func errFlowKind(code string) error {
	return apperr.Invalidf("flow", "流程“%s”不是依申请办件的流程", "flow %q is not a flow for applications", code)
}

func errNumber(field, s string) error {
	return apperr.Invalidf(field, "办件编号“%s”无效:应为 机构编码-年份-序号,如 330199-2026-000123",
		"case number %q is invalid: it is body code-year-sequence, like 330199-2026-000123", s)
}

func errNumberBody(number, code string, year int) error {
	return apperr.Invalidf("number", "办件编号“%s”应以本机构编码%s和年份%d开头", "case number %q must begin with the body's code %s and the year %d",
		number, code, year)
}

func errQueryHash() error {
	return apperr.Invalidf("query_code", "缺少查询码", "the query code is missing")
}

func errNoSuchCase() error {
	return &apperr.Error{Code: apperr.NotFound, Field: "query_code",
		Zh: "办件编号或查询码不正确", En: "the case number or the query code is wrong"}
}

func errBody(field string) error {
	if field == "parent" {
		return apperr.Invalidf(field, "此流程须由上一级机关审查,缺少上一级机关", "this flow has steps at the level above, but no parent body is given")
	}
	return apperr.Invalidf(field, "缺少受理机构", "the body is missing")
}

func errItem(field, value string) error {
	return apperr.Invalidf(field, "事项信息不完整或无效:%s", "the item is incomplete or invalid: %s", value)
}

// standingWords names a standing in both languages, for C4's refusal.
func standingWords(s Standing) (zh, en string) {
	switch s {
	case Suspended:
		return "已暂停", "is suspended"
	case Cancelled:
		return "已取消", "is cancelled"
	}
	return "未列入权责清单", "is not on the published list"
}

func errNotListed(item string, s Standing) error {
	zh, en := standingWords(s)
	return apperr.New(apperr.Conflict, "item",
		fmt.Sprintf("事项“%s”%s,不能受理(清单外的权力不得行使,C4)", item, zh),
		fmt.Sprintf("item %q %s: no case may be opened or accepted under it (C4)", item, en))
}

func errOnlineStars(stars, least int) error {
	return apperr.New(apperr.Conflict, "channel",
		fmt.Sprintf("此事项网办深度为%d星,%d星及以上的事项才能网上申请,请到窗口办理", stars, least),
		fmt.Sprintf("this item has %d stars online; only items of %d stars or more can be applied for online: please come to the window", stars, least))
}

func errApplicantName() error {
	return apperr.Invalidf("applicant.name", "请填写申请人名称", "the applicant's name is required")
}

func errApplicantKind(k ApplicantKind) error {
	return apperr.Invalidf("applicant.kind", "申请人类型“%s”无效:应为自然人(身份证号码)或法人、其他组织(统一社会信用代码)",
		"applicant kind %q is invalid: a person (resident ID) or an organisation (credit code)", k)
}

func errUnknownMaterial(field, name string) error {
	return apperr.Invalidf(field, "“%s”不在此事项的申请材料目录中", "%q is not on the item's materials list", name)
}

func errDelivery(field string, d Delivery) error {
	return apperr.Invalidf(field, "送达方式“%s”无效(可用:window 窗口领取、post 邮寄、online 网上送达)",
		"delivery %q is invalid (known: window, post, online)", d)
}

func errNoLimit(item string) error {
	return apperr.Invalidf("item", "事项“%s”没有办结时限,流程的受理环节也没有时限", "item %q has no time limit, nor has the step acceptance leads to", item)
}

func errNotHolder(b Body) error {
	return apperr.New(apperr.Forbidden, "actor",
		fmt.Sprintf("此办件现由%s办理,你不能办理", b.Name), fmt.Sprintf("the case is with %s: you cannot act on it", b.Name))
}

func errNotOwner(owner, backup Staff) error {
	zh := fmt.Sprintf("此办件的首问责任人是%s,只有其本人办理", owner.Name)
	en := fmt.Sprintf("%s is the case's first responder and acts on it", owner.Name)
	if !backup.IsZero() {
		zh += fmt.Sprintf(";其离岗时由AB岗%s办理", backup.Name)
		en += fmt.Sprintf("; while away, the backup %s does", backup.Name)
	}
	return apperr.New(apperr.Forbidden, "actor", zh+"(H6、H13)", en+" (H6, H13)")
}

func errNotUnit(u Unit) error {
	return apperr.New(apperr.Forbidden, "unit",
		fmt.Sprintf("此办件由%s办理,你不属于该单位", unitName(u)), fmt.Sprintf("the case is with %s, which is not your unit", unitName(u)))
}

func unitName(u Unit) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Code
}

func errDays(field string) error {
	return apperr.Invalidf(field, "天数必须是正整数", "the number of days must be a whole number above 0")
}

// errClock words the clock's refusal (an extension over the ceiling, L3)
// for the action's field.
func errClock(err error) error {
	e := *apperr.As(err)
	if e.Field == "n" {
		e.Field = "days"
	}
	return &e
}

func errSpecialKind(got, want flow.SpecialKind) error {
	return apperr.Invalidf("kind", "此环节的特别程序是“%s”,不是“%s”", "the special procedure here is %q, not %q", want, got)
}

func errPauseTooLong(max calendar.Budget) error {
	zh, en := max.Unit.Names()
	return apperr.New(apperr.Invalid, "days", fmt.Sprintf("特别程序最长%d%s", max.N, zh),
		fmt.Sprintf("a special procedure lasts at most %d %s", max.N, en))
}

func errDeemed(days int, day calendar.Date) error {
	return apperr.New(apperr.Conflict, "at",
		fmt.Sprintf("收到材料后%d个工作日内未一次性告知,申请自%s起视为受理(L2),不能再要求补正或不予受理", days, day),
		fmt.Sprintf("no notice within %d working days of receipt: the application counts as accepted from %s (L2) and can no longer be sent back or refused", days, day))
}

func errNotDeemed(days int) error {
	return apperr.Conflictf("此办件不符合视为受理的条件(材料不全且%d个工作日内未告知)",
		"the case is not deemed accepted (materials incomplete and no notice within %d working days)", days)
}

func errNoAcceptAction(step string) error {
	return apperr.New(apperr.Conflict, "step", fmt.Sprintf("流程在“%s”环节没有受理动作", step),
		fmt.Sprintf("the flow has no acceptance from step %q", step))
}

func errNotEverything(left []string) error {
	return apperr.New(apperr.Invalid, "missing", "一次性告知须列明全部缺少的材料,还缺:"+strings.Join(left, "、")+"(H3)",
		"a one-time notice lists everything missing; it leaves out: "+strings.Join(left, ", ")+" (H3)")
}

func errSameUnit(u Unit) error {
	return apperr.New(apperr.Conflict, "unit", fmt.Sprintf("此办件已由%s办理", unitName(u)),
		fmt.Sprintf("the case is with %s already", unitName(u)))
}

func errCertificate() error {
	return apperr.Invalidf("certificate", "不予许可的办件没有证照编号", "a case not approved has no certificate number")
}

func errNotifiedAt() error {
	return apperr.Invalidf("notified_at", "通知时间不能晚于现在,也不能早于办结", "the notification time cannot be in the future or before completion")
}

// FlagText says what a flag means, for pages and reports.
func FlagText(rule string) (zh, en string) {
	switch rule {
	case "H2":
		return "即办件未当场办结", "an instant case not finished on the spot"
	case "H3":
		return "同一事项第三次要求补正材料", "the third supplementation round on one matter"
	case "H5":
		return "受理后未在当日或次个工作日移交职能单位", "not handed over the same or the next working day"
	case "H6":
		return "未在受理后1个工作日内转办", "not transferred within one working day of acceptance"
	case "H7":
		return "办结后未在当日或次个工作日通知申请人", "the applicant not notified the completion day or the next working day"
	case "L2":
		return "材料不全未在期限内一次性告知,视为受理", "no notice within the period: deemed accepted"
	case "L4":
		return "特别程序超过批准的期限", "a special procedure over its approved length"
	}
	return rule, rule
}
