package catxlsx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
)

// Service exports a body's list and turns an imported one into a draft
// adjustment through the catalogue store (never a direct publication: the
// draft then goes through the whole procedure of C3).
type Service struct {
	cat *catdb.Service
	now func() time.Time
}

// NewService returns the Excel service over the catalogue store.
func NewService(cat *catdb.Service) *Service {
	return &Service{cat: cat, now: time.Now}
}

// SetNow replaces the clock (tests).
func (s *Service) SetNow(now func() time.Time) { s.now = now }

// BodyInfo is what the pages show of a body.
type BodyInfo struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// Body returns a body's name and materialised path (the routes' Scope);
// an unknown body is NotFound.
func (s *Service) Body(ctx context.Context, id int64) (BodyInfo, error) {
	b := BodyInfo{ID: id}
	err := s.cat.DB().QueryRow(ctx, `SELECT name, path FROM bodies WHERE id = ?`, id).Scan(&b.Name, &b.Path)
	if errors.Is(err, sql.ErrNoRows) {
		return BodyInfo{}, apperr.NotFoundf("catxlsx.body_does_not_exist", id)
	}
	if err != nil {
		return BodyInfo{}, fmt.Errorf("catxlsx: body %d: %w", id, err)
	}
	return b, nil
}

// Current returns the newest published version of every item of a body's
// list, cancelled ones included (a cancelled item stays in the export so
// that a re-import does not read its absence as news).
func (s *Service) Current(ctx context.Context, bodyID int64) ([]catalog.ItemVersion, error) {
	vs, err := s.cat.PublishedList(ctx, bodyID, catdb.ListFilter{IncludeCancelled: true})
	if err != nil {
		return nil, err
	}
	out := make([]catalog.ItemVersion, len(vs))
	for i, v := range vs {
		out[i] = v.ItemVersion
	}
	return out, nil
}

// Export writes a body's current list as .xlsx.
func (s *Service) Export(ctx context.Context, bodyID int64, w io.Writer) error {
	b, err := s.Body(ctx, bodyID)
	if err != nil {
		return err
	}
	cur, err := s.Current(ctx, bodyID)
	if err != nil {
		return err
	}
	return Export(w, cur, ExportOptions{Title: b.Name + " 权责清单 " + s.now().In(Zone).Format("2006-01-02 15:04")})
}

// FileName is the download name of a body's list.
func (s *Service) FileName(b BodyInfo) string {
	return b.Name + "权责清单-" + s.now().In(Zone).Format("20060102") + ".xlsx"
}

// Preview is what an import would change.
type Preview struct {
	BodyID  int64    `json:"body_id"`
	Changes []Change `json:"changes"`
	// Proposal is the draft adjustment's changes, one per Change.
	Proposal []catalog.Change `json:"-"`
}

// Previewed compares a parsed workbook with the body's current list and
// builds the proposal. Items implemented by another body (their 实施主体编码
// differs from the list's) are refused at their cell.
func (s *Service) Previewed(ctx context.Context, bodyID int64, book *Book) (*Preview, error) {
	cur, err := s.Current(ctx, bodyID)
	if err != nil {
		return nil, err
	}
	if err := checkBody(cur, book); err != nil {
		return nil, err
	}
	diff := Diff(cur, book.Items)
	prop, err := Proposal(diff, book, "")
	if err != nil {
		return nil, err
	}
	return &Preview{BodyID: bodyID, Changes: diff, Proposal: prop}, nil
}

// checkBody refuses items of another body's list: the import is of one
// body's list, whose items all carry its credit code.
func checkBody(cur []catalog.ItemVersion, book *Book) error {
	codes := map[string]bool{}
	for _, v := range cur {
		codes[v.Body.CreditCode] = true
	}
	if len(codes) == 0 {
		return nil // an empty list: nothing to compare against
	}
	var errs apperr.List
	for _, v := range book.Items {
		if !codes[v.Body.CreditCode] {
			errs = append(errs, apperr.New(apperr.Invalid, book.Cell(v.BaseCode, "body.credit_code"), "catxlsx.body_credit_code_is_not_the", clip(v.Body.CreditCode)))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// DraftInput is what the importer says about the draft adjustment; empty
// fields take defaults (reason: operating experience).
type DraftInput struct {
	Title      string         `json:"title"`
	Reason     catalog.Reason `json:"reason"`
	BasisTitle string         `json:"basis_title"`
	BasisDocNo string         `json:"basis_doc_no"`
	// BasisIssued is the basis document's date (2006-01-02; default today).
	BasisIssued string `json:"basis_issued"`
	Note        string `json:"note"`
}

// CreateDraft stores the proposal as a draft adjustment of the body by p
// (a list liaison: catdb refuses anyone else). The list is compared again
// now, since it may have changed since the preview. With no differences
// the draft is still created, with no changes, so the comparison is on
// record (issue #4); it says so in its title and cannot be signed
// (catalog.Adjustment.Imported). Refusals from the store about a draft's
// element are placed at the element's cell.
func (s *Service) CreateDraft(ctx context.Context, p access.Principal, bodyID int64, book *Book, in DraftInput) (*catdb.Adjustment, *Preview, error) {
	pv, err := s.Previewed(ctx, bodyID, book)
	if err != nil {
		return nil, nil, err
	}
	if in.Note != "" {
		for i := range pv.Proposal {
			if pv.Proposal[i].Draft == nil {
				pv.Proposal[i].Note = in.Note
			}
		}
	}
	input, err := s.input(bodyID, in, pv.Proposal)
	if err != nil {
		return nil, nil, err
	}
	adj, err := s.cat.CreateAdjustment(ctx, p, input)
	if err != nil {
		return nil, nil, placeErrors(err, book, pv.Proposal)
	}
	return &adj, pv, nil
}

func (s *Service) input(bodyID int64, in DraftInput, changes []catalog.Change) (catdb.AdjustmentInput, error) {
	today := s.now().In(Zone)
	issued := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, Zone)
	if strings.TrimSpace(in.BasisIssued) != "" {
		t, err := ParseTime(in.BasisIssued)
		if err != nil {
			return catdb.AdjustmentInput{}, apperr.List{apperr.New(apperr.Invalid, "basis_issued", "catxlsx.basis_document_date", err)}
		}
		issued = t
	}
	reason := in.Reason
	if reason == "" {
		reason = catalog.OperatingExperience
	}
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "" && len(changes) == 0:
		title = "权责清单Excel导入(与现行清单无差异,不含变更)"
	case title == "":
		title = "权责清单Excel导入调整(" + strconv.Itoa(len(changes)) + "项)"
	}
	basis := strings.TrimSpace(in.BasisTitle)
	if basis == "" {
		basis = "权责清单运行情况"
	}
	return catdb.AdjustmentInput{Title: title, BodyID: bodyID, Reason: reason,
		Bases:   []catalog.BasisDocument{{Title: basis, DocNo: strings.TrimSpace(in.BasisDocNo), Issued: issued}},
		Changes: changes, Imported: true}, nil
}

// placeErrors rewrites the store's field paths "changes[3].draft.name" to
// the cell of that element, so the importer fixes the file, not a path.
func placeErrors(err error, book *Book, changes []catalog.Change) error {
	var l apperr.List
	if !errors.As(err, &l) {
		return err
	}
	out := make(apperr.List, len(l))
	for i, e := range l {
		c := *e // a copy: never rewrite a shared error
		if rest, ok := strings.CutPrefix(c.Field, "changes["); ok {
			if j := strings.IndexByte(rest, ']'); j > 0 {
				if n, aerr := strconv.Atoi(rest[:j]); aerr == nil && n >= 0 && n < len(changes) {
					path := strings.TrimPrefix(strings.TrimPrefix(rest[j+1:], "."), "draft")
					path = strings.TrimPrefix(path, ".")
					if path == "" {
						path = "base_code"
					}
					if f := book.Cell(changes[n].BaseCode, path); f != "" {
						c.Field = f
					}
				}
			}
		}
		out[i] = &c
	}
	return out
}
