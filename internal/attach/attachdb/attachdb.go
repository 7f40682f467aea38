// Package attachdb keeps attachments (issue #15 item 3, #17 item 1):
// the bytes in a gocloud.dev/blob bucket (a local directory by default,
// S3-compatible storage by URL) under their SHA-256, and a row per file
// attached to a case in attachments (migration 0910), an audited aggregate
// whose events are rooted at the case, so its timeline names every file
// with its hash, name, size and kind. A complaint's evidence is only kept
// here (Keep): the complaint's own event records it.
//
// The order of a write: the file is checked (attach.Check: size and kind
// by content), scanned (the configured command), written to the bucket,
// and only then is its row inserted. A refused file leaves nothing behind.
// A row write that fails after the blob was written (a conflict, the
// database gone) leaves a blob no row names (for a complaint's evidence,
// which its complaint's own event records, no complaint): it is never served (downloads
// go through a row) and the same bytes uploaded again reuse it (the key is
// the hash); `Orphans` lists such blobs for an operator, and none is
// deleted automatically, because a concurrent upload of the same bytes may
// be about to name it.
//
// Rows are never deleted. A replacement is a new row naming the one it
// replaces, and the old row is saved with replaced_by, in one write: both
// stay on the timeline.
package attachdb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/attach"
	"github.com/qingdan/qingdan/internal/store"
)

// ObjectAttachment is the object type of the attachments' events.
const ObjectAttachment = "attachment"

// Owner types.
const (
	OwnerCase      = "case"
	OwnerComplaint = "complaint"
)

// row is a row of attachments; its State is the row.
type row struct {
	ID         int64  `json:"id"`
	Version    int64  `json:"version"`
	OwnerType  string `json:"owner_type"`
	OwnerID    string `json:"owner_id"`
	BodyID     int64  `json:"body_id"`
	BodyPath   string `json:"body_path"`
	Slot       string `json:"slot"`
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	Kind       string `json:"kind"`
	SHA256     string `json:"sha256"`
	Replaces   int64  `json:"replaces"`
	ReplacedBy int64  `json:"replaced_by"`
	AddedBy    string `json:"added_by"`
	AddedAt    int64  `json:"added_at"`
}

func fields(r *row) []any {
	return []any{&r.ID, &r.Version, &r.OwnerType, &r.OwnerID, &r.BodyID, &r.BodyPath, &r.Slot, &r.Name, &r.Size, &r.Kind,
		&r.SHA256, &r.Replaces, &r.ReplacedBy, &r.AddedBy, &r.AddedAt}
}

const selectRows = `SELECT id, version, owner_type, owner_id, body_id, body_path, slot, name, size, kind, sha256, replaces,
	replaced_by, added_by, added_at FROM attachments`

var attachments = store.Declare(store.Aggregate[row]{
	Table: "attachments", ObjectType: ObjectAttachment,
	Columns: []string{"owner_type", "owner_id", "body_id", "body_path", "slot", "name", "size", "kind", "sha256", "replaces",
		"replaced_by", "added_by", "added_at"},
	Fields: fields,
	State:  func(r *row) any { return r },
})

// Attachment is an attached file as pages and the API show it.
type Attachment struct {
	ID         int64       `json:"id"`
	Owner      string      `json:"owner"` // the case's number
	Slot       string      `json:"slot,omitempty"`
	Name       string      `json:"name"`
	Size       int64       `json:"size"`
	Kind       attach.Kind `json:"kind"`
	SHA256     string      `json:"sha256"`
	Replaces   int64       `json:"replaces,omitempty"`
	ReplacedBy int64       `json:"replaced_by,omitempty"`
	AddedBy    string      `json:"added_by"`
	AddedAt    time.Time   `json:"added_at"`
}

func (r row) attachment() Attachment {
	return Attachment{ID: r.ID, Owner: r.OwnerID, Slot: r.Slot, Name: r.Name, Size: r.Size, Kind: attach.Kind(r.Kind),
		SHA256: r.SHA256, Replaces: r.Replaces, ReplacedBy: r.ReplacedBy, AddedBy: r.AddedBy, AddedAt: store.FromMicros(r.AddedAt)}
}

// Owner is the object files are attached to, as resolved from the
// database: its body, and the bodies whose staff see it (O1).
type Owner struct {
	Type, ID string
	BodyID   int64
	Paths    []string // the first is the owner's body
}

// Options configure a Service.
type Options struct {
	// Scanner checks a file's bytes before it is stored; nil: none.
	Scanner Scanner
	// Now is the clock of the service's writes; time.Now when nil.
	Now func() time.Time
}

// Service keeps attachments. It is safe for concurrent use.
type Service struct {
	db     *store.DB
	bucket *blob.Bucket
	scan   Scanner
	now    func() time.Time
}

// New returns the service over db and bucket (OpenBucket).
func New(db *store.DB, bucket *blob.Bucket, o Options) *Service {
	s := &Service{db: db, bucket: bucket, scan: o.Scanner, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Close closes the bucket.
func (s *Service) Close() error { return s.bucket.Close() }

// DefaultURL is the bucket of a data directory: the directory
// attachments under it, created when missing; temporary files are written
// beside their final place (a rename never crosses devices) and no
// metadata sidecars are written (the row holds name and kind).
func DefaultURL(absDir string) string {
	return "file://" + absDir + "?create_dir=1&no_tmp_dir=1&metadata=skip"
}

// OpenBucket opens the bucket at url through gocloud.dev's URL openers:
// file:// (fileblob) always; others (s3://) when the binary imports their
// driver (cmd/qingdan does).
func OpenBucket(ctx context.Context, url string) (*blob.Bucket, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("attachdb: opening the attachment bucket: %w", err)
	}
	return b, nil
}

// Upload is one file as a form or the API sent it.
type Upload struct {
	Field string // the form field, named by a refusal
	Slot  string // the material's or evidence's label
	Name  string
	Data  []byte
	// Replaces is the attachment of the same owner this one replaces; 0.
	Replaces int64
}

// Prepared is an upload checked, scanned and in the bucket: what a row
// records.
type Prepared struct {
	attach.File
	Slot     string
	Replaces int64
}

// MaxSlot bounds a slot's label, in characters.
const MaxSlot = 200

// Prepare checks up against lim, scans it and writes its bytes to the
// bucket (once per content: a blob already there is not written again).
// Nothing is stored when it refuses.
func (s *Service) Prepare(ctx context.Context, up Upload, lim attach.Limits) (Prepared, error) {
	field := up.Field
	if field == "" {
		field = "file"
	}
	slot := strings.TrimSpace(up.Slot)
	if len([]rune(slot)) > MaxSlot {
		return Prepared{}, apperr.Invalidf("slot", "attachdb.the_label_is_longer_than", MaxSlot)
	}
	f, err := attach.Check(field, up.Name, up.Data, lim)
	if err != nil {
		return Prepared{}, err
	}
	if err := s.scanAndStore(ctx, field, f.Name, f.SHA256, up.Data, f.Kind); err != nil {
		return Prepared{}, err
	}
	return Prepared{File: f, Slot: slot, Replaces: up.Replaces}, nil
}

// scanAndStore runs the scanner on data and writes it under sum unless the
// bucket has it already.
func (s *Service) scanAndStore(ctx context.Context, field, name, sum string, data []byte, kind attach.Kind) error {
	if s.scan != nil {
		if err := s.scan.Scan(ctx, data); err != nil {
			var refused *Refused
			if errors.As(err, &refused) {
				return apperr.Invalidf(field, "attachdb.the_virus_scanner_refused", name)
			}
			return fmt.Errorf("attachdb: scanning %s: %w", name, err)
		}
	}
	key := attach.Key(sum)
	ok, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return fmt.Errorf("attachdb: bucket: %w", err)
	}
	if !ok {
		if err := s.bucket.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: kind.MediaType()}); err != nil {
			return fmt.Errorf("attachdb: writing %s: %w", key, err)
		}
	}
	return nil
}

// Keep scans data, already checked by its owner's own limits (a
// complaint's evidence), and stores it under its SHA-256, which it returns.
func (s *Service) Keep(ctx context.Context, field, name string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	if err := s.scanAndStore(ctx, field, name, hexSum, data, attach.Sniff(data)); err != nil {
		return "", err
	}
	return hexSum, nil
}

// OpenBlob reads the bytes stored under sum; the caller has checked that
// the reader may see the record naming them, and closes the reader.
func (s *Service) OpenBlob(ctx context.Context, sum string) (io.ReadCloser, error) {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return nil, apperr.NotFoundf("attachdb.no_file_with_hash")
	}
	rd, err := s.bucket.NewReader(ctx, attach.Key(sum), nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, apperr.NotFoundf("attachdb.no_file_with_hash")
	}
	if err != nil {
		return nil, fmt.Errorf("attachdb: reading %s: %w", sum, err)
	}
	return rd, nil
}

// Add attaches uploads to owner (ownerType, id) for p, who must see the
// owner (O1): each is prepared (checked, scanned, in the bucket), then all
// rows are inserted in one write. One refused file refuses them all.
func (s *Service) Add(ctx context.Context, p access.Principal, ownerType, id string, ups []Upload, lim attach.Limits) ([]Attachment, error) {
	if p.Login == "" {
		return nil, apperr.Forbiddenf("attachdb.only_staff_may_attach_files")
	}
	o, err := s.Owner(ctx, s.db, ownerType, id)
	if err != nil {
		return nil, err
	}
	if !sees(p, o) {
		return nil, errNotYours()
	}
	ps, err := s.prepareAll(ctx, ups, lim)
	if err != nil {
		return nil, err
	}
	var out []Attachment
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.Insert(ctx, tx, p.Login, o, ps)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddFor attaches uploads to owner for an actor the caller vouches for
// (the public filing a complaint, in the request that filed it), in its own
// write.
func (s *Service) AddFor(ctx context.Context, actor, ownerType, id string, ups []Upload, lim attach.Limits) ([]Attachment, error) {
	ps, err := s.prepareAll(ctx, ups, lim)
	if err != nil {
		return nil, err
	}
	var out []Attachment
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		o, err := s.Owner(ctx, tx, ownerType, id)
		if err != nil {
			return err
		}
		out, err = s.Insert(ctx, tx, actor, o, ps)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) prepareAll(ctx context.Context, ups []Upload, lim attach.Limits) ([]Prepared, error) {
	if len(ups) == 0 {
		return nil, apperr.Invalidf("file", "attach.choose_a_file")
	}
	ps := make([]Prepared, 0, len(ups))
	for _, up := range ups {
		p, err := s.Prepare(ctx, up, lim)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// Insert records prepared files on owner inside a write (another
// service's, to attach files in the same transaction as its change). A
// replacement must name an attachment of the same owner not replaced
// already.
func (s *Service) Insert(ctx context.Context, tx *store.Tx, actor string, o Owner, ps []Prepared) ([]Attachment, error) {
	at := store.Micros(s.now())
	out := make([]Attachment, 0, len(ps))
	for _, p := range ps {
		r := row{OwnerType: o.Type, OwnerID: o.ID, BodyID: o.BodyID, BodyPath: o.Paths[0], Slot: p.Slot, Name: p.Name,
			Size: p.Size, Kind: string(p.Kind), SHA256: p.SHA256, Replaces: p.Replaces, AddedBy: actor, AddedAt: at}
		var old row
		if p.Replaces != 0 {
			var err error
			old, err = attachments.Lock(ctx, tx, p.Replaces)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && (old.OwnerType != o.Type || old.OwnerID != o.ID)) {
				return nil, apperr.Invalidf("replaces", "attachdb.no_attachment_of_this_owner_with_id", p.Replaces)
			}
			if err != nil {
				return nil, err
			}
			if old.ReplacedBy != 0 {
				return nil, apperr.Conflictf("attachdb.the_attachment_was_replaced_already", old.ID, old.ReplacedBy)
			}
			if r.Slot == "" {
				r.Slot = old.Slot
			}
		}
		payload, err := json.Marshal(map[string]any{"sha256": p.SHA256, "name": p.Name, "size": p.Size, "kind": p.Kind,
			"slot": r.Slot, "replaces": p.Replaces})
		if err != nil {
			return nil, err
		}
		action := "attachment.added"
		if p.Replaces != 0 {
			action = "attachment.replaced"
		}
		if err := attachments.Insert(ctx, tx, &r, store.Event{Actor: actor, Action: action, BodyID: o.BodyID,
			RootType: o.Type, RootID: o.ID, To: p.SHA256, Payload: payload}); err != nil {
			return nil, err
		}
		if p.Replaces != 0 {
			old.ReplacedBy = r.ID
			if err := attachments.Save(ctx, tx, &old, store.Event{Actor: actor, Action: "attachment.superseded", BodyID: o.BodyID,
				RootType: o.Type, RootID: o.ID, From: old.SHA256, To: p.SHA256}); err != nil {
				return nil, err
			}
		}
		out = append(out, r.attachment())
	}
	return out, nil
}

// Owner resolves an owner from the database: a case or a complaint by its
// number.
func (s *Service) Owner(ctx context.Context, q store.Querier, ownerType, id string) (Owner, error) {
	id = strings.TrimSpace(id)
	o := Owner{Type: ownerType, ID: id}
	var path string
	var err error
	switch ownerType {
	case OwnerCase:
		err = q.QueryRow(ctx, `SELECT body_id, body_path FROM cases WHERE number = ?`, id).Scan(&o.BodyID, &path)
		o.Paths = []string{path}
	case OwnerComplaint:
		err = q.QueryRow(ctx, `SELECT body_id, body_path FROM complaints WHERE number = ?`, id).Scan(&o.BodyID, &path)
		o.Paths = []string{path}
	default:
		return Owner{}, fmt.Errorf("attachdb: unknown owner type %q", ownerType)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Owner{}, errNoOwner(ownerType, id)
	}
	if err != nil {
		return Owner{}, fmt.Errorf("attachdb: %s %s: %w", ownerType, clip(id), err)
	}
	return o, nil
}

// BodyPath is the path of the owner's body (a route's scope).
func (s *Service) BodyPath(ctx context.Context, ownerType, id string) (string, error) {
	o, err := s.Owner(ctx, s.db, ownerType, id)
	if err != nil {
		return "", err
	}
	return o.Paths[0], nil
}

func sees(p access.Principal, o Owner) bool {
	for _, path := range o.Paths {
		if path != "" && p.Covers(path) {
			return true
		}
	}
	return false
}

// List is the owner's attachments, replaced ones included, in the order
// added, for p who sees the owner.
func (s *Service) List(ctx context.Context, p access.Principal, ownerType, id string) ([]Attachment, error) {
	o, err := s.Owner(ctx, s.db, ownerType, id)
	if err != nil {
		return nil, err
	}
	if !sees(p, o) {
		return nil, errNotYours()
	}
	rs, err := s.db.Query(ctx, selectRows+` WHERE owner_type = ? AND owner_id = ? ORDER BY id`, o.Type, o.ID)
	if err != nil {
		return nil, fmt.Errorf("attachdb: attachments of %s %s: %w", o.Type, clip(o.ID), err)
	}
	defer rs.Close()
	var out []Attachment
	for rs.Next() {
		var r row
		if err := rs.Scan(fields(&r)...); err != nil {
			return nil, err
		}
		out = append(out, r.attachment())
	}
	return out, rs.Err()
}

// Open is attachment id of the owner with a reader of its bytes, for p
// who sees the owner. The caller closes the reader.
func (s *Service) Open(ctx context.Context, p access.Principal, ownerType, id string, attID int64) (Attachment, io.ReadCloser, error) {
	o, err := s.Owner(ctx, s.db, ownerType, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	if !sees(p, o) {
		return Attachment{}, nil, errNotYours()
	}
	r, err := attachments.Get(ctx, s.db, attID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (r.OwnerType != o.Type || r.OwnerID != o.ID)) {
		return Attachment{}, nil, apperr.NotFoundf("attachdb.no_attachment_of_this_owner_with_id", attID)
	}
	if err != nil {
		return Attachment{}, nil, err
	}
	rd, err := s.bucket.NewReader(ctx, attach.Key(r.SHA256), nil)
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("attachdb: the bytes of attachment %d (%s): %w", r.ID, r.SHA256, err)
	}
	return r.attachment(), rd, nil
}

// Orphans lists the bucket's blobs that no row names (a row write that
// failed after its blob was written), for an operator to inspect; it
// deletes nothing.
func (s *Service) Orphans(ctx context.Context) ([]string, error) {
	var out []string
	it := s.bucket.List(&blob.ListOptions{Prefix: "sha256/"})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("attachdb: listing the bucket: %w", err)
		}
		sum := obj.Key[strings.LastIndexByte(obj.Key, '/')+1:]
		// A case's file has its row; a complaint's evidence
		// is named in its complaint's State (a scan of the log: an
		// operator's tool, not a request's).
		var n int
		if err := s.db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM attachments WHERE sha256 = ?)
			+ (SELECT COUNT(*) FROM events WHERE object_type = 'complaint' AND state LIKE ?)`, sum, "%"+sum+"%").Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			out = append(out, obj.Key)
		}
	}
}

// Has reports whether the bucket holds the bytes of sum (tests, verify).
func (s *Service) Has(ctx context.Context, sum string) (bool, error) {
	ok, err := s.bucket.Exists(ctx, attach.Key(sum))
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return false, err
	}
	return ok, nil
}

// Scanner checks a file's bytes: nil when clean, *Refused when it rejects
// them, another error when it could not scan (the upload is refused as an
// internal error: nothing unscanned is stored).
type Scanner interface {
	Scan(ctx context.Context, data []byte) error
}

// Refused is a scanner's rejection.
type Refused struct{ Output string }

func (r *Refused) Error() string { return "attachdb: the scanner rejected the file: " + r.Output }

// Command is a Scanner running a command (clamdscan --no-summary -) with
// the bytes on its standard input: exit 0 is clean, any other exit a
// rejection.
type Command struct {
	Argv    []string
	Timeout time.Duration // 0: one minute
}

// ParseCommand splits a --scan-command value at spaces.
func ParseCommand(s string) (*Command, error) {
	argv := strings.Fields(s)
	if len(argv) == 0 {
		return nil, nil
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return nil, fmt.Errorf("attachdb: scan command %q: %w", argv[0], err)
	}
	return &Command{Argv: argv}, nil
}

// Scan runs the command on data.
func (c *Command) Scan(ctx context.Context, data []byte) error {
	t := c.Timeout
	if t <= 0 {
		t = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, t)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Stdin = bytes.NewReader(data)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("attachdb: the scan command took longer than %s", t)
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return &Refused{Output: strings.TrimSpace(clip(out.String()))}
	}
	return fmt.Errorf("attachdb: running the scan command: %w", err)
}

func errNotYours() error {
	return apperr.Forbiddenf("attachdb.outside_your_jurisdiction")
}

func errNoOwner(ownerType, id string) error {
	return apperr.NotFoundf("attachdb.no_owner_with_id", ownerType, clip(id))
}

func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
