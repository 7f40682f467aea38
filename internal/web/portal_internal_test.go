package web

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog"
	qrcode "github.com/skip2/go-qrcode"
)

// TestPortalKeysExist: the message keys the portal builds at run time
// (categories, standings, version statuses, change kinds, material enums)
// are in both message files.
func TestPortalKeysExist(t *testing.T) {
	var cat catalogue
	var keys []string
	for _, c := range catalog.Categories {
		keys = append(keys, categoryKey(string(c.Category)))
	}
	for _, s := range []catalog.Standing{catalog.Listed, catalog.Suspended, catalog.Cancelled, catalog.Unknown} {
		keys = append(keys, standingKey(s))
	}
	for _, s := range []catalog.VersionStatus{catalog.StatusDraft, catalog.StatusPublished, catalog.StatusSuperseded, catalog.StatusSuspended, catalog.StatusCancelled} {
		keys = append(keys, "portal.status."+string(s))
	}
	for _, k := range []catalog.AdjustmentKind{catalog.AddItem, catalog.ChangeItem, catalog.SuspendItem, catalog.ReenableItem, catalog.CancelItem} {
		keys = append(keys, "portal.change."+string(k))
	}
	for _, n := range []catalog.Necessity{catalog.Required, catalog.Optional, catalog.Deferrable} {
		keys = append(keys, "guide.necessity."+string(n))
	}
	for _, k := range []catalog.MaterialKind{catalog.Original, catalog.Copy, catalog.OriginalAndCopy} {
		keys = append(keys, "guide.kind."+string(k))
	}
	for _, f := range []catalog.MaterialForm{catalog.Paper, catalog.Electronic, catalog.PaperAndElectronic} {
		keys = append(keys, "guide.form."+string(f))
	}
	for _, s := range []catalog.Source{catalog.FromApplicant, catalog.FromGovernment, catalog.FromOther} {
		keys = append(keys, "guide.source."+string(s))
	}
	for _, k := range keys {
		if !cat.has(k) {
			t.Errorf("the catalogue has no %q", k)
		}
	}
}

// TestQRSVG_moduleCount: the SVG has one unit per module of the bitmap
// (quiet zone included) and draws exactly the dark modules.
func TestQRSVG_moduleCount(t *testing.T) {
	q, err := qrcode.New("http://127.0.0.1:8080/portal/items/42/guide", qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Bitmap()
	svg := string(qrSVG(bm))
	n := len(bm)
	if n != 17+4*q.VersionNumber+8 {
		t.Fatalf("bitmap of %d modules for version %d", n, q.VersionNumber)
	}
	if !strings.Contains(svg, `viewBox="0 0 `+strconv.Itoa(n)+` `+strconv.Itoa(n)+`"`) {
		t.Fatalf("viewBox: %.120s", svg)
	}
	dark := 0
	for _, row := range bm {
		for _, m := range row {
			if m {
				dark++
			}
		}
	}
	drawn := 0
	for _, part := range strings.Split(svg, `<rect x="`)[1:] {
		var x, y, w int
		if _, err := fmt.Sscanf(part, `%d" y="%d" width="%d"`, &x, &y, &w); err != nil {
			t.Fatalf("rect %q: %v", part, err)
		}
		for i := x; i < x+w; i++ {
			if !bm[y][i] {
				t.Fatalf("rect covers light module (%d,%d)", i, y)
			}
		}
		drawn += w
	}
	if drawn != dark {
		t.Errorf("svg draws %d modules, bitmap has %d dark", drawn, dark)
	}
}

// TestPortal_C10_qrCodeUsesThePublicURL (issue #13 item 8): the guide's QR
// code and link go to the configured public address whatever Host the
// request claims; a bad address is refused naming what is wrong.
func TestPortal_C10_qrCodeUsesThePublicURL(t *testing.T) {
	s := &Server{cfg: Config{PublicURL: "https://qingdan.example.gov.cn/"}}
	r := httptest.NewRequest("GET", "/portal/items/36/guide/qr.svg", nil)
	r.Host = "attacker.example"
	if got := s.guideURL(r, 36); got != "https://qingdan.example.gov.cn/portal/items/36/guide" {
		t.Fatalf("guide URL %q", got)
	}
	for _, bad := range []string{"qingdan.example.gov.cn", "ftp://x", "https://", "https://x/?a=1", "https://u@x", "https://x/#f", "::"} {
		if err := CheckPublicURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"http://127.0.0.1:8080", "https://qingdan.example.gov.cn/sub/"} {
		if err := CheckPublicURL(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

// FuzzCheckPublicURL: whatever an operator types, an accepted address is
// an absolute http(s) URL of a host without query, fragment or user.
func FuzzCheckPublicURL(f *testing.F) {
	for _, s := range []string{"https://qingdan.example.gov.cn", "http://127.0.0.1:8080/", "x", "https://u@h", "http://h/?q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckPublicURL(s) != nil {
			return
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("accepted %q", s)
		}
	})
}
