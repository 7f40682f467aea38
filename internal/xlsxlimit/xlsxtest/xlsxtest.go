// Package xlsxtest builds workbooks that no spreadsheet program writes, for
// tests of the importers' limits: a huge text built while streaming (so the
// test itself stays small), or a workbook with a part rewritten.
package xlsxtest

import (
	"archive/zip"
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
)

// Book returns a workbook with one sheet named sheet. rows writes the
// inside of the sheet's <sheetData> and shared the inside of the shared
// strings' <sst> (nil: nothing), streamed through the zip's compressor.
func Book(t testing.TB, sheet string, rows, shared func(w io.Writer) error) []byte {
	t.Helper()
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	parts := []struct {
		name       string
		head, tail string
		body       func(w io.Writer) error
	}{
		{name: "[Content_Types].xml", head: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{name: "_rels/.rels", head: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{name: "xl/workbook.xml", head: `<?xml version="1.0" encoding="UTF-8"?><workbook ` + ns + ` xmlns:r="` + rel + `">` +
			`<sheets><sheet name="` + sheet + `" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{name: "xl/_rels/workbook.xml.rels", head: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + rel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{name: "xl/worksheets/sheet1.xml", head: `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + ns + `><sheetData>`,
			tail: `</sheetData></worksheet>`, body: rows},
		{name: "xl/sharedStrings.xml", head: `<?xml version="1.0" encoding="UTF-8"?><sst ` + ns + `>`, tail: `</sst>`, body: shared},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.head); err != nil {
			t.Fatal(err)
		}
		if p.body != nil {
			if err := p.body(w); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := io.WriteString(w, p.tail); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// HugeCell returns a workbook with one sheet whose cell A1 shows a shared
// string of n bytes: the file (#11.9) for n = 240 MB, a few
// hundred kB compressed, built without holding the text.
func HugeCell(t testing.TB, sheet string, n int64) []byte {
	t.Helper()
	return Book(t, sheet, func(w io.Writer) error {
		_, err := io.WriteString(w, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)
		return err
	}, func(w io.Writer) error {
		if _, err := io.WriteString(w, "<si><t>"); err != nil {
			return err
		}
		if err := Repeat(w, 'a', n); err != nil {
			return err
		}
		_, err := io.WriteString(w, "</t></si>")
		return err
	})
}

// Repeat writes n copies of c, a block at a time.
func Repeat(w io.Writer, c byte, n int64) error {
	block := bytes.Repeat([]byte{c}, 64<<10)
	for n > 0 {
		k := min(n, int64(len(block)))
		if _, err := w.Write(block[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// Rewrite returns the workbook with old replaced by new in every part: how
// a test puts into a cell what no spreadsheet program writes (an XML
// escape such as _x0000_, which excelize reads back as a NUL).
func Rewrite(t testing.TB, data []byte, old, new string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.Close(); err != nil {
			t.Fatal(err)
		}
		if s := string(b); strings.Contains(s, old) {
			found = true
			b = []byte(strings.ReplaceAll(s, old, new))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("no part of the workbook holds %q", old)
	}
	return buf.Bytes()
}

// Allocated returns the bytes fn allocated on the heap (all of them, freed
// or not): what reading a file cost at most.
func Allocated(fn func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
