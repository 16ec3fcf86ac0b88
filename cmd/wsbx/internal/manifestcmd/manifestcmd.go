// Package manifestcmd is "wsbx manifest": commands about manifests.
package manifestcmd

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/wsbx/wsbx/manifest"
)

const usage = `Usage: wsbx manifest check FILE...

Validates each manifest (.toml or .json) strictly and prints what it would
materialize: the root, the environment (secret values hidden), each entry
with its type and source, the limits, capabilities and plugins. Nothing is
fetched or written.
`

// Parse parses the arguments after "manifest" and returns the files.
func Parse(args []string, stderr io.Writer) ([]string, error) {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stderr, usage)
		return nil, flag.ErrHelp
	}
	if len(args) < 2 || args[0] != "check" {
		return nil, errors.New(`want "wsbx manifest check FILE..."`)
	}
	return args[1:], nil
}

// Check loads and describes each file; it returns the errors of the files
// that are invalid, after describing the valid ones.
func Check(files []string, out io.Writer) error {
	var errs []error
	for _, f := range files {
		m, err := manifest.Load(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(out, "%s: ok\n%s", f, manifest.Describe(m))
	}
	return errors.Join(errs...)
}
