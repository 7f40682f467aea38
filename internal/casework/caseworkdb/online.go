package caseworkdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/msg"
)

// What the case pages read besides Get: the flow a case runs on (its
// diagram and the fields of the actions offered), its timeline, the items a
// window may register and an item the public may apply for online.

// View is a case's page: the case as Get answers it, the flow version it
// runs on and its timeline, under the same jurisdiction check.
type View struct {
	Detail
	Run    *flow.Flow
	Events []casework.Event
}

// View reads a case for its page.
func (s *Service) View(ctx context.Context, p access.Principal, number string) (View, error) {
	d, err := s.Get(ctx, p, number)
	if err != nil {
		return View{}, err
	}
	r, f, err := s.readable(ctx, p, number)
	if err != nil {
		return View{}, err
	}
	evs, err := timeline(ctx, s.db, r.Number)
	if err != nil {
		return View{}, err
	}
	return View{Detail: d, Run: f, Events: evs}, nil
}

// ListedItem is one item of a body's list as the window chooses it: its
// code, name and standing now (C4 refuses a suspended or cancelled one at
// registration, in its own words).
type ListedItem struct {
	ID       int64
	Code     string
	Name     string
	Standing string
}

// maxListed bounds the register form's choice; a district lists a few
// hundred items.
const maxListed = 2000

// ListedItems are the items of the principal's body, by code.
func (s *Service) ListedItems(ctx context.Context, p access.Principal) ([]ListedItem, error) {
	if p.Anonymous() || p.StaffID == 0 {
		return nil, errStaffOnly()
	}
	rows, err := s.db.Query(ctx, `SELECT id, impl_code, base_code, name, standing FROM catalog_items
		WHERE body_id = ? AND standing <> 'unknown' ORDER BY base_code LIMIT ?`, p.BodyID, maxListed)
	if err != nil {
		return nil, fmt.Errorf("caseworkdb: listed items: %w", err)
	}
	defer rows.Close()
	var out []ListedItem
	for rows.Next() {
		var it ListedItem
		var base string
		if err := rows.Scan(&it.ID, &it.Code, &base, &it.Name, &it.Standing); err != nil {
			return nil, err
		}
		if it.Code == "" {
			it.Code = base
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Listed is the item with this code as a body's list has it now, for the
// register form's materials: Listing's answer, refused in C4's words when
// the item is not listed at this instant.
func (s *Service) Listed(ctx context.Context, bodyID int64, code string) (casework.Body, casework.Item, error) {
	body, _, err := bodyOf(ctx, s.db, bodyID)
	if err != nil {
		return casework.Body{}, casework.Item{}, err
	}
	l, err := s.items.Listing(ctx, body, code, s.now())
	if err != nil {
		return body, casework.Item{}, err
	}
	if l.Item.Code == "" {
		return body, casework.Item{}, errNotOnList(code)
	}
	if l.Standing != casework.Listed {
		return body, l.Item, errNotStanding(l.Item.Name, l.Standing)
	}
	return body, l.Item, nil
}

// Online is the item the public applies for at /portal/apply/{item}: the
// catalogue row's id as the portal's item page links it.
func (s *Service) Online(ctx context.Context, itemID int64) (casework.Body, casework.Item, error) {
	var bodyID int64
	var impl, base string
	err := s.db.QueryRow(ctx, `SELECT body_id, impl_code, base_code FROM catalog_items WHERE id = ?`, itemID).Scan(&bodyID, &impl, &base)
	if errors.Is(err, sql.ErrNoRows) {
		return casework.Body{}, casework.Item{}, apperr.New(apperr.NotFound, "item", "caseworkdb.no_such_item")
	}
	if err != nil {
		return casework.Body{}, casework.Item{}, fmt.Errorf("caseworkdb: item %d: %w", itemID, err)
	}
	code := impl
	if code == "" {
		code = base
	}
	return s.Listed(ctx, bodyID, code)
}

// Units are the units of the case's body a transfer may name (H6).
func (s *Service) Units(ctx context.Context, bodyID int64) ([]casework.Unit, error) {
	rows, err := s.db.Query(ctx, `SELECT code, name FROM units WHERE body_id = ? ORDER BY code`, bodyID)
	if err != nil {
		return nil, fmt.Errorf("caseworkdb: units: %w", err)
	}
	defer rows.Close()
	var out []casework.Unit
	for rows.Next() {
		var u casework.Unit
		if err := rows.Scan(&u.Code, &u.Name); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func errNotStanding(name string, st casework.Standing) error {
	standing := msg.M("caseworkdb.standing.is_suspended")
	if st == casework.Cancelled {
		standing = msg.M("caseworkdb.standing.is_cancelled")
	}
	return apperr.New(apperr.Conflict, "item", "caseworkdb.item_no_case_may_be_opened", clip(name), standing)
}

// UnitCode is the code of the unit with this id.
func (s *Service) UnitCode(ctx context.Context, unitID int64) (string, error) {
	var code string
	if err := s.db.QueryRow(ctx, `SELECT code FROM units WHERE id = ?`, unitID).Scan(&code); err != nil {
		return "", fmt.Errorf("caseworkdb: unit %d: %w", unitID, err)
	}
	return code, nil
}

// Follow is Lookup as the public reaches it: an unknown number answers
// exactly as a wrong query code does, so that a number alone tells nothing,
// not even that the case exists (V3).
func (s *Service) Follow(ctx context.Context, number, code string) (casework.PublicView, error) {
	v, err := s.Lookup(ctx, number, code)
	return v, PublicNotFound(err)
}

// PublicNotFound turns any not-found of a public lookup or action into the
// one answer of a wrong number or code (casework's, V3).
func PublicNotFound(err error) error {
	if err != nil && apperr.CodeOf(err) == apperr.NotFound {
		return &apperr.Error{Code: apperr.NotFound, Field: "query_code", Key: "caseworkdb.the_case_number_or_the_query"}
	}
	return err
}
