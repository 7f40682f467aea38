package catweb

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// body is the body a request addresses: {id}, or the caller's own.
func (h *handlers) body(r *http.Request) (catxlsx.BodyInfo, error) {
	id := httpx.PrincipalFrom(r.Context()).BodyID
	if v := r.PathValue("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return catxlsx.BodyInfo{}, apperr.NotFoundf("catweb.no_body", v)
		}
		id = n
	}
	return h.excel.Body(r.Context(), id)
}

// excelHome is the data of catalog_excel.
type excelHomePage struct {
	Body  catxlsx.BodyInfo
	Error string // already in the request's language
}

func (h *handlers) excelHome(w http.ResponseWriter, r *http.Request) {
	b, err := h.body(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "excel", excelHomePage{Body: b}, nil)
}

func (h *handlers) downloadList(w http.ResponseWriter, r *http.Request) {
	b, err := h.body(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeXLSX(w, r, h.excel.FileName(b), func(wr io.Writer) error { return h.excel.Export(r.Context(), b.ID, wr) }, h.fail)
}

func (h *handlers) downloadTemplate(w http.ResponseWriter, r *http.Request) {
	writeXLSX(w, r, "权责清单模板.xlsx", func(wr io.Writer) error {
		return catxlsx.Export(wr, nil, catxlsx.ExportOptions{Title: "权责清单模板 / list template"})
	}, h.fail)
}

func (h *handlers) upload(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	b, err := h.body(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	up, err := ReadListUpload(w, r)
	if err != nil {
		status, body := api.Describe(r, err)
		if status >= http.StatusInternalServerError {
			h.fail(w, r, err)
			return
		}
		h.Render(w, r, status, "excel", excelHomePage{Body: b, Error: body.Message}, nil)
		return
	}
	// The import slot stays taken until the parse in the background ends.
	done := h.handOverImport(r)
	job, err := h.jobs.Start(p.AccountID, b.ID, up.Name, up.Data, done)
	if err != nil {
		done()
		h.fail(w, r, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		// htmx polls the job page until it is done.
		h.renderJob(w, r, job.State())
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
type excelJobPage struct {
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

func (h *handlers) excelJob(w http.ResponseWriter, r *http.Request) {
	job, err := h.jobs.Get(httpx.PrincipalFrom(r.Context()).AccountID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderJob(w, r, job.State())
}

// renderJob shows a job: its progress, or its errors, or the preview.
func (h *handlers) renderJob(w http.ResponseWriter, r *http.Request, st catxlsx.JobState) {
	data := excelJobPage{State: st, Reasons: reasons, Whole: r.Header.Get("HX-Request") != "true"}
	if !st.Finished {
		h.Render(w, r, http.StatusOK, "excel_job", data, nil)
		return
	}
	err := st.Err
	var pv *catxlsx.Preview
	if err == nil {
		pv, err = h.excel.Previewed(r.Context(), st.BodyID, st.Book)
	}
	if err != nil {
		if !h.errorTable(&data, err) {
			h.fail(w, r, err)
			return
		}
		h.Render(w, r, http.StatusOK, "excel_job", data, nil)
		return
	}
	h.preview(&data, pv, httpx.PrincipalFrom(r.Context()).Has(access.RoleListLiaison))
	h.Render(w, r, http.StatusOK, "excel_job", data, nil)
}

var reasons = []catalog.Reason{catalog.OperatingExperience, catalog.LawMade, catalog.LawAmended,
	catalog.LawRepealed, catalog.LawInterpreted, catalog.InstitutionalReform}

// errorTable fills the table from an apperr error; false for anything
// else (an internal failure, shown as such).
func (h *handlers) errorTable(data *excelJobPage, err error) bool {
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

func (h *handlers) preview(data *excelJobPage, pv *catxlsx.Preview, liaison bool) {
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

func (h *handlers) createFromJob(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	job, err := h.jobs.Get(p.AccountID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st := job.State()
	if !st.Finished || st.Book == nil {
		h.fail(w, r, errorf(apperr.Conflict, "", "catalog_excel.not_ready"))
		return
	}
	if err := page.ParseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	in := catxlsx.DraftInput{Title: r.PostFormValue("title"), Reason: catalog.Reason(r.PostFormValue("reason")),
		BasisTitle: r.PostFormValue("basis_title"), BasisDocNo: r.PostFormValue("basis_doc_no"),
		BasisIssued: r.PostFormValue("basis_issued"), Note: r.PostFormValue("note")}
	adj, pv, err := h.excel.CreateDraft(r.Context(), p, st.BodyID, st.Book, in)
	if err != nil {
		data := excelJobPage{State: st, Reasons: reasons}
		if !h.errorTable(&data, err) {
			h.fail(w, r, err)
			return
		}
		status, _ := api.Describe(r, err)
		h.Render(w, r, status, "excel_job", data, nil)
		return
	}
	if adj == nil {
		h.fail(w, r, fmt.Errorf("web: import of job %s created no adjustment (%d changes)", st.ID, len(pv.Changes)))
		return
	}
	h.Render(w, r, http.StatusOK, "excel_done", excelDone{Adjustment: *adj}, nil)
}
