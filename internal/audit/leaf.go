// Package audit is the mathematics of qingdan's tamper-evident log (DESIGN
// decision 5): the canonical bytes of an event leaf, RFC 6962 hashing, the
// compact range that grows the tree, signed checkpoints and proof
// verification. It is pure: the store persists what it computes.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// leafMagic starts every encoded leaf so that a leaf can never be confused
// with another structure hashed under the same key, and so the encoding can
// evolve without ambiguity. v1 leaves (every event before the root was
// recorded) keep their encoding; v2 adds the root after the object.
const (
	leafMagic   = "qingdan leaf v1\n"
	leafMagicV2 = "qingdan leaf v2\n"
)

// Leaf is the audited content of one event, exactly as it is hashed. The store
// converts its Event to a Leaf; At is unix microseconds UTC, the resolution the
// database keeps, so recomputing from stored columns gives the same bytes.
//
// RootType and RootID name the root the object belongs to (a case, for its
// clock, documents and cards). Both empty: a v1 leaf, the encoding of events
// recorded before roots were; both set: v2. One without the other has no
// encoding (Encode panics, DecodeLeaf never returns it).
type Leaf struct {
	Seq        uint64
	AtMicros   int64
	Actor      string
	BodyID     int64
	Action     string
	ObjectType string
	ObjectID   string
	RootType   string
	RootID     string
	From       string
	To         string
	Payload    []byte
	State      []byte
}

// Version is the leaf's encoding version: 1 without a root, 2 with one.
func (l Leaf) Version() int {
	if l.RootType == "" && l.RootID == "" {
		return 1
	}
	return 2
}

// Encode returns the canonical encoding: the magic line of its version, then
// each field in declaration order (v1 without the root); integers as
// (zig-zag for signed) unsigned varints, strings and byte strings as a
// uvarint length followed by the bytes. Every Leaf has exactly one encoding
// and DecodeLeaf accepts only that one.
func (l Leaf) Encode() []byte {
	if (l.RootType == "") != (l.RootID == "") {
		panic("audit: leaf has half a root")
	}
	n := len(leafMagic) + 4*binary.MaxVarintLen64 + len(l.Actor) + len(l.Action) + len(l.ObjectType) +
		len(l.ObjectID) + len(l.RootType) + len(l.RootID) + len(l.From) + len(l.To) + len(l.Payload) + len(l.State) +
		10*binary.MaxVarintLen64
	b := make([]byte, 0, n)
	if l.Version() == 1 {
		b = append(b, leafMagic...)
	} else {
		b = append(b, leafMagicV2...)
	}
	b = binary.AppendUvarint(b, l.Seq)
	b = binary.AppendVarint(b, l.AtMicros)
	b = appendString(b, l.Actor)
	b = binary.AppendVarint(b, l.BodyID)
	b = appendString(b, l.Action)
	b = appendString(b, l.ObjectType)
	b = appendString(b, l.ObjectID)
	if l.Version() == 2 {
		b = appendString(b, l.RootType)
		b = appendString(b, l.RootID)
	}
	b = appendString(b, l.From)
	b = appendString(b, l.To)
	b = appendString(b, string(l.Payload))
	b = appendString(b, string(l.State))
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Hash is the RFC 6962 leaf hash of the canonical encoding.
func (l Leaf) Hash() [32]byte { return HashLeaf(l.Encode()) }

// DecodeLeaf parses a canonical encoding. It rejects anything Encode would not
// produce (other magic, over-long varints, trailing bytes), so that
// Encode(DecodeLeaf(b)) == b for every accepted b.
func DecodeLeaf(b []byte) (Leaf, error) {
	var l Leaf
	var v2 bool
	switch {
	case len(b) >= len(leafMagic) && string(b[:len(leafMagic)]) == leafMagic:
	case len(b) >= len(leafMagicV2) && string(b[:len(leafMagicV2)]) == leafMagicV2:
		v2 = true
	default:
		return l, errors.New("audit: leaf: bad magic")
	}
	d := decoder{b: b[len(leafMagic):]}
	l.Seq = d.uvarint()
	l.AtMicros = d.varint()
	l.Actor = d.str()
	l.BodyID = d.varint()
	l.Action = d.str()
	l.ObjectType = d.str()
	l.ObjectID = d.str()
	if v2 {
		l.RootType = d.str()
		l.RootID = d.str()
		if d.err == nil && (l.RootType == "" || l.RootID == "") {
			return Leaf{}, errors.New("audit: leaf: a v2 leaf names a whole root")
		}
	}
	l.From = d.str()
	l.To = d.str()
	l.Payload = d.bytes()
	l.State = d.bytes()
	if d.err != nil {
		return Leaf{}, d.err
	}
	if len(d.b) != 0 {
		return Leaf{}, fmt.Errorf("audit: leaf: %d trailing bytes", len(d.b))
	}
	return l, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errors.New("audit: leaf: truncated or overflowing varint")
		return 0
	}
	// A varint with a redundant high zero byte decodes to the same value but
	// is a second encoding; refuse it to keep the encoding canonical.
	if n != len(binary.AppendUvarint(nil, v)) {
		d.err = errors.New("audit: leaf: non-minimal varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	// Zig-zag, as binary.AppendVarint writes it.
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errors.New("audit: leaf: length beyond end")
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	if n == 0 {
		return nil
	}
	return v
}

func (d *decoder) str() string { return string(d.bytes()) }

// RFC 6962 §2.1 domain separation prefixes.
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// HashLeaf is SHA-256(0x00 || data).
func HashLeaf(data []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(data)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// HashChildren is SHA-256(0x01 || left || right).
func HashChildren(left, right [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = nodePrefix
	copy(buf[1:], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// EmptyRoot is the root of the empty tree, SHA-256 of the empty string.
func EmptyRoot() [32]byte { return sha256.Sum256(nil) }
