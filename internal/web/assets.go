package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Static files, embedded: the binary needs no CDN and no files beside it
// (government intranets are offline). vendor/ holds third-party files
// copied from npm (see vendor/README.md).
//
//go:embed static
var staticFS embed.FS

// assetPrefix is where hashed assets are served.
const assetPrefix = "/static/"

// assets maps logical names ("app.css", "vendor/htmx.min.js") to
// content-hashed URLs ("/static/app.3f2a1c9b.css") and back. A changed file
// gets a new URL, so every URL can be cached forever.
type assets struct {
	url   map[string]string // logical name → URL
	files map[string]asset  // URL path after /static/ → file
}

type asset struct {
	body  []byte
	ctype string
	etag  string
}

func loadAssets() (*assets, error) {
	a := &assets{url: map[string]string{}, files: map[string]asset{}}
	root, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:10]
		ext := path.Ext(name)
		// htmx.min.js → htmx.min.<hash>.js: the hash sits before the last extension.
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		if ext == ".LICENSE" || strings.HasSuffix(name, "LICENSE") || ext == ".md" {
			ctype = "text/plain; charset=utf-8"
		}
		a.url[name] = assetPrefix + hashed
		a.files[hashed] = asset{body: body, ctype: ctype, etag: `"` + hash + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return a, nil
}

// URL returns the hashed URL of a logical asset name. Templates call it as
// {{asset "app.css"}}; an unknown name is a template bug and fails the
// render (and the template test).
func (a *assets) URL(name string) (string, error) {
	u, ok := a.url[name]
	if !ok {
		return "", fmt.Errorf("web: no asset %q", name)
	}
	return u, nil
}

// modTime is the assets' modification time for conditional requests; the
// hash in the URL does the real cache-busting.
var modTime = time.Unix(0, 0)

// lookup finds the file behind a hashed name (the URL path after /static/).
func (a *assets) lookup(hashed string) (asset, bool) {
	f, ok := a.files[hashed]
	return f, ok
}

// serve sends a hashed asset with a year-long immutable cache.
func (f asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", modTime, bytes.NewReader(f.body))
}
