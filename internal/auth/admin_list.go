package auth

import (
	"context"
	"github.com/qingdan/qingdan/internal/access"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// AccountsOf returns the accounts of the given staff members by staff id
// (staff without an account are absent), for an administrator's list of
// accounts. auth cannot see a deactivated staff member's body, so the caller
// passes staff it has already limited to p's jurisdiction (org.SearchStaff
// does); the service still refuses anyone but an administrator, and an
// Account carries no secret.
func (s *Service) AccountsOf(ctx context.Context, p access.Principal, staffIDs []int64) (map[int64]Account, error) {
	if err := canAdminister(p, access.Principal{BodyPath: p.BodyPath}); err != nil {
		return nil, err
	}
	out := make(map[int64]Account, len(staffIDs))
	// Chunks keep the statement under every engine's parameter limit.
	const chunk = 500
	for start := 0; start < len(staffIDs); start += chunk {
		ids := staffIDs[start:min(start+chunk, len(staffIDs))]
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
		rows, err := s.db.Query(ctx, `SELECT `+accountCols+` FROM accounts WHERE staff_id IN (`+ph+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			a, _, err := scanAccount(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[a.StaffID] = a
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AccountStaff returns the staff member an account belongs to, for route
// policies that check the jurisdiction before a handler runs; NotFound for
// an unknown account. It reveals only an id, so it needs no principal.
func (s *Service) AccountStaff(ctx context.Context, accountID int64) (int64, error) {
	a, _, err := getAccount(ctx, s.db, `id = ?`, accountID)
	if err != nil {
		return 0, err
	}
	return a.StaffID, nil
}

// ActiveLogins returns those of logins whose accounts exist and are active
// (the start-up check for demo accounts left on a production database).
func (s *Service) ActiveLogins(ctx context.Context, logins []string) ([]string, error) {
	var out []string
	for _, l := range logins {
		a, _, err := getAccount(ctx, s.db, `login = ?`, NormalizeLogin(l))
		switch {
		case apperr.CodeOf(err) == apperr.NotFound:
			continue
		case err != nil:
			return nil, err
		case a.Active:
			out = append(out, a.Login)
		}
	}
	return out, nil
}
