package flow

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// wellFormed parses svg as XML and returns its character data.
func wellFormed(t *testing.T, svg []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var text strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tk.Name.Local
				if tk.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace %q", tk.Name.Space)
				}
			}
			if tk.Name.Local == "script" || tk.Name.Local == "foreignObject" {
				t.Errorf("<%s> in the drawing", tk.Name.Local)
			}
		case xml.CharData:
			text.Write(tk)
			text.WriteByte('\n')
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q", root)
	}
	return text.String()
}

func TestSVG_C10_everyStepAndActionIsDrawn(t *testing.T) {
	for _, code := range ShippedCodes {
		f := mustShipped(t, code)
		for _, lang := range []string{"zh", "en"} {
			svg := f.SVG(DrawOptions{Lang: lang})
			text := wellFormed(t, svg)
			for _, s := range f.Steps {
				if !strings.Contains(text, s.Name.In(lang)) {
					t.Errorf("%s/%s: step %s not drawn", code, lang, s.ID)
				}
			}
			for _, o := range f.Outcomes {
				if !strings.Contains(text, o.Name.In(lang)) {
					t.Errorf("%s/%s: outcome %s not drawn", code, lang, o.ID)
				}
			}
			for _, a := range f.Actions {
				if !strings.Contains(text, a.Name.In(lang)) {
					t.Errorf("%s/%s: action %s not drawn", code, lang, a.ID)
				}
			}
			if !bytes.Equal(svg, f.SVG(DrawOptions{Lang: lang})) {
				t.Errorf("%s/%s: two drawings differ", code, lang)
			}
		}
	}
}

var viewBox = regexp.MustCompile(`viewBox="(-?[0-9.]+) 0 ([0-9.]+) ([0-9.]+)"`)

func TestSVG_C10_fitsAnItemPageAndScalesDown(t *testing.T) {
	for _, code := range ShippedCodes {
		svg := mustShipped(t, code).SVG(DrawOptions{Lang: "en"})
		m := viewBox.FindSubmatch(svg)
		if m == nil {
			t.Fatalf("%s: no viewBox", code)
		}
		if w, _ := strconv.ParseFloat(string(m[2]), 64); w > maxWidth {
			t.Errorf("%s: %g px wide", code, w)
		}
		if !bytes.Contains(svg, []byte(`style="max-width:100%;height:auto"`)) {
			t.Errorf("%s: does not scale down", code)
		}
		for _, remote := range []string{"http:", "https:", "//"} {
			if bytes.Contains(bytes.ReplaceAll(svg, []byte(`xmlns="http://www.w3.org/2000/svg"`), nil), []byte(remote)) {
				t.Errorf("%s: refers to %s", code, remote)
			}
		}
	}
}

func TestSVG_L4_specialProceduresAndOutcomesStyledApart(t *testing.T) {
	svg := string(mustShipped(t, "joint").SVG(DrawOptions{}))
	for _, want := range []string{
		`<g class="step special" data-id="expert_review">`,
		`<g class="step parent" data-id="upper_review">`,
		`<g class="step" data-id="received">`,
		`<g class="outcome completed" data-id="completed">`,
		`<g class="outcome refused" data-id="refused">`,
		`stroke-dasharray`,
		`最长20个工作日`, // the special procedure's maximum
		`↻ 批准延期`,   // an action that stays at its step
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("no %s", want)
		}
	}
}

func TestSVG_namesAreEscapedAndRolesNamed(t *testing.T) {
	src := strings.Replace(small, "name: 审查", `name: "审查 <b>&amp;</b> \"复核\""`, 1)
	f := mustParse(t, src)
	svg := f.SVG(DrawOptions{RoleName: func(r string) string { return map[string]string{"window": "窗口人员"}[r] }})
	text := wellFormed(t, svg)
	if !strings.Contains(text, `审查 <b>&amp;</b> "复核"`) {
		t.Errorf("the name did not survive escaping:\n%s", text)
	}
	if !strings.Contains(text, "窗口人员 · 1个工作日") {
		t.Errorf("role not named by RoleName:\n%s", text)
	}
	if strings.Contains(string(svg), "<b>") {
		t.Error("markup from a name reached the drawing")
	}
}

func TestSVG_goldenPromisedFlow(t *testing.T) {
	svg := mustShipped(t, "promised").SVG(DrawOptions{Lang: "zh"})
	golden := "testdata/promised.zh.svg"
	if *update {
		if err := os.WriteFile(golden, svg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestSVG_golden -update)", err)
	}
	if !bytes.Equal(svg, want) {
		t.Errorf("the drawing of the promised flow changed; if on purpose, run go test ./internal/flow -run TestSVG_golden -update and look at %s", golden)
	}
}
