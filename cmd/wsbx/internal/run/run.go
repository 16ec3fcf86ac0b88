// Package run is "wsbx run": a one-shot sandbox for one command.
package run

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
	"github.com/wsbx/wsbx/runtime"
)

// Options are the flags and arguments of "wsbx run".
type Options struct {
	// Provider names the backend ("wasi").
	Provider string
	// Dir is a host directory whose contents are copied into the
	// workspace before the command starts ("" for an empty workspace).
	Dir string
	// Timeout bounds the command (0: none).
	Timeout time.Duration
	// Command is a shell command line (one argument after "--"); Argv is a
	// program and its arguments (several). Exactly one is set.
	Command string
	Argv    []string
}

// IO is the standard streams of the command.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

const usage = `Usage: wsbx run [--provider wasi] [--dir DIR] [--timeout DURATION] -- COMMAND...

Runs COMMAND in a new sandbox and exits with its exit code. One argument
after "--" is a shell command line; several are a program and its arguments,
run without a shell. --dir copies DIR's contents into the workspace, where
the command starts. WASI modules (.wasm files) in the workspace run as
commands.

Flags:
`

// Parse parses the arguments after "run". It returns flag.ErrHelp after
// printing the usage to stderr for -h/--help.
func Parse(args []string, stderr io.Writer) (*Options, error) {
	opts := &Options{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&opts.Provider, "provider", wasi.Name, "the sandbox provider")
	fs.StringVar(&opts.Dir, "dir", "", "copy this host directory's contents into the workspace")
	fs.DurationVar(&opts.Timeout, "timeout", 0, "stop the command after this long (e.g. 30s; 0 for no limit)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	switch len(rest) {
	case 0:
		return nil, errors.New("missing command after --")
	case 1:
		opts.Command = rest[0]
		if strings.TrimSpace(opts.Command) == "" {
			return nil, errors.New("empty command")
		}
	default:
		opts.Argv = rest
	}
	return opts, nil
}

// Run creates the sandbox, copies Dir in, runs the command with its output
// streamed to stdio, and returns the command's exit code. A non-nil error
// means wsbx itself failed or the command timed out.
func Run(ctx context.Context, opts *Options, stdio IO) (int, error) {
	rt, err := runtime.New(runtime.WithWASI(), runtime.WithCacheDir(cacheDir()))
	if err != nil {
		return 0, err
	}
	defer rt.Close(ctx)
	s, err := rt.Create(ctx, opts.Provider, providers.SessionSpec{})
	if err != nil {
		return 0, err
	}
	defer s.Close(ctx)
	if opts.Dir != "" {
		if err := CopyDir(ctx, s, opts.Dir, stdio.Err); err != nil {
			return 0, err
		}
	}
	res, err := s.Exec(ctx, providers.ExecRequest{
		Command: opts.Command,
		Argv:    opts.Argv,
		Stdin:   stdio.In,
		Stdout:  stdio.Out,
		Stderr:  stdio.Err,
		Timeout: opts.Timeout,
		// The output streams through; the result's copy is not used.
		MaxOutputBytes: 1 << 62,
	})
	if res == nil {
		return 0, err
	}
	return res.ExitCode, err
}

// cacheDir is the compilation cache of WebAssembly modules shared by wsbx
// runs: $XDG_CACHE_HOME/wsbx/wasm or the platform's equivalent, "" (memory)
// when there is none.
func cacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "wsbx", "wasm")
}

// CopyDir copies the regular files and directories under the host directory
// dir into the session's workspace root, keeping their permission bits.
// Symlinks are not followed; each one is reported to warn and skipped.
func CopyDir(ctx context.Context, s providers.Session, dir string, warn io.Writer) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	defer root.Close()
	return fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("--dir: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		switch {
		case d.IsDir():
			return s.Mkdir(ctx, p, true)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return fmt.Errorf("--dir: %w", err)
			}
			f, err := root.Open(p)
			if err != nil {
				return fmt.Errorf("--dir: %w", err)
			}
			defer f.Close()
			return s.WriteFile(ctx, p, f, info.Mode().Perm())
		default:
			fmt.Fprintf(warn, "wsbx run: --dir: skipping %s (%s)\n", filepath.Join(dir, p), d.Type())
			return nil
		}
	})
}
