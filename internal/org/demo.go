package org

import (
	"context"
	"fmt"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// AccountCreator creates login accounts for the demo staff. The auth package
// implements it (org cannot import auth's service, which depends on org's
// StaffPrincipal). mustChange=false for demo accounts, so a visitor can log
// in with the documented password at once.
type AccountCreator interface {
	CreateInitialAccount(ctx context.Context, staffID int64, login, password string, mustChange bool) error
}

// DemoPassword is the password of every demo account (docs/demo.md). It is
// for the demo only: real accounts are personal and must change their
// initial password (O3).
const DemoPassword = "qingdan-demo"

// The demo district is fictional (青山区, code 330199; no such district
// exists), built to the shape of a real one: a 区 with a 街道 and a 镇, two
// communities/villages under each, ten units and staff of every role.
type demoBody struct {
	code, parent, name string
	level              Level
}

var demoBodies = []demoBody{
	{"330199", "", "青山区", LevelDistrict},
	{"330199001", "330199", "青山街道", LevelTown},
	{"330199101", "330199", "溪口镇", LevelTown},
	{"330199001001", "330199001", "翠苑社区", LevelCommunity},
	{"330199001002", "330199001", "文华社区", LevelCommunity},
	{"330199101201", "330199101", "溪口村", LevelCommunity},
	{"330199101202", "330199101", "桃源村", LevelCommunity},
}

type demoUnit struct {
	body, code, name string
	kind             UnitKind
}

var demoUnits = []demoUnit{
	{"330199", "DZB", "党政办", KindSection},
	{"330199", "BMFW", "便民服务中心窗口", KindWindow},
	{"330199", "ZHZF", "综合执法队", KindStation},
	{"330199", "SCJG", "市场监管所", KindStation},
	{"330199", "ZRZY", "自然资源所", KindStation},
	{"330199001", "SHSW", "社会事务办", KindSection},
	{"330199001", "CSGL", "城市管理办", KindSection},
	{"330199101", "JJFZ", "经济发展办", KindSection},
	{"330199101", "TYJR", "退役军人服务站", KindStation},
	{"330199001001", "SQFW", "社区服务站", KindStation},
}

type demoCert struct{ no, scope, from, to string }

type demoPerson struct {
	login         string // "" for staff without a demo account
	body, unit    string
	name, phone   string
	roles         []access.Role
	head, liaison bool
	cert          *demoCert
}

var (
	rw  = access.RoleWindow
	rus = access.RoleUnitStaff
	rll = access.RoleListLiaison
	rgo = access.RoleGeneralOffice
)

var demoStaff = []demoPerson{
	// 青山区 (district)
	{login: "admin", body: "330199", name: "赵敏", phone: "13900000001", roles: []access.Role{access.RoleAdmin}},
	{login: "leader1", body: "330199", name: "韩立", phone: "13900000002", roles: []access.Role{access.RoleLeader}},
	{login: "supervisor1", body: "330199", name: "钱正", phone: "13900000003", roles: []access.Role{access.RoleSupervisor}},
	{login: "external1", body: "330199", name: "冯清", phone: "13900000004", roles: []access.Role{access.RoleExternalSupervisor}},
	{login: "reform1", body: "330199", unit: "DZB", name: "孙建国", phone: "13900000010", roles: []access.Role{rgo}, head: true},
	{login: "office1", body: "330199", unit: "DZB", name: "周文", phone: "13900000011", roles: []access.Role{rgo, rll}, liaison: true},
	{login: "head_bmfw", body: "330199", unit: "BMFW", name: "王芳", phone: "13900000020", roles: []access.Role{rw, rus}, head: true},
	{login: "window1", body: "330199", unit: "BMFW", name: "陈晓", phone: "13900000021", roles: []access.Role{rw}},
	{body: "330199", unit: "BMFW", name: "刘洋", phone: "13900000022", roles: []access.Role{rw, rll}, liaison: true},
	{login: "head_zhzf", body: "330199", unit: "ZHZF", name: "李强", phone: "13900000030", roles: []access.Role{rus}, head: true,
		cert: &demoCert{"ZF33019900001", "城市管理,综合执法", "2024-01-01", "2029-12-31"}},
	{login: "unit1", body: "330199", unit: "ZHZF", name: "吴刚", phone: "13900000031", roles: []access.Role{rus},
		cert: &demoCert{"ZF33019900002", "城市管理,综合执法", "2024-01-01", "2029-12-31"}},
	{body: "330199", unit: "ZHZF", name: "郑丽", phone: "13900000032", roles: []access.Role{rus, rll}, liaison: true},
	{login: "head_scjg", body: "330199", unit: "SCJG", name: "马骏", phone: "13900000040", roles: []access.Role{rus}, head: true,
		cert: &demoCert{"SJ33019900001", "市场监管", "2023-07-01", "2028-06-30"}},
	{login: "liaison1", body: "330199", unit: "SCJG", name: "何静", phone: "13900000041", roles: []access.Role{rus, rll}, liaison: true},
	{login: "head_zrzy", body: "330199", unit: "ZRZY", name: "高峰", phone: "13900000050", roles: []access.Role{rus}, head: true},
	{body: "330199", unit: "ZRZY", name: "林娜", phone: "13900000051", roles: []access.Role{rus, rll}, liaison: true},
	// 青山街道 (street)
	{login: "qingshan_admin", body: "330199001", name: "袁华", phone: "13900000101", roles: []access.Role{access.RoleAdmin}},
	{login: "qingshan_office", body: "330199001", unit: "SHSW", name: "许明", phone: "13900000110", roles: []access.Role{rgo, rus}, head: true},
	{login: "qingshan_liaison", body: "330199001", unit: "SHSW", name: "邓雪", phone: "13900000111", roles: []access.Role{rus, rll}, liaison: true},
	{login: "qingshan1", body: "330199001", unit: "CSGL", name: "曹亮", phone: "13900000120", roles: []access.Role{rus}, head: true,
		cert: &demoCert{"ZF33019900101", "城市管理", "2025-01-01", "2030-12-31"}},
	{body: "330199001", unit: "CSGL", name: "彭悦", phone: "13900000121", roles: []access.Role{rus, rll}, liaison: true},
	// 溪口镇 (town)
	{login: "xikou_admin", body: "330199101", name: "田甜", phone: "13900000201", roles: []access.Role{access.RoleAdmin}},
	{login: "xikou1", body: "330199101", unit: "JJFZ", name: "蒋涛", phone: "13900000210", roles: []access.Role{rus}, head: true},
	{body: "330199101", unit: "JJFZ", name: "沈琳", phone: "13900000211", roles: []access.Role{rus, rll}, liaison: true},
	{login: "head_tyjr", body: "330199101", unit: "TYJR", name: "韦军", phone: "13900000220", roles: []access.Role{rus}, head: true},
	{login: "xikou_liaison", body: "330199101", unit: "TYJR", name: "杨帆", phone: "13900000221", roles: []access.Role{rus, rll}, liaison: true},
	// 翠苑社区 (community)
	{login: "community1", body: "330199001001", unit: "SQFW", name: "朱红", phone: "13900000301", roles: []access.Role{rw, rus}, head: true},
	{body: "330199001001", unit: "SQFW", name: "秦月", phone: "13900000302", roles: []access.Role{rus, rll}, liaison: true},
	// 青山区: the two administrators of separated duties (三员分立, serve
	// --separation-of-duties), last so that the ids above stay as they were.
	{login: "security1", body: "330199", name: "严谨", phone: "13900000005", roles: []access.Role{access.RoleSecurityAdmin}},
	{login: "auditor1", body: "330199", name: "贾审", phone: "13900000006", roles: []access.Role{access.RoleAuditAdmin}},
	// 青山区's seal keeper (H8): configures the approval seal, keeps its register.
	{login: "seal1", body: "330199", unit: "BMFW", name: "方印", phone: "13900000007", roles: []access.Role{access.RoleSealKeeper}},
}

// DemoAccount describes one demo login (printed by `qingdan serve` and
// `qingdan demo`, listed in docs/demo.md).
type DemoAccount struct {
	Login    string
	Name     string
	Body     string // the body's name: the account's jurisdiction
	Unit     string // the unit's name, or ""
	Roles    []access.Role
	Password string
}

// DemoAccounts lists the demo logins in a stable order.
func DemoAccounts() []DemoAccount {
	bodyName := map[string]string{}
	for _, b := range demoBodies {
		bodyName[b.code] = b.name
	}
	unitName := map[[2]string]string{}
	for _, u := range demoUnits {
		unitName[[2]string{u.body, u.code}] = u.name
	}
	var out []DemoAccount
	for _, s := range demoStaff {
		if s.login != "" {
			out = append(out, DemoAccount{Login: s.login, Name: s.name, Body: bodyName[s.body],
				Unit: unitName[[2]string{s.body, s.unit}], Roles: s.roles, Password: DemoPassword})
		}
	}
	return out
}

// DemoRootCode is the code of the demo district.
const DemoRootCode = "330199"

// The demo load is recorded in the audit log by two marker events on the
// object demo:1: demo.begun in the organisation's write, demo.loaded when
// the whole demo (organisation, accounts, catalogue) is in. An interrupted
// load leaves begun without loaded, and the next start completes it.
const (
	demoObject    = "demo"
	demoBegun     = "demo.begun"
	demoCompleted = "demo.loaded"
)

// demoMarked reads demo:1's history (a few events) through the store,
// which knows how the by-object lookup is kept on each engine.
func demoMarked(ctx context.Context, q store.Querier, action string) (bool, error) {
	evs, err := store.QueryEvents(ctx, q, store.EventFilter{ObjectType: demoObject, ObjectID: "1"})
	if err != nil {
		return false, err
	}
	for _, e := range evs {
		if e.Action == action {
			return true, nil
		}
	}
	return false, nil
}

// DemoLoaded reports whether a demo load ran to its end (MarkDemoLoaded).
func DemoLoaded(ctx context.Context, db *store.DB) (bool, error) {
	return demoMarked(ctx, db, demoCompleted)
}

// MarkDemoLoaded records that the whole demo is in, so later starts leave
// it alone (demo accounts deleted since are not recreated).
func MarkDemoLoaded(ctx context.Context, db *store.DB) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		done, err := demoMarked(ctx, tx, demoCompleted)
		if err != nil || done {
			return err
		}
		return tx.Emit(store.Event{Actor: System.Login, Action: demoCompleted, ObjectType: demoObject, ObjectID: "1", To: "loaded"})
	})
}

// LoadDemo loads the demo district into an empty database (no bodies, units
// or staff) in one write, then creates the demo accounts through accounts.
// With accounts nil only the organisation is loaded. It is resumable: on a
// database whose organisation an earlier, interrupted demo load wrote
// (demo.begun, not yet demo.loaded), it creates only the accounts still
// missing. A complete demo or any other organisation is a Conflict, and
// nothing is written.
func LoadDemo(ctx context.Context, db *store.DB, accounts AccountCreator) error {
	s := NewService(db)
	p := System
	staffIDs := map[string]int64{} // login → staff id
	err := db.Write(ctx, func(tx *store.Tx) error {
		clear(staffIDs)
		n, err := count(ctx, tx, `SELECT (SELECT COUNT(*) FROM bodies) + (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM staff)`)
		if err != nil {
			return err
		}
		if n > 0 {
			begun, err := demoMarked(ctx, tx, demoBegun)
			if err != nil {
				return err
			}
			done, err := demoMarked(ctx, tx, demoCompleted)
			if err != nil {
				return err
			}
			if !begun || done {
				return apperr.Conflictf("数据库不是空的：演示数据只能装入空数据库", "the database is not empty: the demo loads only into an empty database")
			}
			return nil // an interrupted demo load: its organisation is complete (one write)
		}
		now := s.now()
		bodies := map[string]int64{}
		for _, b := range demoBodies {
			in := BodyInput{ParentID: bodies[b.parent], Level: b.level, Code: b.code, Name: b.name}
			in.normalise()
			if err := in.validate(); err != nil {
				return fmt.Errorf("demo body %s: %w", b.code, err)
			}
			created, err := createBody(ctx, tx, p, in, now)
			if err != nil {
				return fmt.Errorf("demo body %s: %w", b.code, err)
			}
			bodies[b.code] = created.ID
		}
		units := map[[2]string]int64{}
		for _, u := range demoUnits {
			in := UnitInput{BodyID: bodies[u.body], Kind: u.kind, Code: u.code, Name: u.name}
			if err := in.validate(); err != nil {
				return fmt.Errorf("demo unit %s: %w", u.code, err)
			}
			created, err := insertUnit(ctx, tx, p, bodies[u.body], in, now)
			if err != nil {
				return fmt.Errorf("demo unit %s: %w", u.code, err)
			}
			units[[2]string{u.body, u.code}] = created.ID
		}
		for _, d := range demoStaff {
			in := StaffInput{BodyID: bodies[d.body], UnitID: units[[2]string{d.body, d.unit}], Name: d.name, Phone: d.phone,
				Roles: d.roles, IsHead: d.head, IsLiaison: d.liaison}
			if err := in.validate(); err != nil {
				return fmt.Errorf("demo staff %s: %w", d.name, err)
			}
			st, err := createStaff(ctx, tx, p, in, now)
			if err != nil {
				return fmt.Errorf("demo staff %s: %w", d.name, err)
			}
			if d.login != "" {
				staffIDs[d.login] = st.ID
			}
			if d.cert != nil {
				qi := QualificationInput{StaffID: st.ID, CertNo: d.cert.no, Scope: d.cert.scope, ValidFrom: d.cert.from, ValidTo: d.cert.to}
				if err := qi.validate(); err != nil {
					return fmt.Errorf("demo certificate %s: %w", d.cert.no, err)
				}
				if _, err := insertQual(ctx, tx, p, st, qi, now); err != nil {
					return fmt.Errorf("demo certificate %s: %w", d.cert.no, err)
				}
			}
		}
		return tx.Emit(store.Event{Actor: p.Login, Action: demoBegun, ObjectType: demoObject, ObjectID: "1", To: "begun"})
	})
	if err != nil || accounts == nil {
		return err
	}
	for _, d := range demoStaff {
		if d.login == "" {
			continue
		}
		have, err := count(ctx, db, `SELECT COUNT(*) FROM accounts WHERE login = ?`, d.login)
		if err != nil {
			return err
		}
		if have > 0 {
			continue // created before an interruption
		}
		id, ok := staffIDs[d.login]
		if !ok {
			// Resuming: the staff member the organisation's write created.
			if err := db.QueryRow(ctx, `SELECT s.id FROM staff s JOIN bodies b ON b.id = s.body_id WHERE b.code = ? AND s.name = ? ORDER BY s.id LIMIT 1`,
				d.body, d.name).Scan(&id); err != nil {
				return fmt.Errorf("demo account %s: staff %s: %w", d.login, d.name, err)
			}
		}
		if err := accounts.CreateInitialAccount(ctx, id, d.login, DemoPassword, false); err != nil {
			return fmt.Errorf("demo account %s (the organisation is loaded; a later demo load creates the accounts still missing): %w", d.login, err)
		}
	}
	return nil
}
