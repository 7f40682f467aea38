// Package org keeps the organisation: the tree of bodies (O1), the units under
// each body, staff with their roles, unit heads and list liaisons (O2), and
// staff law-enforcement qualifications. Every change goes through the store's
// write path as an event; every read and write is limited to the acting
// principal's jurisdiction (the subtree of their body).
package org

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// Level is a body's place in the four-level hierarchy (O1, 四级联动).
type Level string

const (
	LevelCity      Level = "city"      // 市
	LevelDistrict  Level = "district"  // 区县
	LevelTown      Level = "town"      // 乡镇街道
	LevelCommunity Level = "community" // 村社区
)

// Levels lists the levels from the top down.
var Levels = []Level{LevelCity, LevelDistrict, LevelTown, LevelCommunity}

// Rank is 1 for a city down to 4 for a community, 0 for an unknown level.
func (l Level) Rank() int { return slices.Index(Levels, l) + 1 }

// In names the level in lang (市, 区县 …; in English its code name).
func (l Level) In(lang string) string { return msg.Name(lang, "org.level", string(l)) }

// Valid reports whether l is one of Levels.
func (l Level) Valid() bool { return l.Rank() > 0 }

// ParseLevel accepts the code name or the Chinese name (市, 区县, 区, 县,
// 乡镇街道, 乡镇, 街道, 镇, 乡, 村社区, 社区, 村).
func ParseLevel(s string) (Level, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "city", "市":
		return LevelCity, true
	case "district", "county", "区县", "区", "县", "县区":
		return LevelDistrict, true
	case "town", "street", "乡镇街道", "乡镇", "街道", "镇", "乡":
		return LevelTown, true
	case "community", "village", "村社区", "社区", "村", "村居":
		return LevelCommunity, true
	}
	return "", false
}

// UnitKind is what kind of unit it is.
type UnitKind string

const (
	KindStation UnitKind = "station" // 站所
	KindSection UnitKind = "section" // 科室 (办公室、办)
	KindWindow  UnitKind = "window"  // 窗口
)

// UnitKinds lists every kind.
var UnitKinds = []UnitKind{KindStation, KindSection, KindWindow}

// In names the kind in lang (站所 …; in English its code name).
func (k UnitKind) In(lang string) string { return msg.Name(lang, "org.unitkind", string(k)) }

// Valid reports whether k is one of UnitKinds.
func (k UnitKind) Valid() bool { return slices.Contains(UnitKinds, k) }

// ParseUnitKind accepts the code name or the Chinese name.
func ParseUnitKind(s string) (UnitKind, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "station", "站所", "站", "所":
		return KindStation, true
	case "section", "office", "科室", "科", "室", "办":
		return KindSection, true
	case "window", "窗口":
		return KindWindow, true
	}
	return "", false
}

var roleZh = map[access.Role]string{
	access.RoleWindow:             "窗口",
	access.RoleUnitStaff:          "站所人员",
	access.RoleListLiaison:        "清单联络员",
	access.RoleGeneralOffice:      "党政办",
	access.RoleSupervisor:         "监察",
	access.RoleExternalSupervisor: "外部监督员",
	access.RoleLeader:             "领导",
	access.RoleAdmin:              "管理员",
	access.RoleSecurityAdmin:      "安全管理员",
	access.RoleAuditAdmin:         "审计管理员",
	access.RoleSealKeeper:         "印章管理员",
}

// RoleZh is a role's Chinese name (the import template accepts it).
func RoleZh(r access.Role) string { return roleZh[r] }

// RoleEn is a role's English name, for English pages (never the code).
func RoleEn(r access.Role) string {
	if en, ok := roleEn[r]; ok {
		return en
	}
	return strings.ReplaceAll(string(r), "_", " ")
}

var roleEn = map[access.Role]string{
	access.RoleAdmin: "Administrator", access.RoleAuditAdmin: "Audit administrator", access.RoleSecurityAdmin: "Security administrator",
	access.RoleExternalSupervisor: "External supervisor", access.RoleGeneralOffice: "General office", access.RoleLeader: "Leader",
	access.RoleListLiaison: "List liaison", access.RoleSupervisor: "Supervisor", access.RoleUnitStaff: "Unit staff", access.RoleWindow: "Window",
	access.RoleSealKeeper: "Seal keeper",
}

// ParseRoles reads a list of roles separated by commas, 、, semicolons, | or
// spaces, each by code or Chinese name. It returns them without duplicates
// in access.AllRoles order, and the first unknown name.
func ParseRoles(s string) (roles []access.Role, bad string) {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '|' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	set := map[access.Role]bool{}
	for _, part := range parts {
		r, ok := access.ParseRole(strings.ToLower(part))
		if !ok {
			for role, zh := range roleZh {
				if zh == part {
					r, ok = role, true
					break
				}
			}
		}
		if !ok {
			switch part { // common synonyms seen in staff rosters
			case "纪工委", "监察员", "纪检":
				r, ok = access.RoleSupervisor, true
			case "站所", "科室人员", "工作人员":
				r, ok = access.RoleUnitStaff, true
			case "联络员":
				r, ok = access.RoleListLiaison, true
			case "外部监督", "六位一体":
				r, ok = access.RoleExternalSupervisor, true
			}
		}
		if !ok {
			return nil, part
		}
		set[r] = true
	}
	return normRoles(set), ""
}

func normRoles(set map[access.Role]bool) []access.Role {
	var out []access.Role
	for _, r := range access.AllRoles {
		if set[r] {
			out = append(out, r)
		}
	}
	return out
}

// rolesText is the stored form of a role list: codes in AllRoles order,
// comma-separated, so a role filter is a LIKE on ",role,".
func rolesText(roles []access.Role) string {
	set := map[access.Role]bool{}
	for _, r := range roles {
		set[r] = true
	}
	var b []string
	for _, r := range normRoles(set) {
		b = append(b, string(r))
	}
	return strings.Join(b, ",")
}

func parseRolesText(s string) []access.Role {
	var out []access.Role
	for _, p := range strings.Split(s, ",") {
		if r, ok := access.ParseRole(p); ok {
			out = append(out, r)
		}
	}
	return out
}

// Body is one node of the organisation tree (O1).
type Body struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id,omitempty"` // 0 for a root
	Path     string `json:"path"`                // "/1/4/": ids from the root down
	Level    Level  `json:"level"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	Active   bool   `json:"active"`
	// Version is 1 when created and grows by one with every change; an
	// edit names the version it was based on (concurrent edits).
	Version int64 `json:"version"`
	// CreatedAt and UpdatedAt are set by the service (UTC).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Location is the body's time zone (Asia/Shanghai when it does not load).
func (b Body) Location() *time.Location {
	if loc, err := time.LoadLocation(b.TimeZone); err == nil {
		return loc
	}
	return shanghai
}

// Unit is a 站所, 科室 or 窗口 under a body. O2: one head and one or two
// list liaisons.
type Unit struct {
	ID          int64     `json:"id"`
	BodyID      int64     `json:"body_id"`
	Kind        UnitKind  `json:"kind"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	HeadStaffID int64     `json:"head_staff_id,omitempty"`
	Active      bool      `json:"active"`
	Version     int64     `json:"version"` // as Body.Version
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Staff is a person working for a body, optionally in one of its units.
type Staff struct {
	ID        int64         `json:"id"`
	BodyID    int64         `json:"body_id"`
	UnitID    int64         `json:"unit_id,omitempty"`
	Name      string        `json:"name"`
	Phone     string        `json:"phone,omitempty"`
	Roles     []access.Role `json:"roles"`
	IsHead    bool          `json:"is_head"`
	IsLiaison bool          `json:"is_liaison"`
	Active    bool          `json:"active"`
	Version   int64         `json:"version"` // as Body.Version
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Qualification is a law-enforcement certificate (执法证) of a staff member.
// ValidFrom and ValidTo are calendar dates "YYYY-MM-DD", both inclusive.
type Qualification struct {
	ID        int64     `json:"id"`
	StaffID   int64     `json:"staff_id"`
	CertNo    string    `json:"cert_no"`
	Scope     string    `json:"scope"` // enforcement fields, comma-separated, e.g. "城市管理,市场监管"
	ValidFrom string    `json:"valid_from"`
	ValidTo   string    `json:"valid_to"`
	Active    bool      `json:"active"`  // false once revoked
	Version   int64     `json:"version"` // as Body.Version
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Scopes splits Scope into its fields.
func (q Qualification) Scopes() []string { return splitScope(q.Scope) }

var shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The binary embeds time/tzdata, so this only fails in a broken build.
		panic("org: time zone " + name + ": " + err.Error())
	}
	return loc
}

// DefaultTimeZone is a body's time zone unless set otherwise.
const DefaultTimeZone = "Asia/Shanghai"

var (
	// A body code is a division code: 6 digits (county, 行政区划代码), 9
	// (town) or 12 (village, 统计用区划代码).
	bodyCodeRe = regexp.MustCompile(`^(\d{6}|\d{9}|\d{12})$`)
	unitCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)
	// Mobile 1[3-9]xxxxxxxxx, or a landline with area code and optional
	// extension: 0571-88889999, 057188889999, 021-6123456-801.
	phoneRe  = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$`)
	certNoRe = regexp.MustCompile(`^[A-Za-z0-9\-]{4,32}$`)
)

const maxName = 100 // characters (runes) in a name

func checkName(field, s string) *apperr.Error {
	if s == "" {
		return apperr.Invalidf(field, "org.required")
	}
	if n := len([]rune(s)); n > maxName {
		return apperr.Invalidf(field, "org.at_most_characters_is", maxName, n)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return apperr.Invalidf(field, "org.contains_a_control_character")
		}
	}
	return nil
}

func checkBodyCode(field, s string) *apperr.Error {
	if s == "" {
		return apperr.Invalidf(field, "org.required")
	}
	if !bodyCodeRe.MatchString(s) {
		return apperr.Invalidf(field, "org.body_code_must_be_a_division", clip(s))
	}
	return nil
}

func checkUnitCode(field, s string) *apperr.Error {
	if s == "" {
		return apperr.Invalidf(field, "org.required")
	}
	if !unitCodeRe.MatchString(s) {
		return apperr.Invalidf(field, "org.unit_code_may_hold_only_letters", clip(s))
	}
	return nil
}

func checkPhone(field, s string) *apperr.Error {
	if s == "" {
		return nil
	}
	if !phoneRe.MatchString(s) {
		return apperr.Invalidf(field, "org.phone_is_not_a_mobile_number", clip(s))
	}
	return nil
}

func checkTimeZone(field, s string) *apperr.Error {
	if _, err := time.LoadLocation(s); err != nil || s == "" || strings.EqualFold(s, "local") {
		return apperr.Invalidf(field, "org.unknown_time_zone", clip(s))
	}
	return nil
}

// parseDate reads a calendar date as YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD
// and YYYYMMDD, as people type them in spreadsheets).
func parseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006/01/02", "2006.01.02", "20060102", "2006-1-2", "2006/1/2"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return "", false
			}
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

func splitScope(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；'
	}) {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// clip shortens a bad value for an error message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
