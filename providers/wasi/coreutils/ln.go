package coreutils

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"
	"syscall"
)

// cmdLn is ln: make links. Symbolic links (-s) are made where the
// filesystem supports them; hard links are not supported by the sandbox
// filesystem and fail with "Operation not supported". -f replaces existing
// files, -n treats a symlink to a directory as a file, -T treats LINK as a
// normal file, -t DIR names the directory, -v reports.
func cmdLn(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "sfnvTrLP", withArg: "t",
		long: map[string]string{"symbolic": "s", "force": "f", "no-dereference": "n", "verbose": "v",
			"no-target-directory": "T", "target-directory=": "t", "relative": "r", "logical": "L", "physical": "P"},
	}, args)
	if !ok {
		return 1
	}
	ops := f.operands
	dir, hasDir := f.value("t")
	if len(ops) == 0 {
		env.Errorf(args[0], "missing file operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	type pair struct{ target, link string }
	var pairs []pair
	isDir := func(name string) bool {
		p := env.Abs(name)
		if f.has("n") {
			fi, err := fileLstat(env.FS, p)
			return err == nil && fi.IsDir()
		}
		fi, err := env.FS.Stat(p)
		return err == nil && fi.IsDir()
	}
	switch {
	case hasDir:
		for _, t := range ops {
			pairs = append(pairs, pair{t, path.Join(dir, path.Base(t))})
		}
	case len(ops) == 1:
		pairs = append(pairs, pair{ops[0], path.Base(strings.TrimRight(ops[0], "/"))})
	case f.has("T"):
		if len(ops) > 2 {
			env.Errorf(args[0], "extra operand %s", fileQuote(ops[2]))
			return 1
		}
		pairs = append(pairs, pair{ops[0], ops[1]})
	default:
		last := ops[len(ops)-1]
		if isDir(last) {
			for _, t := range ops[:len(ops)-1] {
				pairs = append(pairs, pair{t, strings.TrimRight(last, "/") + "/" + path.Base(strings.TrimRight(t, "/"))})
			}
		} else if len(ops) > 2 {
			env.Errorf(args[0], "target %s is not a directory", fileQuote(last))
			return 1
		} else {
			pairs = append(pairs, pair{ops[0], ops[1]})
		}
	}
	status := 0
	for _, pr := range pairs {
		if ctx.Err() != nil {
			return 1
		}
		lp := env.Abs(pr.link)
		what := "symbolic link"
		if !f.has("s") {
			what = "hard link"
		}
		if fi, err := fileLstat(env.FS, lp); err == nil {
			if !f.has("f") || fi.IsDir() {
				msg := "File exists"
				if fi.IsDir() && f.has("f") {
					msg = "Is a directory"
				}
				env.Errorf(args[0], "failed to create %s %s: %s", what, fileQuote(pr.link), msg)
				status = 1
				continue
			}
			if err := env.FS.Remove(lp); err != nil {
				env.Errorf(args[0], "cannot remove %s: %s", fileQuote(pr.link), errText(err))
				status = 1
				continue
			}
		}
		var err error
		if f.has("s") {
			target := pr.target
			if f.has("r") {
				target = lnRelative(path.Dir(lp), env.Abs(pr.target))
			}
			err = fileSymlink(env.FS, target, lp)
		} else {
			if _, serr := env.FS.Stat(env.Abs(pr.target)); serr != nil {
				env.Errorf(args[0], "failed to access %s: %s", fileQuote(pr.target), errText(serr))
				status = 1
				continue
			}
			err = &os.LinkError{Op: "link", Old: pr.target, New: lp, Err: syscall.ENOTSUP}
		}
		if err != nil {
			if f.has("s") {
				env.Errorf(args[0], "failed to create %s %s: %s", what, fileQuote(pr.link), errText(err))
			} else {
				env.Errorf(args[0], "failed to create %s %s => %s: %s", what, fileQuote(pr.link), fileQuote(pr.target), errText(err))
			}
			status = 1
			continue
		}
		if f.has("v") {
			sep := "->"
			if !f.has("s") {
				sep = "=>"
			}
			fmt.Fprintf(env.Stdout, "%s %s %s\n", fileQuote(pr.link), sep, fileQuote(pr.target))
		}
	}
	return status
}

// lnRelative returns target relative to dir (both absolute and clean).
func lnRelative(dir, target string) string {
	ds := strings.Split(strings.Trim(dir, "/"), "/")
	ts := strings.Split(strings.Trim(target, "/"), "/")
	if dir == "/" {
		ds = nil
	}
	if target == "/" {
		ts = nil
	}
	i := 0
	for i < len(ds) && i < len(ts) && ds[i] == ts[i] {
		i++
	}
	var parts []string
	for range ds[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, ts[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}
