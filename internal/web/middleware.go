package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// reqState is what the outer middleware learns from inside: the matched
// route pattern (ServeMux sets r.Pattern only on the request it hands to
// the route, after other middleware copied it).
type reqState struct {
	route string
	quiet bool // health checks and assets: logged at debug level only
	// tooLarge is the body limit the request's body passed (0: none).
	tooLarge int64
	// importDone frees the import slot the request holds, unless a
	// handler took it over (handOverImport).
	importDone func()
}

type stateKey struct{}

func stateFrom(ctx context.Context) *reqState {
	st, _ := ctx.Value(stateKey{}).(*reqState)
	return st
}

// contentSecurityPolicy allows only this origin's scripts and styles: no
// inline script, no inline style (htmx is told not to inject its indicator
// style), no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// middleware is what every request crosses, outermost first: request ID,
// language, logger, security headers, then (recorded for the access log and
// metrics) panic recovery around the edge's checks (edge.go) and the router.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r.Header.Get("X-Request-ID"))
		log := s.log.With(slog.String("request_id", id))
		st := &reqState{}
		ctx := httpx.WithRequestID(r.Context(), id)
		ctx = httpx.WithLang(ctx, negotiate(r))
		ctx = httpx.WithLogger(ctx, log)
		ctx = context.WithValue(ctx, stateKey{}, st)
		r = r.WithContext(ctx)

		h := w.Header()
		h.Set("X-Request-ID", id)
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers without CSP 2
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		// Pages show personal and official data: no shared or back-button
		// caches. Hashed assets override this with a long cache.
		h.Set("Cache-Control", "no-store")
		if r.TLS != nil || s.cfg.Cookie.Secure {
			// Served over TLS, here or at the proxy --secure-cookies says is
			// in front: browsers then never try plain HTTP for a year.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}

		rec := &recorder{ResponseWriter: w}
		s.recoverer(s.edge(next)).ServeHTTP(rec, r)

		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		elapsed := time.Since(start)
		route := st.route
		if route == "" {
			route = "unmatched"
		} else if _, path, ok := strings.Cut(route, " "); ok {
			route = strings.TrimSpace(path) // the method is its own label
		}
		s.metrics.observe(route, r.Method, status, elapsed)
		level := slog.LevelInfo
		if st.quiet && status < 500 {
			level = slog.LevelDebug
		}
		log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", elapsed),
			slog.String("ip", s.clientIP(r)),
		)
	})
}

// edge refuses what checkEdge refuses before next sees the request.
func (s *Server) edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.checkEdge(w, r); err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a logged 500 with the request ID, so one bad
// handler never takes the process down.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel panic value, compared as net/http does
				panic(v) // net/http's way to abort a response; it handles it quietly
			}
			httpx.LoggerFrom(r.Context()).Error("panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				return // the response has begun; the status line cannot change
			}
			s.fail(w, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}

// requestID keeps a sane incoming X-Request-ID (so a proxy's ID follows the
// request through the logs) or makes a new one.
func requestID(in string) string {
	if n := len(in); n > 0 && n <= 64 {
		ok := true
		for _, c := range in {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
				ok = false
				break
			}
		}
		if ok {
			return in
		}
	}
	var b [12]byte
	// crypto/rand.Read never fails (it panics if the system cannot supply randomness).
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// clientIP is the address login throttling and the log see.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.ClientIPHeader != "" {
		if v := r.Header.Get(s.cfg.ClientIPHeader); v != "" {
			first, _, _ := strings.Cut(v, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr // no port: already a bare address
	}
	return host
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flush, deadlines).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// metrics are the HTTP metrics, labelled by route pattern (bounded, unlike
// raw paths), method and status class.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	labels := []string{"route", "method", "status"}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qingdan_http_requests_total",
			Help: "HTTP requests by route pattern, method and status class.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "qingdan_http_request_duration_seconds",
			Help:    "HTTP request duration by route pattern, method and status class.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, labels),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("web: metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
	default:
		method = "OTHER" // arbitrary methods must not grow the label set
	}
	class := strconv.Itoa(status/100) + "xx"
	m.requests.WithLabelValues(route, method, class).Inc()
	m.duration.WithLabelValues(route, method, class).Observe(d.Seconds())
}
