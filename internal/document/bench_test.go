package document_test

import (
	"testing"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
)

// BenchmarkPDF_H7_completionCertificate: from the parsed template and the
// case's data to the PDF's bytes — check, template, layout, font subset,
// compression (issue #15: ≤ 20 ms).
func BenchmarkPDF_H7_completionCertificate(b *testing.B) {
	tp, err := document.Default(casework.CompletionVoucher, "zh")
	if err != nil {
		b.Fatal(err)
	}
	d := document.Sample(casework.CompletionVoucher, "zh")
	b.ReportAllocs()
	for b.Loop() {
		r, err := document.Render(document.Input{Template: tp, Data: d, Seal: &seal})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.PDF(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPDF_rawWriter is the raw limit beside it: the PDF writer alone
// on a page already laid out (the same certificate's), i.e. the font
// subset, the compression and the file's structure.
func BenchmarkPDF_rawWriter(b *testing.B) {
	tp, err := document.Default(casework.CompletionVoucher, "zh")
	if err != nil {
		b.Fatal(err)
	}
	r, err := document.Render(document.Input{Template: tp, Data: document.Sample(casework.CompletionVoucher, "zh"), Seal: &seal})
	if err != nil {
		b.Fatal(err)
	}
	write, err := document.LaidOut(r)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := write(); err != nil {
			b.Fatal(err)
		}
	}
}
