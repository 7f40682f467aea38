package documentdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/store"
)

// Standalone is a document no case's transition issues — a complaint's
// written answer (P8): its kind, its body, the number of what it is about
// (kept where a case document keeps its case's, so its list and the seal
// register find it), the root of its event, the public page its QR code
// leads to, and its data without its number.
type Standalone struct {
	Kind     casework.DocumentKind
	BodyID   int64
	BodyName string
	BodyPath string
	Subject  string // the number of what it is about (a complaint's)
	RootType string // the event's root: the subject's timeline
	RootID   string
	// PublicPath is the subject's public page under the site's address
	// ("/portal/complaints?number=…"): the QR code's payload.
	PublicPath string
	Date       calendar.Date
	At         time.Time
	Login      string
	Data       document.Data
}

// IssueStandalone numbers d from its body's sequence of its kind, renders
// it (a sealed kind refuses without the body's seal, H8) and inserts it
// in the caller's write tx, as caseworkdb's transitions do theirs.
func (s *Service) IssueStandalone(ctx context.Context, tx *store.Tx, d Standalone) (Document, error) {
	spec, err := document.SpecOf("kind", d.Kind)
	if err != nil {
		return Document{}, err
	}
	if d.Date == 0 {
		d.Date = dateOf(d.At)
	}
	const lang = "zh"
	tr, t, err := s.currentTemplate(ctx, tx, d.BodyID, d.Kind, lang)
	if err != nil {
		return Document{}, err
	}
	var seal *document.Seal
	if spec.Sealed {
		if seal, err = s.sealFor(ctx, tx, d.BodyID); err != nil {
			return Document{}, err
		}
	}
	year := d.Date.Year()
	var seq int64
	if err := tx.QueryRow(ctx, `INSERT INTO document_numbers (body_id, word, year, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (body_id, word, year) DO UPDATE SET last = document_numbers.last + 1 RETURNING last`,
		d.BodyID, spec.Word, year).Scan(&seq); err != nil {
		return Document{}, fmt.Errorf("documentdb: number: %w", err)
	}
	n, err := document.NumberFor(Prefix(d.BodyName), spec, d.Date, seq)
	if err != nil {
		return Document{}, err
	}
	data := d.Data
	data.Number, data.PublicURL = n.String(), s.publicURL+d.PublicPath
	if data.Date == "" {
		data.Date = document.FormatDate(d.Date, lang)
	}
	r, err := document.Render(document.Input{Template: t, Data: data, Seal: seal})
	if err != nil {
		return Document{}, err
	}
	specJSON, err := json.Marshal(casework.Document{Kind: d.Kind, Date: d.Date})
	if err != nil {
		return Document{}, fmt.Errorf("documentdb: %s: %w", n, err)
	}
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return Document{}, fmt.Errorf("documentdb: %s: %w", n, err)
	}
	row := docRow{Number: n.String(), Kind: string(d.Kind), Word: spec.Word, Year: int64(year), Seq: seq, Case: d.Subject,
		BodyID: d.BodyID, BodyPath: d.BodyPath, IssuedOn: d.Date.String(), IssuedAt: store.Micros(d.At), IssuedBy: d.Login,
		TemplateID: tr.ID, Spec: string(specJSON), Data: string(dataJSON), Hash: contentHash(r)}
	if seal != nil {
		row.Seal = seal.Name
	}
	payload, err := json.Marshal(map[string]string{"number": row.Number, "kind": row.Kind, "hash": row.Hash, "seal": row.Seal})
	if err != nil {
		return Document{}, err
	}
	if err := documents.Insert(ctx, tx, &row, store.Event{Actor: d.Login, Action: "document.issued", BodyID: d.BodyID,
		RootType: d.RootType, RootID: d.RootID, To: row.Number, Payload: payload}); err != nil {
		return Document{}, err
	}
	return row.document(), nil
}

// RenderIssued renders document id about subject as issued — public: its
// personal data masked (L7, O4). It checks no reader: the subject's own
// service has decided who reads it (a complaint's handlers, or the
// complainant with the query code) before it asks.
func (s *Service) RenderIssued(ctx context.Context, subject string, id int64, public bool) (Rendered, error) {
	r, err := s.row(ctx, strings.TrimSpace(subject), id)
	if err != nil {
		return Rendered{}, err
	}
	return s.render(ctx, r, public)
}
