package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// EventLog is what reading the audit log's events needs; *store.DB has it.
type EventLog interface {
	Events(ctx context.Context, f store.EventFilter) ([]store.Event, error)
}

// AuditEvent is one event of the audit log as its reader sees it.
type AuditEvent struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	BodyID     int64           `json:"body_id,omitempty"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	From       string          `json:"from,omitempty"`
	To         string          `json:"to,omitempty"`
	Payload    json.RawMessage `json:"payload,omitempty"`
	State      json.RawMessage `json:"state,omitempty"`
}

// maxAuditPage bounds one page of events.
const maxAuditPage = 1000

// AuditEventRoutes is reading the audit log itself: the audit duty's (the
// audit administrator when duties are separated, 三员分立), over the whole
// log, so only for a principal whose jurisdiction covers every body —
// scope returns that path (org.TopPath).
func AuditEventRoutes(log EventLog, scope func(r *http.Request) (string, error)) []httpx.Route {
	h := auditEvents{log: log}
	return []httpx.Route{{
		Pattern: "GET " + Prefix + "/audit/events",
		Policy:  httpx.Policy{Roles: access.DutyRoles(access.DutyAudit), Duty: access.DutyAudit, Scope: scope},
		Handler: http.HandlerFunc(h.list),
		Doc: &httpx.Doc{Summary: "Read the audit log's events", Tags: []string{"audit"}, Response: []AuditEvent{},
			Description: "Events in sequence order from `from`, at most `limit` (default 100, at most 1000), optionally of one object. " +
				"For the audit administrator (with --separation-of-duties only they; otherwise also the administrator) of the top-level body. " +
				"Credentials appear in states only as digests.",
			Params: []httpx.Param{
				{Name: "from", In: "query", Type: "integer", Description: "first sequence number (default 0)"},
				{Name: "limit", In: "query", Type: "integer", Description: "events to return, 1–1000 (default 100)"},
				{Name: "object_type", In: "query", Description: "only this object's events (with object_id)"},
				{Name: "object_id", In: "query", Description: "only this object's events (with object_type)"},
			}},
	}}
}

type auditEvents struct{ log EventLog }

func (h auditEvents) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.EventFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Limit: 100}
	if s := q.Get("from"); s != "" {
		from, err := uintParam(s, "from")
		if err != nil {
			WriteError(w, r, err)
			return
		}
		f.FromSeq = int64(from)
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxAuditPage {
			WriteError(w, r, apperr.Invalidf("limit", "api.limit_must_be_1", maxAuditPage))
			return
		}
		f.Limit = n
	}
	evs, err := h.log.Events(r.Context(), f)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	out := make([]AuditEvent, len(evs))
	for i, e := range evs {
		out[i] = AuditEvent{Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, BodyID: e.BodyID, Action: e.Action, ObjectType: e.ObjectType,
			ObjectID: e.ObjectID, From: e.From, To: e.To, Payload: e.Payload, State: e.State}
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, r, http.StatusOK, out)
}
