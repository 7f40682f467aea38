package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

// QR codes of service guides (C10). The code holds the guide page's
// absolute URL, built from the request's host: behind a proxy, the proxy
// must pass the public Host (and X-Forwarded-Proto when a client IP header
// is configured, i.e. the proxy is trusted).

// qrPNGScale is the PNG's pixels per module: whole pixels keep every module
// square and sharp; 10 gives about 400 px for a guide URL, plenty for print.
const qrPNGScale = 10

func (s *Server) guideURL(r *http.Request, itemID int64) string {
	scheme := "http"
	if r.TLS != nil || (s.cfg.ClientIPHeader != "" && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/portal/items/" + strconv.FormatInt(itemID, 10) + "/guide"
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
