// Package flowweb is the administration of flows (issue #14 item 1; H1,
// C7, L10): the pages /admin/flows (every flow with its versions and the
// items of the caller's body running on it, and the choice of each item's
// flow), a flow's page (its current version drawn as SVG and written out
// as text, its history), the edit form (paste or upload YAML/JSON, check
// it — every mistake by line and key — and publish it as a new version),
// and the API /api/v1/flows (list, get, validate, publish with If-Match).
// Flows are one library every body shares, as the shipped ones are: the
// administrator of the top-level body publishes them; a body's
// administrator chooses its items' flows. Storage is caseworkdb's
// (case_flows, item_flows), where cases name the version they run on.
package flowweb

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"error", "flows", "flow", "edit"}

// maxFile bounds a flow file (flow.Parse refuses more than 1 MiB).
const maxFile = 1 << 20

// maxEditForm bounds the edit form: the text, a file and the fields.
const maxEditForm = 2*maxFile + 64<<10

// cst is China Standard Time, the users' clock whatever the server's zone.
var cst = time.FixedZone("CST", 8*3600)

// Options wire the routes.
type Options struct {
	// Frame puts pages into the site's layout (*web.Frame).
	Frame page.Frame
}

type handlers struct {
	*page.Kit
	svc *caseworkdb.Service
}

var tags = []string{"flows"}

var admin = []access.Role{access.RoleAdmin}

func hf(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

func lang(r *http.Request) string { return httpx.LangFrom(r.Context()) }

// Routes returns the flow pages and API with their policies: reading is
// for every staff member; publishing for the administrator of the
// top-level body (the scope covering every body); choosing an item's flow
// for an administrator, on the items of their own body.
func Routes(svc *caseworkdb.Service, o Options) ([]httpx.Route, error) {
	if svc == nil || o.Frame == nil {
		return nil, fmt.Errorf("flowweb: Routes needs the service and a frame")
	}
	ps, err := page.Parse(templateFS, messages, funcs, pageNames...)
	if err != nil {
		return nil, fmt.Errorf("flowweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: o.Frame, Pages: ps, Messages: messages, What: "flow page"}, svc: svc}
	scope := func(r *http.Request) (string, error) { return svc.FlowScope(r.Context(), principal(r)) }
	publish := httpx.Policy{Roles: admin, Write: true, Scope: scope}
	code := httpx.Param{Name: "code", In: "path", Description: "the flow's code (promised)"}
	const p = "/api/v1/flows"
	return []httpx.Route{
		{Pattern: "GET /admin/flows", Handler: hf(h.listPage), Nav: &httpx.Nav{Label: "nav.flows", Order: 815}},
		{Pattern: "POST /admin/flows/items", Policy: httpx.Policy{Roles: admin, Write: true}, Handler: hf(h.assign)},
		{Pattern: "GET /admin/flows/new", Policy: httpx.Policy{Roles: admin}, Handler: hf(h.newPage)},
		{Pattern: "POST /admin/flows/edit", Policy: publish, Handler: hf(h.edit), MaxBody: maxEditForm},
		{Pattern: "GET /admin/flows/{code}", Handler: hf(h.flowPage)},
		{Pattern: "GET /admin/flows/{code}/edit", Policy: httpx.Policy{Roles: admin}, Handler: hf(h.editPage)},

		{Pattern: "GET " + p, Handler: hf(h.apiList),
			Doc: &httpx.Doc{Summary: "Flows with their versions", Tags: tags, Response: []caseworkdb.FlowSummary{},
				Description: "Every flow, its versions newest first (with the number of cases running on each) and the items of the " +
					"caller's body whose new cases run on it."}},
		{Pattern: "GET " + p + "/{code}", Handler: hf(h.apiGet),
			Doc: &httpx.Doc{Summary: "One flow", Tags: tags, Response: caseworkdb.FlowDetail{}, Params: []httpx.Param{code}, Versioned: true,
				Description: "The flow's current version in full (and as indented JSON, source), its history and the items using it. " +
					"The ETag is the current version: send it as If-Match to publish the next one."}},
		{Pattern: "POST " + p + "/validate", Policy: httpx.Policy{Roles: admin, Write: true}, Handler: hf(h.apiValidate), MaxBody: maxEditForm,
			Doc: &httpx.Doc{Summary: "Check a flow file", Tags: tags, Request: FlowFile{}, Response: flow.Flow{},
				Description: "Reads the file (YAML or JSON, docs/FLOWS.md) as publishing would, and stores nothing: the flow as read, or " +
					"400 with every mistake in errors, each naming its line, column and key."}},
		{Pattern: "POST " + p, Policy: publish, Handler: hf(h.apiPublish), MaxBody: maxEditForm,
			Doc: &httpx.Doc{Summary: "Publish a flow as a new version", Tags: tags, Request: FlowFile{}, Response: caseworkdb.FlowVersion{},
				Status: http.StatusCreated, Versioned: true,
				Description: "If-Match is the flow's current version (its ETag; omit it for a new code): a flow published since is a 409. " +
					"The file's version must be above the current one. Only the administrator of the top-level body may publish (flows are " +
					"shared by every body). Audited (case_flow.published); cases already open keep the version they started on."}},
	}, nil
}

// FlowFile is a flow file sent to the API.
type FlowFile struct {
	// Content is the file's text, YAML or JSON.
	Content string `json:"content"`
}

var funcs = template.FuncMap{
	"text": func(t flow.Text, lang string) string { return t.In(lang) },
	"when": func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04") },
	"limit": func(b calendar.Budget, lang string) string {
		if b.N == 0 {
			return ""
		}
		return limitText(b, lang)
	},
	"join": strings.Join,
}

// limitText is a limit in words: "5 个工作日", "5 working days".
func limitText(b calendar.Budget, lang string) string {
	zh := map[calendar.Unit]string{calendar.WorkingDays: "个工作日", calendar.NaturalDays: "个自然日", calendar.Hours: "小时", calendar.WorkingHours: "个工作小时"}
	en := map[calendar.Unit]string{calendar.WorkingDays: "working days", calendar.NaturalDays: "days", calendar.Hours: "hours", calendar.WorkingHours: "working hours"}
	if lang == httpx.LangEn {
		return strconv.Itoa(b.N) + " " + en[b.Unit]
	}
	return strconv.Itoa(b.N) + " " + zh[b.Unit]
}

// ---- the API ----

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	fs, err := h.svc.Flows(r.Context(), principal(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if fs == nil {
		fs = []caseworkdb.FlowSummary{}
	}
	api.WriteJSON(w, r, http.StatusOK, fs)
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.Flow(r.Context(), principal(r), r.PathValue("code"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, d, d.Versions[0].Version)
}

func (h *handlers) apiValidate(w http.ResponseWriter, r *http.Request) {
	var in FlowFile
	if err := api.DecodeLimit(w, r, &in, maxEditForm); err != nil {
		api.WriteError(w, r, err)
		return
	}
	f, err := h.svc.ValidateFlow([]byte(in.Content))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, f)
}

func (h *handlers) apiPublish(w http.ResponseWriter, r *http.Request) {
	base, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in FlowFile
	if err := api.DecodeLimit(w, r, &in, maxEditForm); err != nil {
		api.WriteError(w, r, err)
		return
	}
	v, err := h.svc.PublishFlow(r.Context(), principal(r), []byte(in.Content), base)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusCreated, v, v.Version)
}

// ---- the pages ----

type listPage struct {
	Flows   []caseworkdb.FlowSummary
	Items   []caseworkdb.ItemFlow
	IsAdmin bool
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request) {
	h.showList(w, r, http.StatusOK, nil)
}

func (h *handlers) showList(w http.ResponseWriter, r *http.Request, status int, failure error) {
	ctx, p := r.Context(), principal(r)
	d := listPage{IsAdmin: p.Has(access.RoleAdmin)}
	var err error
	if d.Flows, err = h.svc.Flows(ctx, p); err != nil {
		h.Fail(w, r, err)
		return
	}
	if d.IsAdmin {
		if d.Items, err = h.svc.ItemFlows(ctx, p); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, status, "flows", d, failure)
}

func (h *handlers) assign(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showList(w, r, 0, err)
		return
	}
	v, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || v < 0 {
		h.showList(w, r, 0, apperr.VersionMissing())
		return
	}
	if err := h.svc.AssignFlow(r.Context(), principal(r), r.PostForm.Get("item"), r.PostForm.Get("flow"), v); err != nil {
		h.showList(w, r, 0, err)
		return
	}
	page.Done(w, r, "/admin/flows", "assigned")
}

type flowPage struct {
	caseworkdb.FlowDetail
	Diagram template.HTML
	IsAdmin bool
}

func (h *handlers) flowPage(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	d, err := h.svc.Flow(r.Context(), p, r.PathValue("code"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "flow", flowPage{FlowDetail: d, Diagram: Diagram(d.Flow, lang(r)), IsAdmin: p.Has(access.RoleAdmin)}, nil)
}

// Diagram is the flow drawn as inline SVG. flow.SVG escapes every text it
// draws and carries no script, so it is safe as HTML.
func Diagram(f *flow.Flow, lg string) template.HTML {
	return template.HTML(f.SVG(flow.DrawOptions{Lang: lg})) //nolint:gosec // see above
}

// editPage is the edit form: the text, and after a check its verdict.
type editPage struct {
	Code    string // "" for a new flow
	BasedOn int64
	Source  string
	// Checked: the form was checked; Valid with no mistakes, then Flow is
	// what it reads as (its diagram a preview).
	Checked  bool
	Valid    *flow.Flow
	Mistakes []mistake
	Preview  template.HTML
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request) {
	h.Render(w, r, http.StatusOK, "edit", editPage{}, nil)
}

func (h *handlers) editPage(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.Flow(r.Context(), principal(r), r.PathValue("code"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "edit", editPage{Code: d.Code, BasedOn: d.Versions[0].Version, Source: d.Source}, nil)
}

// edit checks (op=validate) or publishes (op=publish) the posted flow
// file: the uploaded file when one is chosen, else the text.
func (h *handlers) edit(w http.ResponseWriter, r *http.Request) {
	d := editPage{Code: strings.TrimSpace(r.FormValue("code"))}
	if v, err := strconv.ParseInt(r.FormValue("based_on"), 10, 64); err == nil && v > 0 {
		d.BasedOn = v
	}
	src, err := source(r)
	d.Source = string(src)
	if err != nil {
		h.Render(w, r, 0, "edit", d, err)
		return
	}
	f, err := h.svc.ValidateFlow(src)
	d.Checked = true
	if err != nil {
		d.Mistakes = mistakes(err, lang(r))
		if len(d.Mistakes) > 0 {
			h.Render(w, r, http.StatusBadRequest, "edit", d, nil)
			return
		}
		h.Render(w, r, 0, "edit", d, err)
		return
	}
	if r.FormValue("op") != "publish" {
		d.Valid, d.Preview = f, Diagram(f, lang(r))
		h.Render(w, r, http.StatusOK, "edit", d, nil)
		return
	}
	if _, err := h.svc.PublishFlow(r.Context(), principal(r), src, d.BasedOn); err != nil {
		d.Checked = false
		h.Render(w, r, 0, "edit", d, err)
		return
	}
	page.Done(w, r, "/admin/flows/"+f.Code, "published")
}

// source is the flow file of the edit form.
func source(r *http.Request) ([]byte, error) {
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 && fhs[0].Size > 0 {
			if fhs[0].Size > maxFile {
				return nil, apperr.Invalidf("file", "flowweb.the_file_is_over_1_mib")
			}
			f, err := fhs[0].Open()
			if err != nil {
				return nil, formError("file", "edit.bad_file", err)
			}
			defer f.Close() //nolint:errcheck // read-only
			b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
			if err != nil {
				return nil, formError("file", "edit.bad_file", err)
			}
			return b, nil
		}
	}
	s := strings.ReplaceAll(r.FormValue("source"), "\r\n", "\n") // a textarea sends CRLF
	if strings.TrimSpace(s) == "" {
		return nil, formError("source", "edit.no_source", nil)
	}
	return []byte(s), nil
}

// mistake is one error of a flow file: where (line, column, key) and what.
type mistake struct {
	Where, What string
}

// mistakes are the flow file's errors one by one, in lang (flow.Parse
// reports every mistake as an apperr.List, each naming its line and key).
func mistakes(err error, lg string) []mistake {
	var l apperr.List
	if !errors.As(err, &l) {
		return nil
	}
	out := make([]mistake, 0, len(l))
	for _, e := range l {
		out = append(out, mistake{Where: e.Field, What: e.Message(lg)})
	}
	return out
}

// formError is an Invalid error from one of the page's message keys.
func formError(field, key string, cause error) error {
	return &apperr.Error{Code: apperr.Invalid, Field: field, Key: messages.ID(key), Err: cause}
}
