// Package api is qingdan's JSON API under /api/v1: the one table from error
// code to HTTP status, the one error shape, strict request decoding, the
// OpenAPI document assembled from the registered routes, and the API
// handlers themselves. Routes are registered with their permission policy
// through package web (see httpx.Route); this package never checks roles.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// statusOf is the one table from error code to HTTP status, used by the API
// and the HTML pages alike. Invalid is 400 whether the body is malformed or
// a value breaks a rule: clients need one answer for "fix your input".
var statusOf = map[apperr.Code]int{
	apperr.Invalid:      http.StatusBadRequest,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.TooMany:      http.StatusTooManyRequests,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.Internal:     http.StatusInternalServerError,
	// 428: the edit did not say which version it is based on (If-Match).
	apperr.VersionRequired: http.StatusPreconditionRequired,
}

// Codes lists every code the table maps (tests check it is complete).
func Codes() []apperr.Code {
	return []apperr.Code{apperr.Invalid, apperr.NotFound, apperr.Conflict,
		apperr.Unauthorized, apperr.Forbidden, apperr.TooMany, apperr.TooLarge, apperr.Internal, apperr.VersionRequired}
}

// Status returns the HTTP status for an error code (500 for an unknown one).
func Status(c apperr.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error is the one error shape of the API.
type Error struct {
	Code    apperr.Code `json:"code"`
	Message string      `json:"message"`
	Field   string      `json:"field"`
	// Errors lists every field error when the input had several (an import
	// with many bad rows); the first is repeated above.
	Errors []FieldError `json:"errors,omitempty"`
	// Current is, on a stale edit (409, field "version"), the object as it
	// is stored now, so the client can merge without reading it again; the
	// response's ETag is its version.
	Current any `json:"current,omitempty"`
}

// FieldError is one entry of Error.Errors.
type FieldError struct {
	Code    apperr.Code `json:"code"`
	Message string      `json:"message"`
	Field   string      `json:"field"`
}

// Generic messages for internal errors: the cause is logged, never shown.
const (
	internalZh = "服务器内部错误，请稍后重试；如仍有问题请把请求编号告诉管理员。"
	internalEn = "Internal server error. Please try again later; if it persists, give the request ID to your administrator."
)

// Describe turns any error into the safe shape and its status for a
// language, logging internal errors with the request ID. HTML pages use it
// too, so both adapters show the same thing for the same error.
func Describe(r *http.Request, err error) (int, Error) {
	lang := httpx.LangFrom(r.Context())
	var list apperr.List
	if errors.As(err, &list) && len(list) > 0 {
		out := Error{Code: apperr.Invalid, Message: list[0].Message(lang), Field: list[0].Field}
		for _, e := range list {
			out.Errors = append(out.Errors, FieldError{Code: e.Code, Message: e.Message(lang), Field: e.Field})
		}
		return Status(apperr.Invalid), out
	}
	e := apperr.As(err)
	status := Status(e.Code)
	if status >= 500 {
		httpx.LoggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("error", err.Error()), slog.String("method", r.Method), slog.String("path", r.URL.Path))
		msg := internalZh
		if lang == httpx.LangEn {
			msg = internalEn
		}
		return status, Error{Code: apperr.Internal, Message: msg}
	}
	return status, Error{Code: e.Code, Message: e.Message(lang), Field: e.Field}
}

// WriteError answers err in the one error shape.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := Describe(r, err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="qingdan"`)
	}
	WriteJSON(w, r, status, body)
}

// WriteJSON answers v as JSON with the given status. A value that cannot be
// encoded is a bug: it is logged and answered as a 500.
func WriteJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the API is JSON, not HTML; keep Chinese and <> readable
	if err := enc.Encode(v); err != nil {
		httpx.LoggerFrom(r.Context()).Error("encode response", "error", err, "path", r.URL.Path)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"code":"internal","message":"` + internalEn + `","field":""}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	// A failed write means the client went away; nothing left to tell it.
	_, _ = w.Write(buf.Bytes())
}
