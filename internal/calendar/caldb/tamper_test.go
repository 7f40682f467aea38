package caldb_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestCalendar_C9_tamperedRowIsNotLaundered (#11.4, #12.7): a stored year,
// a regional day or a body's business hours changed directly in the
// database is named by verify, and the next ordinary change of it is
// refused — it would record the tampered values as the administrator's —
// changing nothing, so verify still names it; put back, all is well again.
func TestCalendar_C9_tamperedRowIsNotLaundered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		if _, err := f.svc.SetDay(ctx, f.admin, calendar.DateOf(2026, 3, 3), 0, true, "试点休息日"); err != nil {
			t.Fatal(err)
		}
		day := calendar.DateOf(2026, 5, 20)
		if _, err := f.svc.AddRegionalHoliday(ctx, f.districtAdmin, f.town.ID, day, "地方节日", true); err != nil {
			t.Fatal(err)
		}
		reg, err := f.svc.OwnRegionalDay(ctx, f.districtAdmin, f.town.ID, day)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, hoursOf(t, f.svc, f.town.ID).Version, "08:30-12:00,14:00-17:30"); err != nil {
			t.Fatal(err)
		}
		f.verify(t)
		cases := []struct {
			table, key, column, value string
			id                        int64
			write                     func() error
		}{
			{"calendar_years", "year", "source", "'embedded'", 2026, func() error {
				_, err := f.svc.SetDay(ctx, f.admin, calendar.DateOf(2026, 3, 4), 0, true, "试点休息日")
				return err
			}},
			{"calendar_regional_days", "id", "is_off_day", "FALSE", reg.ID, func() error {
				return f.svc.RemoveRegionalHoliday(ctx, f.districtAdmin, f.town.ID, day, reg.Version)
			}},
			{"calendar_business_hours", "body_id", "hours", "'00:00-23:59'", f.town.ID, func() error {
				_, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, hoursOf(t, f.svc, f.town.ID).Version, "09:00-12:00")
				return err
			}},
		}
		for _, c := range cases {
			row := c.table + " id=" + strconv.FormatInt(c.id, 10)
			where := " WHERE " + c.key + " = ?"
			var was string
			if err := db.QueryRow(ctx, "SELECT CAST("+c.column+" AS TEXT) FROM "+c.table+where, c.id).Scan(&was); err != nil {
				t.Fatal(err)
			}
			events := eventCount(t, db)
			exec(t, db, "UPDATE "+c.table+" SET "+c.column+" = "+c.value+where, c.id)
			wantNamed(t, db, row)
			err := c.write()
			if !errors.Is(err, store.ErrTampered) || apperr.CodeOf(err) != apperr.Conflict {
				t.Fatalf("%s: a change of the tampered row: %v", row, err)
			}
			if n := eventCount(t, db); n != events {
				t.Fatalf("%s: the refused change left %d events, %d before", row, n, events)
			}
			wantNamed(t, db, row)
			exec(t, db, "UPDATE "+c.table+" SET "+c.column+" = ?"+where, restored(c.column, was), c.id)
			f.verify(t)
			if err := c.write(); err != nil {
				t.Fatalf("%s: the change once the row is put back: %v", row, err)
			}
		}
		f.verify(t)
	})
}

// restored is a column's value as read back with CAST … AS TEXT, ready to
// be stored again (PostgreSQL's booleans read as "true"/"false", SQLite's
// as "1"/"0").
func restored(column, text string) any {
	if column == "is_off_day" {
		return text == "true" || text == "1"
	}
	return text
}

func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func wantNamed(t *testing.T, db *store.DB, row string) {
	t.Helper()
	rep, err := db.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.HasPrefix(rep.Mismatch, row+":") {
		t.Fatalf("verify: %q, want it to name %s", rep.Mismatch, row)
	}
}
