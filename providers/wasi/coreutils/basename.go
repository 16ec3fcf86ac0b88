package coreutils

import (
	"context"
	"fmt"
	"strings"
)

// fileBase is basename(1)'s idea of the last component of p.
func fileBase(p string) string {
	if p == "" {
		return ""
	}
	t := strings.TrimRight(p, "/")
	if t == "" {
		return "/"
	}
	if i := strings.LastIndexByte(t, '/'); i >= 0 {
		t = t[i+1:]
	}
	return t
}

// fileDir is dirname(1)'s idea of the directory part of p.
func fileDir(p string) string {
	t := strings.TrimRight(p, "/")
	if t == "" {
		if strings.HasPrefix(p, "/") {
			return "/"
		}
		return "."
	}
	i := strings.LastIndexByte(t, '/')
	if i < 0 {
		return "."
	}
	d := strings.TrimRight(t[:i], "/")
	if d == "" {
		return "/"
	}
	return d
}

// cmdBasename is basename: strip directory and suffix from names (-a
// several names, -s SUFFIX, -z NUL).
func cmdBasename(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "az", withArg: "s",
		long: map[string]string{"multiple": "a", "suffix=": "s", "zero": "z"},
	}, args)
	if !ok {
		return 1
	}
	ops := f.operands
	if len(ops) == 0 {
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	suffix, hasSuffix := f.value("s")
	multiple := f.has("a") || hasSuffix
	if !multiple {
		if len(ops) > 2 {
			env.Errorf(args[0], "extra operand %s", fileQuote(ops[2]))
			fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
			return 1
		}
		if len(ops) == 2 {
			suffix, ops = ops[1], ops[:1]
		}
	}
	end := "\n"
	if f.has("z") {
		end = "\x00"
	}
	for _, op := range ops {
		b := fileBase(op)
		if suffix != "" && b != suffix && strings.HasSuffix(b, suffix) {
			b = strings.TrimSuffix(b, suffix)
		}
		fmt.Fprint(env.Stdout, b+end)
	}
	return 0
}

// cmdDirname is dirname: strip the last component from names (-z NUL).
func cmdDirname(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{bools: "z", long: map[string]string{"zero": "z"}}, args)
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	end := "\n"
	if f.has("z") {
		end = "\x00"
	}
	for _, op := range f.operands {
		fmt.Fprint(env.Stdout, fileDir(op)+end)
	}
	return 0
}
