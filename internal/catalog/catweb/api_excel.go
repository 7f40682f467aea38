package catweb

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Excel is what the list's Excel endpoints need; *catxlsx.Service
// is one.
type Excel interface {
	Body(ctx context.Context, id int64) (catxlsx.BodyInfo, error)
	Export(ctx context.Context, bodyID int64, w io.Writer) error
	FileName(b catxlsx.BodyInfo) string
	Previewed(ctx context.Context, bodyID int64, book *catxlsx.Book) (*catxlsx.Preview, error)
	CreateDraft(ctx context.Context, p access.Principal, bodyID int64, book *catxlsx.Book, in catxlsx.DraftInput) (*catdb.Adjustment, *catxlsx.Preview, error)
}

// ExcelRoles may export and import a body's list: the list liaison
// proposes (only a liaison can create the draft — the procedure's rule),
// the general office and the administrator may export and preview.
var ExcelRoles = []access.Role{access.RoleListLiaison, access.RoleGeneralOffice, access.RoleAdmin}

// XLSXType is the media type of an .xlsx workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ListImportResult answers an import: the differences found and, unless
// dry_run was asked, the draft adjustment created (also when there were
// no differences: it then has no changes, issue #4).
type ListImportResult struct {
	BodyID     int64                `json:"body_id"`
	Changes    []catxlsx.Change     `json:"changes"`
	Adjustment *ImportedAdjustment  `json:"adjustment,omitempty"`
	Proposal   []ImportedItemChange `json:"proposal"`
}

// ImportedAdjustment is the draft adjustment an import created.
type ImportedAdjustment struct {
	ID     int64          `json:"id"`
	Title  string         `json:"title"`
	Stage  catalog.Stage  `json:"stage"`
	Reason catalog.Reason `json:"reason"`
	// Changes is the number of the draft's changes: 0 when the file
	// matched the list (the draft records that and cannot be submitted).
	Changes int `json:"changes"`
}

// ImportedItemChange is one change of the (proposed) draft adjustment.
type ImportedItemChange struct {
	Kind     catalog.AdjustmentKind `json:"kind"`
	BaseCode string                 `json:"base_code"`
	Name     string                 `json:"name"`
}

// excelAPIRoutes are GET /bodies/{id}/list.xlsx and POST
// /bodies/{id}/list-import, among the routes Routes returns when
// Options.Excel is set.
func excelAPIRoutes(svc Excel) []httpx.Route {
	h := catalogExcel{svc: svc}
	scope := func(r *http.Request) (string, error) {
		b, err := h.body(r)
		return b.Path, err
	}
	return []httpx.Route{
		{
			Pattern: "GET " + api.Prefix + "/bodies/{id}/list.xlsx",
			Policy:  httpx.Policy{Roles: ExcelRoles, Scope: scope},
			Handler: http.HandlerFunc(h.export),
			Doc: &httpx.Doc{Summary: "Export a body's list as .xlsx", Tags: []string{"catalog"}, Raw: true,
				Description: "The body's current list (listed, suspended and cancelled items) in the template of " +
					"docs/catalog-excel.md, as " + XLSXType + " (not JSON). Errors are JSON.",
				Params: []httpx.Param{{Name: "id", In: "path", Type: "integer", Description: "body ID"}}},
		},
		{
			Pattern: "POST " + api.Prefix + "/bodies/{id}/list-import",
			Policy:  httpx.Policy{Roles: ExcelRoles, Write: true, Scope: scope},
			Handler: http.HandlerFunc(h.importList),
			MaxBody: MaxListUpload, Import: true,
			Doc: &httpx.Doc{Summary: "Import a body's list from .xlsx as a draft adjustment", Tags: []string{"catalog"},
				Description: "multipart/form-data with the workbook in field \"file\" (at most 20 MB) and optional fields " +
					"title, reason (default operating_experience), basis_title, basis_doc_no, basis_issued (2006-01-02), note. " +
					"Strict: any bad cell fails the whole import with 400 and every problem in errors[], each field " +
					"naming its cell as sheet!cell (事项!C7). Otherwise the differences from the current list are " +
					"returned and, unless there are none or dry_run is true, a draft adjustment is created " +
					"(never published; only a list liaison may create it).",
				Params: []httpx.Param{{Name: "id", In: "path", Type: "integer", Description: "body ID"},
					{Name: "dry_run", In: "query", Type: "boolean", Description: "only preview the differences"}},
				Response: ListImportResult{}},
		},
	}
}

type catalogExcel struct{ svc Excel }

func (h catalogExcel) body(r *http.Request) (catxlsx.BodyInfo, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return catxlsx.BodyInfo{}, apperr.Invalidf("id", "catweb.body_id_is_invalid", r.PathValue("id"))
	}
	return h.svc.Body(r.Context(), id)
}

func (h catalogExcel) export(w http.ResponseWriter, r *http.Request) {
	b, err := h.body(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	writeXLSX(w, r, h.svc.FileName(b), func(wr io.Writer) error { return h.svc.Export(r.Context(), b.ID, wr) }, api.WriteError)
}

// writeXLSX renders a workbook into memory first, so a failure is still
// answered by fail (the API's JSON error, a page's error page) rather than
// as a truncated download.
func writeXLSX(w http.ResponseWriter, r *http.Request, name string, render func(io.Writer) error,
	fail func(http.ResponseWriter, *http.Request, error)) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", XLSXType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// A failed write means the client went away.
	_, _ = w.Write(buf.Bytes())
}

func (h catalogExcel) importList(w http.ResponseWriter, r *http.Request) {
	b, err := h.body(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	up, err := ReadListUpload(w, r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	book, err := catxlsx.ParseBook(bytes.NewReader(up.Data), int64(len(up.Data)), nil)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	dry := false
	if v := r.URL.Query().Get("dry_run"); v != "" {
		// A misspelt dry run must not create an adjustment.
		if dry, err = strconv.ParseBool(v); err != nil {
			api.WriteError(w, r, apperr.Invalidf("dry_run", "catweb.dry_run_must_be_true_or"))
			return
		}
	}
	var (
		adj *catdb.Adjustment
		pv  *catxlsx.Preview
	)
	if dry {
		pv, err = h.svc.Previewed(r.Context(), b.ID, book)
	} else {
		adj, pv, err = h.svc.CreateDraft(r.Context(), httpx.PrincipalFrom(r.Context()), b.ID, book, up.Draft)
	}
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, ImportResult(pv, adj))
}

// ImportResult renders a preview and the adjustment it created (if any).
func ImportResult(pv *catxlsx.Preview, adj *catdb.Adjustment) ListImportResult {
	out := ListImportResult{BodyID: pv.BodyID, Changes: pv.Changes, Proposal: []ImportedItemChange{}}
	if out.Changes == nil {
		out.Changes = []catxlsx.Change{}
	}
	for _, c := range pv.Proposal {
		out.Proposal = append(out.Proposal, ImportedItemChange{Kind: c.Kind, BaseCode: c.BaseCode, Name: c.Name})
	}
	if adj != nil {
		out.Adjustment = &ImportedAdjustment{ID: adj.ID, Title: adj.Title, Stage: adj.Stage, Reason: adj.Reason, Changes: len(adj.Changes)}
	}
	return out
}

// ListUpload is an uploaded list workbook with the draft's fields.
type ListUpload struct {
	Name  string
	Data  []byte
	Draft catxlsx.DraftInput
}

// maxField bounds a text field of the upload form.
const maxField = 4 << 10

// MaxListUpload bounds a list upload's body: the workbook (at most
// catxlsx.MaxSize) and the form around it.
const MaxListUpload = catxlsx.MaxSize + 1<<20

// ReadListUpload reads a multipart upload: the workbook in "file" (at most
// catxlsx.MaxSize; refused as soon as it passes that, without reading the
// rest) and the draft's text fields. The pages use it too.
func ReadListUpload(w http.ResponseWriter, r *http.Request) (ListUpload, error) {
	if r.MultipartForm != nil {
		// An old browser's CSRF token was read from the form, which parsed it.
		return parsedUpload(r.MultipartForm)
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxListUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return ListUpload{}, apperr.Invalidf("file", "catweb.upload_the_file_as_multipart_form")
	}
	var up ListUpload
	fields := url.Values{}
	seenFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ListUpload{}, uploadError(err)
		}
		name := part.FormName()
		switch {
		case name == "file":
			seenFile = true
			up.Name = part.FileName()
			up.Data, err = io.ReadAll(io.LimitReader(part, catxlsx.MaxSize+1))
			if err != nil {
				return ListUpload{}, uploadError(err)
			}
			if len(up.Data) > catxlsx.MaxSize {
				return ListUpload{}, apperr.Invalidf("file", "catweb.the_file_is_larger_than_mb", catxlsx.MaxSize>>20)
			}
		case name != "":
			v, err := io.ReadAll(io.LimitReader(part, maxField+1))
			if err != nil {
				return ListUpload{}, uploadError(err)
			}
			if len(v) > maxField {
				return ListUpload{}, apperr.Invalidf(name, "catweb.field_is_too_long", name)
			}
			fields.Set(name, string(v))
		}
	}
	if !seenFile || (len(up.Data) == 0 && up.Name == "") {
		return ListUpload{}, apperr.Invalidf("file", "catweb.choose_a_file_to_import")
	}
	if err := draftFields(&up, fields); err != nil {
		return ListUpload{}, err
	}
	return up, nil
}

// parsedUpload reads an upload from a form net/http already parsed.
func parsedUpload(form *multipart.Form) (ListUpload, error) {
	fhs := form.File["file"]
	if len(fhs) == 0 {
		return ListUpload{}, apperr.Invalidf("file", "catweb.choose_a_file_to_import")
	}
	if fhs[0].Size > catxlsx.MaxSize {
		return ListUpload{}, apperr.Invalidf("file", "catweb.the_file_is_larger_than_mb", catxlsx.MaxSize>>20)
	}
	f, err := fhs[0].Open()
	if err != nil {
		return ListUpload{}, uploadError(err)
	}
	defer f.Close() //nolint:errcheck // read-only
	up := ListUpload{Name: fhs[0].Filename}
	if up.Data, err = io.ReadAll(io.LimitReader(f, catxlsx.MaxSize+1)); err != nil {
		return ListUpload{}, uploadError(err)
	}
	if err := draftFields(&up, url.Values(form.Value)); err != nil {
		return ListUpload{}, err
	}
	return up, nil
}

// draftFields reads the draft adjustment's fields of an upload form.
func draftFields(up *ListUpload, fields url.Values) error {
	up.Draft = catxlsx.DraftInput{Title: fields.Get("title"), Reason: catalog.Reason(strings.TrimSpace(fields.Get("reason"))),
		BasisTitle: fields.Get("basis_title"), BasisDocNo: fields.Get("basis_doc_no"),
		BasisIssued: fields.Get("basis_issued"), Note: fields.Get("note")}
	if up.Draft.Reason != "" && !up.Draft.Reason.Valid() {
		return apperr.Invalidf("reason", "catweb.reason_is_invalid", up.Draft.Reason)
	}
	return nil
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.Invalidf("file", "catweb.the_file_is_larger_than_mb", catxlsx.MaxSize>>20)
	}
	e := apperr.Invalidf("file", "catweb.cannot_read_the_uploaded_file")
	e.Err = err
	return e
}
