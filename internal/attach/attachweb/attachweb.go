// Package attachweb is how people reach attachments (issue #15 item 3,
// #17): a case's files downloaded by those who may see the case (the case
// page's policy and jurisdiction; attachments are never public), the
// cases' file API, the helpers the case page uses to read an upload and to
// list files, and the store of a complaint's evidence (complaintweb serves
// it to the complaint's handlers). Every route is registered with its
// policy:
//
//	svc := attachdb.New(db, bucket, attachdb.Options{Scanner: sc})
//	routes = append(routes, attachweb.Routes(svc, frame)...)
package attachweb

import (
	"context"
	"embed"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/attach"
	"github.com/qingdan/qingdan/internal/attach/attachdb"
	"github.com/qingdan/qingdan/internal/casework/caseworkweb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

var messages = page.Messages("attachweb")

// MaxUpload bounds an upload request's body: the largest file any item
// accepts and the form around it. A larger request is refused at the edge
// (413) before anything is read into the service.
const MaxUpload = attach.MaxSize + 1<<20

var (
	// staffRoles read a case (its page, its files).
	staffRoles = []access.Role{access.RoleWindow, access.RoleUnitStaff, access.RoleLeader, access.RoleGeneralOffice,
		access.RoleSupervisor, access.RoleAdmin}
	// Attachers add a case's files: those who act on it.
	Attachers = []access.Role{access.RoleWindow, access.RoleUnitStaff, access.RoleLeader}
	tags      = []string{"cases"}
)

type handlers struct {
	*page.Kit
	svc *attachdb.Service
}

var hf = func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

// Routes returns the attachments' routes with their policies.
func Routes(svc *attachdb.Service, frame page.Frame) ([]httpx.Route, error) {
	if svc == nil || frame == nil {
		return nil, fmt.Errorf("attachweb: Routes needs the service and a frame")
	}
	ps, err := page.Parse(templateFS, messages, nil, "error")
	if err != nil {
		return nil, fmt.Errorf("attachweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: frame, Pages: ps, Messages: messages, What: "attachment"}, svc: svc}
	scopeOf := func(ownerType, param string) func(r *http.Request) (string, error) {
		return func(r *http.Request) (string, error) { return svc.BodyPath(r.Context(), ownerType, r.PathValue(param)) }
	}
	caseScope := scopeOf(attachdb.OwnerCase, "number")
	number := httpx.Param{Name: "number", In: "path", Description: "the case number (330199-2026-000123)"}
	file := httpx.Param{Name: "file", In: "path", Description: "the attachment's id", Type: "integer"}
	const p = "/api/v1/cases/{number}/files"
	return []httpx.Route{
		{Pattern: "GET /cases/{number}/files/{file}", Policy: httpx.Policy{Roles: staffRoles, Scope: caseScope},
			Handler: hf(h.download(attachdb.OwnerCase, "number", false))},

		{Pattern: "GET " + p, Policy: httpx.Policy{Roles: staffRoles, Scope: caseScope}, Handler: hf(h.apiList),
			Doc: &httpx.Doc{Summary: "A case's files", Tags: tags, Response: []attachdb.Attachment{}, Params: []httpx.Param{number},
				Description: "Every file attached to the case, replaced ones included (replaced_by names the replacement), in the order " +
					"added, each with its SHA-256, size and kind as read from its content."}},
		{Pattern: "POST " + p, Policy: httpx.Policy{Roles: Attachers, Write: true, Scope: caseScope}, Handler: hf(h.apiAdd),
			MaxBody: MaxUpload,
			Doc: &httpx.Doc{Summary: "Attach files to a case", Tags: tags, Response: []attachdb.Attachment{}, Params: []httpx.Param{number},
				Status: http.StatusCreated,
				Description: "multipart/form-data: one or more files in field \"file\", the material's name in \"slot\" (optional), and " +
					"\"replaces\", the id of a file this one replaces (optional; the old one stays in the history). Each file is " +
					"checked by its content (PDF, OFD, images, office files; at most 10 MB by default), scanned when a scanner is " +
					"configured, and stored by its SHA-256; the case's timeline records hash, name, size and kind. One refused file " +
					"refuses the request, and nothing is recorded."}},
		{Pattern: "GET " + p + "/{file}", Policy: httpx.Policy{Roles: staffRoles, Scope: caseScope},
			Handler: hf(h.download(attachdb.OwnerCase, "number", true)),
			Doc: &httpx.Doc{Summary: "Download a case's file", Tags: tags, Params: []httpx.Param{number, file}, Raw: true,
				Description: "The file's bytes, with the media type of its kind and its name as the download's; never shown inline."}},
	}, nil
}

func (h *handlers) fail(w http.ResponseWriter, r *http.Request, isAPI bool, err error) {
	if isAPI {
		api.WriteError(w, r, err)
		return
	}
	h.Fail(w, r, err)
}

func (h *handlers) download(ownerType, param string, isAPI bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, isAPI, apperr.NotFoundf("attachdb.no_attachment_of_this_owner_with_id", int64(0)))
			return
		}
		a, rd, err := h.svc.Open(r.Context(), principal(r), ownerType, r.PathValue(param), id)
		if err != nil {
			h.fail(w, r, isAPI, err)
			return
		}
		defer rd.Close() //nolint:errcheck // read-only
		Serve(w, a, rd)
	}
}

// Serve writes a file as a download: its kind's media type, its name, never
// rendered inline or sniffed by the browser, not cached by proxies.
func Serve(w http.ResponseWriter, a attachdb.Attachment, rd io.Reader) {
	hd := w.Header()
	hd.Set("Content-Type", a.Kind.MediaType())
	hd.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("ETag", `"`+a.SHA256+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, rd) // a client gone away is not our error
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	as, err := h.svc.List(r.Context(), principal(r), attachdb.OwnerCase, r.PathValue("number"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if as == nil {
		as = []attachdb.Attachment{}
	}
	api.WriteJSON(w, r, http.StatusOK, as)
}

func (h *handlers) apiAdd(w http.ResponseWriter, r *http.Request) {
	ups, err := ReadUploads(r, "file")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	as, err := h.svc.Add(r.Context(), principal(r), attachdb.OwnerCase, r.PathValue("number"), ups, attach.Limits{})
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusCreated, as)
}

// ReadUploads reads the files of field from the request's multipart form
// (the edge parsed it, bounded by the route's MaxBody), with the form's
// "slot" and "replaces". No file chosen is a field-named refusal.
func ReadUploads(r *http.Request, field string) ([]attachdb.Upload, error) {
	ups, err := ReadOptionalUploads(r, field)
	if err == nil && len(ups) == 0 {
		return nil, apperr.Invalidf(field, "attach.choose_a_file")
	}
	return ups, err
}

// ReadOptionalUploads is ReadUploads where choosing no file is allowed
// (a complaint's evidence).
func ReadOptionalUploads(r *http.Request, field string) ([]attachdb.Upload, error) {
	if r.MultipartForm == nil {
		return nil, apperr.Invalidf(field, "attachweb.send_the_file_as_a_multipart_form")
	}
	var replaces int64
	if v := strings.TrimSpace(r.FormValue("replaces")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, apperr.Invalidf("replaces", "attachweb.replaces_is_not_an_attachment_id")
		}
		replaces = n
	}
	slot := r.FormValue("slot")
	var out []attachdb.Upload
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // a file input left empty
		}
		if fh.Size > attach.MaxSize {
			return nil, apperr.Invalidf(field, "attach.the_file_is_larger_than_this_item_accepts",
				fh.Filename, apperr.Size(fh.Size), apperr.Size(attach.MaxSize))
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("attachweb: opening the upload: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, attach.MaxSize+1))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("attachweb: reading the upload: %w", err)
		}
		out = append(out, attachdb.Upload{Field: field, Slot: slot, Name: fh.Filename, Data: data, Replaces: replaces})
	}
	return out, nil
}

// CaseFiles lists and adds a case's files for its page
// (caseworkweb.Attachments).
type CaseFiles struct{ Svc *attachdb.Service }

// ForCase lists the files of case number for p.
func (c CaseFiles) ForCase(ctx context.Context, p access.Principal, number string) ([]caseworkweb.AttachmentLink, error) {
	as, err := c.Svc.List(ctx, p, attachdb.OwnerCase, number)
	if err != nil {
		return nil, err
	}
	return Links("/cases/"+url.PathEscape(number)+"/files/", as), nil
}

// Attach adds the files of the case page's upload form.
func (c CaseFiles) Attach(ctx context.Context, p access.Principal, number string, r *http.Request) error {
	ups, err := ReadUploads(r, "file")
	if err != nil {
		return err
	}
	_, err = c.Svc.Add(ctx, p, attachdb.OwnerCase, number, ups, attach.Limits{})
	return err
}

// Links are attachments as pages list them, downloaded under base.
func Links(base string, as []attachdb.Attachment) []caseworkweb.AttachmentLink {
	out := make([]caseworkweb.AttachmentLink, len(as))
	for i, a := range as {
		out[i] = caseworkweb.AttachmentLink{ID: a.ID, Slot: a.Slot, Name: a.Name, Size: apperr.Size(a.Size),
			Kind: strings.ToUpper(string(a.Kind)), SHA256: a.SHA256, AddedBy: a.AddedBy, AddedAt: a.AddedAt,
			Replaces: a.Replaces, ReplacedBy: a.ReplacedBy, URL: base + strconv.FormatInt(a.ID, 10)}
	}
	return out
}

// Evidence keeps a complaint's evidence files (complaintweb.Files): checked
// there by content, scanned and stored here by their SHA-256; the
// complaint's own event records name, size, type and hash.
type Evidence struct{ Svc *attachdb.Service }

// Keep scans data and stores it under its hash.
func (e Evidence) Keep(ctx context.Context, field, name string, data []byte) error {
	_, err := e.Svc.Keep(ctx, field, name, data)
	return err
}

// Open reads the bytes of sum.
func (e Evidence) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	return e.Svc.OpenBlob(ctx, sum)
}
