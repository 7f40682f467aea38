// Package ratingdb keeps good/bad ratings (好差评, L8): each rating an
// audited aggregate rooted at its case (migration 0820), given once per
// matter on the case's public page (number and query code), through the
// secret link of the completion message, or at a window device (a kiosk
// started by the window's staff: one rating per visit). A bad rating opens
// its callback for the responsible unit, due 15 working days later by
// default (Options.CallbackDays per body); the unit may appeal, a
// supervisor decides, and an upheld appeal removes the rating from the
// published tallies. Exported methods own their write and check roles and
// jurisdiction (O1).
package ratingdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/store"
)

// ObjectRating, ObjectKiosk and ObjectInvitation are the object types of
// the events.
const (
	ObjectRating     = "rating"
	ObjectKiosk      = "rating_kiosk"
	ObjectInvitation = "rating_invitation"
)

// ratingRow is a row of ratings; the rating itself is data.
type ratingRow struct {
	ID, Version int64
	Case        string
	BodyPath    string
	Unit        string
	ItemCode    string
	Level       int64
	Status      string
	Callback    string // the callback's state, "" for none
	CallbackDue int64
	Appeal      string // "", pending, upheld or rejected
	RatedAt     int64
	Data        string
}

type ratingState struct {
	ID          int64           `json:"id"`
	Version     int64           `json:"version"`
	Case        string          `json:"case"`
	BodyPath    string          `json:"body_path"`
	Unit        string          `json:"unit"`
	ItemCode    string          `json:"item_code"`
	Level       int64           `json:"level"`
	Status      string          `json:"status"`
	Callback    string          `json:"callback"`
	CallbackDue int64           `json:"callback_due"`
	Appeal      string          `json:"appeal"`
	RatedAt     int64           `json:"rated_at"`
	Data        json.RawMessage `json:"data"`
}

var ratings = store.Declare(store.Aggregate[ratingRow]{
	Table: "ratings", ObjectType: ObjectRating,
	Columns: []string{"case_number", "body_path", "unit", "item_code", "level", "status", "callback", "callback_due", "appeal", "rated_at", "data"},
	Fields: func(r *ratingRow) []any {
		return []any{&r.ID, &r.Version, &r.Case, &r.BodyPath, &r.Unit, &r.ItemCode, &r.Level, &r.Status, &r.Callback,
			&r.CallbackDue, &r.Appeal, &r.RatedAt, &r.Data}
	},
	State: func(r *ratingRow) any {
		return ratingState{ID: r.ID, Version: r.Version, Case: r.Case, BodyPath: r.BodyPath, Unit: r.Unit, ItemCode: r.ItemCode,
			Level: r.Level, Status: r.Status, Callback: r.Callback, CallbackDue: r.CallbackDue, Appeal: r.Appeal,
			RatedAt: r.RatedAt, Data: json.RawMessage(r.Data)}
	},
	Stale: func(r *ratingRow) error { return apperr.Stale("ratingdb.the_rating") },
})

const ratingSelect = `SELECT id, version, case_number, body_path, unit, item_code, level, status, callback, callback_due, appeal, rated_at, data FROM ratings`

func rowOf(r rating.Rating) (ratingRow, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return ratingRow{}, fmt.Errorf("ratingdb: encoding rating of %s: %w", r.Case, err)
	}
	row := ratingRow{ID: r.ID, Version: int64(r.Version), Case: r.Case, BodyPath: r.BodyPath, Unit: r.Unit.Code, ItemCode: r.Item.Code,
		Level: int64(r.Level), Status: string(r.Status), RatedAt: store.Micros(r.At), Data: string(b)}
	if r.Callback != nil {
		row.Callback, row.CallbackDue = string(r.Callback.State), store.Micros(r.Callback.Due)
	}
	if r.Appeal != nil {
		switch {
		case r.Appeal.Upheld:
			row.Appeal = "upheld"
		case r.Appeal.Rejected:
			row.Appeal = "rejected"
		default:
			row.Appeal = "pending"
		}
	}
	return row, nil
}

func ratingOf(row ratingRow) (rating.Rating, error) {
	var r rating.Rating
	if err := json.Unmarshal([]byte(row.Data), &r); err != nil {
		return r, fmt.Errorf("ratingdb: rating %d: %w", row.ID, err)
	}
	r.ID, r.Version = row.ID, int(row.Version)
	return r, nil
}

// Options configure a Service; the zero value is L8's defaults.
type Options struct {
	// CallbackDays are the working days to call back, verify and rectify a
	// bad rating, by body path: the longest path that is a prefix of the
	// rated case's body wins; rating.CallbackDays (15) where none is.
	CallbackDays map[string]int
	// Now is the service's clock; time.Now when nil.
	Now func() time.Time
	// Calendars count a bad rating's callback clock (L8), which
	// supervision watches (callback.red); caldb.New over the cases'
	// database when nil.
	Calendars *caldb.Service
}

// Service keeps ratings. It is safe for concurrent use.
type Service struct {
	db     *store.DB
	cases  *caseworkdb.Service
	clocks *caldb.Clocks
	days   map[string]int
	now    func() time.Time
}

// New returns the service over the cases' database.
func New(cases *caseworkdb.Service, o Options) *Service {
	s := &Service{db: cases.DB(), cases: cases, days: o.CallbackDays, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	cals := o.Calendars
	if cals == nil {
		cals = caldb.New(s.db)
	}
	s.clocks = caldb.NewClocks(s.db, cals)
	s.clocks.SetNow(s.now)
	return s
}

// CallbackClock is the clock of rating id's callback (L8).
func CallbackClock(id int64) caldb.Ref {
	return caldb.Ref{ObjectType: ObjectRating, ObjectID: strconv.FormatInt(id, 10), Kind: "callback"}
}

// CallbackDays is the time a bad rating of a case of the body at path
// gives its unit, in working days.
func (s *Service) CallbackDays(path string) int {
	best, n := -1, rating.CallbackDays
	for p, d := range s.days {
		if strings.HasPrefix(path, p) && len(p) > best && d > 0 {
			best, n = len(p), d
		}
	}
	return n
}

// Applicant is the actor the events of the public's ratings name.
const Applicant = "applicant"

// RateOnPortal is the applicant's rating on the case's public page: the
// number and query code together (V3; a wrong code is the same not-found
// as an unknown number).
func (s *Service) RateOnPortal(ctx context.Context, number, code string, level rating.Level, comment string) (rating.Rating, error) {
	return s.rate(ctx, number, rating.Portal, 0, level, comment, func(ctx context.Context, tx *store.Tx, c casework.Case) error {
		return c.CheckQueryCode(strings.TrimSpace(code))
	})
}

// RateByLink is the rating through the secret link of the completion
// message: the token names the case.
func (s *Service) RateByLink(ctx context.Context, token string, level rating.Level, comment string) (rating.Rating, error) {
	inv, err := s.Invitation(ctx, token)
	if err != nil {
		return rating.Rating{}, err
	}
	return s.rate(ctx, inv.Case, rating.Link, 0, level, comment, nil)
}

// rate gives case number its rating in one write: the case read in it,
// checked by check, refused if rated already (L8: once per matter; the
// unique index catches two at once), a bad rating's callback due after the
// body's callback days.
func (s *Service) rate(ctx context.Context, number string, ch rating.Channel, kiosk int64, level rating.Level, comment string,
	check func(context.Context, *store.Tx, casework.Case) error) (rating.Rating, error) {
	return s.rateAt(ctx, number, ch, kiosk, level, comment, s.now(), check)
}

// rateAt is rate at the instant now (the demo's ratings follow their
// cases' completion).
func (s *Service) rateAt(ctx context.Context, number string, ch rating.Channel, kiosk int64, level rating.Level, comment string,
	now time.Time, check func(context.Context, *store.Tx, casework.Case) error) (rating.Rating, error) {
	var out rating.Rating
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		sv, err := s.cases.Supervised(ctx, tx, number)
		if err != nil {
			return caseworkdb.PublicNotFound(err)
		}
		if check != nil {
			if err := check(ctx, tx, sv.Case); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM ratings WHERE case_number = ?`, sv.Case.Number).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return rating.ErrRated(sv.Case.Number)
		}
		f := rating.FactsOf(sv.Case)
		due, err := sv.Calendar.DueWorkingDays(now, s.CallbackDays(f.BodyPath))
		if err != nil {
			return err
		}
		r, err := rating.Rate(f, level, comment, ch, now, due)
		if err != nil {
			return err
		}
		r.KioskID = kiosk
		row, err := rowOf(r)
		if err != nil {
			return err
		}
		if err := ratings.Insert(ctx, tx, &row, store.Event{Actor: Applicant, Action: "rating.given", BodyID: f.BodyID,
			RootType: caseworkdb.ObjectCase, RootID: f.Number, To: r.Level.Key()}); err != nil {
			if store.IsUniqueViolation(err) {
				return rating.ErrRated(f.Number)
			}
			return err
		}
		r.ID, r.Version = row.ID, int(row.Version)
		if r.Callback != nil {
			// L8: the callback runs on a clock supervision watches.
			spec := calendar.Spec{Statutory: calendar.Budget{N: s.CallbackDays(f.BodyPath), Unit: calendar.WorkingDays}, DueSoonUnits: 1}
			if _, err := s.clocks.Create(ctx, tx, Applicant, CallbackClock(r.ID), f.BodyID, spec); err != nil {
				return err
			}
			if _, err := s.clocks.Start(ctx, tx, Applicant, CallbackClock(r.ID), now); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	return out, err
}

// Rated reports whether case number has been rated, for the public page to
// offer the form or not.
func (s *Service) Rated(ctx context.Context, number string) (bool, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM ratings WHERE case_number = ?`, strings.TrimSpace(number)).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// staffOf is who p is on a rating's notes.
func staffOf(p access.Principal) rating.Staff {
	return rating.Staff{ID: p.StaffID, Login: p.Login, Name: p.Name}
}

func errNoRating() error { return apperr.NotFoundf("ratingdb.no_such_rating") }

// read is the rating with id, for staff whose jurisdiction covers it.
func (s *Service) read(ctx context.Context, q store.Querier, p access.Principal, id int64) (ratingRow, error) {
	if p.Anonymous() {
		return ratingRow{}, apperr.Forbiddenf("ratingdb.staff_only")
	}
	var row ratingRow
	err := q.QueryRow(ctx, ratingSelect+` WHERE id = ?`, id).Scan(ratings.Fields(&row)...)
	if errors.Is(err, sql.ErrNoRows) {
		return row, errNoRating()
	}
	if err != nil {
		return row, fmt.Errorf("ratingdb: rating %d: %w", id, err)
	}
	if !p.Covers(row.BodyPath) {
		return row, errNoRating()
	}
	return row, nil
}

// Path is the body path of rating id, for the routes' scope.
func (s *Service) Path(ctx context.Context, id int64) (string, error) {
	var path string
	err := s.db.QueryRow(ctx, `SELECT body_path FROM ratings WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoRating()
	}
	return path, err
}

// Get is rating id as staff see it.
func (s *Service) Get(ctx context.Context, p access.Principal, id int64) (rating.Rating, error) {
	row, err := s.read(ctx, s.db, p, id)
	if err != nil {
		return rating.Rating{}, err
	}
	return ratingOf(row)
}

// answers reports whether p answers for ratings of unit (code) of the body
// at path: its own staff, and the general office of a body covering it.
func (s *Service) answers(ctx context.Context, p access.Principal, path, unit string) (bool, error) {
	if !p.Covers(path) {
		return false, nil
	}
	if p.Has(access.RoleGeneralOffice) {
		return true, nil
	}
	if p.UnitID == 0 || path != p.BodyPath { // a unit's code names it within its body
		return false, nil
	}
	code, err := s.cases.UnitCode(ctx, p.UnitID)
	if err != nil {
		return false, err
	}
	return code == unit, nil
}

// change locks rating id, checks the base version (0: none given), lets
// step change it and saves it with the event action.
func (s *Service) change(ctx context.Context, p access.Principal, id, base int64, action string,
	step func(r rating.Rating, row ratingRow) (rating.Rating, error)) (rating.Rating, error) {
	var out rating.Rating
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.read(ctx, tx, p, id); err != nil {
			return err
		}
		row, err := ratings.Lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if base != 0 && base != row.Version {
			return ratings.Stale(&row)
		}
		r, err := ratingOf(row)
		if err != nil {
			return err
		}
		was := r.Callback
		if r, err = step(r, row); err != nil {
			return err
		}
		if was != nil && r.Callback != nil && was.State != r.Callback.State &&
			(r.Callback.State == rating.CallbackClosed || r.Callback.State == rating.CallbackWithdrawn) {
			// The callback closed or the rating was removed: its clock stops.
			// A rating given before callbacks had clocks has none to stop.
			_, err := s.clocks.Get(ctx, tx, CallbackClock(r.ID))
			switch {
			case apperr.CodeOf(err) == apperr.NotFound:
			case err != nil:
				return err
			default:
				if _, err := s.clocks.Finish(ctx, tx, p.Login, CallbackClock(r.ID), s.now()); err != nil {
					return err
				}
			}
		}
		next, err := rowOf(r)
		if err != nil {
			return err
		}
		next.Version = row.Version
		if err := ratings.Save(ctx, tx, &next, store.Event{Actor: p.Login, Action: action, BodyID: r.BodyID,
			RootType: caseworkdb.ObjectCase, RootID: r.Case}); err != nil {
			return err
		}
		r.Version = int(next.Version)
		out = r
		return nil
	})
	return out, err
}

// Callback takes a bad rating's callback one step (call, verify, close):
// the responsible unit's staff, or the general office.
func (s *Service) Callback(ctx context.Context, p access.Principal, id, base int64, st rating.Step) (rating.Rating, error) {
	return s.change(ctx, p, id, base, "rating.callback."+clipAction(st.Action), func(r rating.Rating, row ratingRow) (rating.Rating, error) {
		ok, err := s.answers(ctx, p, row.BodyPath, row.Unit)
		if err != nil {
			return r, err
		}
		if !ok {
			return r, apperr.Forbiddenf("ratingdb.only_the_rated_unit_s_staff")
		}
		return rating.Advance(r, staffOf(p), st, s.now())
	})
}

// Appeal is the responsible unit's appeal against a mistaken or malicious
// rating.
func (s *Service) Appeal(ctx context.Context, p access.Principal, id, base int64, kind rating.AppealKind, reason string) (rating.Rating, error) {
	return s.change(ctx, p, id, base, "rating.appealed", func(r rating.Rating, row ratingRow) (rating.Rating, error) {
		ok, err := s.answers(ctx, p, row.BodyPath, row.Unit)
		if err != nil {
			return r, err
		}
		if !ok {
			return r, apperr.Forbiddenf("ratingdb.only_the_rated_unit_s_staff_2")
		}
		return rating.FileAppeal(r, staffOf(p), kind, reason, s.now())
	})
}

// DecideAppeal is a supervisor's decision on a rating's appeal: upheld
// removes the rating from the statistics.
func (s *Service) DecideAppeal(ctx context.Context, p access.Principal, id, base int64, upheld bool, opinion string) (rating.Rating, error) {
	return s.change(ctx, p, id, base, "rating.appeal.decided", func(r rating.Rating, _ ratingRow) (rating.Rating, error) {
		if !p.Has(access.RoleSupervisor) {
			return r, apperr.Forbiddenf("ratingdb.a_supervisor_decides_appeals")
		}
		return rating.DecideAppeal(r, staffOf(p), upheld, opinion, s.now())
	})
}

func clipAction(a string) string {
	switch a {
	case "call", "verify", "close":
		return a
	}
	return "unknown"
}

// newToken draws a secret token and its hash (only the hash is stored).
func newToken() (string, string) {
	t := strings.ToLower(rand.Text())
	return t, hashToken(t)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte("qingdan rating token\x00" + strings.TrimSpace(t)))
	return hex.EncodeToString(h[:])
}
