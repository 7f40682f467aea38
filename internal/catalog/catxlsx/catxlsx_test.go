package catxlsx

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/xlsxlimit/xlsxtest"
)

// demoList is the current list of the demo district (body 1), loaded once.
func demoList(t testing.TB) []catalog.ItemVersion {
	t.Helper()
	d, err := catalog.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	var all []catalog.ItemVersion
	for _, b := range d.Bodies {
		all = append(all, d.Current(b.ID)...)
	}
	if len(all) < 60 {
		t.Fatalf("demo has %d current items, want ≥ 60", len(all))
	}
	return d.Current(d.Bodies[0].ID)
}

func export(t testing.TB, vs []catalog.ItemVersion) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Export(&buf, vs, ExportOptions{Title: "测试"}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parse(t testing.TB, b []byte) ([]catalog.ItemVersion, error) {
	t.Helper()
	return Parse(bytes.NewReader(b), int64(len(b)), nil)
}

// edit opens an exported workbook, lets fn change it and returns the bytes.
func edit(t testing.TB, b []byte, fn func(f *excelize.File)) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	fn(f)
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func set(t testing.TB, f *excelize.File, sheet, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

// fields lists the Field of every error of an apperr.List.
func fields(t testing.TB, err error) []string {
	t.Helper()
	var l apperr.List
	if !errors.As(err, &l) {
		t.Fatalf("want an apperr.List, got %v", err)
	}
	var out []string
	for _, e := range l {
		if e.Message("zh") == "" || e.Message("en") == "" {
			t.Errorf("error %s is not bilingual: %q / %q", e.Field, e.Message("zh"), e.Message("en"))
		}
		out = append(out, e.Field)
	}
	return out
}

// TestRoundTripUnchanged: export the demo list, import it unchanged → the
// same content (by content hash) and no differences.
func TestRoundTripUnchanged(t *testing.T) {
	cur := demoList(t)
	got, err := parse(t, export(t, cur))
	if err != nil {
		t.Fatalf("parse of an export: %v", err)
	}
	if len(got) != len(cur) {
		t.Fatalf("got %d items, want %d", len(got), len(cur))
	}
	byCode := map[string]catalog.ItemVersion{}
	for _, v := range got {
		byCode[v.BaseCode] = v
	}
	for _, v := range cur {
		g := byCode[v.BaseCode]
		a, err := catalog.CanonicalJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		b, err := catalog.CanonicalJSON(g)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: round trip changed the content\nwant %s\ngot  %s", v.BaseCode, a, b)
		}
		if g.Status != v.Status || g.Version != v.Version || g.ContentHash != v.ContentHash ||
			!eqTime(g.PublishedAt, v.PublishedAt) || !eqTime(g.ValidTo, v.ValidTo) {
			t.Errorf("%s: lifecycle elements changed: %v/%v %d/%d", v.BaseCode, g.Status, v.Status, g.Version, v.Version)
		}
		if !catalog.Unchanged(g) {
			t.Errorf("%s: the imported content no longer matches its published hash", v.BaseCode)
		}
	}
	if d := Diff(cur, got); len(d) != 0 {
		t.Errorf("unchanged import gives %d differences, first %+v", len(d), d[0])
	}
	changes, err := Proposal(Diff(cur, got), nil, "")
	if err != nil || len(changes) != 0 {
		t.Errorf("unchanged import proposes %v, %v", changes, err)
	}
}

func eqTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// TestRoundTripOneCell: changing one cell gives exactly one change naming
// that element, on each kind of sheet.
func TestRoundTripOneCell(t *testing.T) {
	cur := demoList(t)
	b := export(t, cur)
	first := cur[0]
	for _, v := range cur[1:] {
		if v.BaseCode < first.BaseCode {
			first = v
		}
	}
	cases := []struct {
		sheet, cell string
		value       any
		path        string
	}{
		{ItemsSheet, "C3", "改过的名称", "name"},
		{ItemsSheet, cellName(colOf(itemSheet{}, "hours"), 3), "周一至周五", "hours"},
		{ItemsSheet, cellName(colOf(itemSheet{}, "consult_phone"), 3), "0371-12345678", "consult_phone"},
		{MaterialsSheet, "E3", 7, "materials[0].count"},
		{BasesSheet, "D3", "第九十九条", "legal_bases[0].article"},
		{StepsSheet, "C3", "改过的环节", "steps[0].name"},
		{ConditionsSheet, "B3", "新的受理条件", "conditions[0]"},
		{DutiesSheet, "B3", "新的责任事项", "duties[0]"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			got, err := parse(t, edit(t, b, func(f *excelize.File) { set(t, f, c.sheet, c.cell, c.value) }))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			d := Diff(cur, got)
			if len(d) != 1 || d[0].Kind != Changed || d[0].BaseCode != first.BaseCode ||
				len(d[0].Paths) != 1 || d[0].Paths[0] != c.path {
				t.Fatalf("want exactly one change of %s.%s, got %+v", first.BaseCode, c.path, d)
			}
			ch, err := Proposal(d, nil, "")
			if err != nil || len(ch) != 1 || ch[0].Kind != catalog.ChangeItem || ch[0].Draft == nil ||
				ch[0].Draft.Status != catalog.StatusDraft || !ch[0].Draft.ValidFrom.IsZero() {
				t.Fatalf("proposal %+v, %v", ch, err)
			}
			if err := ch[0].Draft.Validate(); err != nil {
				t.Errorf("draft does not validate: %v", err)
			}
		})
	}
}

// TestRoundTripStanding: the status column suspends, deleting a row
// cancels, a new row adds.
func TestRoundTripStanding(t *testing.T) {
	cur := demoList(t)
	var listed []catalog.ItemVersion
	for _, v := range cur {
		if v.Status == catalog.StatusPublished {
			listed = append(listed, v)
		}
	}
	b := export(t, listed)
	got, err := parse(t, edit(t, b, func(f *excelize.File) {
		set(t, f, ItemsSheet, cellName(colOf(itemSheet{}, "status"), 3), "已暂停")
	}))
	if err != nil {
		t.Fatal(err)
	}
	d := Diff(listed, got)
	ch, err := Proposal(d, nil, "")
	if err != nil || len(ch) != 1 || ch[0].Kind != catalog.SuspendItem || ch[0].Note == "" {
		t.Fatalf("suspension: %+v %+v %v", d, ch, err)
	}

	// Drop the last item: a cancellation; import it into a list without
	// it: an add.
	d = Diff(listed, listed[:len(listed)-1])
	if len(d) != 1 || d[0].Kind != Removed {
		t.Fatalf("removal: %+v", d)
	}
	ch, err = Proposal(d, nil, "")
	if err != nil || len(ch) != 1 || ch[0].Kind != catalog.CancelItem {
		t.Fatalf("removal proposal: %+v %v", ch, err)
	}
	d = Diff(listed[:len(listed)-1], listed)
	ch, err = Proposal(d, nil, "")
	if err != nil || len(d) != 1 || d[0].Kind != Added || len(ch) != 1 || ch[0].Kind != catalog.AddItem {
		t.Fatalf("addition: %+v %+v %v", d, ch, err)
	}
}

// TestEmptyTemplate: the empty template parses to an empty list.
func TestEmptyTemplate(t *testing.T) {
	got, err := parse(t, export(t, nil))
	if err != nil || len(got) != 0 {
		t.Fatalf("empty template: %v %v", got, err)
	}
}

// TestBadFiles: each bad file gets precise errors naming sheet, row and
// column, and nothing is returned.
func TestBadFiles(t *testing.T) {
	cur := demoList(t)
	b := export(t, cur)
	col := func(key string) string {
		return cellName(colOf(itemSheet{}, key), 3)[:len(cellName(colOf(itemSheet{}, key), 3))-1]
	}
	cases := []struct {
		name string
		file []byte
		want []string // every field reported, in order
	}{
		{"wrong sheet name", edit(t, b, func(f *excelize.File) {
			if err := f.SetSheetName(MaterialsSheet, "申请材料"); err != nil {
				t.Fatal(err)
			}
		}), []string{"申请材料", MaterialsSheet}},
		{"missing column", edit(t, b, func(f *excelize.File) {
			if err := f.RemoveCol(FeesSheet, "D"); err != nil {
				t.Fatal(err)
			}
		}), []string{FeesSheet + "!1"}},
		{"extra column", edit(t, b, func(f *excelize.File) {
			set(t, f, BasesSheet, "F1", "备注")
		}), []string{BasesSheet + "!F1"}},
		{"bad category", edit(t, b, func(f *excelize.File) {
			set(t, f, ItemsSheet, col("category")+"7", "行政审批")
		}), []string{ItemsSheet + "!" + col("category") + "7"}},
		{"bad date", edit(t, b, func(f *excelize.File) {
			set(t, f, ItemsSheet, col("valid_from")+"4", "2024-02-30")
		}), []string{ItemsSheet + "!" + col("valid_from") + "4"}},
		{"bad number", edit(t, b, func(f *excelize.File) {
			set(t, f, MaterialsSheet, "E5", "两份")
		}), []string{MaterialsSheet + "!E5"}},
		{"duplicate code", edit(t, b, func(f *excelize.File) {
			if err := f.DuplicateRowTo(ItemsSheet, 3, 3+len(cur)); err != nil {
				t.Fatal(err)
			}
		}), []string{fmt.Sprintf("%s!A%d", ItemsSheet, 3+len(cur))}},
		{"unknown item on a child sheet", edit(t, b, func(f *excelize.File) {
			set(t, f, MaterialsSheet, "A4", "9999999999")
		}), []string{MaterialsSheet + "!A4"}},
		{"unknown step", edit(t, b, func(f *excelize.File) {
			set(t, f, ChecksSheet, "B3", "no-such-step")
		}), []string{ChecksSheet + "!B3"}},
		{"rule broken: bad phone", edit(t, b, func(f *excelize.File) {
			set(t, f, ItemsSheet, col("consult_phone")+"6", "12")
		}), []string{ItemsSheet + "!" + col("consult_phone") + "6"}},
		{"rule broken on a child sheet", edit(t, b, func(f *excelize.File) {
			set(t, f, MaterialsSheet, "E6", 0)
		}), []string{MaterialsSheet + "!E6"}},
		{"junk", bytes.Repeat([]byte("junk!"), 2<<20), []string{"file"}},
		{"zip that is not xlsx", []byte("PK\x03\x04 not really a zip"), []string{"file"}},
		{"too big", append([]byte("PK\x03\x04"), make([]byte, MaxSize)...), []string{"file"}},
		{"empty", nil, []string{"file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parse(t, c.file)
			if err == nil || got != nil {
				t.Fatalf("want an error and nothing, got %d items, %v", len(got), err)
			}
			fs := fields(t, err)
			if strings.Join(fs, " ") != strings.Join(c.want, " ") {
				t.Errorf("errors at %v, want %v\n%v", fs, c.want, err)
			}
		})
	}
}

// TestTooBigDeclared: a declared size over the limit is refused unread.
func TestTooBigDeclared(t *testing.T) {
	r := &countingReader{}
	_, err := Parse(r, MaxSize+1, nil)
	if err == nil || r.n != 0 {
		t.Fatalf("read %d bytes, err %v", r.n, err)
	}
}

type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) { r.n += len(p); return len(p), nil }

// TestManyErrors: every bad cell is reported, up to MaxErrors.
func TestManyErrors(t *testing.T) {
	cur := demoList(t)
	b := edit(t, export(t, cur), func(f *excelize.File) {
		for r := 3; r < 3+len(cur); r++ {
			set(t, f, ItemsSheet, cellName(colOf(itemSheet{}, "visits"), r), "x")
			set(t, f, ItemsSheet, cellName(colOf(itemSheet{}, "online.guide"), r), "maybe")
		}
	})
	_, err := parse(t, b)
	if n := len(fields(t, err)); n != 2*len(cur) {
		t.Errorf("got %d errors, want %d", n, 2*len(cur))
	}
}

// TestProgress: the callback ends at total = total and never goes back.
func TestProgress(t *testing.T) {
	cur := demoList(t)
	var calls [][2]int
	b := export(t, cur)
	if _, err := Parse(bytes.NewReader(b), int64(len(b)), func(d, n int) { calls = append(calls, [2]int{d, n}) }); err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 {
		t.Fatal("no progress reported")
	}
	last := calls[len(calls)-1]
	if last[0] != last[1] || last[1] == 0 {
		t.Errorf("last progress %v", last)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Errorf("progress went back: %v", calls)
		}
	}
}

// TestLocate: Validate's field paths land on their sheet, row and column.
func TestLocate(t *testing.T) {
	cur := demoList(t)
	bk, err := ParseBook(bytes.NewReader(export(t, cur)), -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := bk.Items[0]
	for path, want := range map[string]string{
		"name":                       ItemsSheet + "!C3",
		"online":                     ItemsSheet + "!" + cellName(colOf(itemSheet{}, "online.guide"), 3),
		"fee.items":                  ItemsSheet + "!" + cellName(colOf(itemSheet{}, "fee.charged"), 3),
		"materials[1].count":         MaterialsSheet + "!E4",
		"steps[0].limit":             StepsSheet + "!F3",
		"conditions[0]":              ConditionsSheet + "!B3",
		"legal_bases":                ItemsSheet + "!A3",
		"materials[99].count":        ItemsSheet + "!A3",
		"steps[0].checks[0].kind":    "",
		"promised_limit":             ItemsSheet + "!" + cellName(colOf(itemSheet{}, "promised_limit.value"), 3),
		"statutory_limit.unit":       ItemsSheet + "!" + cellName(colOf(itemSheet{}, "statutory_limit.unit"), 3),
		"steps[0].risks[0].control":  "",
		"accountability[0]":          AccountabilitySheet + "!B3",
		"body.credit_code":           ItemsSheet + "!" + cellName(colOf(itemSheet{}, "body.credit_code"), 3),
		"duties[0]":                  DutiesSheet + "!B3",
		"fee.items[0].max_fen":       "",
		"legal_bases[0].text":        BasesSheet + "!E3",
		"steps[1].name":              StepsSheet + "!C4",
		"materials[0].source_note":   MaterialsSheet + "!H3",
		"content_hash":               ItemsSheet + "!" + cellName(colOf(itemSheet{}, "content_hash"), 3),
		"unit":                       ItemsSheet + "!" + cellName(colOf(itemSheet{}, "unit"), 3),
		"steps":                      ItemsSheet + "!A3",
		"ex_officio":                 ItemsSheet + "!E3",
		"visits":                     ItemsSheet + "!" + cellName(colOf(itemSheet{}, "visits"), 3),
		"fee.charged":                ItemsSheet + "!" + cellName(colOf(itemSheet{}, "fee.charged"), 3),
		"online.post_delivery":       ItemsSheet + "!" + cellName(colOf(itemSheet{}, "online.post_delivery"), 3),
		"complaint_phone":            ItemsSheet + "!" + cellName(colOf(itemSheet{}, "complaint_phone"), 3),
		"steps[0].key":               StepsSheet + "!B3",
		"materials[0].name":          MaterialsSheet + "!B3",
		"legal_bases[0].law":         BasesSheet + "!B3",
		"materials[0]":               MaterialsSheet + "!B3",
		"base_code":                  ItemsSheet + "!A3",
		"impl_code":                  ItemsSheet + "!B3",
		"valid_from":                 ItemsSheet + "!" + cellName(colOf(itemSheet{}, "valid_from"), 3),
		"category":                   ItemsSheet + "!D3",
		"hours":                      ItemsSheet + "!" + cellName(colOf(itemSheet{}, "hours"), 3),
		"body.level":                 ItemsSheet + "!" + cellName(colOf(itemSheet{}, "body.level"), 3),
		"steps[0].limit.unit":        StepsSheet + "!G3",
		"legal_bases[1].article":     BasesSheet + "!D4",
		"materials[1].necessity":     MaterialsSheet + "!C4",
		"conditions[1]":              ConditionsSheet + "!B4",
		"accountability":             ItemsSheet + "!A3",
		"duties":                     ItemsSheet + "!A3",
		"steps[0].role":              StepsSheet + "!D3",
		"steps[0].head":              StepsSheet + "!E3",
		"fee":                        ItemsSheet + "!" + cellName(colOf(itemSheet{}, "fee.charged"), 3),
		"materials[1].kind":          MaterialsSheet + "!D4",
		"materials[1].form":          MaterialsSheet + "!F4",
		"materials[1].source":        MaterialsSheet + "!G4",
		"legal_bases[0].doc_no":      BasesSheet + "!C3",
		"steps[0].limit.value":       StepsSheet + "!F3",
		"body.nature":                ItemsSheet + "!" + cellName(colOf(itemSheet{}, "body.nature"), 3),
		"body.name":                  ItemsSheet + "!" + cellName(colOf(itemSheet{}, "body.name"), 3),
		"complaint_office":           ItemsSheet + "!" + cellName(colOf(itemSheet{}, "complaint_office"), 3),
		"address":                    ItemsSheet + "!" + cellName(colOf(itemSheet{}, "address"), 3),
		"case_type":                  ItemsSheet + "!" + cellName(colOf(itemSheet{}, "case_type"), 3),
		"promised_limit.value":       ItemsSheet + "!" + cellName(colOf(itemSheet{}, "promised_limit.value"), 3),
		"published_at":               ItemsSheet + "!" + cellName(colOf(itemSheet{}, "published_at"), 3),
		"status":                     ItemsSheet + "!" + cellName(colOf(itemSheet{}, "status"), 3),
		"version":                    ItemsSheet + "!F3",
		"valid_to":                   ItemsSheet + "!" + cellName(colOf(itemSheet{}, "valid_to"), 3),
		"materials[1].sample_form":   MaterialsSheet + "!I4",
		"materials[1].blank_form":    MaterialsSheet + "!J4",
		"materials[1].note":          MaterialsSheet + "!K4",
		"statutory_limit":            ItemsSheet + "!" + cellName(colOf(itemSheet{}, "statutory_limit.value"), 3),
		"name_that_does_not_exist_x": ItemsSheet + "!A3",
	} {
		if want == "" {
			continue // depends on whether the first demo item has these entries
		}
		if got := bk.Cell(v.BaseCode, path); got != want {
			t.Errorf("%s → %s, want %s", path, got, want)
		}
	}
	if bk.Cell("nope", "name") != "" {
		t.Error("unknown item located")
	}
}

// TestSplitField splits error fields for the error table.
func TestSplitField(t *testing.T) {
	for in, want := range map[string][3]any{
		"事项!C7":   {"事项", "C", 7},
		"材料!1":    {"材料", "", 1},
		"file":    {"file", "", 0},
		"收费!AB12": {"收费", "AB", 12},
	} {
		s, c, r := SplitField(in)
		if s != want[0] || c != want[1] || r != want[2] {
			t.Errorf("SplitField(%q) = %q %q %d", in, s, c, r)
		}
	}
}

// V2 at import: a workbook whose implementing body code has a wrong check
// character is refused with the cell named, in both languages (issue #11
// item 5: 114101990051010620 went through to publication; J is right).
func TestImport_V2_badCreditCodeNamesItsCell(t *testing.T) {
	b := export(t, demoList(t))
	bad := "114101990051010620"
	_, err := parse(t, edit(t, b, func(f *excelize.File) {
		base, err := f.GetCellValue(ItemsSheet, cellName(colOf(itemSheet{}, "base_code"), 3))
		if err != nil {
			t.Fatal(err)
		}
		set(t, f, ItemsSheet, cellName(colOf(itemSheet{}, "body.credit_code"), 3), bad)
		set(t, f, ItemsSheet, cellName(colOf(itemSheet{}, "impl_code"), 3), bad+base)
	}))
	cell := ItemsSheet + "!" + cellName(colOf(itemSheet{}, "body.credit_code"), 3)
	var l apperr.List
	if !errors.As(err, &l) {
		t.Fatalf("want the cell named, got %v", err)
	}
	for _, e := range l {
		if e.Field == cell && strings.Contains(e.Message("en"), "expected J") && strings.Contains(e.Message("zh"), "应为J") {
			return
		}
	}
	t.Fatalf("no error at %s naming the check character: %v", cell, err)
}

// TestParse_invalidTextInACellNamed: a cell whose text is not valid text —
// here a NUL, which a workbook can carry as the escape _x0000_ and excelize
// reads back — is named, so it never reaches the database (#11.2).
func TestParse_invalidTextInACellNamed(t *testing.T) {
	cell := cellName(colOf(itemSheet{}, "name"), firstDataRow)
	b := edit(t, export(t, demoList(t)), func(f *excelize.File) { set(t, f, ItemsSheet, cell, "名称NULMARK") })
	b = xlsxtest.Rewrite(t, b, "NULMARK", "_x0000_")
	_, err := parse(t, b)
	for _, f := range fields(t, err) {
		if f != ItemsSheet+"!"+cell {
			t.Errorf("error at %s, want only %s!%s: %v", f, ItemsSheet, cell, err)
		}
	}
	if !strings.Contains(err.Error(), "not valid text") {
		t.Errorf("the cell's problem is not named: %v", err)
	}
}

// TestParse_hugeCellRefusedWithBoundedMemory (#11.9): a file of a few
// hundred kB holding one 240 MB cell is refused naming the file's text as
// over the limit, quickly and allocating a few MB, not gigabytes.
func TestParse_hugeCellRefusedWithBoundedMemory(t *testing.T) {
	data := xlsxtest.HugeCell(t, ItemsSheet, 240<<20)
	var err error
	start := time.Now()
	alloc := xlsxtest.Allocated(func() { _, err = parse(t, data) })
	if got := fields(t, err); len(got) != 1 || got[0] != "file" || !strings.Contains(err.Error(), "64 MB") {
		t.Fatalf("errors at %v: %v", got, err)
	}
	t.Logf("%d kB file refused in %v, %d kB allocated", len(data)>>10, time.Since(start), alloc>>10)
	if alloc > 16<<20 {
		t.Errorf("refusing allocated %d kB", alloc>>10)
	}
}
