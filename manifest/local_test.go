package manifest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

// writeTree creates files (path → content) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMaterializeInlineAndLocal(t *testing.T) {
	base := t.TempDir()
	writeTree(t, base, map[string]string{
		"one.txt":              "one",
		"tree/a.txt":           "A",
		"tree/sub/b.txt":       "B",
		"tree/sub/skip.log":    "log",
		"tree/node_modules/x":  "x",
		"tree/empty/.keep":     "",
		"tree/build/out/o.bin": "o",
	})
	os.Chmod(filepath.Join(base, "one.txt"), 0o750)
	// A symlink to a file and one to a directory, both inside src.
	if err := os.Symlink("a.txt", filepath.Join(base, "tree/link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub", filepath.Join(base, "tree/sublink")); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{BaseDir: base, Entries: map[string]Entry{
		"hello.txt": {Type: TypeInlineFile, Content: "hi\n"},
		"bin/run":   {Type: TypeFile, Content: "ZWNobyBoaQo=", Encoding: "base64", Permissions: 0o755},
		"copy.txt":  {Type: TypeLocalFile, Src: "one.txt"},
		"tree":      {Type: TypeLocalDir, Src: "tree", Exclude: []string{"*.log", "node_modules", "build/**"}},
		"d": {Type: TypeDir, Entries: map[string]Entry{
			"x.txt":   {Type: TypeInlineFile, Content: "x"},
			"y/z.txt": {Type: TypeInlineFile, Content: "z"},
		}},
	}}
	s := newMemSession()
	var mu sync.Mutex
	finished := map[string]bool{}
	var treeFinal Progress
	err := Materialize(context.Background(), m, s, WithProgress(func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Finished {
			finished[p.Entry] = true
		}
		if p.Entry == "tree" {
			treeFinal = p
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"hello.txt": "hi\n", "bin/run": "echo hi\n", "copy.txt": "one",
		"tree/a.txt": "A", "tree/sub/b.txt": "B", "tree/empty/.keep": "", "tree/link.txt": "A",
		"tree/sublink/b.txt": "B", "d/x.txt": "x", "d/y/z.txt": "z",
	}
	got := s.snapshot()
	for p, c := range want {
		if g, ok := got[p]; !ok || g != c {
			t.Errorf("%s = %q (present %v), want %q", p, g, ok, c)
		}
	}
	for _, p := range []string{"tree/sub/skip.log", "tree/node_modules/", "tree/build/out/o.bin", "tree/sublink/skip.log"} {
		if _, ok := got[p]; ok {
			t.Errorf("%s should be excluded", p)
		}
	}
	if mode := s.files["bin/run"].mode; mode != 0o755 {
		t.Errorf("bin/run mode %v", mode)
	}
	if mode := s.files["copy.txt"].mode; mode != 0o750 {
		t.Errorf("copy.txt mode %v (source mode kept)", mode)
	}
	// A, B, "" and A again (link.txt) and B again (sublink/b.txt).
	if !treeFinal.Finished || treeFinal.Done != 4 || treeFinal.Total != 4 || treeFinal.Type != TypeLocalDir {
		t.Errorf("final progress of tree: %+v", treeFinal)
	}
	for _, e := range []string{"hello.txt", "bin/run", "copy.txt", "tree", "d", "d/x.txt", "d/y/z.txt"} {
		if !finished[e] {
			t.Errorf("no finished event for %s", e)
		}
	}
}

func TestLocalDirRefusesOutsideSymlinks(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"secret.txt": "top secret"})
	for _, c := range []struct {
		name, target string
	}{
		{"relative", "../" + filepath.Base(outside) + "/secret.txt"},
		{"absolute", filepath.Join(outside, "secret.txt")},
		{"dir", outside},
		{"parent", ".."},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			src := filepath.Join(base, "src")
			writeTree(t, src, map[string]string{"ok.txt": "ok", "z/zz.txt": "zz"})
			if err := os.Symlink(c.target, filepath.Join(src, "z", "evil")); err != nil {
				t.Fatal(err)
			}
			s := newMemSession()
			err := Materialize(context.Background(), &Manifest{Entries: map[string]Entry{
				"in": {Type: TypeLocalDir, Src: src},
			}}, s)
			if providers.CodeOf(err) != CodeLocalDirRead {
				t.Fatalf("err = %v, want %s", err, CodeLocalDirRead)
			}
			if ps := s.paths(); len(ps) != 0 {
				t.Errorf("partial files left: %v", ps)
			}
		})
	}
}

func TestLocalDirSymlinkLoop(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a/f.txt": "f"})
	if err := os.Symlink("..", filepath.Join(src, "a", "up")); err != nil {
		t.Fatal(err)
	}
	s := newMemSession()
	err := Materialize(context.Background(), &Manifest{Entries: map[string]Entry{"x": {Type: TypeLocalDir, Src: src}}}, s)
	if providers.CodeOf(err) != CodeLocalDirRead {
		t.Fatalf("err = %v", err)
	}
}

func TestFailedMaterializationRemovesEverything(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{}
	for i := range 50 {
		files[filepath.Join("d", string(rune('a'+i%26)), "f"+string(rune('0'+i/26))+".txt")] = "x"
	}
	writeTree(t, src, files)
	s := newMemSession()
	ctx := context.Background()
	// Something that was there before stays.
	s.WriteFile(ctx, "keep/old.txt", stringsReader("old"), 0)
	n := 0
	s.failWrite = func(rel string) error {
		n++
		if n == 30 {
			return &providers.Error{Code: providers.CodeWriteError, Op: "write_file", Target: rel, Message: "disk full"}
		}
		return nil
	}
	err := Materialize(ctx, &Manifest{Entries: map[string]Entry{
		"a/b/tree":      {Type: TypeLocalDir, Src: src},
		"keep/new.txt":  {Type: TypeInlineFile, Content: "new"},
		"other/one.txt": {Type: TypeInlineFile, Content: "1"},
	}}, s, WithConcurrency(1))
	if providers.CodeOf(err) != providers.CodeWriteError {
		t.Fatalf("err = %v", err)
	}
	if got := s.paths(); !slices.Equal(got, []string{"keep/", "keep/old.txt"}) {
		t.Errorf("left behind: %v", got)
	}
}

func TestLocalFileErrors(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{"missing": filepath.Join(dir, "nope"), "dir": dir} {
		t.Run(name, func(t *testing.T) {
			s := newMemSession()
			err := Materialize(context.Background(), &Manifest{Entries: map[string]Entry{"f": {Type: TypeLocalFile, Src: src}}}, s)
			if providers.CodeOf(err) != CodeLocalFileRead {
				t.Fatalf("err = %v", err)
			}
			if _, ok := err.(*providers.Error); !ok {
				t.Errorf("not a *providers.Error: %T", err)
			}
			if len(s.paths()) != 0 {
				t.Errorf("partial: %v", s.paths())
			}
		})
	}
}
