package wasi

import (
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers/wasi/internal/interp"
)

// cmdFS is the filesystem one command sees: the session filesystem plus the
// device files that stand for the command's own stdio (/dev/stdin,
// /dev/stdout, /dev/stderr, /dev/fd/0-2), /dev/null, and the in-memory pipes
// of process substitutions (/dev/fd/63, ...). Nothing here reaches the host.
type cmdFS struct {
	afero.Fs
	stdin          io.Reader
	stdout, stderr io.Writer
	hc             *interp.HandlerContext // nil outside the shell
}

var (
	_ afero.Lstater   = (*cmdFS)(nil)
	_ afero.Symlinker = (*cmdFS)(nil)
)

// device returns the stream file for a device path, or nil.
func (c *cmdFS) device(name string) afero.File {
	if !strings.HasPrefix(name, "/dev/") {
		return nil
	}
	switch name {
	case "/dev/null":
		return &streamFile{name: name, r: eofReader{}, w: io.Discard, mode: fs.ModeDevice | fs.ModeCharDevice | 0o666}
	case "/dev/zero":
		return &streamFile{name: name, r: zeroReader{}, w: io.Discard, mode: fs.ModeDevice | fs.ModeCharDevice | 0o666}
	case "/dev/stdin", "/dev/fd/0":
		return &streamFile{name: name, r: orEOF(c.stdin), mode: fs.ModeNamedPipe | 0o600}
	case "/dev/stdout", "/dev/fd/1":
		return &streamFile{name: name, w: c.stdout, mode: fs.ModeNamedPipe | 0o600}
	case "/dev/stderr", "/dev/fd/2":
		return &streamFile{name: name, w: c.stderr, mode: fs.ModeNamedPipe | 0o600}
	}
	if c.hc != nil && strings.HasPrefix(name, "/dev/fd/") {
		if f, ok := c.hc.OpenProcFile(name); ok {
			return &streamFile{name: name, r: f, w: f, c: f, mode: fs.ModeNamedPipe | 0o600}
		}
	}
	return nil
}

func (c *cmdFS) Open(name string) (afero.File, error) {
	if f := c.device(name); f != nil {
		return f, nil
	}
	return c.Fs.Open(name)
}

func (c *cmdFS) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if f := c.device(name); f != nil {
		return f, nil
	}
	return c.Fs.OpenFile(name, flag, perm)
}

func (c *cmdFS) Create(name string) (afero.File, error) {
	return c.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (c *cmdFS) Stat(name string) (os.FileInfo, error) {
	if f := c.peek(name); f != nil {
		return f.Stat()
	}
	return c.Fs.Stat(name)
}

func (c *cmdFS) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if f := c.peek(name); f != nil {
		fi, err := f.Stat()
		return fi, true, err
	}
	if l, ok := c.Fs.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := c.Fs.Stat(name)
	return fi, false, err
}

func (c *cmdFS) SymlinkIfPossible(oldname, newname string) error {
	if l, ok := c.Fs.(afero.Symlinker); ok {
		return l.SymlinkIfPossible(oldname, newname)
	}
	return &os.LinkError{Op: "symlink", Old: oldname, New: newname, Err: afero.ErrNoSymlink}
}

func (c *cmdFS) ReadlinkIfPossible(name string) (string, error) {
	if l, ok := c.Fs.(afero.Symlinker); ok {
		return l.ReadlinkIfPossible(name)
	}
	return "", &os.PathError{Op: "readlink", Path: name, Err: afero.ErrNoReadlink}
}

// peek describes a device without opening a process substitution (Stat must
// not consume it).
func (c *cmdFS) peek(name string) afero.File {
	if name == "/dev" || name == "/dev/fd" {
		// The directories of the device files, so that "does the parent
		// exist" checks pass.
		return &streamFile{name: name, mode: fs.ModeDir | 0o755}
	}
	if strings.HasPrefix(name, "/dev/fd/") {
		if n, err := strconv.Atoi(name[len("/dev/fd/"):]); err == nil && n > 2 {
			if c.hc == nil {
				return nil
			}
			return &streamFile{name: name, mode: fs.ModeNamedPipe | 0o600}
		}
	}
	return c.device(name)
}

// streamFile is an afero.File over a stream: a device or a pipe.
type streamFile struct {
	name string
	r    io.Reader
	w    io.Writer
	c    io.Closer
	mode fs.FileMode
}

func (f *streamFile) Close() error {
	if f.c != nil {
		return f.c.Close()
	}
	return nil
}

func (f *streamFile) Read(p []byte) (int, error) {
	if f.r == nil {
		return 0, f.err("read", syscall.EBADF)
	}
	return f.r.Read(p)
}

func (f *streamFile) Write(p []byte) (int, error) {
	if f.w == nil {
		return 0, f.err("write", syscall.EBADF)
	}
	return f.w.Write(p)
}

func (f *streamFile) WriteString(s string) (int, error) { return f.Write([]byte(s)) }
func (f *streamFile) ReadAt([]byte, int64) (int, error) { return 0, f.err("read", syscall.ESPIPE) }
func (f *streamFile) WriteAt([]byte, int64) (int, error) {
	return 0, f.err("write", syscall.ESPIPE)
}
func (f *streamFile) Seek(int64, int) (int64, error) { return 0, f.err("seek", syscall.ESPIPE) }
func (f *streamFile) Name() string                   { return f.name }
func (f *streamFile) Readdir(int) ([]os.FileInfo, error) {
	return nil, f.err("readdir", syscall.ENOTDIR)
}
func (f *streamFile) Readdirnames(int) ([]string, error) {
	return nil, f.err("readdir", syscall.ENOTDIR)
}
func (f *streamFile) Stat() (os.FileInfo, error) { return streamInfo{f}, nil }
func (f *streamFile) Sync() error                { return nil }
func (f *streamFile) Truncate(int64) error {
	if f.name == "/dev/null" {
		return nil
	}
	return f.err("truncate", syscall.EINVAL)
}

func (f *streamFile) err(op string, errno syscall.Errno) error {
	return &os.PathError{Op: op, Path: f.name, Err: errno}
}

type streamInfo struct{ f *streamFile }

func (i streamInfo) Name() string       { return i.f.name[strings.LastIndexByte(i.f.name, '/')+1:] }
func (i streamInfo) Size() int64        { return 0 }
func (i streamInfo) Mode() fs.FileMode  { return i.f.mode }
func (i streamInfo) ModTime() time.Time { return time.Time{} }
func (i streamInfo) IsDir() bool        { return i.f.mode.IsDir() }
func (i streamInfo) Sys() any           { return nil }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func orEOF(r io.Reader) io.Reader {
	if r == nil {
		return eofReader{}
	}
	return r
}
