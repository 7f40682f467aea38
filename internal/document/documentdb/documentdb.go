// Package documentdb keeps case documents (issue #15; docs/DOCUMENTS.md):
// each document a transition issues is numbered from its body's gapless
// sequence, rendered through document (which refuses a sealed kind without
// the body's seal, H8) and inserted — with its hash, the template version
// and the data that re-render it — in the transition's own write, as an
// event rooted at the case. Documents are never updated: a correction is
// a new document naming the one it replaces. The body's approval seal and
// the template versions are declared aggregates too; the seal register is
// the sealed documents.
//
// Layout (migration 0900): documents, document_numbers (the sequences),
// document_templates (shipped, body_id 0, and each body's edits), seals.
package documentdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/store"
)

// Object types of the events.
const (
	ObjectDocument = "document"
	ObjectTemplate = "document_template"
	ObjectSeal     = "seal"
	// rootCase is the root of a document's events: its case's timeline.
	rootCase = "case"
)

// docRow is a row of documents; its State is the row.
type docRow struct {
	ID, Version int64
	Number      string
	Kind        string
	Word        string
	Year        int64
	Seq         int64
	Case        string
	BodyID      int64
	BodyPath    string
	IssuedOn    string
	IssuedAt    int64
	IssuedBy    string
	TemplateID  int64
	Seal        string
	Replaces    string
	Reason      string
	Spec        string
	Data        string
	Hash        string
}

type docState struct {
	ID         int64           `json:"id"`
	Version    int64           `json:"version"`
	Number     string          `json:"number"`
	Kind       string          `json:"kind"`
	Word       string          `json:"word"`
	Year       int64           `json:"year"`
	Seq        int64           `json:"seq"`
	Case       string          `json:"case"`
	BodyID     int64           `json:"body_id"`
	BodyPath   string          `json:"body_path"`
	IssuedOn   string          `json:"issued_on"`
	IssuedAt   int64           `json:"issued_at"`
	IssuedBy   string          `json:"issued_by"`
	TemplateID int64           `json:"template_id"`
	Seal       string          `json:"seal"`
	Replaces   string          `json:"replaces"`
	Reason     string          `json:"reason"`
	Spec       json.RawMessage `json:"spec"`
	Data       json.RawMessage `json:"data"`
	Hash       string          `json:"hash"`
}

var docCols = []string{"number", "kind", "word", "year", "seq", "case_number", "body_id", "body_path", "issued_on", "issued_at",
	"issued_by", "template_id", "seal", "replaces", "reason", "spec", "data", "hash"}

const docSelect = `SELECT id, version, number, kind, word, year, seq, case_number, body_id, body_path, issued_on, issued_at,
	issued_by, template_id, seal, replaces, reason, spec, data, hash FROM documents`

func docFields(r *docRow) []any {
	return []any{&r.ID, &r.Version, &r.Number, &r.Kind, &r.Word, &r.Year, &r.Seq, &r.Case, &r.BodyID, &r.BodyPath, &r.IssuedOn,
		&r.IssuedAt, &r.IssuedBy, &r.TemplateID, &r.Seal, &r.Replaces, &r.Reason, &r.Spec, &r.Data, &r.Hash}
}

var documents = store.Declare(store.Aggregate[docRow]{
	Table: "documents", ObjectType: ObjectDocument, Columns: docCols, Fields: docFields,
	State: func(r *docRow) any {
		return docState{ID: r.ID, Version: r.Version, Number: r.Number, Kind: r.Kind, Word: r.Word, Year: r.Year, Seq: r.Seq,
			Case: r.Case, BodyID: r.BodyID, BodyPath: r.BodyPath, IssuedOn: r.IssuedOn, IssuedAt: r.IssuedAt, IssuedBy: r.IssuedBy,
			TemplateID: r.TemplateID, Seal: r.Seal, Replaces: r.Replaces, Reason: r.Reason, Spec: json.RawMessage(r.Spec),
			Data: json.RawMessage(r.Data), Hash: r.Hash}
	},
})

// templateRow is a row of document_templates: one version of a kind's
// template in one language, shipped (BodyID 0) or a body's edit.
type templateRow struct {
	ID        int64  `json:"id"`
	Version   int64  `json:"version"`
	BodyID    int64  `json:"body_id"`
	Kind      string `json:"kind"`
	Lang      string `json:"lang"`
	Source    string `json:"source"`
	Hash      string `json:"hash"`
	CreatedBy string `json:"created_by"`
	CreatedAt int64  `json:"created_at"`
}

var templates = store.Declare(store.Aggregate[templateRow]{
	Table: "document_templates", ObjectType: ObjectTemplate,
	Columns: []string{"body_id", "kind", "lang", "source", "hash", "created_by", "created_at"},
	Fields: func(r *templateRow) []any {
		return []any{&r.ID, &r.Version, &r.BodyID, &r.Kind, &r.Lang, &r.Source, &r.Hash, &r.CreatedBy, &r.CreatedAt}
	},
	State: func(r *templateRow) any { return r },
})

// sealRow is a body's approval seal (H8).
type sealRow struct {
	BodyID    int64  `json:"body_id"`
	Version   int64  `json:"version"`
	Name      string `json:"name"`
	Enabled   int64  `json:"enabled"`
	UpdatedBy string `json:"updated_by"`
	UpdatedAt int64  `json:"updated_at"`
}

var seals = store.Declare(store.Aggregate[sealRow]{
	Table: "seals", ObjectType: ObjectSeal, Key: "body_id",
	Columns: []string{"name", "enabled", "updated_by", "updated_at"},
	Fields: func(r *sealRow) []any {
		return []any{&r.BodyID, &r.Version, &r.Name, &r.Enabled, &r.UpdatedBy, &r.UpdatedAt}
	},
	State: func(r *sealRow) any { return r },
})

// Options configure a Service.
type Options struct {
	// PublicURL is the site's public address; a document's QR code leads
	// to its case's public page under it.
	PublicURL string
	// Now is the clock of the service's own writes; time.Now when nil.
	Now func() time.Time
}

// Service keeps documents, template versions and seals. It is safe for
// concurrent use.
type Service struct {
	db        *store.DB
	publicURL string
	now       func() time.Time

	mu     sync.Mutex
	parsed map[int64]*document.Template // by template version id; versions never change
}

// New returns the service over db.
func New(db *store.DB, o Options) *Service {
	s := &Service{db: db, publicURL: strings.TrimSuffix(o.PublicURL, "/"), now: o.Now, parsed: map[int64]*document.Template{}}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// CaseURL is the public page of case number, the QR code's payload: the
// portal's follow page, which asks for the query code (V3).
func (s *Service) CaseURL(number string) string {
	return s.publicURL + "/portal/cases?number=" + url.QueryEscape(number)
}

// Prefix is the short name a body's document numbers begin with: its name
// without 人民政府/办事处 and the level's last character (青山镇人民政府 →
// 青山, 青山街道 → 青山), in at most 8 Han characters.
func Prefix(name string) string {
	n := strings.TrimSpace(name)
	for _, suf := range []string{"人民政府", "办事处", "管理委员会", "管委会"} {
		n = strings.TrimSuffix(n, suf)
	}
	for _, suf := range []string{"街道", "镇", "乡", "区", "县", "市", "省"} {
		if t := strings.TrimSuffix(n, suf); t != n && t != "" {
			n = t
			break
		}
	}
	var han []rune
	for _, r := range n {
		if unicode.Is(unicode.Han, r) && len(han) < 8 {
			han = append(han, r)
		}
	}
	if len(han) == 0 {
		return "本机关"
	}
	return string(han)
}

// Issue numbers, renders and stores the documents a transition of case c
// issues, in the transition's write tx (caseworkdb.DocumentIssuer). Kinds
// that are the unit's own papers (no template) are left to the timeline.
// A sealed kind of a body without an enabled seal refuses the write (H8).
func (s *Service) Issue(ctx context.Context, tx *store.Tx, c casework.Case, docs []casework.Document, actor casework.Actor, login string) error {
	for _, d := range docs {
		if _, err := document.SpecOf("kind", d.Kind); err != nil {
			continue
		}
		if _, err := s.issue(ctx, tx, c, d, actor.Name, login, c.Updated, nil); err != nil {
			return err
		}
	}
	return nil
}

// correction is what a correction adds to a document: the one it replaces
// and why.
type correction struct {
	replaces document.Number
	reason   string
}

// issue draws the next number of d's sequence, renders d and inserts it.
func (s *Service) issue(ctx context.Context, tx *store.Tx, c casework.Case, d casework.Document, officer, login string,
	at time.Time, corr *correction) (docRow, error) {
	spec, err := document.SpecOf("kind", d.Kind)
	if err != nil {
		return docRow{}, err
	}
	if d.Date == 0 {
		d.Date = dateOf(at)
	}
	lang := "zh"
	tr, t, err := s.currentTemplate(ctx, tx, c.Body.ID, d.Kind, lang)
	if err != nil {
		return docRow{}, err
	}
	var seal *document.Seal
	if spec.Sealed {
		if seal, err = s.sealFor(ctx, tx, c.Body.ID); err != nil {
			return docRow{}, err
		}
	}
	year := d.Date.Year()
	var seq int64
	if err := tx.QueryRow(ctx, `INSERT INTO document_numbers (body_id, word, year, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (body_id, word, year) DO UPDATE SET last = document_numbers.last + 1 RETURNING last`,
		c.Body.ID, spec.Word, year).Scan(&seq); err != nil {
		return docRow{}, fmt.Errorf("documentdb: number: %w", err)
	}
	n, err := document.NumberFor(Prefix(c.Body.Name), spec, d.Date, seq)
	if err != nil {
		return docRow{}, err
	}
	data := document.FromCase(c, d, n, document.Context{Lang: lang, PublicURL: s.CaseURL(c.Number), Officer: officer})
	if corr != nil {
		data.Replaces, data.Correction = corr.replaces.String(), corr.reason
	}
	// Render refuses what cannot be issued — a sealed kind without the
	// seal (H8), a refusal without reasons (H3) — and so the transition.
	r, err := document.Render(document.Input{Template: t, Data: data, Seal: seal})
	if err != nil {
		return docRow{}, err
	}
	specJSON, err := json.Marshal(d)
	if err != nil {
		return docRow{}, fmt.Errorf("documentdb: %s: %w", n, err)
	}
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return docRow{}, fmt.Errorf("documentdb: %s: %w", n, err)
	}
	row := docRow{Number: n.String(), Kind: string(d.Kind), Word: spec.Word, Year: int64(year), Seq: seq, Case: c.Number,
		BodyID: c.Body.ID, BodyPath: c.Body.Path, IssuedOn: d.Date.String(), IssuedAt: store.Micros(at), IssuedBy: login,
		TemplateID: tr.ID, Spec: string(specJSON), Data: string(dataJSON), Hash: contentHash(r)}
	if seal != nil {
		row.Seal = seal.Name
	}
	action := "document.issued"
	if corr != nil {
		row.Replaces, row.Reason, action = corr.replaces.String(), corr.reason, "document.corrected"
	}
	payload, err := json.Marshal(map[string]string{"number": row.Number, "kind": row.Kind, "hash": row.Hash, "seal": row.Seal,
		"replaces": row.Replaces})
	if err != nil {
		return docRow{}, err
	}
	err = documents.Insert(ctx, tx, &row, store.Event{Actor: login, Action: action, BodyID: c.Body.ID,
		RootType: rootCase, RootID: c.Number, To: row.Number, Payload: payload})
	return row, err
}

// contentHash is the hash of what a document prints: its rendered
// fragment, the name on its seal and its QR code's payload — which
// determine its page and its PDF (the seal and the QR code are drawn
// from them) — joined by NULs.
func contentHash(r *document.Rendered) string {
	seal := ""
	if r.Seal != nil {
		seal = r.Seal.Name + "\x00" + r.Seal.Title
	}
	return hashOf(r.Fragment + "\x00" + seal + "\x00" + r.Data.PublicURL)
}

// hashOf is the SHA-256 of s, in hex.
func hashOf(body string) string {
	h := sha256.Sum256([]byte(body))
	return hex.EncodeToString(h[:])
}

// dateOf is the calendar day of instant t where the bodies are (China
// keeps one time zone).
func dateOf(t time.Time) calendar.Date {
	t = t.In(cst)
	return calendar.DateOf(t.Year(), t.Month(), t.Day())
}

var cst = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// sealFor is the body's enabled seal, or the H8 refusal naming the field
// seal when it has none.
func (s *Service) sealFor(ctx context.Context, q store.Querier, bodyID int64) (*document.Seal, error) {
	var name string
	var enabled int64
	err := q.QueryRow(ctx, `SELECT name, enabled FROM seals WHERE body_id = ?`, bodyID).Scan(&name, &enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && enabled != 1) {
		return nil, errNoSeal()
	}
	if err != nil {
		return nil, fmt.Errorf("documentdb: seal of body %d: %w", bodyID, err)
	}
	seal, err := document.NewSeal(name)
	if err != nil {
		return nil, err
	}
	return &seal, nil
}

func errNoSeal() error {
	return apperr.Invalidf("seal", "documentdb.this_body_s_approval_seal_is")
}

// currentTemplate is the template version documents of kind in lang of
// the body are issued with now: the body's latest edit, else the shipped
// one (stored on first use, so every document names a stored version).
func (s *Service) currentTemplate(ctx context.Context, tx *store.Tx, bodyID int64, kind casework.DocumentKind, lang string) (templateRow, *document.Template, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM document_templates WHERE body_id IN (0, ?) AND kind = ? AND lang = ?
		ORDER BY body_id DESC, id DESC LIMIT 1`, bodyID, string(kind), lang).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return s.storeShipped(ctx, tx, kind, lang)
	}
	if err != nil {
		return templateRow{}, nil, fmt.Errorf("documentdb: template %s.%s: %w", kind, lang, err)
	}
	return s.template(ctx, tx, id)
}

// storeShipped stores the shipped template of kind in lang as body 0's.
func (s *Service) storeShipped(ctx context.Context, tx *store.Tx, kind casework.DocumentKind, lang string) (templateRow, *document.Template, error) {
	t, err := document.Default(kind, lang)
	if err != nil {
		return templateRow{}, nil, err
	}
	r := templateRow{Kind: string(kind), Lang: t.Lang, Source: t.Source, Hash: hashOf(t.Source), CreatedBy: "system",
		CreatedAt: store.Micros(s.now())}
	if err := templates.Insert(ctx, tx, &r, store.Event{Actor: "system", Action: "document.template.shipped"}); err != nil {
		return templateRow{}, nil, err
	}
	s.mu.Lock()
	s.parsed[r.ID] = t
	s.mu.Unlock()
	return r, t, nil
}

// template reads template version id, parsed (kept once parsed: a
// version never changes).
func (s *Service) template(ctx context.Context, q store.Querier, id int64) (templateRow, *document.Template, error) {
	r, err := templates.Get(ctx, q, id)
	if err != nil {
		return r, nil, err
	}
	s.mu.Lock()
	t, ok := s.parsed[id]
	s.mu.Unlock()
	if ok {
		return r, t, nil
	}
	t, err = document.ParseTemplate(casework.DocumentKind(r.Kind), r.Lang, r.Source)
	if err != nil {
		return r, nil, fmt.Errorf("documentdb: stored template %d: %w", id, err)
	}
	s.mu.Lock()
	s.parsed[id] = t
	s.mu.Unlock()
	return r, t, nil
}
