package coreutils

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

var findFixture = fixture{
	"a.go": "package a\n", "b.txt": "bee\n", "B.TXT": "BEE\n", "e": "", "d/": "", "d/x.go": "x", "d/sub/": "",
	"d/sub/y.txt": strings.Repeat("y", 3000), "d/sub/deep/": "", "d/sub/deep/z": "z", "empty/": "", "l": "->a.go",
	"dl": "->d", "bad": "->nosuch", ".hid": "h", "sp ace": "s",
}

// TestFindDiff compares find with GNU find. GNU lists a directory in
// directory order and the utility in name order, so the outputs are compared
// as sorted lines.
func TestFindDiff(t *testing.T) {
	for _, args := range [][]string{
		{"find"}, {"find", "."}, {"find", "d"}, {"find", "d/"}, {"find", "-name", "*.go"}, {"find", ".", "-iname", "b.txt"},
		{"find", ".", "-type", "f"}, {"find", ".", "-type", "d"}, {"find", ".", "-type", "l"}, {"find", ".", "-type", "f,l"},
		{"find", ".", "-maxdepth", "1"}, {"find", ".", "-mindepth", "2"}, {"find", ".", "-maxdepth", "2", "-mindepth", "2"},
		{"find", ".", "-path", "./d/*"}, {"find", ".", "-path", "*sub*", "-type", "f"}, {"find", ".", "-empty"},
		{"find", ".", "!", "-name", "*.go"}, {"find", ".", "-not", "-type", "d"}, {"find", ".", "-name", "*.go", "-o", "-name", "*.txt"},
		{"find", ".", "(", "-name", "*.go", "-o", "-name", "*.txt", ")", "-type", "f"}, {"find", ".", "-size", "+1k"},
		{"find", ".", "-size", "-2c"}, {"find", ".", "-size", "1"}, {"find", ".", "-name", "sub", "-prune", "-o", "-print"},
		{"find", ".", "-type", "f", "-print0"}, {"find", "nosuch"}, {"find", "nosuch", "d"}, {"find", ".", "-foo"},
		{"find", ".", "-name"}, {"find", ".", "-type", "x"}, {"find", ".", "-exec", "echo", "{}"}, {"find", ".", "(", "-name", "x"},
		{"find", ".", "-name", "x", ")"}, {"find", ".", "-size", "1x"}, {"find", "-L", ".", "-name", "l"}, {"find", "-L", ".", "-type", "l"},
		{"find", "-L", "dl"}, {"find", "dl"}, {"find", "-H", "dl"}, {"find", ".", "-xtype", "l"},
		{"find", ".", "-printf", "%p|%f|%h|%P|%d|%y|%m|%M|%l\\n"}, {"find", "d", "-printf", "%-10f|%5d|%s\\n"},
		{"find", ".", "-perm", "-u+x"}, {"find", ".", "-perm", "644", "-type", "f"}, {"find", ".", "-name", "*.go", "-exec", "cat", "{}", ";"},
		{"find", ".", "-name", "*.txt", "-exec", "wc", "-c", "{}", "+"}, {"find", ".", "-type", "f", "-name", "*.go", "-exec", "echo", "x{}y", ";"},
		{"find", ".", "-maxdepth", "1", "-type", "f", "-exec", "false", ";", "-o", "-print"}, {"find", ".", "-name", "a.go", "-quit"},
		{"find", ".", "-regex", ".*/[a-b]\\..*"}, {"find", ".", "-name", "*.go", ",", "-name", "*.txt"}, {"find", ".", "-depth", "-name", "d*"},
		{"find", ".", "-name", "[ab].*"}, {"find", ".", "-iname", "*.TXT", "-newer", "a.go"}, {"find", ".", "-newer", "nosuch"},
		{"find", "-maxdepth", "x"}, {"find", ".", "-links", "1", "-type", "f"}, {"find", ".", "-user", "nobody-here"}, {"find", "/nonexistent-x"},
		{"find", ".", "-type", "f", "-exec", "sh", "-c", "exit 1", ";"},
		{"find", "d", "-name", "*.txt", "-execdir", "cat", "{}", ";"}, {"find", "d", "-name", "*.go", "-execdir", "echo", "{}", ";"},
		{"find", "d", "-type", "f", "-execdir", "pwd", ";"}, {"find", "d", "-name", "*.go", "-execdir", "ls", "{}", "+"},
	} {
		t.Run(joinArgs(args), func(t *testing.T) {
			gdir, udir := t.TempDir(), t.TempDir()
			old := time.Now().Add(-time.Hour)
			for _, dir := range []string{gdir, udir} {
				makeTree(t, dir, findFixture)
				filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
					if err == nil && fi.Name() == "a.go" {
						os.Chtimes(p, old, old)
					}
					return nil
				})
			}
			want := runGNU(t, gdir, "", args...)
			if len(args) > 2 && args[len(args)-2] == "exit 1" {
				// No sh among the utilities: compare the status only.
				got := runUtil(t, afero.NewOsFs(), udir, "", "find", ".", "-type", "f", "-exec", "false", ";")
				if got.code != want.code {
					t.Errorf("exit %d, want %d", got.code, want.code)
				}
				return
			}
			got := runUtil(t, afero.NewOsFs(), udir, "", args...)
			want.out = strings.ReplaceAll(want.out, gdir, "ROOT")
			got.out = strings.ReplaceAll(got.out, udir, "ROOT")
			sep := "\n"
			if args[len(args)-1] == "-print0" {
				sep = "\x00"
			}
			if findSorted(got.out, sep) != findSorted(want.out, sep) || got.code != want.code {
				t.Errorf("%v:\n got %q (%d)\nwant %q (%d)", args, got.out, got.code, want.out, want.code)
			}
			if got.err != want.err {
				t.Errorf("%v stderr:\n got %q\nwant %q", args, got.err, want.err)
			}
		})
	}
}

func findSorted(s, sep string) string {
	parts := strings.Split(s, sep)
	sortStrings(parts)
	return strings.Join(parts, sep)
}

func TestFindDeleteAndMem(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"a.go": "x", "d/": "", "d/b.go": "", "d/c.txt": "c", "d/e/": "", "d/e/f.go": ""})
	r := runUtil(t, fsys, "/w", "", "find", ".", "-name", "*.go")
	if r.out != "./a.go\n./d/b.go\n./d/e/f.go\n" {
		t.Errorf("find -name: %q", r.out)
	}
	r = runUtil(t, fsys, "/w", "", "find", "/w/d", "-name", "*.go", "-delete")
	if r.code != 0 || r.out != "" {
		t.Fatalf("find -delete: %+v", r)
	}
	r = runUtil(t, fsys, "/w", "", "find", ".")
	if r.out != ".\n./a.go\n./d\n./d/c.txt\n./d/e\n" {
		t.Errorf("after -delete: %q", r.out)
	}
	r = runUtil(t, fsys, "/w", "", "find", "d", "-empty", "-delete")
	r = runUtil(t, fsys, "/w", "", "find", "d")
	if r.out != "d\nd/c.txt\n" {
		t.Errorf("after -empty -delete: %q", r.out)
	}
	r = runUtil(t, fsys, "/", "", "find", "/", "-maxdepth", "1")
	if r.out != "/\n/w\n" {
		t.Errorf("find /: %q", r.out)
	}
	ctx, cancel := cancelledCtx()
	defer cancel()
	env, _, _ := testEnv(fsys, "/w", "", nil)
	if code := cmdFind(ctx, env, []string{"find", "."}); code == 0 {
		t.Errorf("find on a cancelled context exited 0")
	}
}
