package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/audit"
)

// Head is the audit log's current size and root.
type Head struct {
	Size uint64
	Root [32]byte
}

// Head reads the current tree head.
func (db *DB) Head(ctx context.Context) (Head, error) {
	return readHead(ctx, db)
}

func readHead(ctx context.Context, q Querier) (Head, error) {
	var size int64
	var root []byte
	if err := q.QueryRow(ctx, "SELECT size, root FROM audit_head WHERE id = 1").Scan(&size, &root); err != nil {
		return Head{}, fmt.Errorf("store: read tree head: %w", err)
	}
	if len(root) != 32 {
		return Head{}, errors.New("store: tree head root is not 32 bytes")
	}
	return Head{Size: uint64(size), Root: [32]byte(root)}, nil
}

var errNoKey = errors.New("store: opened without a signing key (Options.DataDir or Options.SigningKey)")

// LatestCheckpoint returns a signed checkpoint of the current tree, signing
// and storing a new one when the tree grew since the last.
func (db *DB) LatestCheckpoint(ctx context.Context) (audit.Checkpoint, error) {
	if db.key == nil {
		return audit.Checkpoint{}, errNoKey
	}
	head, err := db.Head(ctx)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	last, ok, err := latestCheckpoint(ctx, db)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	if ok && last.Size >= head.Size {
		return last, nil
	}
	var cp audit.Checkpoint
	err = db.Write(ctx, func(tx *Tx) error {
		// Re-read inside the write: another group may have grown the tree.
		h, err := readHead(ctx, tx)
		if err != nil {
			return err
		}
		cp = audit.SignCheckpoint(db.key, h.Size, h.Root, time.Now())
		// Another instance may have signed this size already; either
		// checkpoint is valid, the stored one is returned below.
		_, err = tx.Exec(ctx, `INSERT INTO audit_checkpoints (size, root, at, sig) VALUES (?, ?, ?, ?)
			ON CONFLICT (size) DO NOTHING`, int64(cp.Size), cp.Root[:], cp.At.Unix(), cp.Sig)
		return err
	})
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("store: checkpoint: %w", err)
	}
	return checkpointAt(ctx, db, cp.Size)
}

func scanCheckpoint(r scanner) (audit.Checkpoint, error) {
	var size, at int64
	var root, sig []byte
	if err := r.Scan(&size, &root, &at, &sig); err != nil {
		return audit.Checkpoint{}, err
	}
	if len(root) != 32 {
		return audit.Checkpoint{}, fmt.Errorf("store: checkpoint at size %d: root is not 32 bytes", size)
	}
	return audit.Checkpoint{Size: uint64(size), Root: [32]byte(root), At: time.Unix(at, 0).UTC(), Sig: sig}, nil
}

func latestCheckpoint(ctx context.Context, q Querier) (audit.Checkpoint, bool, error) {
	cp, err := scanCheckpoint(q.QueryRow(ctx, "SELECT size, root, at, sig FROM audit_checkpoints ORDER BY size DESC LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, fmt.Errorf("store: latest checkpoint: %w", err)
	}
	return cp, true, nil
}

func checkpointAt(ctx context.Context, q Querier, size uint64) (audit.Checkpoint, error) {
	cp, err := scanCheckpoint(q.QueryRow(ctx, "SELECT size, root, at, sig FROM audit_checkpoints WHERE size = ?", int64(size)))
	if errors.Is(err, sql.ErrNoRows) {
		return cp, apperr.NotFoundf("store.no_checkpoint_at_tree_size", size)
	}
	if err != nil {
		return cp, fmt.Errorf("store: checkpoint %d: %w", size, err)
	}
	return cp, nil
}

// LeafHash returns the stored leaf hash of event seq.
func (db *DB) LeafHash(ctx context.Context, seq uint64) ([32]byte, error) {
	return nodeHash(ctx, db, audit.NodeID{Level: 0, Index: seq})
}

// nodeHash fetches one stored node: leaves from events, the rest from
// audit_nodes.
func nodeHash(ctx context.Context, q Querier, id audit.NodeID) ([32]byte, error) {
	var h []byte
	var err error
	if id.Level == 0 {
		err = q.QueryRow(ctx, "SELECT leaf_hash FROM events WHERE seq = ?", int64(id.Index)).Scan(&h)
	} else {
		err = q.QueryRow(ctx, "SELECT hash FROM audit_nodes WHERE last_leaf = ? AND level = ?", lastLeaf(id), int64(id.Level)).Scan(&h)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return [32]byte{}, fmt.Errorf("store: audit node %v is missing", id)
	}
	if err != nil {
		return [32]byte{}, fmt.Errorf("store: audit node %v: %w", id, err)
	}
	if len(h) != 32 {
		return [32]byte{}, fmt.Errorf("store: audit node %v is not 32 bytes", id)
	}
	return [32]byte(h), nil
}

func nodeHashes(ctx context.Context, q Querier, ids []audit.NodeID) ([][32]byte, error) {
	out := make([][32]byte, len(ids))
	for i, id := range ids {
		h, err := nodeHash(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// checkSize refuses a tree size the log has not reached.
func (db *DB) checkSize(ctx context.Context, size uint64) error {
	h, err := db.Head(ctx)
	if err != nil {
		return err
	}
	if size > h.Size {
		return apperr.Invalidf("size", "store.tree_size_is_beyond_the_log", size, h.Size)
	}
	return nil
}

// InclusionProof proves that event seq is in the tree of the given size
// (verify with audit.VerifyInclusion against a checkpoint of that size).
func (db *DB) InclusionProof(ctx context.Context, seq, size uint64) ([][]byte, error) {
	if seq >= size {
		return nil, apperr.Invalidf("seq", "store.event_is_not_in_a_tree", seq, size)
	}
	if err := db.checkSize(ctx, size); err != nil {
		return nil, err
	}
	p, err := audit.InclusionPlan(seq, size)
	if err != nil {
		return nil, err
	}
	hs, err := nodeHashes(ctx, db, p.IDs)
	if err != nil {
		return nil, err
	}
	return p.Build(hs)
}

// ConsistencyProof proves that the tree of size from is a prefix of the tree
// of size to (verify with audit.VerifyConsistency).
func (db *DB) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	if from > to {
		return nil, apperr.Invalidf("from", "store.from_size_is_larger_than_to", from, to)
	}
	if err := db.checkSize(ctx, to); err != nil {
		return nil, err
	}
	p, err := audit.ConsistencyPlan(from, to)
	if err != nil {
		return nil, err
	}
	hs, err := nodeHashes(ctx, db, p.IDs)
	if err != nil {
		return nil, err
	}
	return p.Build(hs)
}

// RootAt computes the root of the tree of the given size from stored nodes.
func (db *DB) RootAt(ctx context.Context, size uint64) ([32]byte, error) {
	if err := db.checkSize(ctx, size); err != nil {
		return [32]byte{}, err
	}
	return rootAt(ctx, db, size)
}

func rootAt(ctx context.Context, q Querier, size uint64) ([32]byte, error) {
	hs, err := nodeHashes(ctx, q, audit.FrontierIDs(size))
	if err != nil {
		return [32]byte{}, err
	}
	return audit.RootFromFrontier(size, hs)
}
