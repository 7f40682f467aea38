package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Concurrent edits (docs/INTERNALS.md): every editable object has an
// integer version. A GET answers with it as the ETag; a PUT or PATCH must
// send it back as If-Match (428 without); an edit based on an older version
// changes nothing and is answered 409 with the object as it is now. Actions
// (POST …/deactivate, …/actions) accept If-Match and then check it too.

// ETag is the entity tag of an object at a version: the number, quoted.
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// SetETag puts an object's version in the ETag header.
func SetETag(w http.ResponseWriter, version int64) { w.Header().Set("ETag", ETag(version)) }

// IfMatch returns the version an edit is based on, from If-Match: its
// absence is a VersionRequired error (428). A value that is not one
// version (a list, "*", a weak tag, anything else) is Invalid, naming
// If-Match: matching "any version" would be the lost update the header
// exists to prevent. Most edits read it with OptionalIfMatch and leave the
// refusal of a missing one to their service, which checks permissions
// first (a forbidden edit is 403 whatever its headers).
func IfMatch(r *http.Request) (int64, error) {
	v, err := OptionalIfMatch(r)
	if err == nil && v == 0 {
		return 0, apperr.VersionMissing()
	}
	return v, err
}

// OptionalIfMatch is IfMatch that answers 0 when the header is absent: an
// action is then not checked against a version, and an edit is refused by
// its service (after its permission checks).
func OptionalIfMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, nil
	}
	// Quoted as sent back from ETag; a bare number is accepted too, as
	// people type it with curl.
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(h, `"`), `"`), 10, 64)
	if err != nil || n <= 0 || strings.Count(h, `"`)%2 != 0 {
		return 0, apperr.Invalidf("If-Match", "api.if_match_must_be_one_version", clipHeader(h))
	}
	return n, nil
}

func clipHeader(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// WriteVersioned answers v with the given status and its version as ETag.
func WriteVersioned(w http.ResponseWriter, r *http.Request, status int, v any, version int64) {
	SetETag(w, version)
	WriteJSON(w, r, status, v)
}

// Edited answers a write to a versioned object: on success v, with its
// version (version(v)) as ETag; when err is a stale edit, 409 with the
// object as it is stored now (read by current) in the error's "current"
// and its ETag, so the client can merge what it sent with what is there;
// any other error as WriteError does.
func Edited[T any](w http.ResponseWriter, r *http.Request, status int, v T, err error, version func(T) int64, current func() (T, error)) {
	if err == nil {
		WriteVersioned(w, r, status, v, version(v))
		return
	}
	if apperr.IsStale(err) {
		// The object may be gone or out of reach by now; the stale error
		// alone still says what happened.
		if cur, cerr := current(); cerr == nil {
			WriteStale(w, r, err, cur, version(cur))
			return
		}
	}
	WriteError(w, r, err)
}

// WriteStale answers a stale edit (err): 409 in the one error shape with
// the object as stored now in "current", and its version as ETag.
func WriteStale(w http.ResponseWriter, r *http.Request, err error, current any, version int64) {
	code, body := Describe(r, err)
	body.Current = current
	WriteVersioned(w, r, code, body, version)
}
