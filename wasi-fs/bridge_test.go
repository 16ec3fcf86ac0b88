package wasifs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/afero/mem"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// bridgeLayers are the afero.Fs kinds every bridge test runs on.
func bridgeLayers(t *testing.T) map[string]func() afero.Fs {
	return map[string]func() afero.Fs{
		"memmap":   afero.NewMemMapFs,
		"osdir":    func() afero.Fs { return afero.NewBasePathFs(afero.NewOsFs(), t.TempDir()) },
		"memlayer": NewMemLayer,
		"dirlayer": func() afero.Fs { return NewDirLayer(t.TempDir()) },
		"overlay":  func() afero.Fs { return New(NewMemLayer(), NewMemLayer()) },
	}
}

func forEachBridgeLayer(t *testing.T, test func(t *testing.T, fsys afero.Fs, b experimentalsys.FS)) {
	t.Helper()
	layers := bridgeLayers(t)
	names := make([]string, 0, len(layers))
	for name := range layers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			fsys := layers[name]()
			b, ok := MountFS(fsys).(experimentalsys.FS)
			if !ok {
				t.Fatalf("MountFS returned %T, not an experimental sys.FS", MountFS(fsys))
			}
			test(t, fsys, b)
		})
	}
}

func wantErrno(t *testing.T, what string, got, want experimentalsys.Errno) {
	t.Helper()
	if got != want {
		t.Errorf("%s: errno %v, want %v", what, errnoName(got), errnoName(want))
	}
}

func errnoName(e experimentalsys.Errno) string {
	if e == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%v)", e, e)
}

func mustOpen(t *testing.T, b experimentalsys.FS, p string, flag experimentalsys.Oflag) experimentalsys.File {
	t.Helper()
	f, errno := b.OpenFile(p, flag, 0o600) // as wazero passes it
	if errno != 0 {
		t.Fatalf("OpenFile(%q, %#x): %v", p, flag, errno)
	}
	return f
}

func writeAll(t *testing.T, f experimentalsys.File, s string) {
	t.Helper()
	if n, errno := f.Write([]byte(s)); errno != 0 || n != len(s) {
		t.Fatalf("Write(%q) = %d, %v", s, n, errno)
	}
}

func readAllFile(t *testing.T, f experimentalsys.File) string {
	t.Helper()
	var sb strings.Builder
	buf := make([]byte, 3) // small on purpose: several reads
	for {
		n, errno := f.Read(buf)
		if errno != 0 {
			t.Fatalf("Read: %v", errno)
		}
		if n == 0 {
			return sb.String()
		}
		sb.Write(buf[:n])
	}
}

func TestBridgeOpenFlags(t *testing.T) {
	const (
		rdonly = experimentalsys.O_RDONLY
		rdwr   = experimentalsys.O_RDWR
		wronly = experimentalsys.O_WRONLY
		creat  = experimentalsys.O_CREAT
		excl   = experimentalsys.O_EXCL
		trunc  = experimentalsys.O_TRUNC
		dir    = experimentalsys.O_DIRECTORY
	)
	forEachBridgeLayer(t, func(t *testing.T, fsys afero.Fs, b experimentalsys.FS) {
		f := mustOpen(t, b, "a.txt", wronly|creat|excl)
		writeAll(t, f, "hello")
		if n, errno := f.Read(make([]byte, 4)); errno != experimentalsys.EBADF {
			t.Errorf("Read on O_WRONLY = %d, %v, want EBADF", n, errno)
		}
		f.Close()
		wantErrno(t, "Mkdir d", b.Mkdir("d", 0o755), 0)

		for _, c := range []struct {
			path string
			flag experimentalsys.Oflag
			want experimentalsys.Errno
		}{
			{"a.txt", rdonly, 0},
			{"./a.txt", rdwr, 0},
			{"d/../a.txt", rdonly, 0},
			{"a.txt", wronly | creat | excl, experimentalsys.EEXIST},
			{"missing", rdonly, experimentalsys.ENOENT},
			{"missing/x", rdwr | creat, experimentalsys.ENOENT},
			{"a.txt/x", rdwr | creat, experimentalsys.ENOTDIR},
			{"a.txt", rdonly | dir, experimentalsys.ENOTDIR},
			{"a.txt/", rdonly, experimentalsys.ENOTDIR},
			{"d", rdonly, 0},
			{"d", rdonly | dir, 0},
			{"d/", rdonly, 0},
			{".", rdonly, 0},
			{"d", rdwr, experimentalsys.EISDIR},
			{"d", wronly, experimentalsys.EISDIR},
			{"d", rdonly | creat, experimentalsys.EISDIR},
			{"new/", rdwr | creat, experimentalsys.EISDIR},
			{"x\x00y", rdonly, experimentalsys.EINVAL},
			{strings.Repeat("n", 256), rdonly, experimentalsys.ENAMETOOLONG},
		} {
			f, errno := b.OpenFile(c.path, c.flag, 0o644)
			wantErrno(t, fmt.Sprintf("OpenFile(%q, %#x)", c.path, c.flag), errno, c.want)
			if errno == 0 {
				f.Close()
			}
		}

		f = mustOpen(t, b, "a.txt", rdonly)
		if got := readAllFile(t, f); got != "hello" {
			t.Errorf("read %q, want hello", got)
		}
		if n, errno := f.Write([]byte("x")); errno != experimentalsys.EBADF {
			t.Errorf("Write on O_RDONLY = %d, %v, want EBADF", n, errno)
		}
		wantErrno(t, "Truncate on O_RDONLY", f.Truncate(0), experimentalsys.EINVAL)
		f.Close()
		if n, errno := f.Read(make([]byte, 1)); errno != experimentalsys.EBADF {
			t.Errorf("Read after Close = %d, %v, want EBADF", n, errno)
		}

		f = mustOpen(t, b, "a.txt", rdwr|trunc)
		if st, errno := f.Stat(); errno != 0 || st.Size != 0 {
			t.Errorf("after O_TRUNC: size %d, %v", st.Size, errno)
		}
		f.Close()
	})
}

func TestBridgeAppendPreadPwrite(t *testing.T) {
	forEachBridgeLayer(t, func(t *testing.T, fsys afero.Fs, b experimentalsys.FS) {
		f := mustOpen(t, b, "log", experimentalsys.O_WRONLY|experimentalsys.O_CREAT)
		writeAll(t, f, "one\n")
		f.Close()

		f = mustOpen(t, b, "log", experimentalsys.O_RDWR|experimentalsys.O_APPEND)
		if !f.IsAppend() {
			t.Error("IsAppend = false after O_APPEND")
		}
		if _, errno := f.Seek(0, io.SeekStart); errno != 0 {
			t.Fatal(errno)
		}
		writeAll(t, f, "two\n") // appends despite the seek
		other := mustOpen(t, b, "log", experimentalsys.O_WRONLY|experimentalsys.O_APPEND)
		writeAll(t, other, "three\n")
		other.Close()
		writeAll(t, f, "four\n") // still at the end written by the other file
		wantErrno(t, "SetAppend(false)", f.SetAppend(false), 0)
		if _, errno := f.Seek(0, io.SeekStart); errno != 0 {
			t.Fatal(errno)
		}
		writeAll(t, f, "ONE") // overwrites
		buf := make([]byte, 5)
		if n, errno := f.Pread(buf, 4); errno != 0 || string(buf[:n]) != "two\nt" {
			t.Errorf("Pread = %q, %v", buf[:n], errno)
		}
		if n, errno := f.Pwrite([]byte("TWO"), 4); errno != 0 || n != 3 {
			t.Errorf("Pwrite = %d, %v", n, errno)
		}
		if _, errno := f.Pread(buf, -1); errno != experimentalsys.EINVAL {
			t.Errorf("Pread at -1: %v, want EINVAL", errno)
		}
		f.Close()
		got, err := afero.ReadFile(fsys, "/log")
		if err != nil {
			t.Fatal(err)
		}
		if want := "ONE\nTWO\nthree\nfour\n"; string(got) != want {
			t.Errorf("file = %q, want %q", got, want)
		}

		f = mustOpen(t, b, "log", experimentalsys.O_RDWR)
		wantErrno(t, "Truncate", f.Truncate(3), 0)
		wantErrno(t, "Truncate(-1)", f.Truncate(-1), experimentalsys.EINVAL)
		if st, _ := f.Stat(); st.Size != 3 {
			t.Errorf("size after Truncate(3) = %d", st.Size)
		}
		if off, errno := f.Seek(-1, io.SeekEnd); errno != 0 || off != 2 {
			t.Errorf("Seek(-1, end) = %d, %v", off, errno)
		}
		f.Close()
	})
}

func TestBridgeReaddirRewind(t *testing.T) {
	forEachBridgeLayer(t, func(t *testing.T, fsys afero.Fs, b experimentalsys.FS) {
		wantErrno(t, "Mkdir", b.Mkdir("d", 0o755), 0)
		for _, n := range []string{"c", "a", "b"} {
			mustOpen(t, b, "d/"+n, experimentalsys.O_WRONLY|experimentalsys.O_CREAT).Close()
		}
		wantErrno(t, "Mkdir d/sub", b.Mkdir("d/sub", 0o755), 0)

		d := mustOpen(t, b, "d", experimentalsys.O_RDONLY)
		defer d.Close()
		if isDir, _ := d.IsDir(); !isDir {
			t.Fatal("IsDir = false")
		}
		if _, errno := d.Read(make([]byte, 1)); errno != experimentalsys.EISDIR {
			t.Errorf("Read on dir: %v, want EISDIR", errno)
		}
		first, errno := d.Readdir(2)
		if errno != 0 || len(first) != 2 {
			t.Fatalf("Readdir(2) = %v, %v", first, errno)
		}
		rest, errno := d.Readdir(10)
		if errno != 0 || len(rest) != 2 {
			t.Fatalf("Readdir(10) = %v, %v", rest, errno)
		}
		if end, errno := d.Readdir(10); errno != 0 || len(end) != 0 {
			t.Fatalf("Readdir at end = %v, %v", end, errno)
		}
		got := direntNames(append(first, rest...))
		if want := "a b c sub/"; got != want {
			t.Errorf("listing %q, want %q", got, want)
		}
		for _, de := range append(first, rest...) {
			st, errno := b.Lstat("d/" + de.Name)
			if errno != 0 || st.Ino != de.Ino || de.Ino == 0 {
				t.Errorf("dirent %s ino %d, Lstat ino %d (%v)", de.Name, de.Ino, st.Ino, errno)
			}
		}

		wantErrno(t, "Unlink d/a", b.Unlink("d/a"), 0)
		mustOpen(t, b, "d/z", experimentalsys.O_WRONLY|experimentalsys.O_CREAT).Close()
		if _, errno := d.Seek(1, io.SeekStart); errno != experimentalsys.EINVAL {
			t.Errorf("Seek(1) on dir: %v, want EINVAL", errno)
		}
		if _, errno := d.Seek(0, io.SeekStart); errno != 0 {
			t.Fatalf("rewind: %v", errno)
		}
		again, errno := d.Readdir(-1)
		if errno != 0 {
			t.Fatal(errno)
		}
		if got, want := direntNames(again), "b c sub/ z"; got != want {
			t.Errorf("listing after rewind %q, want %q", got, want)
		}
	})
}

func direntNames(ds []experimentalsys.Dirent) string {
	var names []string
	for _, d := range ds {
		n := d.Name
		if d.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	return strings.Join(names, " ")
}

func TestBridgeInodes(t *testing.T) {
	forEachBridgeLayer(t, func(t *testing.T, fsys afero.Fs, b experimentalsys.FS) {
		mustOpen(t, b, "a", experimentalsys.O_WRONLY|experimentalsys.O_CREAT).Close()
		mustOpen(t, b, "b", experimentalsys.O_WRONLY|experimentalsys.O_CREAT).Close()
		wantErrno(t, "Mkdir", b.Mkdir("d", 0o755), 0)
		mustOpen(t, b, "d/f", experimentalsys.O_WRONLY|experimentalsys.O_CREAT).Close()

		ino := func(p string) uint64 {
			t.Helper()
			st, errno := b.Stat(p)
			if errno != 0 {
				t.Fatalf("Stat(%q): %v", p, errno)
			}
			if st.Dev == 0 || st.Ino == 0 {
				t.Errorf("Stat(%q): dev %d ino %d, want non-zero", p, st.Dev, st.Ino)
			}
			return st.Ino
		}
		a, bb, d, df, root := ino("a"), ino("b"), ino("d"), ino("d/f"), ino(".")
		if a == bb || a == d || d == df || root == a {
			t.Errorf("inodes not distinct: a=%d b=%d d=%d d/f=%d root=%d", a, bb, d, df, root)
		}
		if ino("a") != a || ino("./d/../a") != a {
			t.Error("inode of a changed between stats")
		}
		f := mustOpen(t, b, "a", experimentalsys.O_RDONLY)
		if fi, _ := f.Ino(); fi != a {
			t.Errorf("File.Ino = %d, want %d", fi, a)
		}
		if st, _ := f.Stat(); st.Ino != a {
			t.Errorf("File.Stat().Ino = %d, want %d", st.Ino, a)
		}
		f.Close()

		wantErrno(t, "Rename d e", b.Rename("d", "e"), 0)
		if ino("e") != d || ino("e/f") != df {
			t.Error("inodes did not follow the rename")
		}
		wantErrno(t, "Rename a b", b.Rename("a", "b"), 0)
		if ino("b") != a {
			t.Error("inode did not follow the rename over an existing file")
		}
		wantErrno(t, "Unlink b", b.Unlink("b"), 0)
		mustOpen(t, b, "b", experimentalsys.O_WRONLY|experimentalsys.O_CREAT).Close()
		if ino("b") == a {
			t.Error("a re-created file kept the old inode")
		}
	})
}

func TestBridgeDirectoryOps(t *testing.T) {
	forEachBridgeLayer(t, func(t *testing.T, fsys afero.Fs, b experimentalsys.FS) {
		create := func(p string) {
			t.Helper()
			mustOpen(t, b, p, experimentalsys.O_WRONLY|experimentalsys.O_CREAT).Close()
		}
		wantErrno(t, "Mkdir d", b.Mkdir("d", 0o755), 0)
		wantErrno(t, "Mkdir d again", b.Mkdir("d", 0o755), experimentalsys.EEXIST)
		wantErrno(t, "Mkdir missing/x", b.Mkdir("missing/x", 0o755), experimentalsys.ENOENT)
		create("d/f")
		create("file")
		wantErrno(t, "Mkdir file/x", b.Mkdir("file/x", 0o755), experimentalsys.ENOTDIR)
		wantErrno(t, "Rmdir d (non-empty)", b.Rmdir("d"), experimentalsys.ENOTEMPTY)
		wantErrno(t, "Rmdir file", b.Rmdir("file"), experimentalsys.ENOTDIR)
		wantErrno(t, "Rmdir missing", b.Rmdir("missing"), experimentalsys.ENOENT)
		wantErrno(t, "Rmdir root", b.Rmdir("."), experimentalsys.EINVAL)
		wantErrno(t, "Unlink d", b.Unlink("d"), experimentalsys.EISDIR)
		wantErrno(t, "Unlink missing", b.Unlink("missing"), experimentalsys.ENOENT)
		if _, err := fsys.Stat("/d/f"); err != nil {
			t.Errorf("d/f vanished after a refused Rmdir: %v", err)
		}

		wantErrno(t, "Mkdir empty", b.Mkdir("empty", 0o755), 0)
		wantErrno(t, "Mkdir full", b.Mkdir("full", 0o700), 0)
		create("full/x")
		wantErrno(t, "Rename file→d", b.Rename("file", "d"), experimentalsys.EISDIR)
		wantErrno(t, "Rename d→file", b.Rename("d", "file"), experimentalsys.ENOTDIR)
		wantErrno(t, "Rename d→full", b.Rename("d", "full"), experimentalsys.ENOTEMPTY)
		wantErrno(t, "Rename d→d/sub", b.Rename("d", "d/sub"), experimentalsys.EINVAL)
		wantErrno(t, "Rename missing", b.Rename("missing", "x"), experimentalsys.ENOENT)
		wantErrno(t, "Rename to missing dir", b.Rename("file", "missing/x"), experimentalsys.ENOENT)
		wantErrno(t, "Rename d→empty", b.Rename("d", "empty"), 0)
		if _, err := fsys.Stat("/empty/f"); err != nil {
			t.Errorf("empty/f after rename: %v", err)
		}
		if _, err := fsys.Stat("/d"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("d after rename: %v, want not exist", err)
		}
		wantErrno(t, "Rename file→file", b.Rename("file", "file"), 0)
		wantErrno(t, "Rmdir empty/f", b.Rmdir("empty/f"), experimentalsys.ENOTDIR)
		wantErrno(t, "Unlink empty/f", b.Unlink("empty/f"), 0)
		wantErrno(t, "Rmdir empty", b.Rmdir("empty"), 0)

		st, errno := b.Stat("full")
		if errno != 0 || !st.Mode.IsDir() || st.Mode.Perm() == 0 {
			t.Errorf("Stat(full) mode %v, %v", st.Mode, errno)
		}
		if st, _ := b.Stat("file"); st.Mode != 0o644 {
			t.Errorf("mode of a created file = %v, want 0644", st.Mode)
		}
		if st, _ := b.Stat("full"); st.Mode != fs.ModeDir|0o755 {
			t.Errorf("mode of a created directory = %v, want 0755", st.Mode)
		}
		wantErrno(t, "Chmod", b.Chmod("file", 0o600), 0)
		if st, _ := b.Stat("file"); st.Mode != 0o600 {
			t.Errorf("mode after Chmod = %v", st.Mode)
		}
	})
}

func TestBridgeUtimens(t *testing.T) {
	forEachBridgeLayer(t, func(t *testing.T, fsys afero.Fs, b experimentalsys.FS) {
		mustOpen(t, b, "f", experimentalsys.O_WRONLY|experimentalsys.O_CREAT).Close()
		mtim := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()
		wantErrno(t, "Utimens", b.Utimens("f", mtim, mtim), 0)
		if st, _ := b.Stat("f"); st.Mtim != mtim {
			t.Errorf("mtim %d, want %d", st.Mtim, mtim)
		}
		wantErrno(t, "Utimens omit", b.Utimens("f", experimentalsys.UTIME_OMIT, experimentalsys.UTIME_OMIT), 0)
		wantErrno(t, "Utimens omit mtim", b.Utimens("f", mtim+1e9, experimentalsys.UTIME_OMIT), 0)
		if st, _ := b.Stat("f"); st.Mtim != mtim {
			t.Errorf("UTIME_OMIT changed mtim to %d", st.Mtim)
		}
		f := mustOpen(t, b, "f", experimentalsys.O_RDONLY)
		wantErrno(t, "File.Utimens", f.Utimens(experimentalsys.UTIME_OMIT, mtim+2e9), 0)
		f.Close()
		if st, _ := b.Stat("f"); st.Mtim != mtim+2e9 {
			t.Errorf("after File.Utimens mtim %d", st.Mtim)
		}
		wantErrno(t, "Utimens missing", b.Utimens("missing", 0, 0), experimentalsys.ENOENT)
	})
}

// rawLinkFs is a directory layer whose symlinks keep their target as given
// (afero.BasePathFs rewrites targets to host paths).
type rawLinkFs struct {
	*afero.BasePathFs
}

func (r rawLinkFs) SymlinkIfPossible(oldname, newname string) error {
	real, err := r.RealPath(newname)
	if err != nil {
		return err
	}
	return os.Symlink(oldname, real)
}

func (r rawLinkFs) ReadlinkIfPossible(name string) (string, error) {
	real, err := r.RealPath(name)
	if err != nil {
		return "", err
	}
	return os.Readlink(real)
}

func TestBridgeSymlinks(t *testing.T) {
	for name, fsys := range map[string]afero.Fs{
		"rawlink":  rawLinkFs{afero.NewBasePathFs(afero.NewOsFs(), t.TempDir()).(*afero.BasePathFs)},
		"memlayer": NewMemLayer(),
		"dirlayer": NewDirLayer(t.TempDir()),
		"overlay":  New(NewMemLayer(), NewMemLayer()),
	} {
		t.Run(name, func(t *testing.T) { testBridgeSymlinks(t, fsys) })
	}

	// A layer without symlinks.
	m := MountFS(afero.NewMemMapFs()).(experimentalsys.FS)
	wantErrno(t, "Symlink on MemMapFs", m.Symlink("x", "y"), experimentalsys.ENOSYS)
	wantErrno(t, "Link", m.Link("x", "y"), experimentalsys.ENOSYS)
}

func testBridgeSymlinks(t *testing.T, fsys afero.Fs) {
	b := MountFS(fsys).(experimentalsys.FS)
	f := mustOpen(t, b, "target", experimentalsys.O_WRONLY|experimentalsys.O_CREAT)
	writeAll(t, f, "data")
	f.Close()
	wantErrno(t, "Symlink", b.Symlink("target", "link"), 0)
	wantErrno(t, "Symlink again", b.Symlink("target", "link"), experimentalsys.EEXIST)
	if got, errno := b.Readlink("link"); errno != 0 || got != "target" {
		t.Errorf("Readlink = %q, %v", got, errno)
	}
	if _, errno := b.Readlink("target"); errno != experimentalsys.EINVAL {
		t.Errorf("Readlink of a file: %v, want EINVAL", errno)
	}
	lst, errno := b.Lstat("link")
	if errno != 0 || lst.Mode&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(link) mode %v, %v", lst.Mode, errno)
	}
	st, errno := b.Stat("link")
	if errno != 0 || !st.Mode.IsRegular() || st.Size != 4 {
		t.Errorf("Stat(link) mode %v size %d, %v", st.Mode, st.Size, errno)
	}
	tst, _ := b.Stat("target")
	if st.Ino != tst.Ino || lst.Ino == tst.Ino {
		t.Errorf("inodes: Stat(link) %d, Stat(target) %d, Lstat(link) %d; want the first two equal", st.Ino, tst.Ino, lst.Ino)
	}
	lf := mustOpen(t, b, "link", experimentalsys.O_RDONLY)
	if ino, _ := lf.Ino(); ino != tst.Ino {
		t.Errorf("File.Ino through link %d, want %d", ino, tst.Ino)
	}
	lf.Close()
	if _, errno := b.OpenFile("link", experimentalsys.O_RDONLY|experimentalsys.O_NOFOLLOW, 0); errno != experimentalsys.ELOOP {
		t.Errorf("open link O_NOFOLLOW: %v, want ELOOP", errno)
	}
	f = mustOpen(t, b, "link", experimentalsys.O_RDONLY)
	if got := readAllFile(t, f); got != "data" {
		t.Errorf("read through link %q", got)
	}
	f.Close()
	wantErrno(t, "Unlink link", b.Unlink("link"), 0)
	if _, err := fsys.Stat("/target"); err != nil {
		t.Errorf("target gone after unlinking the link: %v", err)
	}
}

func TestBridgeErrno(t *testing.T) {
	for _, c := range []struct {
		err  error
		want experimentalsys.Errno
	}{
		{nil, 0},
		{io.EOF, 0},
		{&fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}, experimentalsys.ENOENT},
		{&fs.PathError{Op: "open", Path: "/x", Err: syscall.ENOTEMPTY}, experimentalsys.ENOTEMPTY},
		{fmt.Errorf("wrapped: %w", syscall.EROFS), experimentalsys.EROFS},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EXDEV}, experimentalsys.EIO},
		{os.ErrExist, experimentalsys.EEXIST},
		{fs.ErrPermission, experimentalsys.EPERM},
		{fs.ErrInvalid, experimentalsys.EINVAL},
		{fs.ErrClosed, experimentalsys.EBADF},
		{mem.ErrFileClosed, experimentalsys.EBADF},
		{afero.ErrNoSymlink, experimentalsys.ENOSYS},
		{mem.ErrOutOfRange, experimentalsys.EINVAL},
		{errors.New("something else"), experimentalsys.EIO},
	} {
		if got := bridgeErrno(c.err); got != c.want {
			t.Errorf("bridgeErrno(%v) = %v, want %v", c.err, errnoName(got), errnoName(c.want))
		}
	}
}

func TestBridgePath(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    string
		dirOnly bool
		errno   experimentalsys.Errno
	}{
		{".", "/", false, 0},
		{"", "/", false, 0},
		{"a/b", "/a/b", false, 0},
		{"a/b/", "/a/b", true, 0},
		{"./a/./b/..", "/a", false, 0},
		{"../../etc/passwd", "/etc/passwd", false, 0},
		{"/abs", "/abs", false, 0},
		{"a//b", "/a/b", false, 0},
		{"a\x00b", "", false, experimentalsys.EINVAL},
		{strings.Repeat("x", 256), "", false, experimentalsys.ENAMETOOLONG},
		{strings.Repeat("x/", 2049), "", false, experimentalsys.ENAMETOOLONG},
	} {
		got, dirOnly, errno := bridgePath(c.in)
		if got != c.want || dirOnly != c.dirOnly || errno != c.errno {
			t.Errorf("bridgePath(%q) = %q, %v, %v; want %q, %v, %v", c.in, got, dirOnly, errno, c.want, c.dirOnly, c.errno)
		}
	}
}

// FuzzBridgePath checks that a guest path always maps to a clean absolute
// path inside the mount.
func FuzzBridgePath(f *testing.F) {
	for _, s := range []string{".", "a/b/", "../..", "/x/../../y", "a\x00", "....//.", strings.Repeat("a/", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		name, _, errno := bridgePath(p)
		if errno != 0 {
			if name != "" {
				t.Fatalf("bridgePath(%q) = %q with errno %v", p, name, errno)
			}
			return
		}
		if !strings.HasPrefix(name, "/") || path.Clean(name) != name {
			t.Fatalf("bridgePath(%q) = %q: not clean and absolute", p, name)
		}
		for _, elem := range strings.Split(name, "/") {
			if elem == ".." || elem == "." {
				t.Fatalf("bridgePath(%q) = %q: has %q", p, name, elem)
			}
		}
		if strings.IndexByte(name, 0) >= 0 {
			t.Fatalf("bridgePath(%q) = %q: has NUL", p, name)
		}
	})
}

// TestBridgeConfinement plants a canary file on the host next to a
// directory layer and checks that no guest path or symlink reaches it.
func TestBridgeConfinement(t *testing.T) {
	hostDir := t.TempDir()
	canary := hostDir + "/canary"
	if err := os.WriteFile(canary, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(hostDir+"/layer", 0o755); err != nil {
		t.Fatal(err)
	}
	ov := New(NewMemLayer(), NewDirLayer(hostDir+"/layer"))
	b := MountFS(ov).(experimentalsys.FS)
	wantErrno(t, "Symlink abs", b.Symlink(canary, "abs"), 0)
	wantErrno(t, "Symlink rel", b.Symlink("../canary", "rel"), 0)
	wantErrno(t, "Symlink root", b.Symlink("/", "root"), 0)
	paths := []string{"../canary", "abs", "rel", "root/../canary", "root/../../canary", canary[1:]}
	for _, p := range paths {
		if f, errno := b.OpenFile(p, experimentalsys.O_RDONLY, 0); errno == 0 {
			got := readAllFile(t, f)
			f.Close()
			t.Errorf("OpenFile(%q) succeeded and read %q", p, got)
		}
	}
	for _, p := range paths { // writes land inside the overlay, if anywhere
		if f, errno := b.OpenFile(p, experimentalsys.O_WRONLY|experimentalsys.O_CREAT|experimentalsys.O_TRUNC, 0o644); errno == 0 {
			writeAll(t, f, "overwritten")
			f.Close()
		}
	}
	if got, err := os.ReadFile(canary); err != nil || string(got) != "secret" {
		t.Errorf("canary = %q, %v", got, err)
	}
}

func TestBridgeReadOnlyOverlay(t *testing.T) {
	lower := NewMemLayer()
	if err := afero.WriteFile(lower, "/f", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := MountFS(New(nil, lower)).(experimentalsys.FS)
	f := mustOpen(t, b, "f", experimentalsys.O_RDONLY)
	if got := readAllFile(t, f); got != "x" {
		t.Errorf("read %q", got)
	}
	f.Close()
	if _, errno := b.OpenFile("g", experimentalsys.O_WRONLY|experimentalsys.O_CREAT, 0o600); errno != experimentalsys.EROFS {
		t.Errorf("create on a read-only overlay: %v, want EROFS", errnoName(errno))
	}
	if _, errno := b.OpenFile("f", experimentalsys.O_RDWR, 0); errno != experimentalsys.EROFS {
		t.Errorf("open for writing on a read-only overlay: %v, want EROFS", errnoName(errno))
	}
	wantErrno(t, "Mkdir", b.Mkdir("d", 0o700), experimentalsys.EROFS)
	wantErrno(t, "Unlink", b.Unlink("f"), experimentalsys.EROFS)
	wantErrno(t, "Rename", b.Rename("f", "g"), experimentalsys.EROFS)
}
