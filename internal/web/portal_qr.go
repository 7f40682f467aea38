package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR codes of service guides (C10). The code holds the guide page's
// absolute URL at the site's public address (Config.PublicURL, serve
// --public-url), never one built from the request's Host header, which the
// client chooses: a printed code must lead to the real site.

// qrPNGScale is the PNG's pixels per module: whole pixels keep every module
// square and sharp; 10 gives about 400 px for a guide URL, plenty for print.
const qrPNGScale = 10

// CheckPublicURL refuses a public address that is not an absolute http or
// https URL of a host, or that carries a query or fragment.
func CheckPublicURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("不是有效的网址 / not a valid URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("须以 http:// 或 https:// 开头 / must start with http:// or https:// (%q)", s)
	case u.Host == "" || u.User != nil:
		return fmt.Errorf("须写明主机名且不含用户名 / must name a host, without a user (%q)", s)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return fmt.Errorf("不能带查询参数或锚点 / must not carry a query or fragment (%q)", s)
	}
	return nil
}

func (s *Server) guideURL(r *http.Request, itemID int64) string {
	path := "/portal/items/" + strconv.FormatInt(itemID, 10) + "/guide"
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/") + path
	}
	scheme := "http"
	if r.TLS != nil || (s.cfg.ClientIPHeader != "" && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// guideQR encodes the guide's URL; only an existing published item gets one.
func (s *Server) guideQR(w http.ResponseWriter, r *http.Request) (*qrcode.QRCode, int64, bool) {
	it, err := s.loadPortalItem(r)
	if err != nil {
		s.fail(w, r, err)
		return nil, 0, false
	}
	q, err := qrcode.New(s.guideURL(r, it.ID), qrcode.Medium)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: guide QR: %w", err))
		return nil, 0, false
	}
	return q, it.ID, true
}

func (s *Server) portalQRPNG(w http.ResponseWriter, r *http.Request) {
	q, id, ok := s.guideQR(w, r)
	if !ok {
		return
	}
	png, err := q.PNG(-qrPNGScale) // negative: pixels per module
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: guide QR: %w", err))
		return
	}
	writeQR(w, r, "image/png", fmt.Sprintf("guide-%d.png", id), png)
}

func (s *Server) portalQRSVG(w http.ResponseWriter, r *http.Request) {
	q, id, ok := s.guideQR(w, r)
	if !ok {
		return
	}
	writeQR(w, r, "image/svg+xml", fmt.Sprintf("guide-%d.svg", id), qrSVG(q.Bitmap()))
}

// writeQR sends an image; ?download=1 makes the browser save it.
func writeQR(w http.ResponseWriter, r *http.Request, ctype, name string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	// private: the code holds the request's host, which a shared cache must
	// not hand to others.
	w.Header().Set("Cache-Control", "private, max-age=3600")
	if r.URL.Query().Get("download") == "1" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	_, _ = w.Write(body) // a client gone mid-image needs no handling
}

// qrSVG draws a QR bitmap (quiet zone included, true = dark) as SVG: one
// unit per module, each horizontal run of dark modules one rect, so the
// file stays small and scales to any print size without blurring.
func qrSVG(bm [][]bool) []byte {
	n := len(bm)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`, n, n, n*8, n*8)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><g fill="#000">`, n, n)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="1"/>`, start, y, x-start)
		}
	}
	b.WriteString(`</g></svg>`)
	return b.Bytes()
}
