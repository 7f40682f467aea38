package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/web"
	"github.com/qingdan/qingdan/internal/web/httpx"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

// TestExternalReport_S7_theOneNarrowException: a route marked
// ExternalReport lets an external supervisor (read-only, S7) report a
// problem — and nobody else, since it names only their role — while every
// other write stays closed to them; the server refuses to start with the
// mark on a route that is not a write for exactly that role, so it cannot
// open anything else to them.
func TestExternalReport_S7_theOneNarrowException(t *testing.T) {
	report := httpx.Route{Pattern: "POST /fixture/reports", Handler: http.HandlerFunc(ok),
		Policy: httpx.Policy{Write: true, ExternalReport: true, Roles: []access.Role{access.RoleExternalSupervisor}}}
	other := httpx.Route{Pattern: "POST /fixture/other", Handler: http.HandlerFunc(ok), Policy: httpx.Policy{Write: true}}
	env := wt.New(t, report, other)
	for _, sc := range []wt.Scenario{
		{Name: "external reports", Method: "POST", URL: "/fixture/reports", As: wt.ExternalA, Body: "x=1", Status: http.StatusOK},
		{Name: "admin may not report as one", Method: "POST", URL: "/fixture/reports", As: wt.Admin, Body: "x=1", Status: http.StatusForbidden},
		{Name: "anonymous", Method: "POST", URL: "/fixture/reports", Body: "x=1", Status: http.StatusSeeOther, Location: "/login"},
		{Name: "external elsewhere", Method: "POST", URL: "/fixture/other", As: wt.ExternalA, Body: "x=1", Status: http.StatusForbidden},
	} {
		t.Run(sc.Name, func(t *testing.T) { wt.Do(t, env.Server, sc) })
	}
	for name, pol := range map[string]httpx.Policy{
		"not a write":      {ExternalReport: true, Roles: []access.Role{access.RoleExternalSupervisor}},
		"no roles":         {Write: true, ExternalReport: true},
		"another role too": {Write: true, ExternalReport: true, Roles: []access.Role{access.RoleExternalSupervisor, access.RoleAdmin}},
		"another role":     {Write: true, ExternalReport: true, Roles: []access.Role{access.RoleSupervisor}},
	} {
		method := "POST"
		if !pol.Write {
			method = "GET"
		}
		_, err := web.New(web.Config{Version: "test"}, web.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Sessions: &wt.Sessions{Cookie: wt.Cookie}, Auth: &wt.Auth{}, CSRF: wt.CSRF{}, DB: &wt.DB{},
			Routes: []httpx.Route{{Pattern: method + " /fixture/bad", Handler: http.HandlerFunc(ok), Policy: pol}}})
		if err == nil || !strings.Contains(err.Error(), "/fixture/bad") {
			t.Errorf("%s: web.New gave %v, want a refusal naming the route", name, err)
		}
	}
}
