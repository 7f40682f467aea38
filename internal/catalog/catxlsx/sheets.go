package catxlsx

import (
	"github.com/qingdan/qingdan/internal/catalog"
)

// sheet is what export and import need of every data sheet, whatever the
// type of its records.
type sheet interface {
	sheetName() string
	// list is the JSON path of the ItemVersion list the rows fill
	// ("materials"; "steps.risks" for the per-step lists). The item sheet's
	// is "".
	list() string
	keys() []string // English header row
	zhs() []string  // Chinese header row
	widths() []float64
	// rowsOf renders an item's rows for export.
	rowsOf(v *catalog.ItemVersion) [][]any
	// parse turns one data row (cells by key) into a record and attaches
	// it to v. It returns the list path the record went into, or the bad
	// cells by key.
	parse(v *catalog.ItemVersion, cells map[string]string) (list string, bad map[string]*cellError)
}

// sheets are the template's data sheets in workbook order. Steps come
// before risk and check points so those can find their step.
var sheets = []sheet{
	itemSheet{},
	conditionsSheet,
	materialsSheet,
	feesSheet,
	basesSheet,
	stepsSheet,
	risksSheet,
	checksSheet,
	dutiesSheet,
	accountabilitySheet,
}

// codeKey and codeZh head column A of every sheet: the item's 基本编码.
const (
	codeKey = "base_code"
	codeZh  = "基本编码"
)

type itemSheet struct{}

func (itemSheet) sheetName() string { return ItemsSheet }
func (itemSheet) list() string      { return "" }
func (itemSheet) keys() []string {
	out := make([]string, len(itemColumns))
	for i, c := range itemColumns {
		out[i] = c.key
	}
	return out
}
func (itemSheet) zhs() []string {
	out := make([]string, len(itemColumns))
	for i, c := range itemColumns {
		out[i] = c.zh
	}
	return out
}
func (itemSheet) widths() []float64 {
	out := make([]float64, len(itemColumns))
	for i, c := range itemColumns {
		out[i] = c.width
	}
	return out
}
func (itemSheet) rowsOf(v *catalog.ItemVersion) [][]any {
	row := make([]any, len(itemColumns))
	for i, c := range itemColumns {
		row[i] = c.get(v)
	}
	return [][]any{row}
}
func (itemSheet) parse(v *catalog.ItemVersion, cells map[string]string) (string, map[string]*cellError) {
	var errs map[string]*cellError
	for _, c := range itemColumns {
		if err := c.set(v, cells[c.key]); err != nil {
			if errs == nil {
				errs = map[string]*cellError{}
			}
			errs[c.key] = err
		}
	}
	return "", errs
}

func (c child[T]) sheetName() string { return c.name }
func (c child[T]) list() string      { return c.en }
func (c child[T]) keys() []string {
	out := []string{codeKey}
	for _, col := range c.cols {
		out = append(out, col.key)
	}
	return out
}
func (c child[T]) zhs() []string {
	out := []string{codeZh}
	for _, col := range c.cols {
		out = append(out, col.zh)
	}
	return out
}
func (c child[T]) widths() []float64 {
	out := []float64{14}
	for _, col := range c.cols {
		out = append(out, col.width)
	}
	return out
}
func (c child[T]) rowsOf(v *catalog.ItemVersion) [][]any {
	var out [][]any
	for _, t := range c.rows(v) {
		row := []any{v.BaseCode}
		for _, col := range c.cols {
			row = append(row, col.get(&t))
		}
		out = append(out, row)
	}
	return out
}
func (c child[T]) parse(v *catalog.ItemVersion, cells map[string]string) (string, map[string]*cellError) {
	var t T
	var errs map[string]*cellError
	for _, col := range c.cols {
		if err := col.set(&t, cells[col.key]); err != nil {
			if errs == nil {
				errs = map[string]*cellError{}
			}
			errs[col.key] = err
		}
	}
	if errs != nil {
		return "", errs
	}
	list, badCol, err := c.add(v, t)
	if err != nil {
		return "", map[string]*cellError{badCol: err}
	}
	return list, nil
}
