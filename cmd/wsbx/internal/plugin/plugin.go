// Package plugin is "wsbx plugin": commands about Wasm plugins.
package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wsbx/wsbx/plugins"
	"github.com/wsbx/wsbx/plugins/abi"
)

const usage = `Usage: wsbx plugin inspect [--json] [--cache-dir DIR] FILE.wasm...

Loads each plugin (verifying that it speaks the wsbx plugin ABI) and prints
what it declares: kind, name, version, the ABI version, its sha256, entry
types, configuration schema and exported functions (which show the optional
exports it has). --cache-dir keeps the compiled code on disk, so a later
load of the same module skips compilation.

Flags:
`

// InspectOptions are the flags and arguments of "wsbx plugin inspect".
type InspectOptions struct {
	JSON     bool
	CacheDir string
	Files    []string
}

// Parse parses the arguments after "plugin". It returns flag.ErrHelp after
// printing the usage for -h/--help.
func Parse(args []string, stderr io.Writer) (*InspectOptions, error) {
	if len(args) == 0 || args[0] != "inspect" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stderr, usage)
			return nil, flag.ErrHelp
		}
		return nil, errors.New(`want "wsbx plugin inspect FILE..."`)
	}
	o := &InspectOptions{}
	fs := flag.NewFlagSet("plugin inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.JSON, "json", false, "print one JSON object per plugin")
	fs.StringVar(&o.CacheDir, "cache-dir", "", "directory of the compilation cache")
	if err := fs.Parse(args[1:]); err != nil {
		return nil, err
	}
	o.Files = fs.Args()
	if len(o.Files) == 0 {
		return nil, errors.New("no plugin file given")
	}
	return o, nil
}

// Inspect loads each file and prints its description to out.
func Inspect(ctx context.Context, o *InspectOptions, out io.Writer) error {
	set, err := plugins.NewSet(plugins.Config{CacheDir: o.CacheDir})
	if err != nil {
		return err
	}
	defer set.Close(ctx)
	var errs []error
	for _, f := range o.Files {
		p, err := set.Load(ctx, plugins.Source{Path: f}, plugins.Options{})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d := p.Describe()
		if o.JSON {
			b, err := json.Marshal(struct {
				File    string   `json:"file"`
				SHA256  string   `json:"sha256"`
				Exports []string `json:"exports"`
				abi.Describe
			}{f, p.SHA256(), p.Exports(), d})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s\n", b)
			continue
		}
		fmt.Fprintf(out, "%s\n", f)
		fmt.Fprintf(out, "  name      %s\n  kind      %s\n  version   %s\n  abi       %d\n  sha256    %s\n", d.Name, d.Kind, d.Version, d.ABI, p.SHA256())
		if len(d.EntryTypes) > 0 {
			fmt.Fprintf(out, "  entries   %s\n", strings.Join(d.EntryTypes, ", "))
		}
		if len(d.ConfigSchema) > 0 {
			fmt.Fprintf(out, "  config    %s\n", d.ConfigSchema)
		}
		fmt.Fprintf(out, "  exports   %s\n", strings.Join(p.Exports(), ", "))
	}
	return errors.Join(errs...)
}
