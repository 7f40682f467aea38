package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Info heads the OpenAPI document.
type Info struct {
	Title       string
	Version     string
	Description string
	// SessionCookie is the session cookie's name, documented as an
	// alternative to a bearer token.
	SessionCookie string
}

// Spec holds the OpenAPI document the server assembled from its routes and
// serves it. It is built once at start (Build) and read concurrently.
type Spec struct {
	doc atomic.Pointer[[]byte]
}

// ServeHTTP serves the document.
func (s *Spec) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	doc := s.doc.Load()
	if doc == nil {
		WriteError(w, r, fmt.Errorf("api: OpenAPI document requested before Build"))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// A failed write means the client went away.
	_, _ = w.Write(*doc)
}

// Build assembles the document from the API routes among routes and keeps
// it for ServeHTTP.
func (s *Spec) Build(info Info, routes []httpx.Route) error {
	doc, err := Document(info, routes)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("api: encode OpenAPI document: %w", err)
	}
	s.doc.Store(&b)
	return nil
}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// OpenAPIPath turns a ServeMux path pattern into an OpenAPI path:
// "{name...}" becomes "{name}" and the end anchor "{$}" is dropped.
func OpenAPIPath(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	return wildcard.ReplaceAllString(p, "{$1}")
}

// PathParams lists the wildcard names of a ServeMux path pattern.
func PathParams(pattern string) []string {
	var out []string
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		out = append(out, m[1])
	}
	return out
}

// Document builds the OpenAPI 3 document (as generic JSON values, so that
// encoding is deterministic) from every API route in routes. An API route
// without a Doc is an error: the document must not miss a route.
func Document(info Info, routes []httpx.Route) (map[string]any, error) {
	schemas := map[string]any{}
	paths := map[string]any{}
	schemas["Error"] = schemaOf(reflect.TypeOf(Error{}), schemas, true)
	for _, rt := range routes {
		if !rt.IsAPI() {
			continue
		}
		if rt.Doc == nil {
			return nil, fmt.Errorf("api: route %q has no Doc", rt.Pattern)
		}
		path := OpenAPIPath(rt.Path())
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		method := strings.ToLower(rt.Method())
		if _, dup := item[method]; dup {
			return nil, fmt.Errorf("api: %s %s documented twice", method, path)
		}
		op, err := operation(rt, schemas)
		if err != nil {
			return nil, err
		}
		item[method] = op
	}
	cookie := info.SessionCookie
	if cookie == "" {
		cookie = "session"
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       info.Title,
			"version":     info.Version,
			"description": info.Description,
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": cookie},
			},
		},
		"security": []any{
			map[string]any{"bearer": []any{}},
			map[string]any{"session": []any{}},
		},
	}, nil
}

func operation(rt httpx.Route, schemas map[string]any) (map[string]any, error) {
	d := rt.Doc
	op := map[string]any{
		"summary":     d.Summary,
		"operationId": operationID(rt),
	}
	if d.Description != "" {
		op["description"] = d.Description
	}
	if len(d.Tags) > 0 {
		op["tags"] = d.Tags
	}
	if rt.Policy.Public {
		op["security"] = []any{} // no credentials needed
	}
	described := map[string]httpx.Param{}
	var params []any
	for _, p := range d.Params {
		switch p.In {
		case "path":
			described[p.Name] = p
		case "query":
			params = append(params, param(p))
		default:
			return nil, fmt.Errorf("api: route %q: parameter %q has location %q", rt.Pattern, p.Name, p.In)
		}
	}
	for _, name := range PathParams(rt.Path()) {
		p, ok := described[name]
		if !ok {
			p = httpx.Param{Name: name}
		}
		delete(described, name)
		p.In, p.Required = "path", true
		params = append(params, param(p))
	}
	for name := range described {
		return nil, fmt.Errorf("api: route %q describes path parameter %q it does not have", rt.Pattern, name)
	}
	if d.Versioned && rt.Method() != http.MethodGet {
		params = append(params, ifMatchParam(rt.Method()))
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if d.Request != nil {
		op["requestBody"] = map[string]any{
			"required": true,
			"content": map[string]any{"application/json": map[string]any{
				"schema": schemaOf(reflect.TypeOf(d.Request), schemas, false)}},
		}
	}
	status := d.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case d.Raw:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
	case d.Response != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{
			"schema": schemaOf(reflect.TypeOf(d.Response), schemas, false)}}
	}
	errResp := map[string]any{
		"description": "error",
		"content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/Error"}}},
	}
	responses := map[string]any{strconv.Itoa(status): ok, "default": errResp}
	if d.Versioned {
		versionedResponses(rt.Method(), ok, responses)
	}
	op["responses"] = responses
	return op, nil
}

// editRequiresVersion: the methods that replace an object's fields must
// say which version they were based on; actions may.
func editRequiresVersion(method string) bool {
	return method == http.MethodPut || method == http.MethodPatch
}

func ifMatchParam(method string) map[string]any {
	desc := "The ETag the object was read with (its version, e.g. \"3\"). Checked when given: an edit based on an older version changes nothing (409)."
	if editRequiresVersion(method) {
		desc = "Required: the ETag the object was read with (its version, e.g. \"3\"). Without it 428; if the object changed since, nothing is changed and the answer is 409 with the current object."
	}
	return map[string]any{"name": "If-Match", "in": "header", "required": editRequiresVersion(method),
		"schema": map[string]any{"type": "string"}, "description": desc}
}

// versionedResponses documents the ETag of a versioned object's answer and
// the statuses of a stale (409) or unversioned (428) edit.
func versionedResponses(method string, ok map[string]any, responses map[string]any) {
	ok["headers"] = map[string]any{"ETag": map[string]any{"description": "the object's version; send it back as If-Match to edit it",
		"schema": map[string]any{"type": "string"}}}
	if method == http.MethodGet {
		return
	}
	errJSON := map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}
	responses["409"] = map[string]any{"description": "changed by someone else since it was read (field \"version\"), or its state does not allow the change; " +
		"a stale edit's error carries the object as it is now in \"current\" and its version as ETag", "content": errJSON}
	if editRequiresVersion(method) {
		responses["428"] = map[string]any{"description": "If-Match is missing", "content": errJSON}
	}
}

func param(p httpx.Param) map[string]any {
	typ := p.Type
	if typ == "" {
		typ = "string"
	}
	m := map[string]any{"name": p.Name, "in": p.In, "required": p.Required, "schema": map[string]any{"type": typ}}
	if p.Description != "" {
		m["description"] = p.Description
	}
	return m
}

// operationID derives a stable identifier from method and path.
func operationID(rt httpx.Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method()))
	for _, part := range strings.Split(OpenAPIPath(rt.Path()), "/") {
		part = strings.Trim(part, "{}")
		if part == "" || part == "api" || part == "v1" {
			continue
		}
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf renders a Go type as an OpenAPI schema. Named struct types go to
// components (by type name) and are referenced; define is set when the
// caller wants the definition itself.
func schemaOf(t reflect.Type, schemas map[string]any, define bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer", "format": "int32"}
	case reflect.Int64, reflect.Uint, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas, false)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas, false)}
	case reflect.Struct:
		if t.Name() != "" && !define {
			if _, ok := schemas[t.Name()]; !ok {
				schemas[t.Name()] = map[string]any{} // reserve the name first: a recursive type then refers to itself instead of looping
				schemas[t.Name()] = schemaOf(t, schemas, true)
			}
			return map[string]any{"$ref": "#/components/schemas/" + t.Name()}
		}
		props := map[string]any{}
		var required []string
		for i := range t.NumField() {
			f := t.Field(i)
			name, req, ok := jsonMember(f)
			if !ok {
				continue
			}
			props[name] = schemaOf(f.Type, schemas, false)
			if req {
				required = append(required, name)
			}
		}
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			sort.Strings(required)
			s["required"] = required
		}
		return s
	}
	return map[string]any{} // interface{}: anything
}
