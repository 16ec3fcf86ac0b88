package snapshot

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

func TestCommitOpenFork(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())

	ws, err := s.Fork("")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws, "/workspace/a.txt", "alpha")
	writeFile(t, ws, "/workspace/dir/b.txt", "beta")
	symlinkT(t, ws, "a.txt", "/workspace/link")
	base, err := s.Commit(ctx, ws.Upper(), "", map[string]string{"name": "base"})
	if err != nil {
		t.Fatal(err)
	}
	if err := validID(base); err != nil {
		t.Fatal(err)
	}

	ws2, err := s.Fork(base)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws2, "/workspace/a.txt", "ALPHA")
	if err := ws2.Remove("/workspace/dir/b.txt"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws2, "/workspace/c.txt", "gamma")
	top, err := s.Commit(ctx, ws2.Upper(), base, nil)
	if err != nil {
		t.Fatal(err)
	}

	view, err := s.Open(top)
	if err != nil {
		t.Fatal(err)
	}
	want := `/workspace d 0755
/workspace/a.txt f 0644 "ALPHA"
/workspace/c.txt f 0644 "gamma"
/workspace/dir d 0755
/workspace/link l a.txt`
	if got := tree(t, view, "/"); got != want {
		t.Errorf("tree of top:\n%s\nwant:\n%s", got, want)
	}
	if err := view.Remove("/workspace/a.txt"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("write to a read-only view: %v, want a permission error", err)
	}
	// The base is unchanged.
	bview, err := s.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, bview, "/workspace/dir/b.txt"); got != "beta" {
		t.Errorf("base b.txt = %q", got)
	}

	// Forks are independent.
	f1, _ := s.Fork(top)
	f2, _ := s.Fork(top)
	writeFile(t, f1, "/workspace/a.txt", "one")
	if got := readFile(t, f2, "/workspace/a.txt"); got != "ALPHA" {
		t.Errorf("fork 2 sees %q after a write in fork 1", got)
	}

	if p, err := s.Parent(top); err != nil || p != base {
		t.Errorf("Parent(top) = %q, %v; want %q", p, err, base)
	}
	if p, err := s.Parent(base); err != nil || p != "" {
		t.Errorf("Parent(base) = %q, %v", p, err)
	}
	layers, err := s.Layers(top)
	if err != nil || len(layers) != 2 {
		t.Fatalf("Layers = %d, %v", len(layers), err)
	}
	if _, err := layers[0].Stat("/workspace/c.txt"); err != nil {
		t.Errorf("top layer lacks c.txt: %v", err)
	}
	if _, err := layers[1].Stat("/workspace/c.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("base layer has c.txt: %v", err)
	}
	if err := layers[0].Remove("/workspace/c.txt"); err == nil {
		t.Error("a layer returned by Layers is writable")
	}
	if got, want := listIDs(s), []string{base, top}; !slices.Equal(got, want) && !slices.Equal(got, []string{top, base}) {
		t.Errorf("List = %v", got)
	}
	info, err := s.Stat(base)
	if err != nil || info.Labels["name"] != "base" || info.Size <= 0 || info.Created.IsZero() {
		t.Errorf("Stat(base) = %+v, %v", info, err)
	}

	// A new Store on the same directory sees the same snapshots, read back
	// from disk.
	s2 := mustOpen(t, s.Dir())
	view2, err := s2.Open(top)
	if err != nil {
		t.Fatal(err)
	}
	if got := tree(t, view2, "/"); got != tree(t, view, "/") {
		t.Errorf("reopened store gives:\n%s", got)
	}
}

func TestCommitIsContentAddressed(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC)
	mk := func(content string) string {
		l := wasifs.NewMemLayer()
		writeFile(t, l, "/f", content)
		if err := l.Chtimes("/f", mtime, mtime); err != nil {
			t.Fatal(err)
		}
		if err := l.Chtimes("/", mtime, mtime); err != nil {
			t.Fatal(err)
		}
		id, err := s.Commit(ctx, l, "", map[string]string{"v": content})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a1, a2, b := mk("a"), mk("a"), mk("b")
	if a1 != a2 {
		t.Errorf("same content gave %s and %s", a1, a2)
	}
	if a1 == b {
		t.Error("different content gave the same id")
	}
	// Same content on a different parent is a different layer, sharing
	// the blob.
	l := wasifs.NewMemLayer()
	c1, err := s.Commit(ctx, l, a1, nil)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := s.Commit(ctx, wasifs.NewMemLayer(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c1 == c2 {
		t.Error("same content on different parents gave the same id")
	}
	i1, _ := s.Stat(c1)
	i2, _ := s.Stat(c2)
	if i1.Digest != i2.Digest {
		t.Errorf("empty layers have digests %s and %s", i1.Digest, i2.Digest)
	}
	if len(dirEntries(t, s.blobDir())) != 3 {
		t.Errorf("blobs: %v, want 3", dirEntries(t, s.blobDir()))
	}
	// Removing one of two layers with the same blob keeps the blob.
	if err := s.Remove(c1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(c2); err != nil {
		t.Fatal(err)
	}
	s2 := mustOpen(t, s.Dir())
	if _, err := s2.Open(c2); err != nil {
		t.Fatalf("shared blob removed with one of its layers: %v", err)
	}
}

func TestLabels(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	id, err := s.Commit(ctx, wasifs.NewMemLayer(), "", map[string]string{"a": "1"})
	if err != nil {
		t.Fatal(err)
	}
	// Committing again merges labels.
	if _, err := s.Commit(ctx, wasifs.NewMemLayer(), "", map[string]string{"b": "2"}); err != nil {
		t.Fatal(err)
	}
	info, _ := s.Stat(id)
	if info.Labels["a"] != "1" || info.Labels["b"] != "2" {
		t.Errorf("labels after merge: %v", info.Labels)
	}
	if err := s.SetLabels(id, map[string]string{"c": "3"}); err != nil {
		t.Fatal(err)
	}
	info, _ = mustOpen(t, s.Dir()).Stat(id)
	if len(info.Labels) != 1 || info.Labels["c"] != "3" {
		t.Errorf("labels after SetLabels and reopen: %v", info.Labels)
	}
	// Stat returns a copy.
	info.Labels["c"] = "x"
	if again, _ := s.Stat(id); again.Labels["c"] != "3" {
		t.Error("Stat shares the label map")
	}
	wantCode(t, s.SetLabels(id, map[string]string{"": "x"}), providers.CodeInvalidRequest, fs.ErrInvalid)
	_, err = s.Commit(ctx, wasifs.NewMemLayer(), "", map[string]string{"k": string(make([]byte, 5000))})
	wantCode(t, err, providers.CodeInvalidRequest, nil)
}

func TestNotFoundAndInvalid(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	missing := layerID("", "sha256:"+string(make([]byte, 0)))
	for name, err := range map[string]error{
		"stat":   func() error { _, err := s.Stat(missing); return err }(),
		"remove": s.Remove(missing),
	} {
		t.Run(name, func(t *testing.T) {
			wantCode(t, err, providers.CodeSnapshotError, ErrNotFound)
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%v does not match fs.ErrNotExist", err)
			}
		})
	}
	_, err := s.Open(missing)
	wantCode(t, err, providers.CodeSnapshotRestoreError, ErrNotFound)
	_, err = s.Fork(missing)
	wantCode(t, err, providers.CodeSnapshotRestoreError, ErrNotFound)
	_, err = s.Commit(ctx, wasifs.NewMemLayer(), missing, nil)
	wantCode(t, err, providers.CodeSnapshotError, ErrNotFound)
	for _, bad := range []string{"x", "../../etc/passwd", missing[:63] + "G", "ABCDEF" + missing[6:]} {
		_, err := s.Open(bad)
		wantCode(t, err, providers.CodeSnapshotRestoreError, ErrInvalidID)
	}
}

func TestRemoveRefusesParent(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	l := wasifs.NewMemLayer()
	writeFile(t, l, "/a", "a")
	base, err := s.Commit(ctx, l, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	child, err := s.Commit(ctx, wasifs.NewMemLayer(), base, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Remove(base)
	wantCode(t, err, providers.CodeSnapshotError, ErrInUse)
	if _, err := s.Open(child); err != nil {
		t.Fatalf("child unusable after refused remove: %v", err)
	}
	if err := s.Remove(child); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(base); err != nil {
		t.Fatal(err)
	}
	if got := dirEntries(t, s.blobDir()); len(got) != 0 {
		t.Errorf("blobs left after removing every layer: %v", got)
	}
	if got := dirEntries(t, s.metaDir()); len(got) != 0 {
		t.Errorf("metadata left after removing every layer: %v", got)
	}
	if len(s.List()) != 0 {
		t.Errorf("List = %v", s.List())
	}
}

func TestGC(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	commit := func(parent, name string) string {
		l := wasifs.NewMemLayer()
		writeFile(t, l, "/"+name, name)
		id, err := s.Commit(ctx, l, parent, nil)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := commit("", "a")
	b := commit(a, "b")
	c := commit(b, "c")
	d := commit(a, "d") // a sibling branch
	e := commit("", "e")

	// Leftovers of a crash: temporary files and an unreferenced blob.
	for _, p := range []string{
		filepath.Join(s.blobDir(), tempPrefix+"123"),
		filepath.Join(s.metaDir(), tempPrefix+"456"),
		filepath.Join(s.blobDir(), "0000000000000000000000000000000000000000000000000000000000000000"),
	} {
		if err := os.WriteFile(p, []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.GC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.TempFiles != 2 || st.Blobs != 1 || len(st.Layers) != 0 || st.Bytes != 12 {
		t.Errorf("GC() = %+v", st)
	}
	if len(s.List()) != 5 {
		t.Errorf("GC without keep removed layers: %d left", len(s.List()))
	}

	_, err = s.GC(ctx, "0000000000000000000000000000000000000000000000000000000000000000")
	wantCode(t, err, providers.CodeSnapshotError, ErrNotFound)
	if len(s.List()) != 5 {
		t.Error("a failed GC removed layers")
	}

	st, err = s.GC(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	wantGone := []string{d, e}
	slices.Sort(wantGone)
	if !slices.Equal(st.Layers, wantGone) || st.Blobs != 2 {
		t.Errorf("GC(c) = %+v, want layers %v and 2 blobs", st, wantGone)
	}
	want := []string{a, b, c}
	slices.Sort(want)
	if got := listIDs(s); !slices.Equal(got, want) {
		t.Errorf("after GC(c): %v, want %v", got, want)
	}
	s2 := mustOpen(t, s.Dir())
	if got := listIDs(s2); !slices.Equal(got, want) {
		t.Errorf("after GC(c), reopened: %v, want %v", got, want)
	}
	v, err := s2.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := tree(t, v, "/"); got != "/a f 0644 \"a\"\n/b f 0644 \"b\"\n/c f 0644 \"c\"" {
		t.Errorf("c after GC:\n%s", got)
	}
}

func TestCacheIsBoundedAndShared(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir(), WithCacheBytes(64<<10))
	var ids []string
	parent := ""
	for i := 0; i < 8; i++ {
		l := wasifs.NewMemLayer()
		writeFile(t, l, "/f", string(make([]byte, 20<<10))+string(rune('a'+i)))
		id, err := s.Commit(ctx, l, parent, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		parent = id
	}
	if n := s.cache.len(); n > 3 {
		t.Errorf("cache holds %d layers of ~21 KiB under a 64 KiB bound", n)
	}
	v, err := s.Open(ids[7])
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, v, "/f"); got[len(got)-1] != 'h' {
		t.Errorf("top file ends with %q", got[len(got)-1])
	}
	// Two opens of a cached snapshot share its top layer.
	l1, _ := s.Layers(ids[7])
	l2, _ := s.Layers(ids[7])
	f1, _ := l1[0].Open("/f")
	f2, _ := l2[0].Open("/f")
	defer f1.Close()
	defer f2.Close()
	if s.cache.get(mustStat(t, s, ids[7]).Digest) == nil {
		t.Error("the most recently used layer is not cached")
	}
}

func mustStat(t testing.TB, s *Store, id string) Info {
	t.Helper()
	info, err := s.Stat(id)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir(), WithCacheBytes(1<<10))
	l := wasifs.NewMemLayer()
	writeFile(t, l, "/base", "base")
	base, err := s.Commit(ctx, l, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 128)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			parent := base
			for i := 0; i < 5; i++ {
				ws, err := s.Fork(parent)
				if err != nil {
					errs <- err
					return
				}
				if b, err := readAll(ws, "/base"); err != nil || b != "base" {
					errs <- errors.Join(err, errors.New("bad /base: "+b))
					return
				}
				writeFile(t, ws, "/g", string(rune('a'+g))+string(rune('0'+i)))
				id, err := s.Commit(ctx, ws.Upper(), parent, nil)
				if err != nil {
					errs <- err
					return
				}
				s.List()
				if _, err := s.Diff(id); err != nil {
					errs <- err
					return
				}
				parent = id
			}
			if _, err := s.GC(ctx); err != nil {
				errs <- err
			}
		}(g)
	}
	// Meanwhile: removing the shared base, which has a child from the
	// start, is refused, and committing and removing leaves of its own
	// races with everything else.
	pinned, err := s.Commit(ctx, wasifs.NewMemLayer(), base, nil)
	if err != nil {
		t.Fatal(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			if err := s.Remove(base); !errors.Is(err, ErrInUse) {
				errs <- errors.Join(errors.New("Remove(base) was not refused"), err)
				return
			}
			l := wasifs.NewMemLayer()
			writeFile(t, l, "/leaf", "leaf")
			id, err := s.Commit(ctx, l, base, nil)
			if err != nil {
				errs <- err
				return
			}
			if err := s.Remove(id); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, err := s.Stat(pinned); err != nil {
		t.Error(err)
	}
	if n := len(s.List()); n != 2+8*5 {
		t.Errorf("%d layers, want %d", n, 2+8*5)
	}
	s2 := mustOpen(t, s.Dir())
	for _, info := range s2.List() {
		if _, err := s2.Open(info.ID); err != nil {
			t.Error(err)
		}
	}
}

// TestCommitDoesNotReadTheChain shows why commit cost does not grow with
// the workspace: Commit never reads the layers below. With the parent's blob
// destroyed on disk and nothing cached, committing on top still works and
// extracts nothing.
func TestCommitDoesNotReadTheChain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir)
	l := wasifs.NewMemLayer()
	writeFile(t, l, "/big", string(make([]byte, 1<<20)))
	base, err := s.Commit(ctx, l, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(s.blobPath(mustStat(t, s, base).Digest), 0); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir)
	l = wasifs.NewMemLayer()
	writeFile(t, l, "/small", "x")
	id, err := s.Commit(ctx, l, base, nil)
	if err != nil {
		t.Fatalf("Commit read the damaged parent: %v", err)
	}
	if n := s.cache.len(); n != 1 {
		t.Errorf("cache holds %d layers after one commit, want only the new one", n)
	}
	if info := mustStat(t, s, id); info.Size > 4096 {
		t.Errorf("a one-file layer on a 1 MiB parent has a %d-byte blob", info.Size)
	}
}

// Symlinks that a portable archive may not hold are fine in a layer: the
// overlay keeps them inside its root, so they survive a round trip through
// the store's blobs.
func TestLayerKeepsAnySymlink(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir)
	ws, _ := s.Fork("")
	writeFile(t, ws, "/w/a", "a")
	symlinkT(t, ws, "../../../../w/a", "/w/up")
	symlinkT(t, ws, "/etc/passwd", "/w/abs")
	symlinkT(t, ws, "x/../a", "/w/odd")
	id, err := s.Commit(ctx, ws.Upper(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := mustOpen(t, dir).Open(id)
	if err != nil {
		t.Fatalf("reloading a layer with unusual symlinks: %v", err)
	}
	if got := readFile(t, v, "/w/up"); got != "a" {
		t.Errorf("/w/up reads %q", got)
	}
	if target, err := readlink(v, "/w/odd"); err != nil || target != "x/../a" {
		t.Errorf("readlink /w/odd = %q, %v", target, err)
	}
	// Such a snapshot exports, but its archive does not import: a portable
	// archive must not point outside its root.
	var buf bytes.Buffer
	if err := s.Export(ctx, id, &buf, ExportOptions{Root: "w"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Import(ctx, &buf, ImportOptions{Root: "w"})
	wantCode(t, err, providers.CodeArchiveError, ErrUnsafeMember)
}
