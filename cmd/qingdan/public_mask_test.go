package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web"
)

// The personal data planted in the free text of a published item (L7, O4):
// a resident ID, a mobile, a bank card, a labelled name, a labelled home
// address, an e-mail. secrets are what no public page may show of them:
// each whole, and the parts masking hides.
const planted = " 联系人：王小明 身份证11010519491231002X 手机13812345678 卡号6222021234567890123 住址：北京市朝阳区建国路88号 邮箱wangxm@example.com"

var secrets = []string{"王小明", "小明", "11010519491231002X", "19491231", "13812345678", "6222021234567890123", "0212345678901", "建国路88号", "wangxm"}

// plantings are tried in order on each field until the version validates:
// the whole text appended; then a mobile alone (a phone field); then a name
// alone (a field with a length limit).
var plantings = []func(string) string{
	func(s string) string { return s + planted },
	func(string) string { return "13812345678" },
	func(s string) string { return s + " 联系人：王小明" },
}

// textField is one free-text string reachable in an item version: a
// string field (not tagged mask:"keep", not an enumeration) or an element
// of a []string, at a JSON-like path.
type textField struct {
	path string
	v    reflect.Value
}

// textFields lists v's text fields, and the paths of the version type's
// text fields that v has no value to hold (an empty slice of structs).
func textFields(v reflect.Value, path string) (fields []textField, empty []string) {
	switch v.Kind() {
	case reflect.String:
		if v.Type() == reflect.TypeOf("") {
			fields = append(fields, textField{path, v})
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return textFields(v.Elem(), path)
		}
		if len(typeTexts(v.Type().Elem())) > 0 {
			empty = append(empty, path)
		}
	case reflect.Slice:
		if v.Len() == 0 && len(typeTexts(v.Type().Elem())) > 0 {
			empty = append(empty, path)
		}
		for i := range v.Len() {
			f, e := textFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			fields, empty = append(fields, f...), append(empty, e...)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() || sf.Tag.Get("mask") == "keep" {
				continue
			}
			f, e := textFields(v.Field(i), path+"."+sf.Name)
			fields, empty = append(fields, f...), append(empty, e...)
		}
	}
	return fields, empty
}

// typeTexts says whether values of t can hold free text at all.
func typeTexts(t reflect.Type) []string {
	switch t.Kind() {
	case reflect.String:
		if t == reflect.TypeOf("") {
			return []string{""}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return typeTexts(t.Elem())
	case reflect.Struct:
		var out []string
		for i := range t.NumField() {
			if sf := t.Field(i); sf.IsExported() && sf.Tag.Get("mask") != "keep" && t != reflect.TypeOf(time.Time{}) {
				out = append(out, typeTexts(sf.Type)...)
			}
		}
		return out
	}
	return nil
}

// richDraft is a draft of the current version with an element in every
// list the type has, so that every text field of the type has a value.
func richDraft(v catalog.ItemVersion) catalog.ItemVersion {
	d := v.Clone()
	d.Status, d.Version, d.PublishedAt, d.ValidTo, d.ContentHash, d.ValidFrom = catalog.StatusDraft, 0, nil, nil, "", time.Time{}
	if len(d.Fee.Items) == 0 {
		d.Fee = catalog.Fee{Charged: true, Items: []catalog.FeeItem{{Name: "工本费", Basis: "物价部门文件", Standard: "每证10元",
			MinFen: 1000, MaxFen: 1000, Per: "每证", Note: "低保户免收"}}}
	}
	for i := range d.Steps {
		d.Steps[i].Risks = append(d.Steps[i].Risks, catalog.RiskPoint{Level: catalog.RiskLow, Description: "超时", Control: "系统提醒"})
		d.Steps[i].Checks = append(d.Steps[i].Checks, catalog.SupervisionPoint{Kind: catalog.CheckTimeLimit, Description: "时限"})
	}
	for i := range d.Materials {
		m := &d.Materials[i]
		m.SourceNote, m.SampleForm, m.BlankForm, m.Note = m.SourceNote+"说明", m.SampleForm+"样表", m.BlankForm+"空白表", m.Note+"须知"
	}
	for i := range d.LegalBases {
		d.LegalBases[i].DocNo += "文号"
	}
	return d
}

// plant puts personal data into every text field of d, each in the first
// form the version still validates with, and fails if a field takes none.
func plant(t *testing.T, d *catalog.ItemVersion) {
	t.Helper()
	fields, empty := textFields(reflect.ValueOf(d).Elem(), "")
	if len(empty) > 0 {
		t.Fatalf("no value to plant into %v: give richDraft an element for each", empty)
	}
	for _, f := range fields {
		orig := f.v.String()
		ok := false
		for _, p := range plantings {
			f.v.SetString(p(orig))
			err := d.Validate()
			var l apperr.List
			if err == nil || (errors.As(err, &l) && !listNames(l, f.path)) {
				ok = true
				break
			}
		}
		if !ok {
			t.Fatalf("%s takes no planted personal data and still validates: %v", f.path, d.Validate())
		}
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("planted draft: %v", err)
	}
	t.Logf("planted personal data in %d text fields", len(fields))
}

// listNames reports whether an error of l is about the field at path
// (".Materials[0].Name" is materials[0].name).
func listNames(l apperr.List, path string) bool {
	want := strings.ToLower(strings.TrimPrefix(path, "."))
	for _, e := range l {
		if strings.ReplaceAll(strings.ToLower(e.Field), "_", "") == want {
			return true
		}
	}
	return false
}

// TestPublic_L7_O4_personalDataMaskedOnEveryPublicSurface plants personal
// data in every free-text field of an item version (found by reflection,
// so a field added later is planted too), publishes it through the
// adjustment procedure, then crawls every public GET route of the wired
// application (the route table, so a new public route is crawled too) in
// both languages, with the paths and queries that reach the item, and the
// public JSON API: none of the planted values shows. Staff pages show the
// text as entered.
func TestPublic_L7_O4_personalDataMaskedOnEveryPublicSurface(t *testing.T) {
	a, srv := demoApp(t)
	ctx := context.Background()
	cat := catdb.New(a.db)
	cat.SetIndexer(catsearch.Hook)
	who := func(name string) access.Principal {
		var id int64
		if err := a.db.QueryRow(ctx, `SELECT id FROM staff WHERE name = ?`, name).Scan(&id); err != nil {
			t.Fatalf("staff %s: %v", name, err)
		}
		p, err := org.NewService(a.db).StaffPrincipal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p.Login, p.AccountID = name, id
		return p
	}
	var district int64
	if err := a.db.QueryRow(ctx, `SELECT id FROM bodies WHERE parent_id IS NULL`).Scan(&district); err != nil {
		t.Fatal(err)
	}
	const code = "0700001000"
	d, err := cat.Item(ctx, district, code)
	if err != nil {
		t.Fatal(err)
	}
	draft := richDraft(d.Current.ItemVersion)
	plant(t, &draft)

	liaison, head, office, reform := who("何静"), who("马骏"), who("周文"), who("孙建国")
	seats, err := cat.ReformSeats(ctx, org.System, reform.StaffID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.SetReformGroups(ctx, org.System, reform.StaffID, seats.Version, []catalog.ReformGroup{catalog.PowerListGroup, catalog.DutyListGroup}); err != nil {
		t.Fatal(err)
	}
	adj, err := cat.CreateAdjustment(ctx, liaison, catdb.AdjustmentInput{Title: "变更", Reason: catalog.LawAmended,
		Bases:   []catalog.BasisDocument{{Title: "青山区调整方案", DocNo: "青办〔2026〕2号", Issued: time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC)}},
		Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: code, Name: draft.Name, Draft: &draft}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		who   access.Principal
		kind  catalog.ActionKind
		group catalog.ReformGroup
	}{{head, catalog.ActSign, ""}, {office, catalog.ActOfficeApprove, ""}, {reform, catalog.ActGroupApprove, catalog.PowerListGroup},
		{reform, catalog.ActGroupApprove, catalog.DutyListGroup}, {office, catalog.ActPublish, ""}} {
		if _, err := cat.Act(ctx, step.who, adj.ID, 0, catalog.Action{Kind: step.kind, Group: step.group, Comment: "同意"}); err != nil {
			t.Fatalf("%s: %v", step.kind, err)
		}
	}
	d, err = cat.Item(ctx, district, code)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Current.Conditions[0], "13812345678") {
		t.Fatal("the planted version is not the current one")
	}
	item := strconv.FormatInt(d.Item.ID, 10)
	seq := "0"
	// A case whose applicant is the planted person, followed by number and
	// query code (the code goes with the number: every crawled query is
	// appended after it).
	applied, err := a.cases.Open(ctx, who("陈晓"), caseworkdb.Application{Item: d.Current.ImplCode,
		Applicant: casework.Applicant{Kind: casework.Person, Name: "王小明", ResidentID: "11010519491231002X", Phone: "13812345678", Address: "北京市朝阳区建国路88号"}}, "")
	if err != nil {
		t.Fatalf("a case of the planted person: %v", err)
	}
	caseQuery := "?code=" + applied.QueryCode + "&x="
	kioskToken, _, err := a.ratings.StartKiosk(ctx, who("陈晓"))
	if err != nil {
		t.Fatal(err)
	}
	// The document its registration issued (the receipt), for the
	// portal's document route (checked again below with the code, as the
	// crawl's number carries the query before the path's rest).
	var receipt int64
	if err := a.db.QueryRow(ctx, `SELECT MIN(id) FROM documents WHERE case_number = ?`, applied.Case.Number).Scan(&receipt); err != nil {
		t.Fatal(err)
	}
	doc := strconv.FormatInt(receipt, 10)
	values := map[string][]string{
		"number": {applied.Case.Number + caseQuery},
		"body":   {strconv.FormatInt(district, 10)}, "item": {item}, "code": {code, d.Current.ImplCode},
		"impl": {d.Current.ImplCode}, "id": {strconv.FormatInt(d.Current.ID, 10)}, "seq": {seq},
		"version": {strconv.Itoa(d.Current.Version), strconv.Itoa(d.Current.Version - 1)},
		"file...": {"app.css"},
		"token":   {kioskToken, "x"}, // a window's rating device (L8); others' tokens answer not-found
		"doc":     {doc},
	}
	// Queries a visitor can make from what the public sees (a page echoes
	// its query, so a planted value asked for is not asked here).
	public := d.Current.ItemVersion.Public()
	queries := []string{"", "?q=" + url.QueryEscape(string([]rune(public.Name)[:2])), "?q=" + code,
		"?body=" + values["body"][0] + "&code=" + code, "?unit=" + url.QueryEscape(public.Unit)}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	crawled := 0
	for _, rt := range a.web.Routes() {
		if !rt.Policy.Public || rt.Method() != http.MethodGet {
			continue
		}
		paths := []string{strings.TrimSuffix(rt.Path(), "{$}")}
		for _, name := range param.FindAllStringSubmatch(rt.Path(), -1) {
			if name[1] == "$" {
				continue
			}
			vs, ok := values[name[1]]
			if !ok {
				t.Fatalf("%s: no value for {%s}: add one to the crawl", rt.Pattern, name[1])
			}
			var next []string
			for _, p := range paths {
				for _, v := range vs {
					next = append(next, strings.Replace(p, "{"+name[1]+"}", v, 1))
				}
			}
			paths = next
		}
		for _, p := range paths {
			for _, q := range queries {
				for _, lang := range web.Langs {
					req, err := http.NewRequest(http.MethodGet, srv.URL+p+q, nil)
					if err != nil {
						t.Fatal(err)
					}
					req.AddCookie(&http.Cookie{Name: web.LangCookie, Value: lang})
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, err := io.ReadAll(res.Body)
					res.Body.Close()
					if err != nil {
						t.Fatal(err)
					}
					crawled++
					for _, s := range secrets {
						if strings.Contains(string(body), s) {
							t.Fatalf("GET %s%s (%s, %d): shows %q", p, q, lang, res.StatusCode, s)
						}
					}
				}
			}
		}
	}
	t.Logf("%d public answers crawled", crawled)
	// The applicant's own document on the portal, with the code: masked (L7).
	for _, lang := range web.Langs {
		st, body := call(t, srv, http.MethodGet, "/portal/cases/"+applied.Case.Number+"/documents/"+doc+"?code="+applied.QueryCode+"&lang="+lang, "", "")
		if st != http.StatusOK || !strings.Contains(body, "收件凭证") {
			t.Fatalf("the planted person's receipt (%s): %d %.300s", lang, st, body)
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Fatalf("the planted person's receipt (%s) shows %q", lang, s)
			}
		}
	}
	// Nor does a search find the item by what masking hides.
	for _, q := range []string{"王小明", "13812345678", "11010519491231002X"} {
		st, body := call(t, srv, http.MethodGet, "/portal/search?q="+url.QueryEscape(q), "", "")
		if st != http.StatusOK || strings.Contains(body, "/portal/items/"+item+`"`) {
			t.Errorf("search %s: %d, finds the item", q, st)
		}
	}
	// The case's public view shows the applicant masked, so the crawl saw it.
	if st, body := call(t, srv, http.MethodGet, "/api/v1/public/cases/"+applied.Case.Number+caseQuery, "", ""); st != http.StatusOK || !strings.Contains(body, "王*") {
		t.Errorf("the planted person's case: %d %.300s", st, body)
	}
	// The item page and the JSON show the masked forms, so the crawl saw
	// the planted item; staff pages show the text as entered.
	for _, want := range []struct{ path, text string }{
		{"/portal/items/" + item, "138****5678"}, {"/portal/items/" + item + "/guide", "王**"},
		{"/api/v1/catalog/bodies/" + values["body"][0] + "/items/" + code, "110105********002X"}} {
		st, body := call(t, srv, http.MethodGet, want.path, "", "")
		if st != http.StatusOK || !strings.Contains(body, want.text) {
			t.Errorf("GET %s: %d, the masked %q not shown", want.path, st, want.text)
		}
	}
	// The proof's leaf carries the content as entered (base64 in the JSON,
	// which the crawl cannot read): it is withheld, its hash given.
	st, body := call(t, srv, http.MethodGet, fmt.Sprintf("/api/v1/catalog/versions/%d/proof", d.Current.ID), "", "")
	var proof catdb.Proof
	if err := json.Unmarshal([]byte(body), &proof); err != nil || st != http.StatusOK {
		t.Fatalf("proof: %d %v", st, err)
	}
	if proof.Leaf != nil || !proof.LeafWithheld || proof.LeafHash == [32]byte{} {
		t.Errorf("proof of a version holding personal data: leaf %d bytes, withheld %v", len(proof.Leaf), proof.LeafWithheld)
	}
	staff := bearer(t, a, "liaison1")
	if st, body := call(t, srv, http.MethodGet, fmt.Sprintf("/api/v1/catalog/adjustments/%d", adj.ID), staff, ""); st != http.StatusOK ||
		!strings.Contains(body, "13812345678") || !strings.Contains(body, "王小明") {
		t.Errorf("staff's adjustment: %d, the text not as entered", st)
	}
}
