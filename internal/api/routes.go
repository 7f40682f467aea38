package api

import (
	"net/http"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Routes returns the API's routes with their policies and documentation.
// spec serves the document the server builds from all of its routes, this
// one included. Features add their routes here (one file per resource).
func Routes(spec *Spec) []httpx.Route {
	return []httpx.Route{
		{
			Pattern: "GET " + Prefix + "/openapi.json",
			Policy:  httpx.Policy{Public: true, Stateless: true},
			Handler: spec,
			Doc: &httpx.Doc{Summary: "This OpenAPI document", Tags: []string{"meta"}, Raw: true,
				Description: "Assembled at start from the registered API routes."},
		},
		{
			Pattern: "GET " + Prefix + "/whoami",
			Policy:  httpx.Policy{AllowPending: true}, // any logged-in principal or token; harmless before a forced password change
			Handler: http.HandlerFunc(whoami),
			Doc: &httpx.Doc{Summary: "The caller's account, body and roles", Tags: []string{"auth"},
				Response: WhoAmI{}},
		},
	}
}

// WhoAmI describes the caller.
type WhoAmI struct {
	AccountID          int64    `json:"account_id"`
	StaffID            int64    `json:"staff_id"`
	Login              string   `json:"login"`
	Name               string   `json:"name"`
	BodyID             int64    `json:"body_id"`
	BodyPath           string   `json:"body_path"`
	UnitID             int64    `json:"unit_id"`
	Roles              []string `json:"roles"`
	Scopes             []string `json:"scopes"`
	ReadOnly           bool     `json:"read_only"`
	MustChangePassword bool     `json:"must_change_password"`
}

func whoami(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	out := WhoAmI{
		AccountID: p.AccountID, StaffID: p.StaffID, Login: p.Login, Name: p.Name,
		BodyID: p.BodyID, BodyPath: p.BodyPath, UnitID: p.UnitID,
		Roles: make([]string, 0, len(p.Roles)), Scopes: append([]string{}, p.Scopes...),
		ReadOnly: p.ReadOnly(), MustChangePassword: p.MustChangePassword,
	}
	for _, role := range p.Roles {
		out.Roles = append(out.Roles, string(role))
	}
	WriteJSON(w, r, http.StatusOK, out)
}
