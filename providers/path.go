package providers

import (
	"io/fs"
	"path"
	"strings"
)

// MaxPathBytes bounds a workspace path; MaxNameBytes bounds one component.
const (
	MaxPathBytes = 4096
	MaxNameBytes = 255
)

// WorkspacePath checks a path given to a Session file operation and returns it
// cleaned and relative to the workspace root ("." for the root itself), using
// forward slashes.
//
// A relative p is taken relative to root; an absolute p must lie under root.
// It does not resolve symlinks: a provider that has them must also confine
// them.
//
// # Errors
//
// CodeInvalidPath for an empty path, a NUL byte or an over-long path or name;
// CodePathEscape when p leaves root.
func WorkspacePath(root, p string) (string, error) {
	if root == "" {
		root = DefaultRoot
	}
	switch {
	case p == "":
		return "", &Error{Code: CodeInvalidPath, Op: "path", Message: "empty path"}
	case strings.IndexByte(p, 0) >= 0:
		return "", &Error{Code: CodeInvalidPath, Op: "path", Target: strings.ReplaceAll(p, "\x00", `\x00`), Message: "NUL byte in path"}
	case len(p) > MaxPathBytes:
		return "", &Error{Code: CodeInvalidPath, Op: "path", Target: p[:64] + "...", Message: "path too long"}
	}
	for _, name := range strings.Split(p, "/") {
		if len(name) > MaxNameBytes {
			return "", &Error{Code: CodeInvalidPath, Op: "path", Target: p, Message: "name too long"}
		}
	}
	var rel string
	if path.IsAbs(p) {
		r := path.Clean(root)
		c := path.Clean(p)
		switch {
		case c == r:
			return ".", nil
		case r == "/":
			rel = c[1:]
		case strings.HasPrefix(c, r+"/"):
			rel = c[len(r)+1:]
		default:
			return "", &Error{Code: CodePathEscape, Op: "path", Target: p, Message: "path is outside the workspace root " + r}
		}
	} else {
		rel = path.Clean(p)
	}
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", &Error{Code: CodePathEscape, Op: "path", Target: p, Message: "path leaves the workspace root"}
	}
	return rel, nil
}

// UnixMode returns the permission bits of m in Unix numbering, with setuid
// 04000, setgid 02000 and sticky 01000, as tar headers and chmod use them.
func UnixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}

// ModeFromUnix converts Unix permission bits (as UnixMode returns them) to
// an fs.FileMode.
func ModeFromUnix(u uint32) fs.FileMode {
	m := fs.FileMode(u & 0o777)
	if u&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if u&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if u&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}
