package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters (RFC 9106). They are stored
// in every hash (PHC string), so changing them affects new hashes only;
// NeedsRehash tells a successful login to upgrade an old hash.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultArgon2 costs 50–100 ms on the 2-core reference machine (measured
// November 2026 with BenchmarkPassword_defaultParams: m=64 MiB, t=2, p=2 ≈
// 55 ms when the CPU is free; a machine shared with builds is slower in
// proportion). 64 MiB is RFC 9106's second recommended memory size; the cost
// makes offline guessing of a stolen hash expensive while a login still
// feels instant. Config.HashConcurrency bounds the memory a burst of logins takes.
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// Limits on parameters read from a stored hash: a corrupted or malicious row
// must not make Verify allocate gigabytes or loop for minutes.
const (
	maxArgonMemory = 1 << 20 // 1 GiB in KiB
	maxArgonTime   = 64
	maxArgonKeyLen = 128
)

// Hasher hashes and verifies passwords. At most Concurrency hashes run at a
// time (each holds Params.Memory), so a burst of logins cannot exhaust memory;
// further callers wait or give up when their context ends.
type Hasher struct {
	Params Argon2Params
	sem    chan struct{}
}

// NewHasher returns a Hasher with the given parameters running at most
// concurrency hashes at once (at least 1).
func NewHasher(p Argon2Params, concurrency int) *Hasher {
	return &Hasher{Params: p, sem: make(chan struct{}, max(1, concurrency))}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the PHC string of password under h.Params:
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash> (unpadded standard base64).
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	p := h.Params
	if p.SaltLen < 8 || p.KeyLen < 16 || p.Time < 1 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) {
		return "", fmt.Errorf("auth: argon2 parameters too weak or invalid: %+v", p)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	h.release()
	return encodePHC(p, salt, key), nil
}

// Verify reports whether password matches the PHC string encoded. The
// comparison is constant-time; a malformed hash is an error (a data problem
// to log), not a mismatch.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	p, salt, key, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	h.release()
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// h.Params (or cannot be read), so that a successful login re-hashes the
// password it has just verified.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, salt, key, err := decodePHC(encoded)
	if err != nil {
		return true
	}
	return p.Memory != h.Params.Memory || p.Time != h.Params.Time || p.Threads != h.Params.Threads ||
		uint32(len(salt)) != h.Params.SaltLen || uint32(len(key)) != h.Params.KeyLen
}

var b64 = base64.RawStdEncoding

func encodePHC(p Argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("auth: malformed argon2id PHC string")

func decodePHC(s string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q", errBadHash, parts[2])
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, threads) != parts[3] {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", errBadHash, parts[3])
	}
	if p.Memory > maxArgonMemory || p.Time < 1 || p.Time > maxArgonTime || threads < 1 || threads > 255 || p.Memory < 8*threads {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range %q", errBadHash, parts[3])
	}
	p.Threads = uint8(threads)
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("%w: salt", errBadHash)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > maxArgonKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash", errBadHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
