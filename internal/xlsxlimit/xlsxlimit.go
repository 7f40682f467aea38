// Package xlsxlimit opens an uploaded workbook (.xlsx) within limits, so
// that reading it costs bounded memory whatever the file holds (issue #11
// item 9: a 0.25 MB file holding one 240 MB cell took a server to gigabytes,
// since excelize reads a sheet's shared strings and each cell whole).
//
// An .xlsx is a zip of XML parts. Before excelize sees the file, Open reads
// the zip's directory — the sizes every part unzips to, which archive/zip
// then holds each part to — and streams the sheets and the shared strings
// (the table where a workbook keeps its cells' text) through an XML
// tokenizer that never holds more than one cell's worth of text. A file,
// a part or a cell over its limit is an apperr Invalid error naming it in
// both languages: the sheet ("人员"), the cell ("人员!B7") or the file.
package xlsxlimit

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Limits bound an upload, in bytes unzipped.
type Limits struct {
	// File bounds the whole workbook.
	File int64
	// Part bounds one sheet, and the shared strings (all sheets' text).
	Part int64
	// Cell bounds one cell's XML. Excel itself stops at 32,767 characters
	// a cell, at most 4 bytes each in UTF-8: CellBytes leaves room for the
	// markup and escapes around them.
	Cell int64
}

// CellBytes is the usual Limits.Cell.
const CellBytes = 256 << 10

// Open checks data against lim and opens it with excelize under the same
// limits (opts' own limits are replaced). A file over a limit is an
// *apperr.Error; a file excelize cannot read is its error, for the caller
// to word.
func Open(data []byte, lim Limits, opts excelize.Options) (*excelize.File, error) {
	if err := Check(data, lim); err != nil {
		return nil, err
	}
	opts.UnzipSizeLimit, opts.UnzipXMLSizeLimit = lim.File, lim.Part
	return excelize.OpenReader(bytes.NewReader(data), opts)
}

// Check refuses a workbook over lim, naming what is too large. What is not
// a readable zip or XML passes: excelize refuses it next, in its words.
func Check(data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	var total uint64
	for _, f := range zr.File {
		total += min(f.UncompressedSize64, uint64(lim.File)+1) // no overflow
	}
	if total > uint64(lim.File) {
		return apperr.Invalidf("file", "xlsxlimit.the_file_unzips_to_over_the", apperr.Size(int64(total)), apperr.Size(lim.File))
	}
	names := sheetNames(zr, lim.Part)
	bigString := -1 // the first shared string over the cell limit
	for _, f := range zr.File {
		if partName(f) != "xl/sharedstrings.xml" {
			continue
		}
		if f.UncompressedSize64 > uint64(lim.Part) {
			return apperr.Invalidf("file", "xlsxlimit.the_workbook_s_text_unzips_to", apperr.Size(int64(f.UncompressedSize64)), apperr.Size(lim.Part))
		}
		if bigString, err = scanStrings(f, lim.Cell); err != nil {
			return err
		}
	}
	for _, f := range zr.File {
		name := partName(f)
		if !strings.HasPrefix(name, "xl/worksheets/sheet") {
			continue
		}
		sheet := names[name]
		if sheet == "" {
			sheet = f.Name
		}
		if f.UncompressedSize64 > uint64(lim.Part) {
			return apperr.Invalidf(sheet, "xlsxlimit.sheet_unzips_to_over_the_limit", sheet, apperr.Size(int64(f.UncompressedSize64)), apperr.Size(lim.Part))
		}
		cell, over, err := scanSheet(f, lim.Cell, bigString)
		if err != nil {
			return err
		}
		if over {
			return cellTooLarge(sheet, cell, lim.Cell)
		}
	}
	if bigString >= 0 {
		// No cell shows it, yet excelize would read it all the same.
		return cellTooLarge("", "", lim.Cell)
	}
	return nil
}

// cellTooLarge names the cell (or, for a text no cell shows, the sheet or
// the file) holding a text over limit.
func cellTooLarge(sheet, cell string, limit int64) error {
	size := apperr.Size(limit)
	switch {
	case sheet == "":
		return apperr.Invalidf("file", "xlsxlimit.the_workbook_holds_a_text_over", size)
	case cell == "":
		return apperr.Invalidf(sheet, "xlsxlimit.sheet_holds_a_text_over", sheet, size)
	}
	field := sheet + "!" + cell
	return apperr.Invalidf(field, "xlsxlimit.cell_holds_more_than", field, size)
}

// partName is a part's name as excelize matches it.
func partName(f *zip.File) string {
	return strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
}

// sheetNames maps each worksheet part ("xl/worksheets/sheet1.xml") to its
// sheet's name, from the workbook and its relationships. Whatever cannot
// be read maps nothing: the part's own name is used then.
func sheetNames(zr *zip.Reader, limit int64) map[string]string {
	ids := map[string]string{} // relationship id → sheet name
	targets := map[string]string{}
	for _, f := range zr.File {
		switch partName(f) {
		case "xl/workbook.xml":
			eachElement(f, limit, "sheet", func(attr map[string]string) { ids[attr["id"]] = attr["name"] })
		case "xl/_rels/workbook.xml.rels":
			eachElement(f, limit, "Relationship", func(attr map[string]string) { targets[attr["Id"]] = attr["Target"] })
		}
	}
	names := map[string]string{}
	for id, name := range ids {
		t := targets[id]
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "/") {
			t = t[1:]
		} else {
			t = path.Join("xl", t)
		}
		names[strings.ToLower(t)] = name
	}
	return names
}

// eachElement calls fn with the attributes (by local name) of every
// element named local in a small part.
func eachElement(f *zip.File, limit int64, local string, fn func(map[string]string)) {
	if f.UncompressedSize64 > uint64(limit) {
		return
	}
	rc, err := f.Open()
	if err != nil {
		return
	}
	defer rc.Close() //nolint:errcheck // read-only
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.RawToken()
		if err != nil {
			return
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == local {
			attr := map[string]string{}
			for _, a := range se.Attr {
				attr[a.Name.Local] = a.Value
			}
			fn(attr)
		}
	}
}

// errLongText stops a scan at a text longer than a cell may be.
var errLongText = errors.New("xlsxlimit: text over the cell limit")

// runGuard fails once more than max bytes pass without a '<': the XML
// tokenizer behind it never gathers a longer text.
type runGuard struct {
	r   io.Reader
	max int64
	run int64
}

func (g *runGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for rest := p[:n]; ; {
		i := bytes.IndexByte(rest, '<')
		if i < 0 {
			g.run += int64(len(rest))
			break
		}
		if g.run+int64(i) > g.max {
			return n, errLongText
		}
		g.run, rest = 0, rest[i+1:]
	}
	if g.run > g.max {
		return n, errLongText
	}
	return n, err
}

// tokens streams a part's XML tokens to fn until fn says stop or the part
// ends; over reports a text longer than limit. A part that unzips to more
// (or other) than the zip's directory says is a damaged file — excelize
// would quietly cut it where the directory says; a part that is not
// readable XML ends the scan quietly: excelize refuses it next.
func tokens(f *zip.File, limit int64, fn func(d *xml.Decoder, tok xml.Token) (stop bool)) (over bool, err error) {
	rc, err := f.Open()
	if err != nil {
		return false, damaged(err)
	}
	defer rc.Close() //nolint:errcheck // read-only
	d := xml.NewDecoder(&runGuard{r: rc, max: limit})
	for {
		tok, err := d.RawToken()
		switch {
		case errors.Is(err, errLongText):
			return true, nil
		case err != nil:
			return false, damaged(err)
		}
		if fn(d, tok) {
			return false, nil
		}
	}
}

// damaged is the refusal of a zip whose part does not unzip as its
// directory says; nil for any other error.
func damaged(err error) error {
	if !errors.Is(err, zip.ErrFormat) && !errors.Is(err, zip.ErrChecksum) && !errors.Is(err, zip.ErrAlgorithm) {
		return nil
	}
	e := apperr.Invalidf("file", "xlsxlimit.the_file_is_damaged_its_zip")
	e.Err = err
	return e
}

// scanStrings returns the index of the first shared string over limit
// bytes, or -1.
func scanStrings(f *zip.File, limit int64) (int, error) {
	index, big := -1, -1
	var start int64
	over, err := tokens(f, limit, func(d *xml.Decoder, tok xml.Token) bool {
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "si" {
				index++
				start = d.InputOffset()
			}
		case xml.EndElement:
			if t.Name.Local == "si" && d.InputOffset()-start > limit {
				big = index
				return true
			}
		}
		return false
	})
	if over {
		big = index
	}
	return big, err
}

// scanSheet finds the first cell of a sheet whose XML is over limit bytes
// or that shows the shared string bigString (-1: none): its reference
// ("B7"; "" when the long text is outside any cell) and true.
func scanSheet(f *zip.File, limit int64, bigString int) (string, bool, error) {
	var (
		row, col    int
		ref, typ    string
		inCell, inV bool
		start       int64
		found       bool
	)
	over, err := tokens(f, limit, func(d *xml.Decoder, tok xml.Token) bool {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row, col = attrInt(t, "r", row+1), 0
			case "c":
				inCell, start, typ, ref = true, d.InputOffset(), attr(t, "t"), attr(t, "r")
				if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
					col, row = c, r
				} else {
					// A cell may leave out its reference: it follows the last.
					// col and row are at least 1, which the name needs.
					col++
					ref, _ = excelize.CoordinatesToCellName(col, max(row, 1)) //nolint:errcheck // see above
				}
			case "v":
				inV = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "c":
				inCell = false
				if d.InputOffset()-start > limit {
					found = true
				}
			case "v":
				inV = false
			}
		case xml.CharData:
			if inCell && inV && typ == "s" && bigString >= 0 {
				if n, err := strconv.Atoi(strings.TrimSpace(string(t))); err == nil && n == bigString {
					found = true
				}
			}
		}
		return found
	})
	switch {
	case err != nil:
		return "", false, err
	case over && !inCell:
		return "", true, nil
	case over, found:
		return ref, true, nil
	}
	return "", false, nil
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func attrInt(se xml.StartElement, local string, def int) int {
	if n, err := strconv.Atoi(attr(se, local)); err == nil && n > 0 {
		return n
	}
	return def
}
