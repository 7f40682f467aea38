package calendar

import (
	"runtime"
	"testing"
	"time"
)

// thirtyYears is a calendar of 2000–2029: the shipped years plus synthetic
// ones (New Year only) — the size does not depend on how many days move.
func thirtyYears(t testing.TB) *Calendar {
	ys, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	have := map[int]bool{}
	for _, y := range ys {
		have[y.Year] = true
	}
	for y := 2000; y < 2030; y++ {
		if !have[y] {
			ys = append(ys, Year{Year: y, Days: []Day{{Name: "元旦", Date: DateOf(y, 1, 1), IsOffDay: true}}})
		}
	}
	c, err := New(ys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMemory_thirtyYearsUnderOneMegabyte measures both the arrays' own size
// and what building a calendar leaves on the heap.
func TestMemory_thirtyYearsUnderOneMegabyte(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := thirtyYears(t)
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("30 years: day arrays %d bytes, heap retained about %d bytes", c.SizeBytes(), heap)
	if c.SizeBytes() > 1<<20 || heap > 1<<20 {
		t.Errorf("over 1 MB: arrays %d, heap %d", c.SizeBytes(), heap)
	}
	runtime.KeepAlive(c)
}

var sinkD Date
var sinkN int

func benchAdd(b *testing.B, n int) {
	c := thirtyYears(b)
	starts := make([]Date, 1024)
	for i := range starts {
		starts[i] = DateOf(2001, 1, 1) + Date(i*7%4000)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := c.AddWorkingDays(starts[i&1023], n)
		if err != nil {
			b.Fatal(err)
		}
		sinkD = r
	}
}

func BenchmarkAddWorkingDays_small(b *testing.B) { benchAdd(b, 5) }
func BenchmarkAddWorkingDays_huge(b *testing.B)  { benchAdd(b, 4000) } // ~16 years

func benchBetween(b *testing.B, span int) {
	c := thirtyYears(b)
	base := DateOf(2001, 1, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := base + Date(i&1023)
		n, err := c.WorkingDaysBetween(a, a+Date(span))
		if err != nil {
			b.Fatal(err)
		}
		sinkN = n
	}
}

func BenchmarkWorkingDaysBetween_small(b *testing.B) { benchBetween(b, 7) }
func BenchmarkWorkingDaysBetween_huge(b *testing.B)  { benchBetween(b, 9000) }

func BenchmarkDueWorkingDays_instant(b *testing.B) {
	c := thirtyYears(b)
	t0 := time.Date(2010, 3, 2, 10, 0, 0, 0, DefaultLocation)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.DueWorkingDays(t0, 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClockAt(b *testing.B) {
	c := thirtyYears(b)
	clk, _ := NewClock(LicensingDecision,
		Event{Kind: Start, At: time.Date(2010, 3, 2, 10, 0, 0, 0, DefaultLocation)},
		Event{Kind: Pause, At: time.Date(2010, 3, 4, 15, 0, 0, 0, DefaultLocation), Reason: SpecialProcedure},
		Event{Kind: Resume, At: time.Date(2010, 3, 11, 9, 0, 0, 0, DefaultLocation)},
		Event{Kind: Extend, At: time.Date(2010, 3, 12, 9, 0, 0, 0, DefaultLocation), N: 5})
	now := time.Date(2010, 3, 20, 9, 0, 0, 0, DefaultLocation)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := clk.At(c, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildThirtyYears(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		thirtyYears(b)
	}
}
