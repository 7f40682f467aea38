package documentdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/store"
)

// SealView is a body's approval seal as its keeper sees it.
type SealView struct {
	BodyID   int64
	BodyName string
	BodyPath string
	Seal     document.Seal // drawn from the body's name
	Enabled  bool
	Version  int64 // 0: never configured
}

// SealOf is the seal of p's body: as configured, or as it would be drawn
// from the body's name before it is. Only the seal keeper reads it here.
func (s *Service) SealOf(ctx context.Context, p access.Principal) (SealView, error) {
	if !p.Has(access.RoleSealKeeper) {
		return SealView{}, errKeeperOnly()
	}
	return s.sealView(ctx, s.db, p.BodyID)
}

func (s *Service) sealView(ctx context.Context, q store.Querier, bodyID int64) (SealView, error) {
	v := SealView{BodyID: bodyID}
	if err := q.QueryRow(ctx, `SELECT name, path FROM bodies WHERE id = ?`, bodyID).Scan(&v.BodyName, &v.BodyPath); err != nil {
		return v, fmt.Errorf("documentdb: body %d: %w", bodyID, err)
	}
	r, err := seals.Get(ctx, q, bodyID)
	if e, ok := errors.AsType[*apperr.Error](err); ok && e.Code == apperr.NotFound {
		seal, err := document.NewSeal(v.BodyName)
		v.Seal = seal
		return v, err
	}
	if err != nil {
		return v, err
	}
	v.Seal, err = document.NewSeal(r.Name)
	v.Enabled, v.Version = r.Enabled == 1, r.Version
	return v, err
}

// SetSeal enables or disables the approval seal of p's body (H8): only
// the body's seal keeper may, on the version shown (base; 0 before the
// seal was first configured). The seal is drawn from the body's name as
// it is now; the change is an audited event.
func (s *Service) SetSeal(ctx context.Context, p access.Principal, base int64, enabled bool) (SealView, error) {
	if !p.Has(access.RoleSealKeeper) {
		return SealView{}, errKeeperOnly()
	}
	var out SealView
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		v, err := s.setSeal(ctx, tx, p.BodyID, p.Login, base, enabled)
		out = v
		return err
	})
	return out, err
}

func (s *Service) setSeal(ctx context.Context, tx *store.Tx, bodyID int64, login string, base int64, enabled bool) (SealView, error) {
	v, err := s.sealView(ctx, tx, bodyID)
	if err != nil {
		return v, err
	}
	if base >= 0 && v.Version != base {
		return v, apperr.New(apperr.Conflict, apperr.FieldVersion, "documentdb.the_seal_was_changed_by_someone")
	}
	seal, err := document.NewSeal(v.BodyName)
	if err != nil {
		return v, err
	}
	r := sealRow{BodyID: bodyID, Name: seal.Name, UpdatedBy: login, UpdatedAt: store.Micros(s.now())}
	if enabled {
		r.Enabled = 1
	}
	action := "seal.disabled"
	if enabled {
		action = "seal.enabled"
	}
	ev := store.Event{Actor: login, Action: action, BodyID: bodyID, To: seal.Name}
	if v.Version == 0 {
		err = seals.Insert(ctx, tx, &r, ev)
	} else {
		if _, err := seals.Lock(ctx, tx, bodyID); err != nil {
			return v, err
		}
		r.Version = v.Version
		err = seals.Save(ctx, tx, &r, ev)
	}
	v.Seal, v.Enabled, v.Version = seal, enabled, r.Version
	return v, err
}

// EnableDemoSeals enables the seal of every active body that has none:
// the demo's seal keeper did so before the demo cases were registered.
func (s *Service) EnableDemoSeals(ctx context.Context, login string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM bodies WHERE active AND id NOT IN (SELECT body_id FROM seals) ORDER BY id`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := s.setSeal(ctx, tx, id, login, 0, true); err != nil {
				return err
			}
		}
		return nil
	})
}

// SealUse is a row of the seal register (H8): one sealed document.
type SealUse struct {
	Document
}

// RegisterFilter narrows the seal register.
type RegisterFilter struct {
	From, To calendar.Date // the dates documents bear, inclusive; 0: open
	Case     string
	Number   string // a document number, as typed (document.ParseNumber)
	Limit    int    // rows; 500 when 0
}

// Register is the seal register of the bodies p covers (H8): every use of
// the seal — who, when, which case, which document and number — newest
// first. The seal keeper, supervisors and administrators read it.
func (s *Service) Register(ctx context.Context, p access.Principal, f RegisterFilter) ([]SealUse, error) {
	if p.BodyPath == "" {
		return nil, errKeeperOnly()
	}
	q := docSelect + ` WHERE seal <> '' AND body_path LIKE ?`
	args := []any{likePrefix(p.BodyPath)}
	if f.From != 0 {
		q += ` AND issued_on >= ?`
		args = append(args, f.From.String())
	}
	if f.To != 0 {
		q += ` AND issued_on <= ?`
		args = append(args, f.To.String())
	}
	if c := strings.TrimSpace(f.Case); c != "" {
		q += ` AND case_number = ?`
		args = append(args, c)
	}
	if strings.TrimSpace(f.Number) != "" {
		n, err := document.ParseNumber("number", f.Number)
		if err != nil {
			return nil, err
		}
		q += ` AND number = ?`
		args = append(args, n.String())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	q += fmt.Sprintf(` ORDER BY issued_at DESC, id DESC LIMIT %d`, limit)
	rs, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("documentdb: seal register: %w", err)
	}
	defer rs.Close()
	var out []SealUse
	for rs.Next() {
		var r docRow
		if err := rs.Scan(docFields(&r)...); err != nil {
			return nil, err
		}
		out = append(out, SealUse{r.document()})
	}
	return out, rs.Err()
}

// likePrefix is a LIKE pattern for paths under p (paths hold digits and
// slashes, no wildcards).
func likePrefix(p string) string { return p + "%" }

// Correct issues a correction of document id of case number (a document
// never changes): a new document of the same kind, rendered from the case
// as it is now, that names the one it replaces and why (document.
// CheckCorrection). Staff whose jurisdiction covers the case may.
func (s *Service) Correct(ctx context.Context, p access.Principal, number string, id int64, reason string) (Document, error) {
	if p.StaffID == 0 {
		return Document{}, apperr.Forbiddenf("documentdb.only_staff_may_correct_a_document")
	}
	var out Document
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		rows, err := s.rows(ctx, tx, number)
		if err != nil {
			return err
		}
		var orig *docRow
		var issued []document.Issued
		for i, r := range rows {
			if r.ID == id {
				orig = &rows[i]
			}
			n, err := document.ParseNumber("number", r.Number)
			if err != nil {
				return err
			}
			d := document.Issued{Number: n, Kind: casework.DocumentKind(r.Kind), Case: r.Case}
			if d.Date, err = calendar.ParseDate("issued_on", r.IssuedOn); err != nil {
				return err
			}
			if r.Replaces != "" {
				if d.Replaces, err = document.ParseNumber("replaces", r.Replaces); err != nil {
					return err
				}
			}
			issued = append(issued, d)
		}
		if orig == nil {
			return errNoDocument(id)
		}
		if !p.Covers(orig.BodyPath) {
			return errNotYours()
		}
		replaces, err := document.ParseNumber("replaces", orig.Number)
		if err != nil {
			return err
		}
		now := s.now()
		if err := document.CheckCorrection(issued, document.Issued{Kind: casework.DocumentKind(orig.Kind), Case: orig.Case,
			Date: dateOf(now), Replaces: replaces, Reason: reason}); err != nil {
			return err
		}
		var c casework.Case
		var data string
		if err := tx.QueryRow(ctx, `SELECT data FROM cases WHERE number = ?`, orig.Case).Scan(&data); err != nil {
			return fmt.Errorf("documentdb: case %s: %w", orig.Case, err)
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return fmt.Errorf("documentdb: case %s: %w", orig.Case, err)
		}
		var d casework.Document
		if err := json.Unmarshal([]byte(orig.Spec), &d); err != nil {
			return fmt.Errorf("documentdb: %s: %w", orig.Number, err)
		}
		d.Date = dateOf(now)
		r, err := s.issue(ctx, tx, c, d, p.Name, p.Login, now, &correction{replaces: replaces, reason: strings.TrimSpace(reason)})
		out = r.document()
		return err
	})
	return out, err
}

// Gaps lists, per sequence (body/word/year), the numbers missing from
// the issued documents (document.Gaps), up to the last number the
// sequence gave: none, unless numbers were lost. qingdan verify runs it.
func (s *Service) Gaps(ctx context.Context) (map[string][]int64, error) {
	rs, err := s.db.Query(ctx, `SELECT body_id, word, year, seq FROM documents ORDER BY body_id, word, year, seq`)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	seqs := map[string][]int64{}
	for rs.Next() {
		var body, year, seq int64
		var word string
		if err := rs.Scan(&body, &word, &year, &seq); err != nil {
			return nil, err
		}
		k := fmt.Sprintf("%d/%s/%d", body, word, year)
		seqs[k] = append(seqs[k], seq)
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	// A number drawn last and not issued is missing too: the sequence's
	// row says how far it went.
	last, err := s.db.Query(ctx, `SELECT body_id, word, year, last FROM document_numbers`)
	if err != nil {
		return nil, err
	}
	defer last.Close()
	for last.Next() {
		var body, year, n int64
		var word string
		if err := last.Scan(&body, &word, &year, &n); err != nil {
			return nil, err
		}
		k := fmt.Sprintf("%d/%s/%d", body, word, year)
		if v := seqs[k]; len(v) == 0 || v[len(v)-1] < n {
			seqs[k] = append(v, n+1) // the sentinel makes 1…n count
		}
	}
	if err := last.Err(); err != nil {
		return nil, err
	}
	out := map[string][]int64{}
	for k, v := range seqs {
		if g := document.Gaps(v); len(g) > 0 {
			out[k] = g
		}
	}
	return out, nil
}

func errKeeperOnly() error {
	return apperr.Forbiddenf("documentdb.only_the_body_s_seal_keeper")
}
