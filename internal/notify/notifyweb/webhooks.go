package notifyweb

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Webhook is a registered webhook endpoint in the API: never its secret.
type Webhook struct {
	ID        int64     `json:"id"`
	Version   int64     `json:"version"`
	Name      string    `json:"name"` // what messages name (notify.Post)
	URL       string    `json:"url"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func webhookJSON(e notifydb.Endpoint) Webhook {
	return Webhook{ID: e.ID, Version: e.Version, Name: e.Name, URL: e.URL, Active: e.Active, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

// CreateWebhookRequest registers a receiving system.
type CreateWebhookRequest struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// UpdateWebhookRequest changes an endpoint's URL and whether it receives.
type UpdateWebhookRequest struct {
	URL    string `json:"url"`
	Active bool   `json:"active"`
}

// WebhookSecret answers a new endpoint or a new secret: Secret is shown
// this once; the receiver keeps it to verify the signatures.
type WebhookSecret struct {
	Webhook Webhook `json:"webhook"`
	Secret  string  `json:"secret"`
}

var webhookTags = []string{"webhooks"}

func (h *handlers) webhookRoutes() []httpx.Route {
	// Endpoints serve every body: the root body's administrator's.
	read := httpx.Policy{Roles: []access.Role{access.RoleAdmin}, Scope: h.scopeRoot}
	write := read
	write.Write = true
	p := api.Prefix + "/webhooks"
	id := httpx.Param{Name: "id", In: "path", Description: "endpoint id", Type: "integer"}
	return []httpx.Route{
		// In every administrator's navigation (a navigation route has no
		// scope); the service refuses the page to all but the root's.
		{Pattern: "GET /admin/webhooks", Policy: httpx.Policy{Roles: read.Roles}, Handler: hf(h.webhooksPage), Nav: &httpx.Nav{Label: "nav.webhooks", Order: 821}},
		{Pattern: "POST /admin/webhooks", Policy: write, Handler: hf(h.createWebhookPage)},
		{Pattern: "POST /admin/webhooks/{id}", Policy: write, Handler: hf(h.updateWebhookPage)},
		{Pattern: "POST /admin/webhooks/{id}/secret", Policy: write, Handler: hf(h.rotateWebhookPage)},

		{Pattern: "GET " + p, Policy: read, Handler: hf(h.apiWebhooks),
			Doc: &httpx.Doc{Summary: "Webhook endpoints", Tags: webhookTags, Response: []Webhook{},
				Description: "The systems that receive signed webhooks, by name; never a secret. The root body's administrator only."}},
		{Pattern: "POST " + p, Policy: write, Handler: hf(h.apiCreateWebhook),
			Doc: &httpx.Doc{Summary: "Register a webhook endpoint", Tags: webhookTags, Request: CreateWebhookRequest{}, Response: WebhookSecret{}, Status: http.StatusCreated,
				Description: "name: 1–64 letters, digits, -, _ or . (what messages name); url: http or https, without credentials. The secret is in this answer and nowhere else: the receiver verifies each webhook's Qingdan-Signature with it (notify.Verify; docs/SECURITY.md). Audited, with the secret's digest."}},
		{Pattern: "GET " + p + "/{id}", Policy: read, Handler: hf(h.apiWebhook),
			Doc: &httpx.Doc{Summary: "One webhook endpoint", Tags: webhookTags, Params: []httpx.Param{id}, Response: Webhook{}, Versioned: true,
				Description: "Never its secret. The ETag is the version an edit sends back as If-Match."}},
		{Pattern: "PATCH " + p + "/{id}", Policy: write, Handler: hf(h.apiUpdateWebhook),
			Doc: &httpx.Doc{Summary: "Change a webhook endpoint's URL, switch it off or on", Tags: webhookTags, Params: []httpx.Param{id},
				Request: UpdateWebhookRequest{}, Response: Webhook{}, Versioned: true,
				Description: "Messages to a switched-off endpoint die at once (retry them once it is back). Audited."}},
		{Pattern: "POST " + p + "/{id}/secret", Policy: write, Handler: hf(h.apiRotateWebhook),
			Doc: &httpx.Doc{Summary: "Give a webhook endpoint a new secret", Tags: webhookTags, Params: []httpx.Param{id}, Response: WebhookSecret{},
				Description: "No request body. Webhooks signed from now on use the new secret, shown in this answer only. Audited, with the secret's digest."}},
	}
}

// scopeRoot is the jurisdiction of the endpoints: the root body's. The
// guard has put the principal in the request's context, so the refusal
// says who may manage them rather than a bare "outside your jurisdiction".
func (h *handlers) scopeRoot(r *http.Request) (string, error) {
	top, err := h.topPath(r)
	if err != nil {
		return "", err
	}
	if !principal(r).Covers(top) {
		return "", notify.ErrEndpointsRootOnly()
	}
	return top, nil
}

// webhooksPage: the endpoints, each editable, and a new one's form; a
// secret just made is shown once.
type webhooksPage struct {
	Webhooks []notifydb.Endpoint
	Secret   string
	For      string // the endpoint the secret belongs to
	Name     string // typed into a failed create form
	URL      string
}

func (h *handlers) showWebhooks(w http.ResponseWriter, r *http.Request, status int, pg webhooksPage, failure error) {
	es, err := h.svc.Endpoints(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg.Webhooks = es
	noStore(w)
	h.Render(w, r, status, "webhooks", pg, failure)
}

func (h *handlers) webhooksPage(w http.ResponseWriter, r *http.Request) {
	h.showWebhooks(w, r, http.StatusOK, webhooksPage{}, nil)
}

func (h *handlers) createWebhookPage(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showWebhooks(w, r, http.StatusBadRequest, webhooksPage{}, err)
		return
	}
	name, url := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("url"))
	e, secret, err := h.svc.CreateEndpoint(r.Context(), principal(r), name, url)
	if err != nil {
		h.showWebhooks(w, r, http.StatusOK, webhooksPage{Name: name, URL: url}, err)
		return
	}
	// The secret is answered in this page, never in a URL, this once.
	h.showWebhooks(w, r, http.StatusCreated, webhooksPage{Secret: secret, For: e.Name}, nil)
}

func (h *handlers) updateWebhookPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64) // absent or bad: refused as unversioned
		_, err = h.svc.UpdateEndpoint(r.Context(), principal(r), page.PathID(r),
			notifydb.EndpointEdit{Version: version, URL: r.PostFormValue("url"), Active: r.PostFormValue("active") == "true"})
	}
	if err != nil {
		h.showWebhooks(w, r, http.StatusOK, webhooksPage{}, err)
		return
	}
	page.Done(w, r, "/admin/webhooks", "saved")
}

func (h *handlers) rotateWebhookPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	var e notifydb.Endpoint
	var secret string
	if err == nil {
		e, secret, err = h.svc.RotateSecret(r.Context(), principal(r), page.PathID(r))
	}
	if err != nil {
		h.showWebhooks(w, r, http.StatusOK, webhooksPage{}, err)
		return
	}
	h.showWebhooks(w, r, http.StatusOK, webhooksPage{Secret: secret, For: e.Name}, nil)
}

func (h *handlers) apiWebhooks(w http.ResponseWriter, r *http.Request) {
	es, err := h.svc.Endpoints(r.Context(), principal(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	out := make([]Webhook, len(es))
	for i, e := range es {
		out[i] = webhookJSON(e)
	}
	api.WriteJSON(w, r, http.StatusOK, out)
}

func (h *handlers) apiCreateWebhook(w http.ResponseWriter, r *http.Request) {
	var in CreateWebhookRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	e, secret, err := h.svc.CreateEndpoint(r.Context(), principal(r), in.Name, in.URL)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	noStore(w)
	api.WriteJSON(w, r, http.StatusCreated, WebhookSecret{Webhook: webhookJSON(e), Secret: secret})
}

func (h *handlers) apiWebhook(w http.ResponseWriter, r *http.Request) {
	e, err := h.svc.Endpoint(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, webhookJSON(e), e.Version)
}

func (h *handlers) apiUpdateWebhook(w http.ResponseWriter, r *http.Request) {
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in UpdateWebhookRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	e, err := h.svc.UpdateEndpoint(r.Context(), principal(r), page.PathID(r), notifydb.EndpointEdit{Version: version, URL: in.URL, Active: in.Active})
	api.Edited(w, r, http.StatusOK, webhookJSON(e), err, func(w Webhook) int64 { return w.Version },
		func() (Webhook, error) {
			cur, err := h.svc.Endpoint(r.Context(), principal(r), page.PathID(r))
			return webhookJSON(cur), err
		})
}

func (h *handlers) apiRotateWebhook(w http.ResponseWriter, r *http.Request) {
	e, secret, err := h.svc.RotateSecret(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	noStore(w)
	api.WriteJSON(w, r, http.StatusOK, WebhookSecret{Webhook: webhookJSON(e), Secret: secret})
}
