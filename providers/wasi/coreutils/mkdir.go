package coreutils

import (
	"context"
	"fmt"
	"io/fs"
	"path"

	"github.com/wsbx/wsbx/providers"
)

// cmdMkdir is mkdir: make directories (-p parents, -m mode, -v verbose).
func cmdMkdir(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "pv", withArg: "m",
		long: map[string]string{"parents": "p", "verbose": "v", "mode=": "m"},
	}, args)
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	perm := fs.FileMode(0o755)
	if m, ok := f.value("m"); ok {
		u, err := chmodApply(m, 0o777, true)
		if err != nil {
			env.Errorf(args[0], "invalid mode %s", fileQuote(m))
			return 1
		}
		perm = providers.ModeFromUnix(u)
	}
	parents, verbose := f.has("p"), f.has("v")
	status := 0
	for _, op := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		p := env.Abs(op)
		if parents {
			if err := mkdirParents(env, op, p, perm, verbose); err != nil {
				env.Errorf(args[0], "cannot create directory %s: %s", fileQuote(op), errText(err))
				status = 1
			}
			continue
		}
		if err := mkdirOne(env.FS, p, perm); err != nil {
			env.Errorf(args[0], "cannot create directory %s: %s", fileQuote(op), errText(err))
			status = 1
			continue
		}
		if verbose {
			fmt.Fprintf(env.Stdout, "mkdir: created directory %s\n", fileQuote(op))
		}
	}
	return status
}

// mkdirOne creates one directory whose parent must exist.
func mkdirOne(fsys fileFS, p string, perm fs.FileMode) error {
	if fi, err := fsys.Stat(path.Dir(p)); err != nil {
		return err
	} else if !fi.IsDir() {
		return &fs.PathError{Op: "mkdir", Path: p, Err: errNotDir}
	}
	if err := fsys.Mkdir(p, perm); err != nil {
		return err
	}
	// Mkdir applies no umask on some filesystems; set the mode asked for.
	fsys.Chmod(p, perm|fs.ModeDir)
	return nil
}

// mkdirParents creates p and its missing parents; an existing directory is
// not an error.
func mkdirParents(env *Env, op, p string, perm fs.FileMode, verbose bool) error {
	if fi, err := env.FS.Stat(p); err == nil {
		if fi.IsDir() {
			return nil
		}
		return &fs.PathError{Op: "mkdir", Path: p, Err: fs.ErrExist}
	}
	parent := path.Dir(p)
	if parent != p {
		if err := mkdirParents(env, path.Dir(op), parent, 0o755, verbose); err != nil {
			return err
		}
	}
	if err := env.FS.Mkdir(p, perm); err != nil {
		if fi, serr := env.FS.Stat(p); serr == nil && fi.IsDir() {
			return nil
		}
		return err
	}
	env.FS.Chmod(p, perm|fs.ModeDir)
	if verbose {
		fmt.Fprintf(env.Stdout, "mkdir: created directory %s\n", fileQuote(op))
	}
	return nil
}
