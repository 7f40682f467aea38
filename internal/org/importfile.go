package org

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/xlsxlimit"
)

// The import template (docs/org-import.md): a workbook with the sheets 机构
// (bodies), 单位 (units) and 人员 (staff), or a CSV file with the same tables
// as sections, each opened by a line "[机构]", "[单位]" or "[人员]" and
// followed by its header row. Columns are found by their header, in any order.

// sheetKind names one of the three tables.
type sheetKind int

const (
	sheetBodies sheetKind = iota
	sheetUnits
	sheetStaff
)

type column struct {
	key      string // stable English name, also accepted as header
	zh       string // Chinese header
	required bool
	example  string // first example value, for the template
	help     string // for docs and the instructions sheet (zh / en)
}

type sheetDef struct {
	kind    sheetKind
	zh, en  string
	columns []column
}

var sheetDefs = []sheetDef{
	{sheetBodies, "机构", "bodies", []column{
		{key: "code", zh: "编码", required: true, help: "区划代码，6/9/12 位数字，全库唯一 / division code of 6, 9 or 12 digits, unique"},
		{key: "parent_code", zh: "上级编码", help: "上级机构编码；空表示顶级 / parent body code; empty for a root"},
		{key: "level", zh: "层级", required: true, help: "市、区县、乡镇街道、村社区 / city, district, town, community; below the parent's"},
		{key: "name", zh: "名称", required: true, help: "机构全称 / full name"},
		{key: "time_zone", zh: "时区", help: "默认 Asia/Shanghai / default Asia/Shanghai"},
	}},
	{sheetUnits, "单位", "units", []column{
		{key: "body_code", zh: "机构编码", required: true, help: "所属机构编码（本文件或系统中已有）/ code of its body, in this file or already in the system"},
		{key: "code", zh: "单位编码", required: true, help: "机构内唯一，字母数字 / unique within the body, letters and digits"},
		{key: "kind", zh: "类型", required: true, help: "站所、科室、窗口 / station, section, window"},
		{key: "name", zh: "名称", required: true, help: "单位名称 / unit name"},
	}},
	{sheetStaff, "人员", "staff", []column{
		{key: "body_code", zh: "机构编码", required: true, help: "所属机构编码 / code of their body"},
		{key: "unit_code", zh: "单位编码", help: "所属单位编码（该机构下）；可空 / their unit's code in that body; may be empty"},
		{key: "name", zh: "姓名", required: true, help: "姓名 / name"},
		{key: "phone", zh: "电话", help: "手机 11 位或带区号座机 / mobile (11 digits) or landline with area code"},
		{key: "roles", zh: "角色", required: true, help: "一个或多个，用、或逗号分隔：窗口、站所人员、清单联络员、党政办、监察、外部监督员、领导、管理员、安全管理员、审计管理员、印章管理员 / one or more of " + roleCodes()},
		{key: "is_head", zh: "负责人", help: "是/否：单位负责人，每单位一人 / yes/no: the unit's head, one per unit"},
		{key: "is_liaison", zh: "联络员", help: "是/否：清单联络员，每单位一至二人，须有角色清单联络员 / yes/no: list liaison, one or two per unit, needs role list_liaison"},
		{key: "cert_no", zh: "执法证号", help: "可空；填写则范围与有效期必填 / optional; when given, scope and dates are required"},
		{key: "scope", zh: "执法范围", help: "执法领域，逗号分隔 / enforcement fields, comma-separated"},
		{key: "valid_from", zh: "有效期起", help: "YYYY-MM-DD"},
		{key: "valid_to", zh: "有效期止", help: "YYYY-MM-DD，不早于起始日 / not before valid_from"},
	}},
}

func roleCodes() string {
	var s []string
	for _, r := range access.AllRoles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// MaxImportRows bounds the data rows of one import (all sheets together).
const MaxImportRows = 50000

// maxCell bounds a cell's text: Excel itself stops at 32,767 characters.
const maxCell = 32767

// Cell is where a value came from: sheet, 1-based row (the CSV line) and
// 1-based column.
type Cell struct {
	Sheet  string
	Row    int
	Col    int
	Header string
}

// Ref is the spreadsheet reference, like "人员!C7".
func (c Cell) Ref() string {
	if c.Col <= 0 {
		return fmt.Sprintf("%s!%d", c.Sheet, c.Row)
	}
	name, err := excelize.CoordinatesToCellName(c.Col, c.Row)
	if err != nil { // only for out-of-range columns; fall back to numbers
		return fmt.Sprintf("%s!R%dC%d", c.Sheet, c.Row, c.Col)
	}
	return c.Sheet + "!" + name
}

// cellErr builds the bilingual error for one cell: the Field is its
// reference, the message names the row and column.
func cellErr(c Cell, key string, args ...any) *apperr.Error {
	return cellErrOf(c, msg.M(key, args...))
}

// cellErrOf is cellErr of a message already made (a field's own error).
func cellErrOf(c Cell, m msg.Localized) *apperr.Error {
	col := c.Header
	if col == "" {
		col = strconv.Itoa(c.Col)
	}
	return apperr.Invalidf(c.Ref(), "org.import.cell", c.Sheet, c.Row, col, m)
}

func rowErr(sheet string, row int, key string, args ...any) *apperr.Error {
	return apperr.Invalidf(fmt.Sprintf("%s!%d", sheet, row), "org.import.row", sheet, row, msg.M(key, args...))
}

// BodyRow is one parsed row of 机构.
type BodyRow struct {
	Row        int
	Code       string
	ParentCode string
	Level      Level
	Name       string
	TimeZone   string
	cells      map[string]Cell
}

// UnitRow is one parsed row of 单位.
type UnitRow struct {
	Row      int
	BodyCode string
	Code     string
	Kind     UnitKind
	Name     string
	cells    map[string]Cell
}

// StaffRow is one parsed row of 人员, with an optional qualification.
type StaffRow struct {
	Row       int
	BodyCode  string
	UnitCode  string
	Name      string
	Phone     string
	Roles     []access.Role
	IsHead    bool
	IsLiaison bool
	CertNo    string
	Scope     string
	ValidFrom string
	ValidTo   string
	cells     map[string]Cell
}

// ImportFile is a parsed import file.
type ImportFile struct {
	Bodies []BodyRow
	Units  []UnitRow
	Staff  []StaffRow
	// sheet names as they appeared, for cross-row errors
	sheetName [3]string
}

// Rows is the number of data rows.
func (f *ImportFile) Rows() int { return len(f.Bodies) + len(f.Units) + len(f.Staff) }

// table is a sheet's rows as text, each with its 1-based row number.
type table struct {
	name string
	kind sheetKind
	rows []tableRow
}

type tableRow struct {
	n     int
	cells []string
}

// ParseImport reads an import file: .xlsx when name ends so (or the content is
// a zip), CSV otherwise. It returns every bad cell as an apperr.List; a file
// it cannot read at all is a single Invalid error.
func ParseImport(name string, data []byte) (*ImportFile, error) {
	var tables []table
	var err error
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		tables, err = readXLSX(data)
	} else {
		tables, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	return parseTables(tables)
}

// xlsxLimits keep a zip bomb or a huge cell from exhausting memory: an
// organisation workbook is small.
var xlsxLimits = xlsxlimit.Limits{File: 256 << 20, Part: 64 << 20, Cell: xlsxlimit.CellBytes}

func readXLSX(data []byte) ([]table, error) {
	// Only a zip is an .xlsx: an old .xls or an encrypted workbook (an OLE
	// container, which excelize would try to decrypt) is refused up front.
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, apperr.Invalidf("file", "org.not_an_xlsx_file_save_an")
	}
	// RawCellValue: dates arrive as serial numbers and numbers unformatted,
	// so a long code typed as a number is not shown as 3.3e11.
	f, err := xlsxlimit.Open(data, xlsxLimits, excelize.Options{RawCellValue: true})
	var over *apperr.Error
	if errors.As(err, &over) {
		return nil, over
	}
	if err != nil {
		return nil, apperr.Invalidf("file", "org.cannot_read_the_excel_file_must")
	}
	defer f.Close()
	var tables []table
	for _, sheet := range f.GetSheetList() {
		def, ok := sheetByName(sheet)
		if !ok {
			continue // instructions and other sheets are ignored
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, apperr.Invalidf(sheet, "org.cannot_read_sheet", sheet)
		}
		t := table{name: sheet, kind: def.kind}
		for i, cells := range rows {
			t.rows = append(t.rows, tableRow{n: i + 1, cells: cells})
		}
		tables = append(tables, t)
	}
	if len(tables) == 0 {
		return nil, apperr.Invalidf("file", "org.the_workbook_has_no_sheet_named")
	}
	return tables, nil
}

func sheetByName(s string) (sheetDef, bool) {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "[]【】"))
	for _, d := range sheetDefs {
		if s == d.zh || s == d.en {
			return d, true
		}
	}
	return sheetDef{}, false
}

func readCSV(data []byte) ([]table, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel writes a BOM
	if !utf8.Valid(data) {
		return nil, apperr.Invalidf("file", "org.the_csv_file_must_be_utf")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var tables []table
	var cur *table
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, apperr.Invalidf(fmt.Sprintf("line %d", line), "org.line_malformed_csv", line)
		}
		line, _ := r.FieldPos(0)
		if isBlank(rec) {
			continue
		}
		if def, ok := sectionMarker(rec); ok {
			tables = append(tables, table{name: def.zh, kind: def.kind})
			cur = &tables[len(tables)-1]
			continue
		}
		if cur == nil {
			// No section marker: the whole file is one table, known by its header.
			def, ok := sheetByHeader(rec)
			if !ok {
				return nil, apperr.Invalidf(fmt.Sprintf("line %d", line), "org.line_unknown_header_start_a_section", line)
			}
			tables = append(tables, table{name: def.zh, kind: def.kind})
			cur = &tables[len(tables)-1]
		}
		cur.rows = append(cur.rows, tableRow{n: line, cells: rec})
	}
	if len(tables) == 0 {
		return nil, apperr.Invalidf("file", "org.the_file_is_empty")
	}
	return tables, nil
}

// sectionMarker recognises a CSV line "[人员]" (or "【人员】", "[staff]")
// that opens a section.
func sectionMarker(rec []string) (sheetDef, bool) {
	first := strings.TrimSpace(rec[0])
	if !(strings.HasPrefix(first, "[") || strings.HasPrefix(first, "【")) || !isBlank(rec[1:]) {
		return sheetDef{}, false
	}
	return sheetByName(first)
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// sheetByHeader finds the table whose required headers all appear in rec.
func sheetByHeader(rec []string) (sheetDef, bool) {
	for _, d := range sheetDefs {
		idx := headerIndex(d, rec)
		all := true
		for _, c := range d.columns {
			if c.required {
				if _, ok := idx[c.key]; !ok {
					all = false
				}
			}
		}
		if all {
			return d, true
		}
	}
	return sheetDef{}, false
}

// headerNorm reduces a header cell to the names it offers: "编码(code)*"
// offers "编码" and "code".
func headerNorm(s string) []string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("*", "", " ", "", "\u3000", "", "（", "(", "）", ")").Replace(s)
	var out []string
	if i := strings.IndexByte(s, '('); i >= 0 {
		out = append(out, s[:i], strings.TrimSuffix(s[i+1:], ")"))
	}
	return append(out, s)
}

// headerIndex maps column keys to 0-based positions in a header row.
func headerIndex(d sheetDef, header []string) map[string]int {
	idx := map[string]int{}
	for i, h := range header {
		for _, name := range headerNorm(h) {
			for _, c := range d.columns {
				if _, dup := idx[c.key]; !dup && (name == c.zh || name == c.key) {
					idx[c.key] = i
				}
			}
		}
	}
	return idx
}

func parseTables(tables []table) (*ImportFile, error) {
	f := &ImportFile{}
	var errs apperr.List
	total := 0
	for _, t := range tables {
		def := sheetDefs[t.kind]
		if f.sheetName[t.kind] == "" {
			f.sheetName[t.kind] = t.name
		}
		// The header is the first non-blank row.
		var header tableRow
		rest := t.rows
		for len(rest) > 0 && isBlank(rest[0].cells) {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			continue // an empty sheet imports nothing
		}
		header, rest = rest[0], rest[1:]
		idx := headerIndex(def, header.cells)
		missing := false
		for _, c := range def.columns {
			if _, ok := idx[c.key]; !ok && c.required {
				errs = append(errs, rowErr(t.name, header.n, "org.the_header_lacks_the_required_column", c.zh, c.key))
				missing = true
			}
		}
		if missing {
			continue
		}
		for _, row := range rest {
			if isBlank(row.cells) {
				continue
			}
			total++
			if total > MaxImportRows {
				return nil, apperr.Invalidf("file", "org.more_than_data_rows_split_the", MaxImportRows)
			}
			r := rowReader{sheet: t.name, def: def, idx: idx, row: row, cells: map[string]Cell{}}
			switch t.kind {
			case sheetBodies:
				f.Bodies = append(f.Bodies, r.body())
			case sheetUnits:
				f.Units = append(f.Units, r.unit())
			case sheetStaff:
				f.Staff = append(f.Staff, r.staff())
			}
			errs = append(errs, r.errs...)
		}
	}
	for k := range f.sheetName {
		if f.sheetName[k] == "" {
			f.sheetName[k] = sheetDefs[k].zh
		}
	}
	if total == 0 && len(errs) == 0 {
		return nil, apperr.Invalidf("file", "org.the_file_has_no_data_rows")
	}
	if len(errs) > 0 {
		return f, errs
	}
	return f, nil
}

// rowReader reads the cells of one data row and collects their errors.
type rowReader struct {
	sheet string
	def   sheetDef
	idx   map[string]int
	row   tableRow
	cells map[string]Cell
	errs  apperr.List
}

func (r *rowReader) cell(key string) Cell {
	c := Cell{Sheet: r.sheet, Row: r.row.n}
	for _, col := range r.def.columns {
		if col.key == key {
			c.Header = col.zh
		}
	}
	if i, ok := r.idx[key]; ok {
		c.Col = i + 1
	}
	r.cells[key] = c
	return c
}

// get returns the trimmed text of a column, reporting it when required and
// empty.
func (r *rowReader) get(key string) string {
	c := r.cell(key)
	i, ok := r.idx[key]
	v := ""
	if ok && i < len(r.row.cells) {
		v = strings.TrimSpace(r.row.cells[i])
	}
	// What is stored must be text on both databases (PostgreSQL refuses
	// invalid UTF-8 and NUL), and no longer than an Excel cell holds.
	switch {
	case !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0:
		r.errs = append(r.errs, cellErr(c, "org.contains_invalid_text_not_utf_8"))
		return ""
	case utf8.RuneCountInString(v) > maxCell:
		r.errs = append(r.errs, cellErr(c, "org.longer_than_characters", maxCell))
		return ""
	}
	for _, col := range r.def.columns {
		if col.key == key && col.required && v == "" {
			r.errs = append(r.errs, cellErr(c, "org.missing_required_field"))
		}
	}
	return v
}

func (r *rowReader) add(e *apperr.Error, key string) {
	if e != nil {
		r.errs = append(r.errs, cellErrOf(r.cells[key], e))
	}
}

// code reads a code column; spreadsheets may have turned it into a number
// like "330106001001.0", which is read back as the digits.
func (r *rowReader) code(key string) string {
	v := r.get(key)
	if s, ok := strings.CutSuffix(v, ".0"); ok && s != "" && strings.Trim(s, "0123456789") == "" {
		v = s
	}
	// Some writers store a long number as 3.30106001001E+11.
	if strings.ContainsAny(v, "eE") && strings.Trim(v, "0123456789.eE+") == "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f < 1e15 && f == float64(int64(f)) {
			v = strconv.FormatInt(int64(f), 10)
		}
	}
	return v
}

func (r *rowReader) body() BodyRow {
	b := BodyRow{Row: r.row.n, cells: r.cells}
	if b.Code = r.code("code"); b.Code != "" {
		r.add(checkBodyCode("", b.Code), "code")
	}
	if b.ParentCode = r.code("parent_code"); b.ParentCode != "" {
		r.add(checkBodyCode("", b.ParentCode), "parent_code")
	}
	if lv := r.get("level"); lv != "" {
		var ok bool
		if b.Level, ok = ParseLevel(lv); !ok {
			r.errs = append(r.errs, cellErr(r.cells["level"], "org.level_is_not_city_district_town", clip(lv)))
		}
	}
	if b.Name = r.get("name"); b.Name != "" {
		r.add(checkName("", b.Name), "name")
	}
	b.TimeZone = r.get("time_zone")
	if b.TimeZone == "" {
		b.TimeZone = DefaultTimeZone
	} else {
		r.add(checkTimeZone("", b.TimeZone), "time_zone")
	}
	return b
}

func (r *rowReader) unit() UnitRow {
	u := UnitRow{Row: r.row.n, cells: r.cells}
	if u.BodyCode = r.code("body_code"); u.BodyCode != "" {
		r.add(checkBodyCode("", u.BodyCode), "body_code")
	}
	if u.Code = r.code("code"); u.Code != "" {
		r.add(checkUnitCode("", u.Code), "code")
	}
	if k := r.get("kind"); k != "" {
		var ok bool
		if u.Kind, ok = ParseUnitKind(k); !ok {
			r.errs = append(r.errs, cellErr(r.cells["kind"], "org.kind_is_not_station_section_or", clip(k)))
		}
	}
	if u.Name = r.get("name"); u.Name != "" {
		r.add(checkName("", u.Name), "name")
	}
	return u
}

func (r *rowReader) staff() StaffRow {
	s := StaffRow{Row: r.row.n, cells: r.cells}
	if s.BodyCode = r.code("body_code"); s.BodyCode != "" {
		r.add(checkBodyCode("", s.BodyCode), "body_code")
	}
	if s.UnitCode = r.code("unit_code"); s.UnitCode != "" {
		r.add(checkUnitCode("", s.UnitCode), "unit_code")
	}
	if s.Name = r.get("name"); s.Name != "" {
		r.add(checkName("", s.Name), "name")
	}
	s.Phone = r.code("phone")
	r.add(checkPhone("", s.Phone), "phone")
	if roles := r.get("roles"); roles != "" {
		var bad string
		if s.Roles, bad = ParseRoles(roles); bad != "" {
			r.errs = append(r.errs, cellErr(r.cells["roles"], "org.unknown_role", clip(bad)))
		}
	}
	s.IsHead = r.flag("is_head")
	s.IsLiaison = r.flag("is_liaison")
	s.CertNo = r.get("cert_no")
	s.Scope = r.get("scope")
	from, to := r.get("valid_from"), r.get("valid_to")
	if s.CertNo != "" || s.Scope != "" || from != "" || to != "" {
		if s.CertNo == "" {
			r.errs = append(r.errs, cellErr(r.cells["cert_no"], "org.scope_or_dates_given_without_a"))
		} else if !certNoRe.MatchString(s.CertNo) {
			r.errs = append(r.errs, cellErr(r.cells["cert_no"], "org.certificate_number_must_be_4_32", clip(s.CertNo)))
		}
		if len(splitScope(s.Scope)) == 0 {
			r.errs = append(r.errs, cellErr(r.cells["scope"], "org.scope_is_required_with_a_certificate"))
		}
		s.ValidFrom = r.date("valid_from", from)
		s.ValidTo = r.date("valid_to", to)
		if s.ValidFrom != "" && s.ValidTo != "" && s.ValidTo < s.ValidFrom {
			r.errs = append(r.errs, cellErr(r.cells["valid_to"], "org.valid_to_is_before_valid_from", s.ValidTo, s.ValidFrom))
		}
	}
	return s
}

func (r *rowReader) date(key, v string) string {
	c := r.cells[key]
	if v == "" {
		r.errs = append(r.errs, cellErr(c, "org.required_with_a_certificate"))
		return ""
	}
	if d, ok := parseDate(v); ok {
		return d
	}
	// An Excel date cell read raw is a serial day number.
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 1 && n < 120000 {
		if t, err := excelize.ExcelDateToTime(n, false); err == nil {
			return t.Format("2006-01-02")
		}
	}
	r.errs = append(r.errs, cellErr(c, "org.date_is_not_a_valid_yyyy", clip(v)))
	return ""
}

func (r *rowReader) flag(key string) bool {
	v := strings.ToLower(r.get(key))
	switch v {
	case "", "否", "n", "no", "false", "0", "×":
		return false
	case "是", "y", "yes", "true", "1", "√", "✓":
		return true
	}
	r.errs = append(r.errs, cellErr(r.cells[key], "org.must_be_yes_or_no_not", clip(v)))
	return false
}
