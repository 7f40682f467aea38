package notifydb_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// A message is written with the change that causes it: a write refused by
// its own rule, by a failing statement after the enqueue, or by a bad
// message enqueues nothing; a committed one enqueues it once, and the same
// dedup key a second time adds nothing.
func TestEnqueue_onlyWithTheCommittedChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := loadDemo(t, db)
		sms := notify.Text("13800138000", "您的申请已受理")
		sms.BodyID, sms.RootType, sms.RootID, sms.Cause, sms.DedupKey = d.qingshan, "case", "330199001-2026-000001", "case.accepted", "accepted:1"
		rule := errors.New("refused by the case's rule")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := notifydb.Enqueue(ctx, tx, sms); err != nil {
				return err
			}
			return rule
		})
		if !errors.Is(err, rule) {
			t.Fatalf("write: %v", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := notifydb.Enqueue(ctx, tx, sms); err != nil {
				return err
			}
			tx.Queue(ctx, "UPDATE bodies SET no_such_column = 1") // the change fails after the enqueue
			return nil
		})
		if err == nil {
			t.Fatal("a failing statement was accepted")
		}
		bad := sms
		bad.Recipient = "0571-1234567"
		err = db.Write(ctx, func(tx *store.Tx) error { return notifydb.Enqueue(ctx, tx, bad) })
		if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "recipient" {
			t.Fatalf("a landline: %v", err)
		}
		if n := count(t, db, "SELECT count(*) FROM notify_outbox"); n != 0 {
			t.Fatalf("%d messages enqueued by refused writes", n)
		}

		enqueue(t, db, sms)
		enqueue(t, db, sms) // the same key: dropped
		es := entries(t, notifydb.New(db), d, notifydb.Filter{})
		if len(es) != 1 {
			t.Fatalf("%d entries, want 1", len(es))
		}
		e := es[0]
		if e.State != notify.Pending || e.Attempts != 0 || e.Recipient != "13800138000" || e.RootID != "330199001-2026-000001" ||
			e.Cause != "case.accepted" || len(e.DeliveryID) < 20 || !e.DeliveredAt.IsZero() {
			t.Errorf("entry %+v", e)
		}
		// Without a key, each enqueue is a message of its own.
		sms.DedupKey = ""
		enqueue(t, db, sms, sms)
		if n := count(t, db, "SELECT count(*) FROM notify_outbox"); n != 3 {
			t.Errorf("%d messages, want 3", n)
		}
	})
}

// The deliverer reads only what is due: its claim's inner query and the
// next due time are ranges of the partial index notify_outbox_due, sorted
// by it, even with the state index beside it (SQLite's plan, without
// statistics; PostgreSQL's planner picks by its statistics).
func TestOutbox_dueIsAnIndexRange(t *testing.T) {
	db := storetest.SQLite(t)
	for _, q := range []string{
		notifydb.DueSQL,
		notifydb.NextDueSQL,
	} {
		args := []any{int64(1)}
		if strings.Count(q, "?") == 2 {
			args = append(args, 64)
		} else {
			args = nil
		}
		rows, err := db.Query(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "notify_outbox_due") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s\nis not a range of the due index: %s", q, p)
		}
	}
}
