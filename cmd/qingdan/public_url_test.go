package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// TestServe_C10_guideLinksUseThePublicURL (issue #13 item 8): with
// --public-url set, the service guide prints, and its QR code holds, the
// public address, whatever Host the request names; a bad --public-url is
// refused at start naming the flag.
func TestServe_C10_guideLinksUseThePublicURL(t *testing.T) {
	a, srv := demoAppWith(t, slog.New(slog.NewTextHandler(io.Discard, nil)), func(c *serveConfig) { c.publicURL = "https://qingdan.example.gov.cn" })
	var id string
	if err := a.db.QueryRow(t.Context(), `SELECT CAST(MIN(id) AS TEXT) FROM catalog_items WHERE standing = 'listed'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("GET", srv.URL+"/portal/items/"+id+"/guide", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "attacker.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("guide: %d %v", resp.StatusCode, err)
	}
	if want := "https://qingdan.example.gov.cn/portal/items/" + id + "/guide"; !strings.Contains(string(body), want) || strings.Contains(string(body), "attacker.example") {
		t.Fatalf("the guide does not give %s (or names the request's Host)", want)
	}

	_, stderr := runQingdan(t, 2, "serve", "--public-url", "qingdan.example.gov.cn")
	if !strings.Contains(stderr, "--public-url") {
		t.Fatalf("a bad --public-url said %q", stderr)
	}
}
