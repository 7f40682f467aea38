package org

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// templateExamples are the example rows of the template: a small district
// with one street, one community, one unit and its people. Importing the
// template unchanged (as the System principal, into an empty database)
// succeeds, which a test checks.
var templateExamples = map[sheetKind][][]string{
	sheetBodies: {
		{"330106", "", "区县", "示例区", "Asia/Shanghai"},
		{"330106001", "330106", "乡镇街道", "示例街道", ""},
		{"330106001001", "330106001", "村社区", "示例社区", ""},
	},
	sheetUnits: {
		{"330106001", "SQFW", "站所", "社区服务站"},
	},
	sheetStaff: {
		{"330106001", "SQFW", "张三", "13800000001", "站所人员", "是", "否", "", "", "", ""},
		{"330106001", "SQFW", "李四", "0571-88880001", "站所人员、清单联络员", "否", "是", "33010600001", "城市管理,市场监管", "2024-01-01", "2028-12-31"},
		{"330106", "", "王五", "", "管理员", "", "", "", "", "", ""},
	},
}

func headerCell(c column) string {
	h := c.zh + "(" + c.key + ")"
	if c.required {
		h += "*"
	}
	return h
}

// WriteTemplate writes the import template, format "xlsx" or "csv", with the
// header of every sheet and example rows. The workbook also has a 说明
// (instructions) sheet describing every column.
func WriteTemplate(w io.Writer, format string) error {
	switch format {
	case "csv":
		return writeCSVTemplate(w)
	case "xlsx":
		return writeXLSXTemplate(w)
	}
	return fmt.Errorf("org: template format %q (want xlsx or csv)", format)
}

func writeCSVTemplate(w io.Writer) error {
	// A BOM so that Excel opens the UTF-8 file with the right encoding.
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for i, d := range sheetDefs {
		if i > 0 {
			if err := cw.Write([]string{""}); err != nil {
				return err
			}
		}
		if err := cw.Write([]string{"[" + d.zh + "]"}); err != nil {
			return err
		}
		var header []string
		for _, c := range d.columns {
			header = append(header, headerCell(c))
		}
		if err := cw.Write(header); err != nil {
			return err
		}
		if err := cw.WriteAll(templateExamples[d.kind]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeXLSXTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const help = "说明"
	if err := f.SetSheetName("Sheet1", help); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	// Codes, phones and dates are text: a spreadsheet must not turn
	// 330106001001 into 3.30106E+11 or a date into a serial number.
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	lines := [][]string{
		{"组织机构导入模板 / Organisation import template"},
		{"每个工作表第一行为表头，列顺序可调整；带 * 的列必填。任何一行有错误时，整个文件都不会导入，错误会按行号和列名列出。"},
		{"The first row of each sheet is its header (columns in any order; * = required). If any row is bad nothing is imported, and every error is listed by row and column."},
		{},
		{"工作表 sheet", "列 column", "必填 required", "说明 description"},
	}
	for _, d := range sheetDefs {
		for _, c := range d.columns {
			req := ""
			if c.required {
				req = "*"
			}
			lines = append(lines, []string{d.zh + " (" + d.en + ")", headerCell(c), req, c.help})
		}
	}
	for i, line := range lines {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		row := make([]any, len(line))
		for j, v := range line {
			row[j] = v
		}
		if err := f.SetSheetRow(help, cell, &row); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(help, "A", "B", 22); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "D", "D", 90); err != nil {
		return err
	}
	for _, d := range sheetDefs {
		if _, err := f.NewSheet(d.zh); err != nil {
			return err
		}
		header := make([]any, len(d.columns))
		for i, c := range d.columns {
			header[i] = headerCell(c)
		}
		if err := f.SetSheetRow(d.zh, "A1", &header); err != nil {
			return err
		}
		last, err := excelize.ColumnNumberToName(len(d.columns))
		if err != nil {
			return err
		}
		if err := f.SetCellStyle(d.zh, "A1", last+"1", bold); err != nil {
			return err
		}
		if err := f.SetColStyle(d.zh, "A:"+last, text); err != nil {
			return err
		}
		if err := f.SetColWidth(d.zh, "A", last, 16); err != nil {
			return err
		}
		for i, ex := range templateExamples[d.kind] {
			row := make([]any, len(ex))
			for j, v := range ex {
				row[j] = v
			}
			if err := f.SetSheetRow(d.zh, fmt.Sprintf("A%d", i+2), &row); err != nil {
				return err
			}
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// TemplateDoc renders the column reference as a Markdown table (kept in
// docs/org-import.md; a test checks the file is current).
func TemplateDoc() string {
	var b strings.Builder
	for _, d := range sheetDefs {
		fmt.Fprintf(&b, "\n### %s (%s)\n\n| column | 必填 required | 说明 / description |\n|---|---|---|\n", d.zh, d.en)
		for _, c := range d.columns {
			req := ""
			if c.required {
				req = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", headerCell(c), req, c.help)
		}
	}
	return b.String()
}
