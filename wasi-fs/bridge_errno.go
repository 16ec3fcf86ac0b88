package wasifs

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/spf13/afero"
	"github.com/spf13/afero/mem"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// bridgeErrno maps an error from an afero.Fs to the errno a WASI guest sees.
//
// A syscall.Errno anywhere in the chain wins, since it is the most precise;
// then the categories of package fs; anything else is EIO.
func bridgeErrno(err error) experimentalsys.Errno {
	if err == nil {
		return 0
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		if e := experimentalsys.UnwrapOSError(en); e != 0 {
			return e
		}
		return experimentalsys.EIO
	}
	switch {
	case errors.Is(err, io.EOF):
		return 0
	case errors.Is(err, fs.ErrNotExist):
		return experimentalsys.ENOENT
	case errors.Is(err, fs.ErrExist):
		return experimentalsys.EEXIST
	case errors.Is(err, fs.ErrPermission):
		return experimentalsys.EPERM
	case errors.Is(err, fs.ErrInvalid):
		return experimentalsys.EINVAL
	case errors.Is(err, fs.ErrClosed), errors.Is(err, mem.ErrFileClosed):
		return experimentalsys.EBADF
	case errors.Is(err, afero.ErrNoSymlink), errors.Is(err, afero.ErrNoReadlink):
		return experimentalsys.ENOSYS
	case errors.Is(err, mem.ErrOutOfRange):
		return experimentalsys.EINVAL
	case errors.Is(err, mem.ErrTooLarge):
		return experimentalsys.ERANGE
	}
	return experimentalsys.EIO
}

// Limits on the paths a guest passes, as on Linux.
const (
	bridgeMaxName = 255
	bridgeMaxPath = 4096
)

// bridgePath turns a path as wazero passes it (relative to the mount, "."
// for its root, possibly with a trailing slash) into the absolute path used
// on the afero.Fs ("/" for the root). dirOnly reports a trailing slash, which
// requires the path to name a directory.
//
// # Errors
//
//   - EINVAL: the path contains a NUL byte.
//   - ENAMETOOLONG: a name is over 255 bytes or the path over 4096 bytes.
func bridgePath(p string) (name string, dirOnly bool, errno experimentalsys.Errno) {
	if strings.IndexByte(p, 0) >= 0 {
		return "", false, experimentalsys.EINVAL
	}
	if len(p) > bridgeMaxPath {
		return "", false, experimentalsys.ENAMETOOLONG
	}
	dirOnly = strings.HasSuffix(p, "/")
	name = path.Clean("/" + p) // "/" + p: ".." stops at the root
	for rest := name[1:]; rest != ""; {
		elem, tail, _ := strings.Cut(rest, "/")
		if len(elem) > bridgeMaxName {
			return "", false, experimentalsys.ENAMETOOLONG
		}
		rest = tail
	}
	return name, dirOnly && name != "/", 0
}
