package caseworkdb

import (
	"github.com/qingdan/qingdan/internal/apperr"
)

// The refusals of the storage layer, in one place; casework's own are in
// casework/messages.go.

func errNoCase(number string) error {
	return apperr.New(apperr.NotFound, "number", "caseworkdb.no_case", clip(number))
}

func errNotYours(number string) error {
	return apperr.Forbiddenf("caseworkdb.case_is_outside_your_jurisdiction", clip(number))
}

func errBodyNotYours(body string) error {
	return apperr.Forbiddenf("caseworkdb.is_outside_your_jurisdiction", clip(body))
}

func errStaffOnly() error {
	return apperr.Forbiddenf("caseworkdb.only_staff_may_do_this")
}

func errNotOnList(code string) error {
	return apperr.New(apperr.Conflict, "item", "caseworkdb.item_is_not_on_the_list", clip(code))
}

func errNoBody() error {
	return apperr.New(apperr.Invalid, "body", "caseworkdb.the_body_that_receives_the_application")
}

func errStale(number string) error {
	return apperr.Stale("caseworkdb.case", number)
}

func errKey() error {
	return apperr.New(apperr.Invalid, "Idempotency-Key", "caseworkdb.idempotency_key_must_be_16_to")
}

func errKeyReused() error {
	return apperr.New(apperr.Conflict, "Idempotency-Key", "caseworkdb.this_idempotency_key_was_used_for")
}

func errPhone() error {
	return apperr.New(apperr.Invalid, "applicant.phone", "caseworkdb.the_applicant_s_phone_must_be")
}

func errPaging(field string) error {
	return apperr.Invalidf(field, "caseworkdb.invalid_paging_parameter")
}

func errStatus(s string) error {
	return apperr.Invalidf("status", "caseworkdb.unknown_case_status", clip(s))
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
