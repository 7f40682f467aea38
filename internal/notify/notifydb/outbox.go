package notifydb

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/store"
)

// Filter selects outbox entries; zero values select everything.
type Filter struct {
	State   notify.State
	Channel notify.Channel
	// Before pages back: entries with a smaller id (newest first).
	Before int64
	// Limit bounds the entries (default and at most MaxEntries).
	Limit int
}

// MaxEntries bounds one page of the outbox.
const MaxEntries = 200

// Count is how many messages of a channel are in a state.
type Count struct {
	State   notify.State
	Channel notify.Channel
	N       int64
}

// Outbox is what an administrator sees of the outbox of their
// jurisdiction: counts by state and channel — of sent messages, those
// delivered since SentSince — and the entries the filter selects, newest
// first.
type Outbox struct {
	Counts    []Count
	SentSince time.Time
	Entries   []Entry
}

// SentWindow is how far back the outbox counts sent messages: the count
// stays an index range however long the outbox grows.
const SentWindow = 24 * time.Hour

// maxRetryAll bounds "retry all dead" in one write (one event each); the
// page says how many remain.
const maxRetryAll = 1000

// inJurisdiction joins an outbox query to the message's body and keeps
// those in the subtree of the path given as its argument (paths are
// digits and slashes: nothing to escape in LIKE).
const inJurisdiction = ` FROM notify_outbox o JOIN bodies b ON b.id = o.body_id WHERE b.path LIKE ?`

func mayAdminister(p access.Principal) error {
	if !p.Has(access.RoleAdmin) || p.BodyPath == "" {
		return notify.ErrOutboxAdminOnly()
	}
	return nil
}

// Outbox reads the outbox of p's jurisdiction (O1).
func (s *Service) Outbox(ctx context.Context, p access.Principal, f Filter) (Outbox, error) {
	if err := mayAdminister(p); err != nil {
		return Outbox{}, err
	}
	subtree := p.BodyPath + "%"
	since := s.now().Add(-SentWindow)
	scanCount := func(row interface{ Scan(...any) error }) (Count, error) {
		var c Count
		return c, row.Scan(&c.State, &c.Channel, &c.N)
	}
	// Two index ranges: the messages not sent (few: waiting or dead), and
	// those sent within the window.
	counts, err := collect(ctx, s.db, scanCount, `SELECT o.state, o.channel, count(*)`+inJurisdiction+
		` AND o.state IN ('pending', 'sending', 'failed', 'dead') GROUP BY o.state, o.channel`, subtree)
	if err != nil {
		return Outbox{}, err
	}
	sent, err := collect(ctx, s.db, scanCount, `SELECT o.state, o.channel, count(*)`+inJurisdiction+
		` AND o.state = 'sent' AND o.delivered_at >= ? GROUP BY o.state, o.channel`, subtree, store.Micros(since))
	if err != nil {
		return Outbox{}, err
	}
	counts = append(counts, sent...)
	q, args := `SELECT `+entryCols+inJurisdiction, []any{subtree}
	if f.State != "" {
		q, args = q+` AND o.state = ?`, append(args, string(f.State))
	}
	if f.Channel != "" {
		q, args = q+` AND o.channel = ?`, append(args, string(f.Channel))
	}
	if f.Before > 0 {
		q, args = q+` AND o.id < ?`, append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxEntries {
		limit = MaxEntries
	}
	entries, err := collect(ctx, s.db, scanEntry, q+` ORDER BY o.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return Outbox{}, err
	}
	return Outbox{Counts: counts, SentSince: since, Entries: entries}, nil
}

// MessagePath is the path of the body a message is sent for: the
// jurisdiction of routes that address it.
func (s *Service) MessagePath(ctx context.Context, id int64) (string, error) {
	var path string
	err := s.db.QueryRow(ctx, `SELECT b.path FROM notify_outbox o JOIN bodies b ON b.id = o.body_id WHERE o.id = ?`, id).Scan(&path)
	return path, rowErr(err, notify.ErrNoMessage(id))
}

// Entry reads one message of p's jurisdiction.
func (s *Service) Entry(ctx context.Context, p access.Principal, id int64) (Entry, error) {
	return s.entry(ctx, s.db, p, id)
}

func (s *Service) entry(ctx context.Context, q store.Querier, p access.Principal, id int64) (Entry, error) {
	if err := mayAdminister(p); err != nil {
		return Entry{}, err
	}
	var path string
	e, err := scanEntry(rowWith{q.QueryRow(ctx, `SELECT `+entryCols+`, b.path FROM notify_outbox o JOIN bodies b ON b.id = o.body_id WHERE o.id = ?`, id), &path})
	if err := rowErr(err, notify.ErrNoMessage(id)); err != nil {
		return Entry{}, err
	}
	if !p.Covers(path) {
		return Entry{}, notify.ErrForeignMessage(id)
	}
	return e, nil
}

// rowWith scans a row of entryCols followed by one more column.
type rowWith struct {
	row   interface{ Scan(...any) error }
	extra any
}

func (r rowWith) Scan(dest ...any) error { return r.row.Scan(append(dest, r.extra)...) }

// Retry gives a dead letter of p's jurisdiction a new round of attempts,
// due now, and wakes this process's deliverer. The message keeps its
// delivery id (a receiver that did get it dedupes) and its last error
// until the next attempt. Audited (notify.retried).
func (s *Service) Retry(ctx context.Context, p access.Principal, id int64) (Entry, error) {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		e, err := s.entry(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if e.State != notify.Dead {
			return notify.ErrNotDead(id)
		}
		return s.revive(ctx, tx, p, e)
	})
	if err != nil {
		return Entry{}, err
	}
	return s.Entry(ctx, p, id)
}

// RetryDead retries the dead letters of p's jurisdiction (of one channel,
// when given), at most maxRetryAll at a time, and returns how many.
func (s *Service) RetryDead(ctx context.Context, p access.Principal, ch notify.Channel) (int, error) {
	if err := mayAdminister(p); err != nil {
		return 0, err
	}
	var n int
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		q, args := `SELECT `+entryCols+inJurisdiction+` AND o.state = 'dead'`, []any{p.BodyPath + "%"}
		if ch != "" {
			q, args = q+` AND o.channel = ?`, append(args, string(ch))
		}
		dead, err := collect(ctx, tx, scanEntry, q+` ORDER BY o.id LIMIT ?`, append(args, maxRetryAll)...)
		if err != nil {
			return err
		}
		for _, e := range dead {
			if err := s.revive(ctx, tx, p, e); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	return n, err
}

// revive moves dead letter e back to pending, in tx.
func (s *Service) revive(ctx context.Context, tx *store.Tx, p access.Principal, e Entry) error {
	now := store.Micros(s.now())
	tx.QueueExpect(ctx, 1, notify.ErrNotDead(e.ID), `UPDATE notify_outbox SET state = 'pending', attempts = 0, claim_token = 0, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND state = 'dead'`, now, now, e.ID)
	tx.AfterCommit(enqueued.fire)
	payload, err := json.Marshal(map[string]any{"channel": e.Channel, "delivery_id": e.DeliveryID, "attempts": e.Attempts})
	if err != nil {
		return apperr.As(err)
	}
	return tx.Emit(store.Event{Actor: p.Login, BodyID: e.BodyID, Action: "notify.retried", ObjectType: ObjectType,
		ObjectID: strconv.FormatInt(e.ID, 10), RootType: e.RootType, RootID: e.RootID, Payload: payload})
}
