// Package apperr is qingdan's one error vocabulary. Domain packages return
// *Error for anything a user can act on; adapters (web, api) map Code to an
// HTTP status in one table and show only Message, in the request's language.
// An Error carries a message ID of internal/msg and its arguments, not
// sentences. Anything that is not an *Error is internal and is logged, never
// shown.
package apperr

import (
	"errors"
	"fmt"

	"github.com/qingdan/qingdan/internal/msg"
)

// Code classifies an error. The set is closed: adapters map each to a status.
type Code string

const (
	Invalid      Code = "invalid"      // bad input; Field names it
	NotFound     Code = "not_found"    // no such object (or not visible to you)
	Conflict     Code = "conflict"     // state does not allow it (already published, duplicate code …)
	Unauthorized Code = "unauthorized" // not logged in / bad token
	Forbidden    Code = "forbidden"    // logged in, but role or jurisdiction does not allow it
	TooMany      Code = "too_many"     // throttled or locked out, or the server is busy
	TooLarge     Code = "too_large"    // a request body over its size limit
	Internal     Code = "internal"     // a bug or an outage; details only in the log
	// VersionRequired: an edit that does not say which version of the
	// object it was based on (no If-Match, no version field), so a lost
	// update could not be told apart from an intended overwrite.
	VersionRequired Code = "version_required"
)

// FieldVersion names the base version of an edit: the hidden form field,
// and the field of a stale edit's Conflict (If-Match in the API).
const FieldVersion = "version"

// Error is a safe error: the message msg.Text(lang, Key, Args...) says what
// is wrong in either language; Field is the input field (form name, JSON
// path, "sheet!B7", "line 12") it concerns.
type Error struct {
	Code  Code
	Field string
	Key   string // message ID (internal/msg)
	Args  []any  // the message's arguments; a msg.Localized one is worded in the message's language
	Err   error  // optional cause, for logs only
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s / %s", e.Code, e.Field, e.Message("zh"), e.Message("en"))
	}
	return fmt.Sprintf("%s: %s / %s", e.Code, e.Message("zh"), e.Message("en"))
}

func (e *Error) Unwrap() error { return e.Err }

// Message returns the message in the given language ("en" or anything else
// for Chinese, the default).
func (e *Error) Message(lang string) string { return msg.Text(lang, e.Key, e.Args...) }

// In is Message: an error is a msg.Localized argument of another message
// (a row's number before the error found in it).
func (e *Error) In(lang string) string { return e.Message(lang) }

// New builds an error of the given code with message key and its args.
func New(code Code, field, key string, args ...any) *Error {
	return &Error{Code: code, Field: field, Key: key, Args: args}
}

// Invalidf reports bad input in one field.
func Invalidf(field, key string, args ...any) *Error { return New(Invalid, field, key, args...) }

// NotFoundf reports a missing object.
func NotFoundf(key string, args ...any) *Error { return New(NotFound, "", key, args...) }

// Conflictf reports a state conflict.
func Conflictf(key string, args ...any) *Error { return New(Conflict, "", key, args...) }

// Forbiddenf reports a role or jurisdiction refusal.
func Forbiddenf(key string, args ...any) *Error { return New(Forbidden, "", key, args...) }

// Stale reports an edit based on a version of the object that is no longer
// current: someone else saved it after the editor read it. Nothing is
// changed. Message key with args names the object ("人员「张三」",
// "staff member 张三").
func Stale(key string, args ...any) *Error {
	return New(Conflict, FieldVersion, "apperr.stale", msg.M(key, args...))
}

// IsStale reports whether err is (or wraps) a Stale error.
func IsStale(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == Conflict && e.Field == FieldVersion
}

// VersionMissing reports an edit that does not say which version it was
// based on (the API's If-Match, a form's version field), on FieldVersion.
func VersionMissing() *Error {
	return New(VersionRequired, FieldVersion, "apperr.version_required")
}

// As returns the *Error in err's chain, or an Internal error wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Key: "apperr.internal", Err: err}
}

// CodeOf returns the code of err (Internal for foreign errors, "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Size names a byte count in a message: "64 KB", "20 MB", "1.5 MB".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)>>10)
}

// List collects several field errors (an import with many bad rows) into one.
type List []*Error

func (l List) Error() string {
	if len(l) == 0 {
		return "no errors"
	}
	return fmt.Sprintf("%d errors, first: %s", len(l), l[0].Error())
}
