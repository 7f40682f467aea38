package caseworkdb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
)

// Act takes action a on the case with this number for staff member p. base
// is the case version the action was decided on (a form's version, the
// API's If-Match); 0 takes it on the case as it is. Two staff acting at
// once: one wins, the other is refused — stale (409, field version) when
// it named its base, or by the flow when the case has moved on — and
// nothing of the refused action is kept. The case row, its event, its
// clock events and its messages are one write.
func (s *Service) Act(ctx context.Context, p access.Principal, number string, base int64, a casework.Action) (casework.Case, error) {
	if p.Anonymous() || p.StaffID == 0 {
		return casework.Case{}, errStaffOnly()
	}
	r, err := s.row(ctx, s.db, number)
	if err != nil {
		return casework.Case{}, err
	}
	if !p.Covers(r.BodyPath) && !p.Covers(r.QueuePath) {
		return casework.Case{}, errNotYours(number)
	}
	actor, err := s.actor(ctx, p)
	if err != nil {
		return casework.Case{}, err
	}
	if a.ID == casework.NotifyAction {
		// H7: the delivery, not the button (notify.go).
		if a, err = s.notifyFromDelivery(ctx, r.Number, a); err != nil {
			return casework.Case{}, err
		}
	}
	return s.act(ctx, r, base, a, actor)
}

// ActAsApplicant takes the applicant's own action (supplement, withdraw …)
// on the public side, the applicant identified by number and query code
// (V3: a wrong code is the same not-found as an unknown number).
func (s *Service) ActAsApplicant(ctx context.Context, number, code string, base int64, a casework.Action) (casework.Case, error) {
	r, err := s.row(ctx, s.db, number)
	if err != nil {
		return casework.Case{}, err
	}
	c, err := caseOf(r)
	if err != nil {
		return casework.Case{}, err
	}
	if err := c.CheckQueryCode(code); err != nil {
		return casework.Case{}, err
	}
	c, err = s.act(ctx, r, base, a, casework.ApplicantActor())
	return publicCase(c), err
}

// maxRetries bounds how often an action taken on the case as it is (no
// base) is worked out again because another action saved the case first.
const maxRetries = 3

func (s *Service) act(ctx context.Context, r caseRow, base int64, a casework.Action, actor casework.Actor) (casework.Case, error) {
	f, err := s.flowByID(ctx, s.db, r.FlowID)
	if err != nil {
		return casework.Case{}, err
	}
	cal, err := s.cals.Calendar(ctx, r.BodyID)
	if err != nil {
		return casework.Case{}, err
	}
	if a.ID == "transfer" && a.Unit.Code != "" && a.Unit.Name == "" {
		u, err := unitNamed(ctx, s.db, r.BodyID, a.Unit.Code)
		if err != nil {
			return casework.Case{}, err
		}
		a.Unit = u
	}
	for try := 0; ; try++ {
		c, err := s.actOnce(ctx, r, base, a, actor, f, cal)
		if try < maxRetries && isPreparedConflict(err) {
			// A clock, the calendar, a template or the seal changed between
			// reading and writing: not the actor's doing, so worked out
			// again whatever the base.
			if r, err = s.row(ctx, s.db, r.Number); err != nil {
				return casework.Case{}, err
			}
			continue
		}
		if base != 0 && isVersionConflict(err) {
			return casework.Case{}, errStale(r.Number)
		}
		if base != 0 || try == maxRetries || !isVersionConflict(err) {
			return c, err
		}
		// Another action saved the case between our read and our save:
		// work this one out again on the case as it is now.
		if r, err = s.row(ctx, s.db, r.Number); err != nil {
			return casework.Case{}, err
		}
	}
}

// actOnce works the transition out on the row as read, outside the write
// (so the committer, which runs writes one after another, only saves),
// and saves it with the version check: a row saved meanwhile fails the
// write with a conflict on the version and changes nothing.
func (s *Service) actOnce(ctx context.Context, r caseRow, base int64, a casework.Action, actor casework.Actor,
	f *flow.Flow, cal *calendar.Calendar) (casework.Case, error) {
	if base != 0 && r.Version != base {
		return casework.Case{}, errStale(r.Number)
	}
	if err := s.checkAudited(ctx, r); err != nil {
		return casework.Case{}, err
	}
	now := s.now()
	c, err := caseOf(r)
	if err != nil {
		return casework.Case{}, err
	}
	env := casework.Env{Now: now, Calendar: cal, Flow: f, Actor: actor, Rules: s.rules, Standing: casework.Listed}
	// The A/B post (H13): the first responder's backup now may act while
	// they are marked away, whoever was named when the case began.
	away, backup, err := s.OwnerCover(ctx, c.FirstResponder.ID)
	if err != nil {
		return casework.Case{}, err
	}
	env.OwnerAway = away
	if !backup.IsZero() {
		c.Backup = backup
	}
	// Only acceptance asks the list (C4): the item must still be listed
	// at this instant. The snapshot's code finds it.
	if a.ID == "accept" {
		if env.Standing, err = standingAt(ctx, s.items, c.Body, c.Item.Code, now); err != nil {
			return casework.Case{}, err
		}
	}
	c, eff, err := casework.Act(c, a, env)
	if err != nil {
		return casework.Case{}, err
	}
	next, err := rowOf(c, r.FlowID, f, cal, now)
	if err != nil {
		return casework.Case{}, err
	}
	next.ID, next.Version, next.RegisteredAt = r.ID, r.Version, r.RegisteredAt
	ev := eventOf(c, eff, actor)
	// The documents' templates and seal are read (and the templates
	// parsed) here, outside the write; the write draws their numbers,
	// checking in the same statement that what was read is still in force.
	// The clock's change too: its row and calendar read here, its events,
	// standing and next check worked out; the write compares.
	var clock caldb.Change
	if len(eff.Clock) > 0 {
		if clock, err = s.clocks.Prepare(ctx, clockRef(c.Number), eff.Clock); err != nil {
			return casework.Case{}, s.movedOr(ctx, r, err)
		}
	}
	var issue func(context.Context, *store.Tx) error
	if s.docs != nil && len(eff.Documents) > 0 {
		if issue, err = s.docs.Prepare(ctx, c, eff.Documents, actor, loginOf(actor)); err != nil {
			return casework.Case{}, s.movedOr(ctx, r, err)
		}
	}
	var out casework.Case
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		n := next // Save moves the version; a group run again starts over
		if err := cases.Save(ctx, tx, &n, ev); err != nil {
			return err
		}
		if err := s.carryOutPrepared(ctx, tx, c, eff, actor, n.Version, clock, issue); err != nil {
			return err
		}
		out = c
		out.ID, out.Version = n.ID, int(n.Version)
		return nil
	})
	return staffView(out), err
}

// movedOr is err, a refusal of what was prepared for an action on row r
// before its write — unless the case moved on since r was read: the clock
// then already carries the other action's events (a second start is
// refused by the clock's rules), and the truth is that this action is
// stale (H1), a version conflict.
func (s *Service) movedOr(ctx context.Context, r caseRow, err error) error {
	now, rerr := s.row(ctx, s.db, r.Number)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	if now.Version != r.Version {
		return apperr.New(apperr.Conflict, apperr.FieldVersion, "caseworkdb.case_was_acted_on_just_now", r.Number)
	}
	return err
}

// isPreparedConflict reports a write refused because what was read for
// it before it — the clock and its calendar, a document's template or
// seal — changed before it.
func isPreparedConflict(err error) bool {
	e, ok := errors.AsType[*apperr.Error](err)
	return ok && e.Code == apperr.Conflict && (e.Field == fieldDocument || e.Field == caldb.FieldClock)
}

// isVersionConflict reports a save refused because the row moved on.
func isVersionConflict(err error) bool {
	e, ok := errors.AsType[*apperr.Error](err)
	return ok && e.Code == apperr.Conflict && e.Field == apperr.FieldVersion
}

// checkAudited refuses a row that differs from the State of its last
// event (changed behind the audit log's back): an action built on it would
// record the tampered values as the actor's. The save's version check
// keeps the row as read until the write. The row and the event are two
// reads: an action committed between them shows as a newer row, which is
// a version conflict (worked out again), not tampering.
func (s *Service) checkAudited(ctx context.Context, r caseRow) error {
	last, _, err := store.LastState(ctx, s.db, ObjectCase, strconv.FormatInt(r.ID, 10))
	if err != nil {
		return err
	}
	state, err := json.Marshal(cases.State(&r))
	if err != nil {
		return err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, state); err != nil {
		return err
	}
	if !bytes.Equal(last, compact.Bytes()) {
		now, err := s.row(ctx, s.db, r.Number)
		if err != nil {
			return err
		}
		if now.Version != r.Version {
			return apperr.New(apperr.Conflict, apperr.FieldVersion, "caseworkdb.case_was_acted_on_just_now", r.Number)
		}
		slog.Error("caseworkdb: refusing to act on a case that differs from its last audited event (qingdan verify names it)",
			"case", r.Number, "id", r.ID)
		return fmt.Errorf("%w: case %s", store.ErrTampered, r.Number)
	}
	return nil
}

// save writes the case after a transition, with its effects, in tx.
func (s *Service) save(ctx context.Context, tx *store.Tx, r caseRow, c casework.Case, eff casework.Effects, actor casework.Actor,
	f *flow.Flow, cal *calendar.Calendar, now time.Time) (casework.Case, error) {
	next, err := rowOf(c, r.FlowID, f, cal, now)
	if err != nil {
		return c, err
	}
	next.ID, next.Version, next.RegisteredAt = r.ID, r.Version, r.RegisteredAt
	if err := cases.Save(ctx, tx, &next, eventOf(c, eff, actor)); err != nil {
		return c, err
	}
	if err := s.carryOut(ctx, tx, c, eff, actor, next.Version); err != nil {
		return c, err
	}
	c.ID, c.Version = next.ID, int(next.Version)
	return staffView(c), nil
}

// carryOut does the effects besides the row and its event: the clock
// events, the documents and the messages.
func (s *Service) carryOut(ctx context.Context, tx *store.Tx, c casework.Case, eff casework.Effects, actor casework.Actor, version int64) error {
	for _, e := range eff.Clock {
		if _, err := s.clocks.Apply(ctx, tx, loginOf(actor), clockRef(c.Number), e); err != nil {
			return err
		}
	}
	if s.docs != nil && len(eff.Documents) > 0 {
		if err := s.docs.Issue(ctx, tx, c, eff.Documents, actor, loginOf(actor)); err != nil {
			return err
		}
	}
	return s.enqueue(ctx, tx, c, eff, version)
}

// carryOutPrepared is carryOut with the clock's change and the documents
// prepared before the write (issue, nil when there are none).
func (s *Service) carryOutPrepared(ctx context.Context, tx *store.Tx, c casework.Case, eff casework.Effects, actor casework.Actor,
	version int64, clock caldb.Change, issue func(context.Context, *store.Tx) error) error {
	if err := s.clocks.ApplyPrepared(ctx, tx, loginOf(actor), clock); err != nil {
		return err
	}
	if issue != nil {
		if err := issue(ctx, tx); err != nil {
			return err
		}
	}
	return s.enqueue(ctx, tx, c, eff, version)
}

// clockRef is the case's clock (the limit in force).
func clockRef(number string) caldb.Ref {
	return caldb.Ref{ObjectType: ObjectCase, ObjectID: number, Kind: "handling"}
}

// rowOf is the row of case c (its ID and Version are the caller's).
func rowOf(c casework.Case, flowID int64, f *flow.Flow, cal *calendar.Calendar, now time.Time) (caseRow, error) {
	due, ok, err := c.Due(cal, now)
	if err != nil {
		return caseRow{}, err
	}
	dueOn := ""
	if ok && !c.Ended() {
		dueOn = due.String()
	}
	data := c
	data.ID, data.Version = 0, 0 // the row's columns hold them
	b, err := json.Marshal(data)
	if err != nil {
		return caseRow{}, fmt.Errorf("caseworkdb: case %s: %w", c.Number, err)
	}
	return caseRow{Number: c.Number, QueryHash: c.QueryCodeHash, BodyID: c.Body.ID, BodyPath: c.Body.Path,
		QueuePath: c.Queue(f).Path, ItemCode: c.Item.Code, FlowID: flowID, Status: string(c.Status), Step: c.Step,
		OwnerID: c.FirstResponder.ID, Unit: c.Unit.Code, DueOn: dueOn, UpdatedAt: store.Micros(c.Updated), Data: string(b)}, nil
}

// caseOf reads the case of a row.
func caseOf(r caseRow) (casework.Case, error) {
	var c casework.Case
	if err := json.Unmarshal([]byte(r.Data), &c); err != nil {
		return c, fmt.Errorf("caseworkdb: case %s: %w", r.Number, err)
	}
	c.ID, c.Version = r.ID, int(r.Version)
	return c, nil
}

// eventOf is the audited event of a transition: the timeline entry as its
// payload, rooted at the case.
func eventOf(c casework.Case, eff casework.Effects, actor casework.Actor) store.Event {
	b, err := json.Marshal(eff.Event)
	if err != nil {
		// An Event holds strings, numbers, times and slices of them.
		panic("caseworkdb: encoding an event: " + err.Error())
	}
	return store.Event{Actor: loginOf(actor), Action: "case." + eff.Event.Action, BodyID: c.Body.ID,
		RootType: ObjectCase, RootID: c.Number, From: eff.Event.From, To: eff.Event.To, Payload: b}
}

func loginOf(a casework.Actor) string {
	switch {
	case a.Login != "": // staff, and System for a job
		return a.Login
	case a.IsApplicant():
		return flow.Applicant
	}
	return "staff:" + fmt.Sprint(a.ID)
}

// staffView is a case as staff see it: everything but the query code's
// hash, which would let the code be searched for offline.
func staffView(c casework.Case) casework.Case {
	c.QueryCodeHash = ""
	return c
}

// publicCase is what the applicant's own action answers with: the case's
// public fields are in Lookup; this keeps the number, status and step.
func publicCase(c casework.Case) casework.Case {
	return casework.Case{ID: c.ID, Version: c.Version, Number: c.Number, Status: c.Status, Step: c.Step, Updated: c.Updated}
}

// row reads the case with this number.
func (s *Service) row(ctx context.Context, q store.Querier, number string) (caseRow, error) {
	var r caseRow
	err := q.QueryRow(ctx, caseSelect+` WHERE number = ?`, strings.TrimSpace(number)).Scan(cases.Fields(&r)...)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNoCase(number)
	}
	if err != nil {
		return r, fmt.Errorf("caseworkdb: case %s: %w", clip(number), err)
	}
	return r, nil
}

// actor is who p is to casework: the applicant for the anonymous public,
// else the staff member with their roles, body and unit.
func (s *Service) actor(ctx context.Context, p access.Principal) (casework.Actor, error) {
	if p.Anonymous() {
		return casework.ApplicantActor(), nil
	}
	if p.StaffID == 0 {
		return casework.Actor{}, errStaffOnly()
	}
	a := casework.Actor{Staff: casework.Staff{ID: p.StaffID, Login: p.Login, Name: p.Name}, BodyPath: p.BodyPath}
	for _, r := range p.Roles {
		a.Roles = append(a.Roles, string(r))
	}
	if p.UnitID != 0 {
		s.mu.Lock()
		u, ok := s.units[p.UnitID]
		s.mu.Unlock()
		if !ok {
			// Unit codes never change (orgs rename, not recode), so they
			// are kept once read.
			if err := s.db.QueryRow(ctx, `SELECT code, name FROM units WHERE id = ?`, p.UnitID).Scan(&u.Code, &u.Name); err != nil {
				return a, fmt.Errorf("caseworkdb: unit %d: %w", p.UnitID, err)
			}
			s.mu.Lock()
			s.units[p.UnitID] = u
			s.mu.Unlock()
		}
		a.Unit = u.Code
	}
	// The actor's named backup becomes the case's when the actor becomes
	// its first responder (H13).
	_, b, err := s.OwnerCover(ctx, p.StaffID)
	if err != nil {
		return a, err
	}
	a.Backup = b
	return a, nil
}

// bodyOf reads a body and its parent (the level above, O1).
func bodyOf(ctx context.Context, q store.Querier, id int64) (casework.Body, *casework.Body, error) {
	var b casework.Body
	var parentID sql.NullInt64
	err := q.QueryRow(ctx, `SELECT id, path, code, name, parent_id FROM bodies WHERE id = ? AND active`, id).
		Scan(&b.ID, &b.Path, &b.Code, &b.Name, &parentID)
	if errors.Is(err, sql.ErrNoRows) {
		return b, nil, errNoBody()
	}
	if err != nil {
		return b, nil, fmt.Errorf("caseworkdb: body %d: %w", id, err)
	}
	if !parentID.Valid {
		return b, nil, nil
	}
	var p casework.Body
	if err := q.QueryRow(ctx, `SELECT id, path, code, name FROM bodies WHERE id = ?`, parentID.Int64).
		Scan(&p.ID, &p.Path, &p.Code, &p.Name); err != nil {
		return b, nil, fmt.Errorf("caseworkdb: body %d: %w", parentID.Int64, err)
	}
	return b, &p, nil
}
