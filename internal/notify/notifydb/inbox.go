package notifydb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/store"
)

// InboxMessage is an in-app message as its recipient sees it.
type InboxMessage struct {
	ID    int64 // the outbox message's id
	Title string
	Text  string
	Link  string
	Items []notify.Item // a digest's items
	At    time.Time     // when it landed
	Read  bool
}

// MaxInbox bounds one page of an inbox.
const MaxInbox = 100

// staffOf is the staff member whose inbox p reads: an account without a
// staff record has none.
func staffOf(p access.Principal) (int64, error) {
	if p.StaffID <= 0 {
		return 0, notify.ErrNoStaff()
	}
	return p.StaffID, nil
}

// Inbox lists p's in-app messages, newest first, before the message id
// before (0: from the newest), at most MaxInbox.
func (s *Service) Inbox(ctx context.Context, p access.Principal, before int64) ([]InboxMessage, error) {
	staff, err := staffOf(p)
	if err != nil {
		return nil, err
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	return collect(ctx, s.db, func(row interface{ Scan(...any) error }) (InboxMessage, error) {
		var m InboxMessage
		var items string
		var at, read int64
		if err := row.Scan(&m.ID, &m.Title, &m.Text, &m.Link, &items, &at, &read); err != nil {
			return m, err
		}
		m.At, m.Read = store.FromMicros(at), read != 0
		if items != "" {
			if err := json.Unmarshal([]byte(items), &m.Items); err != nil {
				return m, fmt.Errorf("message %d: items: %w", m.ID, err)
			}
		}
		return m, nil
	}, `SELECT o.id, o.subject, o.body, o.link, o.payload, o.delivered_at, i.read_at
		FROM notify_inbox i JOIN notify_outbox o ON o.id = i.message_id
		WHERE i.staff_id = ? AND i.message_id < ? ORDER BY i.message_id DESC LIMIT ?`, staff, before, MaxInbox)
}

// Unread counts p's unread in-app messages (the site header shows it); an
// account without a staff record has none.
func (s *Service) Unread(ctx context.Context, p access.Principal) (int, error) {
	if p.StaffID <= 0 {
		return 0, nil
	}
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM notify_inbox WHERE staff_id = ? AND read_at = 0`, p.StaffID).Scan(&n); err != nil {
		return 0, fmt.Errorf("notifydb: unread: %w", err)
	}
	return n, nil
}

// MarkRead marks one of p's messages read (a message read before keeps its
// first reading). Another person's message is not found. The inbox is its
// reader's own bookkeeping, not audited: what the log keeps is that the
// message was delivered (notify.sent).
func (s *Service) MarkRead(ctx context.Context, p access.Principal, id int64) error {
	staff, err := staffOf(p)
	if err != nil {
		return err
	}
	now := store.Micros(s.now())
	return s.db.Write(ctx, func(tx *store.Tx) error {
		tx.QueueExpect(ctx, 1, notify.ErrNotInInbox(id), `UPDATE notify_inbox SET read_at = CASE WHEN read_at = 0 THEN ? ELSE read_at END
			WHERE message_id = ? AND staff_id = ?`, now, id, staff)
		return nil
	})
}

// MarkAllRead marks every unread message of p read and returns how many.
func (s *Service) MarkAllRead(ctx context.Context, p access.Principal) (int, error) {
	staff, err := staffOf(p)
	if err != nil {
		return 0, err
	}
	now := store.Micros(s.now())
	var n int64
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE notify_inbox SET read_at = ? WHERE staff_id = ? AND read_at = 0`, now, staff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
