package wasifs

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// FuzzResolve checks the confinement property: for any path and any set of
// symlinks, resolution stays inside the root. In an overlay the resolved
// path is a clean root-relative path; in a directory layer nothing outside
// the layer's directory can be read or created.
//
// links holds up to 8 lines "name=target" that become symlinks.
func FuzzResolve(f *testing.F) {
	f.Add("a/../../f", "l=..\nm=/etc")
	f.Add("l/l/l/secret", "l=..")
	f.Add("m/x", "m=../../secret")
	f.Add("a/b/../../../../secret", "")
	f.Add("loop/x", "loop=loop")
	f.Add("x/y/z", "x=a/b\na/b/y=../../../..\n")
	f.Add("/abs/secret", "abs=/../..")
	f.Fuzz(func(t *testing.T, name, links string) {
		lower := NewMemLayer()
		must(t, lower.MkdirAll("a/b", 0o755))
		must(t, afero.WriteFile(lower, "a/f", []byte("f"), 0o644))
		host := t.TempDir()
		root := filepath.Join(host, "root")
		must(t, os.MkdirAll(filepath.Join(root, "a", "b"), 0o755))
		must(t, os.WriteFile(filepath.Join(host, "secret"), []byte("SECRET"), 0o644))
		for i, line := range strings.SplitN(links, "\n", 9) {
			if i == 8 {
				break
			}
			name, target, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			_ = lower.(afero.Linker).SymlinkIfPossible(target, name)
			// On the host, only names that stay inside the root.
			if clean := path.Clean("/" + name); !strings.ContainsRune(clean, 0) && len(clean) > 1 {
				_ = os.Symlink(target, root+clean)
			}
		}
		o := New(NewMemLayer(), lower)
		for _, follow := range []bool{false, true} {
			r, err := o.resolve(name, follow)
			if err != nil {
				if errnoOf(err) == 0 {
					t.Fatalf("resolve %q: error without errno: %v", name, err)
				}
				continue
			}
			if r.rel != "" && (path.Clean(r.rel) != r.rel || strings.HasPrefix(r.rel, "/") || r.rel == ".." ||
				strings.HasPrefix(r.rel, "../") || strings.Contains(r.rel, "/../") || strings.HasSuffix(r.rel, "/..")) {
				t.Fatalf("resolve %q (follow %v) = %q: not a clean path inside the root", name, follow, r.rel)
			}
		}
		dl := NewDirLayer(root)
		if b, _ := afero.ReadFile(dl, name); strings.Contains(string(b), "SECRET") {
			t.Fatalf("read %q through the directory layer reached outside", name)
		}
		_ = afero.WriteFile(dl, name, []byte("x"), 0o644)
		_ = dl.MkdirAll(name+"/d", 0o755)
		_ = dl.Chmod(name, 0o700)
		_ = dl.RemoveAll(name)
		entries, err := os.ReadDir(host)
		must(t, err)
		if len(entries) != 2 {
			t.Fatalf("after writes to %q, outside the root: %v", name, entries)
		}
		if b, err := os.ReadFile(filepath.Join(host, "secret")); err != nil || string(b) != "SECRET" {
			t.Fatalf("after writes to %q, the file outside changed: %q, %v", name, b, err)
		}
	})
}

// fuzzStack is baseStack without symlinks whose targets would leave a host
// directory (absolute or "..") when the oracle follows them.
var fuzzStack = func() stack {
	var s stack
	for _, layer := range baseStack {
		var kept []entry
		for _, e := range layer {
			if e.kind == "symlink" && (strings.HasPrefix(e.data, "/") || strings.Contains(e.data, "..")) {
				continue
			}
			kept = append(kept, e)
		}
		s = append(s, kept)
	}
	return s
}()

var (
	fuzzPaths = []string{
		"a", "a/x", "a/y", "a/z", "a/sub", "a/sub/deep", "a/sub/deeper", "a/sub/deeper/z", "b", "c",
		"c/one", "c/two", "e", "e/f", "g", "g/only-top", "g/only-middle", "keep", "keep/k", "newdir",
		"newdir/n", "sym", "dsym", "dsym/x", "dsym/sub", "loop1", "dangling", "nothere", "n", "n/m",
		"empty-bottom", "a/", "dsym/", "/", "a/..", "dsym/../keep", "a/sub/../x", "./c/./two", "sym/",
		"g/only-bottom",
	}
	fuzzTargets = []string{"a/x", "a", "nothere", "sym", "dsym/x", "c", "keep/k", "loop1", "n"}
	fuzzOps     = []string{
		"read", "write", "append", "truncate", "mkdir", "mkdirall", "remove", "removeall", "rename",
		"symlink", "readlink", "stat", "lstat", "chmod", "list", "create_excl", "writeat", "chtimes",
	}
)

// decodeOps turns fuzz input into up to 40 operations, three bytes each.
func decodeOps(data []byte) []op {
	var ops []op
	for i := 0; i+2 < len(data) && len(ops) < 40; i += 3 {
		p := op{
			name: fuzzOps[int(data[i])%len(fuzzOps)],
			a:    fuzzPaths[int(data[i+1])%len(fuzzPaths)],
			b:    fuzzPaths[int(data[i+2])%len(fuzzPaths)],
			data: strings.Repeat("d", int(data[i+2])%5),
			n:    int64(data[i+2] % 7),
		}
		switch p.name {
		case "symlink":
			p.b = fuzzTargets[int(data[i+2])%len(fuzzTargets)]
		case "chmod":
			p.n = []int64{0o700, 0o755, 0o644, 0o600}[data[i+2]%4]
		}
		ops = append(ops, p)
	}
	return ops
}

func isRoot(p string) bool { return p == "/" || p == "a/.." }

// FuzzOverlayOps runs random operation sequences on an overlay of three
// lower layers (in memory or in directories) and on a real directory with the same merged content, and
// requires the same results, errors and final tree, with the lower layers
// unchanged.
func FuzzOverlayOps(f *testing.F) {
	f.Add([]byte{6, 0, 0, 4, 0, 0, 14, 0, 0})               // remove a/x... mkdir a, list
	f.Add([]byte{8, 0, 12, 14, 12, 0, 8, 17, 0, 14, 0, 0})  // rename a c, keep a
	f.Add([]byte{9, 28, 1, 1, 28, 3, 0, 1, 0, 7, 21, 0})    // symlink n -> a, write, read
	f.Add([]byte{7, 9, 0, 4, 9, 0, 1, 10, 2, 14, 9, 0})     // removeall c, mkdir c, write
	f.Add([]byte{8, 4, 27, 8, 27, 4, 3, 1, 3, 13, 1, 1})    // rename dirs back and forth
	f.Add([]byte{12, 23, 0, 11, 25, 0, 2, 26, 3, 0, 27, 0}) // loops, dangling links
	f.Fuzz(func(t *testing.T, data []byte) {
		ops := decodeOps(data)
		if len(ops) == 0 {
			return
		}
		// The input's length picks the kinds of layers.
		lk, uk := layerKinds[0], layerKinds[0]
		switch len(data) % 3 {
		case 1:
			lk = layerKinds[1]
		case 2:
			uk = layerKinds[1]
		}
		o, lowers, oracle := setup(t, fuzzStack, lk, uk)
		before := dumpLayers(t, lowers)
		for _, p := range ops {
			if (p.name == "remove" || p.name == "removeall" || p.name == "rename") && (isRoot(p.a) || isRoot(p.b)) {
				// The oracle's root is not a root: removing or renaming it
				// behaves differently (the overlay gives EBUSY, as Linux
				// does for "/"), and os.RemoveAll("a/..") empties the
				// directory before failing.
				continue
			}
			gotRes, gotErr := p.run(o)
			wantRes, wantErr := p.run(osDir{oracle})
			if gotRes != wantRes || gotErr != wantErr {
				t.Fatalf("%s %q %q (n=%o): overlay (%q, %v), oracle (%q, %v)\nsequence: %v",
					p.name, p.a, p.b, p.n, gotRes, errName(gotErr), wantRes, errName(wantErr), ops)
			}
		}
		if got, want := dumpTree(t, o), dumpTree(t, osDir{oracle}); got != want {
			t.Fatalf("final tree differs:\noverlay:\n%s\noracle:\n%s\nsequence: %v", got, want, ops)
		}
		if after := dumpLayers(t, lowers); after != before {
			t.Fatalf("lower layers changed by %v", ops)
		}
	})
}
