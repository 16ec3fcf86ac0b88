package snapshot

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

var update = flag.Bool("update", false, "rewrite the committed fuzz seeds under testdata/fuzz")

// fuzzSeeds are the committed seeds of FuzzImport: the hostile archives of
// the unit tests and a few valid ones.
func fuzzSeeds(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	for _, h := range hostile(t) {
		seeds[strings.ReplaceAll(h.name, " ", "_")] = h.archive
	}
	seeds["valid_tree"] = mkTar(t, dir("d/"), reg("d/f", "f"), sym("d/l", "f"), sym("top", "d/l"), hard("h", "d/f"))
	seeds["valid_replace"] = mkTar(t, reg("a", "1"), dir("a/"), reg("a/b", "2"), reg("a", "3"))
	seeds["valid_abs_link"] = mkTar(t, sym("l", "/workspace/x"), reg("x", "x"))
	seeds["symlink_then_dir_replace"] = mkTar(t, sym("l", "d"), dir("d/"), reg("l", "over"), dir("l/"), reg("l/x", "x"))
	seeds["empty"] = nil
	return seeds
}

// TestFuzzSeedsCommitted checks that the seeds in testdata/fuzz/FuzzImport
// are the current ones; -update rewrites them.
func TestFuzzSeedsCommitted(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzImport")
	for name, data := range fuzzSeeds(t) {
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		p := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != want {
			t.Errorf("seed %s is missing or stale (run go test -run TestFuzzSeedsCommitted -update): %v", p, err)
		}
	}
}

// FuzzImport feeds arbitrary bytes to Store.Import and to ReadArchive on a
// directory layer. Properties: no panic; every error is a typed archive or
// snapshot error; nothing is written outside the extraction root; every
// entry of an imported snapshot lies under the root and every symlink in it
// points inside the root.
func FuzzImport(f *testing.F) {
	ctx := context.Background()
	limits := Limits{MaxInputBytes: 1 << 20, MaxExtractedBytes: 4 << 20, MaxMembers: 1000}
	f.Fuzz(func(t *testing.T, data []byte) {
		base := t.TempDir()
		s := mustOpen(t, filepath.Join(base, "store"), withoutSync())
		id, err := s.Import(ctx, bytes.NewReader(data), ImportOptions{Root: "workspace", Limits: limits})
		if err != nil {
			if c := providers.CodeOf(err); c != providers.CodeArchiveError && c != providers.CodeSnapshotError {
				t.Fatalf("Import error without a code: %v", err)
			}
		} else {
			v, err := s.Open(id)
			if err != nil {
				t.Fatalf("imported snapshot does not open: %v", err)
			}
			checkConfined(t, v, "/workspace")
		}

		root := filepath.Join(base, "root")
		if err := os.Mkdir(root, 0o755); err != nil {
			t.Fatal(err)
		}
		err = ReadArchive(ctx, bytes.NewReader(data), wasifs.NewDirLayer(root), "workspace", limits)
		if err != nil && providers.CodeOf(err) != providers.CodeArchiveError {
			t.Fatalf("ReadArchive error without code workspace_archive_error: %v", err)
		}
		if got := dirEntries(t, base); !slices.Equal(got, []string{"root", "store"}) {
			t.Fatalf("entries next to the root: %v", got)
		}
		if got := dirEntries(t, root); !slices.Equal(got, []string{"workspace"}) {
			t.Fatalf("entries outside the extraction root: %v", got)
		}
	})
}

// checkConfined walks fsys from "/" and fails for any entry outside root
// (other than root's own parents) and any symlink whose target, resolved
// lexically from the link's directory, leaves root.
func checkConfined(t *testing.T, fsys afero.Fs, root string) {
	t.Helper()
	inside := func(p string) bool { return p == root || strings.HasPrefix(p, root+"/") }
	var walk func(dir string)
	walk = func(dir string) {
		names, err := readDirNames(fsys, dir)
		if err != nil {
			t.Fatalf("readdir %s: %v", dir, err)
		}
		for _, n := range names {
			p := path.Join(dir, n)
			if !inside(p) && !strings.HasPrefix(root, p+"/") {
				t.Fatalf("entry %s outside %s", p, root)
			}
			fi, err := lstat(fsys, p)
			if err != nil {
				t.Fatalf("lstat %s: %v", p, err)
			}
			switch {
			case fi.IsDir():
				walk(p)
			case fi.Mode()&fs.ModeSymlink != 0:
				target, err := readlink(fsys, p)
				if err != nil {
					t.Fatal(err)
				}
				resolved := target
				if !path.IsAbs(target) {
					resolved = path.Join(path.Dir(p), target)
				}
				if !inside(path.Clean(resolved)) || strings.Contains("/"+target+"/", "/../") && path.IsAbs(target) {
					t.Fatalf("symlink %s -> %s leaves %s", p, target, root)
				}
			}
		}
	}
	walk("/")
}
