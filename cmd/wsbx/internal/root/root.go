// Package root dispatches wsbx's command line to its commands and maps
// their outcome to an exit code.
package root

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/wsbx/wsbx/cmd/wsbx/internal/dockercmd"
	"github.com/wsbx/wsbx/cmd/wsbx/internal/manifestcmd"
	"github.com/wsbx/wsbx/cmd/wsbx/internal/plugin"
	"github.com/wsbx/wsbx/cmd/wsbx/internal/run"
	"github.com/wsbx/wsbx/cmd/wsbx/internal/version"
	"github.com/wsbx/wsbx/providers"
)

// IO is the standard streams of one invocation.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// Exit codes of wsbx itself; "wsbx run" otherwise exits with the command's
// own code.
const (
	ExitOK      = 0
	ExitError   = 1   // wsbx failed (a sandbox could not start, a file could not be copied)
	ExitUsage   = 2   // bad command line
	ExitTimeout = 124 // the command ran past --timeout
)

const usage = `wsbx runs commands in sandboxes.

Usage:
  wsbx run [--provider wasi|docker] [-m MANIFEST] [--dir DIR] [--timeout DURATION] -- COMMAND...
  wsbx manifest check FILE...
  wsbx plugin inspect [--json] FILE.wasm...
  wsbx docker prune
  wsbx version
  wsbx help [COMMAND]

Commands:
  run       run one command in a new sandbox and exit with its exit code
  manifest  validate manifests and show what they would materialize
  plugin    show what Wasm plugins declare
  docker    remove orphaned wsbx containers
  version   print the version

Run "wsbx COMMAND --help" for a command's flags.
`

// Main runs wsbx with args (without the program name) and returns the exit
// code.
func Main(ctx context.Context, args []string, stdio IO) int {
	if len(args) == 0 {
		fmt.Fprint(stdio.Err, usage)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			return Main(ctx, []string{args[1], "--help"}, stdio)
		}
		fmt.Fprint(stdio.Out, usage)
		return ExitOK
	case "version", "--version":
		fmt.Fprintln(stdio.Out, version.String())
		return ExitOK
	case "run":
		opts, err := run.Parse(args[1:], stdio.Err)
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		if err != nil {
			fmt.Fprintf(stdio.Err, "wsbx run: %v\n", err)
			return ExitUsage
		}
		code, err := run.Run(ctx, opts, run.IO{In: stdio.In, Out: stdio.Out, Err: stdio.Err})
		if err != nil {
			fmt.Fprintf(stdio.Err, "wsbx run: %v\n", err)
			if errors.Is(err, providers.ErrExecTimeout) {
				return ExitTimeout
			}
			if code == 0 {
				return ExitError
			}
		}
		return code
	case "manifest":
		files, err := manifestcmd.Parse(args[1:], stdio.Err)
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		if err != nil {
			fmt.Fprintf(stdio.Err, "wsbx manifest: %v\n", err)
			return ExitUsage
		}
		if err := manifestcmd.Check(files, stdio.Out); err != nil {
			fmt.Fprintf(stdio.Err, "wsbx manifest: %v\n", err)
			return ExitError
		}
		return ExitOK
	case "plugin":
		opts, err := plugin.Parse(args[1:], stdio.Err)
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		if err != nil {
			fmt.Fprintf(stdio.Err, "wsbx plugin: %v\n", err)
			return ExitUsage
		}
		if err := plugin.Inspect(ctx, opts, stdio.Out); err != nil {
			fmt.Fprintf(stdio.Err, "wsbx plugin: %v\n", err)
			return ExitError
		}
		return ExitOK
	case "docker":
		if len(args) != 2 || args[1] != "prune" {
			fmt.Fprintf(stdio.Err, "wsbx docker: want \"wsbx docker prune\"\n")
			return ExitUsage
		}
		removed, err := dockercmd.Prune(ctx)
		for _, id := range removed {
			fmt.Fprintln(stdio.Out, id)
		}
		if err != nil {
			fmt.Fprintf(stdio.Err, "wsbx docker: %v\n", err)
			return ExitError
		}
		return ExitOK
	default:
		fmt.Fprintf(stdio.Err, "wsbx: unknown command %q\n\n%s", args[0], usage)
		return ExitUsage
	}
}
