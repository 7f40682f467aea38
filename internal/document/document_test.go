package document_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/flow"
)

const publicURL = "https://qingdan.example.gov.cn/portal/cases/330102001-2026-000123"

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// aCase is a promised case at the window of 青山镇, registered on
// 2 March 2026, with a person as applicant.
func aCase() casework.Case {
	return casework.Case{
		Number: "330102001-2026-000123",
		Body:   casework.Body{ID: 9, Path: "/1/9/", Code: "330102001", Name: "青山镇人民政府"},
		Item: casework.Item{Code: "11330102MB1234567X4000111100001", Name: "个体工商户设立登记", Kind: casework.Promised,
			Promised: calendar.Budget{N: 10, Unit: calendar.WorkingDays}},
		Unit:       casework.Unit{Code: "scjg", Name: "青山镇市场监管所"},
		Applicant:  casework.Applicant{Kind: casework.Person, Name: "王小明", ResidentID: "110101199003071234", Phone: "13812345678", Address: "青山镇幸福路8号"},
		Received:   []string{"营业执照申请书", "经营场所证明"},
		AcceptedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, shanghai),
		Delivery:   casework.PickUp,
	}
}

var seal = document.Seal{Name: "青山镇人民政府", Title: document.SealTitle}

// issued is one document rendered both ways and read back.
type issued struct {
	r    *document.Rendered
	page string
	pdf  *document.PDF
	text string // the PDF's text, as a reader extracts it
}

// issue renders d of kind in lang and checks what every document must
// show: its number in the page and in the PDF's text, a QR code that
// decodes to the case's public page in both, and the seal in both where
// the kind needs it (H4, H8).
func issue(t *testing.T, kind casework.DocumentKind, lang string, d document.Data, public bool) issued {
	t.Helper()
	tp, err := document.Default(kind, lang)
	if err != nil {
		t.Fatal(err)
	}
	r, err := document.Render(document.Input{Template: tp, Data: d, Seal: &seal, Public: public})
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	page := string(r.HTML(""))
	pdf, err := r.PDF()
	if err != nil {
		t.Fatal(err)
	}
	f := readPDF(t, pdf.Bytes)
	out := issued{r: r, page: page, pdf: pdf, text: f.text(t)}
	flat := strings.ReplaceAll(out.text, "\n", "")
	if !strings.Contains(page, d.Number) || !strings.Contains(flat, d.Number) {
		t.Errorf("%s: number %s missing (PDF text %q)", kind, d.Number, out.text)
	}
	if got := svgQRPayload(t, page); got != d.PublicURL {
		t.Errorf("%s: the page's QR code says %q, want %q", kind, got, d.PublicURL)
	}
	if got := f.qrPayload(t); got != d.PublicURL {
		t.Errorf("%s: the PDF's QR code says %q, want %q", kind, got, d.PublicURL)
	}
	spec, _ := document.SpecOf("kind", kind)
	sealedPage := strings.Contains(page, `class="seal-image"`) && strings.Contains(page, "<title>青山镇人民政府行政审批专用章</title>")
	sealedPDF := strings.Contains(out.text, "行\n政\n审\n批\n专\n用\n章\n")
	if spec.Sealed && (!sealedPage || !sealedPDF) {
		t.Errorf("%s: seal missing (page %v, PDF %v)", kind, sealedPage, sealedPDF)
	}
	if !spec.Sealed && (sealedPage || sealedPDF) {
		t.Errorf("%s: an internal form bears the seal", kind)
	}
	return out
}

func dataFor(t *testing.T, c casework.Case, d casework.Document, seq int64) document.Data {
	t.Helper()
	spec, err := document.SpecOf("kind", d.Kind)
	if err != nil {
		t.Fatal(err)
	}
	n, err := document.NumberFor("青山", spec, d.Date, seq)
	if err != nil {
		t.Fatal(err)
	}
	return document.FromCase(c, d, n, document.Context{PublicURL: publicURL, Officer: "李四", Location: shanghai})
}

func has(t *testing.T, what string, text string, want ...string) {
	t.Helper()
	flat := strings.ReplaceAll(text, "\n", "")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func TestDocument_H2_L2_acceptanceNoticeIsSealedAndDated(t *testing.T) {
	d := dataFor(t, aCase(), casework.Document{Kind: casework.AcceptanceNotice, Date: calendar.DateOf(2026, 3, 2), Materials: aCase().Received}, 1)
	got := issue(t, casework.AcceptanceNotice, "zh", d, false)
	has(t, "acceptance notice", got.text, "受理通知书", "青山审受〔2026〕0001号", "王小明", "个体工商户设立登记", "2026年3月2日予以受理", "营业执照申请书", "经营场所证明")
}

func TestDocument_H3_supplementNoticeListsEveryMissingMaterial(t *testing.T) {
	missing := []string{"营业执照申请书", "经营场所证明", "法定代表人身份证明", "房屋租赁合同"}
	d := dataFor(t, aCase(), casework.Document{Kind: casework.SupplementNotice, Date: calendar.DateOf(2026, 3, 2), Materials: missing}, 7)
	got := issue(t, casework.SupplementNotice, "zh", d, false)
	has(t, "one-time notice", got.text, append([]string{"一次性告知书", "青山审补〔2026〕0007号", "一次性告知"}, missing...)...)
	for i := range missing {
		has(t, "one-time notice", got.text, string(rune('1'+i))+". "+missing[i])
	}
	d.Materials = nil
	tp, _ := document.Default(casework.SupplementNotice, "zh")
	_, err := document.Render(document.Input{Template: tp, Data: d, Seal: &seal})
	if e := apperr.As(err); e == nil || e.Field != "Materials" {
		t.Errorf("a one-time notice listing nothing: %v, want an error on Materials", err)
	}
}

func TestDocument_H3_refusalStatesReasonsBasisAndRemedies(t *testing.T) {
	d := dataFor(t, aCase(), casework.Document{Kind: casework.RefusalDecision, Date: calendar.DateOf(2026, 3, 3),
		Reason: "申请事项不属于本机关职权范围", Basis: "《中华人民共和国行政许可法》第三十二条第一款第（二）项"}, 2)
	got := issue(t, casework.RefusalDecision, "zh", d, false)
	has(t, "refusal", got.text, "不予受理决定书", "理由：申请事项不属于本机关职权范围", "依据：《中华人民共和国行政许可法》", "行政复议", "行政诉讼", "2026年3月3日")
	for _, field := range []string{"Reason", "Basis"} {
		bad := d
		if field == "Reason" {
			bad.Reason = "  "
		} else {
			bad.Basis = ""
		}
		tp, _ := document.Default(casework.RefusalDecision, "zh")
		_, err := document.Render(document.Input{Template: tp, Data: bad, Seal: &seal})
		if e := apperr.As(err); e == nil || e.Field != field || e.Message("zh") == "" || e.Message("en") == "" {
			t.Errorf("a refusal without %s: %v", field, err)
		}
	}
}

func TestDocument_H5_promiseNoticeHandOverAndHandBack(t *testing.T) {
	c := aCase()
	pn := dataFor(t, c, casework.Document{Kind: casework.PromiseNotice, Date: calendar.DateOf(2026, 3, 2),
		Limit: calendar.Budget{N: 10, Unit: calendar.WorkingDays}, Due: calendar.DateOf(2026, 3, 16)}, 3)
	has(t, "promise notice", issue(t, casework.PromiseNotice, "zh", pn, false).text, "承诺件通知单", "10个工作日", "2026年3月16日前办结")

	ho := dataFor(t, c, casework.Document{Kind: casework.HandOverForm, Date: calendar.DateOf(2026, 3, 2), Unit: &c.Unit}, 4)
	got := issue(t, casework.HandOverForm, "zh", ho, false)
	has(t, "hand-over form", got.text, "移交交接单", "青山镇市场监管所", "1. 营业执照申请书", "2. 经营场所证明", "李四", "接收人签字")

	c.Decision = &casework.Decision{Outcome: "approved", Opinion: "符合设立条件"}
	hb := dataFor(t, c, casework.Document{Kind: casework.HandBackForm, Date: calendar.DateOf(2026, 3, 10), Unit: &c.Unit}, 5)
	has(t, "hand-back form", issue(t, casework.HandBackForm, "zh", hb, false).text, "交回交接单", "准予许可", "符合设立条件")

	// The forms stay between the window and the unit: no seal needed.
	for _, k := range []casework.DocumentKind{casework.HandOverForm, casework.HandBackForm} {
		tp, _ := document.Default(k, "zh")
		d := ho
		if k == casework.HandBackForm {
			d = hb
		}
		if _, err := document.Render(document.Input{Template: tp, Data: d}); err != nil {
			t.Errorf("%s without a seal: %v", k, err)
		}
	}
}

func TestDocument_L4_specialNoticeTellsTheTimeIsNotCounted(t *testing.T) {
	d := dataFor(t, aCase(), casework.Document{Kind: casework.SpecialNotice, Date: calendar.DateOf(2026, 3, 4),
		Special: flow.SiteSurvey, Reason: "需核实经营场所", Limit: calendar.Budget{N: 5, Unit: calendar.WorkingDays}}, 1)
	got := issue(t, casework.SpecialNotice, "zh", d, false)
	has(t, "special notice", got.text, "特别程序告知书", "现场勘察", "5个工作日", "不计算在办理期限内", "书面告知", "需核实经营场所")
}

func TestDocument_L3_extensionNoticeGivesReasonAndNewDue(t *testing.T) {
	d := dataFor(t, aCase(), casework.Document{Kind: casework.ExtensionNotice, Date: calendar.DateOf(2026, 3, 12),
		Reason: "需征求相关部门意见", Limit: calendar.Budget{N: 10, Unit: calendar.WorkingDays}, Due: calendar.DateOf(2026, 3, 30)}, 1)
	got := issue(t, casework.ExtensionNotice, "zh", d, false)
	has(t, "extension notice", got.text, "延期告知书", "需征求相关部门意见", "延长10个工作日", "2026年3月30日前办结", "本机关负责人批准")
}

func TestDocument_H7_completionCertificateBearsTheCompletionDay(t *testing.T) {
	c := aCase()
	c.Completion = &casework.Completion{On: calendar.DateOf(2026, 3, 13), Outcome: "approved", Certificate: "330102600123456"}
	// Printed two days later, it still bears the completion day.
	d := dataFor(t, c, casework.Document{Kind: casework.CompletionVoucher, Date: calendar.DateOf(2026, 3, 13)}, 12)
	d.Date = ""
	d = document.FromCase(c, casework.Document{Kind: casework.CompletionVoucher, Date: calendar.DateOf(2026, 3, 15)},
		document.Number{Prefix: "青山", Word: "结", Year: 2026, Seq: 12}, document.Context{PublicURL: publicURL, Officer: "李四"})
	if d.Date != "2026年3月13日" {
		t.Fatalf("date %q, want the completion day", d.Date)
	}
	got := issue(t, casework.CompletionVoucher, "zh", d, false)
	has(t, "completion certificate", got.text, "办结凭证", "青山审结〔2026〕0012号", "准予许可", "330102600123456", "窗口领取", "2026年3月13日")
	if strings.Contains(got.text, "2026年3月15日") {
		t.Error("the certificate bears the printing day")
	}
}

func TestDocument_H8_sealedKindsRefuseToRenderWithoutTheSeal(t *testing.T) {
	for _, spec := range document.Specs {
		tp, err := document.Default(spec.Kind, "zh")
		if err != nil {
			t.Fatal(err)
		}
		_, err = document.Render(document.Input{Template: tp, Data: document.Sample(spec.Kind, "zh")})
		e := apperr.As(err)
		switch {
		case spec.Sealed && (e == nil || e.Code != apperr.Invalid || e.Field != "seal" || !strings.Contains(e.Message("zh"), "行政审批专用章")):
			t.Errorf("%s without the seal: %v", spec.Kind, err)
		case !spec.Sealed && err != nil:
			t.Errorf("%s needs no seal: %v", spec.Kind, err)
		}
	}
	// H4: every notice the applicant receives is sealed.
	for _, k := range []casework.DocumentKind{casework.AcceptanceNotice, casework.SupplementNotice, casework.RefusalDecision, casework.CompletionVoucher} {
		if s, _ := document.SpecOf("kind", k); !s.Sealed {
			t.Errorf("%s is not sealed", k)
		}
	}
}

func TestDocument_H8_aSealInsideAConditionIsRefusedWhenNotPrinted(t *testing.T) {
	src := `<h1>{{.Body}}</h1><p>{{.Number}} {{.Date}} {{.Applicant}} {{.Item}} {{.AcceptedOn}}</p>{{qr}}{{if .Opinion}}{{seal}}{{end}}`
	tp, err := document.ParseTemplate(casework.AcceptanceNotice, "zh", src)
	if err != nil {
		t.Fatal(err)
	}
	d := document.Sample(casework.AcceptanceNotice, "zh")
	d.Opinion = ""
	_, err = document.Render(document.Input{Template: tp, Data: d, Seal: &seal})
	if e := apperr.As(err); e == nil || e.Field != "template" || !strings.Contains(e.Message("en"), "seal") {
		t.Errorf("a seal hidden by a condition: %v", err)
	}
}

func TestDocument_L7_publicCopyMasksPersonalData(t *testing.T) {
	c := aCase()
	d := dataFor(t, c, casework.Document{Kind: casework.RefusalDecision, Date: calendar.DateOf(2026, 3, 3),
		Reason: "联系电话13812345678无法接通，住址：青山镇幸福路8号，无人应答", Basis: "《中华人民共和国行政许可法》第三十二条"}, 2)
	d.ApplicantID = c.Applicant.ResidentID
	own := issue(t, casework.RefusalDecision, "zh", d, false)
	has(t, "the applicant's copy", own.text, "王小明", "13812345678")
	pub := issue(t, casework.RefusalDecision, "zh", d, true)
	for _, secret := range []string{"王小明", "小明", "13812345678", "110101199003071234", "幸福路8号", "李四"} {
		if strings.Contains(strings.ReplaceAll(pub.text, "\n", ""), secret) || strings.Contains(pub.page, secret) {
			t.Errorf("the public copy shows %q", secret)
		}
	}
	has(t, "the public copy", pub.text, "王**", "138****5678", "经办人：李*", "青山审不〔2026〕0002号", "330102001-2026-000123")
	if pub.r.Data.Number != d.Number || pub.r.Data.PublicURL != d.PublicURL {
		t.Error("masking touched the number or the URL")
	}
	// An organisation's credit code is no personal data.
	org := d
	org.Person, org.Applicant, org.ApplicantID = false, "青山建材有限公司", "91330102MA2H2X7Y6B"
	if p := org.Public(); p.Applicant != org.Applicant || p.ApplicantID != org.ApplicantID {
		t.Errorf("an organisation masked: %+v", p)
	}
}

func TestDocument_H4_aCorrectionPrintsTheNumberItReplaces(t *testing.T) {
	d := document.Sample(casework.AcceptanceNotice, "zh")
	d.Number, d.Replaces, d.Correction = "青山审受〔2026〕0009号", "青山审受〔2026〕0001号", "申请人姓名有误"
	got := issue(t, casework.AcceptanceNotice, "zh", d, false)
	has(t, "correction", got.text, "本文书更正并取代青山审受〔2026〕0001号", "申请人姓名有误")
	tp, _ := document.Default(casework.AcceptanceNotice, "zh")
	for field, mutate := range map[string]func(*document.Data){
		"Correction": func(d *document.Data) { d.Correction = "" },
		"Replaces":   func(d *document.Data) { d.Replaces = d.Number },
		"Number":     func(d *document.Data) { d.Number = "青山审补〔2026〕0009号" },
		"PublicURL":  func(d *document.Data) { d.PublicURL = "/portal/cases/1" },
	} {
		bad := d
		mutate(&bad)
		_, err := document.Render(document.Input{Template: tp, Data: bad, Seal: &seal})
		if e := apperr.As(err); e == nil || e.Field != field {
			t.Errorf("bad %s: %v", field, err)
		}
	}
}

func TestDocument_englishForAnEnglishSpeakingApplicant(t *testing.T) {
	for _, spec := range document.Specs {
		got := issue(t, spec.Kind, "en", document.Sample(spec.Kind, "en"), false)
		has(t, string(spec.Kind), got.text, spec.En)
		if !strings.Contains(got.page, `<html lang="en">`) {
			t.Errorf("%s: page not marked English", spec.Kind)
		}
	}
}

func TestDocument_charactersOutsideTheFontAreReported(t *testing.T) {
	d := document.Sample(casework.AcceptanceNotice, "zh")
	d.Applicant = "王䶮" // U+4DAE, outside GB2312
	got := issue(t, casework.AcceptanceNotice, "zh", d, false)
	if string(got.pdf.Missing) != "䶮" {
		t.Errorf("missing %q, want 䶮", string(got.pdf.Missing))
	}
}

func TestPDF_sameDocumentSameBytes(t *testing.T) {
	d := document.Sample(casework.CompletionVoucher, "zh")
	a := issue(t, casework.CompletionVoucher, "zh", d, false)
	b := issue(t, casework.CompletionVoucher, "zh", d, false)
	if string(a.pdf.Bytes) != string(b.pdf.Bytes) {
		t.Error("two renderings of one document differ")
	}
}

func TestPDF_longNoticeRunsOntoMorePages(t *testing.T) {
	d := document.Sample(casework.SupplementNotice, "zh")
	d.Materials = nil
	for i := range 60 {
		d.Materials = append(d.Materials, "补充材料第"+strings.Repeat("甲", i%7+1)+"份（原件及复印件各一份，须加盖单位公章并由法定代表人签字确认）")
	}
	got := issue(t, casework.SupplementNotice, "zh", d, false)
	if got.pdf.Pages < 2 {
		t.Errorf("%d pages for 60 materials", got.pdf.Pages)
	}
	has(t, "long notice", got.text, "60. 补充材料第", "行政审批专用章")
}

// TestPDF_popplerReadsIt: the reader that most Linux viewers share
// extracts the Chinese text too (when pdftotext is installed).
func TestPDF_popplerReadsIt(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("no pdftotext (poppler-utils)")
	}
	got := issue(t, casework.CompletionVoucher, "zh", document.Sample(casework.CompletionVoucher, "zh"), false)
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, got.pdf.Bytes, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	has(t, "pdftotext", string(out), "办结凭证", "青山审结〔2026〕0001号", "个体工商户设立登记", "准予许可")
	if strings.Contains(string(out), "Syntax Error") {
		t.Errorf("poppler complains: %s", out)
	}
}

func TestPage_H7_A4WithAPrintStylesheet(t *testing.T) {
	got := issue(t, casework.CompletionVoucher, "zh", document.Sample(casework.CompletionVoucher, "zh"), false)
	for _, want := range []string{"@page { size: A4", "@media print", `<html lang="zh-CN">`, "<title>办结凭证 青山审结〔2026〕0001号</title>", `name="viewport"`} {
		if !strings.Contains(got.page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	linked := string(got.r.HTML("/static/document.css"))
	if strings.Contains(linked, "<style>") || !strings.Contains(linked, `<link rel="stylesheet" href="/static/document.css">`) {
		t.Error("with a stylesheet URL the page must link it, not inline it (CSP style-src 'self')")
	}
	if strings.Contains(got.page, "style=") || strings.Contains(got.page, "<script") {
		t.Error("inline style attribute or script in the page")
	}
}

func TestSeal_H8_drawnFromTheBodysName(t *testing.T) {
	s, err := document.NewSeal(" 万宝河镇人民政府 ")
	if err != nil {
		t.Fatal(err)
	}
	svg := s.SVG()
	for _, r := range "万宝河镇人民政府行政审批专用章" {
		if !strings.Contains(svg, ">"+string(r)+"</text>") {
			t.Errorf("seal lacks %c", r)
		}
	}
	if !strings.Contains(svg, "<circle") || !strings.Contains(svg, "<polygon") {
		t.Error("seal lacks its ring or star")
	}
	for _, bad := range []string{"", "镇", "青山 镇", strings.Repeat("长", 25), "a\x00b"} {
		if _, err := document.NewSeal(bad); apperr.As(err) == nil || apperr.As(err).Field != "seal" {
			t.Errorf("NewSeal(%q): %v", bad, err)
		}
	}
	// A name with markup is text in the picture, never markup.
	s2, err := document.NewSeal("<b>镇&</b>")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s2.SVG(), "<b>") {
		t.Error("the seal's SVG carries the name unescaped")
	}
}

func TestRender_unknownKind(t *testing.T) {
	_, err := document.SpecOf("kind", casework.DecisionDocument)
	var e *apperr.Error
	if !errors.As(err, &e) || e.Field != "kind" {
		t.Errorf("SpecOf(decision): %v", err)
	}
}

func TestDocument_L2_applicationReceiptIsDatedOnTheDayMaterialsArrive(t *testing.T) {
	c := aCase()
	d := dataFor(t, c, casework.Document{Kind: casework.ApplicationReceipt, Date: calendar.DateOf(2026, 3, 2), Materials: c.Received}, 1)
	got := issue(t, casework.ApplicationReceipt, "zh", d, false)
	has(t, "receipt", got.text, "收件凭证", "青山审收〔2026〕0001号", "2026年3月2日收到", "1. 营业执照申请书", "五个工作日内一次性告知", "即为受理")
	d.Materials = nil
	has(t, "receipt without materials", issue(t, casework.ApplicationReceipt, "zh", d, false).text, "未收取申请材料")
}

func TestDocument_withdrawalIsConfirmedInWriting(t *testing.T) {
	d := dataFor(t, aCase(), casework.Document{Kind: casework.WithdrawalReceipt, Date: calendar.DateOf(2026, 3, 6), Reason: "不再经营"}, 1)
	has(t, "withdrawal", issue(t, casework.WithdrawalReceipt, "zh", d, false).text, "撤回确认书", "青山审撤〔2026〕0001号", "2026年3月6日撤回申请", "理由：不再经营")
}
