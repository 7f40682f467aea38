package supervisedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// ObjectOrder is the object type of an order's events.
const ObjectOrder = "supervise_order"

type orderRow struct {
	ID, Version int64
	BodyPath    string
	UnitBody    string
	Unit        string
	Case        string
	State       string
	DueAt       int64
	Data        string
}

type orderState struct {
	ID       int64           `json:"id"`
	Version  int64           `json:"version"`
	BodyPath string          `json:"body_path"`
	UnitBody string          `json:"unit_body"`
	Unit     string          `json:"unit"`
	Case     string          `json:"case"`
	State    string          `json:"state"`
	DueAt    int64           `json:"due_at"`
	Data     json.RawMessage `json:"data"`
}

var orders = store.Declare(store.Aggregate[orderRow]{
	Table: "supervise_orders", ObjectType: ObjectOrder,
	Columns: []string{"body_path", "unit_body", "unit", "case_number", "state", "due_at", "data"},
	Fields: func(r *orderRow) []any {
		return []any{&r.ID, &r.Version, &r.BodyPath, &r.UnitBody, &r.Unit, &r.Case, &r.State, &r.DueAt, &r.Data}
	},
	State: func(r *orderRow) any {
		return orderState{ID: r.ID, Version: r.Version, BodyPath: r.BodyPath, UnitBody: r.UnitBody, Unit: r.Unit, Case: r.Case,
			State: r.State, DueAt: r.DueAt, Data: json.RawMessage(r.Data)}
	},
	Stale: func(r *orderRow) error { return apperr.Stale("supervisedb.the_supervision_order") },
})

const orderSelect = `SELECT id, version, body_path, unit_body, unit, case_number, state, due_at, data FROM supervise_orders`

func (r orderRow) order() (supervise.Order, error) {
	var o supervise.Order
	if err := json.Unmarshal([]byte(r.Data), &o); err != nil {
		return o, fmt.Errorf("supervisedb: order %d: %w", r.ID, err)
	}
	o.ID, o.Version = r.ID, int(r.Version)
	return o, nil
}

func (r *orderRow) set(o supervise.Order) error {
	o.ID, o.Version = 0, 0 // the row's columns hold them
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("supervisedb: order: %w", err)
	}
	r.BodyPath, r.UnitBody, r.Unit, r.Case, r.State, r.DueAt, r.Data = o.BodyPath, o.UnitBody, o.Unit.Code, o.Case, string(o.State),
		store.Micros(o.Due), string(b)
	return nil
}

// actor is who p is to an order: staff with their roles, body and unit.
func (s *Service) actor(ctx context.Context, q store.Querier, p access.Principal) (casework.Actor, error) {
	if p.StaffID == 0 {
		return casework.Actor{}, apperr.Forbiddenf("supervisedb.only_staff_act_on_supervision_orders")
	}
	a := casework.Actor{Staff: casework.Staff{ID: p.StaffID, Login: p.Login, Name: p.Name}, BodyPath: p.BodyPath}
	for _, r := range p.Roles {
		a.Roles = append(a.Roles, string(r))
	}
	if p.UnitID != 0 {
		if err := q.QueryRow(ctx, `SELECT code FROM units WHERE id = ?`, p.UnitID).Scan(&a.Unit); err != nil {
			return a, fmt.Errorf("supervisedb: unit %d: %w", p.UnitID, err)
		}
	}
	return a, nil
}

func (s *Service) env(ctx context.Context, q store.Querier, p access.Principal) (supervise.OrderEnv, error) {
	a, err := s.actor(ctx, q, p)
	if err != nil {
		return supervise.OrderEnv{}, err
	}
	cal, err := s.cases.Calendar(ctx, p.BodyID)
	if err != nil {
		return supervise.OrderEnv{}, err
	}
	return supervise.OrderEnv{Now: s.now(), Calendar: cal, Actor: a}, nil
}

// IssueFromCard issues a supervision order (S4) from open card cardID to
// the card's responsible unit: what to fix and the working days to answer
// (0: supervise.OrderDays, 5). Only a supervisor covering the card's body.
func (s *Service) IssueFromCard(ctx context.Context, p access.Principal, cardID int64, matter string, days int) (supervise.Order, error) {
	var out supervise.Order
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		env, err := s.env(ctx, tx, p)
		if err != nil {
			return err
		}
		cr, err := cards.Lock(ctx, tx, cardID)
		if err != nil {
			return err
		}
		if !p.Covers(cr.BodyPath) {
			return apperr.Forbiddenf("supervisedb.the_card_is_outside_your_jurisdiction")
		}
		card, err := cr.card()
		if err != nil {
			return err
		}
		var unit casework.Unit
		if card.Unit != "" {
			unit.Code = card.Unit
			if err := tx.QueryRow(ctx, `SELECT u.name FROM units u JOIN bodies b ON b.id = u.body_id WHERE b.path = ? AND u.code = ?`,
				card.BodyPath, card.Unit).Scan(&unit.Name); errors.Is(err, sql.ErrNoRows) {
				// The case names a unit its item's list gives but the
				// organisation does not have: an order needs a unit to answer.
				return apperr.New(apperr.Conflict, "card", "supervisedb.the_card_s_responsible_unit_is", card.Unit)
			} else if err != nil {
				return fmt.Errorf("supervisedb: unit %s: %w", card.Unit, err)
			}
		}
		o, ch, err := supervise.Issue(supervise.OrderDraft{Unit: unit, UnitBody: card.BodyPath, Card: &card, Matter: matter, Days: days}, env)
		if err != nil {
			return err
		}
		var r orderRow
		if err := r.set(o); err != nil {
			return err
		}
		if err := orders.Insert(ctx, tx, &r, s.orderEvent(p, ch, o)); err != nil {
			return err
		}
		o.ID, o.Version = r.ID, int(r.Version)
		out = o
		ns, err := s.checkOrder(ctx, tx, o, env.Now)
		if err != nil {
			return err
		}
		return s.tell(ctx, tx, append(ch.Notices, ns...))
	})
	return out, err
}

func (s *Service) orderEvent(p access.Principal, ch supervise.Change, o supervise.Order) store.Event {
	b, err := json.Marshal(ch.Event)
	if err != nil {
		panic("supervisedb: encoding an order's event: " + err.Error()) // strings, numbers and times
	}
	e := store.Event{Actor: p.Login, Action: "supervise." + ch.Event.Action, BodyID: p.BodyID, From: ch.Event.From, To: ch.Event.To, Payload: b}
	if o.Case != "" {
		e.RootType, e.RootID = caseworkdb.ObjectCase, o.Case
	}
	return e
}

// OrderStep is an answer, acceptance or return of an order, or a written
// enquiry (函询) or interview (约谈) recorded on it.
type OrderStep struct {
	Action string // answer, accept, return, letter, interview
	Text   string // the measures, the conclusion, the reason, or what the enquiry or interview was about
	Days   int    // return: working days for the new answer (0: as before)
	// Documents: an answer's attachments; a letter's or interview's
	// documents (the letter, the interview's record: at least one).
	Documents []string
}

// Act takes an order one step (the unit answers; the supervisor accepts,
// closing it and clearing its card, or returns it), based on version
// base (0: whatever is stored; pages and the API always give it).
func (s *Service) Act(ctx context.Context, p access.Principal, id, base int64, step OrderStep) (supervise.Order, error) {
	var out supervise.Order
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		env, err := s.env(ctx, tx, p)
		if err != nil {
			return err
		}
		r, err := orders.Lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.Covers(r.UnitBody) && !p.Covers(r.BodyPath) {
			return apperr.NotFoundf("supervisedb.no_supervision_order", id)
		}
		if base != 0 && r.Version != base {
			return apperr.Stale("supervisedb.the_supervision_order")
		}
		o, err := r.order()
		if err != nil {
			return err
		}
		var ch supervise.Change
		switch step.Action {
		case "answer":
			o, ch, err = o.Answer(step.Text, step.Documents, env)
		case "letter":
			o, ch, err = o.Record(supervise.Letter, step.Text, step.Documents, env)
		case "interview":
			o, ch, err = o.Record(supervise.Interview, step.Text, step.Documents, env)
		case "accept":
			o, ch, err = o.Accept(step.Text, env)
		case "return":
			o, ch, err = o.Return(step.Text, step.Days, env)
		default:
			return apperr.Invalidf("action", "supervisedb.the_action_must_be_answer_accept_2")
		}
		if err != nil {
			return err
		}
		if err := r.set(o); err != nil {
			return err
		}
		if err := orders.Save(ctx, tx, &r, s.orderEvent(p, ch, o)); err != nil {
			return err
		}
		if len(ch.Clear) > 0 && o.Case != "" {
			stored, err := cardsOfCase(ctx, tx, o.Case)
			if err != nil {
				return err
			}
			if _, err := raise(ctx, tx, p.BodyID, nil, ch.Clear, stored); err != nil {
				return err
			}
		}
		o.ID, o.Version = r.ID, int(r.Version)
		out = o
		ns, err := s.checkOrder(ctx, tx, o, env.Now)
		if err != nil {
			return err
		}
		return s.tell(ctx, tx, append(ch.Notices, ns...))
	})
	return out, err
}

// Order reads order id for p: its issuing body's staff or its unit's body's.
func (s *Service) Order(ctx context.Context, p access.Principal, id int64) (supervise.Order, error) {
	r, err := orders.Get(ctx, s.db, id)
	if err != nil {
		return supervise.Order{}, err
	}
	if !p.Covers(r.UnitBody) && !p.Covers(r.BodyPath) {
		return supervise.Order{}, apperr.NotFoundf("supervisedb.no_supervision_order", id)
	}
	return r.order()
}

// OrderPath is the issuing body of order id, for a route's jurisdiction.
func (s *Service) OrderPath(ctx context.Context, id int64) (string, error) {
	r, err := orders.Get(ctx, s.db, id)
	if err != nil {
		return "", err
	}
	return r.UnitBody, nil
}

// Orders lists the orders of p's jurisdiction (issued by or to its
// bodies), open ones first then newest; a unit's staff see their unit's.
func (s *Service) Orders(ctx context.Context, p access.Principal) ([]supervise.Order, error) {
	if p.BodyPath == "" {
		return nil, errNoJurisdiction()
	}
	unit, err := s.ownUnit(ctx, p)
	if err != nil {
		return nil, err
	}
	q := orderSelect + ` WHERE (body_path LIKE ? OR unit_body LIKE ?)`
	args := []any{p.BodyPath + "%", p.BodyPath + "%"}
	if unit != "" {
		q += ` AND unit = ?`
		args = append(args, unit)
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY CASE state WHEN 'closed' THEN 1 ELSE 0 END, id DESC LIMIT `+strconv.Itoa(MaxCards), args...)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: orders: %w", err)
	}
	defer rows.Close()
	var out []supervise.Order
	for rows.Next() {
		var r orderRow
		if err := rows.Scan(orders.Fields(&r)...); err != nil {
			return nil, fmt.Errorf("supervisedb: orders: %w", err)
		}
		o, err := r.order()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// checkOrder judges order o's time rules at now (order.reminder,
// order.red: unanswered past its deadline), stores the cards raised and
// cleared, and keeps the order's next check, in tx.
func (s *Service) checkOrder(ctx context.Context, tx *store.Tx, o supervise.Order, now time.Time) ([]supervise.Notice, error) {
	set, err := s.rulesAt(ctx, tx, o.BodyPath)
	if err != nil {
		return nil, err
	}
	subs := []supervise.Subject{o.Subject()}
	var stored []cardRow
	if o.Case != "" {
		// The case red again when the order's deadline passes with it
		// still open (case.escalated, L10): the case's cards are the
		// ledger, the order's among them.
		esc, err := s.escalations(ctx, tx, o.Case, []supervise.Order{o})
		if err != nil {
			return nil, err
		}
		subs = append(subs, esc...)
		stored, err = cardsOfCase(ctx, tx, o.Case)
		if err != nil {
			return nil, err
		}
	} else if stored, err = cardsOf(ctx, tx, string(subs[0].Object.Type), subs[0].Object.ID); err != nil {
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
	var bodyID int64
	if err := tx.QueryRow(ctx, `SELECT id FROM bodies WHERE path = ?`, o.BodyPath).Scan(&bodyID); err != nil {
		return nil, fmt.Errorf("supervisedb: body %s: %w", o.BodyPath, err)
	}
	cal, err := s.cases.Calendar(ctx, bodyID)
	if err != nil {
		return nil, err
	}
	var raised []supervise.Card
	var cleared []supervise.Cleared
	var earliest time.Time
	for _, sub := range subs {
		res, err := supervise.Evaluate(set, sub, cal, now, ledger.Of(sub.Object))
		if err != nil {
			return nil, err
		}
		raised = append(raised, ledger.Raise(res.Raise...)...)
		for _, c := range ledger.ClearAt(res.Clear...) {
			cleared = append(cleared, supervise.Cleared{Key: c.Key, At: c.Cleared})
		}
		if !res.Next.IsZero() && (earliest.IsZero() || res.Next.Before(earliest)) {
			earliest = res.Next
		}
	}
	var next any
	if !earliest.IsZero() {
		next = store.Micros(earliest)
	}
	tx.Queue(ctx, `UPDATE supervise_orders SET check_at = ? WHERE id = ?`, next, o.ID)
	return raise(ctx, tx, bodyID, raised, cleared, stored)
}

// sweepOrders judges the orders whose next check has come (an index
// range of supervise_orders_check), SweepBatch at a time.
func (s *Service) sweepOrders(ctx context.Context, l *store.Lease, now time.Time) (int, error) {
	return sweepDue(ctx, s, l, orderSelect, "due orders", now, orders.Fields,
		func(tx *store.Tx, r orderRow) ([]supervise.Notice, error) {
			o, err := r.order()
			if err != nil {
				return nil, err
			}
			return s.checkOrder(ctx, tx, o, now)
		})
}

// sweepDue judges the rows whose next check (check_at) has come, read by
// query (a select of the table's columns) as an index range, SweepBatch
// at a time: each batch and the notices it raises are one write, fenced
// by the lease when there is one. The orders' and the rectification
// items' sweeps.
func sweepDue[R any](ctx context.Context, s *Service, l *store.Lease, query, what string, now time.Time,
	fields func(*R) []any, check func(*store.Tx, R) ([]supervise.Notice, error)) (int, error) {
	write := s.db.Write
	if l != nil {
		write = l.Write
	}
	n := 0
	for {
		k := 0
		err := write(ctx, func(tx *store.Tx) error {
			k = 0
			rows, err := tx.Query(ctx, query+` WHERE check_at IS NOT NULL AND check_at <= ? ORDER BY check_at, id LIMIT ?`,
				store.Micros(now), SweepBatch)
			if err != nil {
				return fmt.Errorf("supervisedb: %s: %w", what, err)
			}
			var due []R
			for rows.Next() {
				var r R
				if err := rows.Scan(fields(&r)...); err != nil {
					rows.Close()
					return fmt.Errorf("supervisedb: %s: %w", what, err)
				}
				due = append(due, r)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			var notices []supervise.Notice
			for _, r := range due {
				ns, err := check(tx, r)
				if err != nil {
					return err
				}
				notices = append(notices, ns...)
			}
			k = len(due)
			return s.tell(ctx, tx, notices)
		})
		n += k
		if err != nil || k < SweepBatch {
			return n, err
		}
	}
}

// escalations are the case.escalated subjects of case number: one per
// order on it (of, else those stored), each finished when the case ended
// or the order closed. The sweep of the order raises it at the order's
// first deadline; the case's own judging clears it when the case ends.
func (s *Service) escalations(ctx context.Context, tx *store.Tx, number string, of []supervise.Order) ([]supervise.Subject, error) {
	sup, err := s.cases.Supervised(ctx, tx, number)
	if err != nil {
		return nil, err
	}
	var ended time.Time
	for _, e := range sup.Events {
		if e.Status.Done() {
			ended = e.At
			break
		}
	}
	if of == nil {
		rows, err := tx.Query(ctx, orderSelect+` WHERE case_number = ? ORDER BY id`, number)
		if err != nil {
			return nil, fmt.Errorf("supervisedb: orders of %s: %w", number, err)
		}
		var rs []orderRow
		for rows.Next() {
			var r orderRow
			if err := rows.Scan(orders.Fields(&r)...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("supervisedb: orders of %s: %w", number, err)
			}
			rs = append(rs, r)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		for _, r := range rs {
			o, err := r.order()
			if err != nil {
				return nil, err
			}
			of = append(of, o)
		}
	}
	var out []supervise.Subject
	for _, o := range of {
		if sub, ok := o.Escalation(ended); ok {
			out = append(out, sub)
		}
	}
	return out, nil
}
