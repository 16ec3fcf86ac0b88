package wasifs

import (
	"os"

	"github.com/spf13/afero"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) {
	// Files and directories in the oracle get the modes the overlay gives.
	syscall.Umask(0o022)
	os.Exit(m.Run())
}

// baseStack spreads content over three lower layers (bottom first):
// overridden files, whiteouts, an opaque directory, a file replacing a
// directory, symlinks to files and directories, a symlink loop.
var baseStack = stack{
	{ // bottom
		file("a/x", "x2"), file("a/y", "y2"), file("a/sub/deep", "d2"), file("a/sub/deeper/z", "z2"),
		file("b", "b2"), file("c/one", "c1"), file("keep/k", "k2"), file("e/f", "f2"),
		file("g/only-bottom", "gb"), dir("empty-bottom"),
	},
	{ // middle
		file("a/x", "x1"), file("a/z", "z1"), whiteout("b"), opaque("c"), file("c/two", "c2"),
		symlink("sym", "a/x"), symlink("dsym", "a"), symlink("loop1", "loop2"), symlink("loop2", "loop1"),
		symlink("a/rel", "../keep/k"), symlink("dangling", "nothere"), file("g/only-middle", "gm"),
		symlink("a/sub/up", "../../c"), symlink("abs", "/a/z"),
	},
	{ // top
		whiteout("a/y"), file("newdir/n", "n0"), file("e", "e0"), file("g/only-top", "gt"),
		whiteout("g/only-bottom"),
	},
}

type conformanceCase struct {
	name string
	ops  []op
}

var conformanceCases = []conformanceCase{
	{"read merged view", []op{
		{name: "read", a: "a/x"}, {name: "read", a: "a/y"}, {name: "read", a: "a/z"}, {name: "read", a: "b"},
		{name: "list", a: "/"}, {name: "list", a: "a"}, {name: "list", a: "c"}, {name: "list", a: "g"},
		{name: "list", a: "a/sub"}, {name: "stat", a: "e"}, {name: "read", a: "e/f"}, {name: "read", a: "sym"},
		{name: "stat", a: "dsym/x"}, {name: "list", a: "dsym"}, {name: "readlink", a: "sym"},
		{name: "lstat", a: "sym"}, {name: "stat", a: "sym"}, {name: "stat", a: "loop1"}, {name: "lstat", a: "loop1"},
		{name: "read", a: "a/rel"}, {name: "read", a: "a/sub/deep"}, {name: "stat", a: "dangling"},
		{name: "lstat", a: "dangling"}, {name: "list", a: "a/sub/up"}, {name: "read", a: "a/sub/up/two"},
		{name: "read", a: "a"}, {name: "stat", a: "a/x/y"}, {name: "stat", a: "a/x/"}, {name: "stat", a: "a/"},
		{name: "read", a: "dsym/../keep/k"}, {name: "read", a: "a/../a/./x"}, {name: "stat", a: "nothere/x"},
		{name: "readlink", a: "a/x"}, {name: "readlink", a: "nothere"}, {name: "list", a: "a/x"},
		{name: "list", a: "empty-bottom"},
	}},
	{"write lower files", []op{
		{name: "write", a: "a/x", data: "new"}, {name: "read", a: "a/x"},
		{name: "append", a: "a/z", data: "+more"}, {name: "read", a: "a/z"},
		{name: "truncate", a: "a/sub/deep", n: 1}, {name: "read", a: "a/sub/deep"},
		{name: "truncate", a: "keep/k", n: 5}, {name: "read", a: "keep/k"},
		{name: "writeat", a: "c/two", data: "ZZ", n: 1}, {name: "read", a: "c/two"},
		{name: "open_rdwr", a: "g/only-middle"}, {name: "read", a: "g/only-middle"},
		{name: "write", a: "a", data: "x"}, {name: "open_rdwr", a: "a"}, {name: "truncate", a: "nothere", n: 1},
		{name: "append", a: "newfile", data: "created"}, {name: "read", a: "newfile"},
		{name: "create_rdonly", a: "ro-created"}, {name: "read", a: "ro-created"},
		{name: "write", a: "b", data: "back"}, {name: "read", a: "b"}, {name: "list", a: "/"},
		{name: "write", a: "nodir/x", data: "x"}, {name: "write", a: "a/x/y", data: "x"},
		{name: "write", a: "newfile2/", data: "x"},
	}},
	{"remove lower entries", []op{
		{name: "remove", a: "a/x"}, {name: "read", a: "a/x"}, {name: "list", a: "a"},
		{name: "remove", a: "a"}, {name: "remove", a: "a/x"}, {name: "remove", a: "nothere"},
		{name: "removeall", a: "a"}, {name: "stat", a: "a"}, {name: "list", a: "/"},
		{name: "removeall", a: "a"}, {name: "removeall", a: "nothere"},
		{name: "mkdir", a: "a"}, {name: "list", a: "a"}, {name: "write", a: "a/x", data: "fresh"},
		{name: "list", a: "a"}, {name: "read", a: "a/z"}, {name: "read", a: "dsym/x"},
		{name: "remove", a: "empty-bottom"}, {name: "stat", a: "empty-bottom"},
		{name: "remove", a: "g/only-middle"}, {name: "remove", a: "g/only-top"}, {name: "list", a: "g"},
		{name: "remove", a: "g"}, {name: "list", a: "/"}, {name: "mkdir", a: "g"}, {name: "list", a: "g"},
		{name: "remove", a: "e"}, {name: "stat", a: "e"}, {name: "mkdir", a: "e"}, {name: "list", a: "e"},
		{name: "remove", a: "sym"}, {name: "read", a: "a/x"}, {name: "stat", a: "sym"},
		{name: "remove", a: "dsym/z"}, {name: "list", a: "a"},
		{name: "removeall", a: "c/one"}, {name: "list", a: "c"},
		{name: "remove", a: "a/x/"}, {name: "remove", a: "loop1"}, {name: "stat", a: "loop2"},
	}},
	{"rename lower entries", []op{
		{name: "rename", a: "a/x", b: "top-x"}, {name: "read", a: "top-x"}, {name: "read", a: "a/x"},
		{name: "rename", a: "a", b: "a2"}, {name: "list", a: "a2"}, {name: "list", a: "a2/sub"},
		{name: "stat", a: "a"}, {name: "read", a: "a2/rel"}, {name: "read", a: "a2/sub/deeper/z"},
		{name: "rename", a: "keep", b: "a"}, {name: "list", a: "a"}, {name: "read", a: "a/k"},
		{name: "list", a: "/"}, {name: "read", a: "sym"}, {name: "stat", a: "dsym"},
		{name: "rename", a: "g", b: "c"}, {name: "rename", a: "g", b: "newdir"},
		{name: "rename", a: "g/only-middle", b: "c/two"}, {name: "read", a: "c/two"}, {name: "list", a: "g"},
		{name: "mkdir", a: "empty"}, {name: "rename", a: "g", b: "empty"}, {name: "list", a: "empty"},
		{name: "stat", a: "g"}, {name: "rename", a: "empty-bottom", b: "eb2"}, {name: "list", a: "eb2"},
	}},
	{"rename errors and replacements", []op{
		{name: "rename", a: "a/x", b: "a/z"}, {name: "read", a: "a/z"}, {name: "list", a: "a"},
		{name: "rename", a: "a/sub", b: "c"}, {name: "rename", a: "a", b: "a/sub/x"},
		{name: "rename", a: "a/z", b: "c"}, {name: "rename", a: "c", b: "a/z"},
		{name: "rename", a: "nothere", b: "x"}, {name: "rename", a: "a/z", b: "nodir/x"},
		{name: "rename", a: "a/z", b: "a/z"}, {name: "rename", a: "a", b: "a"},
		{name: "rename", a: "sym", b: "sym2"}, {name: "read", a: "sym2"}, {name: "readlink", a: "sym2"},
		{name: "rename", a: "dsym", b: "keep/dl"}, {name: "lstat", a: "keep/dl"},
		{name: "rename", a: "e", b: "a/sub/deep"}, {name: "read", a: "a/sub/deep"}, {name: "stat", a: "e"},
		{name: "rename", a: "a/sub", b: "sub-moved"}, {name: "list", a: "sub-moved"}, {name: "list", a: "a"},
		{name: "readlink", a: "sub-moved/up"}, {name: "rename", a: "b", b: "bb"},
		{name: "rename", a: "a/x/", b: "q"}, {name: "rename", a: "top/", b: "q"},
	}},
	{"symlinks", []op{
		{name: "symlink", a: "s1", b: "a/x"}, {name: "read", a: "s1"}, {name: "readlink", a: "s1"},
		{name: "symlink", a: "s1", b: "other"}, {name: "symlink", a: "a/x", b: "other"},
		{name: "symlink", a: "nodir/s", b: "x"}, {name: "symlink", a: "a/ls", b: "z"}, {name: "read", a: "a/ls"},
		{name: "write", a: "sym", data: "through"}, {name: "read", a: "a/x"}, {name: "lstat", a: "sym"},
		{name: "write", a: "dangling", data: "D"}, {name: "read", a: "nothere"}, {name: "lstat", a: "dangling"},
		{name: "mkdir", a: "sym"}, {name: "create_excl", a: "sym"}, {name: "create_excl", a: "dangling"},
		{name: "write", a: "dsym/via", data: "V"}, {name: "read", a: "a/via"}, {name: "list", a: "a"},
		{name: "chmod", a: "sym", n: 0o600}, {name: "stat", a: "a/x"},
		{name: "rename", a: "dsym/z", b: "dsym/zz"}, {name: "list", a: "a"},
		{name: "remove", a: "dsym"}, {name: "list", a: "a"}, {name: "stat", a: "dsym"},
		{name: "symlink", a: "dsym", b: "keep"}, {name: "list", a: "dsym"}, {name: "read", a: "dsym/k"},
		{name: "symlink", a: "chain1", b: "chain2"}, {name: "symlink", a: "chain2", b: "dsym/k"}, {name: "read", a: "chain1"},
		{name: "symlink", a: "self", b: "self"}, {name: "read", a: "self"}, {name: "write", a: "loop1", data: "x"},
		{name: "mkdir", a: "loop1/x"}, {name: "remove", a: "dsym/"}, {name: "stat", a: "dsym/"},
		{name: "symlink", a: "tslash", b: "a/x/"}, {name: "read", a: "tslash"}, {name: "stat", a: "tslash"},
		{name: "symlink", a: "dslash", b: "keep/"}, {name: "list", a: "dslash"}, {name: "read", a: "dslash/k"},
		{name: "symlink", a: "dotdot", b: "keep/./.."}, {name: "list", a: "dotdot"},
	}},
	{"directories and metadata", []op{
		{name: "mkdir", a: "a"}, {name: "mkdir", a: "nope/x"}, {name: "mkdir", a: "a/x/y"}, {name: "mkdir", a: "/"},
		{name: "mkdirall", a: "q/r/s"}, {name: "list", a: "q/r"}, {name: "mkdirall", a: "a/x/y"},
		{name: "mkdirall", a: "a/sub/new"}, {name: "list", a: "a/sub"},
		{name: "chmod", a: "a/x", n: 0o600}, {name: "stat", a: "a/x"}, {name: "chmod", a: "a", n: 0o700},
		{name: "list", a: "/"}, {name: "chmod", a: "nothere", n: 0o600},
		{name: "chtimes", a: "keep/k"}, {name: "chtimes", a: "c"}, {name: "chtimes", a: "nothere"},
		{name: "create_excl", a: "a/x"}, {name: "create_excl", a: "a/new"}, {name: "list", a: "a"},
		{name: "write", a: "a/new", data: "abc"}, {name: "truncate", a: "a/new", n: 10}, {name: "read", a: "a/new"},
		{name: "remove", a: "c/one"}, {name: "remove", a: "c/two"}, {name: "remove", a: "c"}, {name: "mkdir", a: "c"},
		{name: "list", a: "c"}, {name: "rename", a: "keep", b: "c"}, {name: "list", a: "c"},
	}},
	{"remove and recreate, nested opaque", []op{
		{name: "removeall", a: "a/sub"}, {name: "mkdirall", a: "a/sub/deeper"}, {name: "list", a: "a/sub/deeper"},
		{name: "list", a: "a/sub"}, {name: "write", a: "a/sub/deeper/w", data: "w"}, {name: "list", a: "a/sub/deeper"},
		{name: "rename", a: "a/sub", b: "moved"}, {name: "list", a: "moved"}, {name: "mkdir", a: "a/sub"},
		{name: "list", a: "a/sub"}, {name: "rename", a: "moved/deeper", b: "a/sub/deeper"},
		{name: "list", a: "a/sub/deeper"}, {name: "removeall", a: "a"}, {name: "list", a: "/"},
		{name: "write", a: "b", data: "again"}, {name: "mkdir", a: "a"}, {name: "list", a: "a"},
	}},
}

// TestConformance runs each sequence against the overlay and against a
// real directory holding the same merged content, and requires the same
// results, errors and final tree, with lower layers left untouched.
func TestConformance(t *testing.T) {
	for _, lk := range layerKinds {
		for _, uk := range layerKinds {
			for _, c := range conformanceCases {
				t.Run(lk.name+"-lowers/"+uk.name+"-upper/"+c.name, func(t *testing.T) {
					o, lowers, oracle := setup(t, baseStack, lk, uk)
					ref := osDir{oracle}
					if got, want := dumpTree(t, o), dumpTree(t, ref); got != want {
						t.Fatalf("initial tree differs:\noverlay:\n%s\noracle:\n%s", got, want)
					}
					before := dumpLayers(t, lowers)
					compareRun(t, o, ref, c.ops)
					if after := dumpLayers(t, lowers); after != before {
						t.Errorf("lower layers changed:\nbefore:\n%s\nafter:\n%s", before, after)
					}
				})
			}
		}
	}
}

// TestLayerConformance runs the same sequences on each kind of layer used
// alone, filled with the merged content.
func TestLayerConformance(t *testing.T) {
	for _, lk := range layerKinds {
		for _, c := range conformanceCases {
			t.Run(lk.name+"/"+c.name, func(t *testing.T) {
				layer := lk.make(t).(testFS)
				oracle := osDir{t.TempDir()}
				for _, entries := range baseStack {
					applyMerged(t, layer, entries)
					applyMerged(t, oracle, entries)
				}
				compareRun(t, layer, oracle, c.ops)
			})
		}
	}
}

// compareRun runs ops on both filesystems and requires the same results,
// errors and final tree.
func compareRun(t *testing.T, got, want testFS, ops []op) {
	t.Helper()
	for i, p := range ops {
		gotRes, gotErr := p.run(got)
		wantRes, wantErr := p.run(want)
		if gotRes != wantRes || gotErr != wantErr {
			t.Errorf("step %d %s %q %q: got (%q, %v), oracle (%q, %v)",
				i, p.name, p.a, p.b, gotRes, errName(gotErr), wantRes, errName(wantErr))
		}
	}
	if g, w := dumpTree(t, got), dumpTree(t, want); g != w {
		t.Errorf("final tree differs:\ngot:\n%s\noracle:\n%s", g, w)
	}
}

func errName(e syscall.Errno) string {
	if e == 0 {
		return "ok"
	}
	return e.Error()
}

// dumpLayers describes the raw content of layers, whiteouts included.
func dumpLayers(t testing.TB, layers []afero.Fs) string {
	var s string
	for i, l := range layers {
		s += "layer " + string(rune('0'+i)) + "\n" + dumpTree(t, l.(testFS)) + "\n"
	}
	return s
}
