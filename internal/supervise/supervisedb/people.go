package supervisedb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// recipients are the active staff an audience of a notice means: the
// unit's staff, the unit's head (O2), the body's supervisors (S4) or its
// leaders.
func recipients(ctx context.Context, q store.Querier, r supervise.Recipient) ([]int64, error) {
	query := `SELECT s.id, s.roles, s.is_head FROM staff s JOIN bodies b ON b.id = s.body_id`
	args := []any{r.BodyPath}
	switch r.Audience {
	case supervise.ToUnit, supervise.ToUnitHead:
		if r.Unit == "" {
			return nil, nil // a card on no unit: its supervision and leaders are told
		}
		query += ` JOIN units u ON u.id = s.unit_id WHERE b.path = ? AND u.code = ? AND s.active`
		args = append(args, r.Unit)
	default:
		query += ` WHERE b.path = ? AND s.active`
	}
	rows, err := q.Query(ctx, query+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: staff of %s: %w", r.BodyPath, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var roles string
		var head bool
		if err := rows.Scan(&id, &roles, &head); err != nil {
			return nil, fmt.Errorf("supervisedb: staff of %s: %w", r.BodyPath, err)
		}
		has := func(role access.Role) bool { return slices.Contains(strings.Split(roles, ","), string(role)) }
		switch r.Audience {
		case supervise.ToUnitHead:
			if !head {
				continue
			}
		case supervise.ToSupervision:
			if !has(access.RoleSupervisor) {
				continue
			}
		case supervise.ToLeader:
			if !has(access.RoleLeader) {
				continue
			}
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// contactOf is a staff member's body (whose outbox the message is in) and
// mobile number ("" when none is on record).
func contactOf(ctx context.Context, q store.Querier, staffID int64) (int64, string, error) {
	var body int64
	var phone string
	if err := q.QueryRow(ctx, `SELECT body_id, phone FROM staff WHERE id = ?`, staffID).Scan(&body, &phone); err != nil {
		return 0, "", fmt.Errorf("supervisedb: staff %d: %w", staffID, err)
	}
	return body, phone, nil
}
