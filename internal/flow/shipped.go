package flow

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
)

// shipped holds the flows qingdan ships (docs/FLOWS.md): instant, promised
// and joint. A case under an item without a flow of its own runs on the
// shipped flow for the item's kind (instant or promised).
//
//go:embed flows/*.yaml
var shipped embed.FS

// ShippedCodes are the codes of the shipped flows, in a stable order.
var ShippedCodes = []string{"instant", "promised", "joint"}

// ShippedSource returns a shipped flow's file as written, comments
// included: the template an administrator starts from.
func ShippedSource(code string) ([]byte, error) {
	b, err := fs.ReadFile(shipped, path.Join("flows", code+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("flow: no shipped flow %q: %w", code, err)
	}
	return b, nil
}

// Shipped parses every shipped flow against opt, in the order of
// ShippedCodes. An error is a bug in a shipped file or roles or checks
// missing from opt.
func Shipped(opt Options) ([]*Flow, error) {
	var out []*Flow
	for _, code := range ShippedCodes {
		src, err := ShippedSource(code)
		if err != nil {
			return nil, err
		}
		f, err := Parse(src, opt)
		if err != nil {
			return nil, fmt.Errorf("flow: shipped flow %s: %w", code, err)
		}
		if f.Code != code {
			return nil, fmt.Errorf("flow: shipped file %s.yaml holds flow %q", code, f.Code)
		}
		out = append(out, f)
	}
	return out, nil
}
