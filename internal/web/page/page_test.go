package page_test

import (
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// msgs are the catalogue's example of a feature's words.
var msgs = page.Messages("page.example")

var files = fstest.MapFS{
	"templates/common.html": {Data: []byte(`{{define "errs"}}{{range .Errors}}<p class="e">{{.}}</p>{{end}}{{end}}`)},
	"templates/item.html": {Data: []byte(`{{define "title"}}{{t .Lang "hello" .Data}}{{end}}` +
		`{{define "content"}}<n>{{.Notice}}</n>{{template "errs" .}}<i>{{.Data}}</i><c>{{.CSRFToken}}</c>{{end}}`)},
	"templates/error.html":  {Data: []byte(`{{define "title"}}{{t .Lang "error.t"}}{{end}}{{define "content"}}{{template "errs" .}}{{end}}`)},
	"templates/broken.html": {Data: []byte(`{{define "title"}}x{{end}}`)},
}

// frame records what the kit hands to the site layout.
type frame struct {
	status         int
	title, content string
}

func (f *frame) Page(w http.ResponseWriter, r *http.Request, status int, title string, content template.HTML) {
	f.status, f.title, f.content = status, title, string(content)
	w.WriteHeader(status)
}

func (f *frame) CSRFToken(*http.Request) string { return "tok" }

func kit(t *testing.T) (*page.Kit, *frame) {
	t.Helper()
	ps, err := page.Parse(files, msgs, nil, "item", "error")
	if err != nil {
		t.Fatal(err)
	}
	f := &frame{}
	return &page.Kit{Frame: f, Pages: ps, Messages: msgs, What: "test page"}, f
}

func request(lang, target string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	return r.WithContext(httpx.WithLang(r.Context(), lang))
}

func TestParse_refusesAPageWithoutContent(t *testing.T) {
	_, err := page.Parse(files, msgs, nil, "item", "broken")
	if err == nil || !strings.Contains(err.Error(), `broken.html does not define "content"`) {
		t.Fatalf("err = %v, want the missing content named", err)
	}
	if _, err := page.Parse(files, msgs, nil, "missing"); err == nil {
		t.Fatal("a missing page file parsed")
	}
}

func TestRender_pageInTheFrameWithNoticeAndToken(t *testing.T) {
	k, f := kit(t)
	w := httptest.NewRecorder()
	k.Render(w, request("zh", "/x?done=saved"), http.StatusOK, "item", "张三", nil)
	if f.status != 200 || f.title != "你好，张三" {
		t.Fatalf("status %d title %q", f.status, f.title)
	}
	for _, want := range []string{"<n>已保存</n>", "<i>张三</i>", "<c>tok</c>"} {
		if !strings.Contains(f.content, want) {
			t.Errorf("content %q lacks %q", f.content, want)
		}
	}
	// An unknown notice key (a typed URL) shows nothing.
	k.Render(httptest.NewRecorder(), request("en", "/x?done=<script>"), http.StatusOK, "item", "Li", nil)
	if !strings.Contains(f.content, "<n></n>") || f.title != "Hello, Li" {
		t.Fatalf("unknown notice: title %q content %q", f.title, f.content)
	}
}

func TestRender_failureSetsStatusAndNamesTheField(t *testing.T) {
	k, f := kit(t)
	bad := apperr.Invalidf("name", "page.must_not_be_empty")
	k.Render(httptest.NewRecorder(), request("zh", "/x"), http.StatusOK, "item", "a", bad)
	if f.status != http.StatusBadRequest && f.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d for an invalid input", f.status)
	}
	if !strings.Contains(f.content, "名称：不能为空") {
		t.Fatalf("content %q does not name the field", f.content)
	}
	k.Render(httptest.NewRecorder(), request("en", "/x"), http.StatusOK, "item", "a", bad)
	if !strings.Contains(f.content, "Name: must not be empty") {
		t.Fatalf("content %q does not name the field in English", f.content)
	}
	// A field the feature has no label for: the message alone.
	k.Render(httptest.NewRecorder(), request("en", "/x"), http.StatusOK, "item", "a", apperr.Invalidf("other", "page.bad"))
	if !strings.Contains(f.content, `<p class="e">bad</p>`) {
		t.Fatalf("content %q", f.content)
	}
}

func TestFail_errorPageWithTheTablesStatus(t *testing.T) {
	k, f := kit(t)
	k.Fail(httptest.NewRecorder(), request("zh", "/x"), apperr.NotFoundf("page.no_such_item"))
	if f.status != http.StatusNotFound || f.title != "出错了" || !strings.Contains(f.content, "没有该事项") {
		t.Fatalf("status %d title %q content %q", f.status, f.title, f.content)
	}
}

func TestRender_unknownPageIsAnInternalError(t *testing.T) {
	k, _ := kit(t)
	w := httptest.NewRecorder()
	k.Render(w, request("zh", "/x"), http.StatusOK, "nope", nil, nil)
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", w.Code)
	}
}

func TestDoneAndPathID(t *testing.T) {
	w := httptest.NewRecorder()
	page.Done(w, request("zh", "/x"), "/admin/x", "saved & more")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/x?done=saved+%26+more" {
		t.Fatalf("%d %q", w.Code, w.Header().Get("Location"))
	}
	r := request("zh", "/x")
	r.SetPathValue("id", "42")
	if page.PathID(r) != 42 {
		t.Fatal("id 42 not read")
	}
	r.SetPathValue("id", "4x")
	if page.PathID(r) != 0 {
		t.Fatal("a non-number id is not 0")
	}
}

func TestParseForm_refusesAnOversizedForm(t *testing.T) {
	body := "a=" + strings.Repeat("x", page.MaxForm+1)
	r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	err := page.ParseForm(httptest.NewRecorder(), r)
	var e *apperr.Error
	if err == nil || !errors.As(err, &e) || e.Field != "form" || e.Message("zh") == "" || e.Message("en") == "" {
		t.Fatalf("err = %v, want a bilingual form error", err)
	}
	r = httptest.NewRequest(http.MethodPost, "/x", strings.NewReader("a=1"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := page.ParseForm(httptest.NewRecorder(), r); err != nil || r.PostFormValue("a") != "1" {
		t.Fatalf("small form: %v", err)
	}
}

// The title reaches the Frame as text, once: the Frame escapes it itself.
func TestRender_titleIsTextForTheFrame(t *testing.T) {
	k, f := kit(t)
	k.Render(httptest.NewRecorder(), request(httpx.LangEn, "/x"), http.StatusOK, "item", `A & "B" <C>`, nil)
	if f.title != `Hello, A & "B" <C>` {
		t.Fatalf("title %q", f.title)
	}
	if !strings.Contains(f.content, "<i>A &amp; &#34;B&#34; &lt;C&gt;</i>") {
		t.Fatalf("content %q", f.content)
	}
}
