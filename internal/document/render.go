package document

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/url"
	"reflect"
	"strings"
	"sync"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// Input is what one document is rendered from.
type Input struct {
	Template *Template
	Data     Data
	// Seal is the body's approval seal; nil when none is configured, and
	// then a kind that needs it refuses to render (H8).
	Seal *Seal
	// Public: the document is for the public (the portal, a disclosure),
	// so its personal data is masked (L7). The applicant's own copy is not.
	Public bool
}

// Rendered is a document ready to print: its HTML fragment and what the
// page and the PDF draw.
type Rendered struct {
	Spec     Spec
	Lang     string
	Data     Data // as printed: masked when Public
	Fragment string
	Seal     *Seal
}

// maxQRPayload is the most bytes a QR code at the level documents use
// (Medium, version 40, byte mode) holds.
const maxQRPayload = 2331

// QR is the document's QR code: its modules, quiet zone included. It is
// drawn when the page or the PDF is, not when the document is issued:
// encoding it is most of a render's cost, and the issuing write runs on
// the store's one committer.
func (r *Rendered) QR() [][]bool {
	bm, err := qrBitmap(r.Data.PublicURL)
	if err != nil {
		// Render checked the payload's length, the encoder's one refusal.
		panic("document: QR code of a rendered document: " + err.Error())
	}
	return bm
}

// Render checks in and renders it. Nothing is rendered without the
// document's number, date and public URL, the fields its kind requires,
// and the seal where the kind needs one.
func Render(in Input) (*Rendered, error) {
	if in.Template == nil {
		return nil, fmt.Errorf("document: no template")
	}
	spec, err := SpecOf("kind", in.Template.Kind)
	if err != nil {
		return nil, err
	}
	d := in.Data
	if err := check(spec, d); err != nil {
		return nil, err
	}
	if spec.Sealed && in.Seal == nil {
		return nil, apperr.Invalidf("seal", "document.a_bears_the_approval_seal_and", msg.Both{Zh: spec.Zh, En: spec.En})
	}
	if in.Public {
		d = d.Public()
	}
	frag, err := in.Template.execute(d)
	if err != nil {
		return nil, fmt.Errorf("document: %s: %w", spec.Kind, err)
	}
	// What a template must have printed: an {{if}} cannot hide them.
	switch {
	case spec.Sealed && !strings.Contains(frag, sealMarker):
		return nil, apperr.Invalidf("template", "document.the_template_printed_no_seal_seal")
	case !strings.Contains(frag, qrMarker):
		return nil, apperr.Invalidf("template", "document.the_template_printed_no_qr_code")
	case !strings.Contains(frag, template.HTMLEscapeString(d.Number)):
		return nil, apperr.Invalidf("template", "document.the_template_printed_no_number_number")
	}
	if d.Replaces != "" {
		frag = correctionNote(d, in.Template.Lang) + frag
	}
	if len(d.PublicURL) > maxQRPayload {
		return nil, apperr.Invalidf("public_url", "document.the_public_url_is_too_long_for", maxQRPayload)
	}
	r := &Rendered{Spec: spec, Lang: in.Template.Lang, Data: d, Fragment: frag}
	if spec.Sealed || strings.Contains(frag, sealMarker) {
		if in.Seal == nil {
			return nil, apperr.Invalidf("seal", "document.this_body_has_no_approval_seal")
		}
		s := *in.Seal
		r.Seal = &s
	}
	return r, nil
}

// check refuses data a document cannot be issued with, naming the field.
func check(spec Spec, d Data) error {
	n, err := ParseNumber("Number", d.Number)
	if err != nil {
		return err
	}
	if n.Word != spec.Word {
		return apperr.Invalidf("Number", "document.number_is_not_one_of_a", d.Number, msg.Both{Zh: spec.Zh, En: spec.En}, spec.Word)
	}
	if d.Replaces != "" {
		if _, err := ParseNumber("Replaces", d.Replaces); err != nil {
			return err
		}
		if d.Replaces == d.Number {
			return apperr.Invalidf("Replaces", "document.a_document_cannot_replace_itself")
		}
		if blank(d.Correction) {
			return apperr.Invalidf("Correction", "document.a_correction_states_its_reason")
		}
	}
	u, err := url.Parse(d.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return apperr.Invalidf("PublicURL", "document.the_case_s_public_page_is")
	}
	for _, f := range spec.Required() {
		if _, ok := fieldKinds[f]; !ok {
			continue // seal, qr
		}
		v := (&d).value(f)
		if (v.Kind() == reflect.String && blank(v.String())) || (v.Kind() != reflect.String && v.Len() == 0) {
			return apperr.Invalidf(f, "document.a_needs", msg.Both{Zh: spec.Zh, En: spec.En}, f)
		}
	}
	return nil
}

// correctionNote heads a correction: the document it replaces and why.
func correctionNote(d Data, lang string) string {
	if lang == "en" {
		return fmt.Sprintf(`<p class="note">This document corrects and replaces No. %s. Reason: %s</p>`,
			template.HTMLEscapeString(d.Replaces), template.HTMLEscapeString(d.Correction))
	}
	return fmt.Sprintf(`<p class="note">本文书更正并取代%s。更正理由：%s</p>`,
		template.HTMLEscapeString(d.Replaces), template.HTMLEscapeString(d.Correction))
}

//go:embed document.css
var Stylesheet []byte

// HTML is the document as a whole A4 page. stylesheet is the URL the
// server serves Stylesheet at (its content security policy forbids inline
// styles); empty, the styles are inlined, for a file saved to disk.
func (r *Rendered) HTML(stylesheet string) []byte {
	var b strings.Builder
	lang := "zh-CN"
	if r.Lang == "en" {
		lang = "en"
	}
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n", lang)
	b.WriteString(`<meta name="viewport" content="width=device-width, initial-scale=1">` + "\n")
	fmt.Fprintf(&b, "<title>%s %s</title>\n", template.HTMLEscapeString(r.Spec.Title(r.Lang)), template.HTMLEscapeString(r.Data.Number))
	if stylesheet == "" {
		b.WriteString("<style>\n")
		b.Write(Stylesheet)
		b.WriteString("</style>\n")
	} else {
		fmt.Fprintf(&b, "<link rel=\"stylesheet\" href=\"%s\">\n", template.HTMLEscapeString(stylesheet))
	}
	fmt.Fprintf(&b, "</head><body><article class=\"document %s\">\n", r.Spec.Kind)
	b.WriteString(r.Body())
	b.WriteString("</article></body></html>\n")
	return []byte(b.String())
}

// Body is the document's HTML without the page around it: the fragment
// with the seal and the QR code drawn in.
func (r *Rendered) Body() string {
	frag := r.Fragment
	if r.Seal != nil {
		frag = strings.ReplaceAll(frag, sealMarker, `<div class="seal">`+r.Seal.SVG()+`</div>`)
	}
	return strings.ReplaceAll(frag, qrMarker, `<div class="qr">`+qrSVG(r.QR(), r.Data.PublicURL)+`</div>`)
}

// qrSVG draws the QR code's modules, each horizontal run of dark ones one
// rect, so it prints sharp at any size.
func qrSVG(bm [][]bool, payload string) string {
	n := len(bm)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr-image" role="img" viewBox="0 0 %d %d" width="25mm" height="25mm" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<title>%s</title><rect width="%d" height="%d" fill="#fff"/><g fill="#000">`, esc(payload), n, n)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="1"/>`, start, y, x-start)
		}
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

// qrCodes keeps the QR codes drawn lately, by payload: every document of a
// case carries the same one, and encoding it is most of a render's cost.
// The bitmaps are only read once made.
var qrCodes struct {
	sync.Mutex
	m map[string][][]bool
}

// maxQRCodes bounds qrCodes (a few hundred kB).
const maxQRCodes = 512

func qrBitmap(payload string) ([][]bool, error) {
	qrCodes.Lock()
	bm, ok := qrCodes.m[payload]
	qrCodes.Unlock()
	if ok {
		return bm, nil
	}
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("document: QR code: %w", err)
	}
	bm = q.Bitmap()
	qrCodes.Lock()
	if qrCodes.m == nil || len(qrCodes.m) >= maxQRCodes {
		qrCodes.m = map[string][][]bool{} // start again: the next cases' codes are new anyway
	}
	qrCodes.m[payload] = bm
	qrCodes.Unlock()
	return bm, nil
}

// invalid is an Invalid error whose two messages are already formatted.
func invalid(field, zh, en string) *apperr.Error { return apperr.New(apperr.Invalid, field, zh, en) }
