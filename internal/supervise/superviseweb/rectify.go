package superviseweb

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// RectActionRequest is a progress note on, or the closing of, a
// rectification item.
type RectActionRequest struct {
	Action   string   `json:"action"`             // note or close
	Text     string   `json:"text"`               // the progress, or the closing note
	Evidence []string `json:"evidence,omitempty"` // close: the documents that show it fixed
}

// ReportRequest is an external supervisor's report of a problem (S7).
type ReportRequest struct {
	Problem  string `json:"problem"`             // what is wrong
	Unit     string `json:"unit"`                // the unit's code
	UnitBody string `json:"unit_body,omitempty"` // the unit's body's path; the reporter's own when omitted
}

func (h *handlers) scopeRect(r *http.Request) (string, error) {
	id := page.PathID(r)
	if id <= 0 {
		return "", apperr.NotFoundf("superviseweb.no_such_rectification_item")
	}
	return h.svc.RectificationPath(r.Context(), id)
}

func (h *handlers) rectRoutes() []httpx.Route {
	p := api.Prefix + "/supervision"
	supervisor := []access.Role{access.RoleSupervisor}
	external := []access.Role{access.RoleExternalSupervisor}
	open := httpx.Policy{Roles: supervisor, Write: true}
	fromCard := httpx.Policy{Roles: supervisor, Write: true, Scope: h.scopeCard}
	fromOrder := httpx.Policy{Roles: supervisor, Write: true, Scope: h.scopeOrder}
	act := httpx.Policy{Write: true, Scope: h.scopeRect}
	read := httpx.Policy{Scope: h.scopeRect}
	report := httpx.Policy{Roles: external, Write: true, ExternalReport: true}
	id := httpx.Param{Name: "id", In: "path", Description: "the rectification item's id", Type: "integer"}
	return []httpx.Route{
		{Pattern: "GET /supervision/rectifications", Handler: hf(h.rectsPage), Nav: &httpx.Nav{Label: "nav.supervision_rectifications", Order: 62}},
		{Pattern: "POST /supervision/rectifications", Policy: open, Handler: hf(h.openPage)},
		{Pattern: "GET /supervision/rectifications/{id}", Policy: read, Handler: hf(h.rectPage)},
		{Pattern: "POST /supervision/rectifications/{id}", Policy: act, Handler: hf(h.rectActPage)},
		{Pattern: "POST /supervision/cards/{id}/rectification", Policy: fromCard, Handler: hf(h.fromCardPage)},
		{Pattern: "POST /supervision/orders/{id}/rectification", Policy: fromOrder, Handler: hf(h.fromOrderPage)},
		{Pattern: "GET /supervision/report", Policy: httpx.Policy{Roles: external}, Handler: hf(h.reportPage),
			Nav: &httpx.Nav{Label: "nav.supervision_report", Order: 63}},
		{Pattern: "POST /supervision/report", Policy: report, Handler: hf(h.reportPost)},

		{Pattern: "GET " + p + "/rectifications", Handler: hf(h.apiRects),
			Doc: &httpx.Doc{Summary: "The rectification list", Tags: tags, Response: []supervise.Rectification{},
				Params: []httpx.Param{{Name: "open", In: "query", Description: "true: open items only", Type: "boolean"},
					{Name: "mine", In: "query", Description: "true: the items the caller owns only", Type: "boolean"}},
				Description: "Items opened by or for the bodies of the caller's jurisdiction, open ones first by deadline; a unit's staff see their unit's and those they own (S8)."}},
		{Pattern: "POST " + p + "/rectifications", Policy: open, Handler: hf(h.apiOpen),
			Doc: &httpx.Doc{Summary: "Put a problem on the rectification list", Tags: tags, Request: supervisedb.Problem{}, Response: supervise.Rectification{},
				Description: "A supervisor puts a problem on the list (S8): from a card or an order (ref: its id; the unit is the card's or order's), or from an inspection, a complaint or a rating with the unit's code. The owner is the unit's head unless named; the deadline 10 working days unless given. The owner is told at once. The version is the ETag."}},
		{Pattern: "GET " + p + "/rectifications/{id}", Policy: read, Handler: hf(h.apiRect),
			Doc: &httpx.Doc{Summary: "One rectification item", Tags: tags, Response: supervise.Rectification{}, Params: []httpx.Param{id}, Versioned: true,
				Description: "The item with its progress notes and, once closed, its evidence. The version is the ETag."}},
		{Pattern: "POST " + p + "/rectifications/{id}/actions", Policy: act, Handler: hf(h.apiRectAct),
			Doc: &httpx.Doc{Summary: "Note progress on, or close, a rectification item", Tags: tags, Request: RectActionRequest{}, Response: supervise.Rectification{},
				Params: []httpx.Param{id}, Versioned: true,
				Description: "note: progress; close: with evidence (at least one document), clearing the card the item came from. The owner, the unit's staff or a supervisor over the item. With If-Match, an item changed since is 409 with the item as it is now."}},
		{Pattern: "POST " + p + "/reports", Policy: report, Handler: hf(h.apiReport),
			Doc: &httpx.Doc{Summary: "An external supervisor reports a problem", Tags: tags, Request: ReportRequest{}, Response: supervise.Rectification{},
				Description: "External supervisors only (S7; the one write their read-only role allows): the problem lands on the rectification list, owned by the unit's head, with the reporter's recorded kind."}},
	}
}

type rectsPage struct {
	Items      []supervise.Rectification
	Supervisor bool
	Units      []supervisedb.UnitRef
	Mine, Open bool
	Sources    []supervise.Source
}

// handSources are the sources a supervisor puts on the list by hand (cards
// and orders have their own buttons; external reports their own form).
var handSources = []supervise.Source{supervise.FromInspection, supervise.FromComplaint, supervise.FromRating}

func truth(v string) bool {
	b, err := strconv.ParseBool(v)
	return err == nil && b // anything but a truth: false
}

func (h *handlers) rectsPage(w http.ResponseWriter, r *http.Request) { h.showRects(w, r, nil) }

func (h *handlers) showRects(w http.ResponseWriter, r *http.Request, failure error) {
	p := principal(r)
	q := r.URL.Query()
	pg := rectsPage{Supervisor: p.Has(access.RoleSupervisor), Mine: truth(q.Get("mine")), Open: truth(q.Get("open")), Sources: handSources}
	var err error
	if pg.Items, err = h.svc.Rectifications(r.Context(), p, supervisedb.RectFilter{Mine: pg.Mine, Open: pg.Open}); err != nil {
		h.Fail(w, r, err)
		return
	}
	pg.Items = forReaderAll(p, pg.Items)
	if pg.Supervisor {
		if pg.Units, err = h.svc.Units(r.Context(), p); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, http.StatusOK, "rectifications", pg, failure)
}

// unitOf splits a form's unit ("path|code").
func unitOf(v string) (path, code string) {
	path, code, ok := strings.Cut(v, "|")
	if !ok {
		return "", v
	}
	return path, code
}

func (h *handlers) openPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	var x supervise.Rectification
	if err == nil {
		path, code := unitOf(r.PostForm.Get("unit"))
		x, err = h.svc.OpenRectification(r.Context(), principal(r), supervisedb.Problem{Source: supervise.Source(r.PostForm.Get("source")),
			Ref: r.PostForm.Get("ref"), Problem: r.PostForm.Get("problem"), Unit: code, UnitBody: path, Deadline: r.PostForm.Get("deadline")})
	}
	if err != nil {
		h.showRects(w, r, err)
		return
	}
	page.Done(w, r, "/supervision/rectifications/"+strconv.FormatInt(x.ID, 10), "rect_opened")
}

// fromSource opens an item from a card or an order (the buttons beside them).
func (h *handlers) fromSource(w http.ResponseWriter, r *http.Request, src supervise.Source) {
	err := page.ParseForm(w, r)
	var x supervise.Rectification
	if err == nil {
		x, err = h.svc.OpenRectification(r.Context(), principal(r), supervisedb.Problem{Source: src,
			Ref: strconv.FormatInt(page.PathID(r), 10), Problem: r.PostForm.Get("problem"), Deadline: r.PostForm.Get("deadline")})
	}
	if err != nil {
		h.Render(w, r, http.StatusOK, "error", nil, err)
		return
	}
	page.Done(w, r, "/supervision/rectifications/"+strconv.FormatInt(x.ID, 10), "rect_opened")
}

func (h *handlers) fromCardPage(w http.ResponseWriter, r *http.Request) {
	h.fromSource(w, r, supervise.FromCard)
}

func (h *handlers) fromOrderPage(w http.ResponseWriter, r *http.Request) {
	h.fromSource(w, r, supervise.FromOrder)
}

type rectPage struct {
	Item supervise.Rectification
	// Works: the viewer may note progress and close (the owner, the
	// unit's staff, a supervisor).
	Works bool
}

func (h *handlers) showRect(w http.ResponseWriter, r *http.Request, failure error) {
	p := principal(r)
	x, err := h.svc.Rectification(r.Context(), p, page.PathID(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	works, err := h.svc.MayWork(r.Context(), p, x)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	x = forReader(p, x)
	h.Render(w, r, http.StatusOK, "rectification", rectPage{Item: x, Works: works}, failure)
}

func (h *handlers) rectPage(w http.ResponseWriter, r *http.Request) { h.showRect(w, r, nil) }

// lines are the non-blank lines of a text area (one document a line).
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (h *handlers) rectActPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		var base int
		if base, err = formInt(r, "version"); err == nil && base == 0 {
			err = apperr.Invalidf("version", "superviseweb.the_form_carries_no_version_reload")
		}
		if err == nil {
			_, err = h.svc.ActOnRectification(r.Context(), principal(r), page.PathID(r), int64(base),
				supervisedb.RectStep{Action: r.PostForm.Get("action"), Text: r.PostForm.Get("text"), Evidence: lines(r.PostForm.Get("evidence"))})
		}
	}
	if err != nil {
		h.showRect(w, r, err)
		return
	}
	page.Done(w, r, "/supervision/rectifications/"+strconv.FormatInt(page.PathID(r), 10), "acted")
}

type reportPage struct {
	Units []supervisedb.UnitRef
	Kind  supervise.ExternalKind
	Mine  []supervise.Rectification // the reports this supervisor made
}

func (h *handlers) reportPage(w http.ResponseWriter, r *http.Request) { h.showReport(w, r, nil) }

func (h *handlers) showReport(w http.ResponseWriter, r *http.Request, failure error) {
	p := principal(r)
	units, err := h.svc.Units(r.Context(), p)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := reportPage{Units: units}
	if pg.Kind, err = h.svc.ExternalKind(r.Context(), p); err != nil && failure == nil {
		failure = err // shown above the form: an administrator must record it first
	}
	all, err := h.svc.Rectifications(r.Context(), p, supervisedb.RectFilter{})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	for _, x := range all {
		if x.Source == supervise.FromExternal && x.CreatedBy.ID == p.StaffID {
			pg.Mine = append(pg.Mine, forReader(p, x))
		}
	}
	h.Render(w, r, http.StatusOK, "report", pg, failure)
}

func (h *handlers) reportPost(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		path, code := unitOf(r.PostForm.Get("unit"))
		_, err = h.svc.OpenRectification(r.Context(), principal(r), supervisedb.Problem{Source: supervise.FromExternal,
			Problem: r.PostForm.Get("problem"), Unit: code, UnitBody: path})
	}
	if err != nil {
		h.showReport(w, r, err)
		return
	}
	page.Done(w, r, "/supervision/report", "reported")
}

func (h *handlers) apiRects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	xs, err := h.svc.Rectifications(r.Context(), principal(r), supervisedb.RectFilter{Open: truth(q.Get("open")), Mine: truth(q.Get("mine"))})
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, forReaderAll(principal(r), xs))
}

func (h *handlers) apiOpen(w http.ResponseWriter, r *http.Request) {
	var in supervisedb.Problem
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	if in.Source == supervise.FromExternal {
		api.WriteError(w, r, apperr.Invalidf("source", "superviseweb.external_supervisors_report_through_reports"))
		return
	}
	x, err := h.svc.OpenRectification(r.Context(), principal(r), in)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusCreated, x, int64(x.Version))
}

func (h *handlers) apiRect(w http.ResponseWriter, r *http.Request) {
	x, err := h.svc.Rectification(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, forReader(principal(r), x), int64(x.Version))
}

func (h *handlers) apiRectAct(w http.ResponseWriter, r *http.Request) {
	base, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in RectActionRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	id := page.PathID(r)
	x, err := h.svc.ActOnRectification(r.Context(), principal(r), id, base,
		supervisedb.RectStep{Action: strings.TrimSpace(in.Action), Text: in.Text, Evidence: in.Evidence})
	api.Edited(w, r, http.StatusOK, x, err, func(x supervise.Rectification) int64 { return int64(x.Version) },
		func() (supervise.Rectification, error) { return h.svc.Rectification(r.Context(), principal(r), id) })
}

func (h *handlers) apiReport(w http.ResponseWriter, r *http.Request) {
	var in ReportRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	x, err := h.svc.OpenRectification(r.Context(), principal(r), supervisedb.Problem{Source: supervise.FromExternal,
		Problem: in.Problem, Unit: in.Unit, UnitBody: in.UnitBody})
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusCreated, x, int64(x.Version))
}

// forReader is x as p may read it: for an external supervisor (S7), who
// reads their area but is not staff of it, the texts masked of personal
// data (a complaint's or a case's problem may name an applicant; L7).
func forReader(p access.Principal, x supervise.Rectification) supervise.Rectification {
	if !p.ReadOnly() {
		return x
	}
	x.Problem, x.Closing = ident.MaskText(x.Problem), ident.MaskText(x.Closing)
	x.Progress = slices.Clone(x.Progress)
	for i := range x.Progress {
		x.Progress[i].Text = ident.MaskText(x.Progress[i].Text)
	}
	return x
}

func forReaderAll(p access.Principal, xs []supervise.Rectification) []supervise.Rectification {
	for i := range xs {
		xs[i] = forReader(p, xs[i])
	}
	return xs
}
