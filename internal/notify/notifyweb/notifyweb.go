// Package notifyweb is how people reach the outbox: administrators see the
// outbox of their jurisdiction, its dead letters and their last errors,
// and retry them (/admin/outbox, /api/v1/outbox); the root body's
// administrator registers the systems that receive webhooks, whose secret
// is shown once (/admin/webhooks, /api/v1/webhooks); every staff member
// reads their in-app messages (/inbox, /api/v1/inbox). Pages and JSON API
// alike, every route registered with its policy through the web server's
// route table (web.Deps.Routes):
//
//	notes := notifydb.New(db)
//	notifyRoutes, err := notifyweb.Routes(notes, notifyweb.Options{Frame: frame, TopPath: wholeLog})
//	routes := [][]httpx.Route{…, notifyRoutes}
//
// The guard checks role, write and jurisdiction before a handler runs;
// notifydb checks them again.
package notifyweb

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Options wire the routes.
type Options struct {
	// Frame puts pages into the site's layout (*web.Frame).
	Frame page.Frame
	// TopPath is the root body's path: the jurisdiction of the webhook
	// endpoints, which serve every body.
	TopPath func(r *http.Request) (string, error)
}

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the pages; each file defines "title" and "content".
var pageNames = []string{"outbox", "webhooks", "inbox", "error"}

// cst is China Standard Time, in which the pages show times: the users'
// clock, whatever the server's zone.
var cst = time.FixedZone("CST", 8*3600)

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(cst).Format("2006-01-02 15:04:05")
		},
		"query": func(kv ...string) string {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					v.Set(kv[i], kv[i+1])
				}
			}
			if len(v) == 0 {
				return ""
			}
			return "?" + v.Encode()
		},
	}
	return page.Parse(templateFS, messages, funcs, pageNames...)
}

type handlers struct {
	*page.Kit
	svc     *notifydb.Service
	topPath func(r *http.Request) (string, error)
}

var hf = func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

// Routes returns the outbox, webhook and inbox routes, pages and API, with
// their policies.
func Routes(svc *notifydb.Service, o Options) ([]httpx.Route, error) {
	if svc == nil || o.Frame == nil || o.TopPath == nil {
		return nil, fmt.Errorf("notifyweb: Routes needs the service, a frame and the top path")
	}
	ps, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("notifyweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: o.Frame, Pages: ps, Messages: messages, What: "notify page"}, svc: svc, topPath: o.TopPath}
	var out []httpx.Route
	for _, rs := range [][]httpx.Route{h.outboxRoutes(), h.webhookRoutes(), h.inboxRoutes()} {
		out = append(out, rs...)
	}
	return out, nil
}

// scopeMessage is the jurisdiction of routes addressing …/outbox/{id}: the
// body the message is sent for.
func (h *handlers) scopeMessage(r *http.Request) (string, error) {
	id := page.PathID(r)
	if id <= 0 {
		return "", notify.ErrNoMessage(id)
	}
	return h.svc.MessagePath(r.Context(), id)
}

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

// noStore keeps a response out of every cache: it may show a secret.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// queryInt reads an optional whole number ≥ 0 from the query, naming the
// parameter when it is not one.
func queryInt(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errNotNumber(name)
	}
	return n, nil
}
