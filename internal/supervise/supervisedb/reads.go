package supervisedb

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// Count is the number of open cards of one level at a body, of one of its
// units or (Unit "") of the whole body.
type Count struct {
	BodyPath string          `json:"body_path"`
	Unit     string          `json:"unit"`
	Level    supervise.Level `json:"level"`
	N        int64           `json:"n"`
}

// Counts are the maintained counts of open cards in p's jurisdiction, by
// body and unit: rows of supervise_counts, never a count of the cards.
func (s *Service) Counts(ctx context.Context, p access.Principal) ([]Count, error) {
	if p.BodyPath == "" {
		return nil, errNoJurisdiction()
	}
	rows, err := s.db.Query(ctx, `SELECT body_path, unit, level, n FROM supervise_counts
		WHERE body_path LIKE ? AND n <> 0 ORDER BY body_path, unit, level`, p.BodyPath+"%")
	if err != nil {
		return nil, fmt.Errorf("supervisedb: counts: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.BodyPath, &c.Unit, &c.Level, &c.N); err != nil {
			return nil, fmt.Errorf("supervisedb: counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Filter selects cards: of a body (path within the reader's jurisdiction,
// "" for all of it), a unit, a level, a case; open ones only unless All.
type Filter struct {
	BodyPath string
	Unit     string
	Level    supervise.Level
	Case     string
	All      bool
	Limit    int
}

// MaxCards bounds one read of cards.
const MaxCards = 500

// Card is a stored card with its row's id and version.
type Card struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
	supervise.Card
}

// Cards are the cards in p's jurisdiction that f selects, newest first.
// A member of a unit who is not a supervisor sees their unit's cards only.
func (s *Service) Cards(ctx context.Context, p access.Principal, f Filter) ([]Card, error) {
	if p.BodyPath == "" {
		return nil, errNoJurisdiction()
	}
	path := p.BodyPath
	if f.BodyPath != "" {
		if !p.Covers(f.BodyPath) {
			return nil, apperr.Forbiddenf("supervisedb.that_body_is_outside_your_jurisdiction")
		}
		path = f.BodyPath
	}
	if f.Limit <= 0 || f.Limit > MaxCards {
		f.Limit = MaxCards
	}
	if f.Level != "" && f.Level != supervise.Reminder && f.Level != supervise.Yellow && f.Level != supervise.Red {
		return nil, apperr.Invalidf("level", "supervisedb.the_level_must_be_reminder_yellow")
	}
	unit, err := s.ownUnit(ctx, p)
	if err != nil {
		return nil, err
	}
	if unit != "" {
		if f.Unit != "" && f.Unit != unit {
			return nil, apperr.Forbiddenf("supervisedb.you_see_your_own_unit_s")
		}
		f.Unit = unit
	}
	q := cardSelect + ` WHERE body_path LIKE ?`
	args := []any{path + "%"}
	if f.BodyPath != "" {
		q, args = cardSelect+` WHERE body_path = ?`, []any{path}
	}
	for _, c := range []struct {
		col, v string
	}{{"unit", f.Unit}, {"level", string(f.Level)}, {"case_number", strings.TrimSpace(f.Case)}} {
		if c.v != "" {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	if !f.All {
		q += ` AND cleared_at = 0`
	}
	q += ` ORDER BY at DESC, id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: cards: %w", err)
	}
	defer rows.Close()
	var out []Card
	for rows.Next() {
		var r cardRow
		if err := rows.Scan(cards.Fields(&r)...); err != nil {
			return nil, fmt.Errorf("supervisedb: cards: %w", err)
		}
		c, err := r.card()
		if err != nil {
			return nil, err
		}
		out = append(out, Card{ID: r.ID, Version: r.Version, Card: c})
	}
	return out, rows.Err()
}

// ownUnit is the unit code a non-supervising unit member is confined to
// ("" for supervisors, leaders and staff of no unit).
func (s *Service) ownUnit(ctx context.Context, p access.Principal) (string, error) {
	if p.UnitID == 0 || p.HasAny(access.RoleSupervisor, access.RoleLeader, access.RoleExternalSupervisor, access.RoleGeneralOffice, access.RoleAdmin) {
		return "", nil
	}
	var code string
	if err := s.db.QueryRow(ctx, `SELECT code FROM units WHERE id = ?`, p.UnitID).Scan(&code); err != nil {
		return "", fmt.Errorf("supervisedb: unit %d: %w", p.UnitID, err)
	}
	return code, nil
}

// Recount counts the open cards anew from supervise_cards, the check of
// the maintained counts (a test, and qingdan verify's reader if wanted).
func Recount(ctx context.Context, q store.Querier) (supervise.Counts, error) {
	rows, err := q.Query(ctx, `SELECT data FROM supervise_cards WHERE cleared_at = 0`)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: recount: %w", err)
	}
	defer rows.Close()
	var all []supervise.Card
	for rows.Next() {
		r := cardRow{}
		if err := rows.Scan(&r.Data); err != nil {
			return nil, fmt.Errorf("supervisedb: recount: %w", err)
		}
		c, err := r.card()
		if err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return supervise.Recount(all), nil
}

func errNoJurisdiction() error {
	return apperr.Forbiddenf("supervisedb.your_account_belongs_to_no_body")
}

// CardPath is the body of card id, for a route's jurisdiction.
func (s *Service) CardPath(ctx context.Context, id int64) (string, error) {
	r, err := cards.Get(ctx, s.db, id)
	if err != nil {
		return "", err
	}
	return r.BodyPath, nil
}
