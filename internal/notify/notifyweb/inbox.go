package notifyweb

import (
	"net/http"
	"time"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// InboxMessage is an in-app message in the API.
type InboxMessage struct {
	ID    int64         `json:"id"`
	Title string        `json:"title"`
	Text  string        `json:"text,omitempty"`
	Link  string        `json:"link,omitempty"`  // a path on this site
	Items []notify.Item `json:"items,omitempty"` // a digest's items
	At    time.Time     `json:"at"`              // when it landed
	Read  bool          `json:"read"`
}

// Inbox is the caller's inbox: unread count and a page of messages.
type Inbox struct {
	Unread   int            `json:"unread"`
	Messages []InboxMessage `json:"messages"`
}

// Unread answers a read mark: how many are still unread.
type Unread struct {
	Unread int `json:"unread"`
}

var inboxTags = []string{"inbox"}

func (h *handlers) inboxRoutes() []httpx.Route {
	// Self: each acts on the caller's own inbox only, so read-only
	// principals (external supervisors) mark their messages read too.
	self := httpx.Policy{Self: true}
	p := api.Prefix + "/inbox"
	return []httpx.Route{
		{Pattern: "GET /inbox", Handler: hf(h.inboxPage)},
		{Pattern: "POST /inbox/{id}/read", Policy: self, Handler: hf(h.readPage)},
		{Pattern: "POST /inbox/read-all", Policy: self, Handler: hf(h.readAllPage)},

		{Pattern: "GET " + p, Handler: hf(h.apiInbox),
			Doc: &httpx.Doc{Summary: "The caller's in-app messages", Tags: inboxTags, Response: Inbox{},
				Params:      []httpx.Param{{Name: "before", In: "query", Description: "only messages with a smaller id (the next page)", Type: "integer"}},
				Description: "Newest first, at most 100, with the number unread; a digest lists its items. Only the caller's own."}},
		{Pattern: "POST " + p + "/{id}/read", Policy: self, Handler: hf(h.apiRead),
			Doc: &httpx.Doc{Summary: "Mark one of the caller's messages read", Tags: inboxTags, Response: Unread{},
				Params:      []httpx.Param{{Name: "id", In: "path", Description: "message id", Type: "integer"}},
				Description: "No request body. Another person's message is a 404."}},
		{Pattern: "POST " + p + "/read-all", Policy: self, Handler: hf(h.apiReadAll),
			Doc: &httpx.Doc{Summary: "Mark all the caller's messages read", Tags: inboxTags, Response: Unread{}, Description: "No request body."}},
	}
}

func inboxJSON(m notifydb.InboxMessage) InboxMessage {
	return InboxMessage{ID: m.ID, Title: m.Title, Text: m.Text, Link: m.Link, Items: m.Items, At: m.At, Read: m.Read}
}

// inboxPage: the caller's messages, each markable as read.
type inboxPage struct {
	Messages []notifydb.InboxMessage
	Unread   int
	Older    int64 // the id to page back from, 0 on the last page
}

func (h *handlers) showInbox(w http.ResponseWriter, r *http.Request, failure error) {
	before, err := queryInt(r, "before")
	if err != nil {
		h.Render(w, r, http.StatusBadRequest, "error", nil, err)
		return
	}
	p := principal(r)
	ms, err := h.svc.Inbox(r.Context(), p, before)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	n, err := h.svc.Unread(r.Context(), p)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := inboxPage{Messages: ms, Unread: n}
	if len(ms) == notifydb.MaxInbox {
		pg.Older = ms[len(ms)-1].ID
	}
	h.Render(w, r, http.StatusOK, "inbox", pg, failure)
}

func (h *handlers) inboxPage(w http.ResponseWriter, r *http.Request) {
	h.showInbox(w, r, nil)
}

func (h *handlers) readPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		err = h.svc.MarkRead(r.Context(), principal(r), page.PathID(r))
	}
	if err != nil {
		h.showInbox(w, r, err)
		return
	}
	page.Done(w, r, "/inbox", "read")
}

func (h *handlers) readAllPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		_, err = h.svc.MarkAllRead(r.Context(), principal(r))
	}
	if err != nil {
		h.showInbox(w, r, err)
		return
	}
	page.Done(w, r, "/inbox", "read_all")
}

func (h *handlers) apiInbox(w http.ResponseWriter, r *http.Request) {
	before, err := queryInt(r, "before")
	var ms []notifydb.InboxMessage
	var n int
	if err == nil {
		ms, err = h.svc.Inbox(r.Context(), principal(r), before)
	}
	if err == nil {
		n, err = h.svc.Unread(r.Context(), principal(r))
	}
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	out := Inbox{Unread: n, Messages: make([]InboxMessage, len(ms))}
	for i, m := range ms {
		out.Messages[i] = inboxJSON(m)
	}
	api.WriteJSON(w, r, http.StatusOK, out)
}

// answerUnread answers a read mark with the unread count.
func (h *handlers) answerUnread(w http.ResponseWriter, r *http.Request, err error) {
	var n int
	if err == nil {
		n, err = h.svc.Unread(r.Context(), principal(r))
	}
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, Unread{Unread: n})
}

func (h *handlers) apiRead(w http.ResponseWriter, r *http.Request) {
	h.answerUnread(w, r, h.svc.MarkRead(r.Context(), principal(r), page.PathID(r)))
}

func (h *handlers) apiReadAll(w http.ResponseWriter, r *http.Request) {
	_, err := h.svc.MarkAllRead(r.Context(), principal(r))
	h.answerUnread(w, r, err)
}
