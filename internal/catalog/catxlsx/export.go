package catxlsx

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/catalog"
)

// ExportOptions describe the file being written.
type ExportOptions struct {
	// Title heads the 说明 sheet, e.g. "青山区人民政府 权责清单 2026-11-23".
	Title string
}

// Export writes versions (one body's list; nil for an empty template) as
// an .xlsx workbook in the template of docs/catalog-excel.md. Items are
// written in base code order. Each data sheet is streamed
// (excelize.StreamWriter), so a list of any size costs memory for one
// row at a time plus the zip being built.
func Export(w io.Writer, versions []catalog.ItemVersion, opts ExportOptions) (err error) {
	vs := make([]*catalog.ItemVersion, len(versions))
	for i := range versions {
		vs[i] = &versions[i]
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].BaseCode < vs[j].BaseCode })

	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("catxlsx: close workbook: %w", cerr)
		}
	}()
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	if err != nil {
		return fmt.Errorf("catxlsx: style: %w", err)
	}
	keyStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080", Size: 9}})
	if err != nil {
		return fmt.Errorf("catxlsx: style: %w", err)
	}
	for _, sh := range sheets {
		if _, err := f.NewSheet(sh.sheetName()); err != nil {
			return fmt.Errorf("catxlsx: sheet %s: %w", sh.sheetName(), err)
		}
		sw, err := f.NewStreamWriter(sh.sheetName())
		if err != nil {
			return fmt.Errorf("catxlsx: sheet %s: %w", sh.sheetName(), err)
		}
		if err := writeSheet(sw, sh, vs, head, keyStyle); err != nil {
			return fmt.Errorf("catxlsx: sheet %s: %w", sh.sheetName(), err)
		}
	}
	// The default sheet becomes the read-me, the first tab a user sees.
	if err := f.SetSheetName("Sheet1", ReadmeSheet); err != nil {
		return fmt.Errorf("catxlsx: read-me sheet: %w", err)
	}
	if err := writeReadme(f, opts); err != nil {
		return err
	}
	// The read-me stays the active tab. (SetActiveSheet would decode every
	// streamed sheet back into memory, undoing the streaming.)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("catxlsx: write: %w", err)
	}
	return nil
}

func writeSheet(sw *excelize.StreamWriter, sh sheet, vs []*catalog.ItemVersion, head, keyStyle int) error {
	for i, wd := range sh.widths() {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	// Headers stay in view while scrolling, and so does the item code.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 1, YSplit: 2,
		TopLeftCell: "B3", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	zh, keys := sh.zhs(), sh.keys()
	r1, r2 := make([]any, len(zh)), make([]any, len(keys))
	for i := range zh {
		r1[i] = excelize.Cell{StyleID: head, Value: zh[i]}
		r2[i] = excelize.Cell{StyleID: keyStyle, Value: keys[i]}
	}
	if err := sw.SetRow("A1", r1); err != nil {
		return err
	}
	if err := sw.SetRow("A2", r2); err != nil {
		return err
	}
	row := firstDataRow
	for _, v := range vs {
		for _, cells := range sh.rowsOf(v) {
			addr, err := excelize.CoordinatesToCellName(1, row)
			if err != nil {
				return err
			}
			if err := sw.SetRow(addr, cells); err != nil {
				return err
			}
			row++
		}
	}
	return sw.Flush()
}

// writeReadme fills the 说明 sheet: what the workbook is and how to fill
// it. Import ignores this sheet.
func writeReadme(f *excelize.File, opts ExportOptions) error {
	lines := []string{
		opts.Title,
		"权责清单导入导出模板 / Power & responsibility list template (docs/catalog-excel.md)",
		"第1行为国家政务服务平台要素名称,第2行为英文字段名,第3行起为数据;请勿修改表名和表头。",
		"Row 1: national element names; row 2: English keys; data from row 3. Do not rename sheets or headers.",
		"每个事项在“事项”表占一行;其他表的每一行以“基本编码”归属到事项,行的先后即顺序。",
		"One row per item on 事项; every other sheet's rows belong to an item by 基本编码, in row order.",
		"是/否 列填“是”或“否”;日期填“2024-01-31”或“2024-01-31 09:30:00”(北京时间);金额以分为单位。",
		"Yes/no columns take 是 or 否; dates 2024-01-31 or 2024-01-31 09:30:00 (Beijing time); money in fen.",
		"版本号、失效日期、发布时间、内容摘要由系统填写,导入时不作为修改;导入只生成调整草稿,不会直接发布。",
		"Version, valid-to, published-at and content hash are the system's; import only creates a draft adjustment, never publishes.",
		"",
	}
	for _, sh := range sheets {
		lines = append(lines, sh.sheetName()+" ("+sheetEn(sh)+"): "+strings.Join(sh.zhs(), "、"))
	}
	if err := f.SetColWidth(ReadmeSheet, "A", "A", 120); err != nil {
		return fmt.Errorf("catxlsx: read-me sheet: %w", err)
	}
	for i, l := range lines {
		if err := f.SetCellStr(ReadmeSheet, fmt.Sprintf("A%d", i+1), l); err != nil {
			return fmt.Errorf("catxlsx: read-me sheet: %w", err)
		}
	}
	return nil
}

// sheetEn is a sheet's English name: the list it fills, "items" for 事项.
func sheetEn(sh sheet) string {
	if sh.list() == "" {
		return "items"
	}
	return sh.list()
}
