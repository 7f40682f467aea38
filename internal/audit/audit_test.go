package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// naiveRoot is RFC 6962 §2.1 MTH written straight from the definition, the
// oracle for the compact-range implementation.
func naiveRoot(leaves [][32]byte) [32]byte {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return HashChildren(naiveRoot(leaves[:k]), naiveRoot(leaves[k:]))
}

func leafN(i int) [32]byte {
	return Leaf{Seq: uint64(i), Action: "test", ObjectType: "t", ObjectID: "x"}.Hash()
}

// buildTree appends n leaves and returns the tree and every stored node
// (leaves at level 0 included), as the store would keep them.
func buildTree(t *testing.T, n int) (*Tree, map[NodeID][32]byte, [][32]byte) {
	t.Helper()
	tr, err := NewTree(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[NodeID][32]byte{}
	var leaves [][32]byte
	for i := range n {
		h := leafN(i)
		leaves = append(leaves, h)
		nodes[NodeID{0, uint64(i)}] = h
		if err := tr.Append(h, func(id NodeID, hash [32]byte) { nodes[id] = hash }); err != nil {
			t.Fatal(err)
		}
	}
	return tr, nodes, leaves
}

func TestTreeRootMatchesRFC6962Definition(t *testing.T) {
	tr, _, leaves := buildTree(t, 70)
	for size := 0; size <= 70; size++ {
		ids := FrontierIDs(uint64(size))
		_, nodes, _ := buildTree(t, size)
		f := make([][32]byte, len(ids))
		for i, id := range ids {
			f[i] = nodes[id]
		}
		got, err := RootFromFrontier(uint64(size), f)
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveRoot(leaves[:size]); got != want {
			t.Fatalf("size %d: root from frontier differs from the definition", size)
		}
	}
	if tr.Root() != naiveRoot(leaves) {
		t.Fatal("root differs")
	}
}

func TestTreeRestoresFromFrontier(t *testing.T) {
	tr, _, leaves := buildTree(t, 13)
	f, err := DecodeFrontier(tr.Size(), EncodeFrontier(tr.Frontier()))
	if err != nil {
		t.Fatal(err)
	}
	tr2, err := NewTree(tr.Size(), f)
	if err != nil {
		t.Fatal(err)
	}
	h := leafN(13)
	if err := tr2.Append(h, nil); err != nil {
		t.Fatal(err)
	}
	if tr2.Root() != naiveRoot(append(leaves, h)) {
		t.Fatal("restored tree appends wrongly")
	}
	if _, err := DecodeFrontier(16, EncodeFrontier(tr.Frontier())); err == nil {
		t.Fatal("frontier of the wrong size accepted")
	}
}

func fetch(t *testing.T, p ProofPlan, nodes map[NodeID][32]byte) [][]byte {
	t.Helper()
	hs := make([][32]byte, len(p.IDs))
	for i, id := range p.IDs {
		h, ok := nodes[id]
		if !ok {
			t.Fatalf("proof needs node %v that was never reported", id)
		}
		hs[i] = h
	}
	pr, err := p.Build(hs)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func TestProofsFromStoredNodesVerifyAndTamperedFail(t *testing.T) {
	const n = 37
	_, nodes, leaves := buildTree(t, n)
	for size := 1; size <= n; size++ {
		root := naiveRoot(leaves[:size])
		for i := 0; i < size; i++ {
			p, err := InclusionPlan(uint64(i), uint64(size))
			if err != nil {
				t.Fatal(err)
			}
			pr := fetch(t, p, nodes)
			if err := VerifyInclusion(uint64(i), uint64(size), leaves[i], pr, root); err != nil {
				t.Fatalf("inclusion %d in %d: %v", i, size, err)
			}
			if len(pr) > 0 {
				pr[0][0] ^= 1
				if VerifyInclusion(uint64(i), uint64(size), leaves[i], pr, root) == nil {
					t.Fatalf("tampered inclusion %d in %d verified", i, size)
				}
			}
			if VerifyInclusion(uint64(i), uint64(size), leafN(1000), fetch(t, p, nodes), root) == nil {
				t.Fatal("inclusion of a foreign leaf verified")
			}
		}
		for s1 := 1; s1 <= size; s1++ {
			p, err := ConsistencyPlan(uint64(s1), uint64(size))
			if err != nil {
				t.Fatal(err)
			}
			pr := fetch(t, p, nodes)
			r1 := naiveRoot(leaves[:s1])
			if err := VerifyConsistency(uint64(s1), uint64(size), pr, r1, root); err != nil {
				t.Fatalf("consistency %d→%d: %v", s1, size, err)
			}
			if len(pr) > 0 {
				pr[len(pr)-1][5] ^= 1
				if VerifyConsistency(uint64(s1), uint64(size), pr, r1, root) == nil {
					t.Fatalf("tampered consistency %d→%d verified", s1, size)
				}
			}
		}
	}
}

func TestLeafEncodingIsCanonicalAndSensitiveToEveryField(t *testing.T) {
	base := Leaf{Seq: 7, AtMicros: 1_700_000_000_000_000, Actor: "张三", BodyID: 3, Action: "org.body.renamed",
		ObjectType: "body", ObjectID: "3", From: "a", To: "b", Payload: []byte(`{"x":1}`), State: []byte(`{"name":"街道"}`)}
	got, err := DecodeLeaf(base.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Encode(), base.Encode()) {
		t.Fatal("round trip changed the encoding")
	}
	variants := []func(*Leaf){
		func(l *Leaf) { l.Seq++ }, func(l *Leaf) { l.AtMicros++ }, func(l *Leaf) { l.Actor += "x" },
		func(l *Leaf) { l.BodyID = -3 }, func(l *Leaf) { l.Action = "x" }, func(l *Leaf) { l.ObjectType = "x" },
		func(l *Leaf) { l.ObjectID = "x" }, func(l *Leaf) { l.From = "" }, func(l *Leaf) { l.To = "" },
		func(l *Leaf) { l.Payload = nil }, func(l *Leaf) { l.State = []byte(`{}`) },
		// Moving a byte across a field boundary must change the hash too.
		func(l *Leaf) { l.From, l.To = "ab", "" },
	}
	for i, v := range variants {
		l := base
		v(&l)
		if l.Hash() == base.Hash() {
			t.Errorf("variant %d has the same hash", i)
		}
	}
}

func TestCheckpointSignatureAndText(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := SignCheckpoint(priv, 42, sha256.Sum256([]byte("r")), time.Unix(1_800_000_000, 123))
	if err := c.Verify(pub); err != nil {
		t.Fatal(err)
	}
	txt, err := c.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseCheckpoint(txt)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(pub); err != nil {
		t.Fatalf("parsed checkpoint: %v", err)
	}
	want := "qingdan checkpoint v1\n42\n"
	if !bytes.HasPrefix(c.Message(), []byte(want)) {
		t.Fatalf("message %q does not start with the documented form", c.Message())
	}
	bad := c
	bad.Size = 43
	if bad.Verify(pub) == nil {
		t.Fatal("checkpoint with another size verified")
	}
	bad = c
	bad.Root[0] ^= 1
	if bad.Verify(pub) == nil {
		t.Fatal("checkpoint with another root verified")
	}
}

func TestLoadOrCreateKeyIsStableAndPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) {
		t.Fatal("second start loaded another key")
	}
	if err := os.Chmod(filepath.Join(dir, KeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir); err == nil {
		t.Fatal("world-readable key accepted")
	}
}

// TestLeaf_versions (#12.2): a leaf without a root keeps encoding v1 byte
// for byte (its hash is the one recorded before roots existed, so old logs
// still verify); a leaf with a root encodes v2, which names the root, and
// the root is part of what is hashed. Half a root has no encoding.
func TestLeaf_versions(t *testing.T) {
	v1 := Leaf{Seq: 7, AtMicros: 1_700_000_000_000_000, Actor: "张三", BodyID: 3, Action: "org.body.renamed",
		ObjectType: "body", ObjectID: "3", From: "a", To: "b", Payload: []byte(`{"x":1}`), State: []byte(`{"name":"街道"}`)}
	h := v1.Hash()
	// Computed by the encoding as it was before v2 existed.
	if got := hex.EncodeToString(h[:]); got != "79b401d1773279398bd0974bd081b24e4e90fc99bfdd6e456e4c892d409f077e" {
		t.Fatalf("v1 leaf hash changed: %s", got)
	}
	if v1.Version() != 1 || !bytes.HasPrefix(v1.Encode(), []byte("qingdan leaf v1\n")) {
		t.Fatal("a leaf without a root is not v1")
	}
	v2 := v1
	v2.RootType, v2.RootID = "case", "12"
	if v2.Version() != 2 || !bytes.HasPrefix(v2.Encode(), []byte("qingdan leaf v2\n")) {
		t.Fatal("a leaf with a root is not v2")
	}
	got, err := DecodeLeaf(v2.Encode())
	if err != nil || got.RootType != "case" || got.RootID != "12" || !bytes.Equal(got.Encode(), v2.Encode()) {
		t.Fatalf("v2 round trip: %+v %v", got, err)
	}
	seen := map[[32]byte]bool{v1.Hash(): true, v2.Hash(): true}
	for _, f := range []func(*Leaf){
		func(l *Leaf) { l.RootType = "complaint" }, func(l *Leaf) { l.RootID = "13" },
		// Moving a byte across the root's field boundaries changes the hash.
		func(l *Leaf) { l.RootType, l.RootID = "case1", "2" }, func(l *Leaf) { l.RootID, l.From = "1", "2a" },
	} {
		l := v2
		f(&l)
		if h := l.Hash(); seen[h] {
			t.Fatalf("%+v hashes like another leaf", l)
		} else {
			seen[h] = true
		}
	}
	// A v2 leaf with an empty root would be a second encoding of nothing.
	bad := []byte(leafMagicV2 + "\x01\x02")
	for _, f := range []string{"a", "b", "c", "d", "", "", "", "", "", ""} { // actor … root (empty) … state
		bad = appendString(bad, f)
		if f == "a" {
			bad = append(bad, 0x02) // body id
		}
	}
	if _, err := DecodeLeaf(bad); err == nil || !strings.Contains(err.Error(), "whole root") {
		t.Fatal("a v2 leaf without a root decoded")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("half a root encoded")
		}
	}()
	half := v1
	half.RootType = "case"
	half.Encode()
}

func FuzzDecodeLeaf(f *testing.F) {
	f.Add(Leaf{Seq: 1, Actor: "a", State: []byte("{}")}.Encode())
	f.Add(Leaf{Seq: 1, Actor: "a", RootType: "case", RootID: "1", State: []byte("{}")}.Encode())
	f.Add([]byte(leafMagic + "\x80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := DecodeLeaf(b)
		if err != nil {
			return
		}
		if !bytes.Equal(l.Encode(), b) {
			t.Fatalf("accepted a non-canonical encoding %q", b)
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	_, priv, _ := ed25519.GenerateKey(nil)
	txt, _ := SignCheckpoint(priv, 5, [32]byte{1}, time.Unix(9, 0)).MarshalText()
	f.Add(txt)
	f.Add([]byte("qingdan checkpoint v1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCheckpoint(b)
		if err != nil {
			return
		}
		out, err := c.MarshalText()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("accepted a non-canonical checkpoint %q", b)
		}
	})
}
