package catalog

import (
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/msg"
)

// TestNames_C3_everyValueNamedInBothLanguages: each enumeration's values
// have their names in the catalogue, in Chinese and English.
func TestNames_C3_everyValueNamedInBothLanguages(t *testing.T) {
	check := func(prefix string, missing string, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("%s.%s is not in both catalogues", prefix, missing)
		}
	}
	v, ok := msg.Named("catalog.standing", Listed, Suspended, Cancelled, Unknown)
	check("catalog.standing", v, ok)
	v, ok = msg.Named("catalog.stage", Stages...)
	check("catalog.stage", v, ok)
	v, ok = msg.Named("catalog.adjkind", AddItem, ChangeItem, SuspendItem, ReenableItem, CancelItem)
	check("catalog.adjkind", v, ok)
	for _, prefix := range []string{"catalog.timeunit", "catalog.timeunitone"} {
		v, ok = msg.Named(prefix, WorkingDays, NaturalDays, Hours)
		check(prefix, v, ok)
	}
	v, ok = msg.Named("catalog.check", checkKinds...)
	check("catalog.check", v, ok)
	v, ok = msg.Named("catalog.casetype", Instant, Promised)
	check("catalog.casetype", v, ok)
	v, ok = msg.Named("catalog.nature", Natures...)
	check("catalog.nature", v, ok)
	v, ok = msg.Named("catalog.level", Levels...)
	check("catalog.level", v, ok)
	v, ok = msg.Named("catalog.risk", RiskLevels...)
	check("catalog.risk", v, ok)
	v, ok = msg.Named("catalog.necessity", Required, Optional, Deferrable)
	check("catalog.necessity", v, ok)
	v, ok = msg.Named("catalog.matkind", Original, Copy, OriginalAndCopy)
	check("catalog.matkind", v, ok)
	v, ok = msg.Named("catalog.matform", Paper, Electronic, PaperAndElectronic)
	check("catalog.matform", v, ok)
	v, ok = msg.Named("catalog.source", FromApplicant, FromGovernment, FromOther)
	check("catalog.source", v, ok)
	v, ok = msg.Named("catalog.role", access.AllRoles...)
	check("catalog.role", v, ok)
}

// TestNames_C3_wordingAsBefore: the names read from the catalogue are the
// words the code held inline.
func TestNames_C3_wordingAsBefore(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Suspended.In("zh"), "暂停"},
		{Standing("").In("zh"), "未列入清单"},
		{StageSigned.In("zh"), "待党政办初审"},
		{StageSigned.In("en"), "signed, awaiting the office"},
		{ReenableItem.In("en"), "re-enabled"},
		{TimeLimit{20, WorkingDays}.In("zh"), "20个工作日"},
		{TimeLimit{1, Hours}.In("en"), "1 hour"},
		{TimeLimit{3, NaturalDays}.In("en"), "3 calendar days"},
		{TimeLimit{0, WorkingDays}.In("zh"), "当场办结"},
		{TimeLimit{2, "weeks"}.In("zh"), "2weeks"},
		{CheckTwoInvestigators.In("en"), "two investigators"},
		{CheckLateEntry.In("zh"), "及时录入"},
		{Deferrable.Text(true), "may follow later"},
		{LevelTown.Text(false), "镇(乡、街道)级"},
		{RoleText(access.RoleSealKeeper, false), "印章管理员"},
		{optionalLimit{}.In("zh"), "无"},
		{optionalLimit{&TimeLimit{5, Hours}}.In("en"), "5 hours"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
