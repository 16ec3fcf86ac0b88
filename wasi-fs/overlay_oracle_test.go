package wasifs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
)

// The oracle: a real directory on disk, reached through os calls on
// dir+"/"+name (never cleaned, so ".." and symlinks are resolved by the
// kernel, as the overlay must resolve them).

// testFS is what both sides of a comparison offer.
type testFS interface {
	afero.Fs
	afero.Symlinker
}

// osDir is an afero.Fs on a host directory that leaves path resolution to
// the kernel. Only for tests, with paths that stay inside dir.
type osDir struct{ dir string }

func (d osDir) p(name string) string { return d.dir + "/" + strings.TrimPrefix(name, "/") }

func (d osDir) Create(name string) (afero.File, error) { return os.Create(d.p(name)) }
func (d osDir) Mkdir(name string, perm os.FileMode) error {
	return os.Mkdir(d.p(name), perm)
}
func (d osDir) MkdirAll(name string, perm os.FileMode) error {
	return os.MkdirAll(d.p(name), perm)
}
func (d osDir) Open(name string) (afero.File, error) { return os.Open(d.p(name)) }
func (d osDir) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	return os.OpenFile(d.p(name), flag, perm)
}
func (d osDir) Remove(name string) error    { return os.Remove(d.p(name)) }
func (d osDir) RemoveAll(name string) error { return os.RemoveAll(d.p(name)) }

// Rename is rename(2): os.Rename refuses to replace a directory.
func (d osDir) Rename(o, n string) error {
	if err := syscall.Rename(d.p(o), d.p(n)); err != nil {
		return &os.LinkError{Op: "rename", Old: o, New: n, Err: err}
	}
	return nil
}
func (d osDir) Stat(name string) (os.FileInfo, error) {
	return os.Stat(d.p(name))
}
func (d osDir) Name() string                              { return "osDir" }
func (d osDir) Chmod(name string, mode os.FileMode) error { return os.Chmod(d.p(name), mode) }
func (d osDir) Chown(name string, uid, gid int) error     { return nil }
func (d osDir) Chtimes(name string, a, m time.Time) error {
	return os.Chtimes(d.p(name), a, m)
}
func (d osDir) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	fi, err := os.Lstat(d.p(name))
	return fi, true, err
}
func (d osDir) SymlinkIfPossible(o, n string) error { return os.Symlink(o, d.p(n)) }
func (d osDir) ReadlinkIfPossible(name string) (string, error) {
	return os.Readlink(d.p(name))
}

// entry is one item of a layer description.
type entry struct {
	kind string // "file", "dir", "symlink", "whiteout", "opaque"
	path string
	data string // file content or symlink target
}

func file(p, data string) entry   { return entry{"file", p, data} }
func dir(p string) entry          { return entry{"dir", p, ""} }
func symlink(p, tgt string) entry { return entry{"symlink", p, tgt} }
func whiteout(p string) entry     { return entry{"whiteout", p, ""} }
func opaque(p string) entry       { return entry{"opaque", p, ""} }
func parentOf(p string) string    { d, _ := splitRel(strings.Trim(p, "/")); return d }
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// buildLayer writes a layer description into fsys in the layer format.
func buildLayer(t testing.TB, fsys afero.Fs, entries []entry) {
	t.Helper()
	for _, e := range entries {
		if d := parentOf(e.path); d != "" {
			must(t, fsys.MkdirAll(d, 0o755))
		}
		switch e.kind {
		case "file":
			must(t, afero.WriteFile(fsys, e.path, []byte(e.data), 0o644))
		case "dir":
			must(t, fsys.MkdirAll(e.path, 0o755))
		case "symlink":
			must(t, fsys.(afero.Linker).SymlinkIfPossible(e.data, e.path))
		case "whiteout":
			d, n := splitRel(e.path)
			must(t, afero.WriteFile(fsys, joinRel(d, WhiteoutPrefix+n), nil, 0o644))
		case "opaque":
			must(t, fsys.MkdirAll(e.path, 0o755))
			must(t, afero.WriteFile(fsys, joinRel(e.path, OpaqueMarker), nil, 0o644))
		}
	}
}

// applyMerged applies a layer description to a plain filesystem, giving
// what the overlay must show once the layer is stacked on it.
func applyMerged(t testing.TB, fsys testFS, entries []entry) {
	t.Helper()
	for _, e := range entries {
		if d := parentOf(e.path); d != "" {
			must(t, fsys.MkdirAll(d, 0o755))
		}
		switch e.kind {
		case "file":
			must(t, fsys.RemoveAll(e.path))
			must(t, afero.WriteFile(fsys, e.path, []byte(e.data), 0o644))
		case "dir":
			if fi, _, err := fsys.LstatIfPossible(e.path); err == nil && !fi.IsDir() {
				must(t, fsys.Remove(e.path))
			}
			must(t, fsys.MkdirAll(e.path, 0o755))
		case "symlink":
			must(t, fsys.RemoveAll(e.path))
			must(t, fsys.SymlinkIfPossible(e.data, e.path))
		case "whiteout":
			must(t, fsys.RemoveAll(e.path))
		case "opaque":
			must(t, fsys.RemoveAll(e.path))
			must(t, fsys.MkdirAll(e.path, 0o755))
		}
	}
}

// stack describes lower layers, bottom first.
type stack [][]entry

// layerKinds builds layers of one kind.
type layerKind struct {
	name string
	make func(t testing.TB) afero.Fs
}

var layerKinds = []layerKind{
	{"mem", func(testing.TB) afero.Fs { return NewMemLayer() }},
	{"dir", func(t testing.TB) afero.Fs { return NewDirLayer(t.TempDir()) }},
}

// setup builds the overlay (lowers of kind lk, upper of kind uk) and the
// oracle directory for a stack.
func setup(t testing.TB, s stack, lk, uk layerKind) (o *Overlay, lowers []afero.Fs, oracle string) {
	t.Helper()
	oracle = t.TempDir()
	for _, entries := range s {
		l := lk.make(t)
		buildLayer(t, l, entries)
		lowers = append([]afero.Fs{l}, lowers...) // top-most first
		applyMerged(t, osDir{oracle}, entries)
	}
	return New(uk.make(t), lowers...), lowers, oracle
}

// dumpTree describes every entry under the root of fsys, one line each,
// sorted: path, type, permissions, size and content of files, symlink
// targets.
func dumpTree(t testing.TB, fsys testFS) string {
	t.Helper()
	var lines []string
	var walk func(dir string)
	walk = func(dir string) {
		f, err := fsys.Open(dir)
		if err != nil {
			t.Fatalf("open %s: %v", dir, err)
		}
		infos, err := f.Readdir(-1)
		f.Close()
		if err != nil {
			t.Fatalf("readdir %s: %v", dir, err)
		}
		sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
		for _, fi := range infos {
			p := strings.TrimPrefix(dir+"/"+fi.Name(), "/")
			lfi, _, err := fsys.LstatIfPossible(p)
			if err != nil {
				t.Fatalf("lstat %s: %v", p, err)
			}
			if lfi.Mode() != fi.Mode() {
				t.Errorf("%s: readdir mode %v, lstat mode %v", p, fi.Mode(), lfi.Mode())
			}
			switch {
			case fi.IsDir():
				lines = append(lines, fmt.Sprintf("%s dir %v", p, fi.Mode().Perm()))
				walk("/" + p)
			case fi.Mode()&fs.ModeSymlink != 0:
				tgt, err := fsys.ReadlinkIfPossible(p)
				if err != nil {
					t.Fatalf("readlink %s: %v", p, err)
				}
				lines = append(lines, fmt.Sprintf("%s symlink -> %s", p, tgt))
			default:
				b, err := afero.ReadFile(fsys, p)
				if err != nil {
					t.Fatalf("read %s: %v", p, err)
				}
				lines = append(lines, fmt.Sprintf("%s file %v %d %q", p, fi.Mode(), fi.Size(), b))
			}
		}
	}
	walk("/")
	return strings.Join(lines, "\n")
}

// op is one filesystem operation of a conformance sequence.
type op struct {
	name string
	a, b string
	data string
	n    int64
}

// run performs an operation and describes its result; the errno is 0 on
// success.
func (p op) run(fsys testFS) (string, syscall.Errno) {
	res, err := p.do(fsys)
	if err != nil {
		var e syscall.Errno
		if !errors.As(err, &e) {
			return "non-errno error: " + err.Error(), 0
		}
		return "", e
	}
	return res, 0
}

func describe(fi fs.FileInfo) string {
	switch {
	case fi.IsDir():
		return "dir " + fi.Mode().Perm().String()
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Sprintf("symlink %d", fi.Size())
	}
	return fmt.Sprintf("%v %d", fi.Mode(), fi.Size())
}

var fixedTime = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

func (p op) do(fsys testFS) (string, error) {
	switch p.name {
	case "read":
		f, err := fsys.Open(p.a)
		if err != nil {
			return "", err
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		return string(b), err
	case "write", "append", "create_excl", "create_rdonly":
		flag := map[string]int{
			"write":         os.O_WRONLY | os.O_CREATE | os.O_TRUNC,
			"append":        os.O_WRONLY | os.O_CREATE | os.O_APPEND,
			"create_excl":   os.O_WRONLY | os.O_CREATE | os.O_EXCL,
			"create_rdonly": os.O_RDONLY | os.O_CREATE,
		}[p.name]
		f, err := fsys.OpenFile(p.a, flag, 0o644)
		if err != nil {
			return "", err
		}
		defer f.Close()
		if p.data != "" {
			if _, err := f.Write([]byte(p.data)); err != nil {
				return "", err
			}
		}
		return "", nil
	case "writeat":
		f, err := fsys.OpenFile(p.a, os.O_RDWR, 0)
		if err != nil {
			return "", err
		}
		defer f.Close()
		_, err = f.WriteAt([]byte(p.data), p.n)
		return "", err
	case "truncate":
		f, err := fsys.OpenFile(p.a, os.O_WRONLY, 0)
		if err != nil {
			return "", err
		}
		defer f.Close()
		return "", f.Truncate(p.n)
	case "open_rdwr":
		f, err := fsys.OpenFile(p.a, os.O_RDWR, 0)
		if err != nil {
			return "", err
		}
		return "", f.Close()
	case "mkdir":
		return "", fsys.Mkdir(p.a, 0o755)
	case "mkdirall":
		return "", fsys.MkdirAll(p.a, 0o755)
	case "remove":
		return "", fsys.Remove(p.a)
	case "removeall":
		return "", fsys.RemoveAll(p.a)
	case "rename":
		return "", fsys.Rename(p.a, p.b)
	case "symlink":
		return "", fsys.SymlinkIfPossible(p.b, p.a)
	case "readlink":
		return fsys.ReadlinkIfPossible(p.a)
	case "stat":
		fi, err := fsys.Stat(p.a)
		if err != nil {
			return "", err
		}
		return describe(fi), nil
	case "lstat":
		fi, _, err := fsys.LstatIfPossible(p.a)
		if err != nil {
			return "", err
		}
		return describe(fi), nil
	case "chmod":
		if err := fsys.Chmod(p.a, fs.FileMode(p.n)); err != nil {
			return "", err
		}
		fi, err := fsys.Stat(p.a)
		if err != nil {
			return "", err
		}
		return describe(fi), nil
	case "chtimes":
		if err := fsys.Chtimes(p.a, fixedTime, fixedTime); err != nil {
			return "", err
		}
		fi, err := fsys.Stat(p.a)
		if err != nil {
			return "", err
		}
		return fi.ModTime().UTC().String(), nil
	case "list":
		f, err := fsys.Open(p.a)
		if err != nil {
			return "", err
		}
		defer f.Close()
		infos, err := f.Readdir(-1)
		if err != nil {
			return "", err
		}
		var out []string
		for _, fi := range infos {
			out = append(out, fi.Name()+":"+describe(fi))
		}
		slices.Sort(out)
		return strings.Join(out, ","), nil
	}
	panic("unknown op " + p.name)
}
