package caseworkdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/store"
)

// CatalogItems is the published list as catdb keeps it: the standing at
// the instant asked (catdb.Standing, C4) and the version then in force.
type CatalogItems struct {
	Cat *catdb.Service
}

// StandingAt implements standingReader: the standing alone, without
// reading the version in force and its unit.
func (c CatalogItems) StandingAt(ctx context.Context, body casework.Body, code string, at time.Time) (casework.Standing, error) {
	ans, err := c.Cat.Standing(ctx, body.ID, code, at)
	if err != nil {
		return "", err
	}
	return casework.Standing(ans.Standing), nil
}

// standingReader is a Catalogue that answers an item's standing alone,
// which is all an acceptance asks (C4).
type standingReader interface {
	StandingAt(ctx context.Context, body casework.Body, code string, at time.Time) (casework.Standing, error)
}

// standingAt is the standing of the item with code on body's list at an
// instant, through items' StandingAt when it has one, else its Listing.
func standingAt(ctx context.Context, items Catalogue, body casework.Body, code string, at time.Time) (casework.Standing, error) {
	if r, ok := items.(standingReader); ok {
		return r.StandingAt(ctx, body, code, at)
	}
	l, err := items.Listing(ctx, body, code, at)
	return l.Standing, err
}

// Listing implements Catalogue.
func (c CatalogItems) Listing(ctx context.Context, body casework.Body, code string, at time.Time) (Listing, error) {
	ans, err := c.Cat.Standing(ctx, body.ID, code, at)
	if err != nil {
		return Listing{}, err
	}
	l := Listing{Standing: casework.Standing(ans.Standing)}
	if ans.VersionID == 0 {
		return l, nil
	}
	v, err := c.Cat.Version(ctx, ans.VersionID)
	if err != nil {
		return Listing{}, err
	}
	unit, err := unitNamed(ctx, c.Cat.DB(), body.ID, v.Unit)
	if err != nil {
		return Listing{}, err
	}
	l.Item = ItemOf(v.ID, v.ItemID, v.ItemVersion, unit)
	return l, nil
}

// ItemOf is the case's snapshot of an item version (C2): what the case
// keeps whatever later versions say.
func ItemOf(versionID, itemID int64, v catalog.ItemVersion, unit casework.Unit) casework.Item {
	it := casework.Item{ID: itemID, VersionID: versionID, Code: v.ImplCode, Name: v.Name, Category: string(v.Category),
		Kind: casework.Kind(v.CaseType), Stars: v.Stars(), Unit: unit}
	if it.Code == "" {
		it.Code = v.BaseCode
	}
	if v.StatutoryLimit != nil {
		it.Statutory = budgetOf(*v.StatutoryLimit)
	}
	it.Promised = budgetOf(v.PromisedLimit)
	for _, m := range v.Materials {
		it.Materials = append(it.Materials, casework.Material{Name: m.Name, Required: m.Necessity == catalog.Required})
	}
	return it
}

func budgetOf(l catalog.TimeLimit) calendar.Budget {
	if l.Value == 0 {
		return calendar.Budget{}
	}
	return calendar.Budget{N: l.Value, Unit: calendar.Unit(l.Unit)}
}

// unitNamed finds the body's unit a list names (by code or by name); a
// unit the organisation does not know keeps the list's words as its name.
func unitNamed(ctx context.Context, q store.Querier, bodyID int64, name string) (casework.Unit, error) {
	var u casework.Unit
	err := q.QueryRow(ctx, `SELECT code, name FROM units WHERE body_id = ? AND (code = ? OR name = ?) ORDER BY id LIMIT 1`,
		bodyID, name, name).Scan(&u.Code, &u.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return casework.Unit{Code: name, Name: name}, nil
	}
	if err != nil {
		return u, fmt.Errorf("caseworkdb: unit %q: %w", name, err)
	}
	return u, nil
}
