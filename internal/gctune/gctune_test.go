package gctune

import (
	"math"
	"runtime/debug"
	"testing"
)

// restore puts the collector back as the test found it.
func restore(t *testing.T) {
	percent := debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

func TestApply_setsPercentAndLimit(t *testing.T) {
	restore(t)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	s := Apply(400, 1024)
	if got := debug.SetGCPercent(-1); got != 400 {
		t.Errorf("GOGC %d, want 400", got)
	}
	debug.SetGCPercent(400)
	if got := debug.SetMemoryLimit(-1); got != 1024<<20 || s.LimitBytes != got {
		t.Errorf("memory limit %d (reported %d), want %d", got, s.LimitBytes, int64(1024)<<20)
	}
	if s.FromEnvGOGC || s.FromEnvMem || s.Percent != 400 {
		t.Errorf("setting %+v", s)
	}
}

// Zero is Go's own collector: Apply changes nothing and says what runs.
func TestApply_zeroLeavesGosCollector(t *testing.T) {
	restore(t)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	s := Apply(0, 0)
	if got := debug.SetGCPercent(-1); got != 100 {
		t.Errorf("GOGC changed to %d", got)
	}
	debug.SetGCPercent(100)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit changed to %d", got)
	}
	if s.Percent != 100 || s.LimitBytes != math.MaxInt64 || s.FromEnvGOGC || s.FromEnvMem {
		t.Errorf("setting %+v, want Go's 100 and no limit", s)
	}
}

// An operator's GOGC and GOMEMLIMIT win: Apply leaves what the runtime
// read from them.
func TestApply_environmentWins(t *testing.T) {
	restore(t)
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(1 << 30)
	s := Apply(1600, 2048)
	if !s.FromEnvGOGC || !s.FromEnvMem || s.Percent != 150 || s.LimitBytes != 1<<30 {
		t.Errorf("setting %+v, want the environment's 150 and 1 GiB", s)
	}
	if got := debug.SetGCPercent(-1); got != 150 {
		t.Errorf("GOGC changed to %d", got)
	}
	debug.SetGCPercent(150)
}
