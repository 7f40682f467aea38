package catalog

import (
	"errors"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

func TestValidate_C2_completeItemPasses(t *testing.T) {
	v := validItem()
	if err := v.Validate(); err != nil {
		t.Fatalf("valid item rejected: %v", fields(t, err))
	}
}

func TestValidate_C2_everyBadElementReportedWithItsPath(t *testing.T) {
	v := validItem()
	v.Name = ""
	v.LegalBases[0].Article = ""
	v.Materials[2].Count = 0
	v.Materials[1].SourceNote = ""
	v.Materials[0].Kind = "scan"
	v.Steps[1].Risks[0].Control = ""
	v.Steps[2].Checks[1].Kind = "mood"
	v.Steps[0].Role = "janitor"
	v.Fee.Items[0].Basis = ""
	v.ComplaintPhone = "12345678"
	v.Duties = nil
	v.ImplCode = "X"
	err := v.Validate()
	list, ok := err.(apperr.List)
	if !ok {
		t.Fatalf("want apperr.List, got %T", err)
	}
	for _, f := range []string{"name", "legal_bases[0].article", "materials[2].count", "materials[1].source_note",
		"materials[0].kind", "steps[1].risks[0].control", "steps[2].checks[1].kind", "steps[0].role",
		"fee.items[0].basis", "complaint_phone", "duties", "impl_code"} {
		if !hasField(t, err, f) {
			t.Errorf("no error for %s; got %v", f, fields(t, err))
		}
	}
	for _, e := range list {
		if e.Code != apperr.Invalid {
			t.Errorf("%s: code %s", e.Field, e.Code)
		}
	}
	// The count error names the bad value in both languages.
	for _, e := range list {
		if e.Field == "materials[2].count" && (!strings.Contains(e.Message("zh"), "0") || !strings.Contains(e.Message("en"), "got 0")) {
			t.Errorf("count error does not name the value: %s", e.Error())
		}
	}
}

func TestValidate_C2_promisedLimitNotLongerThanStatutory(t *testing.T) {
	v := validItem()
	v.PromisedLimit = TimeLimit{25, WorkingDays}
	if !hasField(t, v.Validate(), "promised_limit") {
		t.Error("promised 25 > statutory 20 working days accepted")
	}
	// 20 working days can stretch past 20 natural days, never the reverse (L11).
	v = validItem()
	v.StatutoryLimit = &TimeLimit{7, NaturalDays}
	v.PromisedLimit = TimeLimit{5, WorkingDays}
	v.Steps[1].Limit, v.Steps[2].Limit = TimeLimit{4, WorkingDays}, TimeLimit{1, WorkingDays}
	if !hasField(t, v.Validate(), "promised_limit") {
		t.Error("5 working days accepted under a 7-natural-day statutory limit")
	}
	v.PromisedLimit = TimeLimit{5, NaturalDays}
	v.Steps[1].Limit, v.Steps[2].Limit = TimeLimit{4, NaturalDays}, TimeLimit{1, NaturalDays}
	if err := v.Validate(); err != nil {
		t.Errorf("5 natural days under 7 rejected: %v", fields(t, err))
	}
}

func TestValidate_C2_stepsFitInThePromisedLimit(t *testing.T) {
	v := validItem()
	v.Steps[1].Limit.Value = 9 // 0 + 9 + 2 > 10
	if !hasField(t, v.Validate(), "steps") {
		t.Error("steps longer than the promised limit accepted")
	}
}

func TestValidate_C2_instantAndPromisedCases(t *testing.T) {
	v := validItem()
	v.CaseType = Instant
	if !hasField(t, v.Validate(), "promised_limit.value") {
		t.Error("instant item with a 10-day promise accepted")
	}
	v = validItem()
	v.PromisedLimit.Value = 0
	if !hasField(t, v.Validate(), "promised_limit.value") {
		t.Error("promised item without a promise accepted")
	}
}

func TestValidate_C2_feesChargedOrFree(t *testing.T) {
	v := validItem()
	v.Fee.Charged = false
	if !hasField(t, v.Validate(), "fee.charged") {
		t.Error("free item with fee items accepted")
	}
	v = validItem()
	v.Fee.Items = nil
	if !hasField(t, v.Validate(), "fee.items") {
		t.Error("charged item without fee items accepted")
	}
	v = validItem()
	v.Fee.Items[0].MinFen, v.Fee.Items[0].MaxFen = 2000, 1000
	if !hasField(t, v.Validate(), "fee.items[0].max_fen") {
		t.Error("inverted fee range accepted")
	}
}

func TestValidate_C7_riskAndSupervisionPointsChecked(t *testing.T) {
	v := validItem()
	v.Steps[1].Risks[0].Level = "severe"
	v.Steps[1].Checks[0].Description = ""
	err := v.Validate()
	if !hasField(t, err, "steps[1].risks[0].level") || !hasField(t, err, "steps[1].checks[0].description") {
		t.Errorf("bad risk/supervision points accepted: %v", fields(t, err))
	}
	// Enforcement items must let e-supervision check qualification and two
	// investigators (S5).
	p := validItem()
	p.Category, p.BaseCode, p.ImplCode, p.ExOfficio = Penalty, "0200001000", testCredit+"0200001000", true
	p.Fee = Fee{}
	if !hasField(t, p.Validate(), "steps") {
		t.Error("a penalty flow without qualification/two-investigator checks accepted")
	}
	p.Steps[1].Checks = append(p.Steps[1].Checks, SupervisionPoint{CheckQualification, "持证"}, SupervisionPoint{CheckTwoInvestigators, "两人"})
	if err := p.Validate(); err != nil {
		t.Errorf("penalty with the checks rejected: %v", fields(t, err))
	}
	p.ExOfficio = false
	if !hasField(t, p.Validate(), "ex_officio") {
		t.Error("a penalty on application accepted")
	}
}

func TestGuide_C10_showsEveryRequiredElement(t *testing.T) {
	v := validItem()
	g := v.Guide()
	if g.Name != v.Name || g.AcceptingBody == "" || g.AcceptingUnit != v.Unit || len(g.Bases) != 1 ||
		len(g.Conditions) != 2 || len(g.Materials) != 3 || len(g.Steps) != 3 || g.PromisedLimit != "10个工作日" ||
		g.Free || len(g.Fees) != 1 || g.Fees[0].Basis == "" || g.Fees[0].Standard == "" ||
		len(g.SampleForms) != 1 || g.ConsultPhone == "" || g.ComplaintOffice == "" || g.ComplaintPhone == "" ||
		g.Stars != 4 || g.CaseType != "承诺件" {
		t.Errorf("guide incomplete: %+v", g)
	}
	// Without a complaint office or phone the item cannot be valid, so no
	// published guide can lack them.
	v.ComplaintOffice, v.ComplaintPhone = "", ""
	err := v.Validate()
	if !hasField(t, err, "complaint_office") || !hasField(t, err, "complaint_phone") {
		t.Error("item without complaint office/phone accepted")
	}
}

// V2: the implementing body's code is a unified social credit code with
// its check character verified, not only its alphabet; the message names
// the field and the expected character in both languages.
func TestValidate_V2_implementingBodyCreditCodeChecked(t *testing.T) {
	for _, c := range []struct{ code, want string }{
		{"114101990051010620", "expected J"}, // the code of issue #11 item 5
		{"11410199005100019I", "not allowed"},
		{"1141019900510001", "18 characters"},
		{"11410199005100019u", "must be written"}, // valid, but not as stored
	} {
		v := validItem()
		v.Body.CreditCode = c.code
		v.ImplCode = c.code + v.BaseCode
		err := v.Validate()
		var found bool
		for _, e := range listOf(err) {
			if e.Field == "body.credit_code" {
				found = true
				if !strings.Contains(e.Message("en"), c.want) || e.Message("zh") == "" {
					t.Errorf("%s: message %q / %q, want it to say %q", c.code, e.Message("zh"), e.Message("en"), c.want)
				}
			}
		}
		if !found {
			t.Errorf("%s: accepted (%v)", c.code, err)
		}
	}
	v := validItem()
	v.Body.CreditCode = "11410199005101062J"
	v.ImplCode = v.Body.CreditCode + v.BaseCode
	if err := v.Validate(); err != nil {
		t.Fatalf("the corrected code is refused: %v", err)
	}
}

func listOf(err error) apperr.List {
	var list apperr.List
	if err != nil && !errors.As(err, &list) {
		list = apperr.List{apperr.As(err)}
	}
	return list
}

// BenchmarkPublic is the cost of masking a version for a public page (L7):
// every portal render of an item pays it once per version shown.
func BenchmarkPublic(b *testing.B) {
	v := validItem()
	for b.Loop() {
		v.Public()
	}
}
