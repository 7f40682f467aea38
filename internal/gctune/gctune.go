// Package gctune applies the garbage collector settings an operator gives
// `qingdan serve` (--gc-percent, --memory-limit-mb).
//
// By default the server runs Go's own collector (GOGC=100, no memory
// limit), or whatever GOGC and GOMEMLIMIT in the environment say: the
// runtime's behaviour is what operators and Go's documentation expect, and
// a setting tuned for one benchmark is no default for every machine. The
// portal benchmark sets what it measured with explicitly (BENCHMARKS.md:
// GOGC 1600 and a 2 GiB limit cut the item page p99 at 100,000 items by
// about a fifth on two cores, at the price of a heap several times larger).
package gctune

import (
	"os"
	"runtime/debug"
)

// Setting is what is in force after Apply.
type Setting struct {
	Percent     int   // GOGC; -1 is off
	LimitBytes  int64 // soft memory limit (math.MaxInt64: none)
	FromEnvGOGC bool  // the environment's GOGC was kept
	FromEnvMem  bool  // the environment's GOMEMLIMIT was kept
}

// Apply sets GOGC to percent and the soft memory limit to limitMB MiB; a
// zero leaves that setting as the runtime has it (Go's default, or the
// environment's). The environment's GOGC or GOMEMLIMIT win over a non-zero
// value too: an operator who set those for the Go runtime gets what they
// asked for.
func Apply(percent int, limitMB int64) Setting {
	var s Setting
	s.FromEnvGOGC = os.Getenv("GOGC") != ""
	if percent != 0 && !s.FromEnvGOGC {
		debug.SetGCPercent(percent)
	}
	s.Percent = debug.SetGCPercent(-1) // reads, then put back
	debug.SetGCPercent(s.Percent)
	s.FromEnvMem = os.Getenv("GOMEMLIMIT") != ""
	if limitMB != 0 && !s.FromEnvMem {
		debug.SetMemoryLimit(limitMB << 20)
	}
	s.LimitBytes = debug.SetMemoryLimit(-1) // -1 reads without changing
	return s
}
