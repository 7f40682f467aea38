package attach_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/attach"
)

// zipOf is a zip holding empty entries with the given names.
func zipOf(t testing.TB, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("<x/>")); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var pngHead = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

func TestSniff_byContentNotName(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want attach.Kind
	}{
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), "pdf"},
		{"png", pngHead, "png"},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "jpeg"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "gif"},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), "tiff"},
		{"doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 64)...), "doc"},
		{"ofd", zipOf(t, "OFD.xml", "Doc_0/Document.xml"), "ofd"},
		{"docx", zipOf(t, "[Content_Types].xml", "word/document.xml"), "docx"},
		{"xlsx", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), "xlsx"},
		{"pptx", zipOf(t, "[Content_Types].xml", "ppt/presentation.xml"), "pptx"},
		{"bare zip", zipOf(t, "a.txt"), "zip"},
		{"text", []byte("申请书：本人……"), "text"},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), ""},
		{"html", []byte("<html><script>alert(1)</script></html>"), ""},
		{"zip header, no zip", []byte("PK\x03\x04garbage"), ""},
		{"empty", nil, ""},
	}
	for _, c := range cases {
		if got := attach.Sniff(c.data); got != c.want {
			t.Errorf("%s: Sniff = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCheck_typeMismatchIsRefusedWhateverTheName(t *testing.T) {
	_, err := attach.Check("file", "证明.pdf", []byte("<html><body>not a pdf</body></html>"), attach.Limits{})
	e := apperr.As(err)
	if e.Code != apperr.Invalid || e.Field != "file" || e.Key != "attach.the_file_s_content_is_not_an_accepted_kind" {
		t.Fatalf("a page named .pdf: %v (%+v), want the kind refused on file", err, e)
	}
	// The other way round: a PDF named .jpg is a PDF.
	f, err := attach.Check("file", `C:\scans\photo.jpg`, []byte("%PDF-1.4 x"), attach.Limits{})
	if err != nil || f.Kind != "pdf" || f.Name != "photo.jpg" || f.Size != 10 || len(f.SHA256) != 64 {
		t.Fatalf("a PDF named .jpg: %+v, %v", f, err)
	}
	if _, err := attach.Check("file", "a.png", pngHead, attach.Limits{Kinds: []attach.Kind{"pdf"}}); apperr.As(err).Field != "file" {
		t.Fatalf("a PNG where only PDF is accepted: %v", err)
	}
}

func TestCheck_oversizedIsRefusedNamingTheField(t *testing.T) {
	data := append([]byte("%PDF-1.4\n"), make([]byte, 2<<20)...)
	_, err := attach.Check("evidence", "big.pdf", data, attach.Limits{MaxSize: 1 << 20})
	e := apperr.As(err)
	if e.Code != apperr.Invalid || e.Field != "evidence" || e.Key != "attach.the_file_is_larger_than_this_item_accepts" {
		t.Fatalf("2 MB over a 1 MB limit: %v", err)
	}
	if !strings.Contains(e.Message("en"), "1 MB") || !strings.Contains(e.Message("zh"), "1 MB") {
		t.Fatalf("the message does not name the limit: %q / %q", e.Message("en"), e.Message("zh"))
	}
	if _, err := attach.Check("evidence", "big.pdf", data, attach.Limits{}); err != nil {
		t.Fatalf("2 MB within the default limit: %v", err)
	}
	if got := (attach.Limits{MaxSize: 1 << 40}).Max(); got != attach.MaxSize {
		t.Fatalf("an item's limit above the hard one: %d", got)
	}
}

func TestCheck_emptyAndNamelessAreRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		key  string
	}{
		{"", []byte("%PDF-"), "attach.choose_a_file"},
		{"a.pdf", nil, "attach.the_file_is_empty"},
		{"a\x01.pdf", []byte("%PDF-"), "attach.the_file_name_is_not_valid_text"},
		{strings.Repeat("名", 201), []byte("%PDF-"), "attach.the_file_name_is_longer_than"},
	} {
		if _, err := attach.Check("file", c.name, c.data, attach.Limits{}); apperr.As(err).Key != c.key {
			t.Errorf("%q: %v, want %s", c.name, err, c.key)
		}
	}
}

// FuzzSniff: whatever the bytes, Sniff answers without panicking, a kind
// it knows or none, and Check admits only what Sniff named and the limits
// allow.
func FuzzSniff(f *testing.F) {
	for _, s := range [][]byte{[]byte("%PDF-1.7"), pngHead, zipOf(f, "OFD.xml"), zipOf(f, "[Content_Types].xml", "word/x"),
		[]byte("PK\x03\x04"), {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, []byte("II*\x00"), []byte("文本"), {}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k := attach.Sniff(data)
		if k != "" && !k.Valid() {
			t.Fatalf("Sniff = %q, not a kind", k)
		}
		file, err := attach.Check("file", "x.bin", data, attach.Limits{})
		if err != nil {
			if apperr.As(err).Code != apperr.Invalid || apperr.As(err).Field != "file" {
				t.Fatalf("Check refused with %v", err)
			}
			return
		}
		if file.Kind != k || k == "" || k == "text" || k == "zip" || file.Size != int64(len(data)) {
			t.Fatalf("Check admitted %+v (Sniff %q)", file, k)
		}
	})
}
