package supervisedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/supervise"
)

// UnitView is one unit's own supervision (issue #16 item 6): its open
// cards by level (the maintained counts) and the cards, the orders to it
// and its rectification items, open ones first.
type UnitView struct {
	Unit           UnitRef                   `json:"unit"`
	Reminder       int64                     `json:"reminder"`
	Yellow         int64                     `json:"yellow"`
	Red            int64                     `json:"red"`
	Cards          []Card                    `json:"cards"`
	Orders         []supervise.Order         `json:"orders"`
	Rectifications []supervise.Rectification `json:"rectifications"`
}

// Unit is the view of unit code of the body at path: a unit's staff get
// their own unit's (path and code empty or theirs), a supervisor, leader
// or administrator any unit of their jurisdiction.
func (s *Service) Unit(ctx context.Context, p access.Principal, path, code string) (UnitView, error) {
	var v UnitView
	if p.BodyPath == "" {
		return v, errNoJurisdiction()
	}
	own, err := s.ownUnit(ctx, p)
	if err != nil {
		return v, err
	}
	path, code = strings.TrimSpace(path), strings.TrimSpace(code)
	if own != "" {
		if code != "" && code != own || path != "" && path != p.BodyPath {
			return v, apperr.Forbiddenf("supervisedb.you_see_your_own_unit_s_2")
		}
		path, code = p.BodyPath, own
	}
	if path == "" {
		path = p.BodyPath
	}
	if code == "" {
		return v, apperr.Invalidf("unit", "supervisedb.choose_a_unit")
	}
	if !p.Covers(path) {
		return v, apperr.Forbiddenf("supervisedb.the_unit_is_outside_your_jurisdiction")
	}
	v.Unit = UnitRef{BodyPath: path, Code: code}
	err = s.db.QueryRow(ctx, `SELECT b.name, u.name FROM units u JOIN bodies b ON b.id = u.body_id WHERE b.path = ? AND u.code = ?`,
		path, code).Scan(&v.Unit.BodyName, &v.Unit.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.NotFoundf("supervisedb.no_unit_with_code", code)
	}
	if err != nil {
		return v, fmt.Errorf("supervisedb: unit %s: %w", code, err)
	}
	rows, err := s.db.Query(ctx, `SELECT level, n FROM supervise_counts WHERE body_path = ? AND unit = ?`, path, code)
	if err != nil {
		return v, fmt.Errorf("supervisedb: counts of %s: %w", code, err)
	}
	for rows.Next() {
		var l supervise.Level
		var n int64
		if err := rows.Scan(&l, &n); err != nil {
			rows.Close()
			return v, fmt.Errorf("supervisedb: counts of %s: %w", code, err)
		}
		switch l {
		case supervise.Reminder:
			v.Reminder = n
		case supervise.Yellow:
			v.Yellow = n
		case supervise.Red:
			v.Red = n
		}
	}
	if err := rows.Close(); err != nil {
		return v, err
	}
	if v.Cards, err = s.Cards(ctx, p, Filter{BodyPath: path, Unit: code, Limit: 100}); err != nil {
		return v, err
	}
	orows, err := s.db.Query(ctx, orderSelect+` WHERE unit_body = ? AND unit = ? ORDER BY CASE state WHEN 'closed' THEN 1 ELSE 0 END, id DESC LIMIT 100`, path, code)
	if err != nil {
		return v, fmt.Errorf("supervisedb: orders of %s: %w", code, err)
	}
	defer orows.Close()
	for orows.Next() {
		var r orderRow
		if err := orows.Scan(orders.Fields(&r)...); err != nil {
			return v, fmt.Errorf("supervisedb: orders of %s: %w", code, err)
		}
		o, err := r.order()
		if err != nil {
			return v, err
		}
		v.Orders = append(v.Orders, o)
	}
	if err := orows.Err(); err != nil {
		return v, err
	}
	rrows, err := s.db.Query(ctx, rectSelect+` WHERE unit_body = ? AND unit = ? ORDER BY CASE state WHEN 'open' THEN 0 ELSE 1 END, deadline, id DESC LIMIT 100`, path, code)
	if err != nil {
		return v, fmt.Errorf("supervisedb: rectifications of %s: %w", code, err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var r rectRow
		if err := rrows.Scan(rects.Fields(&r)...); err != nil {
			return v, fmt.Errorf("supervisedb: rectifications of %s: %w", code, err)
		}
		x, err := r.rect()
		if err != nil {
			return v, err
		}
		v.Rectifications = append(v.Rectifications, x)
	}
	return v, rrows.Err()
}
