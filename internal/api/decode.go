package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// MaxBody is the default limit of a JSON request body.
const MaxBody = 1 << 20

// Decode reads r's JSON body into dst strictly: unknown fields, wrong
// types, trailing data, an empty body, a non-JSON content type and a body
// over MaxBody are all apperr.Invalid errors naming the field when there is
// one. Bad input thus never reaches a domain service half-understood.
func Decode(w http.ResponseWriter, r *http.Request, dst any) error {
	return DecodeLimit(w, r, dst, MaxBody)
}

// DecodeLimit is Decode with an explicit body size limit in bytes.
func DecodeLimit(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return apperr.Invalidf("", "请求体必须是 JSON（Content-Type: application/json），收到 %q。",
				"The request body must be JSON (Content-Type: application/json); got %q.", ct)
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, limit)
	}
	// Exactly one value: anything after it is a client bug worth reporting.
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err, limit)
		}
		return apperr.Invalidf("", "请求体在 JSON 值之后还有多余内容。",
			"The request body has data after the JSON value.")
	}
	return nil
}

// decodeError turns a decoding failure into a field-named Invalid error.
func decodeError(err error, limit int64) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.Invalidf("", "请求体为空，应为一个 JSON 值。", "The request body is empty; a JSON value is expected.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("", "请求体的 JSON 不完整。", "The request body's JSON is incomplete.")
	case errors.As(err, &syntax):
		return apperr.Invalidf("", "请求体的 JSON 在第 %d 字节处有语法错误。",
			"The request body's JSON has a syntax error at byte %d.", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.Invalidf("", "请求体应为 %s，收到的是 %s。",
				"The request body should be %s; got %s.", jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return apperr.Invalidf(field, "字段 %s 应为 %s，收到的是 %s。",
			"Field %s should be %s; got %s.", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &tooBig):
		return apperr.Invalidf("", "请求体超过 %d 字节的上限。",
			"The request body exceeds the limit of %d bytes.", limit)
	}
	// encoding/json reports unknown fields only as text: `json: unknown field "x"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return apperr.Invalidf(name, "未知字段 %s。", "Unknown field %s.", name)
	}
	return apperr.Invalidf("", "无法读取请求体：%v", "Cannot read the request body: %v", err)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "integer"
	case "float32", "float64":
		return "number"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	}
	return k
}
