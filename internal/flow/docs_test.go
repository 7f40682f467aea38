package flow

import (
	"os"
	"strings"
	"testing"
)

// TestDocs_completeExampleIsTheShippedInstantFlow keeps docs/FLOWS.md true:
// its complete example is the shipped instant flow, byte for byte, and
// every key the reader knows is documented there.
func TestDocs_completeExampleIsTheShippedInstantFlow(t *testing.T) {
	doc, err := os.ReadFile("../../docs/FLOWS.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "## A complete example")
	if !ok {
		t.Fatal("docs/FLOWS.md has no complete example")
	}
	_, block, ok := strings.Cut(after, "```yaml\n")
	example, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("the complete example is not a yaml block")
	}
	src, err := ShippedSource("instant")
	if err != nil {
		t.Fatal(err)
	}
	if example != string(src) {
		t.Error("the complete example in docs/FLOWS.md is not internal/flow/flows/instant.yaml")
	}
	for _, key := range []string{"code", "version", "name", "kind", "steps", "outcomes", "actions", "id", "role",
		"status", "limit", "optional", "level", "special", "risks", "checks", "approver", "max", "start", "from",
		"to", "roles", "fields", "choices", "guards", "clock", "description", "control"} {
		if !strings.Contains(string(doc), "`"+key+"`") {
			t.Errorf("key %s is not documented", key)
		}
	}
}
