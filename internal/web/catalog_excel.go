package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// CatalogExcelPages are the catalogue's Excel pages (issue #4 item 8):
// download a body's list or the empty template, upload a workbook, follow
// its progress, see every bad cell or the differences, and create the
// draft adjustment.
//
// The pages are built before the server and render through the Frame
// that New binds, so the feature plugs in through Deps.Routes without a
// Deps field of its own:
//
//	frame := web.NewFrame()
//	xp := web.NewCatalogExcelPages(svc, catxlsx.NewJobs(2, 30*time.Minute), frame)
//	srv, err := web.New(cfg, web.Deps{…, Frame: frame,
//		Routes: append(api.CatalogExcelRoutes(svc), xp.Routes()...)})
type CatalogExcelPages struct {
	svc   api.CatalogExcel
	jobs  *catxlsx.Jobs
	frame *Frame
}

// NewCatalogExcelPages returns the pages over the Excel service, a job
// table (which runs the parses and keeps their results for the preview)
// and the frame the server binds.
func NewCatalogExcelPages(svc api.CatalogExcel, jobs *catxlsx.Jobs, frame *Frame) *CatalogExcelPages {
	return &CatalogExcelPages{svc: svc, jobs: jobs, frame: frame}
}

// Routes are the pages' routes with their policies. /catalog/excel is the
// caller's own body; /catalog/excel/bodies/{id}/… any body the caller's
// jurisdiction covers (Scope = the body's path), e.g. a district
// administrator exporting a street's list.
func (x *CatalogExcelPages) Routes() []httpx.Route {
	scope := func(r *http.Request) (string, error) {
		b, err := x.body(r)
		return b.Path, err
	}
	read := httpx.Policy{Roles: api.CatalogExcelRoles}
	scoped := httpx.Policy{Roles: api.CatalogExcelRoles, Scope: scope}
	upload := httpx.Policy{Roles: api.CatalogExcelRoles, Write: true, Scope: scope}
	// A job is its uploader's alone (Jobs.Get) and was scoped at upload;
	// catdb checks the draft's body again.
	create := httpx.Policy{Roles: api.CatalogExcelRoles, Write: true}
	return []httpx.Route{
		{Pattern: "GET /catalog/excel", Policy: read, Handler: x.page(x.home),
			Nav: &httpx.Nav{Label: "nav.catalog_excel", Order: 43}},
		{Pattern: "GET /catalog/excel/template.xlsx", Policy: read, Handler: x.page(x.downloadTemplate)},
		{Pattern: "GET /catalog/excel/bodies/{id}", Policy: scoped, Handler: x.page(x.home)},
		{Pattern: "GET /catalog/excel/bodies/{id}/list.xlsx", Policy: scoped, Handler: x.page(x.downloadList)},
		{Pattern: "POST /catalog/excel/bodies/{id}/import", Policy: upload, Handler: x.page(x.upload),
			MaxBody: api.MaxListUpload, Import: true},
		{Pattern: "GET /catalog/excel/jobs/{id}", Policy: read, Handler: x.page(x.job)},
		{Pattern: "POST /catalog/excel/jobs/{id}/adjustment", Policy: create, Handler: x.page(x.create)},
	}
}

// body is the body a request addresses: {id}, or the caller's own.
func (x *CatalogExcelPages) body(r *http.Request) (catxlsx.BodyInfo, error) {
	id := httpx.PrincipalFrom(r.Context()).BodyID
	if v := r.PathValue("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return catxlsx.BodyInfo{}, apperr.NotFoundf("web.no_body", v)
		}
		id = n
	}
	return x.svc.Body(r.Context(), id)
}

// page adapts a handler taking the server; an unbound frame is a wiring bug.
func (x *CatalogExcelPages) page(h func(*Server, http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := x.frame.s.Load()
		if s == nil {
			httpx.LoggerFrom(r.Context()).Error("catalog excel pages used before the server bound their frame")
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		h(s, w, r)
	})
}

// excelHome is the data of catalog_excel.
type excelHome struct {
	Body  catxlsx.BodyInfo
	Error string // already in the request's language
}

func (x *CatalogExcelPages) home(s *Server, w http.ResponseWriter, r *http.Request) {
	b, err := x.body(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "catalog_excel", excelHome{Body: b})
}

func (x *CatalogExcelPages) downloadList(s *Server, w http.ResponseWriter, r *http.Request) {
	b, err := x.body(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendXLSX(s, w, r, x.svc.FileName(b), func(wr io.Writer) error { return x.svc.Export(r.Context(), b.ID, wr) })
}

func (x *CatalogExcelPages) downloadTemplate(s *Server, w http.ResponseWriter, r *http.Request) {
	sendXLSX(s, w, r, "权责清单模板.xlsx", func(wr io.Writer) error {
		return catxlsx.Export(wr, nil, catxlsx.ExportOptions{Title: "权责清单模板 / list template"})
	})
}

// sendXLSX renders into memory first, so a failure is the error page and
// not a broken download.
func sendXLSX(s *Server, w http.ResponseWriter, r *http.Request, name string, render func(io.Writer) error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", api.XLSXType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// A failed write means the client went away.
	_, _ = w.Write(buf.Bytes())
}

func (x *CatalogExcelPages) upload(s *Server, w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	b, err := x.body(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	up, err := api.ReadListUpload(w, r)
	if err != nil {
		status, body := api.Describe(r, err)
		if status >= http.StatusInternalServerError {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status, "catalog_excel", excelHome{Body: b, Error: body.Message})
		return
	}
	// The import slot stays taken until the parse in the background ends.
	done := s.handOverImport(r)
	job, err := x.jobs.Start(p.AccountID, b.ID, up.Name, up.Data, done)
	if err != nil {
		done()
		s.fail(w, r, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		// htmx polls the job page until it is done.
		x.renderJob(s, w, r, job.State())
		return
	}
	// Without JavaScript the browser simply waits for the result.
	if err := job.Wait(r.Context()); err != nil {
		return // the client went away; the job finishes on its own
	}
	http.Redirect(w, r, "/catalog/excel/jobs/"+job.ID, http.StatusSeeOther)
}

// ExcelError is one row of the error table.
type ExcelError struct {
	Sheet  string
	Column string
	Row    int
	Zh, En string
}

// excelJob is the data of catalog_excel_job.
type excelJob struct {
	State    catxlsx.JobState
	Errors   []ExcelError
	Changes  []excelChange
	Reasons  []catalog.Reason
	Checked  bool // parsed and compared
	Creating bool // a list liaison may create the draft
	// Whole is a whole page, not a fragment htmx swaps in. Only a whole
	// page may refresh itself for a browser without JavaScript: htmx
	// parses a fragment with scripting off, so a <noscript> refresh
	// inside it becomes a live one and reloads the page, result and all,
	// a moment after it is shown (issue #13 item 2).
	Whole bool
}

type excelChange struct {
	catxlsx.Change
	Kind catalog.AdjustmentKind
}

func (x *CatalogExcelPages) job(s *Server, w http.ResponseWriter, r *http.Request) {
	job, err := x.jobs.Get(httpx.PrincipalFrom(r.Context()).AccountID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	x.renderJob(s, w, r, job.State())
}

// renderJob shows a job: its progress, or its errors, or the preview.
func (x *CatalogExcelPages) renderJob(s *Server, w http.ResponseWriter, r *http.Request, st catxlsx.JobState) {
	data := excelJob{State: st, Reasons: reasons, Whole: r.Header.Get("HX-Request") != "true"}
	if !st.Finished {
		s.render(w, r, http.StatusOK, "catalog_excel_job", data)
		return
	}
	err := st.Err
	var pv *catxlsx.Preview
	if err == nil {
		pv, err = x.svc.Previewed(r.Context(), st.BodyID, st.Book)
	}
	if err != nil {
		if !x.errorTable(&data, err) {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "catalog_excel_job", data)
		return
	}
	x.preview(&data, pv, httpx.PrincipalFrom(r.Context()).Has(access.RoleListLiaison))
	s.render(w, r, http.StatusOK, "catalog_excel_job", data)
}

var reasons = []catalog.Reason{catalog.OperatingExperience, catalog.LawMade, catalog.LawAmended,
	catalog.LawRepealed, catalog.LawInterpreted, catalog.InstitutionalReform}

// errorTable fills the table from an apperr error; false for anything
// else (an internal failure, shown as such).
func (x *CatalogExcelPages) errorTable(data *excelJob, err error) bool {
	var list apperr.List
	switch {
	case errors.As(err, &list):
	case apperr.CodeOf(err) != apperr.Internal:
		list = apperr.List{apperr.As(err)}
	default:
		return false
	}
	data.Checked = true
	for _, e := range list {
		sheet, col, row := catxlsx.SplitField(e.Field)
		data.Errors = append(data.Errors, ExcelError{Sheet: sheet, Column: col, Row: row, Zh: e.Message("zh"), En: e.Message("en")})
	}
	return true
}

func (x *CatalogExcelPages) preview(data *excelJob, pv *catxlsx.Preview, liaison bool) {
	data.Checked = true
	// Also with no differences: the draft then records the comparison
	// (issue #4) and cannot be submitted.
	data.Creating = liaison
	for i, c := range pv.Changes {
		ec := excelChange{Change: c}
		if i < len(pv.Proposal) {
			ec.Kind = pv.Proposal[i].Kind
		}
		data.Changes = append(data.Changes, ec)
	}
}

// excelDone is the data of catalog_excel_done.
type excelDone struct {
	Adjustment catdb.Adjustment
}

func (x *CatalogExcelPages) create(s *Server, w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	job, err := x.jobs.Get(p.AccountID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st := job.State()
	if !st.Finished || st.Book == nil {
		s.fail(w, r, s.errorf(apperr.Conflict, "", "catalog_excel.not_ready"))
		return
	}
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	in := catxlsx.DraftInput{Title: r.PostFormValue("title"), Reason: catalog.Reason(r.PostFormValue("reason")),
		BasisTitle: r.PostFormValue("basis_title"), BasisDocNo: r.PostFormValue("basis_doc_no"),
		BasisIssued: r.PostFormValue("basis_issued"), Note: r.PostFormValue("note")}
	adj, pv, err := x.svc.CreateDraft(r.Context(), p, st.BodyID, st.Book, in)
	if err != nil {
		data := excelJob{State: st, Reasons: reasons}
		if !x.errorTable(&data, err) {
			s.fail(w, r, err)
			return
		}
		status, _ := api.Describe(r, err)
		s.render(w, r, status, "catalog_excel_job", data)
		return
	}
	if adj == nil {
		s.fail(w, r, fmt.Errorf("web: import of job %s created no adjustment (%d changes)", st.ID, len(pv.Changes)))
		return
	}
	s.render(w, r, http.StatusOK, "catalog_excel_done", excelDone{Adjustment: *adj})
}
