package flow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Canonical returns the flow's canonical encoding: compact JSON with the
// keys in the order of docs/FLOWS.md, defaults written out (level) and
// empty lists left out, UTF-8 unescaped. Parse reads it back into an equal
// flow, so it is what storage keeps and what Hash covers; comments and
// layout of the file the flow came from are not part of it.
func (f *Flow) Canonical() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// A Flow holds only strings, numbers, booleans, slices and string-keyed
	// maps of them: encoding cannot fail.
	if err := enc.Encode(f); err != nil {
		panic("flow: encoding a flow: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Hash returns the hex SHA-256 of the canonical encoding: a case records
// it with the flow's code and version, so the exact flow it started with
// can be proved later.
func (f *Flow) Hash() string {
	if f.hash != "" {
		return f.hash
	}
	return f.computeHash()
}

func (f *Flow) computeHash() string {
	sum := sha256.Sum256(f.Canonical())
	return hex.EncodeToString(sum[:])
}
