package wasi

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers/wasi/internal/interp"
)

// The interpreter's handlers. Every file the shell itself opens, stats or
// lists (redirections, tests, globs, cd, source) goes to the session
// filesystem through these; device paths stand for the shell's own stdio.

func (x *execution) open(ctx context.Context, name string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	hc := interp.HandlerCtx(ctx)
	p := absPath(hc.Dir, name)
	dev := cmdFS{stdin: hc.Stdin, stdout: hc.Stdout, stderr: hc.Stderr}
	if f := dev.device(p); f != nil {
		return f, nil
	}
	f, err := x.fs.OpenFile(p, flag, perm)
	if err != nil {
		return nil, shellPathError("open", name, err)
	}
	if flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			f.Close()
			return nil, &os.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
		}
	}
	return f, nil
}

func (x *execution) stat(ctx context.Context, name string, follow bool) (fs.FileInfo, error) {
	dev := cmdFS{Fs: x.fs}
	if f := dev.peek(name); f != nil {
		return f.Stat()
	}
	if follow {
		return x.fs.Stat(name)
	}
	return lstat(x.fs, name)
}

func (x *execution) readDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	infos, err := afero.ReadDir(x.fs, name)
	if err != nil {
		return nil, err
	}
	entries := make([]fs.DirEntry, len(infos))
	for i, fi := range infos {
		entries[i] = fs.FileInfoToDirEntry(fi)
	}
	return entries, nil
}

// shellPathError gives the interpreter the *os.PathError it prints (any
// other error type would stop the whole script), worded like bash's
// "sh: NAME: No such file or directory".
func shellPathError(op, name string, err error) error {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
	case errors.Is(err, fs.ErrNotExist):
		errno = syscall.ENOENT
	case errors.Is(err, fs.ErrExist):
		errno = syscall.EEXIST
	case errors.Is(err, fs.ErrPermission):
		errno = syscall.EACCES
	default:
		cause := err
		var pe *fs.PathError
		if errors.As(err, &pe) {
			cause = pe.Err
		}
		return &os.PathError{Op: "sh:", Path: name, Err: cause}
	}
	return &os.PathError{Op: "sh:", Path: name, Err: errnoText{errno}}
}

// errnoText prints an errno the way shells and GNU tools do ("No such file
// or directory"); errors.Is still sees the errno.
type errnoText struct{ errno syscall.Errno }

func (e errnoText) Error() string {
	s := e.errno.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (e errnoText) Unwrap() error { return e.errno }

// execMiddleware runs every command that is not a shell function or builtin.
func (x *execution) execMiddleware(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		c := &call{x: x, dir: hc.Dir, stdin: hc.Stdin, stdout: hc.Stdout, stderr: hc.Stderr, hc: &hc,
			getenv: func(name string) string { return hc.Env.Get(name).String() }}
		if code := c.run(ctx, args); code != 0 {
			return interp.ExitStatus(uint8(code))
		}
		return nil
	}
}

func (x *execution) lookPathHandler(ctx context.Context, name string) string {
	hc := interp.HandlerCtx(ctx)
	c := &call{x: x, dir: hc.Dir, getenv: func(n string) string { return hc.Env.Get(n).String() }}
	return c.lookPath(name)
}
