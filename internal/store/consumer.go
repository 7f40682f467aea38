package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Consumer reacts to committed events: it reads them in seq order after its
// position and handles them in batches, each batch in one write transaction
// that also moves the position (table consumer_positions), so each event is
// handled exactly once however often the process stops or fails. A new
// consumer starts at the first event of the log.
//
// The supervision engine, the notifier and rollups are consumers:
//
//	db.Consume(ctx, store.Consumer{Name: "notifier", Handle: func(ctx context.Context, tx *store.Tx, events []store.Event) error {
//		for _, e := range events {
//			if e.Action == "case.accepted" {
//				tx.Queue(ctx, "INSERT INTO outbox (…) VALUES (…)", …)
//			}
//		}
//		return nil
//	}})
type Consumer struct {
	// Name keys the position; instances sharing a database share it.
	Name string
	// Batch bounds the events of one Handle call (default 100).
	Batch int
	// Poll is how often Consume looks for events committed by other
	// instances sharing the database (default 1 s); this instance's own
	// commits wake it at once.
	Poll time.Duration
	// Handle runs inside the write that moves the position past events.
	// An error (or a refused statement) undoes its writes and leaves the
	// position: the same events come again. Like every write fn, it must
	// have no effect outside tx.
	Handle func(ctx context.Context, tx *Tx, events []Event) error
}

const (
	defaultConsumerBatch = 100
	defaultConsumerPoll  = time.Second
)

// errPositionMoved refuses a batch whose position was moved meanwhile; the
// lease keeps a second handler of the same name away, this makes sure.
var errPositionMoved = apperr.Conflictf("store.the_consumer_s_position_was_moved")

func (c *Consumer) check() error {
	if c.Name == "" || c.Handle == nil {
		return errors.New("store: a consumer needs Name and Handle")
	}
	if c.Batch <= 0 {
		c.Batch = defaultConsumerBatch
	}
	if c.Poll <= 0 {
		c.Poll = defaultConsumerPoll
	}
	return nil
}

// Consume runs c until ctx ends (and returns ctx's error), under the lease
// "consumer:"+c.Name, so that one instance at a time handles its events
// (RunPeriodic). The holder handles every batch that is there, then waits
// for this instance's next commit or for c.Poll. A failed batch is logged
// and tried again after c.Poll.
func (db *DB) Consume(ctx context.Context, c Consumer) error {
	if err := c.check(); err != nil {
		return err
	}
	return db.RunPeriodic(ctx, "consumer:"+c.Name, c.Poll, func(ctx context.Context, l *Lease) error {
		return db.consumeWhileHeld(ctx, c, l)
	})
}

// consumeWhileHeld handles c's events as they come until ctx ends (nil) or
// a batch fails (its error).
func (db *DB) consumeWhileHeld(ctx context.Context, c Consumer, l *Lease) error {
	timer := time.NewTimer(c.Poll)
	defer timer.Stop()
	for {
		wake := db.nextCommit() // taken before reading, so no commit is missed
		n, err := db.consumeOnce(ctx, c, l)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if n == c.Batch {
			continue // more may be waiting
		}
		timer.Reset(c.Poll)
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// consumeOnce handles the next batch of c's events, if any, in a write
// fenced by l, and returns how many it handled.
func (db *DB) consumeOnce(ctx context.Context, c Consumer, l *Lease) (int, error) {
	pos, err := db.consumerPosition(ctx, c.Name)
	if err != nil {
		return 0, err
	}
	events, err := db.Events(ctx, EventFilter{FromSeq: pos, Limit: c.Batch})
	if err != nil || len(events) == 0 {
		return 0, err
	}
	next := events[len(events)-1].Seq + 1
	err = l.Write(ctx, func(tx *Tx) error {
		tx.QueueExpect(ctx, 1, errPositionMoved,
			"UPDATE consumer_positions SET position = ? WHERE name = ? AND position = ?", next, c.Name, pos)
		return c.Handle(ctx, tx, events)
	})
	if err != nil {
		return 0, fmt.Errorf("store: consumer %s at #%d: %w", c.Name, pos, err)
	}
	return len(events), nil
}

// consumerPosition reads a consumer's position, creating it at 0.
func (db *DB) consumerPosition(ctx context.Context, name string) (int64, error) {
	var pos int64
	err := db.QueryRow(ctx, "SELECT position FROM consumer_positions WHERE name = ?", name).Scan(&pos)
	if err == nil {
		return pos, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: consumer %s: position: %w", name, err)
	}
	err = db.Write(ctx, func(tx *Tx) error {
		tx.Queue(ctx, "INSERT INTO consumer_positions (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING", name)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: consumer %s: position: %w", name, err)
	}
	return db.consumerPosition(ctx, name)
}

// nextCommit returns a channel closed when this instance next commits
// events.
func (db *DB) nextCommit() <-chan struct{} {
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	return db.commitCh
}

// committed wakes the consumers waiting for a commit (committer only).
func (db *DB) committed() {
	db.commitMu.Lock()
	close(db.commitCh)
	db.commitCh = make(chan struct{})
	db.commitMu.Unlock()
}
