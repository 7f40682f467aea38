package api

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/audit"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// AuditLog is what the audit API reads: the store's tamper-evident log
// (DESIGN decision 5). *store.DB satisfies it.
type AuditLog interface {
	LatestCheckpoint(ctx context.Context) (audit.Checkpoint, error)
	InclusionProof(ctx context.Context, seq, size uint64) ([][]byte, error)
	ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error)
	LeafHash(ctx context.Context, seq uint64) ([32]byte, error)
	RootAt(ctx context.Context, size uint64) ([32]byte, error)
	PublicKey() ed25519.PublicKey
}

// Checkpoint is a signed tree head. Anyone holding the public key can check
// Signature over Note (the exact signed bytes), and so every proof below.
type Checkpoint struct {
	Size      uint64 `json:"size"`
	Root      string `json:"root"` // hex SHA-256
	At        string `json:"at"`   // RFC 3339, UTC
	Signature string `json:"signature"`
	Note      string `json:"note"` // the signed text: the message, a blank line, "— " and the signature
	PublicKey string `json:"public_key"`
	Algorithm string `json:"algorithm"`
}

// InclusionProof proves that event Seq is leaf Seq of the tree of Size.
type InclusionProof struct {
	Seq      uint64   `json:"seq"`
	Size     uint64   `json:"size"`
	LeafHash string   `json:"leaf_hash"`
	Root     string   `json:"root"`
	Proof    []string `json:"proof"` // hex hashes, RFC 6962 order
}

// ConsistencyProof proves that the tree of size To extends the tree of size From.
type ConsistencyProof struct {
	From     uint64   `json:"from"`
	To       uint64   `json:"to"`
	RootFrom string   `json:"root_from"`
	RootTo   string   `json:"root_to"`
	Proof    []string `json:"proof"`
}

// AuditRoutes are the public routes of the audit log. Proofs reveal only
// hashes, never event content, so they are public: anyone may check that a
// published list version (C9) is in the log and that the log only grew.
func AuditRoutes(log AuditLog) []httpx.Route {
	h := auditHandlers{log: log}
	public := httpx.Policy{Public: true, Stateless: true}
	return []httpx.Route{
		{
			Pattern: "GET " + Prefix + "/audit/checkpoint", Policy: public,
			Handler: http.HandlerFunc(h.checkpoint),
			Doc: &httpx.Doc{Summary: "The latest signed checkpoint of the audit log", Tags: []string{"audit"},
				Description: "Tree size and RFC 6962 root, signed with the server's Ed25519 key.", Response: Checkpoint{}},
		},
		{
			Pattern: "GET " + Prefix + "/audit/events/{seq}/inclusion", Policy: public,
			Handler: http.HandlerFunc(h.inclusion),
			Doc: &httpx.Doc{Summary: "Inclusion proof of one event in the audit log", Tags: []string{"audit"},
				Params: []httpx.Param{
					{Name: "seq", In: "path", Description: "event sequence number (leaf index)", Type: "integer", Required: true},
					{Name: "size", In: "query", Description: "tree size to prove against (default: the latest checkpoint)", Type: "integer"},
				},
				Response: InclusionProof{}},
		},
		{
			Pattern: "GET " + Prefix + "/audit/consistency", Policy: public,
			Handler: http.HandlerFunc(h.consistency),
			Doc: &httpx.Doc{Summary: "Consistency proof between two sizes of the audit log", Tags: []string{"audit"},
				Params: []httpx.Param{
					{Name: "from", In: "query", Description: "the older tree size", Type: "integer", Required: true},
					{Name: "to", In: "query", Description: "the newer tree size (default: the latest checkpoint)", Type: "integer"},
				},
				Response: ConsistencyProof{}},
		},
	}
}

type auditHandlers struct{ log AuditLog }

func (h auditHandlers) checkpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := h.log.LatestCheckpoint(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, r, http.StatusOK, CheckpointOf(cp, h.log.PublicKey()))
}

// CheckpointOf renders a checkpoint for the API and the transparency page.
func CheckpointOf(cp audit.Checkpoint, pub ed25519.PublicKey) Checkpoint {
	note, _ := cp.MarshalText() // never fails: it only formats
	return Checkpoint{
		Size: cp.Size, Root: hex.EncodeToString(cp.Root[:]), At: cp.At.UTC().Format("2006-01-02T15:04:05Z"),
		Signature: base64.StdEncoding.EncodeToString(cp.Sig), Note: string(note),
		PublicKey: base64.StdEncoding.EncodeToString(pub), Algorithm: "Ed25519",
	}
}

func (h auditHandlers) inclusion(w http.ResponseWriter, r *http.Request) {
	seq, err := uintParam(r.PathValue("seq"), "seq")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	size, err := h.sizeOrLatest(r, r.URL.Query().Get("size"), "size")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	proof, err := h.log.InclusionProof(r.Context(), seq, size)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	leaf, err := h.log.LeafHash(r.Context(), seq)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	root, err := h.log.RootAt(r.Context(), size)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, r, http.StatusOK, InclusionProof{Seq: seq, Size: size, LeafHash: hex.EncodeToString(leaf[:]),
		Root: hex.EncodeToString(root[:]), Proof: hexes(proof)})
}

func (h auditHandlers) consistency(w http.ResponseWriter, r *http.Request) {
	from, err := uintParam(r.URL.Query().Get("from"), "from")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	to, err := h.sizeOrLatest(r, r.URL.Query().Get("to"), "to")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	proof, err := h.log.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	rootFrom, err := h.log.RootAt(r.Context(), from)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	rootTo, err := h.log.RootAt(r.Context(), to)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, r, http.StatusOK, ConsistencyProof{From: from, To: to, RootFrom: hex.EncodeToString(rootFrom[:]),
		RootTo: hex.EncodeToString(rootTo[:]), Proof: hexes(proof)})
}

// sizeOrLatest parses an optional tree size, defaulting to the latest
// checkpoint's, so a client proves against a size the server has signed.
func (h auditHandlers) sizeOrLatest(r *http.Request, s, field string) (uint64, error) {
	if s != "" {
		return uintParam(s, field)
	}
	cp, err := h.log.LatestCheckpoint(r.Context())
	if err != nil {
		return 0, err
	}
	return cp.Size, nil
}

func uintParam(s, field string) (uint64, error) {
	if s == "" {
		return 0, apperr.Invalidf(field, "api.parameter_is_required", field)
	}
	v, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0, apperr.Invalidf(field, "api.must_be_a_non_negative_integer", field, s)
	}
	return v, nil
}

func hexes(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = hex.EncodeToString(b)
	}
	return out
}
