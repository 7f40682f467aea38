package caldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/store"
)

// ObjectHours is the audited object type of a body's business hours; the
// object id is the body id.
const ObjectHours = "calendar_business_hours"

// hoursCols are the columns of hoursRows' Fields, for the list reads.
const hoursCols = `body_id, version, hours, updated_at, updated_by`

// hoursState is a calendar_business_hours row as audited State. Hours ""
// is a cleared setting: the row stays, so its version goes on growing.
type hoursState struct {
	BodyID    int64  `json:"body_id"`
	Hours     string `json:"hours"`
	UpdatedAt int64  `json:"updated_at"`
	UpdatedBy string `json:"updated_by"`
	Version   int64  `json:"version"`
}

// hoursRows is the declared aggregate of business hours, keyed by body:
// its rows as stored (the raw row, not a parsed one, for verify must see
// what is stored) are their State.
var hoursRows = store.Declare(store.Aggregate[hoursState]{
	Table: "calendar_business_hours", ObjectType: ObjectHours, Key: "body_id",
	Columns: []string{"hours", "updated_at", "updated_by"},
	Fields:  func(r *hoursState) []any { return []any{&r.BodyID, &r.Version, &r.Hours, &r.UpdatedAt, &r.UpdatedBy} },
	State:   func(r *hoursState) any { return r },
	Stale:   func(*hoursState) error { return apperr.Stale("caldb.the_body_s_business_hours") },
})

// storedHours is a body's own setting, parsed.
type storedHours struct {
	row   hoursState
	hours calendar.BusinessHours
}

func scanHours(sc interface{ Scan(...any) error }) (storedHours, error) {
	var h storedHours
	var err error
	if err = sc.Scan(hoursRows.Fields(&h.row)...); err != nil {
		return h, fmt.Errorf("caldb: business hours: %w", err)
	}
	if h.row.Hours == "" {
		return h, nil // cleared: the body sets none
	}
	if h.hours, err = calendar.ParseBusinessHours(h.row.Hours); err != nil {
		// Only this package writes the table, after the same parse.
		return h, fmt.Errorf("caldb: stored business hours of body %d are unreadable: %w", h.row.BodyID, err)
	}
	return h, nil
}

func readHours(ctx context.Context, q store.Querier) (map[int64]storedHours, error) {
	rows, err := q.Query(ctx, `SELECT `+hoursCols+` FROM calendar_business_hours WHERE hours <> '' ORDER BY body_id`)
	if err != nil {
		return nil, fmt.Errorf("caldb: business hours: %w", err)
	}
	defer rows.Close()
	out := map[int64]storedHours{}
	for rows.Next() {
		h, err := scanHours(rows)
		if err != nil {
			return nil, err
		}
		out[h.row.BodyID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caldb: business hours: %w", err)
	}
	return out, nil
}

// hoursSource is the body in chain (root first) whose own hours apply: the
// deepest one that has any, or 0 for calendar.DefaultBusinessHours.
func hoursSource(snap *snapshot, chain []int64) int64 {
	for i := len(chain) - 1; i >= 0; i-- {
		if _, ok := snap.hours[chain[i]]; ok {
			return chain[i]
		}
	}
	return 0
}

// BodyHours are the business hours a body's limits in working hours run in.
type BodyHours struct {
	BodyID int64 `json:"body_id"`
	// Hours are the effective hours, "HH:MM-HH:MM[,…]".
	Hours string `json:"hours"`
	// PerDayMinutes is the business time of one working day.
	PerDayMinutes int `json:"per_day_minutes"`
	// FromBodyID is the body whose own setting applies: BodyID itself, an
	// ancestor (inherited), or 0 for the national default.
	FromBodyID   int64  `json:"from_body_id,omitempty"`
	FromBodyName string `json:"from_body_name,omitempty"`
	// Own is true when the body sets its own hours; Default when no body
	// on its path does (calendar.DefaultBusinessHours).
	Own     bool `json:"own"`
	Default bool `json:"default"`
	// UpdatedAt/By are of the setting that applies (none for the default).
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	// Version is the version of the body's own setting, SetBusinessHours'
	// base: 1 before it ever had one, growing with every change.
	Version int64 `json:"version"`
}

// hoursVersion is the version of a body's own setting given its row's
// version (0: no row). Rows are never deleted, so it only grows.
func hoursVersion(row int64) int64 { return 1 + row }

// BusinessHours returns the hours that apply to a body: its own, else its
// nearest ancestor's, else calendar.DefaultBusinessHours.
func (s *Service) BusinessHours(ctx context.Context, bodyID int64) (BodyHours, error) {
	q := s.db
	var v, own int64
	var path string
	err := q.QueryRow(ctx, `SELECT v.version, b.path, COALESCE(h.version, 0) FROM calendar_version v, bodies b
		LEFT JOIN calendar_business_hours h ON h.body_id = b.id WHERE v.id = 1 AND b.id = ?`, bodyID).Scan(&v, &path, &own)
	if errors.Is(err, sql.ErrNoRows) {
		return BodyHours{}, apperr.NotFoundf("caldb.no_body_with_id", bodyID)
	}
	if err != nil {
		return BodyHours{}, fmt.Errorf("caldb: business hours of body %d: %w", bodyID, err)
	}
	snap, err := s.snapshotAt(ctx, v)
	if err != nil {
		return BodyHours{}, err
	}
	out := BodyHours{BodyID: bodyID, Hours: calendar.DefaultBusinessHours.String(),
		PerDayMinutes: int(calendar.DefaultBusinessHours.PerDay() / time.Minute), Default: true, Version: hoursVersion(own)}
	from := hoursSource(snap, ancestors(path))
	if from == 0 {
		return out, nil
	}
	h := snap.hours[from]
	out.Hours, out.PerDayMinutes = h.hours.String(), int(h.hours.PerDay()/time.Minute)
	out.FromBodyID, out.Own, out.Default = from, from == bodyID, false
	out.UpdatedAt, out.UpdatedBy = store.FromMicros(h.row.UpdatedAt), h.row.UpdatedBy
	if err := q.QueryRow(ctx, `SELECT name FROM bodies WHERE id = ?`, from).Scan(&out.FromBodyName); err != nil {
		return BodyHours{}, fmt.Errorf("caldb: body %d: %w", from, err)
	}
	return out, nil
}

// SetBusinessHours sets a body's own business hours, for it and every body
// below that sets none. spec is "HH:MM-HH:MM[,HH:MM-HH:MM…]"; a bad spec is
// the parser's error (field business_hours) and nothing is stored. An empty
// spec removes the body's own setting, so it inherits again. Only an
// administrator covering the body may (O1). version is the setting's
// version the caller read (BodyHours.Version): if it changed since, nothing
// is changed and the error is apperr.Stale. It returns the hours now in
// effect for the body.
func (s *Service) SetBusinessHours(ctx context.Context, p access.Principal, bodyID, version int64, spec string) (BodyHours, error) {
	if err := canEditRegion(ctx, s.db, p, bodyID); err != nil {
		return BodyHours{}, err
	}
	if version <= 0 {
		return BodyHours{}, apperr.VersionMissing()
	}
	remove := strings.TrimSpace(spec) == ""
	var hours calendar.BusinessHours
	if !remove {
		var err error
		if hours, err = calendar.ParseBusinessHours(spec); err != nil {
			return BodyHours{}, err
		}
	}
	at := store.Micros(s.now())
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		// First, so concurrent calendar writers serialise on the row lock
		// and the read below sees every earlier committed change. A no-op
		// below still commits the bump: it only costs one cache rebuild.
		if err := bumpVersion(ctx, tx); err != nil {
			return err
		}
		prev, err := hoursRows.Lock(ctx, tx, bodyID) // refuses a row changed behind the log's back
		had := err == nil
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		if hoursVersion(prev.Version) != version {
			return hoursRows.Stale(&prev)
		}
		// Stored in canonical form, so the same hours always read the same.
		row := hoursState{BodyID: bodyID, UpdatedAt: at, UpdatedBy: p.Login, Version: prev.Version}
		if !remove {
			row.Hours = hours.String()
		}
		if prev.Hours == row.Hours {
			return nil // unchanged (or nothing of its own to remove): no event, no new stamp
		}
		action := "calendar.hours.set"
		if remove {
			action = "calendar.hours.cleared"
		}
		e := store.Event{Actor: p.Login, Action: action, BodyID: bodyID, From: prev.Hours, To: row.Hours}
		save := hoursRows.Insert
		if had {
			save = hoursRows.Save
		}
		if err := save(ctx, tx, &row, e); err != nil {
			return err
		}
		path, err := bodyPath(ctx, tx, bodyID)
		if err != nil {
			return err
		}
		return s.recheckClocks(ctx, tx, path, allDays)
	})
	if err != nil {
		return BodyHours{}, err
	}
	return s.BusinessHours(ctx, bodyID)
}
