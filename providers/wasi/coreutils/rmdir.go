package coreutils

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// cmdRmdir is rmdir: remove empty directories (-p parents,
// --ignore-fail-on-non-empty, -v).
func cmdRmdir(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "pv",
		long:  map[string]string{"parents": "p", "verbose": "v", "ignore-fail-on-non-empty": "ignore"},
	}, args)
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	ignore := f.has("ignore")
	status := 0
	for _, op := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		names := []string{op}
		if f.has("p") {
			for d := strings.TrimRight(op, "/"); ; {
				d = path.Dir(d)
				if d == "." || d == "/" {
					break
				}
				names = append(names, d)
			}
		}
		for _, n := range names {
			err := rmdirOne(env.FS, env.Abs(n))
			if err != nil {
				if !(ignore && errText(err) == "Directory not empty") {
					env.Errorf(args[0], "failed to remove %s: %s", fileQuote(n), errText(err))
					status = 1
				}
				break
			}
			if f.has("v") {
				fmt.Fprintf(env.Stdout, "rmdir: removing directory, %s\n", fileQuote(n))
			}
		}
	}
	return status
}

// rmdirOne removes the empty directory p (not following a final symlink).
func rmdirOne(fsys fileFS, p string) error {
	fi, err := fileLstat(fsys, p)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &fs.PathError{Op: "rmdir", Path: p, Err: errNotDir}
	}
	entries, err := fileReadDir(fsys, p)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return &fs.PathError{Op: "rmdir", Path: p, Err: errNotEmpty}
	}
	return fsys.Remove(p)
}
