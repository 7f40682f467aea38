package document_test

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// serveDocument serves a completion certificate as the application would:
// the page with its stylesheet linked, under the site's content security
// policy (no inline style, no script).
func serveDocument(t *testing.T) string {
	t.Helper()
	tp, err := document.Default(casework.CompletionVoucher, "zh")
	if err != nil {
		t.Fatal(err)
	}
	r, err := document.Render(document.Input{Template: tp, Data: document.Sample(casework.CompletionVoucher, "zh"), Seal: &seal})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/doc", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if _, err := w.Write(r.HTML("/document.css")); err != nil {
			t.Errorf("serving the page: %v", err)
		}
	})
	mux.HandleFunc("/document.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		if _, err := w.Write(document.Stylesheet); err != nil {
			t.Errorf("serving the stylesheet: %v", err)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/doc"
}

// TestBrowser_H7_H8_completionCertificatePrintsOnA4WithTheSeal: Chromium
// shows the certificate as a sheet with the seal over the sign-off, prints
// it on one A4 page with the print stylesheet applied, and at phone width
// shows it without a horizontal scroll.
func TestBrowser_H7_H8_completionCertificatePrintsOnA4WithTheSeal(t *testing.T) {
	url := serveDocument(t)
	ctx := browsertest.New(t, 1200, 1400)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(".seal svg"))); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) float64 {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	sealW := eval(`document.querySelector('.seal svg').getBoundingClientRect().width`)
	sealH := eval(`document.querySelector('.seal svg').getBoundingClientRect().height`)
	overlaps := eval(`(() => { const s = document.querySelector('.seal').getBoundingClientRect(), d = document.querySelector('.sign').getBoundingClientRect();
		return s.left < d.right && s.right > d.left && s.top < d.bottom && s.bottom > d.top ? 1 : 0 })()`)
	// 42 mm at 96 px per inch is 158.7 px.
	if math.Abs(sealW-158.7) > 2 || math.Abs(sealH-158.7) > 2 || overlaps != 1 {
		t.Errorf("seal %.1f×%.1f px, over the sign-off %v; want 42 mm over it", sealW, sealH, overlaps)
	}
	if dir := os.Getenv("QINGDAN_SCREENSHOTS"); dir != "" {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "certificate.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	printMedia := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})
	if err := chromedp.Do(ctx, printMedia); err != nil {
		t.Fatal(err)
	}
	shadow, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.document')).boxShadow`))
	if err != nil || shadow != "none" {
		t.Errorf("printed with the sheet's shadow %q (%v): the print stylesheet is not applied", shadow, err)
	}
	if v := eval(`document.querySelector('.seal').getBoundingClientRect().width`); v < 150 {
		t.Errorf("the seal is %.0f px wide in print", v)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatal(err)
	}
	boxes := regexp.MustCompile(`/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]`).FindAllSubmatch(pdf, -1)
	if len(boxes) != 1 {
		t.Fatalf("printed on %d pages, want one", len(boxes))
	}
	w, _ := strconv.ParseFloat(string(boxes[0][1]), 64)
	h, _ := strconv.ParseFloat(string(boxes[0][2]), 64)
	if math.Abs(w-595.3) > 2 || math.Abs(h-841.9) > 2 {
		t.Errorf("printed on %.1f×%.1f pt, want A4 (595×842)", w, h)
	}
	if bin, err := exec.LookPath("pdftotext"); err == nil {
		path := filepath.Join(t.TempDir(), "printed.pdf")
		if err := os.WriteFile(path, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"办结凭证", "青山审结〔2026〕0001号"} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("the printout lacks %s", want)
			}
		}
	}

	phone := browsertest.New(t, 390, 800)
	if err := chromedp.Do(phone, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(".seal svg"))); err != nil {
		t.Fatal(err)
	}
	wide, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
	if err != nil || wide {
		t.Errorf("at phone width the page scrolls sideways (%v)", err)
	}
}
