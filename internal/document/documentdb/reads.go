package documentdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/store"
)

// Document is an issued document as lists show it.
type Document struct {
	ID         int64
	Number     string
	Kind       casework.DocumentKind
	Title      string // in Chinese; Spec.Title for another language
	Case       string
	BodyPath   string
	IssuedOn   string
	IssuedAt   time.Time
	IssuedBy   string
	Sealed     bool
	Seal       string
	Replaces   string
	Reason     string
	ReplacedBy string // the correction in force over it, if any
	Hash       string
	// ForApplicant: the applicant receives it (the portal lists it); the
	// hand-over and hand-back forms pass between the window and a unit.
	ForApplicant bool
}

func (r docRow) document() Document {
	spec, err := document.SpecOf("kind", casework.DocumentKind(r.Kind))
	title := r.Kind
	if err == nil {
		title = spec.Zh
	}
	k := casework.DocumentKind(r.Kind)
	return Document{ID: r.ID, Number: r.Number, Kind: k, Title: title, Case: r.Case, BodyPath: r.BodyPath,
		IssuedOn: r.IssuedOn, IssuedAt: store.FromMicros(r.IssuedAt), IssuedBy: r.IssuedBy, Sealed: r.Seal != "",
		Seal: r.Seal, Replaces: r.Replaces, Reason: r.Reason, Hash: r.Hash, ForApplicant: k.ForApplicant()}
}

// ForCase lists the documents of case number, in the order issued, for
// staff whose jurisdiction covers its body (O1).
func (s *Service) ForCase(ctx context.Context, p access.Principal, number string) ([]Document, error) {
	rows, err := s.rows(ctx, s.db, number)
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 && !p.Covers(rows[0].BodyPath) {
		return nil, errNotYours()
	}
	return listOf(rows), nil
}

func listOf(rows []docRow) []Document {
	out := make([]Document, len(rows))
	by := map[string]int{}
	for i, r := range rows {
		out[i] = r.document()
		by[r.Number] = i
	}
	for _, d := range out {
		if i, ok := by[d.Replaces]; ok {
			out[i].ReplacedBy = d.Number
		}
	}
	return out
}

func (s *Service) rows(ctx context.Context, q store.Querier, number string) ([]docRow, error) {
	rs, err := q.Query(ctx, docSelect+` WHERE case_number = ? ORDER BY id`, strings.TrimSpace(number))
	if err != nil {
		return nil, fmt.Errorf("documentdb: documents of %s: %w", number, err)
	}
	defer rs.Close()
	var out []docRow
	for rs.Next() {
		var r docRow
		if err := rs.Scan(docFields(&r)...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// Rendered is an issued document rendered again from what was stored.
type Rendered struct {
	Document
	*document.Rendered
}

// Get renders document id of case number as issued, for staff whose
// jurisdiction covers it: the stored template version, data and seal give
// the same page and PDF whatever changed since.
func (s *Service) Get(ctx context.Context, p access.Principal, number string, id int64) (Rendered, error) {
	r, err := s.row(ctx, number, id)
	if err != nil {
		return Rendered{}, err
	}
	if !p.Covers(r.BodyPath) {
		return Rendered{}, errNotYours()
	}
	// Those who do not act on cases read the copy the public reads (L7),
	// as the case page masks the applicant for them.
	return s.render(ctx, r, !SeesPersonalData(p))
}

// SeesPersonalData reports whether p reads documents unmasked: the window,
// the units and the leaders who act on cases.
func SeesPersonalData(p access.Principal) bool {
	return p.HasAny(access.RoleWindow, access.RoleUnitStaff, access.RoleLeader)
}

// BodyPath is the path of the body of case number (the routes' scope).
func (s *Service) BodyPath(ctx context.Context, number string) (string, error) {
	var path string
	err := s.db.QueryRow(ctx, `SELECT body_path FROM cases WHERE number = ?`, strings.TrimSpace(number)).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("documentdb.no_case_numbered", clip(number))
	}
	if err != nil {
		return "", fmt.Errorf("documentdb: case %s: %w", clip(number), err)
	}
	return path, nil
}

// clip shortens a value for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// ForApplicant lists the documents of case number issued to its applicant
// (not the internal forms), for the public holding the case's query code
// (V3: a wrong code is the same not-found as an unknown number).
func (s *Service) ForApplicant(ctx context.Context, number, code string) ([]Document, error) {
	if err := s.checkCode(ctx, number, code); err != nil {
		return nil, err
	}
	rows, err := s.rows(ctx, s.db, number)
	if err != nil {
		return nil, err
	}
	var out []Document
	for _, d := range listOf(rows) {
		if d.ForApplicant {
			out = append(out, d)
		}
	}
	return out, nil
}

// GetPublic renders document id of case number for the public holding the
// query code: only a document issued to the applicant, its personal data
// masked (L7: the page may be seen by others than the applicant).
func (s *Service) GetPublic(ctx context.Context, number, code string, id int64) (Rendered, error) {
	if err := s.checkCode(ctx, number, code); err != nil {
		return Rendered{}, err
	}
	r, err := s.row(ctx, number, id)
	if err != nil {
		return Rendered{}, err
	}
	if !casework.DocumentKind(r.Kind).ForApplicant() {
		return Rendered{}, errNoDocument(id)
	}
	return s.render(ctx, r, true)
}

func (s *Service) checkCode(ctx context.Context, number, code string) error {
	var c casework.Case
	c.Number = strings.TrimSpace(number)
	err := s.db.QueryRow(ctx, `SELECT query_hash FROM cases WHERE number = ?`, c.Number).Scan(&c.QueryCodeHash)
	if errors.Is(err, sql.ErrNoRows) {
		return c.CheckQueryCode(code) // the same not-found as a wrong code
	}
	if err != nil {
		return fmt.Errorf("documentdb: case %s: %w", c.Number, err)
	}
	return c.CheckQueryCode(code)
}

func (s *Service) row(ctx context.Context, number string, id int64) (docRow, error) {
	r, err := documents.Get(ctx, s.db, id)
	if e, ok := errors.AsType[*apperr.Error](err); ok && e.Code == apperr.NotFound {
		return r, errNoDocument(id)
	}
	if err != nil {
		return r, err
	}
	if r.Case != strings.TrimSpace(number) {
		return r, errNoDocument(id)
	}
	return r, nil
}

func (s *Service) render(ctx context.Context, r docRow, public bool) (Rendered, error) {
	_, t, err := s.template(ctx, s.db, r.TemplateID)
	if err != nil {
		return Rendered{}, err
	}
	var data document.Data
	if err := json.Unmarshal([]byte(r.Data), &data); err != nil {
		return Rendered{}, fmt.Errorf("documentdb: %s: %w", r.Number, err)
	}
	var seal *document.Seal
	if r.Seal != "" {
		sl, err := document.NewSeal(r.Seal)
		if err != nil {
			return Rendered{}, err
		}
		seal = &sl
	}
	out, err := document.Render(document.Input{Template: t, Data: data, Seal: seal, Public: public})
	if err != nil {
		return Rendered{}, fmt.Errorf("documentdb: re-rendering %s: %w", r.Number, err)
	}
	if !public && contentHash(out) != r.Hash {
		// The stored data, template or renderer no longer give the page
		// that was issued: say so rather than hand out a different one.
		return Rendered{}, fmt.Errorf("documentdb: %s re-renders differently from the page issued (hash %s)", r.Number, r.Hash)
	}
	return Rendered{Document: r.document(), Rendered: out}, nil
}

func errNotYours() error {
	return apperr.New(apperr.Forbidden, "", "documentdb.this_case_is_outside_your_jurisdiction")
}

func errNoDocument(id int64) error {
	return apperr.NotFoundf("documentdb.no_document_with_id", id)
}
