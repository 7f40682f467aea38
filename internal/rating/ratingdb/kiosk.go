package ratingdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/store"
)

// Kiosk is a window's rating device (评价器): started by the window's
// staff on a tablet at the counter, reached with no login through its
// secret address, until ended.
type Kiosk struct {
	ID, Version int64
	TokenHash   string
	BodyID      int64
	BodyPath    string
	Unit        string
	UnitName    string
	StartedBy   string
	StartedAt   int64
	EndedAt     int64 // 0 while in use
}

var kiosks = store.Declare(store.Aggregate[Kiosk]{
	Table: "rating_kiosks", ObjectType: ObjectKiosk,
	Columns: []string{"token_hash", "body_id", "body_path", "unit", "unit_name", "started_by", "started_at", "ended_at"},
	Fields: func(k *Kiosk) []any {
		return []any{&k.ID, &k.Version, &k.TokenHash, &k.BodyID, &k.BodyPath, &k.Unit, &k.UnitName, &k.StartedBy, &k.StartedAt, &k.EndedAt}
	},
	State: func(k *Kiosk) any { return k },
})

const kioskSelect = `SELECT id, version, token_hash, body_id, body_path, unit, unit_name, started_by, started_at, ended_at FROM rating_kiosks`

func errNoKiosk() error {
	return apperr.NotFoundf("ratingdb.this_rating_device_s_address_is")
}

// StartKiosk starts a rating device on p's window: window staff with a
// unit. The token it answers is the device's secret address, shown once.
func (s *Service) StartKiosk(ctx context.Context, p access.Principal) (string, Kiosk, error) {
	if !p.Has(access.RoleWindow) {
		return "", Kiosk{}, apperr.Forbiddenf("ratingdb.only_a_window_s_staff_start")
	}
	if p.UnitID == 0 {
		return "", Kiosk{}, apperr.New(apperr.Conflict, "unit", "ratingdb.you_belong_to_no_window_unit")
	}
	var code, name string
	if err := s.db.QueryRow(ctx, `SELECT code, name FROM units WHERE id = ?`, p.UnitID).Scan(&code, &name); err != nil {
		return "", Kiosk{}, fmt.Errorf("ratingdb: unit %d: %w", p.UnitID, err)
	}
	token, hash := newToken()
	k := Kiosk{TokenHash: hash, BodyID: p.BodyID, BodyPath: p.BodyPath, Unit: code, UnitName: name, StartedBy: p.Login,
		StartedAt: store.Micros(s.now())}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		return kiosks.Insert(ctx, tx, &k, store.Event{Actor: p.Login, Action: "rating.kiosk.started", BodyID: p.BodyID, To: code})
	})
	return token, k, err
}

// Kiosks are the devices in use on p's body's windows.
func (s *Service) Kiosks(ctx context.Context, p access.Principal) ([]Kiosk, error) {
	if p.Anonymous() {
		return nil, apperr.Forbiddenf("ratingdb.staff_only")
	}
	rows, err := s.db.Query(ctx, kioskSelect+` WHERE body_path = ? AND ended_at = 0 ORDER BY id DESC LIMIT 100`, p.BodyPath)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Kiosk
	for rows.Next() {
		var k Kiosk
		if err := rows.Scan(kiosks.Fields(&k)...); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// KioskPath is the body path of kiosk id, for the routes' scope.
func (s *Service) KioskPath(ctx context.Context, id int64) (string, error) {
	var path string
	err := s.db.QueryRow(ctx, `SELECT body_path FROM rating_kiosks WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoKiosk()
	}
	return path, err
}

// EndKiosk ends a device of p's body: its address answers no more.
func (s *Service) EndKiosk(ctx context.Context, p access.Principal, id int64) error {
	if !p.Has(access.RoleWindow) {
		return apperr.Forbiddenf("ratingdb.only_a_window_s_staff_end")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		k, err := kiosks.Lock(ctx, tx, id)
		if apperr.CodeOf(err) == apperr.NotFound || err == nil && k.BodyPath != p.BodyPath {
			return errNoKiosk()
		}
		if err != nil {
			return err
		}
		if k.EndedAt != 0 {
			return nil
		}
		k.EndedAt = store.Micros(s.now())
		return kiosks.Save(ctx, tx, &k, store.Event{Actor: p.Login, Action: "rating.kiosk.ended", BodyID: k.BodyID, From: k.Unit})
	})
}

// KioskByToken is the device in use at the secret address token.
func (s *Service) KioskByToken(ctx context.Context, q store.Querier, token string) (Kiosk, error) {
	var k Kiosk
	if q == nil {
		q = s.db
	}
	err := q.QueryRow(ctx, kioskSelect+` WHERE token_hash = ?`, hashToken(token)).Scan(kiosks.Fields(&k)...)
	if errors.Is(err, sql.ErrNoRows) || err == nil && k.EndedAt != 0 {
		return Kiosk{}, errNoKiosk()
	}
	return k, err
}

// RateAtKiosk is a rating at the window device with token: L8's one per
// visit — a case of the device's body completed today, picked by its
// number, and not rated before.
func (s *Service) RateAtKiosk(ctx context.Context, token, number string, level rating.Level, comment string) (rating.Rating, error) {
	k, err := s.KioskByToken(ctx, nil, token)
	if err != nil {
		return rating.Rating{}, err
	}
	number = strings.TrimSpace(number)
	if number == "" {
		return rating.Rating{}, apperr.Invalidf("number", "ratingdb.enter_the_case_number")
	}
	return s.rate(ctx, number, rating.Kiosk, k.ID, level, comment, func(ctx context.Context, tx *store.Tx, c casework.Case) error {
		cal, err := s.cases.Calendar(ctx, c.Body.ID)
		if err != nil {
			return err
		}
		if _, err := s.KioskByToken(ctx, tx, token); err != nil {
			return err // ended meanwhile
		}
		return rating.Visit(rating.FactsOf(c), k.BodyID, cal, s.now())
	})
}

// Invitation is the secret link a completion message carries.
type Invitation struct {
	ID, Version int64
	TokenHash   string
	Case        string
	CreatedAt   int64
}

var invitations = store.Declare(store.Aggregate[Invitation]{
	Table: "rating_invitations", ObjectType: ObjectInvitation, Columns: []string{"token_hash", "case_number", "created_at"},
	Fields: func(i *Invitation) []any { return []any{&i.ID, &i.Version, &i.TokenHash, &i.Case, &i.CreatedAt} },
	State:  func(i *Invitation) any { return i },
})

func errNoInvitation() error {
	return apperr.NotFoundf("ratingdb.this_rating_link_is_not_valid")
}

// Invitation is the invitation with token.
func (s *Service) Invitation(ctx context.Context, token string) (Invitation, error) {
	var i Invitation
	err := s.db.QueryRow(ctx, `SELECT id, version, token_hash, case_number, created_at FROM rating_invitations WHERE token_hash = ?`,
		hashToken(token)).Scan(invitations.Fields(&i)...)
	if errors.Is(err, sql.ErrNoRows) {
		return i, errNoInvitation()
	}
	return i, err
}

// Invite makes the rating link of completed case c in the caller's write
// and answers its token, "" when the case has one already (a consumer's
// batch run again).
func Invite(ctx context.Context, tx *store.Tx, c casework.Case, now time.Time) (string, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM rating_invitations WHERE case_number = ?`, c.Number).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	token, hash := newToken()
	i := Invitation{TokenHash: hash, Case: c.Number, CreatedAt: store.Micros(now)}
	if err := invitations.Insert(ctx, tx, &i, store.Event{Actor: "system", Action: "rating.invited", BodyID: c.Body.ID,
		RootType: "case", RootID: c.Number, To: strconv.FormatInt(i.ID, 10)}); err != nil {
		return "", err
	}
	return token, nil
}
