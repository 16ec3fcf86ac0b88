package wasifs

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/spf13/afero"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// MountFS adapts fsys so that it can be mounted read-write into a WASI guest
// by package host. The result is a value of wazero's experimental sys.FS
// interface, typed as any so that wazero's experimental types stay out of
// this package's API; package host type-asserts it. Other callers have no
// use for it.
//
// Each call makes a new mount. Within one mount:
//
//   - Paths from the guest are cleaned and taken relative to the root of
//     fsys; ".." stops at the root. Symlinks are resolved by fsys itself
//     (an [Overlay] resolves them inside its root).
//   - Inode numbers are synthesized: a path keeps its number while the
//     mount lives, across renames; a removed and re-created path gets a new
//     one; a symlink followed by Stat or OpenFile gives its target's number
//     (symlinks in parent directories are not followed for this). All files
//     share one device number.
//   - Files and directories a guest creates get modes 0644 and 0755: WASI
//     preview1 carries no permission bits (wazero passes a fixed 0600 or
//     0700, which is ignored). Chmod works.
//   - Open flags, append mode, O_EXCL, O_DIRECTORY and O_NOFOLLOW are
//     applied here (O_SYNC is passed down; O_DSYNC, O_RSYNC and O_NONBLOCK
//     are ignored), and the POSIX errors of mkdir, rmdir, unlink and rename
//     (EEXIST, ENOTEMPTY, ENOTDIR, EISDIR) are checked here, so they hold
//     even on an afero.Fs that is laxer (afero.MemMapFs removes non-empty
//     directories and creates missing parents).
//   - Symlink, Readlink and Lstat work when fsys implements afero.Linker,
//     afero.LinkReader and afero.Lstater; otherwise Symlink fails with
//     ENOSYS and Lstat follows links. Hard links are not supported (ENOSYS).
//   - Errors map to errno values: a wrapped syscall.Errno passes through,
//     fs.ErrNotExist is ENOENT, fs.ErrExist EEXIST, fs.ErrPermission EPERM,
//     fs.ErrInvalid EINVAL, fs.ErrClosed EBADF, anything else EIO.
//
// A mount is safe for concurrent use to the extent that fsys is; checks and
// the operations they guard are not atomic with respect to other writers of
// fsys.
func MountFS(fsys afero.Fs) any {
	return &bridgeFS{fsys: fsys, inodes: map[string]uint64{"/": 1}, nextIno: 2}
}

// bridgeDev is the device number of every file of a mount.
const bridgeDev = 1

// Modes of the files and directories a guest creates. WASI preview1 has no
// permission bits, and wazero passes a fixed 0600 or 0700; these are what a
// POSIX process with umask 022 gets by default.
const (
	bridgeFileMode fs.FileMode = 0o644
	bridgeDirMode  fs.FileMode = 0o755
)

// bridgeFS is an afero.Fs seen as a wazero experimental sys.FS.
type bridgeFS struct {
	experimentalsys.UnimplementedFS
	fsys afero.Fs

	mu      sync.Mutex
	inodes  map[string]uint64 // absolute path in fsys -> synthesized inode
	nextIno uint64
}

var _ experimentalsys.FS = (*bridgeFS)(nil)

// ino returns the inode number of name, assigning one on first use.
func (b *bridgeFS) ino(name string) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, ok := b.inodes[name]
	if !ok {
		n = b.nextIno
		b.nextIno++
		b.inodes[name] = n
	}
	return n
}

// forget drops the inode of name (after it was removed).
func (b *bridgeFS) forget(name string) {
	b.mu.Lock()
	delete(b.inodes, name)
	b.mu.Unlock()
}

// moveInodes carries the inodes of from and everything under it to to.
func (b *bridgeFS) moveInodes(from, to string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	moved := map[string]uint64{}
	for p := range b.inodes {
		if p == to || strings.HasPrefix(p, to+"/") {
			delete(b.inodes, p)
		}
	}
	for p, n := range b.inodes {
		if p == from {
			moved[to] = n
			delete(b.inodes, p)
		} else if strings.HasPrefix(p, from+"/") {
			moved[to+p[len(from):]] = n
			delete(b.inodes, p)
		}
	}
	for p, n := range moved {
		b.inodes[p] = n
	}
}

// maxLinkHops bounds the symlinks canonical follows, as ELOOP does on Linux.
const maxLinkHops = 40

// canonical follows symlinks in the last element of name, so that a path
// and a symlink to it share an inode number. Symlinks in the directories
// of name are not followed: such paths get inode numbers of their own.
func (b *bridgeFS) canonical(name string) string {
	r, ok := b.fsys.(afero.LinkReader)
	if !ok {
		return name
	}
	for range maxLinkHops {
		info, err := b.lstatInfo(name)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			return name
		}
		target, err := r.ReadlinkIfPossible(name)
		if err != nil {
			return name
		}
		if path.IsAbs(target) {
			name = path.Clean(target)
		} else {
			name = path.Join(path.Dir(name), target)
		}
	}
	return name
}

// stat converts info of the file at name to a sys.Stat_t.
func (b *bridgeFS) stat(name string, info fs.FileInfo) sys.Stat_t {
	st := sys.NewStat_t(info)
	st.Dev = bridgeDev
	st.Ino = b.ino(name)
	if st.Nlink == 0 {
		st.Nlink = 1
	}
	return st
}

func (b *bridgeFS) lstatInfo(name string) (fs.FileInfo, error) {
	if l, ok := b.fsys.(afero.Lstater); ok {
		info, _, err := l.LstatIfPossible(name)
		return info, err
	}
	return b.fsys.Stat(name)
}

// checkParent requires the parent directory of name to exist.
func (b *bridgeFS) checkParent(name string) experimentalsys.Errno {
	if name == "/" {
		return 0
	}
	info, err := b.fsys.Stat(path.Dir(name))
	if err != nil {
		return bridgeErrno(err)
	}
	if !info.IsDir() {
		return experimentalsys.ENOTDIR
	}
	return 0
}

// OpenFile implements experimentalsys.FS.
func (b *bridgeFS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	name, dirOnly, errno := bridgePath(p)
	if errno != 0 {
		return nil, errno
	}
	acc := flag & (experimentalsys.O_RDONLY | experimentalsys.O_RDWR | experimentalsys.O_WRONLY)
	var osFlag int
	switch acc {
	case experimentalsys.O_RDONLY:
		osFlag = os.O_RDONLY
	case experimentalsys.O_RDWR:
		osFlag = os.O_RDWR
	case experimentalsys.O_WRONLY:
		osFlag = os.O_WRONLY
	default:
		return nil, experimentalsys.EINVAL
	}
	creat := flag&experimentalsys.O_CREAT != 0
	excl := flag&experimentalsys.O_EXCL != 0
	trunc := flag&experimentalsys.O_TRUNC != 0
	wantDir := dirOnly || flag&experimentalsys.O_DIRECTORY != 0
	if dirOnly && creat {
		return nil, experimentalsys.EISDIR // as Linux: O_CREAT cannot make a directory
	}

	ino := name // the path whose inode the file gets
	linfo, lerr := b.lstatInfo(name)
	if lerr == nil && linfo.Mode()&fs.ModeSymlink != 0 {
		if flag&experimentalsys.O_NOFOLLOW != 0 {
			return nil, experimentalsys.ELOOP
		}
		if creat && excl {
			return nil, experimentalsys.EEXIST
		}
		ino = b.canonical(name)
	}
	info, err := b.fsys.Stat(name)
	switch {
	case err == nil:
		if creat && excl {
			return nil, experimentalsys.EEXIST
		}
		if info.IsDir() {
			if acc != experimentalsys.O_RDONLY || creat || trunc {
				return nil, experimentalsys.EISDIR
			}
		} else if wantDir {
			return nil, experimentalsys.ENOTDIR
		}
	case bridgeErrno(err) == experimentalsys.ENOENT:
		if !creat {
			return nil, experimentalsys.ENOENT
		}
		info = nil // created below
		if errno := b.checkParent(name); errno != 0 {
			return nil, errno
		}
	default:
		return nil, bridgeErrno(err)
	}

	if creat {
		osFlag |= os.O_CREATE
	}
	if excl {
		osFlag |= os.O_EXCL
	}
	if trunc {
		osFlag |= os.O_TRUNC
	}
	if flag&experimentalsys.O_SYNC != 0 {
		osFlag |= os.O_SYNC
	}
	// O_APPEND is applied by bridgeFile, not passed down: afero.MemMapFs
	// only seeks to the end once, and os.File refuses WriteAt in append mode.
	f, err := b.fsys.OpenFile(name, osFlag, bridgeFileMode)
	if err != nil {
		return nil, bridgeErrno(err)
	}
	if info == nil { // created
		if info, err = f.Stat(); err != nil {
			_ = f.Close()
			return nil, bridgeErrno(err)
		}
	}
	return &bridgeFile{
		b:      b,
		f:      f,
		name:   name,
		acc:    acc,
		append: flag&experimentalsys.O_APPEND != 0,
		isDir:  info.IsDir(),
		ino:    b.ino(ino),
	}, 0
}

// Lstat implements experimentalsys.FS.
func (b *bridgeFS) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) {
	name, dirOnly, errno := bridgePath(p)
	if errno != 0 {
		return sys.Stat_t{}, errno
	}
	if dirOnly { // "link/" names the target
		return b.Stat(p)
	}
	info, err := b.lstatInfo(name)
	if err != nil {
		return sys.Stat_t{}, bridgeErrno(err)
	}
	return b.stat(name, info), 0
}

// Stat implements experimentalsys.FS.
func (b *bridgeFS) Stat(p string) (sys.Stat_t, experimentalsys.Errno) {
	name, dirOnly, errno := bridgePath(p)
	if errno != 0 {
		return sys.Stat_t{}, errno
	}
	info, err := b.fsys.Stat(name)
	if err != nil {
		return sys.Stat_t{}, bridgeErrno(err)
	}
	if dirOnly && !info.IsDir() {
		return sys.Stat_t{}, experimentalsys.ENOTDIR
	}
	return b.stat(b.canonical(name), info), 0
}

// Mkdir implements experimentalsys.FS.
func (b *bridgeFS) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	name, _, errno := bridgePath(p)
	if errno != 0 {
		return errno
	}
	if _, err := b.lstatInfo(name); err == nil {
		return experimentalsys.EEXIST
	}
	if errno := b.checkParent(name); errno != 0 {
		return errno
	}
	return bridgeErrno(b.fsys.Mkdir(name, bridgeDirMode))
}

// Chmod implements experimentalsys.FS.
func (b *bridgeFS) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	name, _, errno := bridgePath(p)
	if errno != 0 {
		return errno
	}
	return bridgeErrno(b.fsys.Chmod(name, perm.Perm()))
}

// Rename implements experimentalsys.FS.
func (b *bridgeFS) Rename(from, to string) experimentalsys.Errno {
	src, srcDirOnly, errno := bridgePath(from)
	if errno != 0 {
		return errno
	}
	dst, dstDirOnly, errno := bridgePath(to)
	if errno != 0 {
		return errno
	}
	if src == "/" || dst == "/" {
		return experimentalsys.EINVAL // the root cannot move or be replaced
	}
	// Both parents are resolved before the source is looked up, as Linux.
	if errno := b.checkParent(src); errno != 0 {
		return errno
	}
	if errno := b.checkParent(dst); errno != 0 {
		return errno
	}
	sinfo, err := b.lstatInfo(src)
	if err != nil {
		return bridgeErrno(err)
	}
	if (srcDirOnly || dstDirOnly) && !sinfo.IsDir() {
		return experimentalsys.ENOTDIR // "name/" must be a directory
	}
	if src == dst {
		return 0
	}
	if sinfo.IsDir() && strings.HasPrefix(dst, src+"/") {
		return experimentalsys.EINVAL // into itself
	}
	if strings.HasPrefix(src, dst+"/") {
		return experimentalsys.ENOTEMPTY // onto an ancestor, as Linux
	}
	if dinfo, err := b.lstatInfo(dst); err == nil {
		switch {
		case sinfo.IsDir() && !dinfo.IsDir():
			return experimentalsys.ENOTDIR
		case !sinfo.IsDir() && dinfo.IsDir():
			return experimentalsys.EISDIR
		case dinfo.IsDir():
			empty, errno := b.isEmptyDir(dst)
			if errno != 0 {
				return errno
			}
			if !empty {
				return experimentalsys.ENOTEMPTY
			}
			// Not every afero.Fs replaces an empty directory on rename.
			if err := b.fsys.Remove(dst); err != nil {
				return bridgeErrno(err)
			}
		}
	}
	if err := b.fsys.Rename(src, dst); err != nil {
		return bridgeErrno(err)
	}
	b.moveInodes(src, dst)
	return 0
}

func (b *bridgeFS) isEmptyDir(name string) (bool, experimentalsys.Errno) {
	d, err := b.fsys.Open(name)
	if err != nil {
		return false, bridgeErrno(err)
	}
	defer d.Close()
	names, err := d.Readdirnames(1)
	if err != nil && bridgeErrno(err) != 0 {
		return false, bridgeErrno(err)
	}
	return len(names) == 0, 0
}

// Rmdir implements experimentalsys.FS.
func (b *bridgeFS) Rmdir(p string) experimentalsys.Errno {
	name, _, errno := bridgePath(p)
	if errno != 0 {
		return errno
	}
	if name == "/" {
		return experimentalsys.EINVAL
	}
	info, err := b.lstatInfo(name)
	if err != nil {
		return bridgeErrno(err)
	}
	if !info.IsDir() {
		return experimentalsys.ENOTDIR
	}
	empty, errno := b.isEmptyDir(name)
	if errno != 0 {
		return errno
	}
	if !empty {
		return experimentalsys.ENOTEMPTY
	}
	if err := b.fsys.Remove(name); err != nil {
		return bridgeErrno(err)
	}
	b.forget(name)
	return 0
}

// Unlink implements experimentalsys.FS.
func (b *bridgeFS) Unlink(p string) experimentalsys.Errno {
	name, dirOnly, errno := bridgePath(p)
	if errno != 0 {
		return errno
	}
	info, err := b.lstatInfo(name)
	if err != nil {
		return bridgeErrno(err)
	}
	if info.IsDir() {
		return experimentalsys.EISDIR
	}
	if dirOnly {
		return experimentalsys.ENOTDIR
	}
	if err := b.fsys.Remove(name); err != nil {
		return bridgeErrno(err)
	}
	b.forget(name)
	return 0
}

// Symlink implements experimentalsys.FS. oldPath is stored as given.
func (b *bridgeFS) Symlink(oldPath, linkName string) experimentalsys.Errno {
	name, _, errno := bridgePath(linkName)
	if errno != 0 {
		return errno
	}
	if strings.IndexByte(oldPath, 0) >= 0 {
		return experimentalsys.EINVAL
	}
	l, ok := b.fsys.(afero.Linker)
	if !ok {
		return experimentalsys.ENOSYS
	}
	if _, err := b.lstatInfo(name); err == nil {
		return experimentalsys.EEXIST
	}
	if errno := b.checkParent(name); errno != 0 {
		return errno
	}
	return bridgeErrno(l.SymlinkIfPossible(oldPath, name))
}

// Readlink implements experimentalsys.FS.
func (b *bridgeFS) Readlink(p string) (string, experimentalsys.Errno) {
	name, _, errno := bridgePath(p)
	if errno != 0 {
		return "", errno
	}
	info, err := b.lstatInfo(name)
	if err != nil {
		return "", bridgeErrno(err)
	}
	if info.Mode()&fs.ModeSymlink == 0 {
		return "", experimentalsys.EINVAL
	}
	r, ok := b.fsys.(afero.LinkReader)
	if !ok {
		return "", experimentalsys.ENOSYS
	}
	target, err := r.ReadlinkIfPossible(name)
	if err != nil {
		return "", bridgeErrno(err)
	}
	return target, 0
}

// Utimens implements experimentalsys.FS.
func (b *bridgeFS) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	name, _, errno := bridgePath(p)
	if errno != 0 {
		return errno
	}
	return b.utimens(name, atim, mtim)
}

func (b *bridgeFS) utimens(name string, atim, mtim int64) experimentalsys.Errno {
	if atim == experimentalsys.UTIME_OMIT && mtim == experimentalsys.UTIME_OMIT {
		_, err := b.fsys.Stat(name)
		return bridgeErrno(err)
	}
	if atim == experimentalsys.UTIME_OMIT || mtim == experimentalsys.UTIME_OMIT {
		info, err := b.fsys.Stat(name)
		if err != nil {
			return bridgeErrno(err)
		}
		st := sys.NewStat_t(info)
		if atim == experimentalsys.UTIME_OMIT {
			atim = st.Atim
		}
		if mtim == experimentalsys.UTIME_OMIT {
			mtim = st.Mtim
		}
	}
	return bridgeErrno(b.fsys.Chtimes(name, time.Unix(0, atim), time.Unix(0, mtim)))
}
