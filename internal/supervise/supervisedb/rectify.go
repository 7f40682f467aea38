package supervisedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// ObjectRectification is the object type of a rectification item's events.
const ObjectRectification = "supervise_rectification"

type rectRow struct {
	ID, Version int64
	BodyPath    string
	UnitBody    string
	Unit        string
	OwnerID     int64
	Source      string
	Ref         string
	State       string
	Deadline    string
	Data        string
}

type rectState struct {
	ID       int64           `json:"id"`
	Version  int64           `json:"version"`
	BodyPath string          `json:"body_path"`
	UnitBody string          `json:"unit_body"`
	Unit     string          `json:"unit"`
	OwnerID  int64           `json:"owner_id"`
	Source   string          `json:"source"`
	Ref      string          `json:"ref"`
	State    string          `json:"state"`
	Deadline string          `json:"deadline"`
	Data     json.RawMessage `json:"data"`
}

var rects = store.Declare(store.Aggregate[rectRow]{
	Table: "supervise_rectifications", ObjectType: ObjectRectification,
	Columns: []string{"body_path", "unit_body", "unit", "owner_id", "source", "ref", "state", "deadline", "data"},
	Fields: func(r *rectRow) []any {
		return []any{&r.ID, &r.Version, &r.BodyPath, &r.UnitBody, &r.Unit, &r.OwnerID, &r.Source, &r.Ref, &r.State, &r.Deadline, &r.Data}
	},
	State: func(r *rectRow) any {
		return rectState{ID: r.ID, Version: r.Version, BodyPath: r.BodyPath, UnitBody: r.UnitBody, Unit: r.Unit, OwnerID: r.OwnerID,
			Source: r.Source, Ref: r.Ref, State: r.State, Deadline: r.Deadline, Data: json.RawMessage(r.Data)}
	},
	Stale: func(r *rectRow) error { return apperr.Stale("supervisedb.the_rectification_item") },
})

const rectSelect = `SELECT id, version, body_path, unit_body, unit, owner_id, source, ref, state, deadline, data FROM supervise_rectifications`

func (r rectRow) rect() (supervise.Rectification, error) {
	var x supervise.Rectification
	if err := json.Unmarshal([]byte(r.Data), &x); err != nil {
		return x, fmt.Errorf("supervisedb: rectification %d: %w", r.ID, err)
	}
	x.ID, x.Version = r.ID, int(r.Version)
	return x, nil
}

func (r *rectRow) set(x supervise.Rectification) error {
	x.ID, x.Version = 0, 0 // the row's columns hold them
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Errorf("supervisedb: rectification: %w", err)
	}
	r.BodyPath, r.UnitBody, r.Unit, r.OwnerID, r.Source, r.Ref, r.State, r.Deadline, r.Data = x.BodyPath, x.UnitBody, x.Unit.Code,
		x.Owner.ID, string(x.Source), x.Ref, string(x.State), x.Deadline.String(), string(b)
	return nil
}

// Problem is a problem put on the rectification list (S8): by a
// supervisor from a card, an order, an inspection, a complaint or a
// rating, or by an external supervisor from their own report (S7).
// Complaints and ratings call OpenRectification (or OpenRectificationTx
// inside their own write) with Source FromComplaint or FromRating and Ref
// the complaint's or rating's number.
type Problem struct {
	Source supervise.Source `json:"source"`
	// Ref names the source: for a card or an order its id (the unit, its
	// body and the card are then taken from it), for a complaint its
	// number; free text for the others.
	Ref     string `json:"ref,omitempty"`
	Problem string `json:"problem"`
	// Unit is the code of the unit that must fix it and UnitBody the path
	// of that unit's body ("" for the reporter's own); ignored for a card
	// or an order.
	Unit     string `json:"unit,omitempty"`
	UnitBody string `json:"unit_body,omitempty"`
	// Owner is the staff member who answers for it, of that unit; 0 for
	// the unit's head (O2).
	Owner int64 `json:"owner,omitempty"`
	// Deadline is the last day to close it, YYYY-MM-DD; "" for
	// DefaultRectDays working days from today.
	Deadline string `json:"deadline,omitempty"`
}

// DefaultRectDays is the working days a rectification item has when the
// one who opens it names no deadline.
const DefaultRectDays = 10

// OpenRectification puts a problem on the list and tells its owner at
// once, through the inbox and the outbox in the same write (the same day).
func (s *Service) OpenRectification(ctx context.Context, p access.Principal, pr Problem) (supervise.Rectification, error) {
	var out supervise.Rectification
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.OpenRectificationTx(ctx, tx, p, pr)
		return err
	})
	return out, err
}

// OpenRectificationTx is OpenRectification inside the caller's write, for
// a feature that opens an item in the same write as its own change.
func (s *Service) OpenRectificationTx(ctx context.Context, tx *store.Tx, p access.Principal, pr Problem) (supervise.Rectification, error) {
	env, err := s.env(ctx, tx, p)
	if err != nil {
		return supervise.Rectification{}, err
	}
	d := supervise.RectDraft{Source: pr.Source, Ref: strings.TrimSpace(pr.Ref), Problem: pr.Problem,
		Unit: casework.Unit{Code: strings.TrimSpace(pr.Unit)}, UnitBody: strings.TrimSpace(pr.UnitBody)}
	switch pr.Source {
	case supervise.FromCard:
		if err := s.fromCard(ctx, tx, p, &d); err != nil {
			return supervise.Rectification{}, err
		}
	case supervise.FromOrder:
		if err := s.fromOrder(ctx, tx, p, &d); err != nil {
			return supervise.Rectification{}, err
		}
	case supervise.FromExternal:
		if d.Reporter, err = ExternalKindOf(ctx, tx, p.StaffID); err != nil {
			return supervise.Rectification{}, err
		}
	}
	if d.UnitBody == "" {
		d.UnitBody = p.BodyPath
	}
	if d.Unit.Code != "" && p.Covers(d.UnitBody) {
		if err := tx.QueryRow(ctx, `SELECT u.name FROM units u JOIN bodies b ON b.id = u.body_id WHERE b.path = ? AND u.code = ? AND u.active`,
			d.UnitBody, d.Unit.Code).Scan(&d.Unit.Name); errors.Is(err, sql.ErrNoRows) {
			return supervise.Rectification{}, apperr.Invalidf("unit", "supervisedb.no_unit_with_code", d.Unit.Code)
		} else if err != nil {
			return supervise.Rectification{}, fmt.Errorf("supervisedb: unit %s: %w", d.Unit.Code, err)
		}
		if d.Owner, err = ownerOf(ctx, tx, d.UnitBody, d.Unit.Code, pr.Owner); err != nil {
			return supervise.Rectification{}, err
		}
	}
	if strings.TrimSpace(pr.Deadline) == "" {
		d.Deadline, err = env.Calendar.AddWorkingDays(env.Calendar.Date(env.Now), DefaultRectDays)
		if err != nil {
			return supervise.Rectification{}, apperr.Invalidf("deadline", "supervisedb.give_the_deadline")
		}
	} else if d.Deadline, err = calendar.ParseDate("deadline", strings.TrimSpace(pr.Deadline)); err != nil {
		return supervise.Rectification{}, err
	}
	x, ch, err := supervise.OpenRectification(d, env)
	if err != nil {
		return supervise.Rectification{}, err
	}
	var r rectRow
	if err := r.set(x); err != nil {
		return supervise.Rectification{}, err
	}
	if err := rects.Insert(ctx, tx, &r, rectEvent(p, ch)); err != nil {
		return supervise.Rectification{}, err
	}
	x.ID, x.Version = r.ID, int(r.Version)
	ns, err := s.checkRect(ctx, tx, x, env.Now)
	if err != nil {
		return supervise.Rectification{}, err
	}
	return x, s.tellAs(ctx, tx, "/supervision/rectifications/"+strconv.FormatInt(x.ID, 10), append(ch.Notices, ns...))
}

// fromCard fills d from open card d.Ref (its id): the card's key, unit and body.
func (s *Service) fromCard(ctx context.Context, tx *store.Tx, p access.Principal, d *supervise.RectDraft) error {
	id, err := strconv.ParseInt(d.Ref, 10, 64)
	if err != nil || id <= 0 {
		return apperr.Invalidf("ref", "supervisedb.name_the_card_by_its_id")
	}
	cr, err := cards.Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if !p.Covers(cr.BodyPath) {
		return apperr.Forbiddenf("supervisedb.the_card_is_outside_your_jurisdiction")
	}
	c, err := cr.card()
	if err != nil {
		return err
	}
	if !c.Open() {
		return apperr.Conflictf("supervisedb.the_card_is_cleared")
	}
	k := c.Key
	d.Card, d.Unit.Code, d.UnitBody = &k, c.Unit, c.BodyPath
	if c.Unit == "" {
		return apperr.New(apperr.Conflict, "ref", "supervisedb.the_card_names_no_unit_so")
	}
	return nil
}

// fromOrder fills d from order d.Ref (its id): the unit ordered and its body.
func (s *Service) fromOrder(ctx context.Context, tx *store.Tx, p access.Principal, d *supervise.RectDraft) error {
	id, err := strconv.ParseInt(d.Ref, 10, 64)
	if err != nil || id <= 0 {
		return apperr.Invalidf("ref", "supervisedb.name_the_order_by_its_id")
	}
	or, err := orders.Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if !p.Covers(or.BodyPath) {
		return apperr.Forbiddenf("supervisedb.the_order_is_outside_your_jurisdiction")
	}
	d.Unit.Code, d.UnitBody = or.Unit, or.UnitBody
	return nil
}

// ownerOf is staff member id of the unit (code) of the body at path, or
// its head when id is 0: the item's owner (O2).
func ownerOf(ctx context.Context, q store.Querier, path, code string, id int64) (casework.Staff, error) {
	query := `SELECT s.id, s.name, COALESCE(a.login, '') FROM staff s JOIN units u ON u.id = s.unit_id JOIN bodies b ON b.id = u.body_id
		LEFT JOIN accounts a ON a.staff_id = s.id WHERE b.path = ? AND u.code = ? AND s.active`
	args := []any{path, code}
	if id != 0 {
		query += ` AND s.id = ?`
		args = append(args, id)
	} else {
		query += ` AND s.is_head`
	}
	var st casework.Staff
	err := q.QueryRow(ctx, query, args...).Scan(&st.ID, &st.Name, &st.Login)
	switch {
	case errors.Is(err, sql.ErrNoRows) && id == 0:
		return st, apperr.Invalidf("owner", "supervisedb.the_unit_has_no_head_name")
	case errors.Is(err, sql.ErrNoRows):
		return st, apperr.Invalidf("owner", "supervisedb.the_owner_must_be_active_staff")
	case err != nil:
		return st, fmt.Errorf("supervisedb: owner of %s: %w", code, err)
	}
	return st, nil
}

func rectEvent(p access.Principal, ch supervise.Change) store.Event {
	b, err := json.Marshal(ch.Event)
	if err != nil {
		panic("supervisedb: encoding a rectification's event: " + err.Error()) // strings and times
	}
	return store.Event{Actor: p.Login, Action: "supervise." + ch.Event.Action, BodyID: p.BodyID, From: ch.Event.From, To: ch.Event.To, Payload: b}
}

// RectStep is a progress note on, or the closing of, a rectification item.
type RectStep struct {
	Action   string   // note, close
	Text     string   // the progress, or the closing note
	Evidence []string // close: the documents that show it fixed
}

// ActOnRectification takes item id one step — a progress note, or closing
// it with evidence (which clears the card it came from) — based on
// version base (0: whatever is stored; pages and the API always give it).
func (s *Service) ActOnRectification(ctx context.Context, p access.Principal, id, base int64, step RectStep) (supervise.Rectification, error) {
	var out supervise.Rectification
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		env, err := s.env(ctx, tx, p)
		if err != nil {
			return err
		}
		r, err := rects.Lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.Covers(r.UnitBody) && !p.Covers(r.BodyPath) {
			return apperr.NotFoundf("supervisedb.no_rectification_item", id)
		}
		if base != 0 && r.Version != base {
			return apperr.Stale("supervisedb.the_rectification_item")
		}
		x, err := r.rect()
		if err != nil {
			return err
		}
		var ch supervise.Change
		switch step.Action {
		case "note":
			x, ch, err = x.Note(step.Text, env)
		case "close":
			x, ch, err = x.Close(step.Evidence, step.Text, env)
		default:
			return apperr.Invalidf("action", "supervisedb.the_action_must_be_note_or")
		}
		if err != nil {
			return err
		}
		if err := r.set(x); err != nil {
			return err
		}
		if err := rects.Save(ctx, tx, &r, rectEvent(p, ch)); err != nil {
			return err
		}
		x.ID, x.Version = r.ID, int(r.Version)
		out = x
		for _, cl := range ch.Clear { // the card the item came from
			stored, err := cardsOf(ctx, tx, string(cl.Key.Object.Type), cl.Key.Object.ID)
			if err != nil {
				return err
			}
			if _, err := raise(ctx, tx, p.BodyID, nil, []supervise.Cleared{cl}, stored); err != nil {
				return err
			}
		}
		ns, err := s.checkRect(ctx, tx, x, env.Now)
		if err != nil {
			return err
		}
		return s.tellAs(ctx, tx, "/supervision/rectifications/"+strconv.FormatInt(x.ID, 10), append(ch.Notices, ns...))
	})
	return out, err
}

// Rectification reads item id for p: staff of the body that opened it or
// of the unit's body.
func (s *Service) Rectification(ctx context.Context, p access.Principal, id int64) (supervise.Rectification, error) {
	r, err := rects.Get(ctx, s.db, id)
	if err != nil {
		return supervise.Rectification{}, err
	}
	if !p.Covers(r.UnitBody) && !p.Covers(r.BodyPath) {
		return supervise.Rectification{}, apperr.NotFoundf("supervisedb.no_rectification_item", id)
	}
	return r.rect()
}

// RectificationPath is the unit's body of item id, for a route's jurisdiction.
func (s *Service) RectificationPath(ctx context.Context, id int64) (string, error) {
	r, err := rects.Get(ctx, s.db, id)
	if err != nil {
		return "", err
	}
	return r.UnitBody, nil
}

// RectFilter selects rectification items: of one unit (code) only, open
// ones only, those p owns only.
type RectFilter struct {
	Unit string
	Open bool
	Mine bool
}

// Rectifications lists the items of p's jurisdiction (opened by or for
// its bodies), open ones first then by deadline; a unit's staff see their
// unit's and those they own.
func (s *Service) Rectifications(ctx context.Context, p access.Principal, f RectFilter) ([]supervise.Rectification, error) {
	if p.BodyPath == "" {
		return nil, errNoJurisdiction()
	}
	unit, err := s.ownUnit(ctx, p)
	if err != nil {
		return nil, err
	}
	q := rectSelect + ` WHERE (body_path LIKE ? OR unit_body LIKE ?)`
	args := []any{p.BodyPath + "%", p.BodyPath + "%"}
	switch {
	case f.Mine:
		q += ` AND owner_id = ?`
		args = append(args, p.StaffID)
	case unit != "":
		q += ` AND ((unit = ? AND unit_body = ?) OR owner_id = ?)`
		args = append(args, unit, p.BodyPath, p.StaffID)
	case strings.TrimSpace(f.Unit) != "":
		q += ` AND unit = ?`
		args = append(args, strings.TrimSpace(f.Unit))
	}
	if f.Open {
		q += ` AND state = 'open'`
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY CASE state WHEN 'open' THEN 0 ELSE 1 END, deadline, id DESC LIMIT `+strconv.Itoa(MaxCards), args...)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: rectifications: %w", err)
	}
	defer rows.Close()
	out := []supervise.Rectification{}
	for rows.Next() {
		var r rectRow
		if err := rows.Scan(rects.Fields(&r)...); err != nil {
			return nil, fmt.Errorf("supervisedb: rectifications: %w", err)
		}
		x, err := r.rect()
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// checkRect judges item x's time rule at now (rectification.red: open
// past its deadline), stores the cards raised and cleared, and keeps the
// item's next check, in tx.
func (s *Service) checkRect(ctx context.Context, tx *store.Tx, x supervise.Rectification, now time.Time) ([]supervise.Notice, error) {
	set, err := s.rulesAt(ctx, tx, x.BodyPath)
	if err != nil {
		return nil, err
	}
	var bodyID int64
	if err := tx.QueryRow(ctx, `SELECT id FROM bodies WHERE path = ?`, x.BodyPath).Scan(&bodyID); err != nil {
		return nil, fmt.Errorf("supervisedb: body %s: %w", x.BodyPath, err)
	}
	cal, err := s.cases.Calendar(ctx, bodyID)
	if err != nil {
		return nil, err
	}
	sub := x.Subject(cal)
	stored, err := cardsOf(ctx, tx, string(sub.Object.Type), sub.Object.ID)
	if err != nil {
		return nil, err
	}
	ledger := supervise.Ledger{}
	for _, r := range stored {
		c, err := r.card()
		if err != nil {
			return nil, err
		}
		ledger[c.Key] = c
	}
	res, err := supervise.Evaluate(set, sub, cal, now, ledger.Of(sub.Object))
	if err != nil {
		return nil, err
	}
	raised := ledger.Raise(res.Raise...)
	var cleared []supervise.Cleared
	for _, c := range ledger.ClearAt(res.Clear...) {
		cleared = append(cleared, supervise.Cleared{Key: c.Key, At: c.Cleared})
	}
	var next any
	if !res.Next.IsZero() {
		next = store.Micros(res.Next)
	}
	tx.Queue(ctx, `UPDATE supervise_rectifications SET check_at = ? WHERE id = ?`, next, x.ID)
	return raise(ctx, tx, bodyID, raised, cleared, stored)
}

// sweepRects judges the items whose next check has come (an index range
// of supervise_rectifications_check), SweepBatch at a time.
func (s *Service) sweepRects(ctx context.Context, l *store.Lease, now time.Time) (int, error) {
	return sweepDue(ctx, s, l, rectSelect, "due rectifications", now, rects.Fields,
		func(tx *store.Tx, r rectRow) ([]supervise.Notice, error) {
			x, err := r.rect()
			if err != nil {
				return nil, err
			}
			return s.checkRect(ctx, tx, x, now)
		})
}

// UnitRef is a unit that can be given a rectification item: its body's
// path and name, its code and name.
type UnitRef struct {
	BodyPath string `json:"body_path"`
	BodyName string `json:"body_name"`
	Code     string `json:"code"`
	Name     string `json:"name"`
}

// Key is how a form names the unit: its body's path and its code.
func (u UnitRef) Key() string { return u.BodyPath + "|" + u.Code }

// Units are the active units of p's jurisdiction, by body and code: those
// a problem can be put to.
func (s *Service) Units(ctx context.Context, p access.Principal) ([]UnitRef, error) {
	if p.BodyPath == "" {
		return nil, errNoJurisdiction()
	}
	rows, err := s.db.Query(ctx, `SELECT b.path, b.name, u.code, u.name FROM units u JOIN bodies b ON b.id = u.body_id
		WHERE b.path LIKE ? AND u.active ORDER BY b.path, u.code`, p.BodyPath+"%")
	if err != nil {
		return nil, fmt.Errorf("supervisedb: units: %w", err)
	}
	defer rows.Close()
	var out []UnitRef
	for rows.Next() {
		var u UnitRef
		if err := rows.Scan(&u.BodyPath, &u.BodyName, &u.Code, &u.Name); err != nil {
			return nil, fmt.Errorf("supervisedb: units: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// MayWork reports whether p may note progress on or close item x (the
// owner, the unit's staff, a supervisor over it): what its page offers.
func (s *Service) MayWork(ctx context.Context, p access.Principal, x supervise.Rectification) (bool, error) {
	if x.State != supervise.RectOpen || p.ReadOnly() || p.StaffID == 0 {
		return false, nil
	}
	a, err := s.actor(ctx, s.db, p)
	if err != nil {
		return false, err
	}
	return a.ID == x.Owner.ID || a.Unit == x.Unit.Code && a.BodyPath == x.UnitBody ||
		p.Has(access.RoleSupervisor) && p.Covers(x.BodyPath), nil
}
