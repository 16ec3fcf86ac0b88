package wasifs

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// Limits on paths, as on Linux.
const (
	maxNameBytes    = 255
	maxPathBytes    = 4096
	maxSymlinkDepth = 40
)

// errnoError is an errno that also matches a category of package fs that
// syscall.Errno does not match by itself (EINVAL and ENAMETOOLONG match
// fs.ErrInvalid, EROFS matches fs.ErrPermission).
type errnoError struct {
	errno syscall.Errno
	kind  error
}

func (e *errnoError) Error() string   { return e.errno.Error() }
func (e *errnoError) Unwrap() []error { return []error{e.errno, e.kind} }

var (
	errInvalid     error = &errnoError{syscall.EINVAL, fs.ErrInvalid}
	errNameTooLong error = &errnoError{syscall.ENAMETOOLONG, fs.ErrInvalid}
	errReadOnly    error = &errnoError{syscall.EROFS, fs.ErrPermission}
)

func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// errnoOf returns the syscall.Errno err carries, or 0.
func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

// toErrno translates an error from a layer into a syscall.Errno-carrying
// error, so errors leaving the overlay are uniform.
func toErrno(err error) error {
	if err == nil {
		return nil
	}
	if e := errnoOf(err); e != 0 {
		switch e {
		case syscall.EINVAL:
			return errInvalid
		case syscall.ENAMETOOLONG:
			return errNameTooLong
		case syscall.EROFS:
			return errReadOnly
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		var le *os.LinkError
		if errors.As(err, &le) {
			return le.Err
		}
		return err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return syscall.ENOENT
	case errors.Is(err, fs.ErrExist):
		return syscall.EEXIST
	case errors.Is(err, fs.ErrPermission):
		return syscall.EPERM
	case errors.Is(err, fs.ErrInvalid):
		return errInvalid
	case errors.Is(err, errors.ErrUnsupported):
		return syscall.ENOTSUP
	}
	return &errnoError{syscall.EIO, err}
}

// splitPath checks a user path and returns its names, cleaned: "." and empty
// names are dropped, ".." is kept for the resolver. dirSlash reports a
// trailing slash, which requires the result to be a directory.
func splitPath(name string) (names []string, dirSlash bool, err error) {
	if len(name) > maxPathBytes {
		return nil, false, errNameTooLong
	}
	if strings.IndexByte(name, 0) >= 0 {
		return nil, false, errInvalid
	}
	if name == "" {
		return nil, false, syscall.ENOENT
	}
	dirSlash = strings.HasSuffix(name, "/")
	for n := range strings.SplitSeq(name, "/") {
		switch {
		case n == "" || n == ".":
			continue
		case len(n) > maxNameBytes:
			return nil, false, errNameTooLong
		}
		names = append(names, n)
	}
	if len(names) > 0 && names[len(names)-1] == ".." || len(names) > 0 && strings.HasSuffix(name, "/.") {
		dirSlash = true
	}
	return names, dirSlash, nil
}

// isReserved reports whether a name is kept for whiteouts and markers.
func isReserved(name string) bool { return strings.HasPrefix(name, WhiteoutPrefix) }

// joinRel joins a cleaned root-relative directory ("" for the root) and a name.
func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// splitRel splits a cleaned root-relative path into its directory and name.
func splitRel(rel string) (dir, name string) {
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return "", rel
	}
	return rel[:i], rel[i+1:]
}

// layerPath turns a cleaned root-relative path into the absolute form given
// to layers.
func layerPath(rel string) string { return "/" + rel }

// displayPath is the path shown in errors: absolute and cleaned.
func displayPath(rel string) string { return "/" + rel }

// entryKind is what a resolver learns about one path.
type entryKind uint8

const (
	kindNone entryKind = iota
	kindDir
	kindFile // any non-directory that is not a symlink
	kindSymlink
)

// namespace is what the resolver needs from a filesystem: look up one name
// in a directory that is already resolved.
type namespace[N any] interface {
	root() N
	// child looks up name in dir; the result is kindNone when absent.
	child(dir N, dirRel, name string) (N, entryKind, error)
	readlink(n N, rel string) (string, error)
}

// resolved is the outcome of a resolution: the cleaned root-relative path
// with no symlink in it (except the last name when not followed), its parent
// node, and the node itself when it exists.
type resolved[N any] struct {
	rel    string
	parent N
	node   N
	kind   entryKind
}

// resolve walks the names of a user path inside the root, following
// symlinks (the last one only when followLast), never leaving the root.
// A missing last name is not an error: kind is kindNone.
func resolve[N any](ns namespace[N], name string, followLast bool) (resolved[N], error) {
	var r resolved[N]
	names, dirSlash, err := splitPath(name)
	if err != nil {
		return r, err
	}
	if dirSlash {
		followLast = true
	}
	// pending holds names still to walk, in reverse order (a stack).
	pending := make([]string, 0, len(names))
	for i := len(names) - 1; i >= 0; i-- {
		pending = append(pending, names[i])
	}
	type frame struct {
		rel  string
		node N
	}
	stack := []frame{{"", ns.root()}} // resolved directories, root first
	links := 0
	var cur N
	kind := kindDir
	cur = stack[0].node
	rel := ""
	var parent N = cur
	for len(pending) > 0 {
		n := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		last := len(pending) == 0
		if kind != kindDir {
			if kind == kindNone {
				return r, syscall.ENOENT
			}
			return r, syscall.ENOTDIR
		}
		if n == "." {
			continue
		}
		if n == ".." {
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			top := stack[len(stack)-1]
			rel, cur, kind = top.rel, top.node, kindDir
			if len(stack) > 1 {
				parent = stack[len(stack)-2].node
			} else {
				parent = top.node
			}
			continue
		}
		child, ck, err := ns.child(cur, rel, n)
		if err != nil {
			return r, err
		}
		crel := joinRel(rel, n)
		if ck == kindSymlink && (!last || followLast) {
			links++
			if links > maxSymlinkDepth {
				return r, syscall.ELOOP
			}
			target, err := ns.readlink(child, crel)
			if err != nil {
				return r, err
			}
			if target == "" {
				return r, syscall.ENOENT
			}
			tn, mustDir, err := splitPath(target)
			if err != nil {
				return r, err
			}
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
				rel, cur, kind, parent = "", stack[0].node, kindDir, stack[0].node
			}
			if mustDir {
				// A target with a trailing slash must be a directory:
				// "." checks that once the names before it are walked.
				pending = append(pending, ".")
			}
			for i := len(tn) - 1; i >= 0; i-- {
				pending = append(pending, tn[i])
			}
			continue
		}
		parent = cur
		rel, cur, kind = crel, child, ck
		if ck == kindDir {
			stack = append(stack, frame{crel, child})
		}
	}
	if dirSlash && kind != kindDir && kind != kindNone {
		return r, syscall.ENOTDIR
	}
	r.rel, r.parent, r.node, r.kind = rel, parent, cur, kind
	return r, nil
}

// resolveEntry resolves name without following a final symlink, even with
// a trailing slash, as unlink(2), rmdir(2) and rename(2) do: a trailing
// slash then requires a directory.
func resolveEntry[N any](ns namespace[N], name string) (resolved[N], error) {
	trimmed := strings.TrimRight(name, "/")
	if trimmed == "" || trimmed == name {
		return resolve(ns, name, false)
	}
	r, err := resolve(ns, trimmed, false)
	if err == nil && r.kind != kindDir && r.kind != kindNone {
		err = syscall.ENOTDIR
	}
	return r, err
}

// trimSlash drops trailing slashes, as os.RemoveAll does: it removes a
// symlink named with a trailing slash, not its target.
func trimSlash(name string) string {
	if t := strings.TrimRight(name, "/"); t != "" {
		return t
	}
	return name
}

// createSlash is the error of open(2) with O_CREAT on a name with a
// trailing slash: that of resolving its parent, else EISDIR.
func createSlash[N any](ns namespace[N], name string) error {
	if _, err := resolve(ns, trimSlash(name), false); err != nil {
		return err
	}
	return syscall.EISDIR
}
