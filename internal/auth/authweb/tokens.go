package authweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// TokenInfo describes an API token (never its secret).
type TokenInfo struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"` // role names the token may use
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`             // the token stops working then
	LastUsedAt *time.Time `json:"last_used_at,omitempty"` // absent: never used
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`   // absent: live
	Revoked    bool       `json:"revoked"`
	Expired    bool       `json:"expired"`
}

// CreateTokenRequest creates an API token for the caller's own account.
type CreateTokenRequest struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"` // role names among the caller's own roles
	// ExpiresInDays is the token's lifetime, 1–365 days; absent: 90.
	ExpiresInDays *int `json:"expires_in_days,omitempty"`
}

// CreatedToken answers a created token: Secret is shown this once and is
// stored only as its hash.
type CreatedToken struct {
	Token  TokenInfo `json:"token"`
	Secret string    `json:"secret"`
}

func tokenInfo(t auth.APIToken, now time.Time) TokenInfo {
	out := TokenInfo{ID: t.ID, Name: t.Name, Scopes: make([]string, len(t.Scopes)), CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
		LastUsedAt: timePtr(t.LastUsedAt), RevokedAt: timePtr(t.RevokedAt), Revoked: t.Revoked(), Expired: t.Expired(now)}
	for i, s := range t.Scopes {
		out.Scopes[i] = string(s)
	}
	return out
}

func (h *handlers) tokenRoutes() []httpx.Route {
	// Self: these routes act on the caller's own account only (see the
	// package doc), so read-only principals may use them too.
	self := httpx.Policy{Self: true}
	hf := func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }
	p := api.Prefix + "/tokens"
	return []httpx.Route{
		{Pattern: "GET /account/tokens", Handler: hf(h.tokensPage), Nav: &httpx.Nav{Label: "nav.tokens", Order: 990}},
		{Pattern: "POST /account/tokens", Policy: self, Handler: hf(h.createTokenPage)},
		{Pattern: "POST /account/tokens/{id}/revoke", Policy: self, Handler: hf(h.revokeTokenPage)},

		{Pattern: "GET " + p, Handler: hf(h.apiTokens),
			Doc: &httpx.Doc{Summary: "The caller's API tokens", Tags: tokenTags, Response: []TokenInfo{},
				Description: "Newest first, revoked and expired ones included, each with its expiry; never a secret."}},
		{Pattern: "POST " + p, Policy: self, Handler: hf(h.apiCreateToken),
			Doc: &httpx.Doc{Summary: "Create an API token for the caller's own account", Tags: tokenTags,
				Request: CreateTokenRequest{}, Response: CreatedToken{}, Status: http.StatusCreated,
				Description: "Only from a browser session (cookie and X-CSRF-Token) whose initial password was changed; a token cannot create tokens (403). scopes are role names the caller holds; the token acts with only those roles. It works for expires_in_days days (1–365, default 90) and ends earlier when revoked or when its owner's password is changed or reset. The secret is in this response and nowhere else, ever: it is stored as its SHA-256. Use it as \"Authorization: Bearer <secret>\". Errors name the field (name, scopes, expires_in_days). Audited."}},
		{Pattern: "POST " + p + "/{id}/revoke", Policy: self, Handler: hf(h.apiRevokeToken),
			Doc: &httpx.Doc{Summary: "Revoke one of the caller's API tokens", Tags: tokenTags, Response: TokenInfo{},
				Params:      []httpx.Param{{Name: "id", In: "path", Description: "token id", Type: "integer"}},
				Description: "The token stops working at once (401). Revoking a revoked token changes nothing. Another person's token is a 404. Audited."}},
	}
}

// ownToken returns the caller's token id, or NotFound when the caller has
// no such token: these routes are Self, so they never reach another
// person's token (the service would let an administrator).
func (h *handlers) ownToken(r *http.Request, id int64) (auth.APIToken, error) {
	ts, err := h.svc.Tokens(r.Context(), principal(r))
	if err != nil {
		return auth.APIToken{}, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return auth.APIToken{}, apperr.NotFoundf("authweb.no_such_api_token")
}

// tokensPage: my tokens, the create form and, once, a new token's secret.
type tokensPage struct {
	Tokens           []TokenInfo
	Roles            []access.Role // the scopes the caller may grant
	Created          *auth.APIToken
	Secret           string
	Name             string        // typed into a failed create form
	Chosen           []access.Role // ticked in a failed create form
	Days             string        // the lifetime in days typed into the create form
	MinDays, MaxDays int
}

func (h *handlers) showTokens(w http.ResponseWriter, r *http.Request, status int, pg tokensPage, failure error) {
	p := principal(r)
	ts, err := h.svc.Tokens(r.Context(), p)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	now := time.Now()
	pg.Tokens, pg.Roles = make([]TokenInfo, len(ts)), p.Roles
	for i, t := range ts {
		pg.Tokens[i] = tokenInfo(t, now)
	}
	if pg.Days == "" {
		pg.Days = strconv.Itoa(auth.DefaultTokenDays)
	}
	pg.MinDays, pg.MaxDays = auth.MinTokenDays, auth.MaxTokenDays
	noStore(w)
	h.Render(w, r, status, "tokens", pg, failure)
}

func (h *handlers) tokensPage(w http.ResponseWriter, r *http.Request) {
	h.showTokens(w, r, http.StatusOK, tokensPage{}, nil)
}

func (h *handlers) createTokenPage(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showTokens(w, r, http.StatusBadRequest, tokensPage{}, err)
		return
	}
	name, scopes, daysText := trimmed(r, "name"), r.PostForm["scopes"], trimmed(r, "expires_in_days")
	days, err := formDays(daysText)
	var secret string
	var t auth.APIToken
	if err == nil {
		secret, t, err = h.svc.CreateToken(r.Context(), principal(r), name, scopes, days)
	}
	if err != nil {
		pg := tokensPage{Name: name, Days: daysText}
		for _, s := range scopes {
			if role, ok := access.ParseRole(s); ok {
				pg.Chosen = append(pg.Chosen, role)
			}
		}
		h.showTokens(w, r, http.StatusOK, pg, err)
		return
	}
	// The secret is answered in this page, not behind a redirect: it must
	// never sit in a URL, and it is shown this once (no-store keeps it out
	// of caches and the back button's copy).
	h.showTokens(w, r, http.StatusCreated, tokensPage{Created: &t, Secret: secret}, nil)
}

func (h *handlers) revokeTokenPage(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		var t auth.APIToken
		if t, err = h.ownToken(r, page.PathID(r)); err == nil {
			err = h.svc.Revoke(r.Context(), principal(r), t.ID)
		}
	}
	if err != nil {
		h.showTokens(w, r, http.StatusOK, tokensPage{}, err)
		return
	}
	page.Done(w, r, "/account/tokens", "revoked")
}

// formDays reads the lifetime field: whole days; empty means the default.
func formDays(v string) (int, error) {
	if v == "" {
		return auth.DefaultTokenDays, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Invalidf("expires_in_days", "authweb.the_validity_must_be_a_whole", auth.MinTokenDays, auth.MaxTokenDays)
	}
	return n, nil
}

func (h *handlers) apiTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := h.svc.Tokens(r.Context(), principal(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	out := make([]TokenInfo, len(ts))
	now := time.Now()
	for i, t := range ts {
		out[i] = tokenInfo(t, now)
	}
	noStore(w)
	api.WriteJSON(w, r, http.StatusOK, out)
}

func (h *handlers) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	var in CreateTokenRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	days := auth.DefaultTokenDays
	if in.ExpiresInDays != nil {
		days = *in.ExpiresInDays
	}
	secret, t, err := h.svc.CreateToken(r.Context(), principal(r), in.Name, in.Scopes, days)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	noStore(w)
	api.WriteJSON(w, r, http.StatusCreated, CreatedToken{Token: tokenInfo(t, time.Now()), Secret: secret})
}

func (h *handlers) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	t, err := h.ownToken(r, page.PathID(r))
	if err == nil {
		err = h.svc.Revoke(r.Context(), principal(r), t.ID)
	}
	if err == nil {
		t, err = h.ownToken(r, t.ID)
	}
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, tokenInfo(t, time.Now()))
}
