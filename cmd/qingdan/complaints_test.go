package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/org"
)

// param is a path parameter of a route pattern.
var param = regexp.MustCompile(`\{[^}]*\}`)

// demoComplaint files a complaint online to body about its unit unitCode,
// from 欧阳明远 (13912345678), a name and number found nowhere else.
func demoComplaint(t *testing.T, a *app, body int64, unitCode string) complaintdb.Filed {
	t.Helper()
	f, err := a.complaints.File(context.Background(), access.Principal{}, body, complaint.Filing{
		Target: complaint.Target{Kind: complaint.TargetUnit, Unit: unitCode}, Ground: complaint.NeedlessDocuments,
		Facts:       "办理门前三包备案时被要求提供已取消的证明。",
		Complainant: complaint.Complainant{Name: "欧阳明远", Phone: "13912345678", Email: "oyang@example.cn", Address: "青山区翠苑路 8 号"}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestApp_O4_complainantOnNoPublicPageAndNoResponseToTheComplainedUnit
// walks every route of the wired application as the public and as the
// complained unit's head (曹亮 of 青山街道's CSGL), with the complaint's
// number and query code in every path and query, and finds the
// complainant's name, phone, e-mail and address in no response. The
// handling office then reads them (the identity is there to be hidden).
func TestApp_O4_complainantOnNoPublicPageAndNoResponseToTheComplainedUnit(t *testing.T) {
	a, srv := demoApp(t)
	ctx := context.Background()
	b, err := a.orgs.BodyByCode(ctx, org.System, "330199001")
	if err != nil {
		t.Fatal(err)
	}
	filed := demoComplaint(t, a, b.ID, "CSGL")
	n, code := filed.Complaint.Number, filed.QueryCode
	// The complaint is answered (P8): its sealed answer document is on
	// the routes walked too — the complainant's copy masked.
	answerComplaint(t, a, n)
	// P8: before any review request the follow-up page offers one and
	// does not claim one was made (a zero time is not "no time" to a template).
	status, resp := send(t, srv, "GET", "/portal/complaints?number="+n+"&code="+code, "", "", "")
	if status != http.StatusOK || !strings.Contains(resp, `name="reason"`) || strings.Contains(resp, "已于 ") {
		t.Errorf("P8: the follow-up page before a review request: %d form=%v claim=%v", status, strings.Contains(resp, `name="reason"`), strings.Contains(resp, "已于 "))
	}
	secrets := []string{"欧阳明远", "13912345678", "oyang@example.cn", "翠苑路 8 号"}
	complained := bearer(t, a, "qingshan1")
	checked := 0
	for _, rt := range a.web.Routes() {
		path := param.ReplaceAllStringFunc(rt.Path(), func(p string) string {
			switch p {
			case "{number}":
				return n
			case "{id}":
				return "1"
			case "{year}":
				return "2026"
			}
			return "x"
		})
		path += "?number=" + n + "&code=" + code + "&show=complainant"
		body := ""
		if rt.Method() != http.MethodGet {
			if !strings.Contains(rt.Path(), "complaint") {
				continue // writes elsewhere have nothing of a complaint to answer with
			}
			body = "version=1&action=accept&mode=direct&code=" + code + "&reason=x"
			if strings.HasPrefix(path, "/api/") {
				body = `{"action":"accept","mode":"direct"}`
			}
		}
		for who, tok := range map[string]string{"the public": "", "the complained unit": complained} {
			status, resp := send(t, srv, rt.Method(), path, tok, body, "")
			checked++
			for _, s := range secrets {
				if strings.Contains(resp, s) {
					t.Errorf("O4: %s %s as %s (%d) shows %q", rt.Method(), path, who, status, s)
				}
			}
		}
	}
	office := bearer(t, a, "qingshan_office")
	status, resp = send(t, srv, "GET", "/api/v1/complaints/"+n+"/complainant", office, "", "")
	if status != http.StatusOK || !strings.Contains(resp, "欧阳明远") {
		t.Errorf("the handling office cannot read the complainant: %d %.200s", status, resp)
	}
	status, resp = send(t, srv, "GET", "/complaints/"+n+"/answer", office, "", "")
	if status != http.StatusOK || !strings.Contains(resp, "欧阳明远") || !strings.Contains(resp, "投诉答复书") {
		t.Errorf("the handling office cannot read the answer as issued: %d %.200s", status, resp)
	}
	status, resp = send(t, srv, "GET", "/portal/complaints/"+n+"/answer?code="+code, "", "", "")
	if status != http.StatusOK || !strings.Contains(resp, "投诉答复书") || !strings.Contains(resp, "欧*") {
		t.Errorf("P8: the complainant cannot read the answer: %d %.200s", status, resp)
	}
	// H8: the seal register links a complaint's answer to the complaint
	// and its answer page, not to a case that does not exist.
	status, resp = send(t, srv, "GET", "/admin/seal/register?case="+n, bearer(t, a, "seal1"), "", "")
	if status != http.StatusOK || !strings.Contains(resp, "/complaints/"+n+"/answer") || strings.Contains(resp, "/cases/"+n) {
		t.Errorf("H8: the seal register's row of the answer: %d %.300s", status, resp)
	}
	t.Logf("%d responses checked", checked)
}

// TestServe_P6_complaintTiersPerBody: --complaint-tiers puts the bodies it
// names on the service-centre tiers (accepting needs a tier) and leaves the
// others on 15 working days; an unknown code is refused naming the flag.
func TestServe_P6_complaintTiersPerBody(t *testing.T) {
	a, _ := demoAppOn(t, "sqlite", func(c *serveConfig) { c.complaintTiers = "330199001" })
	ctx := context.Background()
	street, err := a.orgs.BodyByCode(ctx, org.System, "330199001")
	if err != nil {
		t.Fatal(err)
	}
	district, err := a.orgs.BodyByCode(ctx, org.System, "330199")
	if err != nil {
		t.Fatal(err)
	}
	if !a.complaints.Rules(street.ID).Tiered || a.complaints.Rules(district.ID).Tiered {
		t.Fatal("P6: the tiers are not the named body's alone")
	}
	n := demoComplaint(t, a, street.ID, "CSGL").Complaint.Number
	p, err := a.auth.TokenPrincipal(ctx, bearer(t, a, "qingshan_office"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.complaints.Act(ctx, p, n, 0, complaintdb.Action{Action: "accept", Mode: "direct"}); err == nil || !strings.Contains(err.Error(), "tier") {
		t.Errorf("P6: a tiered body's complaint accepted without a tier: %v", err)
	}
	c, err := a.complaints.Act(ctx, p, n, 0, complaintdb.Action{Action: "accept", Mode: "direct", Tier: "complex"})
	if err != nil || c.HandlingDays != 10 {
		t.Errorf("P6: the complex tier: %d days, %v", c.HandlingDays, err)
	}
	if _, err := complaintTiers(ctx, a.db, "330199, 999999"); err == nil || !strings.Contains(err.Error(), "--complaint-tiers") {
		t.Errorf("an unknown body code: %v", err)
	}
}

// TestHome_P4_P9_complaintsOnTheToDoList: a complaint waits on the general
// office's home page (not on the complained unit's), an investigator's
// waits on theirs, and the third verified complaint of the year against
// one person shows its P9 consequence on a leader's.
func TestHome_P4_P9_complaintsOnTheToDoList(t *testing.T) {
	a, _ := demoApp(t)
	ctx := context.Background()
	district, err := a.orgs.BodyByCode(ctx, org.System, "330199")
	if err != nil {
		t.Fatal(err)
	}
	who := func(login string) access.Principal {
		p, err := a.auth.TokenPrincipal(ctx, bearer(t, a, login))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	todos := func(login string) string {
		ts, err := complaintToDos(a.complaints)(ctx, who(login), "zh")
		if err != nil {
			t.Fatalf("%s's to-do: %v", login, err)
		}
		var b strings.Builder
		for _, td := range ts {
			b.WriteString(td.Kind + " " + td.Title + " " + td.Link + "\n")
		}
		return b.String()
	}
	office, reform, sup := who("office1"), who("reform1"), who("supervisor1")
	act := func(p access.Principal, n string, a2 complaintdb.Action) {
		t.Helper()
		if _, err := a.complaints.Act(ctx, p, n, 0, a2); err != nil {
			t.Fatalf("%s by %s: %v", a2.Action, p.Login, err)
		}
	}
	var last string
	for i := range 3 {
		f, err := a.complaints.File(ctx, access.Principal{}, district.ID, complaint.Filing{
			Target: complaint.Target{Kind: complaint.TargetStaff, StaffID: who("unit1").StaffID}, Ground: complaint.NotAsListed,
			Facts: "执法时未出示证件。", Complainant: complaint.Complainant{Anonymous: true}})
		if err != nil {
			t.Fatal(err)
		}
		last = f.Complaint.Number
		if i == 0 {
			if got := todos("office1"); !strings.Contains(got, "待受理 "+last) || !strings.Contains(got, "/complaints/"+last) {
				t.Errorf("office1's to-do lacks %s:\n%s", last, got)
			}
			if got := todos("unit1"); strings.Contains(got, last) {
				t.Errorf("O4: the complained person's to-do shows %s", last)
			}
		}
		act(office, last, complaintdb.Action{Action: "accept", Mode: "direct"})
		act(office, last, complaintdb.Action{Action: "assign", Investigators: []int64{reform.StaffID, sup.StaffID}})
		if i == 0 {
			if got := todos("supervisor1"); !strings.Contains(got, last) {
				t.Errorf("the investigator's to-do lacks %s:\n%s", last, got)
			}
		}
		act(reform, last, complaintdb.Action{Action: "declare"})
		act(sup, last, complaintdb.Action{Action: "declare"})
		act(sup, last, complaintdb.Action{Action: "find", Findings: "属实。", Verified: true, Outcomes: []string{"interview"}})
		act(office, last, complaintdb.Action{Action: "answer", Text: "经查属实，已处理。"})
		if got := todos("leader1"); (i < 2) == strings.Contains(got, "吴刚") {
			t.Errorf("P9 after %d verified complaints, the leader's to-do:\n%s", i+1, got)
		}
	}
	if got := todos("leader1"); !strings.Contains(got, "不得评为") {
		t.Errorf("P9: the leader's to-do lacks the consequence:\n%s", got)
	}
}

// answerComplaint takes complaint n of 青山街道 to its written answer:
// the street's office (许明) accepts, it and 邓雪 investigate (neither of
// the complained CSGL), find it verified, and the office answers (P8).
func answerComplaint(t *testing.T, a *app, n string) {
	t.Helper()
	ctx := context.Background()
	who := func(login string) access.Principal {
		p, err := a.auth.TokenPrincipal(ctx, bearer(t, a, login))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	office, liaison := who("qingshan_office"), who("qingshan_liaison")
	for _, st := range []struct {
		p access.Principal
		a complaintdb.Action
	}{
		{office, complaintdb.Action{Action: "accept", Mode: "direct"}},
		{office, complaintdb.Action{Action: "assign", Investigators: []int64{office.StaffID, liaison.StaffID}}},
		{office, complaintdb.Action{Action: "declare"}},
		{liaison, complaintdb.Action{Action: "declare"}},
		{liaison, complaintdb.Action{Action: "find", Findings: "经查属实。", Verified: true, Outcomes: []string{"interview"}}},
		{office, complaintdb.Action{Action: "answer", Text: "经调查，您反映的问题属实，已责成城市管理办整改。"}},
	} {
		if _, err := a.complaints.Act(ctx, st.p, n, 0, st.a); err != nil {
			t.Fatalf("%s: %v", st.a.Action, err)
		}
	}
}

// TestAPI_L8_ratingsThroughTheAPI: a bad demo rating read with its version
// as the ETag, and its callback taken a step with If-Match — none is a
// 428, a stale one a 409 with the current rating, an unknown field a 400
// naming it — as the rating's page does (L8).
func TestAPI_L8_ratingsThroughTheAPI(t *testing.T) {
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 300 }) // completed cases to rate
	ctx := context.Background()
	var id, version int64
	err := a.db.QueryRow(ctx, `SELECT r.id, r.version FROM ratings r, bodies b
		WHERE b.code = '330199' AND r.body_path LIKE b.path || '%' AND r.callback = 'open' ORDER BY r.id LIMIT 1`).Scan(&id, &version)
	if err != nil {
		t.Fatalf("no open callback in the demo: %v", err)
	}
	office := bearer(t, a, "office1")
	u := "/api/v1/ratings/" + strconv.FormatInt(id, 10)
	status, resp := send(t, srv, "GET", u, office, "", "")
	if status != http.StatusOK || !strings.Contains(resp, `"callback"`) {
		t.Fatalf("GET %s: %d %.300s", u, status, resp)
	}
	status, resp = send(t, srv, "GET", "/api/v1/ratings?show=due", office, "", "")
	if status != http.StatusOK || !strings.Contains(resp, `"id":`+strconv.FormatInt(id, 10)+`,`) {
		t.Errorf("the due callbacks: %d %.300s", status, resp)
	}
	if status, _ := send(t, srv, "GET", "/api/v1/ratings?show=everything", office, "", ""); status != http.StatusBadRequest {
		t.Errorf("show=everything: %d", status)
	}
	act := u + "/actions"
	if status, _ := send(t, srv, "POST", act, office, `{"action":"call","text":"已回访"}`, ""); status != http.StatusPreconditionRequired {
		t.Errorf("no If-Match: %d", status)
	}
	if status, resp := sendIfMatch(t, srv, act, office, `{"action":"call","text":"已回访","bogus":1}`, version); status != http.StatusBadRequest ||
		!strings.Contains(resp, "bogus") {
		t.Errorf("an unknown field: %d %.200s", status, resp)
	}
	if status, _ := sendIfMatch(t, srv, act, office, `{"action":"call","text":"已回访"}`, version+7); status != http.StatusConflict {
		t.Errorf("a stale version: %d", status)
	}
	status, resp = sendIfMatch(t, srv, act, office, `{"action":"call","text":"已回访"}`, version)
	if status != http.StatusOK || !strings.Contains(resp, `"state":"called"`) {
		t.Errorf("L8: the call: %d %.300s", status, resp)
	}
}

// sendIfMatch POSTs body to path with the token and If-Match: "version".
func sendIfMatch(t *testing.T, srv *httptest.Server, path, token, body string, version int64) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", `"`+strconv.FormatInt(version, 10)+`"`)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestAPI_A1_A2_accountabilityThroughTheAPI: a supervisor opens a record
// against a staff member (A1), hears them and decides a measure (A2)
// through /api/v1/accountability with If-Match; an unknown ground is a 400
// naming it and changes nothing; the person concerned reads their record.
func TestAPI_A1_A2_accountabilityThroughTheAPI(t *testing.T) {
	a, srv := demoApp(t)
	sup := bearer(t, a, "supervisor1")
	person, err := a.auth.TokenPrincipal(context.Background(), bearer(t, a, "unit1"))
	if err != nil {
		t.Fatal(err)
	}
	staff := strconv.FormatInt(person.StaffID, 10)
	status, resp := send(t, srv, "POST", "/api/v1/accountability", sup, `{"staff_id":`+staff+`,"ground":"no_such_ground","facts":"x","proposed":"criticism_education"}`, "")
	if status != http.StatusBadRequest || !strings.Contains(resp, "ground") {
		t.Errorf("an unknown ground: %d %.200s", status, resp)
	}
	status, resp = send(t, srv, "POST", "/api/v1/accountability", sup,
		`{"staff_id":`+staff+`,"ground":"hostility","facts":"对办事群众态度恶劣。","proposed":"criticism_education"}`, "")
	if status != http.StatusCreated {
		t.Fatalf("open: %d %.300s", status, resp)
	}
	var rec struct {
		ID      int64 `json:"id"`
		Version int64 `json:"version"`
	}
	if err := json.Unmarshal([]byte(resp), &rec); err != nil || rec.ID == 0 {
		t.Fatalf("%v %.200s", err, resp)
	}
	u := "/api/v1/accountability/" + strconv.FormatInt(rec.ID, 10)
	if status, _ := send(t, srv, "GET", u, bearer(t, a, "unit1"), "", ""); status != http.StatusOK {
		t.Errorf("the person concerned reads the record: %d", status)
	}
	if status, _ := sendIfMatch(t, srv, u+"/actions", sup, `{"action":"hear","statement":"我接受批评。"}`, rec.Version+5); status != http.StatusConflict {
		t.Errorf("a stale version: %d", status)
	}
	status, resp = sendIfMatch(t, srv, u+"/actions", sup, `{"action":"hear","statement":"我接受批评。"}`, rec.Version)
	if status != http.StatusOK {
		t.Fatalf("hear: %d %.300s", status, resp)
	}
	if err := json.Unmarshal([]byte(resp), &rec); err != nil {
		t.Fatal(err)
	}
	status, resp = sendIfMatch(t, srv, u+"/actions", sup, `{"action":"decide","measure":"criticism_education","reasons":"情节较轻。"}`, rec.Version)
	if status != http.StatusOK || !strings.Contains(resp, "criticism_education") {
		t.Errorf("decide: %d %.300s", status, resp)
	}
}
