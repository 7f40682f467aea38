package notifydb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/store"
)

// Channels are the configured ways out; a message for a channel that is
// nil fails permanently (dead at once, to be retried once it is
// configured). In-app messages need none: they land in the inbox table.
type Channels struct {
	Email    notify.Sender
	SMS      notify.Sender
	Webhooks *notify.Webhooks
}

// Config tunes a Deliverer; zero values take the defaults.
type Config struct {
	Channels
	// Retry is the schedule of attempts (default notify.DefaultRetry).
	Retry notify.Retry
	// InFlight bounds the messages being sent at once (default 8).
	InFlight int
	// Batch is how many due messages one pass claims (default 64).
	Batch int
	// Poll is the longest wait between passes: other instances' enqueues
	// and retries scheduled later are found by it (default 5 s; this
	// process's enqueues wake the deliverer at once).
	Poll time.Duration
	// ClaimFor is how long a claimed message stays this deliverer's before
	// another pass may claim it again (a deliverer that died mid-send):
	// longer than any channel's timeout (default 5 min).
	ClaimFor time.Duration
	// Now is the clock of due times and delivery times (default time.Now).
	Now func() time.Time
	// Jitter returns a number in [0, 1) for the retry delays (default
	// math/rand).
	Jitter func() float64
	// Logger logs failed passes and outcomes that could not be recorded
	// (default slog.Default()).
	Logger *slog.Logger
}

// LeaseName is the deliverer's lease: one instance delivers at a time.
const LeaseName = "notify:deliver"

// Deliverer sends the outbox's due messages: one instance at a time (the
// lease LeaseName), a bounded number in flight, each failure retried on
// the Retry schedule until it gives up and the message is dead.
//
// A message is claimed (state sending, with the lease's token and its
// attempt number, until ClaimFor has passed) in a write fenced by the
// lease before it is sent, and its outcome is recorded in another fenced
// write that names that token and attempt. So one claim sends a message
// once; it is sent again only when an outcome was not recorded (the
// deliverer died, or lost its lease, mid-send) and the claim ran out — at
// least once, under the same delivery id for the receiver to dedupe on.
type Deliverer struct {
	db  *store.DB
	cfg Config
}

// NewDeliverer checks cfg and fills in its defaults.
func NewDeliverer(db *store.DB, cfg Config) (*Deliverer, error) {
	if cfg.Retry == (notify.Retry{}) {
		cfg.Retry = notify.DefaultRetry
	}
	if err := cfg.Retry.Check(); err != nil {
		return nil, err
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = 8
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 64
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.ClaimFor <= 0 {
		cfg.ClaimFor = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Deliverer{db: db, cfg: cfg}, nil
}

// Run delivers until ctx ends (it returns ctx's error), while this
// instance holds the lease; otherwise it waits to take it over.
func (d *Deliverer) Run(ctx context.Context) error {
	return d.db.RunPeriodic(ctx, LeaseName, d.cfg.Poll, d.whileHeld)
}

// whileHeld delivers pass after pass until ctx ends (the lease is lost, or
// the process stops), waiting between passes for an enqueue in this
// process, the next retry's time or Poll. A failed pass is logged and the
// next comes after Poll: its messages stay claimed until their claim ends.
func (d *Deliverer) whileHeld(ctx context.Context, l *store.Lease) error {
	timer := time.NewTimer(d.cfg.Poll)
	defer timer.Stop()
	for {
		wake := enqueued.next() // taken before the pass, so no enqueue is missed
		n, err := d.pass(ctx, l)
		if ctx.Err() != nil {
			return nil
		}
		wait := d.cfg.Poll
		switch {
		case err != nil:
			d.cfg.Logger.Warn("notify: delivery pass", "claimed", n, "err", err)
		case n == d.cfg.Batch:
			continue // more may be due
		default:
			if wait, err = d.untilNextDue(ctx); err != nil {
				return err
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// untilNextDue is how long until the earliest waiting message is due, at
// most Poll and at least a millisecond.
func (d *Deliverer) untilNextDue(ctx context.Context) (time.Duration, error) {
	var next sql.NullInt64
	err := d.db.QueryRow(ctx, nextDueSQL).Scan(&next)
	if err != nil {
		return 0, fmt.Errorf("notifydb: next due: %w", err)
	}
	if !next.Valid {
		return d.cfg.Poll, nil
	}
	return min(max(store.FromMicros(next.Int64).Sub(d.cfg.Now()), time.Millisecond), d.cfg.Poll), nil
}

// What is due: messages waiting (pending, failed, or sending with a claim
// that ran out), and when the next one will be. next_attempt_at is set
// exactly while a message waits (migration 0500's CHECK), so both are
// ranges of the partial index notify_outbox_due.
const (
	dueSQL     = `SELECT id FROM notify_outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`
	nextDueSQL = `SELECT min(next_attempt_at) FROM notify_outbox WHERE next_attempt_at IS NOT NULL`
)

// claimed is a message this deliverer holds for one attempt.
type claimed struct {
	notify.Delivery
	id       int64
	attempt  int
	token    int64
	endpoint string
}

// pass claims the due messages (up to Batch), sends them with at most
// InFlight at once and records each outcome; it returns how many it
// claimed.
func (d *Deliverer) pass(ctx context.Context, l *store.Lease) (int, error) {
	ms, err := d.claim(ctx, l, d.cfg.Now())
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	slots := make(chan struct{}, d.cfg.InFlight)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	for _, m := range ms {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return len(ms), nil // the rest stay claimed until their claim ends
		}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := d.deliver(ctx, l, m); err != nil && ctx.Err() == nil {
				mu.Lock()
				failed = errors.Join(failed, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(ms), failed
}

// claim marks the due messages sending, under this lease's token, until
// ClaimFor from now, and counts the attempt.
func (d *Deliverer) claim(ctx context.Context, l *store.Lease, now time.Time) ([]claimed, error) {
	var out []claimed
	err := l.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = collect(ctx, tx, func(row interface{ Scan(...any) error }) (claimed, error) {
			var c claimed
			var payload string
			var created int64
			err := row.Scan(&c.id, &c.ID, &c.Channel, &c.Recipient, &c.Subject, &c.Body, &c.Link, &payload,
				&c.BodyID, &c.RootType, &c.RootID, &c.Cause, &c.attempt, &created)
			c.CreatedAt, c.token = store.FromMicros(created), l.Token()
			if err == nil && payload != "" {
				err = c.decodePayload(payload)
			}
			return c, err
		}, `UPDATE notify_outbox SET state = 'sending', claim_token = ?, attempts = attempts + 1, next_attempt_at = ?, updated_at = ?
			WHERE id IN (`+dueSQL+`)
			RETURNING id, delivery_id, channel, recipient, subject, body, link, payload,
				body_id, root_type, root_id, cause, attempts, created_at`,
			l.Token(), store.Micros(now.Add(d.cfg.ClaimFor)), store.Micros(now), store.Micros(now), d.cfg.Batch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("notifydb: claim: %w", err)
	}
	return out, nil
}

// decodePayload reads the payload column: a webhook's data, or an in-app
// digest's items.
func (c *claimed) decodePayload(payload string) error {
	if c.Channel == notify.InApp {
		return json.Unmarshal([]byte(payload), &c.Items)
	}
	c.Payload = json.RawMessage(payload)
	return nil
}

// errClaimLost refuses an outcome whose claim is over: the lease moved, or
// the claim ran out and the message was claimed again.
var errClaimLost = errors.New("notifydb: the message's claim is over")

// deliver makes one attempt at m and records its outcome.
func (d *Deliverer) deliver(ctx context.Context, l *store.Lease, m claimed) error {
	if m.Channel == notify.InApp {
		err := d.land(ctx, l, m)
		if !errors.Is(err, errNoStaff) {
			return err
		}
		return d.record(ctx, l, m, notify.Permanent(err))
	}
	err := d.send(ctx, m)
	if err != nil && ctx.Err() != nil {
		return nil // stopping: the claim runs out and the message is tried again
	}
	return d.record(ctx, l, m, err)
}

// send hands m to its channel.
func (d *Deliverer) send(ctx context.Context, m claimed) error {
	switch m.Channel {
	case notify.Email:
		if d.cfg.Email != nil {
			return d.cfg.Email.Send(ctx, m.Delivery)
		}
	case notify.SMS:
		if d.cfg.SMS != nil {
			return d.cfg.SMS.Send(ctx, m.Delivery)
		}
	case notify.Webhook:
		if d.cfg.Webhooks != nil {
			ep, err := endpointNamed(ctx, d.db, m.Recipient)
			if err != nil {
				return err
			}
			return d.cfg.Webhooks.Send(ctx, ep, m.Delivery)
		}
	}
	return notify.Permanent(fmt.Errorf("the %s channel is not configured", m.Channel))
}

// errNoStaff: an in-app message to nobody (or a deactivated staff member).
var errNoStaff = errors.New("no active staff member has this id")

// land puts an in-app message into its recipient's inbox and marks it
// sent, in one write: it lands exactly once.
func (d *Deliverer) land(ctx context.Context, l *store.Lease, m claimed) error {
	now := d.cfg.Now()
	staff, err := strconv.ParseInt(m.Recipient, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q", errNoStaff, m.Recipient)
	}
	return l.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO notify_inbox (message_id, staff_id)
			SELECT ?, id FROM staff WHERE id = ? AND active = TRUE`, m.id, staff)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(fmt.Errorf("%w: %d", errNoStaff, staff), err)
		}
		return d.sent(ctx, tx, m, now)
	})
}

// record writes the outcome of an attempt: sent, failed (the next attempt
// scheduled) or dead.
func (d *Deliverer) record(ctx context.Context, l *store.Lease, m claimed, sendErr error) error {
	now := d.cfg.Now()
	err := l.Write(ctx, func(tx *store.Tx) error {
		if sendErr == nil {
			return d.sent(ctx, tx, m, now)
		}
		if !notify.IsPermanent(sendErr) && !d.cfg.Retry.GivesUp(m.attempt) {
			next := now.Add(d.cfg.Retry.Delay(m.attempt, d.cfg.Jitter()))
			tx.QueueExpect(ctx, 1, errClaimLost, `UPDATE notify_outbox SET state = 'failed', next_attempt_at = ?, last_error = ?, updated_at = ?
				WHERE id = ? AND state = 'sending' AND claim_token = ? AND attempts = ?`,
				store.Micros(next), errorText(sendErr), store.Micros(now), m.id, m.token, m.attempt)
			return nil
		}
		tx.QueueExpect(ctx, 1, errClaimLost, `UPDATE notify_outbox SET state = 'dead', next_attempt_at = NULL, last_error = ?, updated_at = ?
			WHERE id = ? AND state = 'sending' AND claim_token = ? AND attempts = ?`,
			errorText(sendErr), store.Micros(now), m.id, m.token, m.attempt)
		return emitOutcome(tx, m, "notify.dead", now)
	})
	if err != nil {
		return fmt.Errorf("notifydb: message %d, attempt %d: %w", m.id, m.attempt, err)
	}
	return nil
}

// sent marks m delivered now, in tx.
func (d *Deliverer) sent(ctx context.Context, tx *store.Tx, m claimed, now time.Time) error {
	tx.QueueExpect(ctx, 1, errClaimLost, `UPDATE notify_outbox SET state = 'sent', next_attempt_at = NULL, delivered_at = ?, last_error = '', updated_at = ?
		WHERE id = ? AND state = 'sending' AND claim_token = ? AND attempts = ?`,
		store.Micros(now), store.Micros(now), m.id, m.token, m.attempt)
	return emitOutcome(tx, m, "notify.sent", now)
}

// emitOutcome records a message's outcome in its root's timeline: the case
// shows when its applicant was notified, or that nobody could be. The
// recipient stays out of the log (personal data); the row has it.
func emitOutcome(tx *store.Tx, m claimed, action string, at time.Time) error {
	payload, err := json.Marshal(map[string]any{"channel": m.Channel, "delivery_id": m.ID, "attempts": m.attempt, "cause": m.Cause})
	if err != nil {
		return apperr.As(err)
	}
	return tx.Emit(store.Event{At: at, Actor: "system", BodyID: m.BodyID, Action: action, ObjectType: ObjectType,
		ObjectID: strconv.FormatInt(m.id, 10), RootType: m.RootType, RootID: m.RootID, Payload: payload})
}

// ObjectType is the events' name for an outbox message.
const ObjectType = "notify_message"
