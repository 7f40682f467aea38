package catxlsx

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// templateTables renders the column tables of docs/catalog-excel.md from
// the template itself, so the document cannot drift from the code.
func templateTables() string {
	var b strings.Builder
	for i, sh := range sheets {
		b.WriteString("### " + strconv.Itoa(i+1) + ". " + sh.sheetName() + " (" + sheetEn(sh) + ")\n\n")
		b.WriteString("| column | 第1行 (national element) | 第2行 (key) |\n|---|---|---|\n")
		zh, keys := sh.zhs(), sh.keys()
		for c := range zh {
			b.WriteString("| " + colName(c+1) + " | " + zh[c] + " | `" + keys[c] + "` |\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestTemplateDocumented: docs/catalog-excel.md holds the tables of the
// template as the code defines it (QINGDAN_WRITE_DOC=1 prints them).
func TestTemplateDocumented(t *testing.T) {
	want := templateTables()
	if os.Getenv("QINGDAN_WRITE_DOC") == "1" {
		t.Log("\n" + want)
	}
	doc, err := os.ReadFile("../../../docs/catalog-excel.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), want) {
		t.Error("docs/catalog-excel.md does not hold the template's column tables; run with QINGDAN_WRITE_DOC=1 and paste them")
	}
}

func colName(c int) string {
	n, err := excelize.ColumnNumberToName(c)
	if err != nil {
		return "?"
	}
	return n
}
