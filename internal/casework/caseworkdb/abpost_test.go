package caseworkdb_test

import (
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestCase_H13_backupActsOnlyWhileTheOwnerIsAway: the head of the window
// names 王芳 (head_bmfw) backup of 陈晓 (window1); 陈晓 registers a case. The
// backup is refused while 陈晓 is present, accepts the case once 陈晓 marks
// themselves away (the event says so), and is refused again when 陈晓 is
// back. Only the head or an administrator names a backup; another staff
// member cannot mark 陈晓 away; a stale edit is refused. Everything audited.
func TestCase_H13_backupActsOnlyWhileTheOwnerIsAway(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		owner, head := f.who("window1"), f.who("head_bmfw")
		backup := head.StaffID
		if err := f.svc.SetABPost(ctx, owner, owner.StaffID, caseworkdb.PostChange{Backup: &backup}, 0); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("window1 named their own backup: %v", err)
		}
		if err := f.svc.SetABPost(ctx, f.who("unit1"), owner.StaffID, caseworkdb.PostChange{Away: true}, 0); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("unit1 marked window1 away: %v", err)
		}
		if err := f.svc.SetABPost(ctx, head, owner.StaffID, caseworkdb.PostChange{Backup: &backup}, 0); err != nil {
			t.Fatal(err)
		}
		n := f.open(t, "XK0001", "申请书", "场地使用证明").Case.Number
		accept := casework.Action{ID: "accept"}
		if _, err := f.svc.Act(ctx, head, n, 0, accept); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("the backup acted while the owner is present: %v", err)
		}
		if err := f.svc.SetABPost(ctx, owner, owner.StaffID, caseworkdb.PostChange{Away: true}, 0); !apperr.IsStale(err) {
			t.Fatalf("a stale edit: %v", err)
		}
		if err := f.svc.SetABPost(ctx, owner, owner.StaffID, caseworkdb.PostChange{Away: true}, 1); err != nil {
			t.Fatal(err)
		}
		pt, err := f.svc.ABPost(ctx, owner, owner.StaffID)
		if err != nil || !pt.Away() || pt.Backup.ID != backup {
			t.Fatalf("window1's post %+v, %v", pt, err)
		}
		f.set("2026-03-02T10:00")
		c := f.act(t, "head_bmfw", n, accept)
		if c.FirstResponder.Login != "window1" || c.Backup.ID != backup {
			t.Fatalf("after the backup accepted: owner %+v backup %+v", c.FirstResponder, c.Backup)
		}
		evs, err := f.svc.Timeline(ctx, owner, n)
		if err != nil || !evs[len(evs)-1].AsBackup || evs[len(evs)-1].By.ID != backup {
			t.Fatalf("the acceptance's event %+v, %v", evs[len(evs)-1], err)
		}
		if err := f.svc.SetABPost(ctx, owner, owner.StaffID, caseworkdb.PostChange{Away: false}, 2); err != nil {
			t.Fatal(err)
		}
		f.set("2026-03-02T11:00")
		if _, err := f.svc.Act(ctx, head, n, 0, casework.Action{ID: "hand_over"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("the backup acted once the owner is back: %v", err)
		}
		f.act(t, "window1", n, casework.Action{ID: "hand_over"})
		if k := count(t, db, `SELECT COUNT(*) FROM events WHERE action = 'ab_post.changed'`); k != 3 {
			t.Fatalf("%d A/B events, want 3", k)
		}
		verify(t, db)
	})
}
