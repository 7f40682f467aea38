package documentweb

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// FuzzDocRef: {doc} is a positive id, optionally with .pdf; anything else
// is id 0, which no document has (not found), and nothing panics.
func FuzzDocRef(f *testing.F) {
	for _, s := range []string{"12", "12.pdf", "0", "-3", "12.pdf.pdf", "", ".pdf", "9223372036854775808", "１２", "012", "+12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetPathValue("doc", s)
		id, pdf := docRef(r)
		if pdf != strings.HasSuffix(s, ".pdf") {
			t.Fatalf("%q: pdf %v", s, pdf)
		}
		if id != 0 && strconv.FormatInt(id, 10) != strings.TrimSuffix(s, ".pdf") {
			t.Fatalf("%q read as %d", s, id)
		}
		if id < 0 {
			t.Fatalf("%q read as %d", s, id)
		}
	})
}
