package gctune

import (
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
	s := Apply(DefaultPercent, DefaultLimitMB)
	if got := debug.SetGCPercent(-1); got != DefaultPercent {
		t.Errorf("GOGC %d, want %d", got, DefaultPercent)
	}
	debug.SetGCPercent(DefaultPercent)
	if got := debug.SetMemoryLimit(-1); got != DefaultLimitMB<<20 || s.LimitBytes != got {
		t.Errorf("memory limit %d (reported %d), want %d", got, s.LimitBytes, int64(DefaultLimitMB)<<20)
	}
	if s.FromEnvGOGC || s.FromEnvMem || s.Percent != DefaultPercent {
		t.Errorf("setting %+v", s)
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
	s := Apply(DefaultPercent, DefaultLimitMB)
	if !s.FromEnvGOGC || !s.FromEnvMem || s.Percent != 150 || s.LimitBytes != 1<<30 {
		t.Errorf("setting %+v, want the environment's 150 and 1 GiB", s)
	}
	if got := debug.SetGCPercent(-1); got != 150 {
		t.Errorf("GOGC changed to %d", got)
	}
	debug.SetGCPercent(150)
}
