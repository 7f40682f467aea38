package org

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/xlsxlimit/xlsxtest"
)

func template(t testing.TB, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, format); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tableCount counts the org rows and events, to prove a failed import
// changed nothing.
func tableCount(t *testing.T, db *store.DB) [5]int {
	t.Helper()
	var n [5]int
	for i, tbl := range []string{"bodies", "units", "staff", "staff_qualifications", "events"} {
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM `+tbl).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestImport_templateImportsIntoEmptyDatabase(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			db := storetest.SQLite(t)
			s := NewService(db)
			res, err := s.Import(ctx, System, "template."+format, template(t, format))
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res != (ImportResult{Bodies: 3, Units: 1, Staff: 3, Qualifications: 1}) {
				t.Fatalf("result %+v", res)
			}
			b := bodyByCode(t, s, "330106001001")
			if b.Level != LevelCommunity || b.Name != "示例社区" {
				t.Fatalf("community %+v", b)
			}
			if gaps, err := s.Gaps(ctx, System); err != nil || len(gaps) != 0 {
				t.Fatalf("gaps %+v %v", gaps, err)
			}
			verify(t, db)
		})
	}
}

const goodCSV = `[机构]
编码,上级编码,层级,名称
330199001003,330199001,社区,新桥社区

[单位]
机构编码,单位编码,类型,名称
330199001003,FW,站所,新桥社区服务站

[人员]
机构编码,单位编码,姓名,电话,角色,负责人,联络员,执法证号,执法范围,有效期起,有效期止
330199001003,FW,甲一,13800000001,站所人员,是,否,,,,
330199001003,FW,乙二,13800000002,"站所人员,清单联络员",否,是,XQ-0001,城市管理,2025-01-01,2027-12-31
330199001,CSGL,丙三,13800000003,站所人员,否,否,,,,
`

// Bad rows: every one reported by row and column, nothing imported.
func TestImport_badRowsChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ps := demo(t, db)
		before := tableCount(t, db)
		bad := `[机构]
编码,上级编码,层级,名称,时区
330199001003,330199009,社区,未知上级,
330199001,330199,街道,重复编码,
330199001004,330199001,区县,层级不对,
330199001005,330199001,村社区,,Mars/Base
33019900100X,330199001,社区,坏编码,

[单位]
机构编码,单位编码,类型,名称
330199001002,FW,办事处,类型不对
330199001002,FW2,站所,无人单位

[人员]
机构编码,单位编码,姓名,电话,角色,负责人,联络员,执法证号,执法范围,有效期起,有效期止
330199001,CSGL,甲,12345,站所人员,,,,,,
330199001,CSGL,乙,13800000002,厨师,,,,,,
330199001,CSGL,丙,13800000003,站所人员,是,,,,,
330199001,CSGL,丁,13800000004,站所人员,,,ZF-1,城管,2025-13-01,2026-01-01
330199101,NOPE,戊,13800000005,站所人员,,,,,,
,CSGL,己,13800000006,站所人员,,,,,,
330199001,CSGL,庚,13800000007,站所人员,,是,,,,
`
		_, err := s.Import(ctx, ps["admin"], "bad.csv", []byte(bad))
		var l apperr.List
		if !errors.As(err, &l) {
			t.Fatalf("want an apperr.List, got %v", err)
		}
		want := map[string]string{
			"机构!B3":  "未知的上级编码",
			"机构!A4":  "已被系统中",
			"机构!C5":  "必须低于上级",
			"机构!D6":  "必填项为空",
			"机构!E6":  "未知时区",
			"机构!A7":  "6、9 或 12 位",
			"单位!C11": "类型",
			"单位!12":  "没有负责人",
			"人员!D16": "电话",
			"人员!E17": "未知角色",
			"人员!F18": "只能有一名负责人",
			"人员!J19": "日期",
			"人员!B20": "没有单位",
			"人员!A21": "必填项为空",
			"人员!G22": "清单联络员",
		}
		got := map[string]string{}
		for _, e := range l {
			if e.Code != apperr.Invalid || e.Message("zh") == "" || e.Message("en") == "" {
				t.Errorf("error %v is not a bilingual Invalid", e)
			}
			got[e.Field] += e.Message("zh") + " | "
		}
		for field, frag := range want {
			if !strings.Contains(got[field], frag) {
				t.Errorf("%s: got %q, want it to mention %q", field, got[field], frag)
			}
		}
		if t.Failed() {
			for _, e := range l {
				t.Log(e.Field, e.Message("zh"), " / ", e.Message("en"))
			}
		}
		// The row numbers are the lines of the file and the messages say so.
		if !strings.Contains(l[0].Message("zh"), "第 3 行") || !strings.Contains(l[0].Message("en"), "row 3") {
			t.Errorf("first error %q / %q does not name row 3", l[0].Message("zh"), l[0].Message("en"))
		}
		if after := tableCount(t, db); after != before {
			t.Fatalf("a failed import changed the database: %v → %v", before, after)
		}
		// One bad row among good ones still imports nothing.
		oneBad := strings.Replace(goodCSV, "丙三,13800000003", "丙三,1380000000", 1)
		_, err = s.Import(ctx, ps["admin"], "one.csv", []byte(oneBad))
		if !errors.As(err, &l) || len(l) != 1 || l[0].Field != "人员!D13" {
			t.Fatalf("one bad phone: %v", err)
		}
		if after := tableCount(t, db); after != before {
			t.Fatalf("a failed import changed the database: %v → %v", before, after)
		}
		// Out of jurisdiction: 溪口镇's admin cannot import under 青山街道.
		_, err = s.Import(ctx, ps["xikou_admin"], "good.csv", []byte(goodCSV))
		if !errors.As(err, &l) || !strings.Contains(l[0].Message("zh"), "管辖") {
			t.Fatalf("import outside jurisdiction: %v", err)
		}
		// Not an admin at all.
		_, err = s.Import(ctx, ps["office1"], "good.csv", []byte(goodCSV))
		wantCode(t, err, apperr.Forbidden)
		// The good file imports, once.
		res, err := s.Import(ctx, ps["qingshan_admin"], "good.csv", []byte(goodCSV))
		if err != nil || res != (ImportResult{Bodies: 1, Units: 1, Staff: 3, Qualifications: 1}) {
			t.Fatalf("good import: %+v %v", res, err)
		}
		_, err = s.Import(ctx, ps["qingshan_admin"], "good.csv", []byte(goodCSV))
		if !errors.As(err, &l) {
			t.Fatalf("second import of the same file: %v", err)
		}
		verify(t, db)
	})
}

func TestImport_xlsxErrorsNameSheetCells(t *testing.T) {
	db := storetest.SQLite(t)
	s, ps := demo(t, db)
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "人员"); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"姓名", "机构编码(body_code)*", "角色", "电话", "单位编码"},
		{"张三", "330199001", "窗口", "13800000001", "CSGL"},
		{"李四", "330199001", "站所人员", "not a phone", "CSGL"},
		{},
		{"", "330199001", "站所人员", "13800000003", "CSGL"},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("人员", "A"+idStr(int64(i+1)), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	before := tableCount(t, db)
	_, err := s.Import(ctx, ps["admin"], "staff.xlsx", buf.Bytes())
	var l apperr.List
	if !errors.As(err, &l) || len(l) != 2 || l[0].Field != "人员!D3" || l[1].Field != "人员!A5" {
		t.Fatalf("errors: %v", err)
	}
	if after := tableCount(t, db); after != before {
		t.Fatalf("changed: %v → %v", before, after)
	}
}

func TestImport_unreadableFiles(t *testing.T) {
	for name, data := range map[string]string{
		"empty.csv":   "",
		"latin1.csv":  "\xff\xfe\x00",
		"header.csv":  "foo,bar\n1,2\n",
		"broken.xlsx": "PK\x03\x04 not really",
		"blank.csv":   "[人员]\n机构编码,姓名,角色\n",
	} {
		_, err := ParseImport(name, []byte(data))
		if e := apperr.As(err); e.Code != apperr.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// docs/org-import.md carries the column reference generated from the code.
func TestImport_docIsCurrent(t *testing.T) {
	doc, err := os.ReadFile("../../docs/org-import.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), TemplateDoc()) {
		t.Fatalf("docs/org-import.md is out of date; its column reference must read:\n%s", TemplateDoc())
	}
}

// FuzzParseImport: the parser never panics, and every error it reports
// names a field and says it in both languages.
func FuzzParseImport(f *testing.F) {
	f.Add([]byte(goodCSV), false)
	f.Add(template(f, "csv"), false)
	f.Add(template(f, "xlsx"), true)
	f.Add([]byte("[人员]\n姓名,机构编码,角色,负责人,有效期起,执法证号\n张三,330199,窗口,也许,45292,AB\n"), false)
	f.Add([]byte("编码,层级,名称\n\"33\"\"0199\",市,\x00\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool) {
		name := "f.csv"
		if xlsx {
			name = "f.xlsx"
		}
		file, err := ParseImport(name, data)
		if err == nil {
			if file == nil || file.Rows() == 0 {
				t.Fatal("no error and no rows")
			}
			return
		}
		var l apperr.List
		if errors.As(err, &l) {
			for _, e := range l {
				if e.Field == "" || e.Message("zh") == "" || e.Message("en") == "" || e.Code != apperr.Invalid {
					t.Fatalf("bad error %#v", e)
				}
			}
			return
		}
		if e := apperr.As(err); e.Code != apperr.Invalid || e.Field == "" {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func TestImport_numericCodesReadBack(t *testing.T) {
	data := "[单位]\n机构编码,单位编码,类型,名称\n3.30199001E+8,FW,站所,甲\n330199001.0,FW2,站所,乙\n"
	f, err := ParseImport("x.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if f.Units[0].BodyCode != "330199001" || f.Units[1].BodyCode != "330199001" {
		t.Fatalf("codes %q %q", f.Units[0].BodyCode, f.Units[1].BodyCode)
	}
}

// TestImport_invalidTextInACellNamed (#11.2): a cell that is not valid
// text — a NUL in a CSV, or in a workbook the escape _x0000_ that excelize
// reads back as one — is named, and nothing is stored.
func TestImport_invalidTextInACellNamed(t *testing.T) {
	csv := strings.Replace(string(template(t, "csv")), "示例社区", "示例\x00社区", 1)
	xlsx := xlsxtest.Rewrite(t, template(t, "xlsx"), "示例社区", "示例_x0000_社区")
	for name, data := range map[string][]byte{"csv": []byte(csv), "xlsx": xlsx} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseImport("upload."+name, data)
			var l apperr.List
			if !errors.As(err, &l) || len(l) != 1 || !strings.HasPrefix(l[0].Field, "机构!") || !strings.Contains(l[0].Message("en"), "invalid text") {
				t.Fatalf("errors: %v", err)
			}
		})
	}
}

// TestImport_hugeCellRefusedWithBoundedMemory (#11.9): a workbook of a few
// hundred kB holding one 240 MB cell is refused naming its text as over
// the limit, quickly and allocating a few MB, not gigabytes.
func TestImport_hugeCellRefusedWithBoundedMemory(t *testing.T) {
	data := xlsxtest.HugeCell(t, "人员", 240<<20)
	var err error
	alloc := xlsxtest.Allocated(func() { _, err = ParseImport("big.xlsx", data) })
	if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "file" || !strings.Contains(e.Message("en"), "64 MB") {
		t.Fatalf("got %v", err)
	}
	if alloc > 16<<20 {
		t.Errorf("refusing allocated %d kB", alloc>>10)
	}
}
