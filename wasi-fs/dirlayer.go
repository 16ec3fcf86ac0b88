package wasifs

import (
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/afero"
)

// NewDirLayer returns a layer on the host directory dir, which must exist
// when the layer is used. It stores symlinks with their targets as given
// and resolves them inside dir: an absolute target starts at dir and ".."
// stops there, so no path, symlink or race reaches outside dir (every
// access goes through an [os.Root] on dir). Paths are interpreted like
// those of an [Overlay].
//
// Unlike afero.NewBasePathFs(afero.NewOsFs(), dir), whose symlinks are
// followed by the host and can point anywhere, and whose
// SymlinkIfPossible stores host paths, it keeps symlinks inside dir.
//
// Devices, named pipes and sockets found in dir are listed but cannot be
// opened (EACCES).
//
// The layer holds no open descriptor between calls and is safe for
// concurrent use (as safe as the host directory is).
func NewDirLayer(dir string) afero.Fs { return &dirLayer{dir: dir} }

type dirLayer struct{ dir string }

// dirNS lets the resolver walk the host directory through a root.
type dirNS struct{ r *os.Root }

func (ns dirNS) root() struct{} { return struct{}{} }

func (ns dirNS) child(_ struct{}, dirRel, name string) (struct{}, entryKind, error) {
	fi, err := ns.r.Lstat(rootPath(joinRel(dirRel, name)))
	switch {
	case err == nil && fi.IsDir():
		return struct{}{}, kindDir, nil
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		return struct{}{}, kindSymlink, nil
	case err == nil:
		return struct{}{}, kindFile, nil
	case isNotExist(err):
		return struct{}{}, kindNone, nil
	}
	return struct{}{}, kindNone, toErrno(err)
}

func (ns dirNS) readlink(_ struct{}, rel string) (string, error) {
	return ns.r.Readlink(rootPath(rel))
}

// rootPath is the name of a cleaned root-relative path inside an os.Root.
func rootPath(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

// open resolves name inside the directory and returns the open root, which
// the caller closes.
func (l *dirLayer) open(op, name string, follow bool) (*os.Root, resolved[struct{}], error) {
	return l.openWith(op, name, func(ns dirNS) (resolved[struct{}], error) { return resolve(ns, name, follow) })
}

// openEntry is open for unlink, rmdir and rename: see resolveEntry.
func (l *dirLayer) openEntry(op, name string) (*os.Root, resolved[struct{}], error) {
	return l.openWith(op, name, func(ns dirNS) (resolved[struct{}], error) { return resolveEntry(ns, name) })
}

func (l *dirLayer) openWith(op, name string, res func(dirNS) (resolved[struct{}], error)) (*os.Root, resolved[struct{}], error) {
	var r resolved[struct{}]
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return nil, r, pathErr(op, name, toErrno(err))
	}
	r, err = res(dirNS{root})
	if err != nil {
		root.Close()
		return nil, r, pathErr(op, name, err)
	}
	return root, r, nil
}

// fail wraps an error of an os.Root call on a resolved path.
func fail(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return pathErr(op, name, toErrno(err))
}

func (l *dirLayer) Name() string { return "wasifs.DirLayer" }

func (l *dirLayer) Create(name string) (afero.File, error) {
	return l.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (l *dirLayer) Open(name string) (afero.File, error) { return l.OpenFile(name, os.O_RDONLY, 0) }

func (l *dirLayer) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if flag&os.O_CREATE != 0 && strings.HasSuffix(name, "/") {
		root, _, err := l.openWith("open", name, func(ns dirNS) (resolved[struct{}], error) {
			return resolved[struct{}]{}, createSlash(ns, name)
		})
		if err != nil {
			return nil, err
		}
		root.Close()
	}
	excl := flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0
	root, r, err := l.open("open", name, !excl)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	switch {
	case r.kind != kindNone && excl:
		return nil, pathErr("open", name, syscall.EEXIST)
	}
	if r.kind == kindFile {
		// Devices, pipes and sockets are not workspace content: opening
		// them could block or reach the host.
		fi, err := root.Lstat(r.rel)
		if err != nil {
			return nil, fail("open", name, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, pathErr("open", name, syscall.EACCES)
		}
	}
	f, err := root.OpenFile(rootPath(r.rel), flag, perm)
	if err != nil {
		return nil, fail("open", name, err)
	}
	return &upperFile{File: f, name: name}, nil
}

func (l *dirLayer) Mkdir(name string, perm os.FileMode) error {
	root, r, err := l.open("mkdir", trimSlash(name), false)
	if err != nil {
		return err
	}
	defer root.Close()
	if r.kind != kindNone {
		return pathErr("mkdir", name, syscall.EEXIST)
	}
	return fail("mkdir", name, root.Mkdir(r.rel, perm))
}

func (l *dirLayer) MkdirAll(name string, perm os.FileMode) error { return mkdirAll(l, name, perm) }

func (l *dirLayer) Remove(name string) error {
	root, r, err := l.openEntry("remove", name)
	if err != nil {
		return err
	}
	defer root.Close()
	switch {
	case r.kind == kindNone:
		return pathErr("remove", name, syscall.ENOENT)
	case r.rel == "":
		return pathErr("remove", name, syscall.EBUSY)
	}
	return fail("remove", name, root.Remove(r.rel))
}

func (l *dirLayer) RemoveAll(name string) error {
	root, r, err := l.openEntry("removeall", trimSlash(name))
	if errnoOf(err) == syscall.ENOENT {
		return nil
	}
	if err != nil {
		return err
	}
	defer root.Close()
	switch {
	case r.kind == kindNone:
		return nil
	case r.rel != "":
		return fail("removeall", name, root.RemoveAll(r.rel))
	}
	f, err := root.Open(".")
	if err != nil {
		return fail("removeall", name, err)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return fail("removeall", name, err)
	}
	for _, n := range names {
		if err := root.RemoveAll(n); err != nil {
			return fail("removeall", name, err)
		}
	}
	return nil
}

func (l *dirLayer) Rename(oldname, newname string) error {
	root, ro, err := l.openEntry("rename", oldname)
	if err != nil {
		return linkErr("rename", oldname, newname, err.(*fs.PathError).Err)
	}
	defer root.Close()
	rn, err := resolve[struct{}](dirNS{root}, trimSlash(newname), false)
	if err == nil {
		err = checkRename(ro.rel, ro.kind, rn.rel, rn.kind, strings.HasSuffix(newname, "/"), func() bool { return true })
	}
	if err == nil && ro.rel != rn.rel && ro.kind == kindDir && rn.kind == kindDir {
		// os.Root.Rename refuses to replace a directory; rename(2)
		// replaces an empty one.
		err = toErrno(root.Remove(rn.rel))
	}
	if err == nil && ro.rel != rn.rel {
		err = toErrno(root.Rename(ro.rel, rn.rel))
	}
	if err != nil {
		return linkErr("rename", oldname, newname, err)
	}
	return nil
}

func (l *dirLayer) Stat(name string) (os.FileInfo, error) { return l.stat("stat", name, true) }

func (l *dirLayer) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	fi, err := l.stat("lstat", name, false)
	return fi, true, err
}

func (l *dirLayer) stat(op, name string, follow bool) (os.FileInfo, error) {
	root, r, err := l.open(op, name, follow)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	if r.kind == kindNone {
		return nil, pathErr(op, name, syscall.ENOENT)
	}
	fi, err := root.Lstat(rootPath(r.rel))
	if err != nil {
		return nil, fail(op, name, err)
	}
	return renamed(fi, baseName(name)), nil
}

func (l *dirLayer) modify(op, name string, fn func(root *os.Root, p string) error) error {
	root, r, err := l.open(op, name, true)
	if err != nil {
		return err
	}
	defer root.Close()
	if r.kind == kindNone {
		return pathErr(op, name, syscall.ENOENT)
	}
	return fail(op, name, fn(root, rootPath(r.rel)))
}

func (l *dirLayer) Chmod(name string, mode os.FileMode) error {
	return l.modify("chmod", name, func(root *os.Root, p string) error { return root.Chmod(p, mode) })
}

func (l *dirLayer) Chown(name string, uid, gid int) error {
	return l.modify("chown", name, func(root *os.Root, p string) error { return root.Chown(p, uid, gid) })
}

func (l *dirLayer) Chtimes(name string, atime, mtime time.Time) error {
	return l.modify("chtimes", name, func(root *os.Root, p string) error { return root.Chtimes(p, atime, mtime) })
}

func (l *dirLayer) SymlinkIfPossible(oldname, newname string) error {
	switch {
	case strings.IndexByte(oldname, 0) >= 0:
		return linkErr("symlink", oldname, newname, errInvalid)
	case oldname == "":
		return linkErr("symlink", oldname, newname, syscall.ENOENT)
	}
	root, r, err := l.open("symlink", trimSlash(newname), false)
	if err != nil {
		return linkErr("symlink", oldname, newname, err.(*fs.PathError).Err)
	}
	defer root.Close()
	if r.kind != kindNone {
		return linkErr("symlink", oldname, newname, syscall.EEXIST)
	}
	if strings.HasSuffix(newname, "/") {
		return linkErr("symlink", oldname, newname, syscall.ENOENT)
	}
	if err := root.Symlink(oldname, r.rel); err != nil {
		return linkErr("symlink", oldname, newname, toErrno(err))
	}
	return nil
}

func (l *dirLayer) ReadlinkIfPossible(name string) (string, error) {
	root, r, err := l.open("readlink", name, false)
	if err != nil {
		return "", err
	}
	defer root.Close()
	switch r.kind {
	case kindNone:
		return "", pathErr("readlink", name, syscall.ENOENT)
	case kindSymlink:
		target, err := root.Readlink(r.rel)
		return target, fail("readlink", name, err)
	}
	return "", pathErr("readlink", name, errInvalid)
}

var (
	_ afero.Fs        = (*dirLayer)(nil)
	_ afero.Symlinker = (*dirLayer)(nil)
)
