package wasi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/spf13/afero"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/wsbx/wsbx/providers/wasi/coreutils"
	"github.com/wsbx/wsbx/providers/wasi/internal/interp"
)

// Exit statuses of commands that cannot run, as POSIX shells give them.
const (
	exitNotExecutable = 126
	exitNotFound      = 127
)

// wasmMagic starts every WebAssembly binary module.
var wasmMagic = []byte("\x00asm")

// utilityDir is where "type" and "command -v" say built-in utilities live.
const utilityDir = "/usr/bin/"

// call is one command to run outside the shell's functions and builtins,
// with its stdio, directory and environment.
type call struct {
	x              *execution
	dir            string
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	hc             *interp.HandlerContext // nil when not run by the shell
}

// run resolves args[0] (built-in utility, then WASI module or script on the
// sandbox PATH or named by path) and runs it.
func (c *call) run(ctx context.Context, args []string) int {
	name := args[0]
	if isShell(name) {
		return c.runShellCommand(ctx, args)
	}
	if !strings.Contains(name, "/") {
		if cmd, ok := c.x.s.p.utils.Lookup(name); ok {
			return c.runUtility(ctx, cmd, args)
		}
	}
	p, ok := c.find(name)
	if !ok {
		fmt.Fprintf(c.stderr, "%s: command not found\n", name)
		return exitNotFound
	}
	return c.runFile(ctx, p, args)
}

func (c *call) runUtility(ctx context.Context, cmd coreutils.Command, args []string) (code int) {
	defer func() {
		// A bug in one utility fails that command, not the host process.
		if v := recover(); v != nil {
			fmt.Fprintf(c.stderr, "%s: internal error: %v\n", args[0], v)
			code = 2
		}
	}()
	stdin := c.stdin
	if stdin == nil {
		stdin = eofReader{}
	}
	env := &coreutils.Env{
		FS:       &cmdFS{Fs: c.x.fs, stdin: stdin, stdout: c.stdout, stderr: c.stderr, hc: c.hc},
		Dir:      c.dir,
		Stdin:    stdin,
		Stdout:   c.stdout,
		Stderr:   c.stderr,
		Getenv:   c.getenv,
		Environ:  c.environ,
		LookPath: c.lookPath,
	}
	env.Exec = func(ctx context.Context, args []string) int {
		sub := &call{x: c.x, dir: env.Dir, stdin: env.Stdin, stdout: env.Stdout, stderr: env.Stderr, getenv: env.Getenv, hc: c.hc}
		return sub.exec(ctx, args)
	}
	return cmd(ctx, env, args)
}

// exec runs args like the shell would run a simple command, builtins
// included (for xargs, find -exec, env).
func (c *call) exec(ctx context.Context, args []string) int {
	if len(args) == 0 {
		return 0
	}
	if !interp.IsBuiltin(args[0]) {
		return c.run(ctx, args)
	}
	words := make([]string, len(args))
	for i, a := range args {
		q, err := syntax.Quote(a, syntax.LangBash)
		if err != nil {
			fmt.Fprintf(c.stderr, "%s: %v\n", args[0], err)
			return 2
		}
		words[i] = q
	}
	file, err := syntax.NewParser().Parse(strings.NewReader(strings.Join(words, " ")), "")
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", args[0], err)
		return 2
	}
	x := &execution{s: c.x.s, fs: c.x.fs, env: c.environ()}
	r, err := x.newRunner(c.dir, c.stdin, c.stdout, c.stderr)
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", args[0], err)
		return 2
	}
	return runStatus(r.Run(ctx, file), c.stderr)
}

// environ returns the exported environment as sorted "K=V" pairs.
func (c *call) environ() []string {
	if c.hc == nil {
		return append([]string(nil), c.x.env...)
	}
	seen := make(map[string]bool)
	var env []string
	c.hc.Env.Each(func(name string, vr expand.Variable) bool {
		if seen[name] {
			return true
		}
		seen[name] = true
		if vr.Exported && vr.IsSet() {
			env = append(env, name+"="+vr.String())
		}
		return true
	})
	sort.Strings(env)
	return env
}

// lookPath reports how name resolves: "builtin", "utility" path
// (/usr/bin/NAME), or the sandbox path of a module or script; "" when it is
// not found.
func (c *call) lookPath(name string) string {
	if interp.IsBuiltin(name) {
		return "builtin"
	}
	if isShell(name) {
		return "/bin/" + path.Base(name)
	}
	if !strings.Contains(name, "/") {
		if _, ok := c.x.s.p.utils.Lookup(name); ok {
			return utilityDir + name
		}
	}
	if p, ok := c.find(name); ok {
		return p
	}
	return ""
}

// find looks for an executable file: a path when name contains a slash,
// otherwise NAME or NAME.wasm in each directory of the sandbox PATH.
func (c *call) find(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	if strings.Contains(name, "/") {
		p := absPath(c.dir, name)
		fi, err := c.x.fs.Stat(p)
		return p, err == nil && !fi.IsDir()
	}
	for _, dir := range strings.Split(c.getenv("PATH"), ":") {
		if dir == "" {
			dir = "."
		}
		for _, cand := range [...]string{name, name + ".wasm"} {
			p := absPath(c.dir, path.Join(dir, cand))
			if fi, err := c.x.fs.Stat(p); err == nil && fi.Mode().IsRegular() && (fi.Mode()&0o111 != 0 || strings.HasSuffix(p, ".wasm")) {
				return p, true
			}
		}
	}
	return "", false
}

// runFile runs a file found by find: a WASI module, or a shell script.
func (c *call) runFile(ctx context.Context, p string, args []string) int {
	data, err := afero.ReadFile(c.x.fs, p)
	if err != nil {
		fmt.Fprintf(c.stderr, "%v\n", shellPathError("open", args[0], err))
		return exitNotExecutable
	}
	if bytes.HasPrefix(data, wasmMagic) {
		return c.runModule(ctx, p, data, args)
	}
	if bytes.IndexByte(data[:min(len(data), 512)], 0) >= 0 {
		fmt.Fprintf(c.stderr, "%s: cannot execute binary file\n", args[0])
		return exitNotExecutable
	}
	return c.runScript(ctx, p, data, args)
}

// runScript runs a shell script in a new interpreter, as a child shell.
func (c *call) runScript(ctx context.Context, p string, data []byte, args []string) int {
	file, err := syntax.NewParser().Parse(bytes.NewReader(data), p)
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", args[0], err)
		return 2
	}
	x := &execution{s: c.x.s, fs: c.x.fs, env: c.environ()}
	r, err := x.newRunner(c.dir, c.stdin, c.stdout, c.stderr)
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", args[0], err)
		return 2
	}
	if err := interp.Params(append([]string{"--"}, args[1:]...)...)(r); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", args[0], err)
		return 2
	}
	return runStatus(r.Run(ctx, file), c.stderr)
}

func (c *call) runModule(ctx context.Context, p string, wasm []byte, args []string) int {
	m := c.x.s.p.modules
	if m == nil {
		fmt.Fprintf(c.stderr, "%s: cannot run WASI modules: no module runner configured\n", args[0])
		return exitNotExecutable
	}
	stdin := c.stdin
	if stdin == nil {
		stdin = eofReader{}
	}
	code, err := m.RunModule(ctx, wasm, ModuleConfig{
		Args:        args,
		Env:         c.environ(),
		Stdin:       stdin,
		Stdout:      c.stdout,
		Stderr:      c.stderr,
		FS:          c.x.fs,
		Dir:         c.dir,
		MemoryBytes: c.x.s.limits.MemoryBytes,
	})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", args[0], err)
		if code == 0 {
			code = exitNotExecutable
		}
	}
	return code
}
