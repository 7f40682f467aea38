package org

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestOrg_C9_tamperedRowIsNotLaundered (#11.4, #12.7): a body, unit, staff
// member or certificate changed directly in the database is named by
// verify, and the next ordinary write to it is refused — it would record
// the tampered values as the administrator's — leaving the row and the log
// as they were, so verify still names it.
func TestOrg_C9_tamperedRowIsNotLaundered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		admin := ps["admin"]
		st, err := s.Staff(ctx, admin, ps["unit1"].StaffID)
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.Unit(ctx, admin, st.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		b := bodyByCode(t, s, "330199001002")
		q, err := s.Qualifications(ctx, admin, st.ID)
		if err != nil || len(q) == 0 {
			t.Fatal(q, err)
		}
		cases := []struct {
			table, object string
			id            int64
			tamper        string
			write         func() error
		}{
			{"bodies", "body", b.ID, `UPDATE bodies SET name = '被改的镇' WHERE id = ?`, func() error {
				_, err := s.UpdateBody(ctx, admin, b.ID, b.Version, BodyEdit{Level: b.Level, Code: b.Code, Name: b.Name, TimeZone: b.TimeZone})
				return err
			}},
			{"units", "unit", u.ID, `UPDATE units SET code = 'X99' WHERE id = ?`, func() error {
				_, err := s.SetUnitActive(ctx, admin, u.ID, u.Version, false)
				return err
			}},
			{"staff", "staff", st.ID, `UPDATE staff SET roles = 'admin' WHERE id = ?`, func() error {
				_, err := s.UpdateStaff(ctx, admin, st.ID, st.Version, StaffInput{BodyID: st.BodyID, UnitID: st.UnitID, Name: st.Name,
					Phone: "13900001111", Roles: st.Roles, IsHead: st.IsHead, IsLiaison: st.IsLiaison})
				return err
			}},
			{"staff_qualifications", "qualification", q[0].ID, `UPDATE staff_qualifications SET valid_to = '2099-12-31' WHERE id = ?`, func() error {
				_, err := s.RevokeQualification(ctx, admin, q[0].ID, q[0].Version)
				return err
			}},
		}
		for _, c := range cases {
			row := c.table + " id=" + idStr(c.id)
			before := objectEvents(t, db, c.object, c.id)
			tamperRow(t, db, c.tamper, c.id)
			wantVerifyNames(t, db, row)
			err := c.write()
			if !errors.Is(err, store.ErrTampered) || apperr.CodeOf(err) != apperr.Conflict || !strings.Contains(apperr.As(err).Err.Error(), row) {
				t.Fatalf("%s: a write on the tampered row: %v", row, err)
			}
			if after := objectEvents(t, db, c.object, c.id); after != before {
				t.Fatalf("%s: %d events after the refused write, %d before", row, after, before)
			}
			wantVerifyNames(t, db, row)
			// Put it back (by hand, as the operator would from the log) so
			// the next case's verify names only its own row.
			restore(t, db, c.table, c.id)
		}
	})
}

func tamperRow(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func wantVerifyNames(t *testing.T, db *store.DB, row string) {
	t.Helper()
	rep, err := db.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.HasPrefix(rep.Mismatch, row+":") {
		t.Fatalf("verify: %q, want it to name %s", rep.Mismatch, row)
	}
}

func objectEvents(t *testing.T, db *store.DB, objectType string, id int64) int {
	t.Helper()
	evs, err := db.Events(ctx, store.EventFilter{ObjectType: objectType, ObjectID: idStr(id)})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// restore writes a row back from the State of its last event.
func restore(t *testing.T, db *store.DB, table string, id int64) {
	t.Helper()
	var err error
	switch table {
	case "bodies":
		err = restoreRow(db, bodies, id)
	case "units":
		err = restoreRow(db, units, id)
	case "staff":
		err = restoreRow(db, staffRows, id)
	case "staff_qualifications":
		err = restoreRow(db, quals, id)
	}
	if err != nil {
		t.Fatal(err)
	}
	verify(t, db)
}

func restoreRow[R any](db *store.DB, a *store.Aggregate[R], id int64) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		last, _, err := store.LastState(ctx, tx, a.ObjectType, idStr(id))
		if err != nil {
			return err
		}
		var r R
		if err := json.Unmarshal(last, &r); err != nil {
			return err
		}
		cols := append([]string{"id", "version"}, a.Columns...)
		_, err = tx.Exec(ctx, "UPDATE "+a.Table+" SET "+strings.Join(cols, " = ?, ")+" = ? WHERE id = ?", append(derefs(a.Fields(&r)), id)...)
		return err
	})
}

func derefs(ps []any) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = reflect.ValueOf(p).Elem().Interface()
	}
	return out
}
