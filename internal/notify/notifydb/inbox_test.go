package notifydb_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// An in-app message lands in its recipient's inbox once delivered — a
// digest as one message listing its items — counts as unread until read,
// and only its recipient can read it. A message to nobody is dead at once.
func TestInbox_messagesLandAndAreRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dm := loadDemo(t, db)
		s := notifydb.New(db)
		c := newClock()
		d := deliverer(t, db, c, 8, notifydb.Channels{})
		l := holdLease(t, db)
		zhang, cao := dm.people["qingshan_office"], dm.people["qingshan1"]
		single := notify.Inbox(zhang.StaffID, "新案件待受理", "案件 330199001-2026-000009 已转来", "/cases/9")
		single.BodyID = dm.qingshan
		var digest notify.Digest
		digest.Add(zhang.StaffID, notify.Item{Text: "案件 A 明天到期", Link: "/cases/1"})
		digest.Add(cao.StaffID, notify.Item{Text: "案件 B 已超期", Link: "/cases/2"})
		digest.Add(zhang.StaffID, notify.Item{Text: "案件 C 已超期", Link: "/cases/3"})
		ms := digest.InApp("督办提醒（2 条）", "/supervise")
		for i := range ms {
			ms[i].BodyID = dm.qingshan
		}
		nobody := notify.Inbox(999999, "无人", "", "")
		nobody.BodyID = dm.qingshan
		enqueue(t, db, append(ms, single, nobody)...)
		if n, err := s.Unread(ctx, zhang); err != nil || n != 0 {
			t.Fatalf("unread before delivery: %d %v", n, err)
		}
		pass(t, d, l, 4)

		if n, err := s.Unread(ctx, zhang); err != nil || n != 2 {
			t.Fatalf("unread: %d %v, want 2", n, err)
		}
		box, err := s.Inbox(ctx, zhang, 0)
		if err != nil || len(box) != 2 {
			t.Fatalf("inbox %+v %v", box, err)
		}
		if box[0].Title != "新案件待受理" || box[0].Link != "/cases/9" || box[0].Read || box[0].At.IsZero() {
			t.Errorf("newest %+v", box[0])
		}
		if len(box[1].Items) != 2 || box[1].Items[1].Text != "案件 C 已超期" || box[1].Items[1].Link != "/cases/3" {
			t.Errorf("digest %+v", box[1])
		}
		// Another person's message is not there for them.
		if err := s.MarkRead(ctx, cao, box[0].ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("曹亮 marking 许明's message: %v", err)
		}
		if err := s.MarkRead(ctx, zhang, box[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkRead(ctx, zhang, box[0].ID); err != nil {
			t.Errorf("reading twice: %v", err)
		}
		if n, _ := s.Unread(ctx, zhang); n != 1 {
			t.Errorf("unread after reading one: %d", n)
		}
		if n, err := s.MarkAllRead(ctx, zhang); err != nil || n != 1 {
			t.Errorf("mark all: %d %v", n, err)
		}
		if n, _ := s.Unread(ctx, cao); n != 1 {
			t.Errorf("曹亮's unread: %d", n)
		}
		if _, err := s.Inbox(ctx, dm.people["qingshan1"], box[1].ID); err != nil {
			t.Error(err)
		}
		dead := entries(t, s, dm, notifydb.Filter{State: notify.Dead})
		if len(dead) != 1 || dead[0].Recipient != strconv.Itoa(999999) || dead[0].Attempts != 1 || !strings.Contains(dead[0].LastError, "staff") {
			t.Errorf("the message to nobody: %+v", dead)
		}
		verifyOK(t, db)
	})
}
