package document_test

import (
	"os"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/document"
)

// TestDocs_everyFieldAndKindIsDocumented keeps docs/DOCUMENTS.md true.
func TestDocs_everyFieldAndKindIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/DOCUMENTS.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(document.Fields(), "Person", "Replaces", "Correction") {
		if !strings.Contains(string(doc), "`"+f+"`") {
			t.Errorf("field %s is not documented", f)
		}
	}
	for _, s := range document.Specs {
		if !strings.Contains(string(doc), "`"+string(s.Kind)+"`") || !strings.Contains(string(doc), s.Zh) {
			t.Errorf("kind %s is not documented", s.Kind)
		}
	}
}
