package web

// Adding a feature's pages or API routes
//
// A route is an httpx.Route: a ServeMux pattern with its method, the
// handler, and its httpx.Policy (public or not, roles, write, jurisdiction
// scope). The policy is enforced by the guard before the handler runs; a
// handler never checks roles itself.
//
//   - HTML pages: a feature's pages live in its own package
//     (internal/<feature>/<feature>web: orgweb, catweb, caseworkweb …) on
//     the page kit (internal/web/page): templates parsed with page.Parse,
//     words in a page.Messages table, rendered with Kit.Render into the
//     Frame this package binds (the site's layout). The feature returns its
//     []httpx.Route and the binary passes them in Deps.Routes. Give GET
//     list pages a Nav (message key, order): the navigation shows the link
//     to every principal the policy admits, and its label is a key of
//     i18n/zh.json and i18n/en.json. Errors go through the Frame's Fail:
//     apperr codes map to the status of the one table in package api. What
//     waits for a person on the home page comes through Deps.ToDos.
//   - API routes: handlers in package api, registered in api.Routes, each
//     with a Doc (summary, parameters, request and response types) so the
//     OpenAPI document stays complete (tested). Bodies are read with
//     api.Decode, answers written with api.WriteJSON / api.WriteError.
//   - The services a handler needs are added to Deps as small interfaces.
//
// New refuses to start on an inconsistent table: an unsafe method without
// Write or Self, a GET marked Write, an API route without Doc, a navigation
// label without a message, conflicting patterns. The table tests
// (routes_test.go) iterate every registered route, so a new route is
// checked against every fixture principal without listing it anywhere.
