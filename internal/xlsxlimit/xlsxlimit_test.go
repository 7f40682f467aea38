package xlsxlimit_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/xlsxlimit"
	"github.com/qingdan/qingdan/internal/xlsxlimit/xlsxtest"
)

var limits = xlsxlimit.Limits{File: 256 << 20, Part: 64 << 20, Cell: xlsxlimit.CellBytes}

// cells writes rows of ordinary cells, one shared string and one inline.
func cells(n int) func(w io.Writer) error {
	return func(w io.Writer) error {
		for r := 1; r <= n; r++ {
			if _, err := fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="s"><v>0</v></c><c r="B%d" t="inlineStr"><is><t>行%d</t></is></c></row>`, r, r, r, r); err != nil {
				return err
			}
		}
		return nil
	}
}

func oneString(w io.Writer) error { _, err := io.WriteString(w, `<si><t>名称</t></si>`); return err }

// open opens data within limits, returning how long it took and what it
// allocated.
func open(t *testing.T, data []byte, lim xlsxlimit.Limits) (error, time.Duration, uint64) {
	t.Helper()
	var err error
	start := time.Now()
	alloc := xlsxtest.Allocated(func() {
		var f *excelize.File
		f, err = xlsxlimit.Open(data, lim, excelize.Options{})
		if f != nil {
			if cerr := f.Close(); cerr != nil {
				t.Error(cerr)
			}
		}
	})
	return err, time.Since(start), alloc
}

func wantField(t *testing.T, err error, field, text string) {
	t.Helper()
	e := apperr.As(err)
	if e.Code != apperr.Invalid || e.Field != field || !strings.Contains(e.Message("zh")+e.Message("en"), text) || e.Message("zh") == "" || e.Message("en") == "" {
		t.Errorf("got %v, want Invalid at %q saying %q", err, field, text)
	}
}

func TestOpen_ordinaryWorkbookOpens(t *testing.T) {
	data := xlsxtest.Book(t, "人员", cells(100), oneString)
	f, err := xlsxlimit.Open(data, limits, excelize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck // read-only
	if v, err := f.GetCellValue("人员", "B7"); err != nil || v != "行7" {
		t.Fatalf("B7 = %q, %v", v, err)
	}
}

// TestOpen_hugeSharedStringRefusedWithBoundedMemory: the file — a
// few hundred kB holding one 240 MB cell — is refused by what its zip
// directory declares, before anything is unzipped: quickly, allocating a
// few MB at most.
func TestOpen_hugeSharedStringRefusedWithBoundedMemory(t *testing.T) {
	data := xlsxtest.HugeCell(t, "人员", 240<<20)
	err, took, alloc := open(t, data, limits)
	wantField(t, err, "file", "240.0 MB")
	t.Logf("%d kB file: refused in %v, %d kB allocated", len(data)>>10, took, alloc>>10)
	if alloc > 8<<20 || took > 2*time.Second {
		t.Errorf("refusing took %v and %d kB", took, alloc>>10)
	}
}

// TestOpen_longCellNamedWithBoundedMemory: a cell over the cell limit in a
// sheet under the part limit is found while streaming and named — its own
// text, or a shared string it shows — never held whole.
func TestOpen_longCellNamedWithBoundedMemory(t *testing.T) {
	long := func(w io.Writer) error { return xlsxtest.Repeat(w, 'x', 20<<20) }
	inline := xlsxtest.Book(t, "人员", func(w io.Writer) error {
		if err := cells(6)(w); err != nil {
			return err
		}
		if _, err := io.WriteString(w, `<row r="7"><c r="A7" t="s"><v>0</v></c><c r="B7" t="inlineStr"><is><t>`); err != nil {
			return err
		}
		if err := long(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, `</t></is></c></row>`)
		return err
	}, oneString)
	shared := xlsxtest.Book(t, "人员", func(w io.Writer) error {
		if err := cells(2)(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, `<row r="3"><c r="C3" t="s"><v>1</v></c></row>`)
		return err
	}, func(w io.Writer) error {
		if err := oneString(w); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "<si><r><t>a</t></r><r><t>"); err != nil {
			return err
		}
		if err := long(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "</t></r></si>")
		return err
	})
	for name, tc := range map[string]struct {
		data  []byte
		field string
	}{"inline": {inline, "人员!B7"}, "shared": {shared, "人员!C3"}} {
		t.Run(name, func(t *testing.T) {
			err, took, alloc := open(t, tc.data, limits)
			wantField(t, err, tc.field, "32,767")
			t.Logf("refused in %v, %d kB allocated", took, alloc>>10)
			if alloc > 8<<20 {
				t.Errorf("refusing allocated %d kB", alloc>>10)
			}
		})
	}
	// Many short runs of rich text add up to one long cell just the same.
	runs := xlsxtest.Book(t, "人员", func(w io.Writer) error {
		_, err := io.WriteString(w, `<row r="1"><c r="D1" t="s"><v>0</v></c></row>`)
		return err
	}, func(w io.Writer) error {
		if _, err := io.WriteString(w, "<si>"); err != nil {
			return err
		}
		for range 40000 {
			if _, err := io.WriteString(w, "<r><t>run of text</t></r>"); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "</si>")
		return err
	})
	err, _, _ := open(t, runs, limits)
	wantField(t, err, "人员!D1", "32,767")
}

// TestOpen_sheetOverThePartLimitNamed: a sheet of many ordinary cells
// that unzips to more than the part limit is refused by its name.
func TestOpen_sheetOverThePartLimitNamed(t *testing.T) {
	data := xlsxtest.Book(t, "事项", cells(20000), oneString)
	small := xlsxlimit.Limits{File: 64 << 20, Part: 1 << 20, Cell: xlsxlimit.CellBytes}
	err, _, _ := open(t, data, small)
	wantField(t, err, "事项", "事项")
	if err, _, _ := open(t, data, limits); err != nil {
		t.Fatalf("under the usual limits: %v", err)
	}
}

// TestOpen_zipThatUnderstatesItsSizeStops: a part whose directory entry
// claims less than it unzips to is refused as damaged as soon as reading
// it passes the claim (archive/zip's check), so it costs what it claimed.
func TestOpen_zipThatUnderstatesItsSizeStops(t *testing.T) {
	honest := xlsxtest.Book(t, "人员", cells(1), oneString)
	zr, err := zip.NewReader(bytes.NewReader(honest), int64(len(honest)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != "xl/sharedStrings.xml" {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// 100 MB of text, claimed to be 1 kB.
		var body bytes.Buffer
		crc := crc32.NewIEEE()
		fw, err := flate.NewWriter(&body, flate.BestSpeed)
		if err != nil {
			t.Fatal(err)
		}
		w := io.MultiWriter(fw, crc)
		if _, err := io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>`); err != nil {
			t.Fatal(err)
		}
		if err := xlsxtest.Repeat(w, 'a', 100<<20); err != nil {
			t.Fatal(err)
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		raw, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(body.Len()), UncompressedSize64: 1 << 10})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Write(body.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	err, took, alloc := open(t, buf.Bytes(), limits)
	wantField(t, err, "file", "damaged")
	t.Logf("%v: refused in %v, %d kB allocated", err, took, alloc>>10)
	if alloc > 8<<20 {
		t.Errorf("refusing allocated %d kB", alloc>>10)
	}
}
