package coreutils

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// cmdRealpath is realpath: print resolved absolute paths (-e all
// components must exist, -m none need to, -s no symlink resolution,
// --relative-to DIR, -z NUL-terminated, -q quiet).
func cmdRealpath(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "emsLPqz",
		long: map[string]string{"canonicalize-existing": "e", "canonicalize-missing": "m", "strip": "s", "no-symlinks": "s",
			"logical": "L", "physical": "P", "quiet": "q", "zero": "z", "relative-to=": "relative-to", "relative-base=": "relative-base"},
	}, args)
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
	resolve := func(p string) (string, error) {
		abs := env.Abs(p)
		if f.has("s") {
			return abs, nil
		}
		switch f.last("e", "m") {
		case "e":
			return fileRealpath(env.FS, abs, true, false)
		case "m":
			return fileRealpath(env.FS, abs, false, false)
		}
		return fileRealpath(env.FS, abs, true, true)
	}
	relTo := ""
	if v, ok := f.value("relative-to"); ok {
		r, err := resolve(v)
		if err != nil {
			env.Errorf(args[0], "%s: %s", v, errText(err))
			return 1
		}
		relTo = r
	}
	status := 0
	for _, op := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		r, err := resolve(op)
		if err != nil {
			if !f.has("q") {
				env.Errorf(args[0], "%s: %s", op, errText(err))
			}
			status = 1
			continue
		}
		if relTo != "" {
			r = lnRelative(relTo, r)
		}
		fmt.Fprint(env.Stdout, r+end)
	}
	return status
}

// cmdReadlink is readlink: print a symlink's target, or with -f/-e/-m the
// canonical path (-n no newline, -z NUL, -q/-s/-v quiet or verbose).
func cmdReadlink(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "femnqsvz",
		long: map[string]string{"canonicalize": "f", "canonicalize-existing": "e", "canonicalize-missing": "m",
			"no-newline": "n", "quiet": "q", "silent": "s", "verbose": "v", "zero": "z"},
	}, args)
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
	if f.has("n") && len(f.operands) == 1 {
		end = ""
	}
	verbose := f.last("q", "s", "v") == "v"
	status := 0
	for _, op := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		abs := env.Abs(op)
		var r string
		var err error
		switch f.last("f", "e", "m") {
		case "f":
			r, err = fileRealpath(env.FS, abs, true, true)
		case "e":
			r, err = fileRealpath(env.FS, abs, true, false)
		case "m":
			r, err = fileRealpath(env.FS, abs, false, false)
		default:
			r, err = fileReadlink(env.FS, abs)
			if err == nil && strings.HasSuffix(op, "/") {
				r = path.Clean(r)
			}
		}
		if err != nil {
			if verbose {
				env.Errorf(args[0], "%s: %s", op, errText(err))
			}
			status = 1
			continue
		}
		fmt.Fprint(env.Stdout, r+end)
	}
	return status
}
