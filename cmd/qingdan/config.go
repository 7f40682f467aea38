package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// envName is the environment variable that configures flag name:
// --log-format → QINGDAN_LOG_FORMAT.
func envName(flagName string) string {
	return "QINGDAN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args into fs, then fills every flag not given on the
// command line from its QINGDAN_* environment variable. A bad value in the
// environment is reported with the variable's name, like a bad flag.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	fs.Usage = func() { flagUsage(fs, stderr) }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err.Error()}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var bad error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || bad != nil {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				bad = usageError{t("qingdan.invalid_value_in", envName(f.Name), err)}
			}
		}
	})
	return bad
}

// flagUsage lists every flag with its default and environment variable.
func flagUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "%s\n\n%s\n", t("qingdan.usage.command_flags", fs.Name()), t("qingdan.usage.flags_and_environment"))
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" {
			def = " " + t("qingdan.usage.default", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s  [%s]%s\n      %s\n", f.Name, envName(f.Name), def, f.Usage)
	})
}
