package catxlsx

import (
	"bytes"
	"errors"
	"github.com/qingdan/qingdan/internal/msg"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/apperr"
)

// The cell parsers never panic, and what they accept they write back to
// something they read as the same value.

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-01-31", "2024-01-31 09:30:00", "2024/1/2", "2024年1月2日", "45292", "45292.5",
		"2024-01-31T09:30:00+08:00", "2024-02-30", "1e308", "-1", "NaN", "", "20240131", "2024-01-31 09:30:00.123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTime(s)
		if err != nil {
			if !msg.Has(err.m.ID) {
				t.Fatalf("%q: error %q not in the catalogue", s, err.m.ID)
			}
			return
		}
		back, err := ParseTime(FormatTime(v))
		if err != nil || !back.Equal(v) {
			t.Fatalf("%q → %v → %q → %v, %v", s, v, FormatTime(v), back, err)
		}
	})
}

func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "20", "20.0", "2E1", "1.5", "-3", "9223372036854775808", "1e400", " 7 ", "", "０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseInt(s, -1000, 1_000_000)
		if err != nil {
			if !msg.Has(err.m.ID) {
				t.Fatalf("%q: error %q not in the catalogue", s, err.m.ID)
			}
			return
		}
		if n < -1000 || n > 1_000_000 {
			t.Fatalf("%q → %d out of range", s, n)
		}
		if m, err := ParseInt(strconv.FormatInt(n, 10), -1000, 1_000_000); err != nil || m != n {
			t.Fatalf("%q → %d → %d, %v", s, n, m, err)
		}
	})
}

func FuzzParseBool(f *testing.F) {
	for _, s := range []string{"是", "否", "yes", "NO", "1", "0", "", "maybe", "√"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBool(s)
		if err != nil {
			return
		}
		if back, err := ParseBool(FormatBool(b)); err != nil || back != b {
			t.Fatalf("%q → %v → %v, %v", s, b, back, err)
		}
	})
}

func FuzzParseCategory(f *testing.F) {
	for _, s := range []string{"行政许可", "licensing", "01", "XK", "20", "行政审批", "", "基本公共服务"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCategory(s)
		if err != nil {
			return
		}
		if !c.Valid() {
			t.Fatalf("%q → invalid %q", s, c)
		}
		if back, err := ParseCategory(FormatCategory(c)); err != nil || back != c {
			t.Fatalf("%q → %q → %q", s, c, back)
		}
	})
}

func FuzzEnums(f *testing.F) {
	f.Add(0, "必要")
	f.Add(3, "working_days")
	f.Add(7, "窗口")
	f.Fuzz(func(t *testing.T, i int, s string) {
		all := []enum{exOfficioEnum, statusEnum, natureEnum, levelEnum, unitEnum, caseTypeEnum, necessityEnum,
			kindEnum, formEnum, sourceEnum, riskEnum, roleEnum, checkEnum}
		e := all[(i%len(all)+len(all))%len(all)]
		v, err := e.parse(s)
		if err != nil {
			return
		}
		if back, err := e.parse(e.format(v)); err != nil || back != v {
			t.Fatalf("%q → %q → %q", s, v, back)
		}
	})
}

// FuzzParse: Parse on small mutated workbooks never panics and either
// returns items that pass catalog's rules or an apperr.List of bilingual
// errors each naming where it is.
func FuzzParse(f *testing.F) {
	cur := demoList(f)
	f.Add(export(f, cur[:1]))
	f.Add(export(f, cur[1:3]))
	f.Add(export(f, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Parse(bytes.NewReader(b), int64(len(b)), nil)
		if err != nil {
			var l apperr.List
			if !errors.As(err, &l) {
				t.Fatalf("not an apperr.List: %v", err)
			}
			for _, e := range l {
				if e.Field == "" || e.Message("zh") == "" || e.Message("en") == "" {
					t.Fatalf("error without field or language: %+v", e)
				}
			}
			if got != nil {
				t.Fatal("items returned with errors")
			}
			return
		}
		for _, v := range got {
			if err := Draft(v).Validate(); err != nil {
				t.Fatalf("accepted an invalid item %s: %v", v.BaseCode, err)
			}
		}
	})
}

// FuzzParseCell: one cell of a small exported workbook replaced by any
// text. Parse never panics; an accepted file passes catalog's rules, and a
// refused one names the changed cell (or a rule of its item).
func FuzzParseCell(f *testing.F) {
	cur := demoList(f)
	seed := export(f, cur[:2])
	f.Add(uint8(0), uint8(3), uint8(4), "行政审批")
	f.Add(uint8(0), uint8(3), uint8(8), "2024-02-30")
	f.Add(uint8(2), uint8(3), uint8(5), "1.5")
	f.Add(uint8(5), uint8(3), uint8(4), "nobody")
	f.Add(uint8(0), uint8(1), uint8(1), "基本编码x")
	f.Fuzz(func(t *testing.T, si, row, col uint8, value string) {
		sh := sheets[int(si)%len(sheets)]
		r, c := 1+int(row)%8, 1+int(col)%len(sh.keys())
		x, err := excelize.OpenReader(bytes.NewReader(seed))
		if err != nil {
			t.Fatal(err)
		}
		if err := x.SetCellStr(sh.sheetName(), cellName(c, r), value); err != nil {
			return // a value excelize itself refuses (too long) never reaches Parse
		}
		var buf bytes.Buffer
		if _, err := x.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := Parse(bytes.NewReader(buf.Bytes()), int64(buf.Len()), nil)
		if err != nil {
			var l apperr.List
			if !errors.As(err, &l) || len(l) == 0 {
				t.Fatalf("not an apperr.List: %v", err)
			}
			for _, e := range l {
				if e.Field == "" || e.Message("zh") == "" || e.Message("en") == "" {
					t.Fatalf("error without field or language: %+v", e)
				}
			}
			return
		}
		for _, v := range got {
			if err := Draft(v).Validate(); err != nil {
				t.Fatalf("accepted an invalid item %s: %v", v.BaseCode, err)
			}
		}
	})
}
