package casework

import (
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/msg"
)

// Every message casework shows people, in Chinese and English, each naming
// the field it concerns. They are here, in one file, so that the message
// catalogue (issue #12 item 9) can take them over in one move.

func errEnv() error {
	return &apperr.Error{Code: apperr.Internal, Key: "casework.the_case_environment_lacks_the_time"}
}

func errFlowVersion(r FlowRef) error {
	return apperr.New(apperr.Conflict, "flow", "casework.this_case_runs_on_version_of", r.Code, r.Version)
}

func errBackdated(last time.Time) error {
	return apperr.Invalidf("at", "casework.no_backdating_an_action_cannot_be", last.Format("2006-01-02 15:04"))
}

func errRule(field string) error {
	return apperr.Invalidf("rules."+field, "casework.the_case_rule_has_an_invalid", field)
}

func errAssisted() error {
	return apperr.Invalidf("assisted", "casework.assisted_handling_is_staff_taking_an")
}

func errFlowKind(code string) error {
	return apperr.Invalidf("flow", "casework.flow_is_not_a_flow_for", code)
}

func errNumber(field, s string) error {
	return apperr.Invalidf(field, "casework.case_number_is_invalid_it_is", s)
}

func errNumberBody(number, code string, year int) error {
	return apperr.Invalidf("number", "casework.case_number_must_begin_with_the", number, code, year)
}

func errQueryHash() error {
	return apperr.Invalidf("query_code", "casework.the_query_code_is_missing")
}

func errNoSuchCase() error {
	return &apperr.Error{Code: apperr.NotFound, Field: "query_code", Key: "casework.the_case_number_or_the_query"}
}

func errBody(field string) error {
	if field == "parent" {
		return apperr.Invalidf(field, "casework.this_flow_has_steps_at_the")
	}
	return apperr.Invalidf(field, "casework.the_body_is_missing")
}

func errItem(field, value string) error {
	return apperr.Invalidf(field, "casework.the_item_is_incomplete_or_invalid", value)
}

// standingWords names a standing, for C4's refusal.
func standingWords(s Standing) msg.Message {
	switch s {
	case Suspended:
		return msg.M("casework.standing.suspended")
	case Cancelled:
		return msg.M("casework.standing.cancelled")
	}
	return msg.M("casework.standing.unlisted")
}

func errNotListed(item string, s Standing) error {
	return apperr.New(apperr.Conflict, "item", "casework.item_no_case_may_be_opened", item, standingWords(s))
}

func errOnlineStars(stars, least int) error {
	return apperr.New(apperr.Conflict, "channel", "casework.this_item_has_stars_online_only", stars, least)
}

func errApplicantName() error {
	return apperr.Invalidf("applicant.name", "casework.the_applicant_s_name_is_required")
}

func errApplicantKind(k ApplicantKind) error {
	return apperr.Invalidf("applicant.kind", "casework.applicant_kind_is_invalid_a_person", k)
}

func errUnknownMaterial(field, name string) error {
	return apperr.Invalidf(field, "casework.is_not_on_the_item_s", name)
}

func errDelivery(field string, d Delivery) error {
	return apperr.Invalidf(field, "casework.delivery_is_invalid_known_window_post", d)
}

func errNoLimit(item string) error {
	return apperr.Invalidf("item", "casework.item_has_no_time_limit_nor", item)
}

func errNotHolder(b Body) error {
	return apperr.New(apperr.Forbidden, "actor", "casework.the_case_is_with_you_cannot", b.Name)
}

func errNotOwner(owner, backup Staff) error {
	if !backup.IsZero() {
		return apperr.New(apperr.Forbidden, "actor", "casework.first_responder_or_backup_acts", owner.Name, backup.Name)
	}
	return apperr.New(apperr.Forbidden, "actor", "casework.first_responder_acts", owner.Name)
}

func errNotUnit(u Unit) error {
	return apperr.New(apperr.Forbidden, "unit", "casework.the_case_is_with_which_is", unitName(u))
}

func unitName(u Unit) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Code
}

func errDays(field string) error {
	return apperr.Invalidf(field, "casework.the_number_of_days_must_be")
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
	return apperr.Invalidf("kind", "casework.the_special_procedure_here_is_not", want, got)
}

func errPauseTooLong(max calendar.Budget) error {
	return apperr.New(apperr.Invalid, "days", "casework.a_special_procedure_lasts_at_most", max.N, max.Unit, max.Unit)
}

func errDeemed(days int, day calendar.Date) error {
	return apperr.New(apperr.Conflict, "at", "casework.no_notice_within_working_days_of", days, day)
}

func errNotDeemed(days int) error {
	return apperr.Conflictf("casework.the_case_is_not_deemed_accepted", days)
}

func errNoAcceptAction(step string) error {
	return apperr.New(apperr.Conflict, "step", "casework.the_flow_has_no_acceptance_from", step)
}

func errNotEverything(left []string) error {
	return apperr.New(apperr.Invalid, "missing", "casework.a_one_time_notice_lists_everything", strings.Join(left, "、"),
		strings.Join(left, ", "))
}

func errSameUnit(u Unit) error {
	return apperr.New(apperr.Conflict, "unit", "casework.the_case_is_with_already", unitName(u))
}

func errCertificate() error {
	return apperr.Invalidf("certificate", "casework.a_case_not_approved_has_no")
}

func errNotifiedAt() error {
	return apperr.Invalidf("notified_at", "casework.the_notification_time_cannot_be_in")
}

// FlagText says in lang what a flag means, for pages and reports; an
// unknown rule is named by itself.
func FlagText(lang, rule string) string { return msg.Name(lang, "casework.flag", rule) }
