package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// MaxBody is the default limit of a JSON request body (the server's for
// an API route without its own).
const MaxBody = httpx.MaxAPIBody

// Decode reads r's JSON body into dst strictly: unknown fields, wrong
// types, trailing data, an empty body, a non-JSON content type, a missing
// or null required field and a string that is not valid text (invalid
// UTF-8, which encoding/json would quietly replace, or a NUL, which
// PostgreSQL refuses) are all apperr.Invalid errors naming the field when
// there is one; a body over MaxBody is apperr.TooLarge. Bad input thus
// never reaches a domain service half-understood.
//
// Required fields: when dst is a struct, each of its fields is required
// unless its json tag says omitempty or omitzero — the rule by which the
// OpenAPI document lists them as required (jsonMember). A request must
// carry every required field, and not as null: an edit replaces what it
// names, so a field left out would silently clear it (issue #11 item 6:
// {} made National Day a working day). The body must then be a JSON
// object; null, an array or a scalar is refused naming the first required
// field. The rule holds for the request's own fields; nested values are
// the domain's to validate.
func Decode(w http.ResponseWriter, r *http.Request, dst any) error {
	return DecodeLimit(w, r, dst, MaxBody)
}

// DecodeLimit is Decode with an explicit body size limit in bytes.
func DecodeLimit(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return apperr.Invalidf("", "api.the_request_body_must_be_json", ct)
		}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return decodeError(err, limit)
	}
	// Text first, so that no message (an unknown field's) repeats it.
	if json.Valid(data) {
		if err := CheckText(data, ""); err != nil {
			return err
		}
	}
	required := requiredMembers(dst)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field == "" && len(required) > 0 {
			return notAnObject(required[0])
		}
		if path, cause := locate(bytes.TrimSpace(data), reflect.TypeOf(dst), ""); path != "" {
			return valueError(path, cause)
		}
		return decodeError(err, limit)
	}
	// Exactly one value: anything after it is a client bug worth reporting.
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err, limit)
		}
		return apperr.Invalidf("", "api.the_request_body_has_data_after")
	}
	return checkRequired(data, required)
}

// requiredMembers lists the JSON names of dst's required fields, in the
// struct's order (none when dst is not a struct).
func requiredMembers(dst any) []string {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		if name, req, ok := jsonMember(t.Field(i)); ok && req {
			out = append(out, name)
		}
	}
	return out
}

// jsonMember is how a struct field appears in JSON: its name, whether a
// request must carry it (unless its tag says omitempty or omitzero), and
// whether it appears at all. The OpenAPI document and the decoder both
// read fields through it, so what the document calls required is what
// the decoder requires.
func jsonMember(f reflect.StructField) (name string, required, ok bool) {
	if !f.IsExported() {
		return "", false, false
	}
	name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return "", false, false
	}
	if name == "" {
		name = f.Name
	}
	return name, !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero"), true
}

// checkRequired refuses a well-formed body (an object, or null) that lacks
// a required member or gives it as null. Keys match as encoding/json
// matches them: exactly, else ignoring case.
func checkRequired(data []byte, required []string) error {
	if len(required) == 0 {
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return notAnObject(required[0])
	}
	for _, name := range required {
		raw, ok := member(members, name)
		switch {
		case !ok:
			return apperr.Invalidf(name, "api.the_field_is_required", name)
		case string(raw) == "null":
			return apperr.Invalidf(name, "api.the_field_must_not_be_null", name)
		}
	}
	return nil
}

// member is an object's member as encoding/json finds it for a field:
// by its exact name, else ignoring case.
func member(members map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if v, ok := members[name]; ok {
		return v, true
	}
	for k, v := range members {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// locate finds the value of a well-formed document that its Go type
// refuses — a time.Time or calendar.Date that does not parse, bad base64 —
// which encoding/json reports without saying where: walking the document
// along the type, it returns the value's path and the refusal ("" when no
// value is refused).
func locate(raw json.RawMessage, t reflect.Type, path string) (string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if string(raw) == "null" {
		return "", nil
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
		return leaf(raw, t, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			return "", nil
		}
		for i := range t.NumField() {
			name, _, ok := jsonMember(t.Field(i))
			v, found := member(members, name)
			if !ok || !found {
				continue
			}
			if p, err := locate(v, t.Field(i).Type, joinPath(path, name)); p != "" {
				return p, err
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return leaf(raw, t, path) // []byte: base64
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return "", nil
		}
		for i, v := range items {
			if p, err := locate(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p, err
			}
		}
	case reflect.Map:
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) != nil {
			return "", nil
		}
		for k, v := range members {
			if p, err := locate(v, t.Elem(), joinPath(path, k)); p != "" {
				return p, err
			}
		}
	}
	return "", nil
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// leaf decodes one value into a fresh t: the refusal, if any, at path.
func leaf(raw json.RawMessage, t reflect.Type, path string) (string, error) {
	if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
		return path, err
	}
	return "", nil
}

// valueError names the field whose value its type refused.
func valueError(path string, cause error) error {
	var ae *apperr.Error
	var pe *time.ParseError
	var typ *json.UnmarshalTypeError
	got := ""
	switch {
	case errors.As(cause, &ae):
		e := *ae
		e.Field = path
		return &e
	case errors.As(cause, &pe):
		got = strconv.Quote(pe.Value)
	case errors.As(cause, &typ) && typ.Type == timeType:
		got = typ.Value // "number", "object" …
	}
	if got != "" {
		return apperr.Invalidf(path, "api.field_must_be_an_rfc_3339", path, got)
	}
	e := apperr.Invalidf(path, "api.field_has_an_invalid_value", path)
	e.Err = cause
	return e
}

// notAnObject refuses a body that is not a JSON object where the request
// has required fields, naming the first.
func notAnObject(first string) error {
	return apperr.Invalidf(first, "api.the_request_body_must_be_a", first)
}

// CheckText refuses the first string of a well-formed JSON value that is
// not valid text (httpx.ValidText) — invalid UTF-8, which encoding/json
// would quietly replace, or a NUL, which PostgreSQL refuses — naming it
// by its path under field. JSON carried inside a form field goes through
// it too: its escapes decode to what the field's own text does not show.
func CheckText(data []byte, field string) error {
	path, ok := invalidText(json.RawMessage(bytes.TrimSpace(data)), field)
	switch {
	case ok:
		return nil
	case path == "":
		return apperr.Invalidf("", "api.a_field_name_of_the_request")
	}
	return apperr.Invalidf(path, "api.field_contains_invalid_text_not_utf", path)
}

// invalidText finds the first string of a JSON value (already known to be
// well formed) that is not valid text, and returns its path ("bases[0].title";
// an object's key is blamed on the object) and false; true if there is none.
func invalidText(raw json.RawMessage, path string) (string, bool) {
	switch {
	case len(raw) == 0:
		return "", true
	case raw[0] == '"':
		var s string
		if !utf8.Valid(raw) || json.Unmarshal(raw, &s) != nil || !httpx.ValidText(s) {
			return path, false
		}
	case raw[0] == '{':
		// Keys in document order, so the first bad value is the one named.
		dec := json.NewDecoder(bytes.NewReader(raw))
		if _, err := dec.Token(); err != nil {
			return path, false
		}
		for dec.More() {
			start := dec.InputOffset()
			tok, err := dec.Token()
			key, isKey := tok.(string)
			if err != nil || !isKey || !utf8.Valid(raw[start:dec.InputOffset()]) || !httpx.ValidText(key) {
				return path, false
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return path, false
			}
			if f, ok := invalidText(v, joinPath(path, key)); !ok {
				return f, false
			}
		}
	case raw[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return path, false
		}
		for i, v := range items {
			if f, ok := invalidText(v, fmt.Sprintf("%s[%d]", path, i)); !ok {
				return f, false
			}
		}
	}
	return "", true
}

// joinPath names an object's member the way validation names fields.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decodeError turns a decoding failure into a field-named Invalid error.
func decodeError(err error, limit int64) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.Invalidf("", "api.the_request_body_is_empty_a")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("", "api.the_request_body_s_json_is")
	case errors.As(err, &syntax):
		return apperr.Invalidf("", "api.the_request_body_s_json_has", syntax.Offset)
	case errors.As(err, &typ):
		// encoding/json writes "bases.0.issued"; validation, "bases[0].issued".
		field := arrayIndex.ReplaceAllString(typ.Field, "[$1]")
		if field == "" {
			return apperr.Invalidf("", "api.the_request_body_should_be_got", jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return apperr.Invalidf(field, "api.field_should_be_got", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &tooBig):
		return &apperr.Error{Code: apperr.TooLarge, Key: "api.the_request_body_exceeds_the_limit", Args: []any{tooBig.Limit}}
	}
	// encoding/json reports unknown fields only as text: `json: unknown field "x"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return apperr.Invalidf(name, "api.unknown_field", name)
	}
	return apperr.Invalidf("", "api.cannot_read_the_request_body", err)
}

// arrayIndex is an element index in encoding/json's field paths.
var arrayIndex = regexp.MustCompile(`\.(\d+)\b`)

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
