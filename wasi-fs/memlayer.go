package wasifs

import (
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/afero"
)

// NewMemLayer returns an empty in-memory layer. Unlike [afero.MemMapFs] it
// stores symlinks: it implements [afero.Symlinker], and symlinks resolve
// inside the layer (an absolute target starts at the layer's root; ".."
// stops there). Paths are interpreted like those of an [Overlay].
//
// The layer is safe for concurrent use. Metadata operations hold a lock on
// the layer; reads and writes on open files lock only their file.
func NewMemLayer() afero.Fs {
	now := time.Now()
	return &memLayer{root: &memNode{mode: fs.ModeDir | 0o755, modTime: now, children: map[string]*memNode{}}}
}

// memLayer is a tree of nodes under one lock.
type memLayer struct {
	mu   sync.RWMutex // guards the tree shape and every node's mode and target
	root *memNode
}

// memNode is a directory, regular file or symlink.
type memNode struct {
	mode     fs.FileMode
	children map[string]*memNode // directories only
	target   string              // symlinks only

	dataMu  sync.RWMutex // guards data and modTime
	data    []byte
	modTime time.Time
}

func (n *memNode) kind() entryKind {
	switch {
	case n.mode.IsDir():
		return kindDir
	case n.mode&fs.ModeSymlink != 0:
		return kindSymlink
	}
	return kindFile
}

// info returns a snapshot of the node's metadata; the caller holds the layer lock.
func (n *memNode) info(name string) fs.FileInfo {
	n.dataMu.RLock()
	defer n.dataMu.RUnlock()
	size := int64(len(n.data))
	if n.mode&fs.ModeSymlink != 0 {
		size = int64(len(n.target))
	}
	return &fileInfo{name: name, size: size, mode: n.mode, modTime: n.modTime}
}

func (n *memNode) touch(t time.Time) {
	n.dataMu.Lock()
	n.modTime = t
	n.dataMu.Unlock()
}

// memNS lets the resolver walk the tree.
type memNS struct{ l *memLayer }

func (ns memNS) root() *memNode { return ns.l.root }
func (ns memNS) child(dir *memNode, _ string, name string) (*memNode, entryKind, error) {
	c := dir.children[name]
	if c == nil {
		return nil, kindNone, nil
	}
	return c, c.kind(), nil
}
func (ns memNS) readlink(n *memNode, _ string) (string, error) { return n.target, nil }

func (l *memLayer) resolve(name string, follow bool) (resolved[*memNode], error) {
	return resolve[*memNode](memNS{l}, name, follow)
}

// baseName is the name a FileInfo reports for a user path, as os.Stat does.
func baseName(name string) string {
	if name == "" {
		return "."
	}
	return path.Base(name)
}

// walk finds the node of a cleaned root-relative path with no symlink
// before its last name; the caller holds l.mu.
func (l *memLayer) walk(rel string) (*memNode, error) {
	n := l.root
	for rel != "" {
		name := rel
		if i := strings.IndexByte(rel, '/'); i >= 0 {
			name, rel = rel[:i], rel[i+1:]
		} else {
			rel = ""
		}
		if n.children == nil {
			return nil, syscall.ENOTDIR
		}
		if n = n.children[name]; n == nil {
			return nil, syscall.ENOENT
		}
	}
	return n, nil
}

func (l *memLayer) lstatRel(rel string) (fs.FileInfo, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	n, err := l.walk(rel)
	if err != nil {
		return nil, err
	}
	_, name := splitRel(rel)
	if rel == "" {
		name = "/"
	}
	return n.info(name), nil
}

func (l *memLayer) probe(dirRel, name string, withInfo bool) (p probe, err error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	dir, err := l.walk(dirRel)
	if err != nil {
		if errnoOf(err) == syscall.ENOENT || errnoOf(err) == syscall.ENOTDIR {
			return p, nil
		}
		return p, err
	}
	if dir.children == nil {
		return p, nil
	}
	if c := dir.children[name]; c != nil {
		p.kind = c.kind()
		if withInfo {
			p.info = c.info(name)
		}
		if p.kind == kindDir {
			p.opaque = c.children[OpaqueMarker] != nil
		}
	}
	p.whiteout = dir.children[WhiteoutPrefix+name] != nil
	return p, nil
}

func (l *memLayer) existsRel(rel string) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	_, err := l.walk(rel)
	return err == nil
}

func (l *memLayer) Name() string { return "wasifs.MemLayer" }

func (l *memLayer) Create(name string) (afero.File, error) {
	return l.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (l *memLayer) Open(name string) (afero.File, error) { return l.OpenFile(name, os.O_RDONLY, 0) }

func (l *memLayer) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if flag&os.O_CREATE != 0 && strings.HasSuffix(name, "/") {
		return nil, pathErr("open", name, createSlash(memNS{l}, name))
	}
	excl := flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0
	r, err := l.resolve(name, !excl)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	write := flag&(os.O_WRONLY|os.O_RDWR) != 0
	n := r.node
	switch {
	case r.kind == kindNone:
		if flag&os.O_CREATE == 0 {
			return nil, pathErr("open", name, syscall.ENOENT)
		}
		_, base := splitRel(r.rel)
		now := time.Now()
		n = &memNode{mode: perm & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky), modTime: now}
		r.parent.children[base] = n
		r.parent.touch(now)
	case excl:
		return nil, pathErr("open", name, syscall.EEXIST)
	case r.kind == kindDir:
		if write {
			return nil, pathErr("open", name, syscall.EISDIR)
		}
	case flag&os.O_TRUNC != 0 && write:
		n.dataMu.Lock()
		n.data = n.data[:0]
		n.modTime = time.Now()
		n.dataMu.Unlock()
	}
	return &memFile{
		l: l, n: n, name: name,
		readable: flag&os.O_WRONLY == 0,
		writable: write,
		append:   flag&os.O_APPEND != 0,
	}, nil
}

func (l *memLayer) Mkdir(name string, perm os.FileMode) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, err := l.resolve(trimSlash(name), false)
	if err != nil {
		return pathErr("mkdir", name, err)
	}
	if r.kind != kindNone {
		return pathErr("mkdir", name, syscall.EEXIST)
	}
	_, base := splitRel(r.rel)
	now := time.Now()
	r.parent.children[base] = &memNode{mode: fs.ModeDir | perm&(fs.ModePerm|fs.ModeSetgid|fs.ModeSticky), modTime: now, children: map[string]*memNode{}}
	r.parent.touch(now)
	return nil
}

func (l *memLayer) MkdirAll(name string, perm os.FileMode) error {
	return mkdirAll(l, name, perm)
}

func lstat(fsys afero.Fs, name string) (fs.FileInfo, error) {
	if l, ok := fsys.(afero.Lstater); ok {
		fi, _, err := l.LstatIfPossible(name)
		return fi, err
	}
	return fsys.Stat(name)
}

// mkdirAll creates name and its missing parents through fsys, step for
// step as os.MkdirAll does.
func mkdirAll(fsys afero.Fs, name string, perm os.FileMode) error {
	if fi, err := fsys.Stat(name); err == nil {
		if fi.IsDir() {
			return nil
		}
		return pathErr("mkdir", name, syscall.ENOTDIR)
	}
	i := len(name)
	for i > 0 && name[i-1] == '/' {
		i--
	}
	j := i
	for j > 0 && name[j-1] != '/' {
		j--
	}
	if j > 1 {
		if err := mkdirAll(fsys, name[:j-1], perm); err != nil {
			return err
		}
	}
	if err := fsys.Mkdir(name, perm); err != nil {
		// Fine if a directory is there now ("a/.", races).
		if fi, lerr := lstat(fsys, name); lerr == nil && fi.IsDir() {
			return nil
		}
		return err
	}
	return nil
}

func (l *memLayer) Remove(name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, err := resolveEntry[*memNode](memNS{l}, name)
	switch {
	case err != nil:
		return pathErr("remove", name, err)
	case r.kind == kindNone:
		return pathErr("remove", name, syscall.ENOENT)
	case r.rel == "":
		return pathErr("remove", name, syscall.EBUSY)
	case r.kind == kindDir && len(r.node.children) > 0:
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	_, base := splitRel(r.rel)
	delete(r.parent.children, base)
	r.parent.touch(time.Now())
	return nil
}

func (l *memLayer) RemoveAll(name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, err := resolveEntry[*memNode](memNS{l}, trimSlash(name))
	switch {
	case errnoOf(err) == syscall.ENOENT:
		return nil
	case err != nil:
		return pathErr("removeall", name, err)
	case r.kind == kindNone:
		return nil
	case r.rel == "":
		clear(r.node.children)
		return nil
	}
	_, base := splitRel(r.rel)
	delete(r.parent.children, base)
	r.parent.touch(time.Now())
	return nil
}

func (l *memLayer) Rename(oldname, newname string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ro, err := resolveEntry[*memNode](memNS{l}, oldname)
	if err != nil {
		return linkErr("rename", oldname, newname, err)
	}
	rn, err := l.resolve(trimSlash(newname), false)
	if err != nil {
		return linkErr("rename", oldname, newname, err)
	}
	if err := checkRename(ro.rel, ro.kind, rn.rel, rn.kind, strings.HasSuffix(newname, "/"), func() bool { return len(rn.node.children) == 0 }); err != nil {
		return linkErr("rename", oldname, newname, err)
	}
	if ro.rel == rn.rel {
		return nil
	}
	_, ob := splitRel(ro.rel)
	_, nb := splitRel(rn.rel)
	delete(ro.parent.children, ob)
	rn.parent.children[nb] = ro.node
	now := time.Now()
	ro.parent.touch(now)
	rn.parent.touch(now)
	return nil
}

// checkRename applies the rules of rename(2) to resolved paths.
// newSlash reports a trailing slash on the new name.
func checkRename(orel string, okind entryKind, nrel string, nkind entryKind, newSlash bool, newEmpty func() bool) error {
	switch {
	case okind == kindNone:
		return syscall.ENOENT
	case newSlash && okind != kindDir:
		return syscall.ENOTDIR
	case orel == "" || nrel == "":
		return syscall.EBUSY
	case orel == nrel:
		return nil
	case strings.HasPrefix(nrel, orel+"/"):
		return errInvalid
	case strings.HasPrefix(orel, nrel+"/"):
		return syscall.ENOTEMPTY // as Linux: new is an ancestor of old
	case nkind == kindNone:
		return nil
	case okind == kindDir && nkind != kindDir:
		return syscall.ENOTDIR
	case okind != kindDir && nkind == kindDir:
		return syscall.EISDIR
	case nkind == kindDir && !newEmpty():
		return syscall.ENOTEMPTY
	}
	return nil
}

// linkErr is the error of an operation on two names: a *fs.PathError on
// the name it changes (oldname for rename, newname for symlink).
func linkErr(op, oldname, newname string, err error) error {
	if op == "symlink" {
		return &fs.PathError{Op: op, Path: newname, Err: err}
	}
	return &fs.PathError{Op: op, Path: oldname, Err: err}
}

func (l *memLayer) Stat(name string) (os.FileInfo, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	r, err := l.resolve(name, true)
	if err == nil && r.kind == kindNone {
		err = syscall.ENOENT
	}
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return r.node.info(baseName(name)), nil
}

func (l *memLayer) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	r, err := l.resolve(name, false)
	if err == nil && r.kind == kindNone {
		err = syscall.ENOENT
	}
	if err != nil {
		return nil, true, pathErr("lstat", name, err)
	}
	return r.node.info(baseName(name)), true, nil
}

func (l *memLayer) Chmod(name string, mode os.FileMode) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, err := l.resolve(name, true)
	if err == nil && r.kind == kindNone {
		err = syscall.ENOENT
	}
	if err != nil {
		return pathErr("chmod", name, err)
	}
	const settable = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	r.node.mode = r.node.mode&^settable | mode&settable
	return nil
}

func (l *memLayer) Chown(name string, uid, gid int) error {
	if _, err := l.Stat(name); err != nil {
		return pathErr("chown", name, err.(*fs.PathError).Err)
	}
	return nil
}

func (l *memLayer) Chtimes(name string, atime, mtime time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, err := l.resolve(name, true)
	if err == nil && r.kind == kindNone {
		err = syscall.ENOENT
	}
	if err != nil {
		return pathErr("chtimes", name, err)
	}
	if !mtime.IsZero() {
		r.node.touch(mtime)
	}
	return nil
}

func (l *memLayer) SymlinkIfPossible(oldname, newname string) error {
	if strings.IndexByte(oldname, 0) >= 0 {
		return linkErr("symlink", oldname, newname, errInvalid)
	}
	if oldname == "" {
		return linkErr("symlink", oldname, newname, syscall.ENOENT)
	}
	if len(oldname) > maxPathBytes {
		return linkErr("symlink", oldname, newname, errNameTooLong)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r, err := l.resolve(trimSlash(newname), false)
	if err == nil && r.kind != kindNone {
		err = syscall.EEXIST
	}
	if err == nil && strings.HasSuffix(newname, "/") {
		err = syscall.ENOENT // a symlink is not a directory
	}
	if err != nil {
		return linkErr("symlink", oldname, newname, err)
	}
	_, base := splitRel(r.rel)
	now := time.Now()
	r.parent.children[base] = &memNode{mode: fs.ModeSymlink | 0o777, target: oldname, modTime: now}
	r.parent.touch(now)
	return nil
}

func (l *memLayer) ReadlinkIfPossible(name string) (string, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	r, err := l.resolve(name, false)
	switch {
	case err != nil:
		return "", pathErr("readlink", name, err)
	case r.kind == kindNone:
		return "", pathErr("readlink", name, syscall.ENOENT)
	case r.kind != kindSymlink:
		return "", pathErr("readlink", name, errInvalid)
	}
	return r.node.target, nil
}

// fileInfo is a snapshot of an entry's metadata.
type fileInfo struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.size }
func (fi *fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi *fileInfo) ModTime() time.Time { return fi.modTime }
func (fi *fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi *fileInfo) Sys() any           { return nil }

// memFile is an open file or directory of a memLayer.
type memFile struct {
	l        *memLayer
	n        *memNode
	name     string
	readable bool
	writable bool
	append   bool

	mu      sync.Mutex // guards the fields below
	off     int64
	closed  bool
	entries []fs.FileInfo // directory listing, taken on the first Readdir
	listed  bool
}

func (f *memFile) Name() string { return f.name }

func (f *memFile) check(op string, write bool) error {
	switch {
	case f.closed:
		return pathErr(op, f.name, os.ErrClosed)
	case f.n.mode.IsDir() && (op == "read" || write):
		return pathErr(op, f.name, syscall.EISDIR)
	case write && !f.writable, !write && !f.readable:
		return pathErr(op, f.name, syscall.EBADF)
	}
	return nil
}

func (f *memFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return pathErr("close", f.name, os.ErrClosed)
	}
	f.closed = true
	return nil
}

func (f *memFile) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check("read", false); err != nil {
		return 0, err
	}
	n, err := f.readAt(p, f.off)
	f.off += int64(n)
	return n, err
}

// cloneData replaces the content of dst's file with a copy of src's, never
// holding both files' locks at once. It reports false when either is not
// an open file of a memory layer.
func cloneData(dst, src afero.File) bool {
	d, ok1 := dst.(*memFile)
	s, ok2 := src.(*memFile)
	if !ok1 || !ok2 || d.n == s.n {
		return false
	}
	s.n.dataMu.RLock()
	data := slices.Clone(s.n.data)
	s.n.dataMu.RUnlock()
	d.n.dataMu.Lock()
	d.n.data = data
	d.n.modTime = time.Now()
	d.n.dataMu.Unlock()
	return true
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	err := f.check("read", false)
	f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("readat", f.name, errInvalid)
	}
	n, err := f.readAt(p, off)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

func (f *memFile) readAt(p []byte, off int64) (int, error) {
	f.n.dataMu.RLock()
	defer f.n.dataMu.RUnlock()
	if off >= int64(len(f.n.data)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	return copy(p, f.n.data[off:]), nil
}

func (f *memFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check("write", true); err != nil {
		return 0, err
	}
	off := f.off
	if f.append {
		off = -1
	}
	end := f.n.writeAt(p, off)
	f.off = end
	return len(p), nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	err := f.check("write", true)
	f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("writeat", f.name, errInvalid)
	}
	f.n.writeAt(p, off)
	return len(p), nil
}

func (f *memFile) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// writeAt writes p at off (at the end when off < 0) and returns the offset
// after the written bytes.
func (n *memNode) writeAt(p []byte, off int64) int64 {
	n.dataMu.Lock()
	defer n.dataMu.Unlock()
	if off < 0 {
		off = int64(len(n.data))
	}
	if len(p) == 0 {
		return off
	}
	end := off + int64(len(p))
	n.resize(max(end, int64(len(n.data))))
	copy(n.data[off:], p)
	n.modTime = time.Now()
	return end
}

// resize sets the length of the data, zeroing any new bytes; the caller
// holds dataMu.
func (n *memNode) resize(size int64) {
	old := int64(len(n.data))
	switch {
	case size <= old:
		n.data = n.data[:size]
	case size <= int64(cap(n.data)):
		n.data = n.data[:size]
		clear(n.data[old:])
	default:
		grown := make([]byte, size, max(size, 2*int64(cap(n.data))))
		copy(grown, n.data)
		n.data = grown
	}
}

func (f *memFile) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, pathErr("seek", f.name, os.ErrClosed)
	}
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = f.off
	case io.SeekEnd:
		f.n.dataMu.RLock()
		base = int64(len(f.n.data))
		f.n.dataMu.RUnlock()
	default:
		return 0, pathErr("seek", f.name, errInvalid)
	}
	if base+offset < 0 {
		return 0, pathErr("seek", f.name, errInvalid)
	}
	f.off = base + offset
	if f.n.mode.IsDir() && whence == io.SeekStart && offset == 0 {
		f.listed, f.entries = false, nil
	}
	return f.off, nil
}

func (f *memFile) Readdir(count int) ([]os.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, pathErr("readdir", f.name, os.ErrClosed)
	}
	if !f.n.mode.IsDir() {
		return nil, pathErr("readdir", f.name, syscall.ENOTDIR)
	}
	if !f.listed {
		f.l.mu.RLock()
		f.entries = make([]fs.FileInfo, 0, len(f.n.children))
		for name, c := range f.n.children {
			f.entries = append(f.entries, c.info(name))
		}
		f.l.mu.RUnlock()
		slices.SortFunc(f.entries, func(a, b fs.FileInfo) int { return strings.Compare(a.Name(), b.Name()) })
		f.listed = true
	}
	return takeEntries(&f.entries, count)
}

// takeEntries returns the next count entries (all when count <= 0), with
// io.EOF when count > 0 and none are left, as os.File.Readdir does.
func takeEntries(entries *[]fs.FileInfo, count int) ([]fs.FileInfo, error) {
	rest := *entries
	if count <= 0 || count >= len(rest) {
		*entries = nil
		if count > 0 && len(rest) == 0 {
			return nil, io.EOF
		}
		if rest == nil {
			rest = []fs.FileInfo{}
		}
		return rest, nil
	}
	*entries = rest[count:]
	return rest[:count:count], nil
}

func (f *memFile) Readdirnames(n int) ([]string, error) {
	infos, err := f.Readdir(n)
	names := make([]string, len(infos))
	for i, fi := range infos {
		names[i] = fi.Name()
	}
	return names, err
}

func (f *memFile) Stat() (os.FileInfo, error) {
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if closed {
		return nil, pathErr("stat", f.name, os.ErrClosed)
	}
	f.l.mu.RLock()
	defer f.l.mu.RUnlock()
	return f.n.info(baseName(f.name)), nil
}

func (f *memFile) Sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return pathErr("sync", f.name, os.ErrClosed)
	}
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.mu.Lock()
	err := f.check("truncate", true)
	f.mu.Unlock()
	if err != nil {
		return err
	}
	if size < 0 {
		return pathErr("truncate", f.name, errInvalid)
	}
	f.n.dataMu.Lock()
	f.n.resize(size)
	f.n.modTime = time.Now()
	f.n.dataMu.Unlock()
	return nil
}

var (
	_ afero.Fs        = (*memLayer)(nil)
	_ afero.Symlinker = (*memLayer)(nil)
	_ afero.File      = (*memFile)(nil)
)
