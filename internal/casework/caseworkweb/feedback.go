package caseworkweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// The supervising unit's feedback on a completed case (H9), by API and by
// the form on the case page, and the case's deliveries (H7) on that page.

// feedbackRoles may attach feedback; the service checks the unit (the
// case's, of the case's body) besides.
var feedbackRoles = []access.Role{access.RoleUnitStaff, access.RoleLeader}

// feedbackAPIRoutes are the feedback's API routes.
func feedbackAPIRoutes(h *handlers, scope func(r *http.Request) (string, error), number httpx.Param) []httpx.Route {
	p := "/api/v1/cases/{number}/feedback"
	return []httpx.Route{
		{Pattern: "GET " + p, Policy: httpx.Policy{Roles: staffRoles, Scope: scope}, Handler: hf(h.apiFeedback),
			Doc: &httpx.Doc{Summary: "The supervising unit's feedback on a case", Tags: tags, Response: caseworkdb.Feedback{},
				Params: []httpx.Param{number}, Versioned: true,
				Description: "What the supervising unit returned about the completed case (H9): supervision, penalty and coercion " +
					"results, who wrote it and when. Version 0 and empty results: no feedback yet. The version is the ETag."}},
		{Pattern: "POST " + p, Policy: httpx.Policy{Roles: feedbackRoles, Write: true, Scope: scope}, Handler: hf(h.apiAttachFeedback),
			Doc: &httpx.Doc{Summary: "Attach the supervising unit's feedback to a case", Tags: tags, Request: caseworkdb.FeedbackInput{},
				Response: caseworkdb.Feedback{}, Params: []httpx.Param{number}, Versioned: true,
				Description: "Only staff of the case's unit (the supervising unit the result was pushed to), of the case's body, once " +
					"the case is completed (H9). At least one of supervision, penalty and coercion, each at most 2,000 characters; " +
					"unknown members are refused. Without If-Match the feedback is the case's first (201); with If-Match (the GET's " +
					"ETag) it is a new version of the one named (200). Stale (another version meanwhile): 409 with the feedback as it is. Each change is an event on " +
					"the case's timeline."}},
	}
}

// feedbackPageRoutes is the case page's feedback form.
func feedbackPageRoutes(h *pages, scope func(r *http.Request) (string, error)) []httpx.Route {
	return []httpx.Route{
		{Pattern: "POST /cases/{number}/feedback", Policy: httpx.Policy{Roles: feedbackRoles, Write: true, Scope: scope}, Handler: hf(h.feedback)},
	}
}

func (h *handlers) apiFeedback(w http.ResponseWriter, r *http.Request) {
	f, _, err := h.svc.FeedbackOf(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, f, f.Version)
}

func (h *handlers) apiAttachFeedback(w http.ResponseWriter, r *http.Request) {
	base, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in caseworkdb.FeedbackInput
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	number := r.PathValue("number")
	f, err := h.svc.AttachFeedback(r.Context(), principal(r), number, base, in)
	status := http.StatusOK
	if err == nil && f.Version == 1 {
		status = http.StatusCreated
	}
	api.Edited(w, r, status, f, err, func(f caseworkdb.Feedback) int64 { return f.Version },
		func() (caseworkdb.Feedback, error) {
			cur, _, err := h.svc.FeedbackOf(r.Context(), principal(r), number)
			return cur, err
		})
}

func (h *pages) feedback(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showCase(w, r, 0, err)
		return
	}
	base, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("feedback_version")), 10, 64)
	if err != nil || base < 0 {
		h.showCase(w, r, 0, apperr.Invalidf("version", "caseworkweb.the_version_is_missing_reload_the"))
		return
	}
	in := caseworkdb.FeedbackInput{Supervision: r.PostForm.Get("supervision"), Penalty: r.PostForm.Get("penalty"),
		Coercion: r.PostForm.Get("coercion")}
	number := r.PathValue("number")
	if _, err := h.svc.AttachFeedback(r.Context(), principal(r), number, base, in); err != nil {
		h.showCase(w, r, 0, err)
		return
	}
	page.Done(w, r, "/cases/"+url.PathEscape(number), "feedback")
}

// deliveryRow is one message sent about the case, as staff see it: the
// recipient masked for those who do not see personal data (L7).
type deliveryRow struct {
	notifydb.Entry
	ToApplicant bool
	// CauseName is the action the message tells of, in the flow's words
	// (the outbox's cause is "case." and the action's ID).
	CauseName string
}

// caseExtras reads the case page's deliveries and feedback.
func (h *pages) caseExtras(r *http.Request, d *casePage) error {
	ctx, p := r.Context(), principal(r)
	es, err := h.svc.Deliveries(ctx, p, d.Case.Number)
	if err != nil {
		return err
	}
	for _, e := range es {
		switch {
		case e.Channel == notify.SMS && d.Masked:
			e.Recipient = ident.MaskPhone(e.Recipient)
		case e.Channel == notify.Email && d.Masked:
			e.Recipient = maskEmail(e.Recipient)
		}
		d.Deliveries = append(d.Deliveries, deliveryRow{Entry: e, ToApplicant: e.Cause == caseworkdb.CompletionCause &&
			(e.Channel == notify.SMS || e.Channel == notify.Email),
			CauseName: actionName(d.Run, strings.TrimPrefix(e.Cause, "case."), lang(r))})
	}
	if d.Feedback, d.FeedbackHistory, err = h.svc.FeedbackOf(ctx, p, d.Case.Number); err != nil {
		return err
	}
	d.MayFeedBack = p.HasAny(feedbackRoles...) && d.Case.Status == "completed" && h.unitCode(r) == d.Case.Unit.Code
	return nil
}

// maskEmail keeps an address's first character and its domain (L7):
// "lisi@example.cn" → "l***@example.cn".
func maskEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" {
		return ident.MaskText(s)
	}
	r := []rune(local)
	return string(r[0]) + "***@" + domain
}
