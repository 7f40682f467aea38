package audit

import (
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// NodeID names a perfect subtree: the node at Level (0 = leaves) covering
// leaves [Index<<Level, (Index+1)<<Level).
type NodeID struct {
	Level uint
	Index uint64
}

func (n NodeID) String() string { return fmt.Sprintf("(level %d, index %d)", n.Level, n.Index) }

// rf builds compact ranges with RFC 6962 node hashing.
var rf = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// Tree is the right edge of the log: its size and the roots of the perfect
// subtrees covering [0, size) (the compact frontier). That is all that is
// needed to append and to compute the root; every other node is stored.
type Tree struct {
	r *compact.Range
}

// NewTree restores a tree of the given size from its frontier (as returned by
// Frontier, left to right).
func NewTree(size uint64, frontier [][32]byte) (*Tree, error) {
	hs := make([][]byte, len(frontier))
	for i := range frontier {
		hs[i] = frontier[i][:]
	}
	r, err := rf.NewRange(0, size, hs)
	if err != nil {
		return nil, fmt.Errorf("audit: frontier for size %d: %w", size, err)
	}
	return &Tree{r: r}, nil
}

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.r.End() }

// Append adds a leaf hash. node is called for every internal node (level ≥ 1)
// the leaf completes, lowest first; these are the nodes the store must persist
// for proofs. The leaf itself (level 0) is not reported: the store keeps leaf
// hashes with their events.
func (t *Tree) Append(leaf [32]byte, node func(id NodeID, hash [32]byte)) error {
	return t.r.Append(leaf[:], func(id compact.NodeID, h []byte) {
		if id.Level == 0 || node == nil {
			return
		}
		node(NodeID{Level: id.Level, Index: id.Index}, [32]byte(h))
	})
}

// Root is the RFC 6962 tree hash (EmptyRoot for size 0).
func (t *Tree) Root() [32]byte {
	if t.r.End() == 0 {
		return EmptyRoot()
	}
	h, err := t.r.GetRootHash(nil)
	if err != nil {
		// The range always starts at 0, the only error condition.
		panic(err)
	}
	return [32]byte(h)
}

// Frontier returns the perfect subtree roots covering [0, Size), left to right.
func (t *Tree) Frontier() [][32]byte {
	hs := t.r.Hashes()
	out := make([][32]byte, len(hs))
	for i, h := range hs {
		out[i] = [32]byte(h)
	}
	return out
}

// FrontierIDs names the nodes whose hashes form the frontier of a tree of the
// given size, left to right.
func FrontierIDs(size uint64) []NodeID {
	return fromCompact(compact.RangeNodes(0, size, nil))
}

// RootFromFrontier computes the root of a tree of the given size from the
// hashes of FrontierIDs(size).
func RootFromFrontier(size uint64, frontier [][32]byte) ([32]byte, error) {
	t, err := NewTree(size, frontier)
	if err != nil {
		return [32]byte{}, err
	}
	return t.Root(), nil
}

// EncodeFrontier concatenates frontier hashes (32 bytes each) for storage.
func EncodeFrontier(f [][32]byte) []byte {
	b := make([]byte, 0, 32*len(f))
	for _, h := range f {
		b = append(b, h[:]...)
	}
	return b
}

// DecodeFrontier is the inverse of EncodeFrontier; it checks the count
// against the size the frontier belongs to.
func DecodeFrontier(size uint64, b []byte) ([][32]byte, error) {
	if len(b)%32 != 0 {
		return nil, errors.New("audit: frontier length is not a multiple of 32")
	}
	if want := compact.RangeSize(0, size); len(b)/32 != want {
		return nil, fmt.Errorf("audit: frontier has %d hashes, size %d needs %d", len(b)/32, size, want)
	}
	f := make([][32]byte, len(b)/32)
	for i := range f {
		f[i] = [32]byte(b[32*i : 32*i+32])
	}
	return f, nil
}

func fromCompact(ids []compact.NodeID) []NodeID {
	out := make([]NodeID, len(ids))
	for i, id := range ids {
		out[i] = NodeID{Level: id.Level, Index: id.Index}
	}
	return out
}

// ProofPlan says which stored nodes a proof needs and how to assemble it: the
// store fetches the hashes of IDs (all perfect subtrees, hence stored) and
// calls Build.
type ProofPlan struct {
	IDs []NodeID
	n   proof.Nodes
}

// InclusionPlan plans the inclusion proof of leaf index in a tree of size.
func InclusionPlan(index, size uint64) (ProofPlan, error) {
	n, err := proof.Inclusion(index, size)
	if err != nil {
		return ProofPlan{}, err
	}
	return ProofPlan{IDs: fromCompact(n.IDs), n: n}, nil
}

// ConsistencyPlan plans the consistency proof between two tree sizes.
func ConsistencyPlan(size1, size2 uint64) (ProofPlan, error) {
	n, err := proof.Consistency(size1, size2)
	if err != nil {
		return ProofPlan{}, err
	}
	return ProofPlan{IDs: fromCompact(n.IDs), n: n}, nil
}

// Build turns the hashes of p.IDs (same order) into the RFC 6962 proof,
// hashing the ephemeral node where the tree is not perfect.
func (p ProofPlan) Build(hashes [][32]byte) ([][]byte, error) {
	hs := make([][]byte, len(hashes))
	for i := range hashes {
		h := hashes[i]
		hs[i] = h[:]
	}
	return p.n.Rehash(hs, rfc6962.DefaultHasher.HashChildren)
}

// VerifyInclusion checks that leaf is at index in the tree of size with root.
func VerifyInclusion(index, size uint64, leaf [32]byte, p [][]byte, root [32]byte) error {
	return proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leaf[:], p, root[:])
}

// VerifyConsistency checks that the tree of size1 with root1 is a prefix of
// the tree of size2 with root2.
func VerifyConsistency(size1, size2 uint64, p [][]byte, root1, root2 [32]byte) error {
	return proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, p, root1[:], root2[:])
}
