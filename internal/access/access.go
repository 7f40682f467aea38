// Package access is who may do what, without any storage: the roles of
// staff (O2, O3), the three administrative duties (三员分立) and the
// Principal every request carries, with its jurisdiction (O1). Domain
// packages (catalog, calendar, flow, casework) import it instead of auth,
// which keeps accounts, sessions and tokens in the database.
package access

import (
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Role is what a staff account may do (O2, O3). A staff member has one or more.
type Role string

const (
	RoleWindow             Role = "window"              // 窗口: registers, accepts, refuses, hands over
	RoleUnitStaff          Role = "unit_staff"          // 站所/科室 staff: handles handed-over and enforcement cases
	RoleListLiaison        Role = "list_liaison"        // 清单联络员: proposes list adjustments
	RoleGeneralOffice      Role = "general_office"      // 党政办: aggregates, reviews, receives complaints
	RoleSupervisor         Role = "supervisor"          // 监察/纪工委: alarms, orders, complaints, accountability
	RoleExternalSupervisor Role = "external_supervisor" // 六位一体 external supervisor: reads, reports; never writes
	RoleLeader             Role = "leader"              // reads reports and rankings
	RoleAdmin              Role = "admin"               // 系统管理员: organisation, calendar, rules; with duties not separated also accounts and the audit log
	RoleSecurityAdmin      Role = "security_admin"      // 安全管理员: staff, their roles and accounts (DutyAccounts)
	RoleAuditAdmin         Role = "audit_admin"         // 审计管理员: reads the audit log (DutyAudit)
	RoleSealKeeper         Role = "seal_keeper"         // 印章管理员: keeps the body's approval seal and its register (H8)
)

// AllRoles lists every role in a stable order (forms, tests, docs).
var AllRoles = []Role{RoleWindow, RoleUnitStaff, RoleListLiaison, RoleGeneralOffice,
	RoleSupervisor, RoleExternalSupervisor, RoleLeader, RoleAdmin, RoleSecurityAdmin, RoleAuditAdmin, RoleSealKeeper}

// Duty is one of the three administrative duties that 三员分立 (separation
// of duties, 等保) gives to different people: the system (organisation
// structure, calendar, configuration), accounts (staff, their roles and
// seats, login accounts) and the audit log (reading it).
type Duty int

const (
	DutySystem   Duty = iota + 1 // 系统管理员
	DutyAccounts                 // 安全管理员
	DutyAudit                    // 审计管理员
)

// dutyRole is the role that holds each duty when duties are separated.
var dutyRole = map[Duty]Role{DutySystem: RoleAdmin, DutyAccounts: RoleSecurityAdmin, DutyAudit: RoleAuditAdmin}

// DutyRoles lists the roles that may hold a duty in some setting (for route
// policies; Principal.Can decides for the principal's setting): the
// administrator, and the duty's own role.
func DutyRoles(d Duty) []Role {
	if r := dutyRole[d]; r != RoleAdmin {
		return []Role{RoleAdmin, r}
	}
	return []Role{RoleAdmin}
}

// Can reports whether p holds duty d. With duties separated only the duty's
// own role holds it; otherwise the administrator holds all three, and the
// security and audit administrators hold theirs.
func (p Principal) Can(d Duty) bool {
	r, ok := dutyRole[d]
	if !ok {
		return false
	}
	return p.Has(r) || !p.Separated && p.Has(RoleAdmin)
}

// CheckDuties refuses, when duties are separated, a role list holding more
// than one of the three administrative roles: nobody holds two duties.
// Errors name the field "roles".
func CheckDuties(separated bool, roles []Role) error {
	if !separated {
		return nil
	}
	n := 0
	for _, r := range roles {
		if r == RoleAdmin || r == RoleSecurityAdmin || r == RoleAuditAdmin {
			n++
		}
	}
	if n > 1 {
		return apperr.Invalidf("roles", "auth.separation_of_duties_the_system_security")
	}
	return nil
}

// ParseRole returns the role named s and whether it exists.
func ParseRole(s string) (Role, bool) {
	for _, r := range AllRoles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Principal is whoever makes a request: a logged-in staff member, an API
// token acting for one, or the anonymous public (zero value).
type Principal struct {
	AccountID int64
	StaffID   int64
	Login     string
	Name      string
	BodyID    int64
	// BodyPath is the materialised path of the staff member's body, like
	// "/1/4/"; the jurisdiction is every body whose path starts with it.
	BodyPath string
	UnitID   int64
	Roles    []Role
	// Scopes restricts an API token (empty for a browser session = all of the
	// staff member's roles).
	Scopes []string
	// MustChangePassword is set for created accounts until the first change.
	MustChangePassword bool
	// SessionID identifies the browser session (the SHA-256 of its token, as
	// stored); "" for API tokens and the public. ChangePassword keeps this
	// session and ends the others.
	SessionID string
	// TokenID is the API token acting (0 for a browser session).
	TokenID int64
	// Separated: the administrative duties are separated (三员分立) where
	// this principal acts; see Can.
	Separated bool
}

// Anonymous reports whether p is the public.
func (p Principal) Anonymous() bool { return p.AccountID == 0 }

// Has reports whether p holds role r.
func (p Principal) Has(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAny reports whether p holds any of rs.
func (p Principal) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// Covers reports whether a body with the given materialised path lies in
// p's jurisdiction: the subtree of p's own body (O1).
func (p Principal) Covers(bodyPath string) bool {
	return p.BodyPath != "" && strings.HasPrefix(bodyPath, p.BodyPath)
}

// ReadOnly reports whether p may never write: an external supervisor who holds
// no other role (S7).
func (p Principal) ReadOnly() bool {
	for _, r := range p.Roles {
		if r != RoleExternalSupervisor {
			return false
		}
	}
	return len(p.Roles) > 0
}
