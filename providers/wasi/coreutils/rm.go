package coreutils

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// cmdRm is rm: remove files (-r recursive, -f force, -d empty directories,
// -v verbose). -i is accepted and ignored: there is no one to ask.
func cmdRm(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "rRfdviI",
		long: map[string]string{"recursive": "r", "force": "f", "dir": "d", "verbose": "v",
			"interactive?": "i", "no-preserve-root": "npr", "preserve-root?": "pr", "one-file-system": "ofs"},
	}, args)
	if !ok {
		return 1
	}
	force := f.has("f")
	recursive := f.has("r") || f.has("R")
	if len(f.operands) == 0 {
		if force {
			return 0
		}
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	r := &rmRun{ctx: ctx, env: env, cmd: args[0], force: force, verbose: f.has("v"), dirs: f.has("d")}
	for _, op := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		base := path.Base(strings.TrimRight(op, "/"))
		if base == "." || base == ".." {
			env.Errorf(args[0], "refusing to remove '.' or '..' directory: skipping %s", fileQuote(op))
			r.status = 1
			continue
		}
		p := env.Abs(op)
		if p == "/" && recursive && !f.has("npr") {
			env.Errorf(args[0], "it is dangerous to operate recursively on '/'")
			env.Errorf(args[0], "use --no-preserve-root to override this failsafe")
			r.status = 1
			continue
		}
		fi, err := fileLstat(env.FS, p)
		if err != nil {
			if !force {
				env.Errorf(args[0], "cannot remove %s: %s", fileQuote(op), errText(err))
				r.status = 1
			}
			continue
		}
		if fi.IsDir() && !recursive {
			if r.dirs {
				r.removeOne(op, p, true)
				continue
			}
			env.Errorf(args[0], "cannot remove %s: %s", fileQuote(op), "Is a directory")
			r.status = 1
			continue
		}
		r.remove(op, p, fi)
	}
	return r.status
}

// rmRun is one rm invocation.
type rmRun struct {
	ctx                  context.Context
	env                  *Env
	cmd                  string
	force, verbose, dirs bool
	status               int
}

// remove removes p and, for a directory, everything under it, children
// first. It reports whether p was removed.
func (r *rmRun) remove(name, p string, fi fs.FileInfo) bool {
	if r.ctx.Err() != nil {
		r.status = 1
		return false
	}
	if !fi.IsDir() {
		return r.removeOne(name, p, false)
	}
	entries, err := fileReadDir(r.env.FS, p)
	if err != nil {
		r.env.Errorf(r.cmd, "cannot remove %s: %s", fileQuote(name), errText(err))
		r.status = 1
		return false
	}
	ok := true
	for _, e := range entries {
		if !r.remove(strings.TrimRight(name, "/")+"/"+e.Name(), path.Join(p, e.Name()), e) {
			ok = false
		}
	}
	if !ok {
		return false
	}
	return r.removeOne(name, p, true)
}

func (r *rmRun) removeOne(name, p string, dir bool) bool {
	var err error
	if dir {
		err = rmdirOne(r.env.FS, p)
	} else {
		err = r.env.FS.Remove(p)
	}
	if err != nil {
		r.env.Errorf(r.cmd, "cannot remove %s: %s", fileQuote(name), errText(err))
		r.status = 1
		return false
	}
	if r.verbose {
		if dir {
			fmt.Fprintf(r.env.Stdout, "removed directory %s\n", fileQuote(name))
		} else {
			fmt.Fprintf(r.env.Stdout, "removed %s\n", fileQuote(name))
		}
	}
	return true
}
