package catxlsx

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog"
)

// bigList repeats the demo list under fresh codes up to n items: a large
// list with every element filled in.
func bigList(tb testing.TB, n int) []catalog.ItemVersion {
	tb.Helper()
	demo := demoList(tb)
	out := make([]catalog.ItemVersion, 0, n)
	for k := 0; len(out) < n; k++ {
		v := demo[k%len(demo)].Clone()
		old := v.BaseCode
		v.BaseCode = fmt.Sprintf("%s%05d%03d", old[:2], 10000+k/len(demo), k%len(demo))
		v.ImplCode = strings.Replace(v.ImplCode, old, v.BaseCode, 1)
		v.Status, v.PublishedAt, v.ContentHash, v.Version, v.ValidTo = catalog.StatusDraft, nil, "", 0, nil
		out = append(out, v)
	}
	return out
}

// TestLargeList: 2,000 items export and parse back unchanged, with
// progress reported along the way.
func TestLargeList(t *testing.T) {
	if testing.Short() {
		t.Skip("large list")
	}
	vs := bigList(t, 2000)
	b := export(t, vs)
	calls := 0
	got, err := Parse(bytes.NewReader(b), int64(len(b)), func(int, int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(vs) || len(Diff(vs, got)) != 0 {
		t.Fatalf("got %d items, %d differences", len(got), len(Diff(vs, got)))
	}
	if calls < 10 {
		t.Errorf("progress reported %d times for %d bytes", calls, len(b))
	}
	t.Logf("2000 items: %d bytes, %d progress calls", len(b), calls)
}

func BenchmarkExport1000(b *testing.B) {
	vs := bigList(b, 1000)
	for b.Loop() {
		var buf bytes.Buffer
		if err := Export(&buf, vs, ExportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse1000(b *testing.B) {
	data := export(b, bigList(b, 1000))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), int64(len(data)), nil); err != nil {
			b.Fatal(err)
		}
	}
}
