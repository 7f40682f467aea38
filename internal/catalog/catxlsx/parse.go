package catxlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/xlsxlimit"
)

// MaxSize is the largest file Parse reads: a list of a few thousand items
// with all their elements is well under 5 MB, and refusing early keeps a
// junk upload from costing memory.
const MaxSize = 20 << 20

// MaxErrors bounds the error list: past it the file is clearly not the
// template and more rows would only make the answer bigger.
const MaxErrors = 1000

// Unzipped limits: a 20 MB xlsx unzips to a few hundred MB at most; more is
// a zip bomb. No sheet may unzip to more than maxUnzippedXML, no cell's
// XML to more than xlsxlimit.CellBytes: reading a file costs bounded
// memory whatever it holds.
const (
	maxUnzipped    = 512 << 20
	maxUnzippedXML = 64 << 20
)

var limits = xlsxlimit.Limits{File: maxUnzipped, Part: maxUnzippedXML, Cell: xlsxlimit.CellBytes}

// Book is a parsed workbook: the items, and where each of them and each of
// their list entries came from, so later checks (Diff, the draft
// adjustment) can name cells too.
type Book struct {
	Items []catalog.ItemVersion
	where map[string]*origin // by base code
}

// origin is where an item's rows are: its row on 事项 and, for each list
// path ("materials", "steps[2].risks"), the row of each entry.
type origin struct {
	row   int
	lists map[string]*listRows
}

type listRows struct {
	sh   sheet
	rows []int
}

// Parse reads a workbook in the template of Export. It is strict: any bad
// sheet, header or cell, any duplicate or unknown item code and any item
// breaking catalog's rules makes it return nil and an apperr.List naming
// every bad cell as "sheet!cell" (事项!C7) in both languages. size is the
// upload's declared size (-1 if unknown); progress, if not nil, is called
// with rows read so far and an estimate of all rows.
func Parse(r io.Reader, size int64, progress func(done, total int)) ([]catalog.ItemVersion, error) {
	b, err := ParseBook(r, size, progress)
	if err != nil {
		return nil, err
	}
	return b.Items, nil
}

// ParseBook is Parse keeping the items' origins.
func ParseBook(r io.Reader, size int64, progress func(done, total int)) (b *Book, err error) {
	if size > MaxSize {
		return nil, tooBig()
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("catxlsx: read upload: %w", err)
	}
	if len(data) > MaxSize {
		return nil, tooBig()
	}
	switch {
	case len(data) == 0:
		return nil, apperr.List{apperr.New(apperr.Invalid, "file", "catxlsx.the_file_is_empty")}
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, apperr.List{apperr.New(apperr.Invalid, "file", "catxlsx.this_is_an_old_excel_xls")}
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, notXLSX(nil)
	}
	f, err := xlsxlimit.Open(data, limits, excelize.Options{RawCellValue: true})
	var over *apperr.Error
	if errors.As(err, &over) {
		return nil, apperr.List{over}
	}
	if err != nil {
		return nil, notXLSX(err)
	}
	defer func() {
		// Nothing was written; closing only removes temporary files.
		if cerr := f.Close(); cerr != nil && err == nil {
			b, err = nil, fmt.Errorf("catxlsx: close workbook: %w", cerr)
		}
	}()
	p := &parser{f: f, progress: progress, book: &Book{where: map[string]*origin{}}, index: map[string]int{}}
	if progress != nil {
		p.total = estimateRows(data)
	}
	return p.run()
}

func tooBig() error {
	return apperr.List{apperr.New(apperr.Invalid, "file", "catxlsx.the_file_is_larger_than_mb", MaxSize>>20)}
}

func notXLSX(cause error) error {
	e := apperr.New(apperr.Invalid, "file", "catxlsx.the_file_is_not_an_excel")
	e.Err = cause
	return apperr.List{e}
}

// parser holds one import's state.
type parser struct {
	f        *excelize.File
	progress func(done, total int)
	done     int
	total    int
	book     *Book
	index    map[string]int // base code → index in book.Items
	bad      map[string]bool
	errs     []located
	full     bool
}

// located is an error with its sort position.
type located struct {
	sheet, row, col int
	err             *apperr.Error
}

var errFull = errors.New("too many errors")

// add records an error at a cell of sheet si (the whole sheet when row or
// col is 0).
func (p *parser) add(si, row, col int, key string, args ...any) error {
	field := sheets[si].sheetName()
	if row > 0 && col > 0 {
		field += "!" + cellName(col, row)
	}
	return p.addAt(si, row, col, field, key, args...)
}

// addAt records an error with its field. Past MaxErrors it records one
// last note and reports errFull, which stops the reading.
func (p *parser) addAt(si, row, col int, field, key string, args ...any) error {
	if p.full {
		return errFull
	}
	if len(p.errs) >= MaxErrors {
		p.full = true
		p.errs = append(p.errs, located{len(sheets), 0, 0, apperr.New(apperr.Invalid, "file", "catxlsx.more_than_errors_the_rest_are", MaxErrors)})
		return errFull
	}
	p.errs = append(p.errs, located{si, row, col, apperr.New(apperr.Invalid, field, key, args...)})
	return nil
}

func cellName(col, row int) string {
	n, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		// col and row come from our own loops, always ≥ 1.
		return fmt.Sprintf("R%dC%d", row, col)
	}
	return n
}

func (p *parser) run() (*Book, error) {
	cols, err := p.checkSheets()
	if err != nil {
		return nil, err
	}
	if len(p.errs) > 0 {
		return nil, p.list()
	}
	for si, sh := range sheets {
		if err := p.readSheet(si, sh, cols[si]); err != nil {
			if errors.Is(err, errFull) {
				break
			}
			return nil, err
		}
	}
	if !p.full {
		p.validate()
	}
	if p.progress != nil {
		p.progress(p.done, p.done) // the estimate was only an estimate: done is all
	}
	if len(p.errs) > 0 {
		return nil, p.list()
	}
	return p.book, nil
}

// list sorts the errors by sheet, row and column and returns them.
func (p *parser) list() apperr.List {
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i], p.errs[j]
		if a.sheet != b.sheet {
			return a.sheet < b.sheet
		}
		if a.row != b.row {
			return a.row < b.row
		}
		return a.col < b.col
	})
	out := make(apperr.List, len(p.errs))
	for i, e := range p.errs {
		out[i] = e.err
	}
	return out
}

// checkSheets checks the sheet names and both header rows of every data
// sheet, and returns each sheet's column index by key.
func (p *parser) checkSheets() ([]map[string]int, error) {
	present := map[string]bool{}
	for i, name := range p.f.GetSheetList() {
		present[name] = true
		known := name == ReadmeSheet
		for _, sh := range sheets {
			known = known || sh.sheetName() == name
		}
		if !known {
			want := make([]string, len(sheets))
			for k, sh := range sheets {
				want[k] = sh.sheetName()
			}
			if p.addAt(-1, 0, i+1, name, "catxlsx.sheet_is_not_part_of_the", clip(name), strings.Join(want, "、"),
				strings.Join(want, ", ")) != nil {
				return nil, nil
			}
		}
	}
	cols := make([]map[string]int, len(sheets))
	for si, sh := range sheets {
		if !present[sh.sheetName()] {
			if p.add(si, 0, 0, "catxlsx.sheet_is_missing", sh.sheetName(),
				sheetEn(sh)) != nil {
				return nil, nil
			}
			continue
		}
		c, err := p.checkHeader(si, sh)
		if err != nil {
			return nil, err
		}
		cols[si] = c
	}
	return cols, nil
}

// checkHeader reads rows 1–2 of a sheet: every Chinese header of the
// template exactly once, no other, and the English key under each.
func (p *parser) checkHeader(si int, sh sheet) (map[string]int, error) {
	rows, err := p.f.Rows(sh.sheetName())
	if err != nil {
		return nil, p.unreadable(si, err)
	}
	defer rows.Close() //nolint:errcheck // read-only; an error here changes nothing
	var head [2][]string
	for i := 0; i < 2 && rows.Next(); i++ {
		if head[i], err = rows.Columns(); err != nil {
			return nil, p.unreadable(si, err)
		}
	}
	zhs, keys := sh.zhs(), sh.keys()
	want := map[string]int{}
	for i, z := range zhs {
		want[z] = i
	}
	cols := map[string]int{}
	for c, h := range head[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		i, ok := want[h]
		switch {
		case !ok:
			if p.add(si, 1, c+1, "catxlsx.extra_column_the_template_has_no", clip(h)) != nil {
				return nil, nil
			}
		case cols[keys[i]] != 0:
			if p.add(si, 1, c+1, "catxlsx.column_appears_twice", h, keys[i]) != nil {
				return nil, nil
			}
		default:
			cols[keys[i]] = c + 1
			got := ""
			if c < len(head[1]) {
				got = strings.TrimSpace(head[1][c])
			}
			if got != keys[i] {
				if p.add(si, 2, c+1, "catxlsx.row_2_under_must_be_the", h, keys[i],
					clip(got)) != nil {
					return nil, nil
				}
			}
		}
	}
	for i, k := range keys {
		if cols[k] == 0 {
			// A missing column is a problem of the header row, not of A1.
			if p.addAt(si, 1, 0, sh.sheetName()+"!1", "catxlsx.column_is_missing", zhs[i], k) != nil {
				return nil, nil
			}
		}
	}
	if err := rows.Error(); err != nil {
		return nil, p.unreadable(si, err)
	}
	return cols, nil
}

func (p *parser) unreadable(si int, err error) error {
	e := apperr.New(apperr.Invalid, sheets[si].sheetName(), "catxlsx.sheet_cannot_be_read", sheets[si].sheetName())
	e.Err = err
	return apperr.List{e}
}

// readSheet reads the data rows of one sheet into the book.
func (p *parser) readSheet(si int, sh sheet, cols map[string]int) error {
	rows, err := p.f.Rows(sh.sheetName())
	if err != nil {
		return p.unreadable(si, err)
	}
	defer rows.Close() //nolint:errcheck // read-only; an error here changes nothing
	keys := sh.keys()
	zhOf := map[string]string{}
	for i, z := range sh.zhs() {
		zhOf[keys[i]] = z
	}
	row := 0
	for rows.Next() {
		row++
		raw, err := rows.Columns()
		if err != nil {
			return p.unreadable(si, err)
		}
		if row < firstDataRow {
			continue
		}
		p.done++
		if p.progress != nil && p.done%200 == 0 {
			p.progress(p.done, max(p.total, p.done))
		}
		cells := map[string]string{}
		blank := true
		for k, c := range cols {
			if c-1 < len(raw) {
				cells[k] = raw[c-1]
				blank = blank && strings.TrimSpace(raw[c-1]) == ""
			}
		}
		if blank {
			continue // an empty row between groups is harmless
		}
		for k, v := range cells {
			if utf8.RuneCountInString(v) > maxCell || !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				if p.add(si, row, cols[k], "catxlsx.too_long_or_not_valid_text", zhOf[k],
					k) != nil {
					return errFull
				}
				cells[k] = ""
			}
		}
		if err := p.readRow(si, sh, row, cols, zhOf, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return p.unreadable(si, err)
	}
	return nil
}

func (p *parser) readRow(si int, sh sheet, row int, cols map[string]int, zhOf map[string]string, cells map[string]string) error {
	code := strings.TrimSpace(cells[codeKey])
	cellErr := func(key string, m msg.Localized) error {
		if p.bad == nil {
			p.bad = map[string]bool{}
		}
		p.bad[code] = true
		return p.add(si, row, cols[key], "catxlsx.column_error", msg.Both{Zh: zhOf[key], En: key}, m)
	}
	if code == "" {
		return cellErr(codeKey, msg.M("catxlsx.the_item_s_base_code_is"))
	}
	var v *catalog.ItemVersion
	if sh.list() == "" {
		if _, dup := p.index[code]; dup {
			first := p.book.where[code].row
			return cellErr(codeKey, msg.M("catxlsx.base_code_repeats_row", code, first))
		}
		p.book.Items = append(p.book.Items, catalog.ItemVersion{})
		p.index[code] = len(p.book.Items) - 1
		p.book.where[code] = &origin{row: row, lists: map[string]*listRows{}}
		v = &p.book.Items[len(p.book.Items)-1]
	} else {
		i, ok := p.index[code]
		if !ok {
			return p.add(si, row, cols[codeKey], "catxlsx.base_code_there_is_no_item", clip(code))
		}
		v = &p.book.Items[i]
	}
	list, errs := sh.parse(v, cells)
	if len(errs) > 0 {
		keys := make([]string, 0, len(errs))
		for k := range errs {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool { return cols[keys[a]] < cols[keys[b]] })
		for _, k := range keys {
			if err := cellErr(k, errs[k]); err != nil {
				return err
			}
		}
		return nil
	}
	if list != "" {
		o := p.book.where[code]
		lr := o.lists[list]
		if lr == nil {
			lr = &listRows{sh: sh}
			o.lists[list] = lr
		}
		lr.rows = append(lr.rows, row)
	}
	return nil
}

// validate runs catalog's rules on every item whose cells all parsed (an
// item with a bad cell may miss a list entry, which would shift every
// field path after it) and reports each problem at its cell.
func (p *parser) validate() {
	for i := range p.book.Items {
		v := &p.book.Items[i]
		if p.bad[v.BaseCode] {
			continue
		}
		if v.Status == catalog.StatusSuperseded {
			o := p.book.where[v.BaseCode]
			if p.add(0, o.row, colOf(itemSheet{}, "status"), "catxlsx.status_superseded_is_a_history_status") != nil {
				return
			}
			continue
		}
		err := Draft(*v).Validate()
		if err == nil {
			continue
		}
		var list apperr.List
		if !errors.As(err, &list) {
			continue // Validate returns nil or a List; nothing else to place
		}
		for _, e := range list {
			si, row, col := p.book.locate(v.BaseCode, e.Field)
			name := ItemsSheet
			if si >= 0 && si < len(sheets) {
				name = sheets[si].sheetName()
			}
			if p.addAt(si, row, col, name+"!"+cellName(col, row), e.Key, e.Args...) != nil {
				return
			}
		}
	}
}

// Draft returns v as the draft an adjustment would carry: the lifecycle
// elements (version number, publication, end of validity, hash, status)
// belong to publication and are cleared.
func Draft(v catalog.ItemVersion) catalog.ItemVersion {
	d := v.Clone()
	d.Status = catalog.StatusDraft
	d.Version = 0
	d.PublishedAt, d.ValidTo = nil, nil
	d.ContentHash = ""
	return d
}

func colOf(sh sheet, key string) int {
	for i, k := range sh.keys() {
		if k == key {
			return i + 1
		}
	}
	return 0
}

// colFor finds the column a field path (relative to the sheet's record)
// names: the key itself, else the first key below it (online →
// online.guide), else the first data column after the item code.
func colFor(sh sheet, rest string) int {
	if rest != "" {
		if c := colOf(sh, rest); c > 0 {
			return c
		}
		for i, k := range sh.keys() {
			if strings.HasPrefix(k, rest+".") {
				return i + 1
			}
		}
	}
	if sh.list() == "" {
		return 1
	}
	return 2
}

// itemLevel maps the paths of whole lists, which Validate names when one is
// empty or wrong as a whole, to the item's cell that best explains them.
var itemLevel = map[string]string{"fee.items": "fee.charged", "fee": "fee.charged"}

// Cell returns "sheet!cell" for a field path of an item (as Validate or
// catalog.CheckDerived name them: "materials[2].count"), or "" when the
// book does not hold the item.
func (b *Book) Cell(code, path string) string {
	if b.where[code] == nil {
		return ""
	}
	si, row, col := b.locate(code, path)
	return sheets[si].sheetName() + "!" + cellName(col, row)
}

// locate finds the sheet, row and column of an item's field path.
func (b *Book) locate(code, path string) (si, row, col int) {
	o := b.where[code]
	// The longest list path that prefixes path wins: steps[1].risks[0]
	// belongs to 风险点, not to 流程.
	best := ""
	for l := range o.lists {
		if strings.HasPrefix(path, l+"[") && len(l) > len(best) {
			best = l
		}
	}
	if best != "" {
		lr := o.lists[best]
		rest := path[len(best)+1:]
		if j := strings.IndexByte(rest, ']'); j > 0 {
			if n, err := strconv.Atoi(rest[:j]); err == nil && n >= 0 && n < len(lr.rows) {
				sub := strings.TrimPrefix(rest[j+1:], ".")
				return sheetIndex(lr.sh), lr.rows[n], colFor(lr.sh, sub)
			}
		}
	}
	if k, ok := itemLevel[path]; ok {
		path = k
	}
	return 0, o.row, colFor(itemSheet{}, path)
}

func sheetIndex(sh sheet) int {
	for i, s := range sheets {
		if s.sheetName() == sh.sheetName() {
			return i
		}
	}
	return 0
}

// SplitField splits an error field "事项!C7" into sheet, column letters
// and row; a field that names no cell gives row 0.
func SplitField(field string) (sheetName, col string, row int) {
	sheetName, cell, ok := strings.Cut(field, "!")
	if !ok {
		return field, "", 0
	}
	c, r, err := excelize.SplitCellName(cell)
	if err != nil {
		if n, err := strconv.Atoi(cell); err == nil {
			return sheetName, "", n // a header problem of the whole row
		}
		return sheetName, cell, 0
	}
	return sheetName, c, r
}

// estimateRows counts the rows of every worksheet part for the progress
// total: a byte scan for "<row" over the unzipped XML, far cheaper than
// decoding it (streamed files, ours included, record no dimension). It is
// an estimate — the read-me and header rows are counted too — and reads at
// most maxUnzipped bytes.
func estimateRows(data []byte) int {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0 // excelize has read it; an estimate of 0 only hides the total
	}
	budget := int64(maxUnzipped)
	n := 0
	buf := make([]byte, 64<<10)
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") || !strings.HasSuffix(zf.Name, ".xml") || budget <= 0 {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			continue
		}
		var tail []byte
		r := io.LimitReader(rc, budget)
		for {
			k, err := r.Read(buf)
			budget -= int64(k)
			chunk := append(tail, buf[:k]...)
			n += bytes.Count(chunk, []byte("<row ")) + bytes.Count(chunk, []byte("<row>"))
			// Keep the last bytes so a tag split across reads is counted
			// once: they cannot hold a whole "<row " themselves.
			tail = append(tail[:0], chunk[max(len(chunk)-4, 0):]...)
			if err != nil {
				break
			}
		}
		// Only read from; a close error changes nothing.
		_ = rc.Close()
	}
	return max(n-2*len(sheets), 0)
}
