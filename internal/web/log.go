package web

import (
	"fmt"
	"io"
	"log/slog"
	"os"
)

// Log formats accepted by NewLogger (the --log-format flag).
const (
	LogAuto = "auto" // text on a terminal, JSON otherwise
	LogText = "text"
	LogJSON = "json"
)

// NewLogger returns the process logger writing to w at level Info: "json"
// for machines (production), "text" for people, "auto" (or "") picks text
// when w is a terminal and JSON otherwise.
func NewLogger(format string, w io.Writer) (*slog.Logger, error) {
	return NewLoggerLevel(format, w, slog.LevelInfo)
}

// NewLoggerLevel is NewLogger with a minimum level (e.g. slog.LevelDebug).
func NewLoggerLevel(format string, w io.Writer, level slog.Leveler) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case LogJSON:
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case LogText:
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case LogAuto, "":
		if isTerminal(w) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("unknown log format %q (want %s, %s or %s)", format, LogAuto, LogText, LogJSON)
}

// isTerminal reports whether w is a character device (a terminal), without
// a dependency: good enough to choose a log format.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
