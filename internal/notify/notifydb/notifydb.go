// Package notifydb stores what qingdan sends: the outbox a feature writes
// its messages into inside its own write (Enqueue), the deliverer that
// sends them under a lease (Deliverer), the in-app inboxes, the webhook
// endpoints, and the administrators' view of it all with the retry of
// dead letters (Service). Tables: notify_outbox, notify_inbox (migration
// 0500), notify_endpoints (0501, audited). docs/INTERNALS.md, "Outbox
// and delivery".
package notifydb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/store"
)

// Enqueue writes m into the outbox as part of the write tx belongs to: if
// that write is refused or rolled back nothing is sent; once it commits
// the message is delivered (at least once), and this process's deliverer
// is woken at once. A message whose DedupKey is already in the outbox is
// dropped without error (an event handled again enqueues nothing twice).
// The insert is queued (pipelined on PostgreSQL): it costs the write no
// round trip.
//
//	err := db.Write(ctx, func(tx *store.Tx) error {
//		… change the case, tx.Emit(…) …
//		m := notify.Text(applicant.Phone, "您的申请已受理……")
//		m.BodyID, m.RootType, m.RootID, m.Cause = c.BodyID, "case", c.Number, "case.accepted"
//		m.DedupKey = "case.accepted:sms:" + c.Number
//		return notifydb.Enqueue(ctx, tx, m)
//	})
func Enqueue(ctx context.Context, tx *store.Tx, m notify.Message) error {
	m, err := m.Validate()
	if err != nil {
		return err
	}
	payload := string(m.Payload)
	if m.Channel == notify.InApp && len(m.Items) > 0 {
		b, err := json.Marshal(m.Items)
		if err != nil {
			return fmt.Errorf("notifydb: items: %w", err)
		}
		payload = string(b)
	}
	var dedup any // NULL: never a duplicate
	if m.DedupKey != "" {
		dedup = m.DedupKey
	}
	now := store.Micros(time.Now())
	tx.Queue(ctx, `INSERT INTO notify_outbox (delivery_id, dedup_key, channel, recipient, subject, body, link, payload,
		body_id, root_type, root_id, cause, state, attempts, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
		ON CONFLICT (dedup_key) DO NOTHING`,
		strings.ToLower(rand.Text()), dedup, string(m.Channel), m.Recipient, m.Subject, m.Body, m.Link, payload,
		m.BodyID, m.RootType, m.RootID, m.Cause, now, now, now)
	tx.AfterCommit(enqueued.fire)
	return nil
}

// Service is the administrators' and staff's side of notification: the
// outbox with its dead letters, the webhook endpoints, the inboxes.
type Service struct {
	db *store.DB
	// now is the clock of retries and read marks.
	now func() time.Time
}

// New returns the service over db.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// enqueued wakes this process's deliverers after a commit that enqueued
// something (or an administrator's retry). A process may hold several
// databases (tests do): a wake meant for another costs one indexed read.
var enqueued = &signal{ch: make(chan struct{})}

// signal is a broadcast: next returns a channel that the next fire closes.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (s *signal) next() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

func (s *signal) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.ch)
	s.ch = make(chan struct{})
}

// Entry is a message in the outbox with its delivery state.
type Entry struct {
	ID         int64
	DeliveryID string
	Channel    notify.Channel
	Recipient  string
	Subject    string
	BodyID     int64
	RootType   string
	RootID     string
	Cause      string
	State      notify.State
	Attempts   int
	// NextAttemptAt: when a pending or failed message is tried next (a
	// sending one's claim ends then); zero once sent or dead.
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// DeliveredAt is when the message was sent (zero until then): H7's
	// "notified that day or the next working day" is checked against it.
	DeliveredAt time.Time
}

const entryCols = `o.id, o.delivery_id, o.channel, o.recipient, o.subject, o.body_id, o.root_type, o.root_id, o.cause,
	o.state, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.updated_at, o.delivered_at`

func scanEntry(rows interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var next sql.NullInt64
	var created, updated, delivered int64
	err := rows.Scan(&e.ID, &e.DeliveryID, &e.Channel, &e.Recipient, &e.Subject, &e.BodyID, &e.RootType, &e.RootID, &e.Cause,
		&e.State, &e.Attempts, &next, &e.LastError, &created, &updated, &delivered)
	e.CreatedAt, e.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	if next.Valid {
		e.NextAttemptAt = store.FromMicros(next.Int64)
	}
	if delivered != 0 {
		e.DeliveredAt = store.FromMicros(delivered)
	}
	return e, err
}

// collect reads every row of a query with scan.
func collect[T any](ctx context.Context, q store.Querier, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("notifydb: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("notifydb: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notifydb: %w", err)
	}
	return out, nil
}

// Deliveries are the messages sent about a case or complaint (its root),
// oldest first, each with its delivery state: what the case shows of its
// notices, and what H7 checks.
func Deliveries(ctx context.Context, q store.Querier, rootType, rootID string) ([]Entry, error) {
	return collect(ctx, q, scanEntry, `SELECT `+entryCols+` FROM notify_outbox o
		WHERE o.root_type = ? AND o.root_id = ? AND o.root_type <> '' ORDER BY o.id`, rootType, rootID)
}

// maxErrorText bounds a stored error.
const maxErrorText = 1000

// errorText is err as stored text: valid UTF-8 without NUL, bounded.
func errorText(err error) string {
	s := strings.ReplaceAll(strings.ToValidUTF8(err.Error(), "?"), "\x00", "?")
	if utf8.RuneCountInString(s) > maxErrorText {
		s = string([]rune(s)[:maxErrorText]) + "…"
	}
	return s
}

// rowErr turns a one-row read's sql.ErrNoRows into notFound.
func rowErr(err, notFound error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return notFound
	}
	return fmt.Errorf("notifydb: %w", err)
}
