// Package gctune sets the garbage collector as `qingdan serve` runs it, so
// that the benchmarks measure the server as it runs.
//
// Why not Go's default (GOGC=100): qingdan's live heap is small (tens of
// MB) and a public page allocates tens of kB, so at a few thousand pages a
// second the collector would run several times a second; on two cores each
// cycle takes a share of one core for ~10 ms and the requests in flight
// wait behind it. Measured on the portal at 50 clients (BENCHMARKS.md): at
// 5,000 items p99 fell from ~15 ms at GOGC=100 to ~8 ms at 800; at 100,000
// items (≈ 33 MB live) from 12.4 ms at 800 to 10.1 ms at 1600, i.e. a heap
// of ≈ 500 MB. The memory limit bounds what that costs: near it the
// collector runs as often as it must.
package gctune

import (
	"os"
	"runtime/debug"
)

// The defaults of `qingdan serve --gc-percent` and `--memory-limit-mb`.
const (
	DefaultPercent = 1600
	DefaultLimitMB = 2048
)

// Setting is what is in force after Apply.
type Setting struct {
	Percent     int   // GOGC; -1 is off
	LimitBytes  int64 // soft memory limit
	FromEnvGOGC bool  // the environment's GOGC was kept
	FromEnvMem  bool  // the environment's GOMEMLIMIT was kept
}

// Apply sets GOGC to percent and the soft memory limit to limitMB MiB,
// except where the environment sets GOGC or GOMEMLIMIT: an operator who
// set those for the Go runtime gets what they asked for.
func Apply(percent int, limitMB int64) Setting {
	var s Setting
	if os.Getenv("GOGC") != "" {
		s.FromEnvGOGC = true
		s.Percent = debug.SetGCPercent(-1)
		debug.SetGCPercent(s.Percent)
	} else {
		debug.SetGCPercent(percent)
		s.Percent = percent
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		s.FromEnvMem = true
	} else {
		debug.SetMemoryLimit(limitMB << 20)
	}
	s.LimitBytes = debug.SetMemoryLimit(-1) // -1 reads without changing
	return s
}
