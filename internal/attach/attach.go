// Package attach is the attachments' domain (issue #15 item 3, #17 item 1,
// #16's order answers): what a file is (content-addressed by SHA-256), what
// it is by its bytes (Sniff: http.DetectContentType and a small magic table
// for PDF, OFD, legacy and zipped office files — never the file's name) and
// whether an item's limits (size, kinds) admit it. Storage, the bucket and
// the scanner hook are attachdb's.
package attach

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Kind is what a file is by its content: "pdf", "ofd", "jpeg", "png",
// "gif", "webp", "bmp", "tiff", "docx", "xlsx", "pptx", "doc" (the legacy
// OLE office formats), "zip", "text"; "" when none of these.
type Kind string

// Kinds a file may be, with their media types (the Content-Type of a
// download).
var mediaTypes = map[Kind]string{
	"pdf":  "application/pdf",
	"ofd":  "application/ofd",
	"jpeg": "image/jpeg",
	"png":  "image/png",
	"gif":  "image/gif",
	"webp": "image/webp",
	"bmp":  "image/bmp",
	"tiff": "image/tiff",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"doc":  "application/x-ole-storage",
	"zip":  "application/zip",
	"text": "text/plain; charset=utf-8",
}

// MediaType is k's media type; application/octet-stream for an unknown kind.
func (k Kind) MediaType() string {
	if t, ok := mediaTypes[k]; ok {
		return t
	}
	return "application/octet-stream"
}

// Valid reports whether k is a kind Sniff can answer.
func (k Kind) Valid() bool { _, ok := mediaTypes[k]; return ok }

// DefaultKinds are the kinds an item accepts when it names none: documents
// and scans (PDF, OFD, images, office files). Plain text, bare zips and
// anything unrecognised are refused.
var DefaultKinds = []Kind{"pdf", "ofd", "jpeg", "png", "gif", "webp", "bmp", "tiff", "docx", "xlsx", "pptx", "doc"}

// Default and hard limits on a file's size. MaxSize bounds every item's
// own limit (and the upload routes' bodies).
const (
	DefaultMaxSize = 10 << 20
	MaxSize        = 20 << 20
	// MaxName bounds a file's name, in characters.
	MaxName = 200
)

var (
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicTIFF = [][]byte{{'I', 'I', 0x2A, 0x00}, {'M', 'M', 0x00, 0x2A}}
)

// Sniff says what data is by its content: the magic table first (PDF, OLE,
// TIFF, and for a zip the names of its entries: OFD.xml for OFD,
// word/, xl/ or ppt/ beside [Content_Types].xml for office files), then
// http.DetectContentType for images and text. "" when it is none of the
// kinds.
func Sniff(data []byte) Kind {
	switch {
	case len(data) == 0:
		return ""
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(data, magicOLE):
		return "doc"
	case bytes.HasPrefix(data, magicTIFF[0]) || bytes.HasPrefix(data, magicTIFF[1]):
		return "tiff"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return sniffZip(data)
	}
	ct := http.DetectContentType(data)
	switch {
	case ct == "image/jpeg":
		return "jpeg"
	case ct == "image/png":
		return "png"
	case ct == "image/gif":
		return "gif"
	case ct == "image/webp":
		return "webp"
	case ct == "image/bmp":
		return "bmp"
	case strings.HasPrefix(ct, "text/plain") && utf8.Valid(data):
		return "text"
	}
	return ""
}

// sniffZip names a zip by its entries: an OFD package has OFD.xml at its
// root; an Office Open XML file has [Content_Types].xml and its part's
// folder. A zip that does not open is not a zip.
func sniffZip(data []byte) Kind {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	var types, word, xl, ppt, ofd bool
	for _, f := range zr.File {
		switch n := f.Name; {
		case n == "OFD.xml":
			ofd = true
		case n == "[Content_Types].xml":
			types = true
		case strings.HasPrefix(n, "word/"):
			word = true
		case strings.HasPrefix(n, "xl/"):
			xl = true
		case strings.HasPrefix(n, "ppt/"):
			ppt = true
		}
	}
	switch {
	case ofd:
		return "ofd"
	case types && word:
		return "docx"
	case types && xl:
		return "xlsx"
	case types && ppt:
		return "pptx"
	}
	return "zip"
}

// Limits are what an item (a material, an evidence slot) accepts. The zero
// value is the defaults.
type Limits struct {
	MaxSize int64  // bytes; 0: DefaultMaxSize; never above MaxSize
	Kinds   []Kind // nil: DefaultKinds
}

// Max is the size limit in force.
func (l Limits) Max() int64 {
	if l.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return min(l.MaxSize, MaxSize)
}

// Allowed is the kinds in force.
func (l Limits) Allowed() []Kind {
	if len(l.Kinds) == 0 {
		return DefaultKinds
	}
	return l.Kinds
}

// File is a checked file: its name as given (cleaned), size, kind and
// SHA-256 (lower-case hex), the key of its bytes in the bucket.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	Kind   Kind   `json:"kind"`
	SHA256 string `json:"sha256"`
}

// Key is the file's key in the bucket: sha256/ab/abcdef….
func Key(sum string) string { return "sha256/" + sum[:2] + "/" + sum }

// Check checks data named name against lim, for the form field field: a
// name, not empty, within the size limit, of an allowed kind by its
// content. The refusal names the field.
func Check(field, name string, data []byte, lim Limits) (File, error) {
	n, err := CleanName(field, name)
	if err != nil {
		return File{}, err
	}
	if len(data) == 0 {
		return File{}, apperr.Invalidf(field, "attach.the_file_is_empty", n)
	}
	if int64(len(data)) > lim.Max() {
		return File{}, apperr.Invalidf(field, "attach.the_file_is_larger_than_this_item_accepts",
			n, apperr.Size(int64(len(data))), apperr.Size(lim.Max()))
	}
	k := Sniff(data)
	allowed := lim.Allowed()
	if k == "" || !slices.Contains(allowed, k) {
		what := string(k)
		if what == "" {
			what = "?"
		}
		return File{}, apperr.Invalidf(field, "attach.the_file_s_content_is_not_an_accepted_kind", n, what, kindList(allowed))
	}
	sum := sha256.Sum256(data)
	return File{Name: n, Size: int64(len(data)), Kind: k, SHA256: hex.EncodeToString(sum[:])}, nil
}

func kindList(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = strings.ToUpper(string(k))
	}
	return strings.Join(s, ", ")
}

// CleanName is a file's name as stored: its last path element (a browser
// may send a whole Windows path), trimmed, valid text of at most MaxName
// characters.
func CleanName(field, name string) (string, error) {
	n := strings.ReplaceAll(name, `\`, "/")
	n = strings.TrimSpace(path.Base(n))
	if n == "." || n == "/" {
		n = ""
	}
	switch {
	case n == "":
		return "", apperr.Invalidf(field, "attach.choose_a_file")
	case !utf8.ValidString(n) || strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", apperr.Invalidf(field, "attach.the_file_name_is_not_valid_text")
	case utf8.RuneCountInString(n) > MaxName:
		return "", apperr.Invalidf(field, "attach.the_file_name_is_longer_than", MaxName)
	}
	return n, nil
}
