package caseworkdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/store"
)

// Application is a registration at the window or an application online.
type Application struct {
	// BodyID is the body applied to: for staff 0 means their own body; the
	// public must name it.
	BodyID    int64              `json:"body_id,omitempty"`
	Item      string             `json:"item"` // the item's code (implementation or base)
	Applicant casework.Applicant `json:"applicant"`
	Materials []string           `json:"materials,omitempty"`
	Delivery  casework.Delivery  `json:"delivery,omitempty"`
	// Assisted: the staff member applies in the applicant's stead (帮办代办).
	Assisted bool `json:"assisted,omitempty"`
	// Secret and Privacy keep the case out of public view (H12).
	Secret  bool `json:"secret,omitempty"`
	Privacy bool `json:"privacy,omitempty"`
}

// Opened is a case just opened, with its query code: shown this once, as
// only its hash is kept (V3). Replayed says the submission was seen before
// under the same idempotency key and this is the case it made.
type Opened struct {
	Case      casework.Case `json:"case"`
	QueryCode string        `json:"query_code"`
	Replayed  bool          `json:"replayed,omitempty"`
}

// errReplay stops a write whose idempotency key another write stored
// first: the case that write made is the answer.
var errReplay = errors.New("caseworkdb: submission already stored")

// Open registers an application (the flow's apply): at the window by a
// staff member of the body, who becomes the case's first responder (H6),
// or online by the anonymous public (p is the zero Principal; C11). The
// item must be listed at this instant (C4, the catalogue's standing). key,
// when not empty, is the submission's idempotency key: the same
// submission sent again returns the case it made, with the same query code
// (derived from the key, which only the submitter knows), and a different
// submission under a used key is refused.
func (s *Service) Open(ctx context.Context, p access.Principal, app Application, key string) (Opened, error) {
	now := s.now()
	actor, err := s.actor(ctx, p)
	if err != nil {
		return Opened{}, err
	}
	bodyID := app.BodyID
	if bodyID == 0 && !p.Anonymous() {
		bodyID = p.BodyID
	}
	if bodyID == 0 {
		return Opened{}, errNoBody()
	}
	body, parent, err := bodyOf(ctx, s.db, bodyID)
	if err != nil {
		return Opened{}, err
	}
	if !p.Anonymous() && !p.Covers(body.Path) {
		return Opened{}, errBodyNotYours(body.Name)
	}
	if app.Applicant.Phone = strings.TrimSpace(app.Applicant.Phone); app.Applicant.Phone != "" {
		if _, err := notify.ParseMobile(app.Applicant.Phone); err != nil {
			return Opened{}, errPhone()
		}
	}
	var keyHash, reqHash string
	if key != "" {
		if len(key) < 16 || len(key) > 200 || strings.Trim(key, "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~") != "" {
			return Opened{}, errKey()
		}
		keyHash, reqHash = hashOf("key", key), hashJSON(app, bodyID)
		if o, ok, err := s.replay(ctx, keyHash, reqHash, key); ok || err != nil {
			return o, err
		}
	}
	l, err := s.items.Listing(ctx, body, app.Item, now)
	if err != nil {
		return Opened{}, err
	}
	if l.Item.Code == "" {
		return Opened{}, errNotOnList(app.Item)
	}
	flowCode, err := s.flowCodeFor(ctx, body.ID, l)
	if err != nil {
		return Opened{}, err
	}
	flowID, f, err := s.currentFlow(ctx, flowCode)
	if err != nil {
		return Opened{}, err
	}
	cal, err := s.cals.Calendar(ctx, body.ID)
	if err != nil {
		return Opened{}, err
	}
	env := casework.Env{Now: now, Calendar: cal, Flow: f, Actor: actor, Standing: l.Standing, Rules: s.rules}
	var out Opened
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var seq int64
		if err := tx.QueryRow(ctx, `INSERT INTO case_numbers (body_id, year, last) VALUES (?, ?, 1)
			ON CONFLICT (body_id, year) DO UPDATE SET last = case_numbers.last + 1 RETURNING last`,
			body.ID, cal.Date(now).Year()).Scan(&seq); err != nil {
			return fmt.Errorf("caseworkdb: case number: %w", err)
		}
		number := casework.NumberOf(body.Code, cal.Date(now).Year(), seq)
		random := s.random
		if key != "" {
			random = &keyed{seed: sha256.Sum256([]byte("qingdan query code\x00" + key + "\x00" + number))}
		}
		code, err := casework.NewQueryCode(random)
		if err != nil {
			return err
		}
		c, eff, err := casework.Open(casework.Application{Number: number, QueryCodeHash: casework.QueryCodeHash(number, code),
			Item: l.Item, Body: body, Parent: parent, Applicant: app.Applicant, Materials: app.Materials,
			Delivery: app.Delivery, Assisted: app.Assisted, Secret: app.Secret, Privacy: app.Privacy}, env)
		if err != nil {
			return err
		}
		row, err := rowOf(c, flowID, f, cal, now)
		if err != nil {
			return err
		}
		row.RegisteredAt = row.UpdatedAt
		if err := cases.Insert(ctx, tx, &row, eventOf(c, eff, actor)); err != nil {
			return err
		}
		if _, err := s.clocks.Create(ctx, tx, loginOf(actor), clockRef(number), body.ID, c.ClockSpec); err != nil {
			return err
		}
		if err := s.carryOut(ctx, tx, c, eff, actor, row.Version); err != nil {
			return err
		}
		if key != "" {
			_, err := tx.Exec(ctx, `INSERT INTO case_submissions (key_hash, request_hash, case_id, created_at) VALUES (?, ?, ?, ?)`,
				keyHash, reqHash, row.ID, row.UpdatedAt)
			if store.IsUniqueViolation(err) {
				return errReplay
			}
			if err != nil {
				return fmt.Errorf("caseworkdb: submission: %w", err)
			}
		}
		c.ID, c.Version = row.ID, int(row.Version)
		out = Opened{Case: staffView(c), QueryCode: code}
		return nil
	})
	if errors.Is(err, errReplay) {
		o, _, err := s.replay(ctx, keyHash, reqHash, key)
		return o, err
	}
	return out, err
}

// replay answers a submission whose key is stored: the case it made and
// its query code, or a refusal when the key came with another request.
func (s *Service) replay(ctx context.Context, keyHash, reqHash, key string) (Opened, bool, error) {
	var caseID int64
	var stored string
	err := s.db.QueryRow(ctx, `SELECT case_id, request_hash FROM case_submissions WHERE key_hash = ?`, keyHash).Scan(&caseID, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return Opened{}, false, nil
	}
	if err != nil {
		return Opened{}, false, fmt.Errorf("caseworkdb: submission: %w", err)
	}
	if stored != reqHash {
		return Opened{}, true, errKeyReused()
	}
	r, err := cases.Get(ctx, s.db, caseID)
	if err != nil {
		return Opened{}, true, err
	}
	c, err := caseOf(r)
	if err != nil {
		return Opened{}, true, err
	}
	code, err := casework.NewQueryCode(&keyed{seed: sha256.Sum256([]byte("qingdan query code\x00" + key + "\x00" + c.Number))})
	if err != nil {
		return Opened{}, true, err
	}
	return Opened{Case: staffView(c), QueryCode: code, Replayed: true}, true, nil
}

// keyed is a deterministic byte stream (SHA-256 in counter mode over a
// seed): the query code of a keyed submission, so a resent submission gets
// its code again without the code being stored anywhere.
type keyed struct {
	seed [32]byte
	n    uint64
	buf  []byte
}

func (k *keyed) Read(p []byte) (int, error) {
	for i := range p {
		if len(k.buf) == 0 {
			var ctr [8]byte
			binary.BigEndian.PutUint64(ctr[:], k.n)
			k.n++
			sum := sha256.Sum256(append(k.seed[:], ctr[:]...))
			k.buf = sum[:]
		}
		p[i], k.buf = k.buf[0], k.buf[1:]
	}
	return len(p), nil
}

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashJSON is the digest of a submission as the service read it.
func hashJSON(app Application, bodyID int64) string {
	app.BodyID = bodyID
	b, err := json.Marshal(app)
	if err != nil {
		// An Application holds strings, booleans and numbers only.
		panic("caseworkdb: encoding an application: " + err.Error())
	}
	return hashOf("application", string(b))
}
