// Command qingdan runs a government body's power & responsibility list, its
// cases and their electronic supervision. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/qingdan/qingdan/internal/apperr"

	_ "time/tzdata" // bodies' time zones must resolve on machines without zoneinfo
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand. Each lives in its own file and registers itself.
type command struct {
	name string
	// summary is the message ID of a one-line description.
	summary string
	// run parses args with its own FlagSet (named "qingdan <name>") and runs.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("qingdan: duplicate command " + c.name)
	}
	commands[c.name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand; "serve" is the default. It returns the exit
// code: 0 ok, 1 failure, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	lang = cliLang()
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	switch name {
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "qingdan: %s\n\n", t("qingdan.unknown_command", name))
		usage(stderr)
		return 2
	}
	if err := c.run(ctx, args, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(stderr, "qingdan %s: %s\n", name, errText(err))
			return 2
		}
		fmt.Fprintf(stderr, "qingdan %s: %s\n", name, errText(err))
		return 1
	}
	return 0
}

// errText is err's text with the first application error in its chain (an
// *apperr.Error, which words itself in both languages) in the command
// line's language only.
func errText(err error) string {
	s := err.Error()
	var e *apperr.Error
	if !errors.As(err, &e) {
		return s
	}
	one := string(e.Code) + ": " + e.Message(lang)
	if e.Field != "" {
		one = string(e.Code) + ": " + e.Field + ": " + e.Message(lang)
	}
	return strings.Replace(s, e.Error(), one, 1)
}

// usageError marks a bad command line (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usage(w io.Writer) {
	fmt.Fprintln(w, t("qingdan.usage.title"))
	fmt.Fprintln(w, "\n"+t("qingdan.usage.line")+"\n\n"+t("qingdan.usage.commands"))
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, t(commands[n].summary))
	}
	fmt.Fprintln(w, "\n"+t("qingdan.usage.flags_of_a_command"))
}
