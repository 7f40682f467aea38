package ratingweb

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Action is one action on a rating through the API, as the rating's page
// offers them: a callback step (call, verify, close: L8), the unit's
// appeal (appeal), a supervisor's decision on it (uphold, reject).
type Action struct {
	Action   string `json:"action"`
	Text     string `json:"text,omitempty"`     // call, verify, close: what was said, found, rectified
	Founded  bool   `json:"founded,omitempty"`  // verify: the bad rating's complaint was founded
	Evidence string `json:"evidence,omitempty"` // close: what proves the rectification
	Kind     string `json:"kind,omitempty"`     // appeal: mistaken or malicious
	Reason   string `json:"reason,omitempty"`   // appeal
	Opinion  string `json:"opinion,omitempty"`  // uphold, reject
}

// apiRoutes are the ratings under /api/v1/ratings: the list, one rating
// with its version as the ETag, and its actions with If-Match (a stale
// version is a 409 with the current rating).
func (h *handlers) apiRoutes(scope func(*http.Request) (string, error)) []httpx.Route {
	p := api.Prefix + "/ratings"
	tags := []string{"ratings"}
	id := httpx.Param{Name: "id", In: "path", Description: "the rating's id", Type: "integer"}
	return []httpx.Route{
		{Pattern: "GET " + p, Handler: hf(h.apiList),
			Doc: &httpx.Doc{Summary: "Ratings", Tags: tags, Response: []rating.Rating{},
				Params: []httpx.Param{{Name: "show", In: "query", Description: "bad, due (callbacks open) or appeals (pending)", Type: "string"},
					{Name: "limit", In: "query", Description: "at most 200", Type: "integer"}},
				Description: "L8: the ratings of the caller's jurisdiction, newest first; a unit's staff see their unit's."}},
		{Pattern: "GET " + p + "/{id}", Policy: httpx.Policy{Scope: scope}, Handler: hf(h.apiGet),
			Doc: &httpx.Doc{Summary: "One rating", Tags: tags, Response: rating.Rating{}, Params: []httpx.Param{id}, Versioned: true,
				Description: "The rating with its callback and appeal. The version is the ETag."}},
		{Pattern: "POST " + p + "/{id}/actions", Policy: httpx.Policy{Write: true, Scope: scope}, Handler: hf(h.apiAct),
			Doc: &httpx.Doc{Summary: "Act on a rating", Tags: tags, Request: Action{}, Response: rating.Rating{}, Params: []httpx.Param{id}, Versioned: true,
				Description: "L8: call, verify (founded), close (evidence) a bad rating's callback — the rated unit or the general office; appeal (kind mistaken or malicious, reason) — the rated unit; uphold or reject (opinion) — a supervisor. With If-Match; a stale version is 409."}},
	}
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	var f ratingdb.Filter
	switch show := r.URL.Query().Get("show"); show {
	case "":
	case "bad":
		f.Bad = true
	case "due":
		f.Callback = "due"
	case "appeals":
		f.Appeal = "pending"
	default:
		api.WriteError(w, r, apperr.Invalidf("show", "ratingweb.show_is_bad_due_or_appeals", show))
		return
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			api.WriteError(w, r, apperr.Invalidf("limit", "ratingweb.limit_is_a_whole_number_from", v))
			return
		}
		f.Limit = n
	}
	rs, err := h.svc.List(r.Context(), principal(r), f)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if rs == nil {
		rs = []rating.Rating{}
	}
	api.WriteJSON(w, r, http.StatusOK, rs)
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	rt, err := h.svc.Get(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, rt, int64(rt.Version))
}

func (h *handlers) apiAct(w http.ResponseWriter, r *http.Request) {
	// The body is read first: bad JSON or no action is a 400 naming the
	// field, with or without a version.
	var in Action
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	if !slices.Contains([]string{"call", "verify", "close", "appeal", "uphold", "reject"}, in.Action) {
		api.WriteError(w, r, apperr.Invalidf("action", "ratingweb.unknown_action"))
		return
	}
	base, err := api.IfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	p, id := principal(r), page.PathID(r)
	var out rating.Rating
	switch in.Action {
	case "call", "verify", "close":
		out, err = h.svc.Callback(r.Context(), p, id, base, rating.Step{Action: in.Action, Text: in.Text, Founded: in.Founded, Evidence: in.Evidence})
	case "appeal":
		out, err = h.svc.Appeal(r.Context(), p, id, base, rating.AppealKind(in.Kind), in.Reason)
	case "uphold", "reject":
		out, err = h.svc.DecideAppeal(r.Context(), p, id, base, in.Action == "uphold", in.Opinion)
	default:
		err = apperr.Invalidf("action", "ratingweb.unknown_action")
	}
	api.Edited(w, r, http.StatusOK, out, err, func(r rating.Rating) int64 { return int64(r.Version) },
		func() (rating.Rating, error) { return h.svc.Get(r.Context(), p, id) })
}
