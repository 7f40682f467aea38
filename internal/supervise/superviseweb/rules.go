package superviseweb

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// RulesRequest replaces a body's own rule set with a rule file.
type RulesRequest struct {
	File string `json:"file"` // the rule file, YAML or JSON (docs/SUPERVISION.md)
}

func (h *handlers) scopeBody(r *http.Request) (string, error) {
	id := page.PathID(r)
	if id <= 0 {
		return "", apperr.NotFoundf("superviseweb.no_such_body")
	}
	return h.svc.BodyPath(r.Context(), id)
}

// ruleRoutes are the rule sets' pages and API (S5, L10): the rules in
// force at a body with where each comes from, a form per rule and the
// body's own set as a file, both checked by line and key.
func (h *handlers) ruleRoutes() []httpx.Route {
	readers := []access.Role{access.RoleSupervisor, access.RoleAdmin, access.RoleLeader}
	writers := []access.Role{access.RoleSupervisor, access.RoleAdmin}
	read := httpx.Policy{Roles: readers, Scope: h.scopeBody}
	write := httpx.Policy{Roles: writers, Write: true, Scope: h.scopeBody}
	id := httpx.Param{Name: "id", In: "path", Description: "the body's id", Type: "integer"}
	p := api.Prefix + "/supervision/bodies/{id}/rules"
	return []httpx.Route{
		{Pattern: "GET /supervision/rules", Policy: httpx.Policy{Roles: readers}, Handler: hf(h.rulesPage), Nav: &httpx.Nav{Label: "nav.supervision_rules", Order: 65}},
		{Pattern: "GET /supervision/rules/{id}", Policy: read, Handler: hf(h.rulesPage)},
		{Pattern: "POST /supervision/rules/{id}", Policy: write, Handler: hf(h.rulesFile)},
		{Pattern: "POST /supervision/rules/{id}/rule", Policy: write, Handler: hf(h.ruleForm)},
		{Pattern: "GET " + p, Policy: read, Handler: hf(h.apiRules),
			Doc: &httpx.Doc{Summary: "A body's supervision rules", Tags: tags, Response: supervisedb.RulesView{}, Params: []httpx.Param{id}, Versioned: true,
				Description: "The rules in force at the body, each with the body whose set put it there (none: the shipped defaults), and the body's own set; the ETag is the own set's version (0: none)."}},
		{Pattern: "POST " + p, Policy: write, Handler: hf(h.apiSetRules),
			Doc: &httpx.Doc{Summary: "Replace a body's own supervision rules", Tags: tags, Request: RulesRequest{}, Response: supervisedb.RulesView{}, Params: []httpx.Param{id}, Versioned: true,
				Description: "Replaces the body's own rule set with a rule file (S5, L10); every mistake is named by line and key and nothing changes. If-Match: the version read; without it the edit counts as based on no set of its own, so it is 409 once the body has one. Audited; the version goes up by one."}},
	}
}

type rulesPage struct {
	View     supervisedb.RulesView
	File     string // the own set as a file, for the box
	Writer   bool
	Units    []calendar.Unit
	Levels   []supervise.Level
	Audience []supervise.Audience
}

func (h *handlers) showRules(w http.ResponseWriter, r *http.Request, file string, failure error) {
	p := principal(r)
	v, err := h.svc.RulesOf(r.Context(), p, page.PathID(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if file == "" {
		b, err := json.MarshalIndent(v.Own, "", "  ")
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		file = string(b)
	}
	h.Render(w, r, http.StatusOK, "rules", rulesPage{View: v, File: file, Writer: p.HasAny(access.RoleSupervisor, access.RoleAdmin),
		Units:    []calendar.Unit{calendar.WorkingDays, calendar.NaturalDays, calendar.Hours},
		Levels:   []supervise.Level{supervise.Reminder, supervise.Yellow, supervise.Red},
		Audience: []supervise.Audience{supervise.ToResponsible, supervise.ToUnit, supervise.ToUnitHead, supervise.ToSupervision, supervise.ToLeader}}, failure)
}

func (h *handlers) rulesPage(w http.ResponseWriter, r *http.Request) { h.showRules(w, r, "", nil) }

func (h *handlers) rulesFile(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	file := ""
	if err == nil {
		file = r.PostForm.Get("file")
		var base int
		if base, err = formInt(r, "version"); err == nil {
			_, err = h.svc.SetRules(r.Context(), principal(r), page.PathID(r), int64(base), []byte(file))
		}
	}
	if err != nil {
		h.showRules(w, r, file, located(err)) // the box keeps what was typed, the mistakes named by line
		return
	}
	page.Done(w, r, "/supervision/rules/"+strconv.FormatInt(page.PathID(r), 10), "rules_set")
}

func (h *handlers) ruleForm(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		var base int
		var e supervisedb.RuleEdit
		if base, err = formInt(r, "version"); err == nil {
			e, err = ruleEdit(r)
		}
		if err == nil {
			_, err = h.svc.EditRule(r.Context(), principal(r), page.PathID(r), int64(base), e)
		}
	}
	if err != nil {
		h.showRules(w, r, "", located(err))
		return
	}
	page.Done(w, r, "/supervision/rules/"+strconv.FormatInt(page.PathID(r), 10), "rules_set")
}

// ruleEdit reads one rule's form. A share is a percentage (80) or a
// fraction (0.8); the rule file's checks name what is wrong with it.
func ruleEdit(r *http.Request) (supervisedb.RuleEdit, error) {
	f := r.PostForm
	e := supervisedb.RuleEdit{ID: strings.TrimSpace(f.Get("id")), Off: f.Get("off") == "true",
		Level: supervise.Level(f.Get("level")), Threshold: f.Get("threshold"), Unit: calendar.Unit(f.Get("unit"))}
	for _, a := range f["notify"] {
		e.Notify = append(e.Notify, supervise.Audience(a))
	}
	var err error
	if e.N, err = formInt(r, "n"); err != nil {
		return e, err
	}
	if e.Limit, err = formInt(r, "limit"); err != nil {
		return e, err
	}
	if v := strings.TrimSuffix(strings.TrimSpace(f.Get("share")), "%"); v != "" {
		share, perr := strconv.ParseFloat(v, 64)
		if perr != nil || math.IsNaN(share) || math.IsInf(share, 0) || share < 0 {
			return e, apperr.Invalidf("share", "superviseweb.the_share_must_be_a_number")
		}
		if share > 1 {
			share /= 100
		}
		e.Share = share
	}
	return e, nil
}

func (h *handlers) apiRules(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.RulesOf(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, v, v.Version)
}

func (h *handlers) apiSetRules(w http.ResponseWriter, r *http.Request) {
	base, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in RulesRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	if _, err := h.svc.SetRules(r.Context(), principal(r), page.PathID(r), base, []byte(in.File)); err != nil {
		api.WriteError(w, r, err)
		return
	}
	v, err := h.svc.RulesOf(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, v, v.Version)
}

// threshold says when a time rule fires, in lang.
func threshold(lang string, r supervise.Rule) string {
	switch {
	case r.Before != nil:
		return msg.Text(lang, "superviseweb.threshold.before", r.Before.N, r.Before.Unit)
	case r.After != nil:
		return msg.Text(lang, "superviseweb.threshold.after", r.After.N, r.After.Unit)
	case r.Share > 0:
		return msg.Text(lang, "superviseweb.threshold.share", r.Share*100)
	}
	return msg.Text(lang, "superviseweb.threshold.when_it_happens")
}

// located puts a rule file's mistakes' places (line, column and key, in
// Field) into their words, so the page names where each one is.
func located(err error) error {
	at := func(e *apperr.Error) *apperr.Error {
		if !strings.HasPrefix(e.Field, "line ") {
			return e
		}
		c := *e
		c.Key, c.Args = "superviseweb.mistake_at_place", []any{e.Field, e}
		return &c
	}
	var l apperr.List
	if errors.As(err, &l) {
		out := make(apperr.List, len(l))
		for i, e := range l {
			out[i] = at(e)
		}
		return out
	}
	var e *apperr.Error
	if errors.As(err, &e) {
		return at(e)
	}
	return err
}
