package wasifs

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/afero"
)

// Overlay is a layered filesystem: read-only lower layers under one writable
// upper layer. It implements [afero.Fs], [afero.Lstater] and
// [afero.Symlinker]; see the package documentation for its semantics and
// errors.
//
// An Overlay is safe for concurrent use. Its layers must not be changed
// except through it while it is in use.
type Overlay struct {
	mu     sync.RWMutex // serializes metadata operations
	upper  afero.Fs     // nil for a read-only view
	lowers []afero.Fs
	layers []afero.Fs // upper (when not nil) then lowers

	rootOnce sync.Once
	rootDirs []int // the layers merged into the root
}

// New returns an overlay of the lower layers, top-most first, under the
// writable upper layer. A nil upper gives a read-only view; nil lowers are
// left out. The overlay never writes to a lower layer.
func New(upper afero.Fs, lowers ...afero.Fs) *Overlay {
	o := &Overlay{upper: upper}
	for _, l := range lowers {
		if l != nil {
			o.lowers = append(o.lowers, l)
		}
	}
	if upper != nil {
		o.layers = append(o.layers, upper)
	}
	o.layers = append(o.layers, o.lowers...)
	return o
}

// Upper returns the writable layer, nil for a read-only view.
func (o *Overlay) Upper() afero.Fs { return o.upper }

// Lowers returns the read-only layers, top-most first.
func (o *Overlay) Lowers() []afero.Fs { return append([]afero.Fs(nil), o.lowers...) }

// Name returns "wasifs.Overlay".
func (o *Overlay) Name() string { return "wasifs.Overlay" }

// node is what the overlay knows about one merged entry.
type node struct {
	kind entryKind
	top  int         // the layer holding the visible entry
	dirs []int       // directories: the layers merged into it, top-most first
	info fs.FileInfo // Lstat of the visible entry
}

// inUpper reports whether the visible entry lives in the upper layer.
func (o *Overlay) inUpper(n *node) bool { return o.upper != nil && n.top == 0 }

// ovNS lets the resolver walk the merged tree.
type ovNS struct{ o *Overlay }

func (ns ovNS) root() *node { return ns.o.rootNode() }

func (ns ovNS) child(dir *node, dirRel, name string) (*node, entryKind, error) {
	if isReserved(name) {
		return nil, kindNone, errInvalid
	}
	n, err := ns.o.child(dir, dirRel, name)
	if err != nil || n == nil {
		return nil, kindNone, err
	}
	return n, n.kind, nil
}

func (ns ovNS) readlink(n *node, rel string) (string, error) {
	return layerReadlink(ns.o.layers[n.top], rel)
}

// rootNode returns the node of the root. Which layers merge into the root
// never changes (only lower layers can hold a marker there), so that is
// worked out once.
func (o *Overlay) rootNode() *node {
	o.rootOnce.Do(func() {
		for i, l := range o.layers {
			fi, err := layerLstat(l, "")
			if err != nil || !fi.IsDir() {
				continue
			}
			o.rootDirs = append(o.rootDirs, i)
			if layerExists(l, OpaqueMarker) {
				break
			}
		}
	})
	n := &node{kind: kindDir, dirs: o.rootDirs}
	if len(n.dirs) > 0 {
		n.top = n.dirs[0]
		n.info, _ = layerLstat(o.layers[n.top], "")
	}
	if n.info == nil {
		n.info = &fileInfo{name: "/", mode: fs.ModeDir | 0o755}
	}
	return n
}

// child looks name up in the merged directory dir at dirRel; nil when absent.
func (o *Overlay) child(dir *node, dirRel, name string) (*node, error) {
	var n *node
	for _, i := range dir.dirs {
		p, err := layerProbe(o.layers[i], dirRel, name, n == nil)
		if err != nil {
			return nil, toErrno(err)
		}
		switch {
		case p.kind == kindNone:
		case n == nil:
			n = &node{top: i, info: p.info, kind: p.kind}
			if n.kind != kindDir {
				return n, nil
			}
			n.dirs = []int{i}
		case p.kind == kindDir:
			n.dirs = append(n.dirs, i)
		default:
			return n, nil // a non-directory below a directory is hidden
		}
		if p.opaque || p.whiteout {
			return n, nil
		}
	}
	return n, nil
}

// lookupRel finds the node of a cleaned path with no symlink in it but
// possibly the last name.
func (o *Overlay) lookupRel(rel string) (*node, error) {
	n := o.rootNode()
	if rel == "" {
		return n, nil
	}
	dir := ""
	for name := range strings.SplitSeq(rel, "/") {
		if n == nil {
			return nil, syscall.ENOENT
		}
		if n.kind != kindDir {
			return nil, syscall.ENOTDIR
		}
		c, err := o.child(n, dir, name)
		if err != nil {
			return nil, err
		}
		n, dir = c, joinRel(dir, name)
	}
	return n, nil
}

func (o *Overlay) resolve(name string, follow bool) (resolved[*node], error) {
	return resolve[*node](ovNS{o}, name, follow)
}

func (o *Overlay) resolveEntry(name string) (resolved[*node], error) {
	return resolveEntry[*node](ovNS{o}, name)
}

// resolveExisting resolves name and fails with ENOENT when it is absent.
func (o *Overlay) resolveExisting(name string, follow bool) (resolved[*node], error) {
	r, err := o.resolve(name, follow)
	if err == nil && r.kind == kindNone {
		err = syscall.ENOENT
	}
	return r, err
}

// listDir returns the merged entries of a directory, sorted by name, with
// whiteouts and markers left out and whited-out entries hidden.
func (o *Overlay) listDir(rel string, n *node) ([]fs.FileInfo, error) {
	var out []fs.FileInfo
	seen := map[string]bool{}
	hidden := map[string]bool{}
	for _, i := range n.dirs {
		infos, err := readDirLayer(o.layers[i], rel)
		if err != nil {
			return nil, toErrno(err)
		}
		var whiteouts []string
		for _, fi := range infos {
			name := fi.Name()
			if isReserved(name) {
				if name != OpaqueMarker {
					whiteouts = append(whiteouts, name[len(WhiteoutPrefix):])
				}
				continue
			}
			if seen[name] || hidden[name] {
				continue
			}
			seen[name] = true
			out = append(out, fi)
		}
		for _, w := range whiteouts {
			hidden[w] = true
		}
	}
	slices.SortFunc(out, func(a, b fs.FileInfo) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

func (o *Overlay) dirEmpty(rel string, n *node) (bool, error) {
	entries, err := o.listDir(rel, n)
	return len(entries) == 0, err
}

// copyUp makes the entry at rel (and its parent directories) exist in the
// upper layer. With truncate a regular file is copied without its content.
func (o *Overlay) copyUp(rel string, n *node, truncate bool) error {
	if rel == "" || o.inUpper(n) {
		return nil
	}
	if err := o.copyUpParent(rel); err != nil {
		return err
	}
	return copyEntry(o.layers[n.top], rel, o.upper, rel, n.info, truncate)
}

// copyUpParent makes the parent directories of rel exist in the upper layer.
func (o *Overlay) copyUpParent(rel string) error {
	dir, _ := splitRel(rel)
	if dir == "" {
		return nil
	}
	pn, err := o.lookupRel(dir)
	if err != nil {
		return err
	}
	if pn == nil {
		return syscall.ENOENT
	}
	return o.copyUp(dir, pn, false)
}

// created finishes the creation of an entry at rel in the upper layer: it
// drops the upper whiteout for it and makes a directory opaque when lower
// layers have something at its path.
func (o *Overlay) created(rel string, isDir bool) error {
	dir, name := splitRel(rel)
	wh := layerPath(joinRel(dir, WhiteoutPrefix+name))
	if layerExists(o.upper, joinRel(dir, WhiteoutPrefix+name)) {
		if err := o.upper.Remove(wh); err != nil {
			return err
		}
	}
	if !isDir {
		return nil
	}
	n, err := o.lookupRel(rel)
	if err != nil {
		return err
	}
	if n != nil && len(n.dirs) > 1 {
		return o.writeMarker(joinRel(rel, OpaqueMarker))
	}
	return nil
}

func (o *Overlay) writeMarker(rel string) error {
	f, err := o.upper.OpenFile(layerPath(rel), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}

// removeRel removes the entry at rel from the merged view: from the upper
// layer, and with a whiteout when a lower layer still shows it.
func (o *Overlay) removeRel(rel string, n *node) error {
	if o.inUpper(n) {
		if err := o.upper.RemoveAll(layerPath(rel)); err != nil {
			return err
		}
	}
	still, err := o.lookupRel(rel)
	if err != nil {
		return err
	}
	if still == nil {
		return nil
	}
	if err := o.copyUpParent(rel); err != nil {
		return err
	}
	dir, name := splitRel(rel)
	return o.writeMarker(joinRel(dir, WhiteoutPrefix+name))
}

func (o *Overlay) writable(op, name string) error {
	if o.upper == nil {
		return pathErr(op, name, errReadOnly)
	}
	return nil
}

// Create creates or truncates the named file, as [os.Create].
//
// # Errors
//
// As [Overlay.OpenFile].
func (o *Overlay) Create(name string) (afero.File, error) {
	return o.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open opens the named file or directory for reading, as [os.Open].
//
// # Errors
//
// As [Overlay.OpenFile].
func (o *Overlay) Open(name string) (afero.File, error) { return o.OpenFile(name, os.O_RDONLY, 0) }

// OpenFile opens the named file with the flags of package os, following
// symlinks. Opening a lower file for writing, or with O_TRUNC, first copies
// it up. Directories open for reading only and list merged entries.
//
// # Errors
//
// ENOENT (fs.ErrNotExist), EEXIST (fs.ErrExist) with O_CREATE|O_EXCL,
// EISDIR for a directory opened for writing, ENOTDIR, ELOOP, EINVAL, and
// EROFS for a read-only view.
func (o *Overlay) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	write := flag&(os.O_WRONLY|os.O_RDWR) != 0
	mutate := write || flag&(os.O_TRUNC|os.O_CREATE) != 0
	if !mutate {
		o.mu.RLock()
		defer o.mu.RUnlock()
		r, err := o.resolveExisting(name, true)
		if err != nil {
			return nil, pathErr("open", name, err)
		}
		return o.openRead(name, r)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if flag&os.O_CREATE != 0 && strings.HasSuffix(name, "/") {
		return nil, pathErr("open", name, createSlash(ovNS{o}, name))
	}
	excl := flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0
	r, err := o.resolve(name, !excl)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	switch {
	case r.kind == kindNone:
		if flag&os.O_CREATE == 0 {
			return nil, pathErr("open", name, syscall.ENOENT)
		}
		if err := o.writable("open", name); err != nil {
			return nil, err
		}
		if err := o.copyUpParent(r.rel); err != nil {
			return nil, pathErr("open", name, toErrno(err))
		}
		f, err := o.upper.OpenFile(layerPath(r.rel), flag, perm)
		if err != nil {
			return nil, pathErr("open", name, toErrno(err))
		}
		if err := o.created(r.rel, false); err != nil {
			f.Close()
			return nil, pathErr("open", name, toErrno(err))
		}
		return &upperFile{File: f, name: name}, nil
	case excl:
		return nil, pathErr("open", name, syscall.EEXIST)
	case r.kind == kindDir:
		if write {
			return nil, pathErr("open", name, syscall.EISDIR)
		}
		return o.openRead(name, r)
	case !write && flag&os.O_TRUNC == 0:
		return o.openRead(name, r)
	}
	if err := o.writable("open", name); err != nil {
		return nil, err
	}
	if err := o.copyUp(r.rel, r.node, flag&os.O_TRUNC != 0); err != nil {
		return nil, pathErr("open", name, toErrno(err))
	}
	f, err := o.upper.OpenFile(layerPath(r.rel), flag&^(os.O_CREATE|os.O_EXCL), perm)
	if err != nil {
		return nil, pathErr("open", name, toErrno(err))
	}
	return &upperFile{File: f, name: name}, nil
}

// openRead opens an existing entry for reading; the caller holds o.mu.
func (o *Overlay) openRead(name string, r resolved[*node]) (afero.File, error) {
	if r.kind == kindDir {
		return &dirFile{o: o, name: name, rel: r.rel, info: r.node.info}, nil
	}
	f, err := o.layers[r.node.top].Open(layerPath(r.rel))
	if err != nil {
		return nil, pathErr("open", name, toErrno(err))
	}
	if o.inUpper(r.node) {
		return &upperFile{File: f, name: name}, nil
	}
	return &lowerFile{upperFile{File: f, name: name}}, nil
}

// Mkdir creates a directory, as [os.Mkdir]. A directory created where a
// lower layer had one is opaque.
//
// # Errors
//
// EEXIST (fs.ErrExist), ENOENT for a missing parent, ENOTDIR, ELOOP, EINVAL,
// EROFS for a read-only view.
func (o *Overlay) Mkdir(name string, perm os.FileMode) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := o.resolve(trimSlash(name), false)
	if err == nil && r.kind != kindNone {
		err = syscall.EEXIST
	}
	if err != nil {
		return pathErr("mkdir", name, err)
	}
	if err := o.writable("mkdir", name); err != nil {
		return err
	}
	if err := o.copyUpParent(r.rel); err != nil {
		return pathErr("mkdir", name, toErrno(err))
	}
	if err := o.upper.Mkdir(layerPath(r.rel), perm); err != nil {
		return pathErr("mkdir", name, toErrno(err))
	}
	if err := o.created(r.rel, true); err != nil {
		return pathErr("mkdir", name, toErrno(err))
	}
	return nil
}

// MkdirAll creates a directory and any missing parents, as [os.MkdirAll].
//
// # Errors
//
// As [Overlay.Mkdir], except that existing directories are not an error.
func (o *Overlay) MkdirAll(name string, perm os.FileMode) error { return mkdirAll(o, name, perm) }

// Remove removes a file, symlink or empty directory, as [os.Remove]. An
// entry in a lower layer is hidden by a whiteout.
//
// # Errors
//
// ENOENT, ENOTEMPTY (fs.ErrExist), EBUSY for the root, ENOTDIR, ELOOP,
// EINVAL, EROFS for a read-only view.
func (o *Overlay) Remove(name string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := o.resolveEntry(name)
	switch {
	case err != nil:
	case r.kind == kindNone:
		err = syscall.ENOENT
	case r.rel == "":
		err = syscall.EBUSY
	}
	if err != nil {
		return pathErr("remove", name, err)
	}
	if r.kind == kindDir {
		empty, err := o.dirEmpty(r.rel, r.node)
		if err == nil && !empty {
			err = syscall.ENOTEMPTY
		}
		if err != nil {
			return pathErr("remove", name, err)
		}
	}
	if err := o.writable("remove", name); err != nil {
		return err
	}
	if err := o.removeRel(r.rel, r.node); err != nil {
		return pathErr("remove", name, toErrno(err))
	}
	return nil
}

// RemoveAll removes an entry and everything under it, as [os.RemoveAll];
// a missing entry is not an error. Removing the root empties it.
//
// # Errors
//
// ENOTDIR, ELOOP, EINVAL, EROFS for a read-only view.
func (o *Overlay) RemoveAll(name string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := o.resolveEntry(trimSlash(name))
	if errnoOf(err) == syscall.ENOENT || err == nil && r.kind == kindNone {
		return nil
	}
	if err != nil {
		return pathErr("removeall", name, err)
	}
	if err := o.writable("removeall", name); err != nil {
		return err
	}
	if r.rel != "" {
		if err := o.removeRel(r.rel, r.node); err != nil {
			return pathErr("removeall", name, toErrno(err))
		}
		return nil
	}
	entries, err := o.listDir("", r.node)
	if err != nil {
		return pathErr("removeall", name, err)
	}
	for _, fi := range entries {
		n, err := o.lookupRel(fi.Name())
		if err == nil && n != nil {
			err = o.removeRel(fi.Name(), n)
		}
		if err != nil {
			return pathErr("removeall", name, toErrno(err))
		}
	}
	return nil
}

// Rename renames (moves) an entry, as [os.Rename] and rename(2): it replaces
// a file, or an empty directory when the entry is a directory. A lower
// file is copied up under its new name; a lower directory is copied up with
// its whole merged tree. The old name is hidden by a whiteout.
//
// # Errors
//
// *fs.PathError on oldname with ENOENT, EISDIR, ENOTDIR, ENOTEMPTY, EINVAL (a directory
// into itself), EBUSY (the root), ELOOP, EROFS for a read-only view.
func (o *Overlay) Rename(oldname, newname string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	err := o.rename(oldname, newname)
	if err != nil {
		return linkErr("rename", oldname, newname, err)
	}
	return nil
}

func (o *Overlay) rename(oldname, newname string) error {
	ro, err := o.resolveEntry(oldname)
	if err != nil {
		return err
	}
	rn, err := o.resolve(trimSlash(newname), false)
	if err != nil {
		return err
	}
	var emptyErr error
	err = checkRename(ro.rel, ro.kind, rn.rel, rn.kind, strings.HasSuffix(newname, "/"), func() bool {
		empty, err := o.dirEmpty(rn.rel, rn.node)
		emptyErr = err
		return empty
	})
	if err == nil {
		err = emptyErr
	}
	if err != nil {
		return err
	}
	if ro.rel == rn.rel {
		return nil
	}
	if o.upper == nil {
		return errReadOnly
	}
	if rn.kind != kindNone {
		if err := o.removeRel(rn.rel, rn.node); err != nil {
			return toErrno(err)
		}
	}
	if err := o.copyUpParent(rn.rel); err != nil {
		return toErrno(err)
	}
	n := ro.node
	switch {
	case o.inUpper(n) && (n.kind != kindDir || len(n.dirs) == 1):
		if err := o.upper.Rename(layerPath(ro.rel), layerPath(rn.rel)); err != nil {
			return toErrno(err)
		}
		if err := o.created(rn.rel, n.kind == kindDir); err != nil {
			return toErrno(err)
		}
		still, err := o.lookupRel(ro.rel)
		if err != nil {
			return toErrno(err)
		}
		if still != nil {
			dir, name := splitRel(ro.rel)
			if err := o.writeMarker(joinRel(dir, WhiteoutPrefix+name)); err != nil {
				return toErrno(err)
			}
		}
		return nil
	case n.kind != kindDir:
		if err := copyEntry(o.layers[n.top], ro.rel, o.upper, rn.rel, n.info, false); err != nil {
			return toErrno(err)
		}
	default:
		if err := o.copyTree(ro.rel, n, rn.rel); err != nil {
			return toErrno(err)
		}
	}
	if err := o.created(rn.rel, n.kind == kindDir); err != nil {
		return toErrno(err)
	}
	if err := o.removeRel(ro.rel, n); err != nil {
		return toErrno(err)
	}
	return nil
}

// copyTree copies the merged directory at rel, with everything under it, to
// dstRel in the upper layer.
func (o *Overlay) copyTree(rel string, n *node, dstRel string) error {
	// Writable while it is filled; its mode is set at the end.
	if err := o.upper.Mkdir(layerPath(dstRel), n.info.Mode().Perm()|0o700); err != nil {
		return err
	}
	entries, err := o.listDir(rel, n)
	if err != nil {
		return err
	}
	for _, fi := range entries {
		crel := joinRel(rel, fi.Name())
		c, err := o.child(n, rel, fi.Name())
		if err != nil {
			return err
		}
		if c == nil {
			continue
		}
		if c.kind == kindDir {
			err = o.copyTree(crel, c, joinRel(dstRel, fi.Name()))
		} else {
			err = copyEntry(o.layers[c.top], crel, o.upper, joinRel(dstRel, fi.Name()), c.info, false)
		}
		if err != nil {
			return err
		}
	}
	dp := layerPath(dstRel)
	_ = o.upper.Chmod(dp, n.info.Mode()&(fs.ModePerm|fs.ModeSetgid|fs.ModeSticky))
	_ = o.upper.Chtimes(dp, n.info.ModTime(), n.info.ModTime())
	return nil
}

// Stat returns the metadata of the named entry, following symlinks.
// Safe for concurrent use.
//
// # Errors
//
// ENOENT (fs.ErrNotExist), ENOTDIR, ELOOP, EINVAL, ENAMETOOLONG.
func (o *Overlay) Stat(name string) (os.FileInfo, error) {
	return o.stat("stat", name, true)
}

// LstatIfPossible returns the metadata of the named entry without following
// a final symlink; the boolean is always true.
//
// # Errors
//
// As [Overlay.Stat].
func (o *Overlay) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	fi, err := o.stat("lstat", name, false)
	return fi, true, err
}

func (o *Overlay) stat(op, name string, follow bool) (os.FileInfo, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	r, err := o.resolveExisting(name, follow)
	if err != nil {
		return nil, pathErr(op, name, err)
	}
	return renamed(r.node.info, baseName(name)), nil
}

// Chmod changes the mode bits of the named entry, following symlinks; a
// lower entry is copied up first.
//
// # Errors
//
// ENOENT, ENOTDIR, ELOOP, EINVAL, EROFS for a read-only view.
func (o *Overlay) Chmod(name string, mode os.FileMode) error {
	return o.modify("chmod", name, func(p string) error { return o.upper.Chmod(p, mode) })
}

// Chtimes changes the access and modification times of the named entry,
// following symlinks; a lower entry is copied up first.
//
// # Errors
//
// As [Overlay.Chmod].
func (o *Overlay) Chtimes(name string, atime, mtime time.Time) error {
	return o.modify("chtimes", name, func(p string) error { return o.upper.Chtimes(p, atime, mtime) })
}

// Chown checks that the named entry exists; layers keep no owners, so it
// changes nothing.
//
// # Errors
//
// ENOENT, ENOTDIR, ELOOP, EINVAL, EROFS for a read-only view.
func (o *Overlay) Chown(name string, uid, gid int) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if _, err := o.resolveExisting(name, true); err != nil {
		return pathErr("chown", name, err)
	}
	return o.writable("chown", name)
}

// Truncate changes the size of the named file, following symlinks; a lower
// file is copied up first.
//
// # Errors
//
// ENOENT, EISDIR, ENOTDIR, ELOOP, EINVAL (negative size), EROFS for a
// read-only view.
func (o *Overlay) Truncate(name string, size int64) error {
	if size < 0 {
		return pathErr("truncate", name, errInvalid)
	}
	f, err := o.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		pe := err.(*fs.PathError)
		pe.Op = "truncate"
		return pe
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return pathErr("truncate", name, toErrno(err))
	}
	return nil
}

func (o *Overlay) modify(op, name string, fn func(layerPath string) error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := o.resolveExisting(name, true)
	if err != nil {
		return pathErr(op, name, err)
	}
	if err := o.writable(op, name); err != nil {
		return err
	}
	if err := o.copyUp(r.rel, r.node, false); err != nil {
		return pathErr(op, name, toErrno(err))
	}
	if err := fn(layerPath(r.rel)); err != nil {
		return pathErr(op, name, toErrno(err))
	}
	return nil
}

// SymlinkIfPossible creates newname as a symlink to oldname, which is
// stored as given and resolved inside the root when followed.
//
// # Errors
//
// *fs.PathError on newname with EEXIST, ENOENT (missing parent or empty target),
// ENOTDIR, ELOOP, EINVAL, ENOTSUP when the upper layer has no symlinks,
// EROFS for a read-only view.
func (o *Overlay) SymlinkIfPossible(oldname, newname string) error {
	switch {
	case strings.IndexByte(oldname, 0) >= 0:
		return linkErr("symlink", oldname, newname, errInvalid)
	case oldname == "":
		return linkErr("symlink", oldname, newname, syscall.ENOENT)
	case len(oldname) > maxPathBytes:
		return linkErr("symlink", oldname, newname, errNameTooLong)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := o.resolve(trimSlash(newname), false)
	if err == nil && r.kind != kindNone {
		err = syscall.EEXIST
	}
	if err == nil && strings.HasSuffix(newname, "/") {
		err = syscall.ENOENT // a symlink is not a directory
	}
	if err == nil && o.upper == nil {
		err = errReadOnly
	}
	if err == nil {
		err = o.copyUpParent(r.rel)
	}
	if err == nil {
		err = layerSymlink(o.upper, oldname, r.rel)
	}
	if err == nil {
		err = o.created(r.rel, false)
	}
	if err != nil {
		return linkErr("symlink", oldname, newname, toErrno(err))
	}
	return nil
}

// ReadlinkIfPossible returns the target of the named symlink.
//
// # Errors
//
// ENOENT, EINVAL when it is not a symlink, ENOTDIR, ELOOP.
func (o *Overlay) ReadlinkIfPossible(name string) (string, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	r, err := o.resolveExisting(name, false)
	if err == nil && r.kind != kindSymlink {
		err = errInvalid
	}
	if err != nil {
		return "", pathErr("readlink", name, err)
	}
	target, err := layerReadlink(o.layers[r.node.top], r.rel)
	if err != nil {
		return "", pathErr("readlink", name, toErrno(err))
	}
	return target, nil
}

var (
	_ afero.Fs        = (*Overlay)(nil)
	_ afero.Lstater   = (*Overlay)(nil)
	_ afero.Symlinker = (*Overlay)(nil)
)
