package providertest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

var fileTests = []testCase{
	{"write-read", testFilesWriteRead},
	{"mode", testFilesMode},
	{"binary", testFilesBinary},
	{"large", testFilesLarge},
	{"list", testFilesList},
	{"stat", testFilesStat},
	{"remove", testFilesRemove},
	{"mkdir", testFilesMkdir},
	{"not-found", testFilesNotFound},
	{"type-errors", testFilesTypeErrors},
	{"exec-sees-files", testFilesExecSees},
}

// read returns the whole content of a small workspace file.
func (h *harness) read(t *testing.T, s providers.Session, path string) string {
	t.Helper()
	rc, err := s.ReadFile(h.ctx, path)
	if err != nil {
		t.Fatalf("ReadFile(%q): %v", path, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("ReadFile(%q): reading: %v", path, err)
	}
	return string(b)
}

func testFilesWriteRead(t *testing.T, h *harness) {
	spec := h.spec()
	s := h.sessionWith(t, spec)
	h.write(t, s, "a.txt", "hello world\n")
	if got := h.read(t, s, "a.txt"); got != "hello world\n" {
		t.Errorf("read back %q", got)
	}
	// Replacing with shorter content leaves no tail.
	h.write(t, s, "a.txt", "bye")
	if got := h.read(t, s, "a.txt"); got != "bye" {
		t.Errorf("after replace, read back %q, want %q", got, "bye")
	}
	// Missing parents are created; absolute paths under the root work.
	h.write(t, s, "d1/d2/d3/f.txt", "deep")
	if got := h.read(t, s, spec.RootOrDefault()+"/d1/d2/d3/f.txt"); got != "deep" {
		t.Errorf("read by absolute path: %q", got)
	}
	fi, err := s.Stat(h.ctx, "d1/d2")
	if err != nil || !fi.IsDir() {
		t.Errorf("Stat of a created parent = %+v, %v; want a directory", fi, err)
	}
	// An empty file.
	h.write(t, s, "empty", "")
	if got := h.read(t, s, "empty"); got != "" {
		t.Errorf("empty file read back %q", got)
	}
	// Names with spaces and unusual characters.
	name := "sp ace/qu'ote\"s $x;&.txt"
	h.write(t, s, name, "odd")
	if got := h.read(t, s, name); got != "odd" {
		t.Errorf("odd name read back %q", got)
	}
	if got := h.sh(t, s, `cat "sp ace/qu'ote\"s \$x;&.txt"`); got != "odd" {
		t.Errorf("cat of the odd name printed %q", got)
	}
}

func testFilesMode(t *testing.T, h *harness) {
	s := h.session(t)
	for _, tc := range []struct {
		mode, want fs.FileMode
	}{{0, 0o644}, {0o755, 0o755}, {0o600, 0o600}} {
		if err := s.WriteFile(h.ctx, "m", strings.NewReader("#!/bin/sh\necho ran\n"), tc.mode); err != nil {
			t.Fatalf("WriteFile mode %o: %v", tc.mode, err)
		}
		fi, err := s.Stat(h.ctx, "m")
		if err != nil {
			t.Fatalf("Stat: %v", err)
		}
		if fi.Mode.Perm() != tc.want || !fi.Mode.IsRegular() {
			t.Errorf("WriteFile mode %o: Stat mode %v, want %v", tc.mode, fi.Mode, tc.want)
		}
		if err := s.Remove(h.ctx, "m", false); err != nil {
			t.Fatalf("Remove: %v", err)
		}
	}
}

func testFilesBinary(t *testing.T, h *harness) {
	s := h.session(t)
	var b []byte
	for range 4 {
		for i := range 256 {
			b = append(b, byte(i))
		}
	}
	b = append(b, "\r\n\x00\xff\n"...)
	if err := s.WriteFile(h.ctx, "bin", bytes.NewReader(b), 0); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	if got := h.read(t, s, "bin"); got != string(b) {
		t.Errorf("binary content differs after a round trip (%d bytes back, want %d)", len(got), len(b))
	}
	if got := strings.TrimSpace(h.sh(t, s, "wc -c < bin")); got != "1029" {
		t.Errorf("wc -c in the sandbox = %q, want 1029", got)
	}
	fi, err := s.Stat(h.ctx, "bin")
	if err != nil || fi.Size != int64(len(b)) {
		t.Errorf("Stat = %+v, %v; want size %d", fi, err, len(b))
	}
}

// largeSize is the size of the streamed file in files/large.
const largeSize = 100 << 20

// testFilesLarge streams a 100 MiB file in and out and checks that neither
// direction holds it in memory.
func testFilesLarge(t *testing.T, h *harness) {
	s := h.session(t)
	watch := startHeapWatch()

	src := io.LimitReader(rand.NewChaCha8([32]byte{1, 2, 3}), largeSize)
	wantSum := sha256.New()
	if err := s.WriteFile(h.ctx, "big.bin", io.TeeReader(src, wantSum), 0); err != nil {
		t.Fatalf("WriteFile 100 MiB: %v", err)
	}
	fi, err := s.Stat(h.ctx, "big.bin")
	if err != nil || fi.Size != largeSize {
		t.Fatalf("Stat = %+v, %v; want size %d", fi, err, largeSize)
	}
	rc, err := s.ReadFile(h.ctx, "big.bin")
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	gotSum := sha256.New()
	n, err := io.Copy(gotSum, rc)
	if err != nil {
		t.Fatalf("reading 100 MiB: %v", err)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("Close of the reader: %v", err)
	}
	grew := watch.stop()
	if n != largeSize || !bytes.Equal(gotSum.Sum(nil), wantSum.Sum(nil)) {
		t.Errorf("read back %d bytes with a different SHA-256 (want %d bytes)", n, largeSize)
	}
	if got := strings.TrimSpace(h.sh(t, s, "wc -c < big.bin")); got != "104857600" {
		t.Errorf("wc -c in the sandbox = %q", got)
	}
	// Loose bound: holding the file would add at least 100 MiB.
	if grew > 64<<20 {
		t.Errorf("the heap grew by %d MiB while streaming 100 MiB: the file is held in memory", grew>>20)
	}
	t.Logf("heap growth while streaming 100 MiB: %.1f MiB", float64(grew)/(1<<20))
}

// heapWatch samples the in-use heap and reports its peak growth.
type heapWatch struct {
	base uint64
	peak uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func startHeapWatch() *heapWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := &heapWatch{base: ms.HeapInuse, peak: ms.HeapInuse, done: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				w.peak = max(w.peak, ms.HeapInuse)
			}
		}
	}()
	return w
}

func (w *heapWatch) stop() uint64 {
	close(w.done)
	w.wg.Wait()
	return w.peak - w.base
}

func testFilesList(t *testing.T, h *harness) {
	s := h.session(t)
	h.write(t, s, "b.txt", "bb")
	h.write(t, s, "a.txt", "a")
	h.write(t, s, "dir/inner", "i")
	h.sh(t, s, "ln -s a.txt link")
	list, err := s.List(h.ctx, ".")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var names []string
	for _, fi := range list {
		names = append(names, fi.Name)
	}
	if got, want := strings.Join(names, ","), "a.txt,b.txt,dir,link"; got != want {
		t.Fatalf("List names = %s, want %s (sorted, no . or ..)", got, want)
	}
	if list[1].Size != 2 || !list[1].Mode.IsRegular() || list[1].Path != "b.txt" {
		t.Errorf("b.txt entry = %+v", list[1])
	}
	if !list[2].IsDir() || list[2].Path != "dir" {
		t.Errorf("dir entry = %+v", list[2])
	}
	if list[3].Mode&fs.ModeSymlink == 0 || list[3].LinkTarget != "a.txt" {
		t.Errorf("link entry = %+v, want a symlink to a.txt", list[3])
	}
	sub, err := s.List(h.ctx, "dir")
	if err != nil {
		t.Fatalf("List(dir): %v", err)
	}
	if len(sub) != 1 || sub[0].Name != "inner" || sub[0].Path != "dir/inner" {
		t.Errorf("List(dir) = %+v, want one entry inner with path dir/inner", sub)
	}
	if err := s.Mkdir(h.ctx, "void", false); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	if sub, err := s.List(h.ctx, "void"); err != nil || len(sub) != 0 {
		t.Errorf("List of an empty dir = %+v, %v", sub, err)
	}
}

func testFilesStat(t *testing.T, h *harness) {
	s := h.session(t)
	before := time.Now().Add(-time.Hour)
	h.write(t, s, "f", "12345")
	fi, err := s.Stat(h.ctx, "f")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if fi.Name != "f" || fi.Path != "f" || fi.Size != 5 || !fi.Mode.IsRegular() {
		t.Errorf("Stat(f) = %+v", fi)
	}
	if fi.ModTime.Before(before) || fi.ModTime.After(time.Now().Add(time.Hour)) {
		t.Errorf("Stat(f).ModTime = %v, not near now", fi.ModTime)
	}
	root, err := s.Stat(h.ctx, ".")
	if err != nil || !root.IsDir() {
		t.Errorf("Stat(.) = %+v, %v; want a directory", root, err)
	}
	h.sh(t, s, "mkdir -p d/e && ln -s f lnk && ln -s /etc abs && ln -s d/e dl")
	fi, err = s.Stat(h.ctx, "d/e")
	if err != nil || !fi.IsDir() || fi.Name != "e" || fi.Path != "d/e" {
		t.Errorf("Stat(d/e) = %+v, %v", fi, err)
	}
	for name, target := range map[string]string{"lnk": "f", "abs": "/etc", "dl": "d/e"} {
		fi, err := s.Stat(h.ctx, name)
		if err != nil {
			t.Errorf("Stat(%s), a symlink: %v", name, err)
			continue
		}
		if fi.Mode&fs.ModeSymlink == 0 || fi.LinkTarget != target {
			t.Errorf("Stat(%s) = %+v, want a symlink to %s (not followed)", name, fi, target)
		}
	}
	// A symlink to a directory inside the workspace is followed in the middle of a path.
	h.write(t, s, "d/e/g", "g")
	fi, err = s.Stat(h.ctx, "dl/g")
	if err != nil || fi.Size != 1 || fi.Path != "dl/g" {
		t.Errorf("Stat(dl/g) through an in-workspace symlink = %+v, %v", fi, err)
	}
}

func testFilesRemove(t *testing.T, h *harness) {
	s := h.session(t)
	h.write(t, s, "f", "x")
	h.write(t, s, "tree/a/b", "x")
	h.write(t, s, "tree/c", "x")
	if err := s.Mkdir(h.ctx, "emptydir", false); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	h.sh(t, s, "ln -s tree link")
	if err := s.Remove(h.ctx, "f", false); err != nil {
		t.Errorf("Remove(f): %v", err)
	}
	if err := s.Remove(h.ctx, "emptydir", false); err != nil {
		t.Errorf("Remove of an empty dir: %v", err)
	}
	wantCode(t, "Remove of a non-empty dir", s.Remove(h.ctx, "tree", false), providers.CodeNotEmpty)
	// Removing a symlink removes the link, never its target.
	if err := s.Remove(h.ctx, "link", true); err != nil {
		t.Errorf("Remove(link): %v", err)
	}
	if got := h.read(t, s, "tree/c"); got != "x" {
		t.Errorf("the link's target lost its content: %q", got)
	}
	if err := s.Remove(h.ctx, "tree", true); err != nil {
		t.Errorf("recursive Remove: %v", err)
	}
	list, err := s.List(h.ctx, ".")
	if err != nil || len(list) != 0 {
		t.Errorf("List after removing everything = %+v, %v", list, err)
	}
	wantCode(t, "Remove of a missing path", s.Remove(h.ctx, "f", false), providers.CodeReadNotFound)
	wantCode(t, "recursive Remove of a missing path", s.Remove(h.ctx, "nope/deeper", true), providers.CodeReadNotFound)
}

func testFilesMkdir(t *testing.T, h *harness) {
	s := h.session(t)
	if err := s.Mkdir(h.ctx, "m", false); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	wantCode(t, "Mkdir of an existing dir", s.Mkdir(h.ctx, "m", false), providers.CodeAlreadyExists)
	if err := s.Mkdir(h.ctx, "m", true); err != nil {
		t.Errorf("Mkdir with parents of an existing dir: %v", err)
	}
	wantCode(t, "Mkdir without parents under a missing dir", s.Mkdir(h.ctx, "p/q/r", false), providers.CodeReadNotFound)
	if err := s.Mkdir(h.ctx, "p/q/r", true); err != nil {
		t.Fatalf("Mkdir with parents: %v", err)
	}
	fi, err := s.Stat(h.ctx, "p/q/r")
	if err != nil || !fi.IsDir() {
		t.Errorf("Stat of the new dir = %+v, %v", fi, err)
	}
	if got := h.sh(t, s, "ls p/q"); got != "r\n" {
		t.Errorf("ls p/q = %q", got)
	}
	h.write(t, s, "file", "x")
	if err := s.Mkdir(h.ctx, "file", true); err == nil {
		t.Error("Mkdir with parents over a file succeeded")
	}
	if err := s.Mkdir(h.ctx, "file/sub", true); err == nil {
		t.Error("Mkdir below a file succeeded")
	}
}

func testFilesNotFound(t *testing.T, h *harness) {
	s := h.session(t)
	_, err := s.ReadFile(h.ctx, "missing.txt")
	wantCode(t, "ReadFile of a missing file", err, providers.CodeReadNotFound)
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("errors.Is(err, fs.ErrNotExist / ErrNotFound) is false for %v", err)
	}
	_, err = s.ReadFile(h.ctx, "no/such/dir/file")
	wantCode(t, "ReadFile below a missing dir", err, providers.CodeReadNotFound)
	_, err = s.Stat(h.ctx, "missing.txt")
	wantCode(t, "Stat of a missing file", err, providers.CodeReadNotFound)
	_, err = s.List(h.ctx, "missing-dir")
	wantCode(t, "List of a missing dir", err, providers.CodeReadNotFound)
	h.sh(t, s, "ln -s nowhere dangling")
	_, err = s.ReadFile(h.ctx, "dangling")
	wantCode(t, "ReadFile through a dangling symlink", err, providers.CodeReadNotFound)
}

func testFilesTypeErrors(t *testing.T, h *harness) {
	s := h.session(t)
	if err := s.Mkdir(h.ctx, "dir", false); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	_, err := s.ReadFile(h.ctx, "dir")
	wantCode(t, "ReadFile of a directory", err, providers.CodeWriteTypeError)
	err = s.WriteFile(h.ctx, "dir", strings.NewReader("x"), 0)
	wantCode(t, "WriteFile onto a directory", err, providers.CodeWriteTypeError)
	err = s.WriteFile(h.ctx, ".", strings.NewReader("x"), 0)
	wantCode(t, "WriteFile onto the root", err, providers.CodeWriteTypeError)
	fi, err := s.Stat(h.ctx, "dir")
	if err != nil || !fi.IsDir() {
		t.Errorf("the directory changed: %+v, %v", fi, err)
	}
	h.write(t, s, "file", "x")
	if err := s.WriteFile(h.ctx, "file/below", strings.NewReader("x"), 0); err == nil {
		t.Error("WriteFile below a regular file succeeded")
	}
}

func testFilesExecSees(t *testing.T, h *harness) {
	s := h.session(t)
	h.write(t, s, "from-api.txt", "api\n")
	if got := h.sh(t, s, "cat from-api.txt"); got != "api\n" {
		t.Errorf("exec reads %q", got)
	}
	h.sh(t, s, "mkdir -p made && printf 'shell' > made/by-exec.txt")
	if got := h.read(t, s, "made/by-exec.txt"); got != "shell" {
		t.Errorf("ReadFile of an exec-made file = %q", got)
	}
	// Writing through a symlink inside the workspace writes its target.
	h.sh(t, s, "ln -s made/by-exec.txt alias")
	if got := h.read(t, s, "alias"); got != "shell" {
		t.Errorf("ReadFile through an in-workspace symlink = %q", got)
	}
}
