package web

import (
	"net/http"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// transparencyRoutes publish the audit log's public key and latest signed
// checkpoint (issue #2 item 4), so anyone can verify proofs from the API.
func (s *Server) transparencyRoutes() []httpx.Route {
	if s.deps.Audit == nil {
		return nil
	}
	return []httpx.Route{{Pattern: "GET /transparency", Policy: httpx.Policy{Public: true},
		Handler: http.HandlerFunc(s.transparency), Nav: &httpx.Nav{Label: "nav.transparency", Order: 900}}}
}

type transparencyPage struct {
	Checkpoint api.Checkpoint
	OK         bool
}

func (s *Server) transparency(w http.ResponseWriter, r *http.Request) {
	var page transparencyPage
	cp, err := s.deps.Audit.LatestCheckpoint(r.Context())
	if err != nil {
		// The key is still worth showing; the page says the checkpoint is
		// unavailable and the cause goes to the log.
		httpx.LoggerFrom(r.Context()).Error("transparency: checkpoint", "err", err)
		page.Checkpoint = api.Checkpoint{PublicKey: api.CheckpointOf(cp, s.deps.Audit.PublicKey()).PublicKey}
	} else {
		page.Checkpoint, page.OK = api.CheckpointOf(cp, s.deps.Audit.PublicKey()), true
	}
	s.render(w, r, http.StatusOK, "transparency", page)
}
