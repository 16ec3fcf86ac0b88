// Package run is "wsbx run": a one-shot sandbox for one command.
package run

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wsbx/wsbx/manifest"
	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/docker"
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
	// Manifest is a manifest file (.toml or .json) the workspace starts
	// from ("" for none).
	Manifest string
	// Image is the docker provider's image.
	Image string
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

const usage = `Usage: wsbx run [--provider wasi|docker] [--image IMAGE] [-m MANIFEST] [--dir DIR] [--timeout DURATION] -- COMMAND...

Runs COMMAND in a new sandbox and exits with its exit code. One argument
after "--" is a shell command line; several are a program and its arguments,
run without a shell. --dir copies DIR's contents into the workspace, where
the command starts. -m starts the workspace from a manifest (its entries,
environment, limits, capabilities and plugins), showing progress on stderr.
WASI modules (.wasm files) in the workspace run as commands.

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
	fs.StringVar(&opts.Manifest, "m", "", "start the workspace from this manifest (.toml or .json)")
	fs.StringVar(&opts.Image, "image", "", "the image of a docker sandbox")
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
	rtOpts := []runtime.Option{runtime.WithWASI(), runtime.WithCacheDir(cacheDir())}
	if opts.Provider == "docker" {
		// Only a docker run dials the engine.
		p, err := docker.New(docker.Config{})
		if err != nil {
			return 0, err
		}
		defer p.Close()
		rtOpts = append(rtOpts, runtime.WithProvider(p))
	}
	rt, err := runtime.New(rtOpts...)
	if err != nil {
		return 0, err
	}
	defer rt.Close(ctx)
	var spec providers.SessionSpec
	if opts.Image != "" {
		spec.Options, _ = json.Marshal(map[string]string{"image": opts.Image})
	}
	var createOpts []runtime.CreateOption
	if opts.Manifest != "" {
		m, err := manifest.Load(opts.Manifest)
		if err != nil {
			return 0, err
		}
		createOpts = append(createOpts, runtime.WithManifest(m, manifest.WithProgress(progress(stdio.Err))))
	}
	s, err := rt.Create(ctx, opts.Provider, spec, createOpts...)
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

// progress reports materialization on w: a line when an entry starts, and
// for entries with a known size (clones, downloads) a bar as bytes arrive.
func progress(w io.Writer) func(manifest.Progress) {
	last := map[string]int{}
	return func(p manifest.Progress) {
		switch {
		case p.Finished && p.Err != nil:
			fmt.Fprintf(w, "wsbx: %s: failed\n", p.Entry)
		case p.Finished:
			fmt.Fprintf(w, "wsbx: %s: done (%s)\n", p.Entry, size(p.Done))
		case p.Total > 0:
			pct := int(p.Done * 100 / p.Total)
			if pct/10 != last[p.Entry]/10 || pct == 100 {
				last[p.Entry] = pct
				bar := strings.Repeat("#", pct/5) + strings.Repeat(".", 20-pct/5)
				fmt.Fprintf(w, "wsbx: %s [%s] %3d%% %s/%s\n", p.Entry, bar, pct, size(p.Done), size(p.Total))
			}
		case p.Done == 0:
			fmt.Fprintf(w, "wsbx: %s: %s\n", p.Entry, p.Type)
		}
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
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
