package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

func TestIfMatch_H1_editsMustNameOneVersion(t *testing.T) {
	for _, tc := range []struct {
		header   string
		want     int64
		code     apperr.Code // of IfMatch (required)
		optional apperr.Code // of OptionalIfMatch
	}{
		{header: `"3"`, want: 3},
		{header: ` "12" `, want: 12},
		{header: `7`, want: 7}, // typed by hand with curl
		{header: "", code: apperr.VersionRequired},
		{header: `*`, code: apperr.Invalid, optional: apperr.Invalid}, // "any version" is the lost update itself
		{header: `W/"3"`, code: apperr.Invalid, optional: apperr.Invalid},
		{header: `"3", "4"`, code: apperr.Invalid, optional: apperr.Invalid},
		{header: `"3`, code: apperr.Invalid, optional: apperr.Invalid},
		{header: `"0"`, code: apperr.Invalid, optional: apperr.Invalid},
		{header: `"-2"`, code: apperr.Invalid, optional: apperr.Invalid},
	} {
		r := httptest.NewRequest("PATCH", "/api/v1/x", nil)
		if tc.header != "" {
			r.Header.Set("If-Match", tc.header)
		}
		got, err := IfMatch(r)
		if apperr.CodeOf(err) != tc.code || (err == nil && got != tc.want) {
			t.Errorf("IfMatch(%q) = %d, %v; want %d, code %q", tc.header, got, err, tc.want, tc.code)
		}
		if want := map[apperr.Code]string{apperr.Invalid: "If-Match", apperr.VersionRequired: "version"}[tc.code]; err != nil && apperr.As(err).Field != want {
			t.Errorf("IfMatch(%q): field %q, want %s", tc.header, apperr.As(err).Field, want)
		}
		got, err = OptionalIfMatch(r)
		want := tc.want
		if apperr.CodeOf(err) != tc.optional || (err == nil && got != want) {
			t.Errorf("OptionalIfMatch(%q) = %d, %v; want %d, code %q", tc.header, got, err, want, tc.optional)
		}
	}
}

func TestEdited_H1_staleEditAnswers409WithTheCurrentObject(t *testing.T) {
	type thing struct {
		Name    string `json:"name"`
		Version int64  `json:"version"`
	}
	version := func(x thing) int64 { return x.Version }
	current := func() (thing, error) { return thing{Name: "stored", Version: 5}, nil }
	var buf bytes.Buffer

	rec := httptest.NewRecorder()
	Edited(rec, request("en", &buf), http.StatusOK, thing{Name: "mine", Version: 4}, nil, version, current)
	if rec.Code != 200 || rec.Header().Get("ETag") != `"4"` || !strings.Contains(rec.Body.String(), `"mine"`) {
		t.Fatalf("success: %d ETag %q %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}

	rec = httptest.NewRecorder()
	Edited(rec, request("en", &buf), http.StatusOK, thing{}, apperr.Stale("api.staff_member"), version, current)
	if rec.Code != http.StatusConflict || rec.Header().Get("ETag") != `"5"` {
		t.Fatalf("stale: %d ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
	var body struct {
		Code    apperr.Code
		Message string
		Field   string
		Current thing
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Code != apperr.Conflict || body.Field != "version" || body.Current != (thing{Name: "stored", Version: 5}) ||
		!strings.Contains(body.Message, "changed by someone else since you opened it") {
		t.Fatalf("stale body %+v", body)
	}

	// A conflict of state (already published …) is no stale edit: no current.
	rec = httptest.NewRecorder()
	Edited(rec, request("zh", &buf), http.StatusOK, thing{}, apperr.Conflictf("api.published"), version, current)
	if rec.Code != http.StatusConflict || strings.Contains(rec.Body.String(), "current") || rec.Header().Get("ETag") != "" {
		t.Fatalf("state conflict: %d %q %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
	// The object cannot be read any more: the stale error alone.
	rec = httptest.NewRecorder()
	gone := func() (thing, error) { return thing{}, errors.New("gone") }
	Edited(rec, request("zh", &buf), http.StatusOK, thing{}, apperr.Stale("api.staff_member"), version, gone)
	if rec.Code != http.StatusConflict || strings.Contains(rec.Body.String(), "current") {
		t.Fatalf("stale, unreadable: %d %s", rec.Code, rec.Body)
	}
}

func TestOpenAPIDocument_versionedRoutesDocumentETagAndIfMatch(t *testing.T) {
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	doc, err := Document(Info{Title: "t", Version: "v"}, []httpx.Route{
		{Pattern: "GET /api/v1/things/{id}", Handler: h, Doc: &httpx.Doc{Summary: "one", Versioned: true}},
		{Pattern: "PATCH /api/v1/things/{id}", Handler: h, Doc: &httpx.Doc{Summary: "edit", Versioned: true}},
		{Pattern: "POST /api/v1/things/{id}/close", Handler: h, Doc: &httpx.Doc{Summary: "close", Versioned: true}},
		{Pattern: "POST /api/v1/things", Handler: h, Doc: &httpx.Doc{Summary: "create"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	op := func(path, method string) string {
		b, err := json.Marshal(doc["paths"].(map[string]any)[path].(map[string]any)[method])
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	get, patch, closeOp, create := op("/api/v1/things/{id}", "get"), op("/api/v1/things/{id}", "patch"),
		op("/api/v1/things/{id}/close", "post"), op("/api/v1/things", "post")
	if !strings.Contains(get, `"headers":{"ETag"`) || strings.Contains(get, `"name":"If-Match"`) {
		t.Errorf("GET: %s", get)
	}
	for _, want := range []string{`"in":"header","name":"If-Match","required":true`, `"409":`, `"428":`, `"ETag"`} {
		if !strings.Contains(patch, want) {
			t.Errorf("PATCH lacks %s: %s", want, patch)
		}
	}
	if !strings.Contains(closeOp, `"name":"If-Match","required":false`) || !strings.Contains(closeOp, `"409":`) || strings.Contains(closeOp, `"428":`) {
		t.Errorf("action: %s", closeOp)
	}
	if strings.Contains(create, `"name":"If-Match"`) || strings.Contains(create, "ETag") {
		t.Errorf("unversioned create: %s", create)
	}
}
