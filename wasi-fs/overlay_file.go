package wasifs

import (
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"

	"github.com/spf13/afero"
)

// renamed returns fi reporting name as its name.
func renamed(fi fs.FileInfo, name string) fs.FileInfo {
	if fi.Name() == name {
		return fi
	}
	return &namedInfo{fi, name}
}

type namedInfo struct {
	fs.FileInfo
	name string
}

func (fi *namedInfo) Name() string { return fi.name }

// upperFile is a file of a layer opened through the overlay: reads and
// writes go straight to the layer's file.
type upperFile struct {
	afero.File
	name string
}

func (f *upperFile) Name() string { return f.name }

func (f *upperFile) Stat() (os.FileInfo, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return nil, pathErr("stat", f.name, toErrno(err))
	}
	return renamed(fi, baseName(f.name)), nil
}

// lowerFile is a file of a lower layer, open for reading only: it refuses
// every write, whatever the layer would allow.
type lowerFile struct{ upperFile }

func (f *lowerFile) Write([]byte) (int, error) { return 0, pathErr("write", f.name, syscall.EBADF) }
func (f *lowerFile) WriteAt([]byte, int64) (int, error) {
	return 0, pathErr("write", f.name, syscall.EBADF)
}
func (f *lowerFile) WriteString(string) (int, error) {
	return 0, pathErr("write", f.name, syscall.EBADF)
}
func (f *lowerFile) Truncate(int64) error { return pathErr("truncate", f.name, errInvalid) }

// dirFile is a merged directory open for reading. Its listing is taken on
// the first Readdir and again after a Seek to the start.
type dirFile struct {
	o    *Overlay
	name string
	rel  string
	info fs.FileInfo

	mu      sync.Mutex // guards the fields below
	closed  bool
	listed  bool
	entries []fs.FileInfo
}

func (d *dirFile) Name() string { return d.name }

func (d *dirFile) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return pathErr("close", d.name, os.ErrClosed)
	}
	d.closed = true
	return nil
}

func (d *dirFile) Read([]byte) (int, error) { return 0, pathErr("read", d.name, syscall.EISDIR) }
func (d *dirFile) ReadAt([]byte, int64) (int, error) {
	return 0, pathErr("read", d.name, syscall.EISDIR)
}
func (d *dirFile) Write([]byte) (int, error) { return 0, pathErr("write", d.name, syscall.EBADF) }
func (d *dirFile) WriteAt([]byte, int64) (int, error) {
	return 0, pathErr("write", d.name, syscall.EBADF)
}
func (d *dirFile) WriteString(string) (int, error) {
	return 0, pathErr("write", d.name, syscall.EBADF)
}
func (d *dirFile) Truncate(int64) error { return pathErr("truncate", d.name, errInvalid) }
func (d *dirFile) Sync() error          { return nil }

func (d *dirFile) Stat() (os.FileInfo, error) {
	return renamed(d.info, baseName(d.name)), nil
}

// Seek to the start rewinds the listing; Seek(0, io.SeekCurrent) is
// allowed and changes nothing; other offsets are refused.
func (d *dirFile) Seek(offset int64, whence int) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case offset == 0 && whence == io.SeekStart:
		d.listed, d.entries = false, nil
	case offset == 0 && whence == io.SeekCurrent:
	default:
		return 0, pathErr("seek", d.name, errInvalid)
	}
	return 0, nil
}

func (d *dirFile) Readdir(count int) ([]os.FileInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, pathErr("readdir", d.name, os.ErrClosed)
	}
	if !d.listed {
		d.o.mu.RLock()
		n, err := d.o.lookupRel(d.rel)
		if err == nil && (n == nil || n.kind != kindDir) {
			err = syscall.ENOENT
		}
		var entries []fs.FileInfo
		if err == nil {
			entries, err = d.o.listDir(d.rel, n)
		}
		d.o.mu.RUnlock()
		if err != nil {
			return nil, pathErr("readdir", d.name, err)
		}
		d.entries, d.listed = entries, true
	}
	return takeEntries(&d.entries, count)
}

func (d *dirFile) Readdirnames(n int) ([]string, error) {
	infos, err := d.Readdir(n)
	names := make([]string, len(infos))
	for i, fi := range infos {
		names[i] = fi.Name()
	}
	return names, err
}

var (
	_ afero.File = (*upperFile)(nil)
	_ afero.File = (*lowerFile)(nil)
	_ afero.File = (*dirFile)(nil)
)
