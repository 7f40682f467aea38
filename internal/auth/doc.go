// Package auth keeps who is who (O3): the Principal every request carries
// (internal/access) is built here, from personal accounts with argon2id
// passwords (PHC strings), password rules and lockout; browser sessions stored in the database with
// idle and absolute timeouts; scoped, revocable API tokens stored hashed;
// login limits counted before any password is checked (a per-IP bucket in
// memory, per account and source in login_sources, the audited account
// lock; LockoutPolicy); the session cookie; and CSRF protection that covers
// old intranet browsers.
//
// Wiring (cmd/qingdan):
//
//	svc := auth.NewService(db, orgService, auth.Config{Cookie: auth.CookieOptions{Secure: flagSecure}})
//	key, err := auth.LoadOrCreateKey(filepath.Join(dataDir, "csrf.key"))
//	csrf, err := auth.NewCSRF(key, auth.CookieOptions{}.Read)
//	// web: Sessions = svc (Principal), Authenticator = svc (Login, Logout,
//	// ChangePassword), CSRF = csrf (Protect, Token).
//
// All state changes go through store.DB.Write with an event (auth.account.*,
// auth.login.*, auth.password.*, auth.token.*, auth.session.*, auth.logout);
// accounts, api_tokens and sessions are audited tables, their credentials in
// the State only as digests, so `qingdan verify` names a row changed behind
// the service's back, and account and token writes refuse to build on one.
// Sliding a session's last_seen_at and a token's last_used_at are plain
// writes, at most one a minute per session; so are the login limits'
// counters (login_sources) and the password history. docs/SECURITY.md
// states the policies.
package auth
