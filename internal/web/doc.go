package web

// Adding a feature's pages or API routes
//
// A route is an httpx.Route: a ServeMux pattern with its method, the
// handler, and its httpx.Policy (public or not, roles, write, jurisdiction
// scope). The policy is enforced by the guard before the handler runs; a
// handler never checks roles itself.
//
//   - HTML pages: write the handlers in this package, one file per feature
//     (catalog.go, cases.go …) with a method returning the feature's
//     []httpx.Route, and append it where New concatenates pageRoutes. Give
//     GET list pages a Nav (message key, order): the navigation shows the
//     link to every principal the policy admits. Templates go to
//     templates/pages/NAME.html defining "title" and "content", rendered with
//     s.render(w, r, status, "NAME", data); every word through {{.T "key"}}
//     with the key in both i18n/zh.json and i18n/en.json (tests check).
//     Errors go through s.fail(w, r, err): apperr codes map to the status of
//     the one table in package api.
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
