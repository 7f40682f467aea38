package notifyweb

import (
	"net/http"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Message is an outbox message in the API.
type Message struct {
	ID         int64  `json:"id"`
	DeliveryID string `json:"delivery_id"` // the id receivers dedupe on (Qingdan-Delivery-Id, Message-ID)
	Channel    string `json:"channel"`     // email, sms, webhook, inapp
	Recipient  string `json:"recipient"`   // address, mobile number, endpoint name or staff id
	Subject    string `json:"subject,omitempty"`
	BodyID     int64  `json:"body_id"`
	RootType   string `json:"root_type,omitempty"`
	RootID     string `json:"root_id,omitempty"`
	Cause      string `json:"cause,omitempty"`
	State      string `json:"state"` // pending, sending, failed, sent, dead
	Attempts   int    `json:"attempts"`
	// NextAttemptAt: when a pending or failed message is tried next.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
}

func messageJSON(e notifydb.Entry) Message {
	m := Message{ID: e.ID, DeliveryID: e.DeliveryID, Channel: string(e.Channel), Recipient: e.Recipient, Subject: e.Subject,
		BodyID: e.BodyID, RootType: e.RootType, RootID: e.RootID, Cause: e.Cause, State: string(e.State), Attempts: e.Attempts,
		LastError: e.LastError, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	if e.State == notify.Pending || e.State == notify.Failed {
		at := e.NextAttemptAt
		m.NextAttemptAt = &at
	}
	if !e.DeliveredAt.IsZero() {
		at := e.DeliveredAt
		m.DeliveredAt = &at
	}
	return m
}

// Count is how many messages of a channel are in a state.
type Count struct {
	State   string `json:"state"`
	Channel string `json:"channel"`
	Count   int64  `json:"count"`
}

// OutboxAnswer is the outbox of the caller's jurisdiction.
type OutboxAnswer struct {
	// Counts: messages by state and channel; sent ones delivered since
	// SentSince (the last 24 hours) only.
	Counts    []Count   `json:"counts"`
	SentSince time.Time `json:"sent_since"`
	Messages  []Message `json:"messages"`
}

// RetryDeadAnswer says how many dead letters were queued again.
type RetryDeadAnswer struct {
	Retried int `json:"retried"`
}

var (
	outboxTags = []string{"outbox"}
	idParam    = httpx.Param{Name: "id", In: "path", Description: "message id", Type: "integer"}
)

func (h *handlers) outboxRoutes() []httpx.Route {
	read := httpx.Policy{Roles: []access.Role{access.RoleAdmin}}
	write := httpx.Policy{Roles: []access.Role{access.RoleAdmin}, Write: true}
	scoped := func(p httpx.Policy) httpx.Policy { p.Scope = h.scopeMessage; return p }
	p := api.Prefix + "/outbox"
	return []httpx.Route{
		{Pattern: "GET /admin/outbox", Policy: read, Handler: hf(h.outboxPage), Nav: &httpx.Nav{Label: "nav.outbox", Order: 820}},
		{Pattern: "POST /admin/outbox/{id}/retry", Policy: scoped(write), Handler: hf(h.retryPage)},
		{Pattern: "POST /admin/outbox/retry-dead", Policy: write, Handler: hf(h.retryDeadPage)},

		{Pattern: "GET " + p, Policy: read, Handler: hf(h.apiOutbox),
			Doc: &httpx.Doc{Summary: "The outbox of the caller's jurisdiction", Tags: outboxTags, Response: OutboxAnswer{},
				Params: []httpx.Param{
					{Name: "state", In: "query", Description: "pending, sending, failed, sent or dead"},
					{Name: "channel", In: "query", Description: "email, sms, webhook or inapp"},
					{Name: "before", In: "query", Description: "only messages with a smaller id (the next page)", Type: "integer"},
					{Name: "limit", In: "query", Description: "at most this many messages (default and at most 200)", Type: "integer"},
				},
				Description: "Counts by state and channel (sent: delivered in the last 24 hours), and the messages the filter selects, newest first, each with its attempts, next attempt, last error and delivery time — the messages sent for bodies of the caller's jurisdiction. Administrators only. A filter value that is no state or channel is a 400 naming the parameter."}},
		{Pattern: "GET " + p + "/{id}", Policy: scoped(read), Handler: hf(h.apiMessage),
			Doc: &httpx.Doc{Summary: "One outbox message", Tags: outboxTags, Params: []httpx.Param{idParam}, Response: Message{}}},
		{Pattern: "POST " + p + "/{id}/retry", Policy: scoped(write), Handler: hf(h.apiRetry),
			Doc: &httpx.Doc{Summary: "Retry a dead letter", Tags: outboxTags, Params: []httpx.Param{idParam}, Response: Message{},
				Description: "The message gets a new round of attempts, due at once, under the same delivery id (a receiver that did get it dedupes). Only a dead message can be retried (409 otherwise). Audited (notify.retried)."}},
		{Pattern: "POST " + p + "/retry-dead", Policy: write, Handler: hf(h.apiRetryDead),
			Doc: &httpx.Doc{Summary: "Retry every dead letter of the caller's jurisdiction", Tags: outboxTags, Response: RetryDeadAnswer{},
				Params:      []httpx.Param{{Name: "channel", In: "query", Description: "only this channel's (email, sms, webhook or inapp)"}},
				Description: "No request body. At most 1,000 at a time: call again while retried is 1,000. Audited, one notify.retried event per message."}},
	}
}

// filter reads the outbox filter from the query.
func filter(r *http.Request) (notifydb.Filter, error) {
	var f notifydb.Filter
	q := r.URL.Query()
	if v := strings.TrimSpace(q.Get("state")); v != "" {
		st, ok := notify.ParseState(v)
		if !ok {
			return f, notify.ErrFilter("state", v)
		}
		f.State = st
	}
	ch, err := channelOf("channel", q.Get("channel"))
	if err != nil {
		return f, err
	}
	f.Channel = ch
	if f.Before, err = queryInt(r, "before"); err != nil {
		return f, err
	}
	limit, err := queryInt(r, "limit")
	f.Limit = int(min(limit, notifydb.MaxEntries))
	return f, err
}

// channelOf reads an optional channel.
func channelOf(field, v string) (notify.Channel, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	ch, ok := notify.ParseChannel(v)
	if !ok {
		return "", notify.ErrFilter(field, v)
	}
	return ch, nil
}

// outboxPage: counts by channel and state, the filtered messages, retry.
type outboxPage struct {
	Filter   notifydb.Filter
	States   []notify.State
	Channels []notify.Channel
	Counts   map[notify.Channel]map[notify.State]int64
	Dead     int64 // dead letters in the filter's channel (all channels without one)
	Entries  []notifydb.Entry
	Older    int64 // the id to page back from, 0 when this is the last page
}

func (h *handlers) showOutbox(w http.ResponseWriter, r *http.Request, status int, failure error) {
	f, err := filter(r)
	if err != nil {
		h.Render(w, r, http.StatusBadRequest, "error", nil, err)
		return
	}
	o, err := h.svc.Outbox(r.Context(), principal(r), f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := outboxPage{Filter: f, States: notify.States, Channels: notify.Channels, Entries: o.Entries,
		Counts: map[notify.Channel]map[notify.State]int64{}}
	for _, c := range o.Counts {
		if pg.Counts[c.Channel] == nil {
			pg.Counts[c.Channel] = map[notify.State]int64{}
		}
		pg.Counts[c.Channel][c.State] = c.N
		if c.State == notify.Dead && (f.Channel == "" || f.Channel == c.Channel) {
			pg.Dead += c.N
		}
	}
	if n := len(o.Entries); n > 0 && (f.Limit == 0 && n == notifydb.MaxEntries || n == f.Limit) {
		pg.Older = o.Entries[n-1].ID
	}
	h.Render(w, r, status, "outbox", pg, failure)
}

func (h *handlers) outboxPage(w http.ResponseWriter, r *http.Request) {
	h.showOutbox(w, r, http.StatusOK, nil)
}

func (h *handlers) retryPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		_, err = h.svc.Retry(r.Context(), principal(r), page.PathID(r))
	}
	if err != nil {
		h.showOutbox(w, r, http.StatusOK, err)
		return
	}
	page.Done(w, r, "/admin/outbox", "retried")
}

func (h *handlers) retryDeadPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	var ch notify.Channel
	if err == nil {
		ch, err = channelOf("channel", r.PostFormValue("channel"))
	}
	if err == nil {
		_, err = h.svc.RetryDead(r.Context(), principal(r), ch)
	}
	if err != nil {
		h.showOutbox(w, r, http.StatusOK, err)
		return
	}
	page.Done(w, r, "/admin/outbox", "retried_all")
}

func (h *handlers) apiOutbox(w http.ResponseWriter, r *http.Request) {
	f, err := filter(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	o, err := h.svc.Outbox(r.Context(), principal(r), f)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	out := OutboxAnswer{Counts: make([]Count, len(o.Counts)), SentSince: o.SentSince, Messages: make([]Message, len(o.Entries))}
	for i, c := range o.Counts {
		out.Counts[i] = Count{State: string(c.State), Channel: string(c.Channel), Count: c.N}
	}
	for i, e := range o.Entries {
		out.Messages[i] = messageJSON(e)
	}
	api.WriteJSON(w, r, http.StatusOK, out)
}

func (h *handlers) apiMessage(w http.ResponseWriter, r *http.Request) {
	e, err := h.svc.Entry(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, messageJSON(e))
}

func (h *handlers) apiRetry(w http.ResponseWriter, r *http.Request) {
	e, err := h.svc.Retry(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, messageJSON(e))
}

func (h *handlers) apiRetryDead(w http.ResponseWriter, r *http.Request) {
	ch, err := channelOf("channel", r.URL.Query().Get("channel"))
	var n int
	if err == nil {
		n, err = h.svc.RetryDead(r.Context(), principal(r), ch)
	}
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, RetryDeadAnswer{Retried: n})
}
