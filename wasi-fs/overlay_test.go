package wasifs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/spf13/afero"
)

// newTestOverlay returns an overlay of two in-memory lower layers under an
// in-memory upper layer, filled from baseStack's first two layers.
func newTestOverlay(t testing.TB) (*Overlay, []afero.Fs) {
	t.Helper()
	o, lowers, _ := setup(t, baseStack, layerKinds[0], layerKinds[0])
	return o, lowers
}

func TestErrorsArePathErrorsWithErrno(t *testing.T) {
	o, _ := newTestOverlay(t)
	long := strings.Repeat("n", 256)
	tests := []struct {
		name  string
		err   error
		errno syscall.Errno
		is    []error
	}{
		{"missing", must1(o.Stat("nothere")), syscall.ENOENT, []error{fs.ErrNotExist}},
		{"exists", o.Mkdir("a", 0o755), syscall.EEXIST, []error{fs.ErrExist}},
		{"not empty", o.Remove("a"), syscall.ENOTEMPTY, []error{fs.ErrExist}},
		{"not a directory", must1(o.Stat("a/x/y")), syscall.ENOTDIR, nil},
		{"is a directory", must1(o.OpenFile("a", os.O_WRONLY, 0)), syscall.EISDIR, nil},
		{"loop", must1(o.Stat("loop1")), syscall.ELOOP, nil},
		{"NUL byte", must1(o.Stat("a/\x00x")), syscall.EINVAL, []error{fs.ErrInvalid}},
		{"long name", must1(o.Stat("a/" + long)), syscall.ENAMETOOLONG, []error{fs.ErrInvalid}},
		{"long path", must1(o.Stat(strings.Repeat("a/", 2049))), syscall.ENAMETOOLONG, []error{fs.ErrInvalid}},
		{"whiteout name", afero.WriteFile(o, "a/.wh.x", nil, 0o644), syscall.EINVAL, []error{fs.ErrInvalid}},
		{"marker name", must1(o.Stat("a/" + OpaqueMarker)), syscall.EINVAL, []error{fs.ErrInvalid}},
		{"whiteout dir name", o.MkdirAll(".wh.d/x", 0o755), syscall.EINVAL, []error{fs.ErrInvalid}},
		{"readlink of a file", must1(o.ReadlinkIfPossible("a/x")), syscall.EINVAL, []error{fs.ErrInvalid}},
		{"remove root", o.Remove("/"), syscall.EBUSY, nil},
		{"rename onto a non-empty directory", o.Rename("g", "c"), syscall.ENOTEMPTY, []error{fs.ErrExist}},
		{"rename a directory into itself", o.Rename("a", "a/sub/in"), syscall.EINVAL, []error{fs.ErrInvalid}},
		{"symlink over an entry", o.SymlinkIfPossible("x", "a"), syscall.EEXIST, []error{fs.ErrExist}},
		{"read-only view", New(nil, o.Lowers()...).Mkdir("new", 0o755), syscall.EROFS, []error{fs.ErrPermission}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pe *fs.PathError
			if !errors.As(tc.err, &pe) {
				t.Fatalf("error %v (%T) is not a *fs.PathError", tc.err, tc.err)
			}
			if !errors.Is(tc.err, tc.errno) {
				t.Errorf("error %v does not match %v", tc.err, tc.errno)
			}
			var e syscall.Errno
			if !errors.As(tc.err, &e) || e != tc.errno {
				t.Errorf("errors.As gives errno %v, want %v", e, tc.errno)
			}
			for _, target := range tc.is {
				if !errors.Is(tc.err, target) {
					t.Errorf("error %v does not match %v", tc.err, target)
				}
			}
		})
	}
}

// must1 drops the value of a (value, error) pair.
func must1[T any](_ T, err error) error { return err }

func TestPathsStayInsideRoot(t *testing.T) {
	o, _ := newTestOverlay(t)
	must(t, o.SymlinkIfPossible("../../../..", "up"))
	must(t, o.SymlinkIfPossible("/../../a", "absup"))
	for _, p := range []string{
		"../../a/x", "/../a/x", "a/../../../a/x", "up/a/x", "up/up/up/a/x", "absup/x", "/a/./sub/../x",
		"dsym/../../../a/x",
	} {
		b, err := afero.ReadFile(o, p)
		if err != nil || string(b) != "x1" {
			t.Errorf("read %q: %q, %v; want the root's a/x", p, b, err)
		}
	}
	for _, p := range []string{"..", "/..", "up", "../..", "up/.."} {
		names, err := afero.ReadDir(o, p)
		if err != nil || len(names) == 0 || !slices.ContainsFunc(names, func(fi fs.FileInfo) bool { return fi.Name() == "keep" }) {
			t.Errorf("list %q: %d entries, %v; want the root", p, len(names), err)
		}
	}
	// Writes through escaping links land inside the root too.
	must(t, afero.WriteFile(o, "up/../../created", []byte("in"), 0o644))
	if b, err := afero.ReadFile(o.Upper(), "/created"); err != nil || string(b) != "in" {
		t.Errorf("write through ../ link: upper has %q, %v", b, err)
	}
}

func TestSymlinkChains(t *testing.T) {
	o := New(NewMemLayer())
	must(t, afero.WriteFile(o, "target", []byte("t"), 0o644))
	prev := "target"
	for i := 1; i <= 41; i++ {
		name := fmt.Sprintf("l%02d", i)
		must(t, o.SymlinkIfPossible(prev, name))
		prev = name
	}
	// 40 links are followed, as on Linux; the 41st is one too many.
	if b, err := afero.ReadFile(o, "l40"); err != nil || string(b) != "t" {
		t.Errorf("chain of 40: %q, %v", b, err)
	}
	_, err := afero.ReadFile(o, "l41")
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, syscall.ELOOP) {
		t.Errorf("chain of 41: %v, want ELOOP as *fs.PathError", err)
	}
}

func TestReadOnlyView(t *testing.T) {
	rw, lowers := newTestOverlay(t)
	o := New(nil, lowers...)
	if b, err := afero.ReadFile(o, "a/x"); err != nil || string(b) != "x1" {
		t.Fatalf("read: %q, %v", b, err)
	}
	if o.Upper() != nil || len(o.Lowers()) != len(rw.Lowers()) {
		t.Fatal("Upper/Lowers of a read-only view")
	}
	before := dumpLayers(t, lowers)
	writes := map[string]error{
		"create":    afero.WriteFile(o, "new", nil, 0o644),
		"open rw":   must1(o.OpenFile("a/x", os.O_RDWR, 0)),
		"truncate":  o.Truncate("a/x", 0),
		"mkdir":     o.Mkdir("d", 0o755),
		"remove":    o.Remove("a/x"),
		"removeall": o.RemoveAll("a"),
		"rename":    o.Rename("a/x", "a/q"),
		"chmod":     o.Chmod("a/x", 0o600),
		"chtimes":   o.Chtimes("a/x", fixedTime, fixedTime),
		"chown":     o.Chown("a/x", 1, 1),
		"symlink":   o.SymlinkIfPossible("a", "l"),
	}
	for name, err := range writes {
		if !errors.Is(err, syscall.EROFS) || !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s: %v, want EROFS", name, err)
		}
	}
	if after := dumpLayers(t, lowers); after != before {
		t.Error("a read-only view changed its layers")
	}
}

// TestLowerLayersUnchanged checks that every kind of change lands in the
// upper layer, through handles too.
func TestLowerLayersUnchanged(t *testing.T) {
	for _, lk := range layerKinds {
		t.Run(lk.name, func(t *testing.T) {
			o, lowers, _ := setup(t, baseStack, lk, layerKinds[0])
			before := dumpLayers(t, lowers)
			// A handle opened for reading refuses writes, even when the
			// layer's own file would accept them.
			f, err := o.Open("a/x")
			must(t, err)
			if _, err := f.Write([]byte("no")); !errors.Is(err, syscall.EBADF) {
				t.Errorf("write to a read-only handle: %v", err)
			}
			if _, err := f.WriteAt([]byte("no"), 0); !errors.Is(err, syscall.EBADF) {
				t.Errorf("writeat to a read-only handle: %v", err)
			}
			if err := f.Truncate(0); err == nil {
				t.Error("truncate of a read-only handle succeeded")
			}
			f.Close()
			must(t, afero.WriteFile(o, "a/x", []byte("changed"), 0o644))
			must(t, o.Truncate("a/z", 0))
			must(t, o.Chmod("keep/k", 0o600))
			must(t, o.Chtimes("c/two", fixedTime, fixedTime))
			must(t, o.Remove("a/rel"))
			must(t, o.RemoveAll("a/sub"))
			must(t, o.Rename("g", "g2"))
			must(t, o.Rename("newdir/n", "n"))
			must(t, o.RemoveAll("e"))
			must(t, o.Mkdir("c2", 0o755))
			must(t, o.Remove("sym"))
			must(t, o.SymlinkIfPossible("keep", "dsym2"))
			must(t, afero.WriteFile(o, "dsym2/via", []byte("v"), 0o644))
			must(t, o.RemoveAll("/"))
			if after := dumpLayers(t, lowers); after != before {
				t.Errorf("lower layers changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if names, err := afero.ReadDir(o, "/"); err != nil || len(names) != 0 {
				t.Errorf("root after RemoveAll: %d entries, %v", len(names), err)
			}
		})
	}
}

// TestUpperLayerFormat checks what the upper layer holds after changes: the
// format the snapshot store commits.
func TestUpperLayerFormat(t *testing.T) {
	o, _ := newTestOverlay(t)
	must(t, o.Remove("a/x"))                                  // lower file: whiteout
	must(t, o.RemoveAll("c"))                                 // lower dir: whiteout
	must(t, o.Mkdir("c", 0o755))                              // re-created: opaque
	must(t, afero.WriteFile(o, "c/new", []byte("n"), 0o644))  //
	must(t, afero.WriteFile(o, "keep/k", []byte("K"), 0o644)) // copy-up
	must(t, o.Rename("a/z", "z"))                             // copy-up under new name + whiteout
	must(t, afero.WriteFile(o, "fresh", []byte("f"), 0o644))  // new file, no whiteout
	must(t, o.Remove("fresh"))                                // gone without trace
	must(t, afero.WriteFile(o, "b", []byte("B"), 0o644))      // over a lower whiteout
	got := dumpTree(t, o.Upper().(testFS))
	want := strings.Join([]string{
		"/a dir -rwxr-xr-x",
		"/a/.wh.x file -rw-r--r-- 0 \"\"",
		"/a/.wh.z file -rw-r--r-- 0 \"\"",
		"/b file -rw-r--r-- 1 \"B\"",
		"/c dir -rwxr-xr-x",
		"/c/.wh..wh..opq file -rw-r--r-- 0 \"\"",
		"/c/new file -rw-r--r-- 1 \"n\"",
		"/keep dir -rwxr-xr-x",
		"/keep/k file -rw-r--r-- 1 \"K\"",
		"/z file -rw-r--r-- 2 \"z1\"",
	}, "\n")
	if got != want {
		t.Errorf("upper layer:\n%s\nwant:\n%s", got, want)
	}
}

func TestReaddirPagesAndRewinds(t *testing.T) {
	o, _ := newTestOverlay(t)
	f, err := o.Open("/")
	must(t, err)
	defer f.Close()
	all, err := afero.ReadDir(o, "/")
	must(t, err)
	var want []string
	for _, fi := range all {
		want = append(want, fi.Name())
	}
	if !slices.IsSorted(want) || len(want) < 5 {
		t.Fatalf("listing not sorted or too short: %v", want)
	}
	var got []string
	for {
		names, err := f.Readdirnames(2)
		got = append(got, names...)
		if err == io.EOF {
			break
		}
		must(t, err)
		if len(names) == 0 || len(names) > 2 {
			t.Fatalf("page of %d names", len(names))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged listing %v, want %v", got, want)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	names, err := f.Readdirnames(-1)
	must(t, err)
	if !slices.Equal(names, want) {
		t.Errorf("after rewind %v, want %v", names, want)
	}
	if fi, err := f.Stat(); err != nil || !fi.IsDir() {
		t.Errorf("stat of the open root: %v, %v", fi, err)
	}
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("read of a directory: %v", err)
	}
}

// TestConcurrentUse hammers one overlay from many goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	o, _ := newTestOverlay(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			dir := fmt.Sprintf("w%d", g)
			if err := o.MkdirAll(dir, 0o755); err != nil {
				t.Error(err)
				return
			}
			for i := range 50 {
				p := fmt.Sprintf("%s/f%d", dir, i)
				data := []byte(strings.Repeat(dir, i+1))
				if err := afero.WriteFile(o, p, data, 0o644); err != nil {
					t.Error(err)
					return
				}
				if b, err := afero.ReadFile(o, p); err != nil || string(b) != string(data) {
					t.Errorf("read back %s: %v", p, err)
					return
				}
				if _, err := afero.ReadDir(o, "a"); err != nil {
					t.Error(err)
				}
				if _, err := afero.ReadFile(o, "a/z"); err != nil {
					t.Error(err)
				}
				if i%5 == 0 {
					if err := o.Rename(p, p+".moved"); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	// Shared files: one writer per handle, many readers.
	f, err := o.OpenFile("a/x", os.O_RDWR, 0)
	must(t, err)
	for range 4 {
		wg.Go(func() {
			for i := range 100 {
				if _, err := f.WriteAt([]byte("abcd"), int64(i*4)); err != nil {
					t.Error(err)
					return
				}
				if _, err := afero.ReadFile(o, "a/x"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	must(t, f.Close())
	for g := range 8 {
		names, err := afero.ReadDir(o, fmt.Sprintf("w%d", g))
		if err != nil || len(names) != 50 {
			t.Errorf("w%d: %d entries, %v", g, len(names), err)
		}
	}
}

// TestDirLayerConfinement checks that symlinks in a directory layer never
// lead outside it, where afero's BasePathFs lets the host follow them.
func TestDirLayerConfinement(t *testing.T) {
	top := t.TempDir()
	root := filepath.Join(top, "root")
	must(t, os.Mkdir(root, 0o755))
	must(t, os.WriteFile(filepath.Join(top, "secret"), []byte("SECRET"), 0o644))
	must(t, os.Mkdir(filepath.Join(top, "outdir"), 0o755))
	must(t, os.Symlink("../secret", filepath.Join(root, "rel")))
	must(t, os.Symlink(filepath.Join(top, "secret"), filepath.Join(root, "abs")))
	must(t, os.Symlink(filepath.Join(top, "outdir"), filepath.Join(root, "absdir")))
	must(t, os.Symlink("..", filepath.Join(root, "updir")))

	// The claim this guards against: BasePathFs follows host symlinks out.
	bp := afero.NewBasePathFs(afero.NewOsFs(), root)
	if b, err := afero.ReadFile(bp, "abs"); err != nil || string(b) != "SECRET" {
		t.Logf("BasePathFs no longer follows symlinks out of its base (%q, %v)", b, err)
	}

	for _, fsys := range []afero.Fs{NewDirLayer(root), New(NewMemLayer(), NewDirLayer(root)), New(NewDirLayer(root))} {
		for _, p := range []string{"rel", "abs", "updir/secret", "updir/updir/secret", "/../secret", "absdir/../secret"} {
			if b, err := afero.ReadFile(fsys, p); err == nil || strings.Contains(string(b), "SECRET") {
				t.Errorf("%s: read %q: %q, %v; want ENOENT", fsys.Name(), p, b, err)
			}
		}
		// Creating through links lands inside the root.
		err := afero.WriteFile(fsys, "absdir/planted", []byte("x"), 0o644)
		if _, serr := os.Stat(filepath.Join(top, "outdir", "planted")); serr == nil {
			t.Errorf("%s: write through absdir reached outside (%v)", fsys.Name(), err)
		}
		if err := fsys.MkdirAll("updir/updir/made", 0o755); err != nil {
			t.Errorf("%s: mkdirall through ..: %v", fsys.Name(), err)
		}
		if _, err := os.Stat(filepath.Join(top, "made")); err == nil {
			t.Errorf("%s: mkdir through .. reached outside", fsys.Name())
		}
	}
	entries, err := os.ReadDir(top)
	must(t, err)
	if len(entries) != 3 {
		t.Errorf("outside the root: %d entries, want root, secret, outdir", len(entries))
	}
	if entries, _ := os.ReadDir(filepath.Join(top, "outdir")); len(entries) != 0 {
		t.Errorf("outdir gained entries: %v", entries)
	}
}

func TestBasePathFsLayerSymlinks(t *testing.T) {
	dir := t.TempDir()
	bp := afero.NewBasePathFs(afero.NewOsFs(), dir)
	o := New(NewMemLayer(), bp)
	must(t, os.WriteFile(filepath.Join(dir, "f"), []byte("F"), 0o644))
	must(t, bp.(afero.Linker).SymlinkIfPossible("/f", "/l"))
	if b, err := afero.ReadFile(o, "l"); err != nil || string(b) != "F" {
		t.Errorf("read through a BasePathFs symlink: %q, %v", b, err)
	}
	if target, err := o.ReadlinkIfPossible("l"); err != nil || target != "/f" {
		t.Errorf("readlink: %q, %v; want /f", target, err)
	}
}

// TestSharedLowers runs overlays that share their lower layers, as forks of
// one snapshot do, side by side: each sees only its own changes.
func TestSharedLowers(t *testing.T) {
	_, lowers := newTestOverlay(t)
	before := dumpLayers(t, lowers)
	overlays := make([]*Overlay, 4)
	for i := range overlays {
		overlays[i] = New(NewMemLayer(), lowers...)
	}
	var wg sync.WaitGroup
	for i, o := range overlays {
		wg.Go(func() {
			mine := fmt.Sprintf("fork%d", i)
			for j := range 30 {
				if err := afero.WriteFile(o, "a/x", []byte(mine), 0o644); err != nil {
					t.Error(err)
					return
				}
				if err := o.RemoveAll("c"); err != nil {
					t.Error(err)
				}
				if err := o.MkdirAll(fmt.Sprintf("c/%s/%d", mine, j), 0o755); err != nil {
					t.Error(err)
				}
				if err := o.Rename("keep", "keep2"); err != nil {
					t.Error(err)
				}
				if err := o.Rename("keep2", "keep"); err != nil {
					t.Error(err)
				}
				if b, err := afero.ReadFile(o, "a/x"); err != nil || string(b) != mine {
					t.Errorf("%s reads %q, %v", mine, b, err)
				}
			}
		})
	}
	wg.Wait()
	for i, o := range overlays {
		names, err := afero.ReadDir(o, "c")
		if err != nil || len(names) != 1 || names[0].Name() != fmt.Sprintf("fork%d", i) {
			t.Errorf("fork%d sees c = %v, %v", i, names, err)
		}
	}
	if after := dumpLayers(t, lowers); after != before {
		t.Error("shared lower layers changed")
	}
}

// TestMemMapFsLayers checks that afero's own MemMapFs works as upper and
// lower layer (without symlinks, which it cannot store).
func TestMemMapFsLayers(t *testing.T) {
	lower := afero.NewMemMapFs()
	must(t, lower.MkdirAll("/d/sub", 0o755))
	must(t, afero.WriteFile(lower, "/d/f", []byte("lower"), 0o644))
	must(t, afero.WriteFile(lower, "/d/sub/g", []byte("g"), 0o644))
	upper := afero.NewMemMapFs()
	o := New(upper, lower)
	must(t, afero.WriteFile(o, "d/f", []byte("upper"), 0o644))
	must(t, o.Rename("d/sub", "moved"))
	must(t, o.Mkdir("d/sub", 0o755))
	must(t, afero.WriteFile(o, "d/new", nil, 0o644))
	var walked []string
	must(t, afero.Walk(o, "/", func(p string, fi fs.FileInfo, err error) error {
		walked = append(walked, p)
		return err
	}))
	want := []string{"/", "/d", "/d/f", "/d/new", "/d/sub", "/moved", "/moved/g"}
	if !slices.Equal(walked, want) {
		t.Errorf("walk: %v, want %v", walked, want)
	}
	if b, err := afero.ReadFile(lower, "/d/f"); err != nil || string(b) != "lower" {
		t.Errorf("lower changed: %q, %v", b, err)
	}
	if err := o.SymlinkIfPossible("d", "l"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("symlink on a MemMapFs upper: %v, want ENOTSUP", err)
	}
}

// TestDirLayerRefusesSpecialFiles checks that a named pipe in a directory
// layer cannot be opened (which would block).
func TestDirLayerRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
	for _, fsys := range []afero.Fs{NewDirLayer(dir), New(NewMemLayer(), NewDirLayer(dir))} {
		_, err := fsys.Open("fifo")
		if !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s: open of a fifo: %v, want EACCES", fsys.Name(), err)
		}
		if fi, err := fsys.Stat("fifo"); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("%s: stat of a fifo: %v, %v", fsys.Name(), fi, err)
		}
	}
}

func TestEmptyOverlays(t *testing.T) {
	for name, o := range map[string]*Overlay{
		"no layers":  New(nil),
		"nil lowers": New(nil, nil, nil),
		"upper only": New(NewMemLayer()),
	} {
		fi, err := o.Stat("/")
		if err != nil || !fi.IsDir() {
			t.Errorf("%s: stat of the root: %v, %v", name, fi, err)
		}
		if names, err := afero.ReadDir(o, "/"); err != nil || len(names) != 0 {
			t.Errorf("%s: root lists %v, %v", name, names, err)
		}
		err = afero.WriteFile(o, "f", []byte("x"), 0o644)
		if (o.Upper() == nil) != errors.Is(err, syscall.EROFS) {
			t.Errorf("%s: write: %v", name, err)
		}
	}
}
