package superviseweb

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// OrderRequest issues an order from a card.
type OrderRequest struct {
	Matter string `json:"matter"`         // what to fix
	Days   int    `json:"days,omitempty"` // working days to answer; 5 when omitted
}

// OrderActionRequest takes an order one step.
type OrderActionRequest struct {
	Action string `json:"action"`         // answer (the unit), accept, return, letter (函询) or interview (约谈) (the supervisor)
	Text   string `json:"text"`           // the measures, the conclusion, the reason, or what the enquiry or interview was about
	Days   int    `json:"days,omitempty"` // return: working days for the new answer
	// Documents: an answer's attachments; a letter's or interview's
	// documents (at least one).
	Documents []string `json:"documents,omitempty"`
}

func (h *handlers) scopeCard(r *http.Request) (string, error) {
	id := page.PathID(r)
	if id <= 0 {
		return "", apperr.NotFoundf("superviseweb.no_such_card")
	}
	return h.svc.CardPath(r.Context(), id)
}

func (h *handlers) scopeOrder(r *http.Request) (string, error) {
	id := page.PathID(r)
	if id <= 0 {
		return "", apperr.NotFoundf("superviseweb.no_such_supervision_order")
	}
	return h.svc.OrderPath(r.Context(), id)
}

func (h *handlers) orderRoutes() []httpx.Route {
	p := api.Prefix + "/supervision"
	issue := httpx.Policy{Roles: []access.Role{access.RoleSupervisor}, Write: true, Scope: h.scopeCard}
	act := httpx.Policy{Write: true, Scope: h.scopeOrder}
	read := httpx.Policy{Scope: h.scopeOrder}
	id := httpx.Param{Name: "id", In: "path", Description: "the order's id", Type: "integer"}
	return []httpx.Route{
		{Pattern: "POST /supervision/cards/{id}/order", Policy: issue, Handler: hf(h.issuePage)},
		{Pattern: "GET /supervision/orders", Handler: hf(h.ordersPage)},
		{Pattern: "GET /supervision/orders/{id}", Policy: read, Handler: hf(h.orderPage)},
		{Pattern: "POST /supervision/orders/{id}", Policy: act, Handler: hf(h.actPage)},

		{Pattern: "POST " + p + "/cards/{id}/orders", Policy: issue, Handler: hf(h.apiIssue),
			Doc: &httpx.Doc{Summary: "Issue a supervision order from a card", Tags: tags, Request: OrderRequest{}, Response: supervise.Order{},
				Params:      []httpx.Param{{Name: "id", In: "path", Description: "the card's id", Type: "integer"}},
				Description: "To the card's responsible unit (S4): what to fix, and the working days to answer (5 by default). Supervisors only, within their jurisdiction. The order's version is the ETag."}},
		{Pattern: "GET " + p + "/orders", Handler: hf(h.apiOrders),
			Doc: &httpx.Doc{Summary: "Supervision orders", Tags: tags, Response: []supervise.Order{},
				Description: "Issued by or to the bodies of the caller's jurisdiction, open ones first; a unit's staff see their unit's."}},
		{Pattern: "GET " + p + "/orders/{id}", Policy: read, Handler: hf(h.apiOrder),
			Doc: &httpx.Doc{Summary: "One supervision order", Tags: tags, Response: supervise.Order{}, Params: []httpx.Param{id}, Versioned: true,
				Description: "The order with its answers and returns. The version is the ETag."}},
		{Pattern: "POST " + p + "/orders/{id}/actions", Policy: act, Handler: hf(h.apiAct),
			Doc: &httpx.Doc{Summary: "Answer, accept or return a supervision order", Tags: tags, Request: OrderActionRequest{}, Response: supervise.Order{},
				Params: []httpx.Param{id}, Versioned: true,
				Description: "answer: the unit ordered, with its measures (and attachments' names); letter or interview: a supervisor records a written enquiry (函询) or interview (约谈) with the unit, with its documents (S4); accept (closes the order and clears its card) or return (with a reason and a new time to answer): a supervisor of the issuing body. With If-Match, an order changed since is 409 with the order as it is now."}},
	}
}

func (h *handlers) issuePage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	var o supervise.Order
	if err == nil {
		var days int
		if days, err = formInt(r, "days"); err == nil {
			o, err = h.svc.IssueFromCard(r.Context(), principal(r), page.PathID(r), r.PostForm.Get("matter"), days)
		}
	}
	if err != nil {
		h.Render(w, r, http.StatusOK, "error", nil, err)
		return
	}
	page.Done(w, r, "/supervision/orders/"+strconv.FormatInt(o.ID, 10), "issued")
}

// formInt reads an optional whole number from the form (0 when blank).
func formInt(r *http.Request, name string) (int, error) {
	v := strings.TrimSpace(r.PostForm.Get(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Invalidf(name, "superviseweb.must_be_a_whole_number")
	}
	return n, nil
}

type ordersPage struct{ Orders []supervise.Order }

func (h *handlers) ordersPage(w http.ResponseWriter, r *http.Request) {
	os, err := h.svc.Orders(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "orders", ordersPage{Orders: os}, nil)
}

type orderPage struct {
	Order      supervise.Order
	Supervisor bool
}

func (h *handlers) showOrder(w http.ResponseWriter, r *http.Request, failure error) {
	p := principal(r)
	o, err := h.svc.Order(r.Context(), p, page.PathID(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "order", orderPage{Order: o, Supervisor: p.Has(access.RoleSupervisor)}, failure)
}

func (h *handlers) orderPage(w http.ResponseWriter, r *http.Request) { h.showOrder(w, r, nil) }

func (h *handlers) actPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		var base, days int
		if base, err = formInt(r, "version"); err == nil && base == 0 {
			err = apperr.Invalidf("version", "superviseweb.the_form_carries_no_version_reload")
		}
		if err == nil {
			days, err = formInt(r, "days")
		}
		if err == nil {
			_, err = h.svc.Act(r.Context(), principal(r), page.PathID(r), int64(base),
				supervisedb.OrderStep{Action: r.PostForm.Get("action"), Text: r.PostForm.Get("text"), Days: days, Documents: lines(r.PostForm.Get("documents"))})
		}
	}
	if err != nil {
		h.showOrder(w, r, err)
		return
	}
	page.Done(w, r, "/supervision/orders/"+strconv.FormatInt(page.PathID(r), 10), "acted")
}

func (h *handlers) apiIssue(w http.ResponseWriter, r *http.Request) {
	var in OrderRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	o, err := h.svc.IssueFromCard(r.Context(), principal(r), page.PathID(r), in.Matter, in.Days)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusCreated, o, int64(o.Version))
}

func (h *handlers) apiOrders(w http.ResponseWriter, r *http.Request) {
	os, err := h.svc.Orders(r.Context(), principal(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if os == nil {
		os = []supervise.Order{}
	}
	api.WriteJSON(w, r, http.StatusOK, os)
}

func (h *handlers) apiOrder(w http.ResponseWriter, r *http.Request) {
	o, err := h.svc.Order(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, o, int64(o.Version))
}

func (h *handlers) apiAct(w http.ResponseWriter, r *http.Request) {
	base, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in OrderActionRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	id := page.PathID(r)
	o, err := h.svc.Act(r.Context(), principal(r), id, base, supervisedb.OrderStep{Action: strings.TrimSpace(in.Action), Text: in.Text, Days: in.Days, Documents: in.Documents})
	api.Edited(w, r, http.StatusOK, o, err, func(o supervise.Order) int64 { return int64(o.Version) },
		func() (supervise.Order, error) { return h.svc.Order(r.Context(), principal(r), id) })
}
