package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// CanonicalJSON renders the content of v — everything a citizen relies on,
// plus identity, version number and validity start — as canonical JSON: keys
// sorted, no insignificant whitespace, UTF-8 unescaped, times in UTC with
// microsecond precision (the store keeps unix microseconds, so a version read
// back from the database hashes the same). Lifecycle fields that legitimately
// change after publication (status, valid_to, published_at) and the hash
// itself are left out, so superseding an old version does not alter its hash
// (C9).
func CanonicalJSON(v ItemVersion) ([]byte, error) {
	c := v.Clone()
	c.ValidFrom = c.ValidFrom.UTC().Truncate(time.Microsecond)
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	// Decoding into interface values and re-encoding sorts object keys
	// (encoding/json sorts map keys); UseNumber keeps numbers' exact text.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if m, ok := tree.(map[string]any); ok {
		for _, k := range lifecycleKeys {
			delete(m, k)
		}
	}
	if err := enc.Encode(normalise(tree)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// lifecycleKeys are the JSON names of the fields left out of the hash.
var lifecycleKeys = []string{"status", "valid_to", "published_at", "content_hash"}

// normalise drops nulls and empty arrays so that "absent" has one spelling:
// a nil and an empty slice mean the same element and must hash the same.
func normalise(x any) any {
	switch t := x.(type) {
	case map[string]any:
		for k, v := range t {
			if v == nil {
				delete(t, k)
				continue
			}
			if a, ok := v.([]any); ok && len(a) == 0 {
				delete(t, k)
				continue
			}
			t[k] = normalise(v)
		}
		return t
	case []any:
		for i, v := range t {
			t[i] = normalise(v)
		}
		return t
	}
	return x
}

// ContentHash returns the hex SHA-256 of CanonicalJSON(v).
func ContentHash(v ItemVersion) (string, error) {
	b, err := CanonicalJSON(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Unchanged reports whether v's content still matches the hash recorded at
// publication (C9): anyone holding the published hash can check a version.
func Unchanged(v ItemVersion) bool {
	if v.ContentHash == "" {
		return false
	}
	h, err := ContentHash(v)
	return err == nil && h == v.ContentHash
}
