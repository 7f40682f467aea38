package org

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// race runs both edits at once (released together) and returns their errors.
func race(edits [2]func() error) [2]error {
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, edit := range edits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = edit()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// versionedObject is one kind of org object as the lost-update trials edit
// it: read it (its version and the field both editors change), and edit
// that field to a value based on a version.
type versionedObject struct {
	kind string
	read func(t *testing.T) (version int64, value string)
	edit func(version int64, value string) error
}

// TestConcurrentEdits_H1_noLostUpdate is issue #11's trial (20 of 20 lost
// before): two administrators open the same staff member (unit, body,
// certificate), both change it and submit at the same moment. Exactly one
// edit is saved; the other is refused as stale and changes nothing, so the
// stored record holds the first change and its version moved by one.
func TestConcurrentEdits_H1_noLostUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		admin := ps["admin"]
		wu, err := s.Staff(ctx, admin, ps["unit1"].StaffID)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := s.Qualifications(ctx, admin, wu.ID)
		if err != nil || len(qs) == 0 {
			t.Fatalf("吴刚's certificates: %v %v", qs, err)
		}
		objects := []versionedObject{
			{kind: "staff",
				read: func(t *testing.T) (int64, string) {
					st, err := s.Staff(ctx, admin, wu.ID)
					if err != nil {
						t.Fatal(err)
					}
					return st.Version, st.Phone
				},
				edit: func(version int64, phone string) error {
					_, err := s.UpdateStaff(ctx, admin, wu.ID, version, StaffInput{BodyID: wu.BodyID, UnitID: wu.UnitID, Name: wu.Name, Phone: phone, Roles: wu.Roles})
					return err
				}},
			{kind: "unit",
				read: func(t *testing.T) (int64, string) {
					u, err := s.Unit(ctx, admin, wu.UnitID)
					if err != nil {
						t.Fatal(err)
					}
					return u.Version, u.Name
				},
				edit: func(version int64, name string) error {
					_, err := s.UpdateUnit(ctx, admin, wu.UnitID, version, UnitInput{Kind: KindStation, Code: "ZHZF", Name: name})
					return err
				}},
			{kind: "body",
				read: func(t *testing.T) (int64, string) {
					b := bodyByCode(t, s, "330199001")
					return b.Version, b.Name
				},
				edit: func(version int64, name string) error {
					b := bodyByCode(t, s, "330199001")
					_, err := s.UpdateBody(ctx, admin, b.ID, version, BodyEdit{Level: b.Level, Code: b.Code, Name: name, TimeZone: b.TimeZone})
					return err
				}},
			{kind: "qualification",
				read: func(t *testing.T) (int64, string) {
					q, err := s.Qualification(ctx, admin, qs[0].ID)
					if err != nil {
						t.Fatal(err)
					}
					return q.Version, q.Scope
				},
				edit: func(version int64, scope string) error {
					q := qs[0]
					_, err := s.UpdateQualification(ctx, admin, q.ID, version, QualificationInput{CertNo: q.CertNo, Scope: scope, ValidFrom: q.ValidFrom, ValidTo: q.ValidTo})
					return err
				}},
		}
		for _, o := range objects {
			for trial := range 20 {
				base, _ := o.read(t)
				values := [2]string{fmt.Sprintf("139%08d", 2*trial), fmt.Sprintf("139%08d", 2*trial+1)}
				errs := race([2]func() error{
					func() error { return o.edit(base, values[0]) },
					func() error { return o.edit(base, values[1]) },
				})
				won := -1
				for i, err := range errs {
					switch {
					case err == nil && won < 0:
						won = i
					case err == nil:
						t.Fatalf("%s trial %d: both edits based on version %d were saved: a lost update", o.kind, trial, base)
					case !apperr.IsStale(err):
						t.Fatalf("%s trial %d: the losing edit: %v, want a stale conflict", o.kind, trial, err)
					}
				}
				if won < 0 {
					t.Fatalf("%s trial %d: neither edit was saved: %v", o.kind, trial, errs)
				}
				version, stored := o.read(t)
				if stored != values[won] || version != base+1 {
					t.Fatalf("%s trial %d: stored %q at version %d, want the saved edit's %q at %d", o.kind, trial, stored, version, values[won], base+1)
				}
			}
		}
		verify(t, db)
	})
}

// TestUpdates_H1_anEditNamesItsBaseVersion: an edit without a version is
// refused (it cannot be told from a lost update), one based on an older
// version is refused as stale, and neither changes anything. Actions
// (deactivate, set head, move, revoke) check a version when given one.
func TestUpdates_H1_anEditNamesItsBaseVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		admin := ps["admin"]
		st, err := s.Staff(ctx, admin, ps["window1"].StaffID)
		if err != nil {
			t.Fatal(err)
		}
		in := StaffInput{BodyID: st.BodyID, UnitID: st.UnitID, Name: st.Name, Phone: "13911112222", Roles: st.Roles}
		_, err = s.UpdateStaff(ctx, admin, st.ID, 0, in)
		if e := apperr.As(err); e.Code != apperr.VersionRequired || e.Field != "version" {
			t.Fatalf("edit without a version: %v", err)
		}
		saved, err := s.UpdateStaff(ctx, admin, st.ID, st.Version, in)
		if err != nil || saved.Version != st.Version+1 {
			t.Fatalf("edit: %+v %v", saved, err)
		}
		in.Phone = "13933334444"
		_, err = s.UpdateStaff(ctx, admin, st.ID, st.Version, in)
		if !apperr.IsStale(err) || !containsAll(apperr.As(err).Message("zh"), "人员「陈晓」", "已被他人修改") ||
			!containsAll(apperr.As(err).Message("en"), `staff member "陈晓"`, "changed by someone else since you opened it") {
			t.Fatalf("stale edit: %v", err)
		}
		if _, err := s.SetStaffActive(ctx, admin, st.ID, st.Version, false); !apperr.IsStale(err) {
			t.Fatalf("deactivation based on an old version: %v", err)
		}
		now, err := s.Staff(ctx, admin, st.ID)
		if err != nil || now.Phone != "13911112222" || !now.Active || now.Version != saved.Version {
			t.Fatalf("after the refused changes: %+v %v", now, err)
		}
		off, err := s.SetStaffActive(ctx, admin, st.ID, now.Version, false)
		if err != nil || off.Active || off.Version != now.Version+1 {
			t.Fatalf("deactivation at the current version: %+v %v", off, err)
		}

		u, err := s.Unit(ctx, admin, st.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateUnit(ctx, admin, u.ID, 0, UnitInput{Kind: u.Kind, Code: u.Code, Name: "x"}); apperr.CodeOf(err) != apperr.VersionRequired {
			t.Fatalf("unit edit without a version: %v", err)
		}
		if _, err := s.SetUnitHead(ctx, admin, u.ID, u.Version+1, ps["window1"].StaffID); !apperr.IsStale(err) {
			t.Fatalf("head set on another version: %v", err)
		}
		if _, err := s.SetUnitActive(ctx, admin, u.ID, u.Version+1, false); !apperr.IsStale(err) {
			t.Fatalf("unit deactivated on another version: %v", err)
		}
		b := bodyByCode(t, s, "330199001002")
		if _, err := s.UpdateBody(ctx, admin, b.ID, 0, BodyEdit{Level: b.Level, Code: b.Code, Name: "x", TimeZone: b.TimeZone}); apperr.CodeOf(err) != apperr.VersionRequired {
			t.Fatalf("body edit without a version: %v", err)
		}
		if _, err := s.SetBodyActive(ctx, admin, b.ID, b.Version+1, false); !apperr.IsStale(err) {
			t.Fatalf("body deactivated on another version: %v", err)
		}
		if _, err := s.MoveBody(ctx, admin, b.ID, b.Version+1, bodyByCode(t, s, "330199101").ID); !apperr.IsStale(err) {
			t.Fatalf("body moved on another version: %v", err)
		}
		q, err := s.Qualifications(ctx, admin, ps["unit1"].StaffID)
		if err != nil || len(q) == 0 {
			t.Fatal(q, err)
		}
		if _, err := s.RevokeQualification(ctx, admin, q[0].ID, q[0].Version+1); !apperr.IsStale(err) {
			t.Fatalf("certificate revoked on another version: %v", err)
		}
		if _, err := s.UpdateQualification(ctx, admin, q[0].ID, 0, QualificationInput{CertNo: q[0].CertNo, Scope: "x", ValidFrom: q[0].ValidFrom, ValidTo: q[0].ValidTo}); apperr.CodeOf(err) != apperr.VersionRequired {
			t.Fatalf("certificate edit without a version: %v", err)
		}
		verify(t, db)
	})
}

// TestSave_H1_anotherInstancesChangeIsNotOverwritten: the save of a row
// read at a version that another writer (another instance sharing
// PostgreSQL) has moved past meanwhile changes nothing and fails the whole
// write with the stale error — on both engines, through QueueExpect.
func TestSave_H1_anotherInstancesChangeIsNotOverwritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		st, err := s.Staff(ctx, ps["admin"], ps["window1"].StaffID)
		if err != nil {
			t.Fatal(err)
		}
		// Read at st.Version; the row is at st.Version+1 when the save runs.
		if _, err := s.SetStaffActive(ctx, ps["admin"], st.ID, 0, false); err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			st.Name, st.Active = "覆盖者", true
			e, err := event(ps["admin"], "org.staff.updated", st.BodyID, "", "", nil)
			return saveStaff(ctx, tx, &st, e, err)
		})
		if !apperr.IsStale(err) {
			t.Fatalf("save on a moved row: %v", err)
		}
		now, err := s.Staff(ctx, ps["admin"], st.ID)
		if err != nil || now.Name == "覆盖者" || now.Active {
			t.Fatalf("the stale save changed the row: %+v %v", now, err)
		}
		verify(t, db)
	})
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
