package orgweb

import (
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// A stale edit (someone saved the object after the editor opened it) is
// shown again with the editor's input still in the form, and beside it a
// table of every field: what the editor sent and what is stored now. The
// form then carries the current version, so saving again is a decision
// taken with both in view; nothing typed is lost.

// conflictRow is one field of that table.
type conflictRow struct {
	Label, Yours, Current string
	Differs               bool
}

// field is one field's label key and its two values as shown.
type field struct{ key, yours, current string }

func conflictRows(lang string, fields ...field) []conflictRow {
	out := make([]conflictRow, len(fields))
	for i, f := range fields {
		out[i] = conflictRow{Label: messages.Text(lang, f.key), Yours: f.yours, Current: f.current, Differs: f.yours != f.current}
	}
	return out
}

func bodyConflict(lang string, yours, current org.Body) []conflictRow {
	return conflictRows(lang,
		field{"body.level", levelText(lang, yours.Level), levelText(lang, current.Level)},
		field{"body.code", yours.Code, current.Code},
		field{"body.name", yours.Name, current.Name},
		field{"body.time_zone", yours.TimeZone, current.TimeZone})
}

func unitConflict(lang string, yours, current org.Unit) []conflictRow {
	return conflictRows(lang,
		field{"unit.kind", kindText(lang, yours.Kind), kindText(lang, current.Kind)},
		field{"unit.code", yours.Code, current.Code},
		field{"body.name", yours.Name, current.Name})
}

func staffConflict(lang string, f staffForm, yours, current org.Staff) []conflictRow {
	bodyName := func(id int64) string {
		for _, b := range f.Bodies {
			if b.ID == id {
				return b.Name
			}
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	unitName := func(id int64) string {
		if id == 0 {
			return messages.Text(lang, "staff.no_unit")
		}
		for _, u := range f.Units {
			if u.Unit.ID == id {
				return u.BodyName + " · " + u.Unit.Name
			}
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	roles := func(rs []access.Role) string {
		names := make([]string, len(rs))
		for i, r := range rs {
			names[i] = roleText(lang, r)
		}
		return strings.Join(names, "、")
	}
	yesNo := func(b bool) string {
		if b {
			return messages.Text(lang, "yes")
		}
		return messages.Text(lang, "no")
	}
	return conflictRows(lang,
		field{"staff.name", yours.Name, current.Name},
		field{"staff.phone", yours.Phone, current.Phone},
		field{"staff.body", bodyName(yours.BodyID), bodyName(current.BodyID)},
		field{"staff.unit", unitName(yours.UnitID), unitName(current.UnitID)},
		field{"staff.roles", roles(yours.Roles), roles(current.Roles)},
		field{"staff.is_head", yesNo(yours.IsHead), yesNo(current.IsHead)},
		field{"staff.is_liaison", yesNo(yours.IsLiaison), yesNo(current.IsLiaison)})
}

func levelText(lang string, l org.Level) string { return l.In(lang) }

func kindText(lang string, k org.UnitKind) string { return k.In(lang) }

func roleText(lang string, r access.Role) string {
	if lang == httpx.LangEn {
		return org.RoleEn(r)
	}
	return org.RoleZh(r)
}
