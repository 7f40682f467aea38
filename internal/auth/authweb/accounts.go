package authweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Account states, one per staff member, in the order they matter to an
// administrator: no account, switched off, locked, initial password still
// to change, in use.
const (
	StateNone       = "none"
	StateInactive   = "inactive"
	StateLocked     = "locked"
	StateMustChange = "must_change_password"
	StateActive     = "active"
)

// AccountInfo is an account as administrators see it (never its hash).
type AccountInfo struct {
	ID                 int64      `json:"id"`
	Login              string     `json:"login"`
	Active             bool       `json:"active"`
	MustChangePassword bool       `json:"must_change_password"`
	FailedLogins       int        `json:"failed_logins"`
	LockedUntil        *time.Time `json:"locked_until,omitempty"` // absent: not locked now
	CreatedAt          time.Time  `json:"created_at"`
	PasswordChangedAt  *time.Time `json:"password_changed_at,omitempty"` // absent: the initial password is still in use
}

// StaffAccount is a staff member with their account state.
type StaffAccount struct {
	StaffID     int64         `json:"staff_id"`
	Name        string        `json:"name"`
	BodyID      int64         `json:"body_id"`
	Roles       []access.Role `json:"roles"`
	StaffActive bool          `json:"staff_active"`
	State       string        `json:"state"`   // none, inactive, locked, must_change_password, active
	Account     *AccountInfo  `json:"account"` // null: no account yet
}

// CreateAccountRequest creates a staff member's login account.
type CreateAccountRequest struct {
	StaffID  int64  `json:"staff_id"`
	Login    string `json:"login"`
	Password string `json:"password"` // the initial password; the owner must change it at first login
}

// ResetPasswordRequest sets a new initial password.
type ResetPasswordRequest struct {
	Password string `json:"password"`
}

// SetActiveRequest switches an account off or on.
type SetActiveRequest struct {
	Active *bool `json:"active"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// stateOf is the one state shown for a staff member's account at now.
func stateOf(a *auth.Account, now time.Time) string {
	switch {
	case a == nil:
		return StateNone
	case !a.Active:
		return StateInactive
	case a.LockedUntil.After(now):
		return StateLocked
	case a.MustChangePassword:
		return StateMustChange
	}
	return StateActive
}

func staffAccount(st org.Staff, a *auth.Account, now time.Time) StaffAccount {
	out := StaffAccount{StaffID: st.ID, Name: st.Name, BodyID: st.BodyID, Roles: st.Roles, StaffActive: st.Active,
		State: stateOf(a, now)}
	if out.Roles == nil {
		out.Roles = []access.Role{}
	}
	if a != nil {
		info := AccountInfo{ID: a.ID, Login: a.Login, Active: a.Active, MustChangePassword: a.MustChangePassword,
			FailedLogins: a.FailedLogins, CreatedAt: a.CreatedAt, PasswordChangedAt: timePtr(a.PasswordChangedAt)}
		if a.LockedUntil.After(now) {
			info.LockedUntil = &a.LockedUntil
		}
		out.Account = &info
	}
	return out
}

func (h *handlers) accountRoutes() []httpx.Route {
	// The accounts duty: the security administrator when duties are
	// separated (三员分立), else the administrator.
	read := httpx.Policy{Roles: access.DutyRoles(access.DutyAccounts), Duty: access.DutyAccounts}
	write := read
	write.Write = true
	staffScoped := func(p httpx.Policy) httpx.Policy { p.Scope = h.scopeStaff; return p }
	accountScoped := func(p httpx.Policy) httpx.Policy { p.Scope = h.scopeAccount; return p }
	hf := func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }
	idParam := httpx.Param{Name: "id", In: "path", Description: "account id", Type: "integer"}
	p := api.Prefix + "/accounts"
	return []httpx.Route{
		{Pattern: "GET /admin/accounts", Policy: read, Handler: hf(h.listPage), Nav: &httpx.Nav{Label: "nav.accounts", Order: 805}},
		{Pattern: "GET /admin/accounts/staff/{id}", Policy: staffScoped(read), Handler: hf(h.staffPage)},
		{Pattern: "POST /admin/accounts/staff/{id}", Policy: staffScoped(write), Handler: hf(h.createPage)},
		{Pattern: "POST /admin/accounts/staff/{id}/password", Policy: staffScoped(write), Handler: hf(h.resetPage)},
		{Pattern: "POST /admin/accounts/staff/{id}/active", Policy: staffScoped(write), Handler: hf(h.activePage)},

		{Pattern: "GET " + p, Policy: read, Handler: hf(h.apiList),
			Doc: &httpx.Doc{Summary: "Staff of the caller's jurisdiction with their account state", Tags: accountTags,
				Response: []StaffAccount{},
				Params: []httpx.Param{
					{Name: "body", In: "query", Type: "integer", Description: "only this body's subtree (within the caller's jurisdiction)"},
					{Name: "q", In: "query", Description: "name or phone contains this"}},
				Description: "Administrators only. state is none, inactive, locked, must_change_password or active; account is null without an account. At most 1000 staff."}},
		{Pattern: "POST " + p, Policy: write, Handler: hf(h.apiCreate),
			Doc: &httpx.Doc{Summary: "Create a staff member's login account", Tags: accountTags,
				Request: CreateAccountRequest{}, Response: StaffAccount{}, Status: http.StatusCreated,
				Description: "For an administrator covering the staff member's body (403 otherwise). The password follows the rules (≥ 10 characters, not containing the login) and must be changed at first login (O3). Errors name the field (staff_id, login, password); a taken login is a 409 on login. Audited."}},
		{Pattern: "POST " + p + "/{id}/password", Policy: accountScoped(write), Handler: hf(h.apiReset),
			Doc: &httpx.Doc{Summary: "Reset an account's password", Tags: accountTags, Params: []httpx.Param{idParam},
				Request: ResetPasswordRequest{}, Response: StaffAccount{},
				Description: "Sets a new initial password, unlocks the account, ends its sessions and makes the owner change the password at the next login. Audited."}},
		{Pattern: "POST " + p + "/{id}/active", Policy: accountScoped(write), Handler: hf(h.apiActive),
			Doc: &httpx.Doc{Summary: "Deactivate or reactivate an account", Tags: accountTags, Params: []httpx.Param{idParam},
				Request: SetActiveRequest{}, Response: StaffAccount{},
				Description: "active false ends the account's sessions and stops its API tokens; true switches it on again. Audited."}},
	}
}

// accountOf returns the account of one staff member (nil: none).
func (h *handlers) accountOf(r *http.Request, staffID int64) (*auth.Account, error) {
	m, err := h.svc.AccountsOf(r.Context(), principal(r), []int64{staffID})
	if err != nil {
		return nil, err
	}
	if a, ok := m[staffID]; ok {
		return &a, nil
	}
	return nil, nil
}

// listed returns the staff of the caller's jurisdiction (optionally a
// body's subtree and a name filter) with their accounts.
func (h *handlers) listed(r *http.Request) ([]StaffAccount, error) {
	p := principal(r)
	q := org.StaffQuery{Text: r.URL.Query().Get("q"), IncludeInactive: true, Limit: 1000}
	if s := r.URL.Query().Get("body"); s != "" {
		b, err := strconv.ParseInt(s, 10, 64)
		if err != nil || b <= 0 {
			return nil, apperr.Invalidf("body", "authweb.body_must_be_a_positive_integer")
		}
		q.BodyID = b
	}
	staff, err := h.orgs.SearchStaff(r.Context(), p, q)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(staff))
	for i, st := range staff {
		ids[i] = st.ID
	}
	accounts, err := h.svc.AccountsOf(r.Context(), p, ids)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]StaffAccount, 0, len(staff))
	for _, st := range staff {
		var a *auth.Account
		if acc, ok := accounts[st.ID]; ok {
			a = &acc
		}
		out = append(out, staffAccount(st, a, now))
	}
	return out, nil
}

// listPage: the staff of the jurisdiction with their account state.
type listPage struct {
	Q      string
	Rows   []StaffAccount
	Bodies map[int64]string
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request) {
	rows, err := h.listed(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	bodies, err := h.orgs.Bodies(r.Context(), principal(r), 0, true)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, b := range bodies {
		names[b.ID] = b.Name
	}
	noStore(w)
	h.Render(w, r, http.StatusOK, "accounts", listPage{Q: r.URL.Query().Get("q"), Rows: rows, Bodies: names}, nil)
}

// staffAccountPage: one staff member's account and the forms acting on it.
type staffAccountPage struct {
	Row      StaffAccount
	BodyName string
	Login    string // the login typed into a failed create form
}

func staffURL(id int64) string { return "/admin/accounts/staff/" + strconv.FormatInt(id, 10) }

func (h *handlers) showStaff(w http.ResponseWriter, r *http.Request, id int64, login string, failure error) {
	p := principal(r)
	st, err := h.orgs.Staff(r.Context(), p, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	a, err := h.accountOf(r, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	b, err := h.orgs.Body(r.Context(), p, st.BodyID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := staffAccountPage{Row: staffAccount(st, a, time.Now()), BodyName: b.Name, Login: login}
	noStore(w)
	h.Render(w, r, http.StatusOK, "account", pg, failure)
}

func (h *handlers) staffPage(w http.ResponseWriter, r *http.Request) {
	h.showStaff(w, r, page.PathID(r), "", nil)
}

func (h *handlers) createPage(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showStaff(w, r, id, "", err)
		return
	}
	login := r.PostFormValue("login")
	if _, err := h.svc.CreateAccount(r.Context(), principal(r), id, login, r.PostFormValue("password")); err != nil {
		h.showStaff(w, r, id, login, err)
		return
	}
	page.Done(w, r, staffURL(id), "created")
}

// accountFor returns the account of the staff member a page addresses, or
// a NotFound naming no field (the page offers no such action then).
func (h *handlers) accountFor(r *http.Request, staffID int64) (auth.Account, error) {
	a, err := h.accountOf(r, staffID)
	if err != nil {
		return auth.Account{}, err
	}
	if a == nil {
		return auth.Account{}, apperr.NotFoundf("authweb.this_staff_member_has_no_account")
	}
	return *a, nil
}

func (h *handlers) resetPage(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	err := page.ParseForm(w, r)
	if err == nil {
		var a auth.Account
		if a, err = h.accountFor(r, id); err == nil {
			err = h.svc.ResetPassword(r.Context(), principal(r), a.ID, r.PostFormValue("password"))
		}
	}
	if err != nil {
		h.showStaff(w, r, id, "", err)
		return
	}
	page.Done(w, r, staffURL(id), "reset")
}

// formActive reads the "active" field: exactly "true" or "false".
func formActive(v string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, apperr.Invalidf("active", "authweb.choose_to_activate_or_deactivate")
}

func (h *handlers) activePage(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	err := page.ParseForm(w, r)
	var active bool
	if err == nil {
		active, err = formActive(r.PostFormValue("active"))
	}
	if err == nil {
		var a auth.Account
		if a, err = h.accountFor(r, id); err == nil {
			err = h.svc.SetAccountActive(r.Context(), principal(r), a.ID, active)
		}
	}
	if err != nil {
		h.showStaff(w, r, id, "", err)
		return
	}
	page.Done(w, r, staffURL(id), map[bool]string{true: "reactivated", false: "deactivated"}[active])
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	rows, err := h.listed(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	noStore(w)
	api.WriteJSON(w, r, http.StatusOK, rows)
}

// apiStaffAccount answers one staff member's account after a change.
func (h *handlers) apiStaffAccount(w http.ResponseWriter, r *http.Request, status int, staffID int64) {
	p := principal(r)
	st, err := h.orgs.Staff(r.Context(), p, staffID)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	a, err := h.accountOf(r, staffID)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	noStore(w)
	api.WriteJSON(w, r, status, staffAccount(st, a, time.Now()))
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in CreateAccountRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	// The staff member is in the body, not the path, so the route's policy
	// cannot scope it: the jurisdiction is checked here, before anything
	// else, as the guard would (the service checks it again).
	if in.StaffID <= 0 {
		api.WriteError(w, r, apperr.Invalidf("staff_id", "authweb.staff_id_is_required"))
		return
	}
	path, err := h.orgs.PathOf(r.Context(), "staff", in.StaffID)
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.NotFound {
			named := *e
			named.Field = "staff_id"
			err = &named
		}
		api.WriteError(w, r, err)
		return
	}
	if !principal(r).Covers(path) {
		api.WriteError(w, r, apperr.Forbiddenf("authweb.this_staff_member_is_outside_your"))
		return
	}
	if _, err := h.svc.CreateAccount(r.Context(), principal(r), in.StaffID, in.Login, in.Password); err != nil {
		api.WriteError(w, r, err)
		return
	}
	h.apiStaffAccount(w, r, http.StatusCreated, in.StaffID)
}

func (h *handlers) apiReset(w http.ResponseWriter, r *http.Request) {
	var in ResetPasswordRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	id := page.PathID(r)
	staff, err := h.svc.AccountStaff(r.Context(), id)
	if err == nil {
		err = h.svc.ResetPassword(r.Context(), principal(r), id, in.Password)
	}
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	h.apiStaffAccount(w, r, http.StatusOK, staff)
}

func (h *handlers) apiActive(w http.ResponseWriter, r *http.Request) {
	var in SetActiveRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	if in.Active == nil {
		api.WriteError(w, r, apperr.Invalidf("active", "authweb.active_true_or_false_is_required"))
		return
	}
	id := page.PathID(r)
	staff, err := h.svc.AccountStaff(r.Context(), id)
	if err == nil {
		err = h.svc.SetAccountActive(r.Context(), principal(r), id, *in.Active)
	}
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	h.apiStaffAccount(w, r, http.StatusOK, staff)
}
