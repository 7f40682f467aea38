package org

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

var ctx = context.Background()

// fakeAccounts records what LoadDemo asks the auth package to create.
type fakeAccounts struct{ created map[string]int64 }

func (f *fakeAccounts) CreateInitialAccount(ctx context.Context, staffID int64, login, password string, mustChange bool) error {
	if password != DemoPassword || mustChange || staffID == 0 {
		return errors.New("unexpected demo account request")
	}
	if f.created == nil {
		f.created = map[string]int64{}
	}
	f.created[login] = staffID
	return nil
}

// demo loads the demo into db and returns the service and a principal per
// demo login.
func demo(t *testing.T, db *store.DB) (*Service, map[string]access.Principal) {
	t.Helper()
	acc := &fakeAccounts{}
	if err := LoadDemo(ctx, db, acc); err != nil {
		t.Fatalf("LoadDemo: %v", err)
	}
	s := NewService(db)
	ps := map[string]access.Principal{}
	for login, id := range acc.created {
		p, err := s.StaffPrincipal(ctx, id)
		if err != nil {
			t.Fatalf("StaffPrincipal(%s): %v", login, err)
		}
		p.Login, p.AccountID = login, id+1000
		ps[login] = p
	}
	return s, ps
}

func verify(t *testing.T, db *store.DB) {
	t.Helper()
	rep, err := db.Verify(ctx, nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("verify: %s", rep.Mismatch)
	}
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		var l apperr.List
		if code == apperr.Invalid && errors.As(err, &l) && len(l) > 0 {
			return
		}
		t.Fatalf("got %v, want code %s", err, code)
	}
}

func bodyByCode(t *testing.T, s *Service, code string) Body {
	t.Helper()
	b, err := s.BodyByCode(ctx, System, code)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDemo_loadsVerifiesAndRefusesSecondLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		verify(t, db)
		if len(ps) != len(DemoAccounts()) {
			t.Fatalf("%d accounts, want %d", len(ps), len(DemoAccounts()))
		}
		// Every role is held by some demo account.
		for _, r := range access.AllRoles {
			found := false
			for _, p := range ps {
				found = found || p.Has(r)
			}
			if !found {
				t.Errorf("no demo account holds role %s", r)
			}
		}
		bodies, err := s.Bodies(ctx, ps["admin"], 0, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(bodies) != 7 {
			t.Fatalf("%d bodies, want 7", len(bodies))
		}
		units := 0
		for _, b := range bodies {
			us, err := s.Units(ctx, ps["admin"], b.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			units += len(us)
		}
		// Ten units of the towns and the district's core, and the 57 other
		// units the district's demo list names (issue #14 item 4).
		if units != 67 {
			t.Fatalf("%d units, want 67", units)
		}
		// O2 holds for every demo unit.
		gaps, err := s.Gaps(ctx, ps["admin"])
		if err != nil {
			t.Fatal(err)
		}
		if len(gaps) != 0 {
			t.Fatalf("O2 gaps in the demo: %+v", gaps)
		}
		// A second load before the demo is marked complete resumes it:
		// the organisation is all there, so it writes nothing.
		head, err := db.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := LoadDemo(ctx, db, nil); err != nil {
			t.Fatalf("resuming a loaded organisation: %v", err)
		}
		if after, err := db.Head(ctx); err != nil || after.Size != head.Size {
			t.Fatalf("resuming wrote events: %d → %d (%v)", head.Size, after.Size, err)
		}
		// Once complete, a second load is refused.
		if err := MarkDemoLoaded(ctx, db); err != nil {
			t.Fatal(err)
		}
		err = LoadDemo(ctx, db, nil)
		wantCode(t, err, apperr.Conflict)
		verify(t, db)
	})
}

// TestDemo_refusesAnotherOrganisation: the demo never loads over an
// organisation it did not start (no demo.begun), and writes nothing.
func TestDemo_refusesAnotherOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := NewService(db).CreateBody(ctx, System, BodyInput{Level: LevelDistrict, Code: "330102", Name: "上城区"}); err != nil {
			t.Fatal(err)
		}
		head, err := db.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, LoadDemo(ctx, db, nil), apperr.Conflict)
		if after, err := db.Head(ctx); err != nil || after.Size != head.Size {
			t.Fatalf("a refused demo load wrote events: %d → %d (%v)", head.Size, after.Size, err)
		}
	})
}

// O1: a user's jurisdiction is the subtree of their body.
func TestO1_jurisdictionIsTheSubtree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		district := bodyByCode(t, s, "330199")
		qingshan := bodyByCode(t, s, "330199001")
		xikou := bodyByCode(t, s, "330199101")
		cuiyuan := bodyByCode(t, s, "330199001001")

		// The street's staff see their street and its communities only.
		bs, err := s.Bodies(ctx, ps["qingshan1"], 0, false)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, b := range bs {
			codes = append(codes, b.Code)
		}
		if want := []string{"330199001", "330199001001", "330199001002"}; !slices.Equal(codes, want) {
			t.Fatalf("qingshan1 sees %v, want %v", codes, want)
		}
		if _, err := s.Body(ctx, ps["qingshan1"], xikou.ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("qingshan1 reads 溪口镇: %v", err)
		}
		if _, err := s.Body(ctx, ps["qingshan1"], district.ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("qingshan1 reads the district: %v", err)
		}
		if _, err := s.Tree(ctx, ps["qingshan1"], xikou.ID, false); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("qingshan1 reads 溪口镇's tree: %v", err)
		}
		tree, err := s.Tree(ctx, ps["admin"], 0, false)
		if err != nil || tree.Body.ID != district.ID || len(tree.Children) != 2 || len(tree.Children[0].Children) != 2 {
			t.Fatalf("district tree: %+v, %v", tree, err)
		}
		// Staff search is limited to the jurisdiction.
		st, err := s.SearchStaff(ctx, ps["xikou_admin"], StaffQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range st {
			b, err := s.Body(ctx, System, x.BodyID)
			if err != nil || !strings.HasPrefix(b.Path, xikou.Path) {
				t.Fatalf("xikou_admin found %s of body %d", x.Name, x.BodyID)
			}
		}
		if len(st) != 5 {
			t.Fatalf("xikou_admin finds %d staff, want 5", len(st))
		}
		if _, err := s.SearchStaff(ctx, ps["xikou_admin"], StaffQuery{BodyID: qingshan.ID}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("xikou_admin searches 青山街道: %v", err)
		}
		liaisons, err := s.SearchStaff(ctx, ps["admin"], StaffQuery{Role: access.RoleListLiaison})
		if err != nil || len(liaisons) != 67 { // one per demo unit
			t.Fatalf("liaisons: %d, %v", len(liaisons), err)
		}
		found, err := s.SearchStaff(ctx, ps["admin"], StaffQuery{Text: "曹"})
		if err != nil || len(found) != 1 || found[0].Name != "曹亮" {
			t.Fatalf("text search: %+v, %v", found, err)
		}
		// A street admin changes their own street, not the other one, and
		// cannot create above themselves.
		if _, err := s.CreateUnit(ctx, ps["qingshan_admin"], UnitInput{BodyID: cuiyuan.ID, Kind: KindWindow, Code: "CK", Name: "社区窗口"}); err != nil {
			t.Fatalf("qingshan_admin in own community: %v", err)
		}
		_, err = s.CreateUnit(ctx, ps["qingshan_admin"], UnitInput{BodyID: xikou.ID, Kind: KindWindow, Code: "CK", Name: "窗口"})
		wantCode(t, err, apperr.Forbidden)
		_, err = s.UpdateBody(ctx, ps["qingshan_admin"], district.ID, district.Version, BodyEdit{Level: LevelDistrict, Code: "330199", Name: "改名", TimeZone: DefaultTimeZone})
		wantCode(t, err, apperr.Forbidden)
		// Non-admins never change the structure; the public is not logged in.
		_, err = s.CreateUnit(ctx, ps["office1"], UnitInput{BodyID: district.ID, Kind: KindSection, Code: "X", Name: "X"})
		wantCode(t, err, apperr.Forbidden)
		_, err = s.CreateUnit(ctx, ps["external1"], UnitInput{BodyID: district.ID, Kind: KindSection, Code: "X", Name: "X"})
		wantCode(t, err, apperr.Forbidden)
		_, err = s.Body(ctx, access.Principal{}, district.ID)
		wantCode(t, err, apperr.Unauthorized)
		// Only the system creates a root.
		_, err = s.CreateBody(ctx, ps["admin"], BodyInput{Level: LevelCity, Code: "330100", Name: "市"})
		wantCode(t, err, apperr.Forbidden)
		verify(t, db)
	})
}

// O1: a child's level is below its parent's.
func TestO1_levelsBelowParent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		qingshan := bodyByCode(t, s, "330199001")
		_, err := s.CreateBody(ctx, ps["admin"], BodyInput{ParentID: qingshan.ID, Level: LevelTown, Code: "330199001999", Name: "同级"})
		wantCode(t, err, apperr.Invalid)
		_, err = s.CreateBody(ctx, ps["admin"], BodyInput{ParentID: qingshan.ID, Level: LevelDistrict, Code: "330199001998", Name: "上级"})
		wantCode(t, err, apperr.Invalid)
		b, err := s.CreateBody(ctx, ps["admin"], BodyInput{ParentID: qingshan.ID, Level: LevelCommunity, Code: "330199001003", Name: "新社区"})
		if err != nil {
			t.Fatal(err)
		}
		if b.Path != qingshan.Path+idStr(b.ID)+"/" || b.TimeZone != DefaultTimeZone {
			t.Fatalf("new body %+v", b)
		}
		// A duplicate code is a conflict on the code field.
		_, err = s.CreateBody(ctx, ps["admin"], BodyInput{ParentID: qingshan.ID, Level: LevelCommunity, Code: "330199001003", Name: "重复"})
		if e := apperr.As(err); e.Code != apperr.Conflict || e.Field != "code" {
			t.Fatalf("duplicate code: %v", err)
		}
		// The street cannot become a community while it has communities.
		_, err = s.UpdateBody(ctx, ps["admin"], qingshan.ID, qingshan.Version, BodyEdit{Level: LevelCommunity, Code: qingshan.Code, Name: qingshan.Name, TimeZone: DefaultTimeZone})
		wantCode(t, err, apperr.Invalid)
		_, err = s.UpdateBody(ctx, ps["admin"], b.ID, b.Version, BodyEdit{Level: LevelCommunity, Code: b.Code, Name: "新社区", TimeZone: "Mars/Olympus"})
		wantCode(t, err, apperr.Invalid)
		u, err := s.UpdateBody(ctx, ps["admin"], b.ID, b.Version, BodyEdit{Level: LevelCommunity, Code: b.Code, Name: "新桥社区", TimeZone: "Asia/Urumqi"})
		if err != nil || u.Name != "新桥社区" || u.TimeZone != "Asia/Urumqi" {
			t.Fatalf("rename: %+v %v", u, err)
		}
		got, err := s.Body(ctx, ps["admin"], b.ID)
		if err != nil || got != u {
			t.Fatalf("read back %+v, want %+v (%v)", got, u, err)
		}
		verify(t, db)
	})
}

// Moving a body rewrites its subtree's paths in one transaction; moving it
// under itself or a descendant is refused.
func TestMoveBody_rewritesSubtreePaths(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		district := bodyByCode(t, s, "330199")
		qingshan := bodyByCode(t, s, "330199001")
		xikou := bodyByCode(t, s, "330199101")
		cuiyuan := bodyByCode(t, s, "330199001001")

		// A second district under which 青山街道 will move needs a city
		// above both: the system creates a city and moves the district.
		city, err := s.CreateBody(ctx, System, BodyInput{Level: LevelCity, Code: "330100", Name: "示例市"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.MoveBody(ctx, ps["admin"], district.ID, 0, city.ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("district admin moves the district under the city: %v", err)
		}
		moved, err := s.MoveBody(ctx, System, district.ID, 0, city.ID)
		if err != nil {
			t.Fatal(err)
		}
		if moved.Path != city.Path+idStr(district.ID)+"/" {
			t.Fatalf("moved path %s", moved.Path)
		}
		// Every descendant's path follows.
		c := bodyByCode(t, s, "330199001001")
		if want := city.Path + idStr(district.ID) + "/" + idStr(qingshan.ID) + "/" + idStr(cuiyuan.ID) + "/"; c.Path != want {
			t.Fatalf("community path %s, want %s", c.Path, want)
		}
		// Under itself or a descendant: refused.
		_, err = s.MoveBody(ctx, System, district.ID, 0, cuiyuan.ID)
		wantCode(t, err, apperr.Invalid)
		_, err = s.MoveBody(ctx, System, qingshan.ID, 0, qingshan.ID)
		wantCode(t, err, apperr.Invalid)
		// A level that would not be below the new parent: refused.
		_, err = s.MoveBody(ctx, System, qingshan.ID, 0, xikou.ID)
		wantCode(t, err, apperr.Invalid)

		// A district admin's principal (re-read after the move) moves a
		// community from one street to the other.
		admin, err := s.StaffPrincipal(ctx, ps["admin"].StaffID)
		if err != nil {
			t.Fatal(err)
		}
		admin.Login, admin.AccountID = "admin", 1
		m, err := s.MoveBody(ctx, admin, cuiyuan.ID, 0, xikou.ID)
		if err != nil {
			t.Fatal(err)
		}
		x := bodyByCode(t, s, "330199101")
		if m.ParentID != xikou.ID || m.Path != x.Path+idStr(cuiyuan.ID)+"/" {
			t.Fatalf("moved community %+v", m)
		}
		// Jurisdiction follows the move: 青山街道's staff no longer see it,
		// 溪口镇's do.
		if _, err := s.Body(ctx, ps["qingshan1"], cuiyuan.ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("old street still sees the community: %v", err)
		}
		xk, err := s.StaffPrincipal(ctx, ps["xikou1"].StaffID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Body(ctx, xk, cuiyuan.ID); err != nil {
			t.Fatalf("new street does not see the community: %v", err)
		}
		// The community's staff principal carries the new path.
		cp, err := s.StaffPrincipal(ctx, ps["community1"].StaffID)
		if err != nil || cp.BodyPath != m.Path {
			t.Fatalf("community1 path %q, want %q (%v)", cp.BodyPath, m.Path, err)
		}
		verify(t, db)
	})
}

// O2: one head, one or two liaisons.
func TestO2_headAndLiaisons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		admin := ps["admin"]
		district := bodyByCode(t, s, "330199")
		u, err := s.CreateUnit(ctx, admin, UnitInput{BodyID: district.ID, Kind: KindStation, Code: "HBZ", Name: "环保站"})
		if err != nil {
			t.Fatal(err)
		}
		gaps, err := s.Gaps(ctx, admin)
		if err != nil || len(gaps) != 1 || gaps[0].Unit.ID != u.ID {
			t.Fatalf("gaps after a new unit: %+v %v", gaps, err)
		}
		mk := func(name string, head, liaison bool) (Staff, error) {
			roles := []access.Role{access.RoleUnitStaff}
			if liaison {
				roles = append(roles, access.RoleListLiaison)
			}
			return s.CreateStaff(ctx, admin, StaffInput{BodyID: district.ID, UnitID: u.ID, Name: name, Phone: "13700000000", Roles: roles, IsHead: head, IsLiaison: liaison})
		}
		h1, err := mk("甲", true, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Unit(ctx, admin, u.ID)
		if err != nil || got.HeadStaffID != h1.ID {
			t.Fatalf("head not recorded on unit: %+v %v", got, err)
		}
		// A second head: refused.
		_, err = mk("乙", true, false)
		if e := apperr.As(err); e.Code != apperr.Conflict || e.Field != "is_head" {
			t.Fatalf("second head: %v", err)
		}
		// A liaison needs the role; a third liaison is refused.
		_, err = s.CreateStaff(ctx, admin, StaffInput{BodyID: district.ID, UnitID: u.ID, Name: "丙", Roles: []access.Role{access.RoleUnitStaff}, IsLiaison: true})
		wantCode(t, err, apperr.Invalid)
		l1, err := mk("丁", false, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mk("戊", false, true); err != nil {
			t.Fatal(err)
		}
		_, err = mk("己", false, true)
		if e := apperr.As(err); e.Code != apperr.Conflict || e.Field != "is_liaison" {
			t.Fatalf("third liaison: %v", err)
		}
		if gaps, err := s.Gaps(ctx, admin); err != nil || len(gaps) != 0 {
			t.Fatalf("gaps: %+v %v", gaps, err)
		}
		// The head cannot leave without a successor.
		_, err = s.SetStaffActive(ctx, admin, h1.ID, 0, false)
		wantCode(t, err, apperr.Conflict)
		// Passing the head on: the old head loses the mark in the same write.
		h2, err := mk("庚", false, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetUnitHead(ctx, admin, u.ID, 0, h2.ID); err != nil {
			t.Fatal(err)
		}
		old, err := s.Staff(ctx, admin, h1.ID)
		if err != nil || old.IsHead {
			t.Fatalf("old head still marked: %+v %v", old, err)
		}
		if _, err := s.SetStaffActive(ctx, admin, h1.ID, 0, false); err != nil {
			t.Fatalf("deactivating the former head: %v", err)
		}
		// Liaisons: one may go while another stays; the last may not.
		if _, err := s.SetStaffActive(ctx, admin, l1.ID, 0, false); err != nil {
			t.Fatal(err)
		}
		ls, err := s.SearchStaff(ctx, admin, StaffQuery{UnitID: u.ID, Role: access.RoleListLiaison})
		if err != nil || len(ls) != 1 {
			t.Fatalf("liaisons left: %+v %v", ls, err)
		}
		_, err = s.SetStaffActive(ctx, admin, ls[0].ID, 0, false)
		wantCode(t, err, apperr.Conflict)
		// A staff member's unit must be of their body.
		xikou := bodyByCode(t, s, "330199101")
		_, err = s.CreateStaff(ctx, admin, StaffInput{BodyID: xikou.ID, UnitID: u.ID, Name: "辛", Roles: []access.Role{access.RoleUnitStaff}})
		wantCode(t, err, apperr.Invalid)
		// Once the unit is inactive, its people can go.
		if _, err := s.SetUnitActive(ctx, admin, u.ID, 0, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetStaffActive(ctx, admin, ls[0].ID, 0, false); err != nil {
			t.Fatal(err)
		}
		verify(t, db)
	})
}

// Deactivating keeps the rows and their history; a body with active
// content cannot be deactivated.
func TestDeactivate_keepsHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		admin := ps["admin"]
		wenhua := bodyByCode(t, s, "330199001002")
		cuiyuan := bodyByCode(t, s, "330199001001")
		_, err := s.SetBodyActive(ctx, admin, cuiyuan.ID, 0, false)
		wantCode(t, err, apperr.Conflict) // it has a unit and staff
		b, err := s.SetBodyActive(ctx, admin, wenhua.ID, 0, false)
		if err != nil || b.Active {
			t.Fatalf("deactivate: %+v %v", b, err)
		}
		// Still there, listed with inactive ones, not without.
		if _, err := s.Body(ctx, admin, wenhua.ID); err != nil {
			t.Fatal(err)
		}
		all, err := s.Bodies(ctx, admin, 0, true)
		if err != nil || len(all) != 7 {
			t.Fatalf("with inactive: %d %v", len(all), err)
		}
		act, err := s.Bodies(ctx, admin, 0, false)
		if err != nil || len(act) != 6 {
			t.Fatalf("active only: %d %v", len(act), err)
		}
		// No children under an inactive body.
		_, err = s.CreateBody(ctx, admin, BodyInput{ParentID: wenhua.ID, Level: LevelCommunity, Code: "330199001009", Name: "x"})
		wantCode(t, err, apperr.Conflict)
		_, err = s.CreateUnit(ctx, admin, UnitInput{BodyID: wenhua.ID, Kind: KindWindow, Code: "CK", Name: "窗口"})
		wantCode(t, err, apperr.Conflict)
		if _, err := s.SetBodyActive(ctx, admin, wenhua.ID, 0, true); err != nil {
			t.Fatal(err)
		}
		// A deactivated staff member keeps the row but cannot act.
		st, err := s.SearchStaff(ctx, admin, StaffQuery{Text: "陈晓"})
		if err != nil || len(st) != 1 {
			t.Fatalf("陈晓: %+v %v", st, err)
		}
		if _, err := s.SetStaffActive(ctx, admin, st[0].ID, 0, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StaffPrincipal(ctx, st[0].ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("inactive staff principal: %v", err)
		}
		if got, err := s.Staff(ctx, admin, st[0].ID); err != nil || got.Active {
			t.Fatalf("inactive staff row: %+v %v", got, err)
		}
		var events int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE object_type = 'body' AND object_id = ?`, idStr(wenhua.ID)).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if events != 3 {
			t.Fatalf("文华社区 has %d events, want 3 (created, deactivated, reactivated)", events)
		}
		verify(t, db)
	})
}

func TestQualifications_validOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		admin := ps["admin"]
		unit1 := ps["unit1"].StaffID
		day := func(s string) time.Time {
			d, err := time.ParseInLocation("2006-01-02", s, shanghai)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		for _, c := range []struct {
			day, scope string
			want       bool
		}{
			{"2026-11-23", "城市管理", true},
			{"2024-01-01", "综合执法", true},
			{"2029-12-31", "城市管理", true},
			{"2030-01-01", "城市管理", false},
			{"2023-12-31", "城市管理", false},
			{"2026-11-23", "市场监管", false},
		} {
			got, err := s.ValidOn(ctx, unit1, day(c.day), c.scope)
			if err != nil || got != c.want {
				t.Errorf("ValidOn(%s, %s) = %v, %v; want %v", c.day, c.scope, got, err, c.want)
			}
		}
		qs, err := s.Qualifications(ctx, admin, unit1)
		if err != nil || len(qs) != 1 {
			t.Fatalf("qualifications: %+v %v", qs, err)
		}
		_, err = s.AddQualification(ctx, admin, QualificationInput{StaffID: unit1, CertNo: qs[0].CertNo, Scope: "x", ValidFrom: "2024-01-01", ValidTo: "2025-01-01"})
		wantCode(t, err, apperr.Conflict)
		_, err = s.AddQualification(ctx, admin, QualificationInput{StaffID: unit1, CertNo: "NEW-0001", Scope: "x", ValidFrom: "2026-01-01", ValidTo: "2025-01-01"})
		wantCode(t, err, apperr.Invalid)
		_, err = s.AddQualification(ctx, admin, QualificationInput{StaffID: unit1, CertNo: "NEW-0001", Scope: "x", ValidFrom: "2026-02-30", ValidTo: "2027-01-01"})
		wantCode(t, err, apperr.Invalid)
		q, err := s.AddQualification(ctx, admin, QualificationInput{StaffID: unit1, CertNo: "NEW-0001", Scope: "市场监管、食品安全", ValidFrom: "2026/1/1", ValidTo: "20271231"})
		if err != nil || q.Scope != "市场监管,食品安全" || q.ValidFrom != "2026-01-01" || q.ValidTo != "2027-12-31" {
			t.Fatalf("add: %+v %v", q, err)
		}
		if ok, err := s.ValidOn(ctx, unit1, day("2026-11-23"), "食品安全"); err != nil || !ok {
			t.Fatalf("new scope: %v %v", ok, err)
		}
		// Out of jurisdiction: a street admin cannot add to district staff.
		_, err = s.AddQualification(ctx, ps["qingshan_admin"], QualificationInput{StaffID: unit1, CertNo: "NEW-0002", Scope: "x", ValidFrom: "2026-01-01", ValidTo: "2027-01-01"})
		wantCode(t, err, apperr.Forbidden)
		if _, err := s.RevokeQualification(ctx, admin, q.ID, 0); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.ValidOn(ctx, unit1, day("2026-11-23"), "食品安全"); err != nil || ok {
			t.Fatalf("revoked certificate still valid: %v %v", ok, err)
		}
		u, err := s.UpdateQualification(ctx, admin, qs[0].ID, qs[0].Version, QualificationInput{CertNo: qs[0].CertNo, Scope: "城市管理", ValidFrom: "2024-01-01", ValidTo: "2026-06-30"})
		if err != nil || u.ValidTo != "2026-06-30" {
			t.Fatalf("update: %+v %v", u, err)
		}
		if ok, err := s.ValidOn(ctx, unit1, day("2026-11-23"), "城市管理"); err != nil || ok {
			t.Fatalf("expired certificate still valid: %v %v", ok, err)
		}
		verify(t, db)
	})
}

// verify names an org row edited behind the write path's back.
func TestVerify_namesEditedOrgRow(t *testing.T) {
	db := storetest.SQLite(t)
	s, _ := demo(t, db)
	b := bodyByCode(t, s, "330199101")
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE bodies SET name = '篡改' WHERE id = ?`, b.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := db.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(rep.Mismatch, "bodies") || !strings.Contains(rep.Mismatch, idStr(b.ID)) {
		t.Fatalf("mismatch %q does not name bodies id %d", rep.Mismatch, b.ID)
	}
}

// docs/demo.md lists every demo account with its body.
func TestDemo_docListsEveryAccount(t *testing.T) {
	doc, err := os.ReadFile("../../docs/demo.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range DemoAccounts() {
		if !strings.Contains(string(doc), "| `"+a.Login+"` | "+a.Name+" | "+a.Body+" |") {
			t.Errorf("docs/demo.md does not list %s (%s, %s)", a.Login, a.Name, a.Body)
		}
	}
	if !strings.Contains(string(doc), DemoPassword) {
		t.Error("docs/demo.md does not give the demo password")
	}
}

// O2 holds across instances: two servers on one PostgreSQL adding liaisons
// to the same unit at once still leave at most two.
func TestO2_liaisonsAcrossInstances(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn, store.Options{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		})
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1 := open()
	s1, _ := demo(t, db1)
	s2 := NewService(open())
	district := bodyByCode(t, s1, "330199")
	u, err := s1.CreateUnit(ctx, System, UnitInput{BodyID: district.ID, Kind: KindStation, Code: "RACE", Name: "并发站"})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for i := range 8 {
		s := s1
		if i%2 == 1 {
			s = s2
		}
		go func() {
			_, err := s.CreateStaff(ctx, System, StaffInput{BodyID: district.ID, UnitID: u.ID, Name: fmt.Sprintf("联络员%d", i),
				Roles: []access.Role{access.RoleListLiaison}, IsLiaison: true})
			errs <- err
		}()
	}
	ok := 0
	for range 8 {
		switch err := <-errs; apperr.CodeOf(err) {
		case "":
			ok++
		case apperr.Conflict:
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != MaxLiaisons {
		t.Fatalf("%d liaisons created, want %d", ok, MaxLiaisons)
	}
	verify(t, db1)
}

// Editing staff moves them between bodies and units; a head stays until a
// successor is appointed (O2); the moved person's jurisdiction follows.
func TestUpdateStaff_movesWithinJurisdiction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		admin := ps["admin"]
		qingshan := bodyByCode(t, s, "330199001")
		us, err := s.Units(ctx, admin, qingshan.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		var csgl Unit
		for _, u := range us {
			if u.Code == "CSGL" {
				csgl = u
			}
		}
		wu, err := s.Staff(ctx, admin, ps["unit1"].StaffID)
		if err != nil {
			t.Fatal(err)
		}
		in := StaffInput{BodyID: qingshan.ID, UnitID: csgl.ID, Name: wu.Name, Phone: wu.Phone, Roles: wu.Roles}
		// A street admin cannot pull district staff into the street.
		_, err = s.UpdateStaff(ctx, ps["qingshan_admin"], wu.ID, wu.Version, in)
		wantCode(t, err, apperr.Forbidden)
		moved, err := s.UpdateStaff(ctx, admin, wu.ID, wu.Version, in)
		if err != nil || moved.BodyID != qingshan.ID || moved.UnitID != csgl.ID {
			t.Fatalf("move: %+v %v", moved, err)
		}
		p, err := s.StaffPrincipal(ctx, wu.ID)
		if err != nil || p.BodyPath != qingshan.Path || p.UnitID != csgl.ID {
			t.Fatalf("principal after the move: %+v %v", p, err)
		}
		// The head of 城市管理办 cannot leave it without a successor.
		cao, err := s.Staff(ctx, admin, ps["qingshan1"].StaffID)
		if err != nil || !cao.IsHead {
			t.Fatalf("曹亮: %+v %v", cao, err)
		}
		_, err = s.UpdateStaff(ctx, admin, cao.ID, cao.Version, StaffInput{BodyID: qingshan.ID, Name: cao.Name, Roles: cao.Roles})
		if e := apperr.As(err); e.Code != apperr.Conflict || e.Field != "is_head" {
			t.Fatalf("head leaving: %v", err)
		}
		// After appointing 吴刚 head, 曹亮 may go; the unit records the new head.
		if _, err := s.SetUnitHead(ctx, admin, csgl.ID, 0, wu.ID); err != nil {
			t.Fatal(err)
		}
		if cao, err = s.Staff(ctx, admin, cao.ID); err != nil { // no longer head: a new version
			t.Fatal(err)
		}
		if _, err := s.UpdateStaff(ctx, admin, cao.ID, cao.Version, StaffInput{BodyID: qingshan.ID, Name: cao.Name, Roles: cao.Roles}); err != nil {
			t.Fatal(err)
		}
		u, err := s.Unit(ctx, admin, csgl.ID)
		if err != nil || u.HeadStaffID != wu.ID {
			t.Fatalf("unit head %d, want %d (%v)", u.HeadStaffID, wu.ID, err)
		}
		verify(t, db)
	})
}

// TestO3_noSelfGrant (issue #11.8): an administrator editing their own
// staff record may keep or drop roles, not add any, nor make themselves a
// unit's head or liaison; another administrator may. Refusals change nothing.
func TestO3_noSelfGrant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		admin, other := ps["admin"], ps["qingshan_admin"]
		self, err := s.Staff(ctx, admin, admin.StaffID)
		if err != nil {
			t.Fatal(err)
		}
		in := func(roles ...access.Role) StaffInput {
			return StaffInput{BodyID: self.BodyID, UnitID: self.UnitID, Name: self.Name, Phone: self.Phone, Roles: roles}
		}
		for _, roles := range [][]access.Role{{access.RoleAdmin, access.RoleSupervisor}, {access.RoleAdmin, access.RoleLeader}} {
			if _, err := s.UpdateStaff(ctx, admin, self.ID, self.Version, in(roles...)); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("self-granted %v: %v", roles, err)
			}
		}
		// A unit's head seat, by the unit's own route.
		units, err := s.Units(ctx, admin, self.BodyID, false)
		if err != nil || len(units) == 0 {
			t.Fatal(units, err)
		}
		if _, err := s.SetUnitHead(ctx, admin, units[0].ID, 0, self.ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("self-appointed head: %v", err)
		}
		if got, err := s.Staff(ctx, admin, self.ID); err != nil || !slices.Equal(got.Roles, self.Roles) || got.IsHead {
			t.Fatalf("after refusals: %+v %v", got, err)
		}
		// Saving one's own record unchanged is fine; the district's other
		// administrator cannot reach it, but the street's administrator's
		// own record can be given a role by the district's.
		if _, err := s.UpdateStaff(ctx, admin, self.ID, self.Version, in(self.Roles...)); err != nil {
			t.Fatal(err)
		}
		street, err := s.Staff(ctx, admin, other.StaffID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateStaff(ctx, admin, street.ID, street.Version, StaffInput{BodyID: street.BodyID, Name: street.Name, Phone: street.Phone,
			Roles: []access.Role{access.RoleAdmin, access.RoleLeader}}); err != nil {
			t.Fatalf("granting another: %v", err)
		}
		verify(t, db)
	})
}

// TestO3_separationOfDuties: with duties separated (三员分立) the system
// administrator changes the structure but not staff, the security
// administrator staff and their roles but not the structure, the audit
// administrator neither; nobody is given two administrator roles. Without
// separation the administrator does both.
func TestO3_separationOfDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		sep := func(login string) access.Principal { p := ps[login]; p.Separated = true; return p }
		admin, security, auditor := sep("admin"), sep("security1"), sep("auditor1")
		district := admin.BodyID
		newStaff := func(roles ...access.Role) StaffInput {
			return StaffInput{BodyID: district, Name: "新同事", Phone: "13800001234", Roles: roles}
		}
		for who, p := range map[string]access.Principal{"system": admin, "audit": auditor} {
			if _, err := s.CreateStaff(ctx, p, newStaff(access.RoleWindow)); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("%s administrator created staff: %v", who, err)
			}
		}
		st, err := s.CreateStaff(ctx, security, newStaff(access.RoleWindow))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateStaff(ctx, security, st.ID, st.Version, newStaff(access.RoleAdmin, access.RoleAuditAdmin)); apperr.As(err).Field != "roles" {
			t.Errorf("two administrator roles given: %v", err)
		}
		if _, err := s.CreateBody(ctx, security, BodyInput{ParentID: district, Level: LevelTown, Code: "330199102", Name: "新镇"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("security administrator created a body: %v", err)
		}
		if _, err := s.CreateBody(ctx, admin, BodyInput{ParentID: district, Level: LevelTown, Code: "330199102", Name: "新镇"}); err != nil {
			t.Fatal(err)
		}
		csv := "[机构]\n编码,上级编码,层级,名称\n330199103,330199,乡镇街道,又一镇\n"
		if _, err := s.Import(ctx, security, "org.csv", []byte(csv)); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("security administrator imported bodies: %v", err)
		}
		// Not separated: the administrator holds every duty.
		if _, err := s.CreateStaff(ctx, ps["admin"], newStaff(access.RoleAdmin, access.RoleAuditAdmin)); err != nil {
			t.Fatalf("without separation: %v", err)
		}
		verify(t, db)
	})
}
