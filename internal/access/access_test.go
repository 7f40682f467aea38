package access

import (
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

// TestDuties_O3_separation: who holds which administrative duty with
// duties separated (三员分立) or not, and nobody holds two when separated.
func TestDuties_O3_separation(t *testing.T) {
	who := map[string][]Role{"admin": {RoleAdmin}, "security": {RoleSecurityAdmin}, "audit": {RoleAuditAdmin}, "clerk": {RoleWindow}}
	want := map[bool]map[string][]Duty{
		false: {"admin": {DutySystem, DutyAccounts, DutyAudit}, "security": {DutyAccounts}, "audit": {DutyAudit}},
		true:  {"admin": {DutySystem}, "security": {DutyAccounts}, "audit": {DutyAudit}},
	}
	for _, separated := range []bool{false, true} {
		for name, roles := range who {
			p := Principal{Roles: roles, Separated: separated}
			for _, d := range []Duty{DutySystem, DutyAccounts, DutyAudit} {
				holds := false
				for _, w := range want[separated][name] {
					holds = holds || w == d
				}
				if p.Can(d) != holds {
					t.Errorf("separated %v, %s, duty %d: Can %v", separated, name, d, p.Can(d))
				}
			}
		}
	}
	two := []Role{RoleAdmin, RoleAuditAdmin}
	if err := CheckDuties(true, two); apperr.As(err).Field != "roles" {
		t.Errorf("two duties when separated: %v", err)
	}
	if err := CheckDuties(false, two); err != nil {
		t.Errorf("two duties when not separated: %v", err)
	}
	if err := CheckDuties(true, []Role{RoleSecurityAdmin, RoleWindow}); err != nil {
		t.Errorf("one duty and a clerk's role: %v", err)
	}
	for _, d := range []Duty{DutySystem, DutyAccounts, DutyAudit} {
		if rs := DutyRoles(d); rs[0] != RoleAdmin {
			t.Errorf("duty %d roles %v", d, rs)
		}
	}
}
