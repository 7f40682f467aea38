// Package complaintweb is how people reach complaints (issue #17): the
// public's form /portal/complaints/new (no login, no JavaScript, evidence
// files checked by content) and follow-up /portal/complaints (number and
// query code: the progress, the written answer, the review request); the
// general office's list /complaints, a complaint's page with its actions,
// the form recording a phone, letter, e-mail or visit; the P9 tallies
// /complaints/tally; and the same under /api/v1/complaints. The
// complainant's identity is on no page but the handlers' explicit,
// audited read (O4).
//
//	svc := complaintdb.New(db, cals, complaintdb.Options{})
//	routes, err := complaintweb.Routes(svc, frame)
package complaintweb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"new", "filed", "follow", "list", "complaint", "tally", "error"}

// cst is China Standard Time, the users' clock whatever the server's zone.
var cst = time.FixedZone("CST", 8*3600)

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

func day(d calendar.Date) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// Evidence limits: a file's size, and the whole form (five files and the
// text). A larger request is refused at the edge with 413 naming the limit.
const (
	MaxFileBytes = 5 << 20
	MaxFormBytes = complaint.MaxEvidenceFiles*MaxFileBytes + 256<<10
)

// evidenceTypes are the types accepted, as sniffed from the content (not
// the name or the browser's word for it).
var evidenceTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "application/pdf": true,
	"text/plain; charset=utf-8": true}

type handlers struct {
	*page.Kit
	svc   *complaintdb.Service
	files Files
}

// Files keeps the evidence's bytes (attachdb, through attachweb.Evidence):
// Keep scans a checked file and stores it under its SHA-256 before the
// complaint's write records it (a refusal names field); Open reads it back
// for the complaint's handlers. Without Files the bytes are not kept.
type Files interface {
	Keep(ctx context.Context, field, name string, data []byte) error
	Open(ctx context.Context, sha256 string) (io.ReadCloser, error)
}

// Options wire optional parts of the complaint routes.
type Options struct {
	Files Files
}

var hf = func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

var (
	office   = []access.Role{access.RoleGeneralOffice}
	readers  = []access.Role{access.RoleGeneralOffice, access.RoleSupervisor}
	tallying = []access.Role{access.RoleLeader, access.RoleGeneralOffice, access.RoleSupervisor}
	tags     = []string{"complaints"}
	pubTags  = []string{"public"}
)

// Routes returns the complaint pages and API.
func Routes(svc *complaintdb.Service, frame page.Frame) ([]httpx.Route, error) {
	return RoutesWith(svc, frame, Options{})
}

// RoutesWith is Routes with options: with Files, the evidence's bytes are
// kept and the complaint's handlers download them.
func RoutesWith(svc *complaintdb.Service, frame page.Frame, o Options) ([]httpx.Route, error) {
	if svc == nil || frame == nil {
		return nil, fmt.Errorf("complaintweb: Routes needs the service and a frame")
	}
	ps, err := page.Parse(templateFS, messages, template.FuncMap{
		"when": when, "day": day,
		"name":     func(lang string, n msg.Localized) string { return n.In(lang) },
		"grounds":  func() []complaint.Ground { return complaint.Grounds },
		"channels": func() []complaint.Channel { return complaint.Channels[1:] },
		"reasons":  func() []complaint.RefusalReason { return complaint.RefusalReasons },
		"modes":    func() []complaint.Mode { return complaint.Modes },
		"outcomes": func() []complaint.Outcome { return complaint.Outcomes },
		"statuses": func() []complaint.Status { return complaint.Statuses },
		"target":   func(lang string, t complaint.Target) string { return t.In(lang) },
		"flag":     func(lang, f string) string { return messages.Text(lang, "flag."+f) },
		"add":      func(a, b int) int { return a + b },
	}, pageNames...)
	if err != nil {
		return nil, fmt.Errorf("complaintweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: frame, Pages: ps, Messages: messages, What: "complaint page"}, svc: svc, files: o.Files}
	scope := func(r *http.Request) (string, error) {
		n, err := complaint.ParseNumber("number", r.PathValue("number"))
		if err != nil {
			return "", err // a number that is not one is a 400 naming it
		}
		return svc.Path(r.Context(), n)
	}
	pub := httpx.Policy{Public: true}
	pubWrite := httpx.Policy{Public: true, Write: true}
	p := api.Prefix + "/complaints"
	num := httpx.Param{Name: "number", In: "path", Description: "the complaint's number (TS330199-2026-000001)", Type: "string"}
	return []httpx.Route{
		// The public (P1, P8).
		{Pattern: "GET /portal/complaints/new", Policy: pub, Handler: hf(h.newPage)},
		{Pattern: "POST /portal/complaints/new", Policy: pubWrite, Handler: hf(h.file), MaxBody: MaxFormBytes},
		{Pattern: "GET /portal/complaints", Policy: pub, Handler: hf(h.followPage)},
		{Pattern: "POST /portal/complaints/{number}/review", Policy: pubWrite, Handler: hf(h.review)},
		{Pattern: "POST /portal/complaints/{number}/evidence", Policy: pubWrite, Handler: hf(h.addEvidence), MaxBody: MaxFormBytes},
		// The written answer, a sealed document (P8): page and PDF.
		{Pattern: "GET /portal/complaints/{number}/answer", Policy: pub, Handler: h.publicAnswer(false)},
		{Pattern: "GET /portal/complaints/{number}/answer.pdf", Policy: pub, Handler: h.publicAnswer(true)},
		// The general office, investigators, supervisors, leaders.
		{Pattern: "GET /complaints", Policy: httpx.Policy{Roles: readers}, Handler: hf(h.listPage),
			Nav: &httpx.Nav{Label: "nav.complaints", Order: 40}},
		{Pattern: "GET /complaints/record", Policy: httpx.Policy{Roles: office}, Handler: hf(h.recordPage)},
		{Pattern: "POST /complaints/record", Policy: httpx.Policy{Roles: office, Write: true}, Handler: hf(h.record), MaxBody: MaxFormBytes},
		{Pattern: "GET /complaints/tally", Policy: httpx.Policy{Roles: tallying}, Handler: hf(h.tallyPage),
			Nav: &httpx.Nav{Label: "nav.complaint_tally", Order: 41}},
		{Pattern: "GET /complaints/{number}", Policy: httpx.Policy{Scope: scope}, Handler: hf(h.complaintPage)},
		{Pattern: "POST /complaints/{number}/act", Policy: httpx.Policy{Write: true, Scope: scope}, Handler: hf(h.act)},
		{Pattern: "GET /complaints/{number}/answer", Policy: httpx.Policy{Scope: scope}, Handler: h.staffAnswer(false)},
		{Pattern: "GET /complaints/{number}/answer.pdf", Policy: httpx.Policy{Scope: scope}, Handler: h.staffAnswer(true)},
		// An evidence file, by its SHA-256: for the complaint's handlers
		// only (it may identify the complainant, P8/O4).
		{Pattern: "GET /complaints/{number}/evidence/{sha256}", Policy: httpx.Policy{Scope: scope}, Handler: hf(h.evidenceFile)},

		{Pattern: "POST /api/v1/public/complaints", Policy: pubWrite, Handler: hf(h.apiFile),
			Doc: &httpx.Doc{Summary: "File a complaint online (the public)", Tags: pubTags, Request: PublicFiling{}, Response: complaintdb.Filed{},
				Description: "P1, P2: the body, the target (unit by code, staff by name, case by number, item by code), one of the seven grounds, the facts and the complainant's contact (or anonymous). Answers the number and the query code, shown this once. Evidence files through the form /portal/complaints/new."}},
		{Pattern: "GET /api/v1/public/complaints/{number}", Policy: pub, Handler: hf(h.apiLookup),
			Doc: &httpx.Doc{Summary: "Follow a complaint (the public)", Tags: pubTags, Response: complaint.Public{},
				Params:      []httpx.Param{num, {Name: "code", In: "query", Description: "the query code", Type: "string", Required: true}},
				Description: "The progress and the written answer (P8), personal data masked (O4). A wrong code is the same 404 as an unknown number."}},
		{Pattern: "POST " + p, Policy: httpx.Policy{Roles: office, Write: true}, Handler: hf(h.apiRecord),
			Doc: &httpx.Doc{Summary: "Record a complaint by phone, letter, e-mail or in person", Tags: tags, Request: RecordRequest{}, Response: complaintdb.Filed{},
				Description: "The general office records a complaint of its body (P1); phone and letter complainants have 3 working days to add evidence."}},
		{Pattern: "GET " + p, Policy: httpx.Policy{Roles: readers}, Handler: hf(h.apiList),
			Doc: &httpx.Doc{Summary: "Complaints", Tags: tags, Response: complaintdb.Listed{},
				Params:      []httpx.Param{{Name: "status", In: "query", Description: "a status, or open", Type: "string"}, {Name: "page", In: "query", Description: "from 1", Type: "integer"}},
				Description: "The complaints of the caller's jurisdiction by due day, 50 a page, without the complainant (O4)."}},
		{Pattern: "GET " + p + "/tally", Policy: httpx.Policy{Roles: tallying}, Handler: hf(h.apiTally),
			Doc: &httpx.Doc{Summary: "Verified complaints per person and window (P9)", Tags: tags, Response: []complaint.TallyRow{},
				Params:      []httpx.Param{{Name: "year", In: "query", Description: "the year (this year when omitted)", Type: "integer"}},
				Description: "Counts of verified complaints per staff member and per window in a year, with the P9 consequence from three."}},
		{Pattern: "GET " + p + "/{number}", Policy: httpx.Policy{Scope: scope}, Handler: hf(h.apiGet),
			Doc: &httpx.Doc{Summary: "One complaint", Tags: tags, Response: complaintdb.Viewed{}, Params: []httpx.Param{num}, Versioned: true,
				Description: "For its handlers, supervisors and investigators, without the complainant (O4). The version is the ETag."}},
		{Pattern: "GET " + p + "/{number}/complainant", Policy: httpx.Policy{Roles: office, Scope: scope}, Handler: hf(h.apiIdentity),
			Doc: &httpx.Doc{Summary: "The complainant (handlers only, audited)", Tags: tags, Response: complaint.Complainant{}, Params: []httpx.Param{num},
				Description: "O4: the general office handling the complaint (not of the complained unit) reads the complainant's identity; every read is an audited event."}},
		{Pattern: "POST " + p + "/{number}/actions", Policy: httpx.Policy{Write: true, Scope: scope}, Handler: hf(h.apiAct),
			Doc: &httpx.Doc{Summary: "Act on a complaint", Tags: tags, Request: complaintdb.Action{}, Response: complaint.Complaint{}, Params: []httpx.Param{num}, Versioned: true,
				Description: "accept (mode; tier with tiered rules), refuse (reason of P3, text), assign (≥ 2 investigators, recusal P5), declare (an investigator: no conflict), find (findings, verified, outcomes P7), extend (days ≤ 15, reason; the office director, P6), answer (text, P8). With If-Match, a stale version is 409."}},
	}, nil
}

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

// form is the complaint form as typed, kept to show it again on an error.
type form struct {
	Body                        int64
	Channel                     string
	TargetKind                  string
	Unit, Staff, Case, Item     string
	Ground, Facts, Reasons      string
	Anonymous                   bool
	Name, Phone, Email, Address string
	Centre                      bool
}

func formOf(r *http.Request) form {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	body, err := strconv.ParseInt(v("body"), 10, 64)
	if err != nil {
		body = 0 // no body chosen: the service names the field
	}
	return form{Body: body, Channel: v("channel"), TargetKind: v("target_kind"), Unit: v("unit"), Staff: v("staff"), Case: v("case"),
		Item: v("item"), Ground: v("ground"), Facts: r.PostFormValue("facts"), Reasons: r.PostFormValue("reasons"),
		Anonymous: v("anonymous") != "", Name: v("name"), Phone: v("phone"), Email: v("email"), Address: v("address"),
		Centre: v("centre") != ""}
}

func (f form) filing() complaint.Filing {
	t := complaint.Target{Kind: complaint.TargetKind(f.TargetKind)}
	switch t.Kind {
	case complaint.TargetUnit:
		t.Unit = f.Unit
	case complaint.TargetStaff:
		t.Staff = f.Staff
	case complaint.TargetCase:
		t.Case = f.Case
	case complaint.TargetItem:
		t.Item = f.Item
	}
	return complaint.Filing{Channel: complaint.Channel(f.Channel), Target: t, Ground: complaint.Ground(f.Ground), Facts: f.Facts,
		Reasons: f.Reasons, Centre: f.Centre,
		Complainant: complaint.Complainant{Anonymous: f.Anonymous, Name: f.Name, Phone: f.Phone, Email: f.Email, Address: f.Address}}
}

// evidenceOf reads the uploaded files: each within MaxFileBytes, of a type
// sniffed from its content, named and hashed; with Files, each is scanned
// and its bytes stored under its hash before the complaint's write names
// it (a refused file refuses the form, and nothing is recorded).
func (h *handlers) evidenceOf(r *http.Request) ([]complaint.Evidence, error) {
	ev, data, err := evidenceOf(r)
	if err != nil || h.files == nil {
		return ev, err
	}
	for i, e := range ev {
		if err := h.files.Keep(r.Context(), "evidence", e.Name, data[i]); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

func evidenceOf(r *http.Request) ([]complaint.Evidence, [][]byte, error) {
	if r.MultipartForm == nil {
		return nil, nil, nil
	}
	files := r.MultipartForm.File["evidence"]
	var out []complaint.Evidence
	var data [][]byte
	for _, fh := range files {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the empty file input of a form sent without a file
		}
		if len(out) == complaint.MaxEvidenceFiles {
			return nil, nil, apperr.Invalidf("evidence", "complaintweb.at_most_evidence_files", complaint.MaxEvidenceFiles)
		}
		e, err := readEvidence(fh)
		if err != nil {
			return nil, nil, err
		}
		out, data = append(out, e.ev), append(data, e.data)
	}
	return out, data, nil
}

// readFile is an evidence file read: its record and its bytes.
type readFile struct {
	ev   complaint.Evidence
	data []byte
}

func readEvidence(fh *multipart.FileHeader) (readFile, error) {
	buf := &bytes.Buffer{}
	name := fh.Filename
	if fh.Size > MaxFileBytes {
		return readFile{}, apperr.Invalidf("evidence", "complaintweb.file_is_larger_than", name, apperr.Size(MaxFileBytes))
	}
	f, err := fh.Open()
	if err != nil {
		return readFile{}, apperr.Invalidf("evidence", "complaintweb.file_cannot_be_read", name)
	}
	defer f.Close()
	h := sha256.New()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return readFile{}, apperr.Invalidf("evidence", "complaintweb.file_cannot_be_read", name)
	}
	head = head[:n]
	typ := http.DetectContentType(head)
	if n == 0 || !evidenceTypes[typ] {
		return readFile{}, apperr.Invalidf("evidence", "complaintweb.file_is_not_an_image_jpeg", name)
	}
	h.Write(head)
	buf.Write(head)
	size, err := io.Copy(io.MultiWriter(h, buf), io.LimitReader(f, MaxFileBytes))
	if err != nil {
		return readFile{}, apperr.Invalidf("evidence", "complaintweb.file_cannot_be_read", name)
	}
	return readFile{ev: complaint.Evidence{Name: name, Size: int64(n) + size, Type: strings.SplitN(typ, ";", 2)[0],
		SHA256: hex.EncodeToString(h.Sum(nil))}, data: buf.Bytes()}, nil
}
