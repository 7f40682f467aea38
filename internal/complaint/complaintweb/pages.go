package complaintweb

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/web/page"
)

// newPage is the complaint form: the public's (online) or the general
// office's (recording a phone call, letter, e-mail or visit).
type newPage struct {
	Staff  bool // the office's record form
	Bodies []complaintdb.Body
	Form   form
}

func (h *handlers) showNew(w http.ResponseWriter, r *http.Request, staff bool, f form, failure error) {
	bs, err := h.svc.Bodies(r.Context())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if staff {
		// The office records complaints of its own body only.
		p := principal(r)
		var own []complaintdb.Body
		for _, b := range bs {
			if b.ID == p.BodyID {
				own = append(own, b)
			}
		}
		bs = own
	}
	h.Render(w, r, http.StatusOK, "new", newPage{Staff: staff, Bodies: bs, Form: f}, failure)
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request) {
	h.showNew(w, r, false, form{TargetKind: string(complaint.TargetUnit)}, nil)
}

func (h *handlers) recordPage(w http.ResponseWriter, r *http.Request) {
	h.showNew(w, r, true, form{TargetKind: string(complaint.TargetUnit), Channel: string(complaint.Phone), Body: principal(r).BodyID}, nil)
}

// file files the public's complaint; the visitor files as the public even
// when logged in as staff.
func (h *handlers) file(w http.ResponseWriter, r *http.Request) {
	h.fileAs(w, r, access.Principal{}, false)
}

func (h *handlers) record(w http.ResponseWriter, r *http.Request) {
	h.fileAs(w, r, principal(r), true)
}

func (h *handlers) fileAs(w http.ResponseWriter, r *http.Request, p access.Principal, staff bool) {
	f := formOf(r)
	ev, err := h.evidenceOf(r)
	if err != nil {
		h.showNew(w, r, staff, f, err)
		return
	}
	fl := f.filing()
	fl.Evidence = ev
	out, err := h.svc.File(r.Context(), p, f.Body, fl)
	if err != nil {
		h.showNew(w, r, staff, f, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the query code, shown this once
	h.Render(w, r, http.StatusCreated, "filed", struct {
		complaintdb.Filed
		Staff bool
	}{out, staff}, nil)
}

type followPage struct {
	Number, Code string
	View         *complaint.Public
	Done         bool
	Added        bool // evidence was just added
}

func (h *handlers) followPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.showFollow(w, r, strings.TrimSpace(q.Get("number")), strings.TrimSpace(q.Get("code")), false, nil)
}

func (h *handlers) showFollow(w http.ResponseWriter, r *http.Request, number, code string, done bool, failure error) {
	w.Header().Set("Cache-Control", "no-store")
	d := followPage{Number: number, Code: code, Done: done}
	if number == "" && code == "" {
		h.Render(w, r, http.StatusOK, "follow", d, failure)
		return
	}
	if code == "" {
		h.Render(w, r, http.StatusOK, "follow", d, apperr.Invalidf("code", "complaintweb.the_query_code_is_required"))
		return
	}
	v, err := h.svc.Lookup(r.Context(), number, code)
	if err != nil {
		h.Render(w, r, http.StatusOK, "follow", d, err)
		return
	}
	d.View = &v
	h.Render(w, r, http.StatusOK, "follow", d, failure)
}

// addEvidence adds a phone or letter complainant's files (P1).
func (h *handlers) addEvidence(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	code := strings.TrimSpace(r.PostFormValue("code"))
	ev, err := h.evidenceOf(r)
	if err == nil {
		_, err = h.svc.AddEvidence(r.Context(), number, code, ev)
	}
	if err != nil {
		h.showFollow(w, r, number, code, false, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	d := followPage{Number: number, Code: code, Added: true}
	v, err := h.svc.Lookup(r.Context(), number, code)
	if err != nil {
		h.Render(w, r, http.StatusOK, "follow", d, err)
		return
	}
	d.View = &v
	h.Render(w, r, http.StatusOK, "follow", d, nil)
}

func (h *handlers) review(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	if err := page.ParseForm(w, r); err != nil {
		h.showFollow(w, r, number, "", false, err)
		return
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if _, err := h.svc.RequestReview(r.Context(), number, code, r.PostForm.Get("reason")); err != nil {
		h.showFollow(w, r, number, code, false, err)
		return
	}
	h.showFollow(w, r, number, code, true, nil)
}

type listPage struct {
	Status string
	List   complaintdb.Listed
	Office bool
}

func filterOf(r *http.Request) complaintdb.Filter {
	q := r.URL.Query()
	pg, err := strconv.Atoi(q.Get("page"))
	if err != nil {
		pg = 1 // no page or not a number: the first
	}
	return complaintdb.Filter{Status: strings.TrimSpace(q.Get("status")), Page: pg}
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r)
	l, err := h.svc.List(r.Context(), principal(r), f)
	d := listPage{Status: f.Status, List: l, Office: principal(r).Has(access.RoleGeneralOffice)}
	h.Render(w, r, http.StatusOK, "list", d, err)
}

type complaintPage struct {
	complaintdb.Viewed
	Complainant *complaint.Complainant // shown after the handler asked (O4, audited)
	Tiered      bool
	Candidates  []complaintdb.Candidate // the office's choice of investigators
}

// evidenceFile sends an evidence file of the complaint to one of its
// handlers: the file must be one the complaint's record names.
func (h *handlers) evidenceFile(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Get(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if !v.Role.Handler() {
		h.Fail(w, r, apperr.Forbiddenf("complaintweb.only_the_complaint_s_handlers_read_its_evidence"))
		return
	}
	sum := r.PathValue("sha256")
	var ev *complaint.Evidence
	for i := range v.Complaint.Evidence {
		if v.Complaint.Evidence[i].SHA256 == sum {
			ev = &v.Complaint.Evidence[i]
		}
	}
	if ev == nil || h.files == nil {
		h.Fail(w, r, apperr.NotFoundf("complaintweb.no_such_evidence_file"))
		return
	}
	rd, err := h.files.Open(r.Context(), sum)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	defer rd.Close() //nolint:errcheck // read-only
	hd := w.Header()
	hd.Set("Content-Type", ev.Type)
	hd.Set("Content-Length", strconv.FormatInt(ev.Size, 10))
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.Name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, rd) // a client gone away is not our error
}

func (h *handlers) complaintPage(w http.ResponseWriter, r *http.Request) {
	h.showComplaint(w, r, nil)
}

func (h *handlers) showComplaint(w http.ResponseWriter, r *http.Request, failure error) {
	p := principal(r)
	number := r.PathValue("number")
	v, err := h.svc.Get(r.Context(), p, number)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d := complaintPage{Viewed: v, Tiered: h.svc.Rules(v.Complaint.BodyID).Tiered}
	if v.Role.Office {
		if d.Candidates, err = h.svc.Candidates(r.Context(), v.Complaint.BodyID); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	if r.URL.Query().Get("show") == "complainant" && v.Role.Handler() {
		who, err := h.svc.Identity(r.Context(), p, number)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		d.Complainant = &who
	}
	h.Render(w, r, http.StatusOK, "complaint", d, failure)
}

func (h *handlers) act(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	if err := page.ParseForm(w, r); err != nil {
		h.showComplaint(w, r, err)
		return
	}
	a, base, err := actionOf(r)
	if err == nil {
		_, err = h.svc.Act(r.Context(), principal(r), number, base, a)
	}
	if err != nil {
		h.showComplaint(w, r, err)
		return
	}
	page.Done(w, r, "/complaints/"+number, "acted")
}

// actionOf reads an action form: the action, its fields and the version
// it was based on (required: a stale form is a 409).
func actionOf(r *http.Request) (complaintdb.Action, int64, error) {
	v := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	base, err := strconv.ParseInt(v("version"), 10, 64)
	if err != nil || base <= 0 {
		return complaintdb.Action{}, 0, apperr.VersionMissing()
	}
	a := complaintdb.Action{Action: v("action"), Mode: v("mode"), Tier: v("tier"), Reason: v("reason"), Text: r.PostForm.Get("text"),
		Findings: r.PostForm.Get("findings"), Verified: v("verified") == "yes", Outcomes: r.PostForm["outcomes"]}
	if s := v("days"); s != "" {
		if a.Days, err = strconv.Atoi(s); err != nil {
			return a, 0, apperr.Invalidf("days", "complaintweb.days_must_be_a_whole_number")
		}
	}
	for _, s := range r.PostForm["investigators"] {
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				return a, 0, apperr.Invalidf("investigators", "complaintweb.investigator_id_is_not_valid", part)
			}
			a.Investigators = append(a.Investigators, id)
		}
	}
	return a, base, nil
}

type tallyPage struct {
	Year int
	Rows []complaint.TallyRow
}

func yearOf(r *http.Request) (int, error) {
	s := strings.TrimSpace(r.URL.Query().Get("year"))
	if s == "" {
		return time.Now().In(cst).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Invalidf("year", "complaintweb.the_year_is_not_valid")
	}
	return y, nil
}

func (h *handlers) tallyPage(w http.ResponseWriter, r *http.Request) {
	y, err := yearOf(r)
	var rows []complaint.TallyRow
	if err == nil {
		rows, err = h.svc.Tally(r.Context(), principal(r), y)
	}
	h.Render(w, r, http.StatusOK, "tally", tallyPage{Year: y, Rows: rows}, err)
}

// PublicFiling is the public's complaint through the API.
type PublicFiling struct {
	Body        int64                 `json:"body"`
	Target      complaint.Target      `json:"target"`
	Ground      string                `json:"ground"`
	Facts       string                `json:"facts"`
	Reasons     string                `json:"reasons,omitempty"`
	Centre      bool                  `json:"centre,omitempty"`
	Complainant complaint.Complainant `json:"complainant"`
}

// RecordRequest is a complaint the general office records.
type RecordRequest struct {
	Channel     string                `json:"channel"`
	Target      complaint.Target      `json:"target"`
	Ground      string                `json:"ground"`
	Facts       string                `json:"facts"`
	Reasons     string                `json:"reasons,omitempty"`
	Centre      bool                  `json:"centre,omitempty"`
	Complainant complaint.Complainant `json:"complainant"`
}

func groundOf(s string) complaint.Ground {
	if g, err := complaint.ParseGround("ground", s); err == nil {
		return g
	}
	return complaint.Ground(s) // Check names it
}

func (h *handlers) apiFile(w http.ResponseWriter, r *http.Request) {
	var in PublicFiling
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	out, err := h.svc.File(r.Context(), access.Principal{}, in.Body, complaint.Filing{Channel: complaint.Online, Target: in.Target,
		Ground: groundOf(in.Ground), Facts: in.Facts, Reasons: in.Reasons, Centre: in.Centre, Complainant: in.Complainant})
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, r, http.StatusCreated, out)
}

func (h *handlers) apiRecord(w http.ResponseWriter, r *http.Request) {
	var in RecordRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	out, err := h.svc.File(r.Context(), principal(r), 0, complaint.Filing{Channel: complaint.Channel(in.Channel), Target: in.Target,
		Ground: groundOf(in.Ground), Facts: in.Facts, Reasons: in.Reasons, Centre: in.Centre, Complainant: in.Complainant})
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusCreated, out)
}

func (h *handlers) apiLookup(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Lookup(r.Context(), r.PathValue("number"), r.URL.Query().Get("code"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, r, http.StatusOK, v)
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	l, err := h.svc.List(r.Context(), principal(r), filterOf(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if l.Complaints == nil {
		l.Complaints = []complaint.Complaint{}
	}
	api.WriteJSON(w, r, http.StatusOK, l)
}

func (h *handlers) apiTally(w http.ResponseWriter, r *http.Request) {
	y, err := yearOf(r)
	var rows []complaint.TallyRow
	if err == nil {
		rows, err = h.svc.Tally(r.Context(), principal(r), y)
	}
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if rows == nil {
		rows = []complaint.TallyRow{}
	}
	api.WriteJSON(w, r, http.StatusOK, rows)
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Get(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, v, v.Complaint.Version)
}

func (h *handlers) apiIdentity(w http.ResponseWriter, r *http.Request) {
	who, err := h.svc.Identity(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, r, http.StatusOK, who)
}

func (h *handlers) apiAct(w http.ResponseWriter, r *http.Request) {
	base, err := api.IfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in complaintdb.Action
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	number := r.PathValue("number")
	c, err := h.svc.Act(r.Context(), principal(r), number, base, in)
	api.Edited(w, r, http.StatusOK, c, err, func(c complaint.Complaint) int64 { return c.Version },
		func() (complaint.Complaint, error) {
			v, err := h.svc.Get(r.Context(), principal(r), number)
			return v.Complaint, err
		})
}
