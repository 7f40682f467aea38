package document_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
)

func TestTemplate_H4_everyShippedTemplateParsesAndPreviews(t *testing.T) {
	for _, spec := range document.Specs {
		for _, lang := range []string{"zh", "en"} {
			tp, err := document.Default(spec.Kind, lang)
			if err != nil {
				t.Fatalf("%s.%s: %v", spec.Kind, lang, err)
			}
			r, err := document.Preview(tp)
			if err != nil {
				t.Fatalf("%s.%s preview: %v", spec.Kind, lang, err)
			}
			if !strings.Contains(r.Body(), "青山") || (spec.Sealed && r.Seal == nil) {
				t.Errorf("%s.%s preview incomplete", spec.Kind, lang)
			}
		}
	}
}

// minimal is a valid acceptance notice template, line by line.
var minimal = []string{
	`<h1>{{.Body}}</h1>`,
	`<p class="center">{{.Number}}</p>`,
	`<p>{{.Applicant}}：{{.Item}}，{{.AcceptedOn}}</p>`,
	`{{qr}}`,
	`<div class="sign">{{.Date}}{{seal}}</div>`,
}

func withLine(i int, s string) string {
	l := append([]string(nil), minimal...)
	l[i] = s
	return strings.Join(l, "\n")
}

func TestTemplate_badTemplatesAreRefusedNamingLineAndField(t *testing.T) {
	if _, err := document.ParseTemplate(casework.AcceptanceNotice, "zh", strings.Join(minimal, "\n")); err != nil {
		t.Fatalf("the minimal template: %v", err)
	}
	for _, tc := range []struct {
		name, src string
		line      int    // 0: the message names no line
		says      string // in the English message
	}{
		{"unknown field", withLine(2, `<p>{{.Applicant}} {{.Item}} {{.AcceptedOn}} {{.Nmae}}</p>`), 3, "unknown field .Nmae"},
		{"syntax", withLine(2, `<p>{{.Applicant}} {{.Item}} {{.AcceptedOn}</p>`), 3, "syntax"},
		{"unknown function", withLine(3, `{{qr}}{{stamp}}`), 4, "syntax"},
		{"number missing", withLine(1, `<p class="center">No.</p>`), 0, "{{.Number}}"},
		{"seal missing", withLine(4, `<div class="sign">{{.Date}}</div>`), 0, "{{seal}}"},
		{"qr missing", withLine(3, ``), 0, "{{qr}}"},
		{"date missing", withLine(4, `<div class="sign">{{seal}}</div>`), 0, "{{.Date}}"},
		{"script", withLine(3, `{{qr}}<script>alert(1)</script>`), 4, "<script>"},
		{"attribute", withLine(0, `<h1 onclick="x()">{{.Body}}</h1>`), 1, "onclick"},
		{"class", withLine(0, `<h1 class="seal">{{.Body}}</h1>`), 1, `class "seal"`},
		{"action in a tag", withLine(0, `<h1 class="{{.Body}}">x</h1>`), 1, "tag"},
		{"stray >", withLine(0, `<h1>{{.Body}} > 3</h1>`), 1, "&gt;"},
		{"define", strings.Join(minimal, "\n") + "\n{{define \"x\"}}y{{end}}", 0, "sub-templates"},
		{"with", withLine(2, `<p>{{with .Applicant}}{{.}}{{end}} {{.Item}} {{.AcceptedOn}}</p>`), 3, "unsupported"},
		{"pipeline", withLine(2, `<p>{{.Applicant | qr}} {{.Item}} {{.AcceptedOn}}</p>`), 3, "one field"},
		{"other function", withLine(2, `<p>{{printf "%s" .Applicant}} {{.Item}} {{.AcceptedOn}}</p>`), 3, "not defined"},
		{"list as value", withLine(2, `<p>{{.Applicant}} {{.Item}} {{.AcceptedOn}} {{.Materials}}</p>`), 3, "is a list"},
		{"range over text", withLine(2, `<p>{{.Applicant}} {{.Item}} {{.AcceptedOn}} {{range .Reason}}x{{end}}</p>`), 3, "list field"},
		{"dot outside range", withLine(2, `<p>{{.Applicant}} {{.Item}} {{.AcceptedOn}} {{.}}</p>`), 3, "inside {{range}}"},
		{"field inside range", withLine(2, `<p>{{.Applicant}} {{.Item}} {{.AcceptedOn}}</p><ol>{{range .Materials}}<li>{{.Item}}</li>{{end}}</ol>`), 3, "$.Item"},
		{"variable", withLine(2, `<p>{{.Applicant}} {{.Item}} {{.AcceptedOn}} {{$x := 1}}</p>`), 3, ""},
		{"function tested", withLine(3, `{{qr}}{{if seal}}x{{end}}`), 4, "cannot be tested"},
		{"seal in range", withLine(3, `{{qr}}{{range .Materials}}{{seal}}{{end}}`), 4, "printed once"},
		{"character outside the font", withLine(2, `<p>{{.Applicant}} {{.Item}} {{.AcceptedOn}} 䶮</p>`), 3, "U+4DAE"},
		{"comment", withLine(2, `<!-- x --><p>{{.Applicant}} {{.Item}} {{.AcceptedOn}}</p>`), 3, "comments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := document.ParseTemplate(casework.AcceptanceNotice, "zh", tc.src)
			list, ok := err.(apperr.List)
			if !ok || len(list) == 0 {
				t.Fatalf("got %v, want a list of errors", err)
			}
			e := list[0]
			if e.Code != apperr.Invalid || e.Field != "template" || e.Message("zh") == "" || e.Message("en") == "" {
				t.Errorf("error %+v", e)
			}
			if tc.line > 0 && (!strings.HasPrefix(e.Message("en"), "line "+itoa(tc.line)+":") || !strings.HasPrefix(e.Message("zh"), "第 "+itoa(tc.line)+" 行")) {
				t.Errorf("error %q / %q does not name line %d", e.Message("zh"), e.Message("en"), tc.line)
			}
			if !strings.Contains(e.Message("en"), tc.says) {
				t.Errorf("error %q does not say %q", e.Message("en"), tc.says)
			}
		})
	}
	for name, tc := range map[string]struct{ kind, lang, src, field string }{
		"unknown kind": {"decision", "zh", strings.Join(minimal, "\n"), "kind"},
		"language":     {"acceptance_notice", "fr", strings.Join(minimal, "\n"), "lang"},
		"NUL":          {"acceptance_notice", "zh", strings.Join(minimal, "\n") + "\x00", "template"},
		"too long":     {"acceptance_notice", "zh", strings.Join(minimal, "\n") + strings.Repeat("字", document.MaxTemplate/3+1), "template"},
	} {
		_, err := document.ParseTemplate(casework.DocumentKind(tc.kind), tc.lang, tc.src)
		if e := apperr.As(err); e == nil || e.Field != tc.field {
			if l, ok := err.(apperr.List); !ok || l[0].Field != tc.field {
				t.Errorf("%s: %v, want an error on %s", name, err, tc.field)
			}
		}
	}
}

func TestTemplate_H3_refusalTemplateMustStateReasonsBasisAndRemedies(t *testing.T) {
	tp, err := document.Default(casework.RefusalDecision, "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"Reason", "Basis", "Remedies"} {
		src := strings.ReplaceAll(tp.Source, "{{."+field+"}}", "")
		_, err := document.ParseTemplate(casework.RefusalDecision, "zh", src)
		if err == nil || !strings.Contains(err.(apperr.List)[0].Message("en"), "{{."+field+"}}") {
			t.Errorf("a refusal template without %s: %v", field, err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// FuzzParseTemplate: whatever an administrator types, the parser answers
// with a template or field-named errors, never a panic; and a template it
// accepts renders its preview as a page and a PDF.
func FuzzParseTemplate(f *testing.F) {
	for _, spec := range document.Specs {
		tp, err := document.Default(spec.Kind, "zh")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(kindIndex(spec.Kind)), tp.Source)
	}
	f.Add(uint8(0), strings.Join(minimal, "\n"))
	f.Add(uint8(0), "{{if .Materials}}{{range .Materials}}{{$.Item}}{{.}}{{else}}x{{end}}{{end}}")
	f.Add(uint8(0), "<table><tr><td>{{.Number}}<br><strong>{{.Date}}</strong></td></tr></table>{{qr}}<div class=\"sign\">{{seal}}</div>")
	f.Fuzz(func(t *testing.T, k uint8, src string) {
		kind := document.Specs[int(k)%len(document.Specs)].Kind
		tp, err := document.ParseTemplate(kind, "zh", src)
		if err != nil {
			if l, ok := err.(apperr.List); ok {
				for _, e := range l {
					if e.Field == "" || e.Message("zh") == "" || e.Message("en") == "" {
						t.Fatalf("error without field or message: %+v", e)
					}
				}
			} else if e := apperr.As(err); e == nil || e.Field == "" {
				t.Fatalf("not a field error: %v", err)
			}
			return
		}
		r, err := document.Preview(tp)
		if err != nil {
			if e := apperr.As(err); e == nil || e.Field != "template" {
				t.Fatalf("preview of an accepted template: %v", err)
			}
			return
		}
		if _, err := r.PDF(); err != nil {
			t.Fatalf("PDF of an accepted template: %v", err)
		}
	})
}

func kindIndex(k casework.DocumentKind) int {
	for i, s := range document.Specs {
		if s.Kind == k {
			return i
		}
	}
	return 0
}
