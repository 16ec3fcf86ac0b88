package coreutils

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/afero"
)

// fileChunk is the size of the pieces copies are made in, so that a
// cancelled context stops them promptly.
const fileChunk = 32 << 10

// The fixed identity the sandbox reports.
const (
	fileUserName  = "user"
	fileGroupName = "user"
	fileUID       = 1000
	fileGID       = 1000
)

// fileLstat returns the FileInfo of name without following a final symlink
// when the filesystem can tell symlinks apart.
func fileLstat(fsys afero.Fs, name string) (fs.FileInfo, error) {
	if l, ok := fsys.(afero.Lstater); ok {
		fi, _, err := l.LstatIfPossible(name)
		return fi, err
	}
	return fsys.Stat(name)
}

// fileReadlink returns the target of the symlink name.
func fileReadlink(fsys afero.Fs, name string) (string, error) {
	if r, ok := fsys.(afero.LinkReader); ok {
		return r.ReadlinkIfPossible(name)
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
}

// fileSymlink creates newname as a symlink to oldname.
func fileSymlink(fsys afero.Fs, oldname, newname string) error {
	if l, ok := fsys.(afero.Linker); ok {
		return l.SymlinkIfPossible(oldname, newname)
	}
	return &os.LinkError{Op: "symlink", Old: oldname, New: newname, Err: errors.ErrUnsupported}
}

func fileIsLink(fi fs.FileInfo) bool { return fi != nil && fi.Mode()&fs.ModeSymlink != 0 }

// fileReadDir lists a directory sorted by name, without following symlinks
// in the entries.
func fileReadDir(fsys afero.Fs, dir string) ([]fs.FileInfo, error) {
	return afero.ReadDir(fsys, dir)
}

// fileCtxReader is an io.Reader that fails once its context is done.
type fileCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c fileCtxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) > fileChunk {
		p = p[:fileChunk]
	}
	return c.r.Read(p)
}

// fileCopy copies r to w in chunks, stopping when ctx is done.
func fileCopy(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, fileChunk)
	return io.CopyBuffer(w, fileCtxReader{ctx, r}, buf)
}

// fileOpenInput opens an input operand: "-" is standard input. The returned
// closer is a no-op for standard input.
func fileOpenInput(env *Env, name string) (io.Reader, func(), error) {
	if name == "-" {
		return env.Stdin, func() {}, nil
	}
	p := env.Abs(name)
	fi, err := env.FS.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if fi.IsDir() {
		return nil, nil, &fs.PathError{Op: "read", Path: p, Err: syscall.EISDIR}
	}
	f, err := env.FS.Open(p)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// fileQuote quotes a name the way GNU tools do in the C locale for messages
// like "cannot remove 'x'".
func fileQuote(s string) string {
	if !strings.ContainsAny(s, "'\\\n\t") {
		return "'" + s + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fileModeString renders a mode as ls -l does ("drwxr-xr-x").
func fileModeString(m fs.FileMode) string {
	var b [10]byte
	switch {
	case m&fs.ModeDir != 0:
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	default:
		b[0] = '-'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		} else {
			b[i+1] = '-'
		}
	}
	special := func(i int, on bool, lower, upper byte) {
		if !on {
			return
		}
		if b[i] == '-' {
			b[i] = upper
		} else {
			b[i] = lower
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's', 'S')
	special(6, m&fs.ModeSetgid != 0, 's', 'S')
	special(9, m&fs.ModeSticky != 0, 't', 'T')
	return string(b[:])
}

// fileLocation is the time zone of the sandbox: always UTC. (Loading TZ
// from the zone database would read host files.)
func fileLocation(*Env) *time.Location { return time.UTC }

// fileWalk calls fn for root and, when it is a directory (not a symlink),
// for everything under it in lexical order, parents before children. fn's
// error for a directory of fs.SkipDir skips it. Unreadable directories are
// reported to fn with a non-nil err.
func fileWalk(ctx context.Context, fsys afero.Fs, root string, fi fs.FileInfo, fn func(p string, fi fs.FileInfo, err error) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := fn(root, fi, nil); err != nil {
		if err == fs.SkipDir {
			return nil
		}
		return err
	}
	if !fi.IsDir() {
		return nil
	}
	entries, err := fileReadDir(fsys, root)
	if err != nil {
		return fn(root, fi, err)
	}
	for _, e := range entries {
		if err := fileWalk(ctx, fsys, path.Join(root, e.Name()), e, fn); err != nil {
			return err
		}
	}
	return nil
}

// fileExists reports whether name exists (without following a final symlink).
func fileExists(fsys afero.Fs, name string) bool {
	_, err := fileLstat(fsys, name)
	return err == nil
}

// isDirErr reports whether err says a directory was found where a file was
// expected.
func isDirErr(err error) bool { return errors.Is(err, syscall.EISDIR) }

// fileFS is the filesystem type utilities work on.
type fileFS = afero.Fs

var (
	errNotDir   error = syscall.ENOTDIR
	errNotEmpty error = syscall.ENOTEMPTY
)

// fileOpenWrite opens name for writing like fsys.OpenFile, but when flag
// has O_CREATE it first checks that the parent directory exists (some
// afero filesystems create files in missing directories).
func fileOpenWrite(fsys afero.Fs, name string, flag int, perm fs.FileMode) (afero.File, error) {
	if flag&os.O_CREATE != 0 {
		dir := path.Dir(name)
		fi, err := fsys.Stat(dir)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		if !fi.IsDir() {
			return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.ENOTDIR}
		}
	}
	return fsys.OpenFile(name, flag, perm)
}
