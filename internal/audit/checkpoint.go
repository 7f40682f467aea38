package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// checkpointHeader is the first line of the signed message. The message is
//
//	qingdan checkpoint v1\n
//	<size, decimal>\n
//	<root, standard base64>\n
//	<time, unix seconds, decimal>\n
//
// and the signature is Ed25519 over exactly those bytes. Anyone holding the
// public key can check a checkpoint without qingdan.
const checkpointHeader = "qingdan checkpoint v1"

// Checkpoint is a signed statement "the log had Size leaves with this Root at
// At". At has one-second resolution because that is what is signed.
type Checkpoint struct {
	Size uint64
	Root [32]byte
	At   time.Time
	Sig  []byte
}

// Message returns the bytes that are signed.
func (c Checkpoint) Message() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n%d\n", checkpointHeader, c.Size,
		base64.StdEncoding.EncodeToString(c.Root[:]), c.At.Unix())
}

// SignCheckpoint signs (size, root, at) with key; at is truncated to seconds.
func SignCheckpoint(key ed25519.PrivateKey, size uint64, root [32]byte, at time.Time) Checkpoint {
	c := Checkpoint{Size: size, Root: root, At: time.Unix(at.Unix(), 0).UTC()}
	c.Sig = ed25519.Sign(key, c.Message())
	return c
}

// Verify checks the signature.
func (c Checkpoint) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return errors.New("audit: checkpoint: bad public key length")
	}
	if !ed25519.Verify(pub, c.Message(), c.Sig) {
		return fmt.Errorf("audit: checkpoint at size %d: bad signature", c.Size)
	}
	return nil
}

// MarshalText renders the checkpoint for publication: the signed message, a
// blank line, and "— " followed by the base64 signature.
func (c Checkpoint) MarshalText() ([]byte, error) {
	b := c.Message()
	b = append(b, "\n— "...)
	b = append(b, base64.StdEncoding.EncodeToString(c.Sig)...)
	b = append(b, '\n')
	return b, nil
}

// ParseCheckpoint parses what MarshalText produces. It does not verify the
// signature (call Verify); it only accepts the exact canonical form, so a
// parsed checkpoint re-marshals to the same bytes.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	var c Checkpoint
	lines := bytes.Split(text, []byte("\n"))
	// header, size, root, time, "", "— sig", "" (after the final newline)
	if len(lines) != 7 || string(lines[0]) != checkpointHeader || len(lines[4]) != 0 || len(lines[6]) != 0 {
		return c, errors.New("audit: checkpoint: malformed")
	}
	size, err := parseCanonicalUint(string(lines[1]))
	if err != nil {
		return c, fmt.Errorf("audit: checkpoint: size: %w", err)
	}
	root, err := base64.StdEncoding.Strict().DecodeString(string(lines[2]))
	if err != nil || len(root) != 32 || base64.StdEncoding.EncodeToString(root) != string(lines[2]) {
		return c, errors.New("audit: checkpoint: root is not 32 bytes of canonical base64")
	}
	at, err := strconv.ParseInt(string(lines[3]), 10, 64)
	if err != nil || strconv.FormatInt(at, 10) != string(lines[3]) {
		return c, errors.New("audit: checkpoint: bad time")
	}
	sigLine, ok := bytes.CutPrefix(lines[5], []byte("— "))
	if !ok {
		return c, errors.New("audit: checkpoint: missing signature line")
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(string(sigLine))
	if err != nil || len(sig) != ed25519.SignatureSize || base64.StdEncoding.EncodeToString(sig) != string(sigLine) {
		return c, errors.New("audit: checkpoint: signature is not canonical base64 of 64 bytes")
	}
	c.Size, c.Root, c.At, c.Sig = size, [32]byte(root), time.Unix(at, 0).UTC(), sig
	return c, nil
}

func parseCanonicalUint(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if strconv.FormatUint(v, 10) != s {
		return 0, errors.New("not canonical decimal")
	}
	return v, nil
}

// KeyFile is the name of the signing key inside the data directory.
const KeyFile = "audit-ed25519.key"

// LoadOrCreateKey reads dataDir/audit-ed25519.key (PEM, PKCS #8), creating it
// with mode 0600 on first start. A key readable by group or others is refused:
// whoever can read it can forge checkpoints. Instances sharing one PostgreSQL
// database must share this file.
func LoadOrCreateKey(dataDir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dataDir, KeyFile)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		priv, err := writeNewKey(f)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			// Leave no half-written key behind: the next start would refuse it.
			return nil, errors.Join(fmt.Errorf("audit: key %s: %w", path, err), os.Remove(path))
		}
		return priv, nil
	case errors.Is(err, os.ErrExist):
		return loadKey(path)
	default:
		return nil, fmt.Errorf("audit: key: %w", err)
	}
}

// writeNewKey generates a key and writes it to f as PEM PKCS #8, synced: the
// key must survive a crash right after the first checkpoint is signed, or
// later checkpoints would not verify against earlier ones.
func writeNewKey(f *os.File) (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	return priv, nil
}

func loadKey(path string) (ed25519.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit: key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit: key %s has mode %v; it must be readable by its owner only (chmod 600)", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit: key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("audit: key %s: not a PEM PRIVATE KEY", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit: key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("audit: key %s: not an Ed25519 key", path)
	}
	return priv, nil
}
