package wasi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/spf13/afero"
	"mvdan.cc/sh/v3/syntax"

	"github.com/wsbx/wsbx/providers/wasi/internal/interp"
)

// isShell reports whether a command name means the shell itself.
func isShell(name string) bool {
	switch name {
	case "sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash":
		return true
	}
	return false
}

// runShellCommand runs "sh [options] [-c command [name [args...]] | file
// [args...]]" as a child shell: a new interpreter with the exported
// environment. Without -c or a file it reads the script from stdin.
func (c *call) runShellCommand(ctx context.Context, args []string) int {
	name := path.Base(args[0])
	var opts []string
	cflag := false
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || (a[0] != '-' && a[0] != '+') {
			break
		}
		switch {
		case a == "-c":
			cflag = true
		case a == "-o" || a == "+o":
			if i+1 < len(args) {
				opts = append(opts, a, args[i+1])
				i++
			}
		case a == "-s" || a == "-i" || a == "-l" || a == "--login" || a == "--norc" || a == "--noprofile" || a == "--posix":
		default:
			opts = append(opts, a)
		}
	}
	rest := args[i:]
	var (
		src    []byte
		dollar = name
		params []string
		err    error
	)
	switch {
	case cflag:
		if len(rest) == 0 {
			fmt.Fprintf(c.stderr, "%s: -c: option requires an argument\n", name)
			return 2
		}
		src = []byte(rest[0])
		if len(rest) > 1 {
			dollar, params = rest[1], rest[2:]
		}
	case len(rest) > 0:
		dollar, params = rest[0], rest[1:]
		src, err = afero.ReadFile(c.x.fs, absPath(c.dir, rest[0]))
		if err != nil {
			fmt.Fprintf(c.stderr, "%v\n", shellPathError("open", rest[0], err))
			return 127
		}
	default:
		if c.stdin != nil {
			src, err = io.ReadAll(c.stdin)
			if err != nil {
				fmt.Fprintf(c.stderr, "%s: %v\n", name, err)
				return 2
			}
		}
	}
	file, err := syntax.NewParser().Parse(bytes.NewReader(src), dollar)
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", name, err)
		return 2
	}
	x := &execution{s: c.x.s, fs: c.x.fs, env: c.environ()}
	r, err := x.newRunner(c.dir, c.stdin, c.stdout, c.stderr)
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", name, err)
		return 2
	}
	if err := interp.Params(append(append(opts, "--"), params...)...)(r); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", name, strings.TrimPrefix(err.Error(), "interp: "))
		return 2
	}
	return runStatus(r.Run(ctx, file), c.stderr)
}
