package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
)

func init() {
	register(&command{name: "version", summary: "qingdan.summary.version", run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fmt.Fprintf(stdout, "qingdan %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	}})
}
