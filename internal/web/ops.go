package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/netip"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// opsRoutes are for load balancers and monitoring. They never touch the
// session. /metrics answers only the configured networks (Config.MetricsFrom,
// loopback by default) or a request carrying Config.MetricsToken: its
// counts by route and status show who uses what, and the process's.
func (s *Server) opsRoutes(reg *prometheus.Registry) []httpx.Route {
	ops := httpx.Policy{Public: true, Stateless: true}
	return []httpx.Route{
		{Pattern: "GET /healthz", Policy: ops, Handler: http.HandlerFunc(s.healthz)},
		{Pattern: "GET /readyz", Policy: ops, Handler: http.HandlerFunc(s.readyz)},
		{Pattern: "GET /metrics", Policy: ops, Handler: s.metricsAudience(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))},
	}
}

// metricsAudience lets through the requests allowed to read the metrics
// and refuses the others with 403.
func (s *Server) metricsAudience(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := s.cfg.MetricsToken; tok != "" {
			if got := auth.BearerToken(r); got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(tok)) == 1 {
				next.ServeHTTP(w, r)
				return
			}
		}
		if ip, err := netip.ParseAddr(s.clientIP(r)); err == nil {
			ip = ip.Unmap()
			for _, p := range s.cfg.MetricsFrom {
				if p.Contains(ip) {
					next.ServeHTTP(w, r)
					return
				}
			}
		}
		s.fail(w, r, s.errorf(apperr.Forbidden, "", "error.metrics"))
	})
}

// health is the body of /healthz and /readyz.
type health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

// healthz: the process is alive and serving.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	api.WriteJSON(w, r, http.StatusOK, health{Status: "ok", Version: s.cfg.Version})
}

// readyz: the database answers, so this instance can take traffic.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.ReadyTimeout)
	defer cancel()
	if err := s.deps.DB.Ping(ctx); err != nil {
		httpx.LoggerFrom(r.Context()).Warn("readiness: database unreachable", "error", err)
		api.WriteJSON(w, r, http.StatusServiceUnavailable, health{Status: "unavailable", Version: s.cfg.Version})
		return
	}
	api.WriteJSON(w, r, http.StatusOK, health{Status: "ok", Version: s.cfg.Version})
}
