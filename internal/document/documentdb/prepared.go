package documentdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/store"
)

// FieldDocument is the field of the conflict IssuePrepared returns when a
// template or seal read before the write changed before it: the caller
// works the transition out again (caseworkdb does).
const FieldDocument = "document"

// Prepared is a transition's documents as far as they can be worked out
// before its write: for each, its template version (read and parsed), the
// body's seal and its version, the data it prints except its number, and
// its spec's JSON. Issuing them in the write then draws each number with
// one statement that also checks the template is still the current one
// and the seal still the version read (a compare in the number's own
// statement, not a re-read), and renders and inserts the document.
type Prepared struct {
	docs []preparedDoc
}

type preparedDoc struct {
	d        casework.Document
	spec     document.Spec
	tmpl     templateRow
	t        *document.Template
	stored   bool // false: the shipped template is not stored yet; issued the old way, in the write
	seal     *document.Seal
	sealVer  int64
	data     document.Data // without its number
	specJSON []byte
}

// Prepare reads, outside the write, what issuing docs for case c (as the
// transition leaves it) needs that does not change within the write, and
// returns what issues them in the write (caseworkdb.DocumentIssuer): see
// Prepared and IssuePrepared. A sealed kind of a body without an enabled
// seal is refused here already (H8). login is who acts, as the case's
// events name them.
func (s *Service) Prepare(ctx context.Context, c casework.Case, docs []casework.Document, actor casework.Actor,
	login string) (func(context.Context, *store.Tx) error, error) {
	p, err := s.PrepareDocs(ctx, c, docs, actor.Name)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx *store.Tx) error { return s.IssuePrepared(ctx, tx, c, p, login) }, nil
}

// PrepareDocs is Prepare's reading: officer is who acts, by name.
func (s *Service) PrepareDocs(ctx context.Context, c casework.Case, docs []casework.Document, officer string) (Prepared, error) {
	var p Prepared
	for _, d := range docs {
		spec, err := document.SpecOf("kind", d.Kind)
		if err != nil {
			continue // the unit's own papers: left to the timeline, as Issue does
		}
		if d.Date == 0 {
			d.Date = dateOf(c.Updated)
		}
		pd := preparedDoc{d: d, spec: spec}
		const lang = "zh"
		var id int64
		err = s.db.QueryRow(ctx, currentTemplateSQL, c.Body.ID, string(d.Kind), lang).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// stored on first use, in the write
		case err != nil:
			return Prepared{}, fmt.Errorf("documentdb: template %s.%s: %w", d.Kind, lang, err)
		default:
			if pd.tmpl, pd.t, err = s.template(ctx, s.db, id); err != nil {
				return Prepared{}, err
			}
			pd.stored = true
		}
		if spec.Sealed {
			var name string
			var enabled int64
			err := s.db.QueryRow(ctx, `SELECT name, enabled, version FROM seals WHERE body_id = ?`, c.Body.ID).
				Scan(&name, &enabled, &pd.sealVer)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && enabled != 1) {
				return Prepared{}, errNoSeal()
			}
			if err != nil {
				return Prepared{}, fmt.Errorf("documentdb: seal of body %d: %w", c.Body.ID, err)
			}
			seal, err := document.NewSeal(name)
			if err != nil {
				return Prepared{}, err
			}
			pd.seal = &seal
		}
		pd.data = document.FromCase(c, d, document.Number{}, document.Context{Lang: lang, PublicURL: s.CaseURL(c.Number), Officer: officer})
		if pd.specJSON, err = json.Marshal(d); err != nil {
			return Prepared{}, fmt.Errorf("documentdb: %s: %w", d.Kind, err)
		}
		p.docs = append(p.docs, pd)
	}
	return p, nil
}

// Empty reports whether there is nothing to issue.
func (p Prepared) Empty() bool { return len(p.docs) == 0 }

// IssuePrepared issues the prepared documents of case c in the
// transition's write tx: each number drawn from its body's gapless
// sequence in the write, the document rendered with it and inserted with
// its event. If a template or seal read by Prepare is no longer the one in
// force, nothing is drawn and the write fails with a Conflict on
// FieldDocument, to be worked out again. login is who acts.
func (s *Service) IssuePrepared(ctx context.Context, tx *store.Tx, c casework.Case, p Prepared, login string) error {
	// The numbers of the prepared documents are drawn together, one
	// statement (one round trip on PostgreSQL) for all whose sequences
	// differ; a second document of one sequence draws on its own.
	var batch, alone []preparedDoc
	seen := map[seqKey]bool{}
	for _, pd := range p.docs {
		k := seqKey{pd.spec.Word, pd.d.Date.Year()}
		switch {
		case !pd.stored:
		case seen[k]:
			alone = append(alone, pd)
		default:
			seen[k] = true
			batch = append(batch, pd)
		}
	}
	drawn, err := s.draw(ctx, tx, c, batch)
	if err != nil {
		return err
	}
	for _, pd := range p.docs {
		if !pd.stored {
			if _, err := s.issue(ctx, tx, c, pd.d, pd.data.Officer, login, c.Updated, nil); err != nil {
				return err
			}
		}
	}
	for _, pd := range batch {
		d := drawn[seqKey{pd.spec.Word, pd.d.Date.Year()}]
		if err := s.issuePrepared(ctx, tx, c, pd, d, login); err != nil {
			return err
		}
	}
	for _, pd := range alone {
		ds, err := s.draw(ctx, tx, c, []preparedDoc{pd})
		if err != nil {
			return err
		}
		if err := s.issuePrepared(ctx, tx, c, pd, ds[seqKey{pd.spec.Word, pd.d.Date.Year()}], login); err != nil {
			return err
		}
	}
	return nil
}

// seqKey names a body's number sequence: its word and year.
type seqKey struct {
	word string
	year int
}

// number is a drawn number and (PostgreSQL) the document's id.
type number struct{ seq, id int64 }

// currentTemplateSQL is the id of the template version documents of a kind
// in a language of a body are issued with: the body's latest edit, else
// the shipped one.
const currentTemplateSQL = `SELECT id FROM document_templates WHERE body_id IN (0, ?) AND kind = ? AND lang = ?
		ORDER BY body_id DESC, id DESC LIMIT 1`

// drawOne is one sequence's row to draw from, given only while the
// template version and (drawSeal) the seal are those read before the write.
// The casts type the parameters of a UNION on PostgreSQL.
const drawOne = `SELECT CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), 1
	WHERE (SELECT id FROM document_templates WHERE body_id IN (0, ?) AND kind = ? AND lang = ?
		ORDER BY body_id DESC, id DESC LIMIT 1) = ?`
const drawSeal = ` AND EXISTS (SELECT 1 FROM seals WHERE body_id = ? AND version = ? AND enabled = 1)`
const drawTail = ` ON CONFLICT (body_id, word, year) DO UPDATE SET last = document_numbers.last + 1 RETURNING word, year, last`

// nextID also draws the document's id on PostgreSQL, so its insert can be
// queued (pipelined) rather than wait for RETURNING.
const nextID = `, nextval(pg_get_serial_sequence('documents', 'id'))`

// draw draws the next number of each document's sequence (all different)
// in one statement, or none of them — a Conflict on FieldDocument — if a
// template or seal is no longer the one read.
func (s *Service) draw(ctx context.Context, tx *store.Tx, c casework.Case, pds []preparedDoc) (map[seqKey]number, error) {
	if len(pds) == 0 {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO document_numbers (body_id, word, year, last) `)
	var args []any
	for i, pd := range pds {
		if i > 0 {
			q.WriteString(` UNION ALL `)
		}
		q.WriteString(drawOne)
		args = append(args, c.Body.ID, pd.spec.Word, pd.d.Date.Year(), c.Body.ID, string(pd.d.Kind), pd.tmpl.Lang, pd.tmpl.ID)
		if pd.seal != nil {
			q.WriteString(drawSeal)
			args = append(args, c.Body.ID, pd.sealVer)
		}
	}
	q.WriteString(drawTail)
	pg := s.db.Dialect() == store.Postgres
	if pg {
		q.WriteString(nextID)
	}
	rows, err := tx.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("documentdb: number: %w", err)
	}
	defer rows.Close()
	out := make(map[seqKey]number, len(pds))
	for rows.Next() {
		var k seqKey
		var n number
		dest := []any{&k.word, &k.year, &n.seq}
		if pg {
			dest = append(dest, &n.id)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("documentdb: number: %w", err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("documentdb: number: %w", err)
	}
	if len(out) != len(pds) {
		// A check failed: what was drawn is undone with the write.
		for _, pd := range pds {
			if _, ok := out[seqKey{pd.spec.Word, pd.d.Date.Year()}]; !ok {
				return nil, apperr.New(apperr.Conflict, FieldDocument, "documentdb.the_template_or_seal_changed_while", string(pd.d.Kind))
			}
		}
	}
	return out, nil
}

func (s *Service) issuePrepared(ctx context.Context, tx *store.Tx, c casework.Case, pd preparedDoc, drawn number, login string) error {
	year := pd.d.Date.Year()
	seq, id := drawn.seq, drawn.id
	n, err := document.NumberFor(Prefix(c.Body.Name), pd.spec, pd.d.Date, seq)
	if err != nil {
		return err
	}
	data := pd.data
	data.Number = n.String()
	r, err := document.Render(document.Input{Template: pd.t, Data: data, Seal: pd.seal})
	if err != nil {
		return err
	}
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("documentdb: %s: %w", n, err)
	}
	row := docRow{ID: id, Number: n.String(), Kind: string(pd.d.Kind), Word: pd.spec.Word, Year: int64(year), Seq: seq,
		Case: c.Number, BodyID: c.Body.ID, BodyPath: c.Body.Path, IssuedOn: pd.d.Date.String(), IssuedAt: store.Micros(c.Updated),
		IssuedBy: login, TemplateID: pd.tmpl.ID, Spec: string(pd.specJSON), Data: string(dataJSON), Hash: contentHash(r)}
	if pd.seal != nil {
		row.Seal = pd.seal.Name
	}
	payload, err := json.Marshal(map[string]string{"number": row.Number, "kind": row.Kind, "hash": row.Hash, "seal": row.Seal,
		"replaces": row.Replaces})
	if err != nil {
		return err
	}
	return documents.Insert(ctx, tx, &row, store.Event{Actor: login, Action: "document.issued", BodyID: c.Body.ID,
		RootType: rootCase, RootID: c.Number, To: row.Number, Payload: payload})
}
