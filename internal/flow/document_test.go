package flow

import (
	"strings"
	"testing"
)

// TestReadDocument_forOtherFormats: other formats (scenario files) read
// their YAML as flow files are read, with the same mistakes by line.
func TestReadDocument_forOtherFormats(t *testing.T) {
	root, err := ReadDocument([]byte("a: 1\nb: [x]\n"))
	if err != nil || root == nil || len(root.Content) != 4 || root.Content[2].Line != 2 {
		t.Fatalf("root %+v, err %v", root, err)
	}
	for src, want := range map[string]string{
		"":                             "line 1, column 1: the file is empty",
		"a: [\n":                       "YAML syntax error",
		"a: 1\n---\nb: 2\n":            "one YAML document",
		"a: &x [1]\nb: *x\n":           "anchors and aliases",
		strings.Repeat("#", MaxSize+1): "larger than",
	} {
		root, err := ReadDocument([]byte(src))
		l := mistakes(t, err)
		if root != nil || !strings.Contains(l[0].Field+": "+l[0].Message("en"), want) {
			t.Errorf("%.20q: %s", src, listed(err))
		}
	}
}
