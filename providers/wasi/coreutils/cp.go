package coreutils

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/wsbx/wsbx/providers"
)

// cpRun is one cp (or mv fallback) invocation.
type cpRun struct {
	ctx                        context.Context
	env                        *Env
	cmd                        string
	recursive, preserve, force bool
	noClobber, verbose, update bool
	derefAll, derefTop         bool
	status                     int
}

// cmdCp is cp: copy files and directories (-r/-R recursive, -p preserve
// mode and times, -a archive, -f, -n, -u, -v, -L/-H/-P/-d for symlinks, -T,
// -t DIR).
func cmdCp(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "rRpafnuvLHPdTsl", withArg: "t",
		long: map[string]string{"recursive": "r", "preserve?": "p", "archive": "a", "force": "f", "no-clobber": "n",
			"update?": "u", "verbose": "v", "dereference": "L", "no-dereference": "P", "no-target-directory": "T",
			"target-directory=": "t", "parents": "parents"},
	}, args)
	if !ok {
		return 1
	}
	c := &cpRun{ctx: ctx, env: env, cmd: args[0],
		recursive: f.has("r") || f.has("R") || f.has("a"),
		preserve:  f.has("p") || f.has("a"),
		force:     f.has("f"), noClobber: f.has("n"), verbose: f.has("v"), update: f.has("u"),
	}
	if f.has("s") || f.has("l") {
		env.Errorf(args[0], "links instead of copies are not supported")
		return 1
	}
	switch f.last("L", "P", "d", "H", "a") {
	case "L":
		c.derefAll, c.derefTop = true, true
	case "H":
		c.derefTop = true
	case "P", "d", "a":
	default:
		c.derefTop = !c.recursive
	}
	srcs, dst, intoDir, ok := fileTargets(env, args[0], f)
	if !ok {
		return 1
	}
	for _, s := range srcs {
		if ctx.Err() != nil {
			return 1
		}
		d := dst
		if intoDir {
			d = strings.TrimRight(dst, "/") + "/" + path.Base(strings.TrimRight(s, "/"))
			if dst == "/" {
				d = "/" + path.Base(s)
			}
		}
		c.copyTop(s, d)
	}
	return c.status
}

func (c *cpRun) errorf(format string, a ...any) {
	c.env.Errorf(c.cmd, format, a...)
	c.status = 1
}

// copyTop copies one command-line source to its destination.
func (c *cpRun) copyTop(srcName, dstName string) {
	src, dst := c.env.Abs(srcName), c.env.Abs(dstName)
	var fi fs.FileInfo
	var err error
	if c.derefTop {
		fi, err = c.env.FS.Stat(src)
	} else {
		fi, err = fileLstat(c.env.FS, src)
	}
	if err != nil {
		c.errorf("cannot stat %s: %s", fileQuote(srcName), errText(err))
		return
	}
	if fi.IsDir() {
		if !c.recursive {
			c.errorf("-r not specified; omitting directory %s", fileQuote(srcName))
			return
		}
		rs, _ := fileRealpath(c.env.FS, src, false, false)
		rd, _ := fileRealpath(c.env.FS, dst, false, false)
		if rd == rs || strings.HasPrefix(rd, strings.TrimSuffix(rs, "/")+"/") {
			c.errorf("cannot copy a directory, %s, into itself, %s", fileQuote(srcName), fileQuote(dstName))
			return
		}
	}
	c.copy(srcName, src, fi, dstName, dst)
}

// copy copies src (whose FileInfo is fi) to dst.
func (c *cpRun) copy(srcName, src string, fi fs.FileInfo, dstName, dst string) {
	if c.ctx.Err() != nil {
		c.status = 1
		return
	}
	if fileIsLink(fi) && c.derefAll {
		tfi, err := c.env.FS.Stat(src)
		if err != nil {
			c.errorf("cannot stat %s: %s", fileQuote(srcName), errText(err))
			return
		}
		fi = tfi
	}
	dfi, derr := fileLstat(c.env.FS, dst)
	exists := derr == nil
	switch {
	case fi.IsDir():
		if exists && !dfi.IsDir() {
			if tfi, err := c.env.FS.Stat(dst); err != nil || !tfi.IsDir() {
				c.errorf("cannot overwrite non-directory %s with directory %s", fileQuote(dstName), fileQuote(srcName))
				return
			}
		}
		if !exists {
			if err := c.env.FS.Mkdir(dst, fi.Mode().Perm()|0o700); err != nil {
				c.errorf("cannot create directory %s: %s", fileQuote(dstName), errText(err))
				return
			}
			if c.verbose {
				fmt.Fprintf(c.env.Stdout, "%s -> %s\n", fileQuote(srcName), fileQuote(dstName))
			}
		}
		entries, err := fileReadDir(c.env.FS, src)
		if err != nil {
			c.errorf("cannot access %s: %s", fileQuote(srcName), errText(err))
			return
		}
		for _, e := range entries {
			c.copy(strings.TrimRight(srcName, "/")+"/"+e.Name(), path.Join(src, e.Name()), e,
				strings.TrimRight(dstName, "/")+"/"+e.Name(), path.Join(dst, e.Name()))
		}
		mode := fi.Mode().Perm()
		if !c.preserve {
			mode &^= fileUmask
		}
		if !exists || c.preserve {
			c.env.FS.Chmod(dst, providers.ModeFromUnix(providers.UnixMode(fi.Mode()))&^fs.ModePerm|mode|fs.ModeDir)
		}
		if c.preserve {
			c.env.FS.Chtimes(dst, fi.ModTime(), fi.ModTime())
		}
		return
	case fileIsLink(fi):
		target, err := fileReadlink(c.env.FS, src)
		if err != nil {
			c.errorf("cannot read symbolic link %s: %s", fileQuote(srcName), errText(err))
			return
		}
		if exists {
			if c.noClobber {
				return
			}
			if dfi.IsDir() {
				c.errorf("cannot overwrite directory %s with non-directory", fileQuote(dstName))
				return
			}
			c.env.FS.Remove(dst)
		}
		if err := fileSymlink(c.env.FS, target, dst); err != nil {
			c.errorf("cannot create symbolic link %s: %s", fileQuote(dstName), errText(err))
			return
		}
	default:
		if exists {
			rs, _ := fileRealpath(c.env.FS, src, false, false)
			rd, _ := fileRealpath(c.env.FS, dst, false, false)
			if rs == rd {
				c.errorf("%s and %s are the same file", fileQuote(srcName), fileQuote(dstName))
				return
			}
			if tfi, err := c.env.FS.Stat(dst); err == nil && tfi.IsDir() {
				c.errorf("cannot overwrite directory %s with non-directory", fileQuote(dstName))
				return
			}
			if c.noClobber {
				return
			}
			if c.update && !fi.ModTime().After(dfi.ModTime()) {
				return
			}
		}
		if err := c.copyFile(src, fi, dst, exists); err != nil {
			if c.ctx.Err() != nil {
				c.status = 1
				return
			}
			if pe, ok := err.(*cpSrcError); ok {
				c.errorf("cannot open %s for reading: %s", fileQuote(srcName), errText(pe.err))
			} else {
				c.errorf("cannot create regular file %s: %s", fileQuote(dstName), errText(err))
			}
			return
		}
	}
	if c.verbose {
		fmt.Fprintf(c.env.Stdout, "%s -> %s\n", fileQuote(srcName), fileQuote(dstName))
	}
	if c.preserve && !fileIsLink(fi) {
		c.env.FS.Chmod(dst, providers.ModeFromUnix(providers.UnixMode(fi.Mode())))
		c.env.FS.Chtimes(dst, fi.ModTime(), fi.ModTime())
	}
}

// cpSrcError marks a failure to open the source of a copy.
type cpSrcError struct{ err error }

func (e *cpSrcError) Error() string { return e.err.Error() }

// copyFile copies the regular file src to dst in chunks.
func (c *cpRun) copyFile(src string, fi fs.FileInfo, dst string, exists bool) error {
	in, err := c.env.FS.Open(src)
	if err != nil {
		return &cpSrcError{err}
	}
	defer in.Close()
	mode := fi.Mode().Perm() &^ fileUmask
	out, err := fileOpenWrite(c.env.FS, dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil && exists && c.force {
		c.env.FS.Remove(dst)
		exists = false
		out, err = fileOpenWrite(c.env.FS, dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	}
	if err != nil {
		return err
	}
	_, err = fileCopy(c.ctx, out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && !exists {
		c.env.FS.Chmod(dst, mode)
	}
	return err
}

// fileTargets splits the operands of cp or mv into sources and destination,
// as -t DIR, -T and a last operand naming a directory decide; intoDir
// reports that each source goes into dst under its own name. It reports a
// missing operand or an unusable target and returns ok false.
func fileTargets(env *Env, cmd string, f *fileFlags) (srcs []string, dst string, intoDir, ok bool) {
	ops := f.operands
	dir, hasDir := f.value("t")
	if len(ops) == 0 {
		env.Errorf(cmd, "missing file operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", cmd)
		return nil, "", false, false
	}
	if !hasDir && len(ops) == 1 {
		env.Errorf(cmd, "missing destination file operand after %s", fileQuote(ops[0]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", cmd)
		return nil, "", false, false
	}
	srcs, dst, intoDir = ops, dir, hasDir
	if !hasDir {
		srcs, dst = ops[:len(ops)-1], ops[len(ops)-1]
		fi, err := env.FS.Stat(env.Abs(dst))
		isDir := err == nil && fi.IsDir()
		switch {
		case f.has("T"):
			if len(srcs) > 1 {
				env.Errorf(cmd, "extra operand %s", fileQuote(ops[2]))
				return nil, "", false, false
			}
		case isDir:
			intoDir = true
		case len(srcs) > 1 && err != nil:
			env.Errorf(cmd, "target %s: %s", fileQuote(dst), errText(err))
			return nil, "", false, false
		case len(srcs) > 1:
			env.Errorf(cmd, "target %s is not a directory", fileQuote(dst))
			return nil, "", false, false
		}
	}
	return srcs, dst, intoDir, true
}
