package catweb

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
)

// TestMessages_everyKeyHasBothLanguages: every key a template names, and
// every key built from a value (a stage, change kind, reason, review
// group, list row, capacity, step, role), is in the table in Chinese and
// English.
func TestMessages_everyKeyHasBothLanguages(t *testing.T) {
	literal := regexp.MustCompile(`\bt \$?\.?Lang "([a-z_.]+)"`)
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, name := range files {
		b, err := fs.ReadFile(templateFS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	// The Excel page names the stage of the draft it has just created.
	keys["catalog_excel.stage."+string(catalog.StageDrafting)] = true
	for _, k := range catalogKinds {
		keys["catalog_excel.kind."+string(k)] = true
	}
	for _, x := range reasons {
		keys["catalog_excel.reason."+string(x)] = true
	}
	for _, g := range []catalog.ReformGroup{catalog.PowerListGroup, catalog.DutyListGroup} {
		keys["catalog.reform."+string(g)] = true
	}
	for _, l := range []string{"legal_bases", "materials", "fee.items", "steps", "duties", "accountability", "conditions", "risks", "checks"} {
		keys["catalog.row."+l] = true
	}
	for _, c := range []string{catdb.AsUnitHead, catdb.AsListLiaison, catdb.AsGeneralOffice, catdb.AsReformOffice, "reviewer"} {
		keys["waiting."+c] = true
	}
	for _, s := range []catalog.ActionKind{catalog.ActDraft, catalog.ActSign, catalog.ActOfficeApprove, catalog.ActGroupApprove, catalog.ActPublish} {
		keys["waiting.step."+string(s)] = true
	}
	for _, r := range []access.Role{access.RoleWindow, access.RoleUnitStaff, access.RoleGeneralOffice, access.RoleLeader, access.RoleSupervisor} {
		keys["role."+string(r)] = true
	}
	for k := range keys {
		if !messages.Has(k) {
			t.Errorf("message %q is used but not in the table", k)
		}
	}
	// Both languages and their verbs: internal/msg's TestCatalogue_everyIDInBothLanguages.
}
