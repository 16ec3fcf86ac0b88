package wasifs

import (
	"io"
	"path"
	"sort"

	"github.com/spf13/afero"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// bridgeFile is an open afero.File seen as a wazero experimental sys.File.
// A guest uses one file descriptor from one goroutine, so it has no lock.
type bridgeFile struct {
	experimentalsys.UnimplementedFile
	b      *bridgeFS
	f      afero.File
	name   string // absolute path in the afero.Fs at open time
	acc    experimentalsys.Oflag
	append bool
	isDir  bool
	ino    uint64
	closed bool

	// Directory listing state: the entries not yet returned, loaded on the
	// first Readdir after open or after a rewind.
	dirents []experimentalsys.Dirent
	loaded  bool
	listed  bool // f itself has been listed once
}

var _ experimentalsys.File = (*bridgeFile)(nil)

// Dev implements experimentalsys.File.
func (f *bridgeFile) Dev() (uint64, experimentalsys.Errno) { return bridgeDev, 0 }

// Ino implements experimentalsys.File.
func (f *bridgeFile) Ino() (sys.Inode, experimentalsys.Errno) { return f.ino, 0 }

// IsDir implements experimentalsys.File.
func (f *bridgeFile) IsDir() (bool, experimentalsys.Errno) { return f.isDir, 0 }

// IsAppend implements experimentalsys.File.
func (f *bridgeFile) IsAppend() bool { return f.append }

// SetAppend implements experimentalsys.File.
func (f *bridgeFile) SetAppend(enable bool) experimentalsys.Errno {
	if f.closed {
		return experimentalsys.EBADF
	}
	if f.isDir {
		return experimentalsys.EISDIR
	}
	f.append = enable
	return 0
}

// Stat implements experimentalsys.File.
func (f *bridgeFile) Stat() (sys.Stat_t, experimentalsys.Errno) {
	if f.closed {
		return sys.Stat_t{}, experimentalsys.EBADF
	}
	info, err := f.f.Stat()
	if err != nil {
		return sys.Stat_t{}, bridgeErrno(err)
	}
	st := sys.NewStat_t(info)
	st.Dev, st.Ino = bridgeDev, f.ino
	if st.Nlink == 0 {
		st.Nlink = 1
	}
	return st, 0
}

func (f *bridgeFile) readable() experimentalsys.Errno {
	switch {
	case f.closed:
		return experimentalsys.EBADF
	case f.isDir:
		return experimentalsys.EISDIR
	case f.acc == experimentalsys.O_WRONLY:
		return experimentalsys.EBADF
	}
	return 0
}

func (f *bridgeFile) writable() experimentalsys.Errno {
	switch {
	case f.closed:
		return experimentalsys.EBADF
	case f.isDir:
		return experimentalsys.EISDIR
	case f.acc == experimentalsys.O_RDONLY:
		return experimentalsys.EBADF
	}
	return 0
}

// Read implements experimentalsys.File.
func (f *bridgeFile) Read(buf []byte) (int, experimentalsys.Errno) {
	if errno := f.readable(); errno != 0 {
		return 0, errno
	}
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.Read(buf)
	return n, bridgeErrno(err)
}

// Pread implements experimentalsys.File.
func (f *bridgeFile) Pread(buf []byte, off int64) (int, experimentalsys.Errno) {
	if errno := f.readable(); errno != 0 {
		return 0, errno
	}
	if off < 0 {
		return 0, experimentalsys.EINVAL
	}
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.ReadAt(buf, off)
	return n, bridgeErrno(err)
}

// bridgeOffset is int64. Naming it keeps go vet's check for io.Seeker's
// signature off bridgeFile.Seek, which implements wazero's File instead.
type bridgeOffset = int64

// Seek implements experimentalsys.File. On a directory only a rewind
// (offset zero from the start) is supported; it restarts Readdir.
func (f *bridgeFile) Seek(offset bridgeOffset, whence int) (int64, experimentalsys.Errno) {
	if f.closed {
		return 0, experimentalsys.EBADF
	}
	if f.isDir {
		if offset != 0 || whence != io.SeekStart {
			return 0, experimentalsys.EINVAL
		}
		f.dirents, f.loaded = nil, false
		return 0, 0
	}
	switch whence {
	case io.SeekStart, io.SeekCurrent, io.SeekEnd:
	default:
		return 0, experimentalsys.EINVAL
	}
	n, err := f.f.Seek(offset, whence)
	if err != nil {
		return 0, bridgeErrno(err)
	}
	if n < 0 {
		return 0, experimentalsys.EINVAL
	}
	return n, 0
}

// Readdir implements experimentalsys.File. Entries come sorted by name,
// without "." and ".." (wazero adds those).
func (f *bridgeFile) Readdir(n int) ([]experimentalsys.Dirent, experimentalsys.Errno) {
	if f.closed {
		return nil, experimentalsys.EBADF
	}
	if !f.isDir {
		return nil, experimentalsys.EBADF
	}
	if !f.loaded {
		if errno := f.loadDir(); errno != 0 {
			return nil, errno
		}
	}
	if n <= 0 || n > len(f.dirents) {
		n = len(f.dirents)
	}
	out := f.dirents[:n:n]
	f.dirents = f.dirents[n:]
	return out, 0
}

// loadDir reads the whole directory. After a rewind it opens the directory
// again by name, since not every afero.File can rewind a listing.
func (f *bridgeFile) loadDir() experimentalsys.Errno {
	d := f.f
	if f.listed {
		reopened, err := f.b.fsys.Open(f.name)
		if err != nil {
			return bridgeErrno(err)
		}
		defer reopened.Close()
		d = reopened
	}
	infos, err := d.Readdir(-1)
	if err != nil && bridgeErrno(err) != 0 {
		return bridgeErrno(err)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	dirents := make([]experimentalsys.Dirent, 0, len(infos))
	for _, info := range infos {
		dirents = append(dirents, experimentalsys.Dirent{
			Name: info.Name(),
			Type: info.Mode().Type(),
			Ino:  f.b.ino(path.Join(f.name, info.Name())),
		})
	}
	f.dirents, f.loaded, f.listed = dirents, true, true
	return 0
}

// Write implements experimentalsys.File.
func (f *bridgeFile) Write(buf []byte) (int, experimentalsys.Errno) {
	if errno := f.writable(); errno != 0 {
		return 0, errno
	}
	if len(buf) == 0 {
		return 0, 0
	}
	if f.append {
		if _, err := f.f.Seek(0, io.SeekEnd); err != nil {
			return 0, bridgeErrno(err)
		}
	}
	n, err := f.f.Write(buf)
	return n, bridgeErrno(err)
}

// Pwrite implements experimentalsys.File.
func (f *bridgeFile) Pwrite(buf []byte, off int64) (int, experimentalsys.Errno) {
	if errno := f.writable(); errno != 0 {
		return 0, errno
	}
	if off < 0 {
		return 0, experimentalsys.EINVAL
	}
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.WriteAt(buf, off)
	return n, bridgeErrno(err)
}

// Truncate implements experimentalsys.File.
func (f *bridgeFile) Truncate(size int64) experimentalsys.Errno {
	if !f.closed && !f.isDir && f.acc == experimentalsys.O_RDONLY {
		return experimentalsys.EINVAL // as Linux ftruncate on a read-only descriptor
	}
	if errno := f.writable(); errno != 0 {
		return errno
	}
	if size < 0 {
		return experimentalsys.EINVAL
	}
	return bridgeErrno(f.f.Truncate(size))
}

// Sync implements experimentalsys.File.
func (f *bridgeFile) Sync() experimentalsys.Errno {
	if f.closed {
		return experimentalsys.EBADF
	}
	if f.isDir {
		return 0
	}
	return bridgeErrno(f.f.Sync())
}

// Datasync implements experimentalsys.File.
func (f *bridgeFile) Datasync() experimentalsys.Errno { return f.Sync() }

// Utimens implements experimentalsys.File.
func (f *bridgeFile) Utimens(atim, mtim int64) experimentalsys.Errno {
	if f.closed {
		return experimentalsys.EBADF
	}
	return f.b.utimens(f.name, atim, mtim)
}

// Close implements experimentalsys.File.
func (f *bridgeFile) Close() experimentalsys.Errno {
	if f.closed {
		return 0
	}
	f.closed = true
	return bridgeErrno(f.f.Close())
}
