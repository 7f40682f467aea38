package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

func TestStatusTableIsComplete(t *testing.T) {
	want := map[apperr.Code]int{
		apperr.Invalid: 400, apperr.NotFound: 404, apperr.Conflict: 409, apperr.Unauthorized: 401,
		apperr.Forbidden: 403, apperr.TooMany: 429, apperr.TooLarge: 413, apperr.Internal: 500, apperr.VersionRequired: 428,
	}
	if len(Codes()) != len(want) || len(statusOf) != len(want) {
		t.Fatalf("codes %v, table %v", Codes(), statusOf)
	}
	for _, c := range Codes() {
		if Status(c) != want[c] {
			t.Errorf("Status(%s) = %d, want %d", c, Status(c), want[c])
		}
	}
	if Status("made_up") != 500 {
		t.Error("unknown code is not 500")
	}
}

// request returns a request whose context carries a language and a logger
// writing to buf, as the web middleware sets them.
func request(lang string, buf *bytes.Buffer) *http.Request {
	r := httptest.NewRequest("GET", "/api/v1/x", nil)
	ctx := httpx.WithLang(r.Context(), lang)
	ctx = httpx.WithRequestID(ctx, "rid-1")
	ctx = httpx.WithLogger(ctx, slog.New(slog.NewJSONHandler(buf, nil)).With("request_id", "rid-1"))
	return r.WithContext(ctx)
}

func readError(t *testing.T, rec *httptest.ResponseRecorder) Error {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var e Error
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestWriteError(t *testing.T) {
	var log bytes.Buffer
	cases := []struct {
		name   string
		lang   string
		err    error
		status int
		want   Error
	}{
		{"invalid zh", "zh", apperr.Invalidf("name", "api.name_is_required"), 400,
			Error{Code: apperr.Invalid, Message: "名称不能为空", Field: "name"}},
		{"invalid en", "en", apperr.Invalidf("name", "api.name_is_required"), 400,
			Error{Code: apperr.Invalid, Message: "name is required", Field: "name"}},
		{"wrapped not found", "en", fmt.Errorf("loading: %w", apperr.NotFoundf("api.no_such_item")), 404,
			Error{Code: apperr.NotFound, Message: "no such item"}},
		{"conflict", "zh", apperr.Conflictf("api.already_published"), 409, Error{Code: apperr.Conflict, Message: "已发布"}},
		{"too many", "en", apperr.New(apperr.TooMany, "", "api.try_later"), 429, Error{Code: apperr.TooMany, Message: "try later"}},
		{"foreign error is internal", "en", errors.New("pq: secret table exploded"), 500,
			Error{Code: apperr.Internal, Message: internalEn}},
		{"internal apperr hides its text", "zh", apperr.New(apperr.Internal, "", "api.dsn_x"), 500,
			Error{Code: apperr.Internal, Message: internalZh}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, request(c.lang, &log), c.err)
			if rec.Code != c.status {
				t.Errorf("status %d, want %d", rec.Code, c.status)
			}
			got := readError(t, rec)
			if got.Code != c.want.Code || got.Message != c.want.Message || got.Field != c.want.Field {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	if !strings.Contains(log.String(), "secret table exploded") || !strings.Contains(log.String(), `"request_id":"rid-1"`) {
		t.Errorf("internal error not logged with request ID:\n%s", log.String())
	}
	rec := httptest.NewRecorder()
	WriteError(rec, request("zh", &log), apperr.New(apperr.Unauthorized, "", "api.log_in"))
	if rec.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
}

func TestWriteErrorList(t *testing.T) {
	var log bytes.Buffer
	rec := httptest.NewRecorder()
	WriteError(rec, request("en", &log), apperr.List{
		apperr.Invalidf("row 3", "api.bad_id_checksum"),
		apperr.Invalidf("row 7", "api.name_missing"),
	})
	if rec.Code != 400 {
		t.Fatalf("status %d", rec.Code)
	}
	e := readError(t, rec)
	if e.Field != "row 3" || e.Message != "bad ID checksum" || len(e.Errors) != 2 || e.Errors[1].Field != "row 7" {
		t.Errorf("%+v", e)
	}
}

type sample struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags,omitempty"`
	Inner struct {
		Flag bool `json:"flag"`
	} `json:"inner"`
	Events []struct {
		At   time.Time `json:"at"`
		Code code      `json:"code,omitempty"`
	} `json:"events,omitempty"`
}

// code refuses anything but "ok", as calendar.Date refuses a bad date.
type code string

func (c *code) UnmarshalText(b []byte) error {
	if string(b) != "ok" {
		return apperr.Invalidf("code", "api.bad_code", b)
	}
	*c = code(b)
	return nil
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		ctype string
		field string
		msg   string // part of the English message
	}{
		{"ok", `{"name":"a","count":2,"inner":{"flag":true}}`, "application/json", "", ""},
		{"ok with charset", `{"name":"a","count":0,"inner":{}}`, "application/json; charset=utf-8", "", ""},
		{"ok without content type", `{"name":"a","count":0,"inner":{}}`, "", "", ""},
		{"ok: keys match as encoding/json matches them", `{"NAME":"a","Count":0,"inner":{}}`, "", "", ""},
		{"unknown field", `{"name":"a","colour":"red"}`, "application/json", "colour", "Unknown field"},
		{"wrong type", `{"count":"three"}`, "application/json", "count", "should be integer"},
		{"nested wrong type", `{"inner":{"flag":"yes"}}`, "application/json", "inner.flag", "should be boolean"},
		{"not an object", `[1,2]`, "application/json", "name", "must be a JSON object with the field name"},
		{"empty object", `{}`, "application/json", "name", "The field name is required"},
		{"null", `null`, "application/json", "name", "The field name is required"},
		{"empty array", `[]`, "application/json", "name", "must be a JSON object"},
		{"a required field missing", `{"name":"a","inner":{}}`, "application/json", "count", "The field count is required"},
		{"a required field null", `{"name":"a","count":null,"inner":{}}`, "application/json", "count", "must not be null"},
		{"ok with a date-time", `{"name":"a","count":0,"inner":{},"events":[{"at":"2026-01-02T00:00:00+08:00","code":"ok"}]}`, "", "", ""},
		{"malformed date-time", `{"name":"a","count":0,"inner":{},"events":[{"at":"2026-01-02T00:00:00+08:00"},{"at":"2026-13-01"}]}`,
			"application/json", "events[1].at", "must be an RFC 3339 date-time"},
		{"date-time of the wrong type", `{"name":"a","count":0,"inner":{},"events":[{"at":5}]}`, "application/json", "events[0].at", "RFC 3339 date-time string such as 2026-01-02T00:00:00+08:00; got number"},
		{"a type's own refusal", `{"name":"a","count":0,"inner":{},"events":[{"at":"2026-01-02T00:00:00Z","code":"no"}]}`,
			"application/json", "events[0].code", `bad code "no"`},
		{"trailing data", `{"name":"a"} {"name":"b"}`, "application/json", "", "after the JSON value"},
		{"trailing garbage", `{"name":"a"} x`, "application/json", "", "syntax error"},
		{"syntax", `{"name":}`, "application/json", "", "syntax error"},
		{"truncated", `{"name":"a"`, "application/json", "", "incomplete"},
		{"empty", ``, "application/json", "", "empty"},
		{"too big", `{"name":"` + strings.Repeat("x", 200) + `"}`, "application/json", "", "exceeds the limit of 100 bytes"},
		{"form content type", `name=a`, "application/x-www-form-urlencoded", "", "must be JSON"},
		{"NUL in a string", `{"name":"a\u0000"}`, "application/json", "name", "invalid text"},
		{"invalid UTF-8 in a string", "{\"name\":\"a\xffb\"}", "application/json", "name", "invalid text"},
		{"NUL in a list", `{"tags":["ok","\u0000"]}`, "application/json", "tags[1]", "invalid text"},
		{"NUL in a nested key", `{"inner":{"fl\u0000ag":true}}`, "application/json", "inner", "invalid text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(c.body))
			if c.ctype != "" {
				r.Header.Set("Content-Type", c.ctype)
			}
			var v sample
			err := DecodeLimit(httptest.NewRecorder(), r, &v, 100)
			if c.msg == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				if v.Name != "a" {
					t.Errorf("decoded %+v", v)
				}
				return
			}
			e := apperr.As(err)
			code := apperr.Invalid
			if c.name == "too big" {
				code = apperr.TooLarge // 413, as the server's own limit
			}
			if e.Code != code || e.Field != c.field || !strings.Contains(e.Message("en"), c.msg) || e.Message("zh") == "" {
				t.Errorf("got %#v (field %q), want field %q and %q", e, e.Field, c.field, c.msg)
			}
		})
	}
}

type item struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Note      string    `json:"note,omitempty"`
	Published time.Time `json:"published"`
	Children  []item    `json:"children,omitempty"`
	Meta      map[string]int
	Raw       []byte `json:"raw"`
	hidden    int
	Skip      string `json:"-"`
}

func TestOpenAPIDocument(t *testing.T) {
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	routes := []httpx.Route{
		{Pattern: "GET /items", Handler: h}, // not API: ignored
		{Pattern: "GET /api/v1/items/{id}", Handler: h, Doc: &httpx.Doc{Summary: "one item", Response: item{},
			Params: []httpx.Param{{Name: "id", In: "path", Description: "item id", Type: "integer"},
				{Name: "lang", In: "query"}}}},
		{Pattern: "POST /api/v1/items", Handler: h, Doc: &httpx.Doc{Summary: "create", Request: item{}, Response: item{}, Status: 201}},
		{Pattern: "GET /api/v1/files/{path...}", Policy: httpx.Policy{Public: true}, Handler: h, Doc: &httpx.Doc{Summary: "file"}},
	}
	doc, err := Document(Info{Title: "t", Version: "v"}, routes)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"/api/v1/items/{id}"`, `"/api/v1/files/{path}"`, `"operationId":"getItemsId"`,
		`"201":{`, `"$ref":"#/components/schemas/item"`, `"format":"date-time"`, `"format":"byte"`,
		`"required":["Meta","id","published","raw","title"]`, `"description":"item id"`,
		`"name":"lang","required":false`, `"security":[]`, `"$ref":"#/components/schemas/Error"`,
		`"children":{"items":{"$ref":"#/components/schemas/item"},"type":"array"}`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("document lacks %s\n%s", want, s)
		}
	}
	for _, bad := range []string{`"/items"`, `"hidden"`, `"Skip"`} {
		if strings.Contains(s, bad) {
			t.Errorf("document has %s", bad)
		}
	}

	if _, err := Document(Info{}, []httpx.Route{{Pattern: "GET /api/v1/x", Handler: h}}); err == nil {
		t.Error("API route without Doc accepted")
	}
	if _, err := Document(Info{}, []httpx.Route{{Pattern: "GET /api/v1/x", Handler: h,
		Doc: &httpx.Doc{Summary: "x", Params: []httpx.Param{{Name: "id", In: "path"}}}}}); err == nil {
		t.Error("description of a missing path parameter accepted")
	}
}

func TestSpecServes(t *testing.T) {
	var spec Spec
	rec := httptest.NewRecorder()
	spec.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != 500 {
		t.Errorf("unbuilt spec: %d", rec.Code)
	}
	if err := spec.Build(Info{Title: "t"}, Routes(&spec)); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	spec.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != 200 || !json.Valid(rec.Body.Bytes()) || !strings.Contains(rec.Body.String(), "/api/v1/whoami") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}
