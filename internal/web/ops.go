package web

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// opsRoutes are for load balancers and monitoring. They never touch the
// session; /metrics is public like the others because it holds counts,
// not data — restrict it at the proxy if the network is shared.
func (s *Server) opsRoutes(reg *prometheus.Registry) []httpx.Route {
	ops := httpx.Policy{Public: true, Stateless: true}
	return []httpx.Route{
		{Pattern: "GET /healthz", Policy: ops, Handler: http.HandlerFunc(s.healthz)},
		{Pattern: "GET /readyz", Policy: ops, Handler: http.HandlerFunc(s.readyz)},
		{Pattern: "GET /metrics", Policy: ops, Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})},
	}
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
