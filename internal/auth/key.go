package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the size of server keys made by LoadOrCreateKey.
const KeySize = 32

// LoadOrCreateKey returns the server key stored at path (the CSRF key),
// creating it with KeySize random bytes and mode 0600 on first start. The
// key lives in the data directory so tokens in open forms survive a restart;
// instances behind one load balancer must share the file.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) < KeySize {
			return nil, fmt.Errorf("auth: key file %s is too short (%d bytes, want %d)", path, len(key), KeySize)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("auth: read key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("auth: key directory: %w", err)
	}
	key = make([]byte, KeySize)
	// crypto/rand.Read never returns an error (it panics on failure since Go 1.24).
	_, _ = rand.Read(key)
	// O_EXCL: when two instances start together, one creates the file and
	// the other reads it, rather than each keeping a different key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: create key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		_ = f.Close() // the write error is the one worth reporting
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync error is the one worth reporting
		return nil, fmt.Errorf("auth: sync key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("auth: close key: %w", err)
	}
	return key, nil
}
