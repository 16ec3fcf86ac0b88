package coreutils

import (
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/spf13/afero"
)

// fileMaxLinks is how many symlinks a path may pass through before
// resolution fails with ELOOP.
const fileMaxLinks = 40

// fileRealpath resolves every symlink in the absolute path p. With
// mustExist it fails unless every component exists; otherwise (realpath -m)
// missing components are kept as they are. With lastMayMiss only the final
// component may be missing (readlink -f, realpath's default).
func fileRealpath(fsys afero.Fs, p string, mustExist, lastMayMiss bool) (string, error) {
	links := 0
	todo := strings.Split(strings.Trim(path.Clean(p), "/"), "/")
	if p == "/" || path.Clean(p) == "/" {
		todo = nil
	}
	cur := "/"
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, name)
		fi, err := fileLstat(fsys, next)
		if err != nil {
			if mustExist && !(lastMayMiss && len(todo) == 0) {
				return "", err
			}
			if !mustExist || lastMayMiss && len(todo) == 0 {
				if !mustExist {
					cur = next
					continue
				}
				return next, nil
			}
			return "", err
		}
		if fileIsLink(fi) {
			links++
			if links > fileMaxLinks {
				return "", &fs.PathError{Op: "realpath", Path: p, Err: syscall.ELOOP}
			}
			target, err := fileReadlink(fsys, next)
			if err != nil {
				return "", err
			}
			parts := strings.Split(target, "/")
			if strings.HasPrefix(target, "/") {
				cur = "/"
			}
			todo = append(parts, todo...)
			continue
		}
		if len(todo) > 0 && !fi.IsDir() && mustExist {
			return "", &fs.PathError{Op: "realpath", Path: next, Err: syscall.ENOTDIR}
		}
		cur = next
	}
	return cur, nil
}
