package catdb

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/audit"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/store"
)

// Proof lets anyone check that a published version is unchanged (C9): the
// audit leaf of its publication event (which carries the canonical content
// and its hash), the leaf's inclusion path in the log, and a signed
// checkpoint of the log. VerifyProof checks it with the log's public key
// alone; nothing in it needs to be trusted.
type Proof struct {
	VersionID   int64  `json:"version_id"`
	ContentHash string `json:"content_hash"`
	// Leaf is the canonical encoding of the publication event (audit.Leaf).
	// It carries the content as entered, so it is withheld (nil, and
	// LeafWithheld set) when the content holds personal data that public
	// pages mask (L7): LeafHash still proves the publication is in the log.
	Leaf         []byte   `json:"leaf"`
	LeafHash     [32]byte `json:"leaf_hash"`
	LeafWithheld bool     `json:"leaf_withheld,omitempty"`
	Seq          uint64   `json:"seq"`
	TreeSize     uint64   `json:"tree_size"`
	Path         [][]byte `json:"path"`
	Checkpoint   string   `json:"checkpoint"`
}

// Proof returns the proof of a published version against the latest signed
// checkpoint.
func (s *Service) Proof(ctx context.Context, versionID int64) (Proof, error) {
	v, err := s.Version(ctx, versionID)
	if err != nil {
		return Proof{}, err
	}
	evs, err := s.db.Events(ctx, store.EventFilter{ObjectType: ObjVersion, ObjectID: strconv.FormatInt(versionID, 10)})
	if err != nil {
		return Proof{}, err
	}
	var pub *store.Event
	for i := range evs {
		if evs[i].Action == "catalog.version.published" {
			pub = &evs[i]
			break
		}
	}
	if pub == nil {
		return Proof{}, apperr.NotFoundf("catdb.this_version_has_no_publication_event")
	}
	cp, err := s.db.LatestCheckpoint(ctx)
	if err != nil {
		return Proof{}, err
	}
	path, err := s.db.InclusionProof(ctx, uint64(pub.Seq), cp.Size)
	if err != nil {
		return Proof{}, err
	}
	text, err := cp.MarshalText()
	if err != nil {
		return Proof{}, err
	}
	leaf := pub.Leaf()
	p := Proof{VersionID: versionID, ContentHash: v.ContentHash, Leaf: leaf.Encode(), Seq: uint64(pub.Seq),
		TreeSize: cp.Size, Path: path, Checkpoint: string(text)}
	p.LeafHash = audit.HashLeaf(p.Leaf)
	if v.ItemVersion.Masked() {
		p.Leaf, p.LeafWithheld = nil, true
	}
	return p, nil
}

// VerifyProof checks a proof for version v (as shown to the public): the
// checkpoint is signed by pub, the leaf is in the checkpoint's tree, the leaf
// is the publication of this version, its content hashes to its recorded
// hash, and v's content today is that same content.
func VerifyProof(p Proof, v catalog.ItemVersion, pub ed25519.PublicKey) error {
	cp, err := audit.ParseCheckpoint([]byte(p.Checkpoint))
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := cp.Verify(pub); err != nil {
		return fmt.Errorf("checkpoint signature: %w", err)
	}
	if cp.Size != p.TreeSize {
		return fmt.Errorf("checkpoint size %d, proof for %d", cp.Size, p.TreeSize)
	}
	if err := audit.VerifyInclusion(p.Seq, p.TreeSize, audit.HashLeaf(p.Leaf), p.Path, cp.Root); err != nil {
		return fmt.Errorf("inclusion: %w", err)
	}
	leaf, err := audit.DecodeLeaf(p.Leaf)
	if err != nil {
		return fmt.Errorf("leaf: %w", err)
	}
	if leaf.Seq != p.Seq || leaf.Action != "catalog.version.published" || leaf.ObjectType != ObjVersion ||
		leaf.ObjectID != strconv.FormatInt(p.VersionID, 10) {
		return fmt.Errorf("leaf %d is not the publication of version %d", leaf.Seq, p.VersionID)
	}
	var pl Publication
	if err := json.Unmarshal(leaf.Payload, &pl); err != nil {
		return fmt.Errorf("leaf payload: %w", err)
	}
	sum := sha256.Sum256(pl.Content)
	if hex.EncodeToString(sum[:]) != pl.ContentHash || pl.ContentHash != p.ContentHash {
		return fmt.Errorf("published content does not hash to %s", p.ContentHash)
	}
	now, err := catalog.CanonicalJSON(v)
	if err != nil {
		return err
	}
	if !bytes.Equal(now, pl.Content) {
		return fmt.Errorf("version %s v%d differs from what was published", v.BaseCode, v.Version)
	}
	return nil
}
