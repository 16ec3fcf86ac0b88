package coreutils

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

var lsFixture = fixture{
	"f": "hello\n", "big": strings.Repeat("x", 5000), ".hidden": "h", "d/": "", "d/sub/": "", "d/sub/g": "g",
	"d/e": "e", "l": "->f", "bad": "->nosuch", "dl": "->d", "x.txt": "", "a.go": "package a\n",
}

func TestLsDiff(t *testing.T) {
	var cases []diffCase
	for _, args := range [][]string{
		{"ls"}, {"ls", "-a"}, {"ls", "-A"}, {"ls", "-1"}, {"ls", "-F"}, {"ls", "-p"}, {"ls", "-r"},
		{"ls", "-S"}, {"ls", "-X"}, {"ls", "-R"}, {"ls", "d"}, {"ls", "d/"}, {"ls", "-d", "d"},
		{"ls", "f", "d", "x.txt"}, {"ls", "nosuch", "f"}, {"ls", "nosuch"}, {"ls", "dl"}, {"ls", "-F", "dl"},
		{"ls", "-R", "d"}, {"ls", "-m"}, {"ls", "-aF", "d"}, {"ls", "-d", "d", "f", "nosuch"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: lsFixture, args: args})
	}
	runDiff(t, cases)
}

// TestLsLongDiff compares ls -l with GNU after giving every file the same
// time and replacing GNU's owner names with the sandbox's.
func TestLsLongDiff(t *testing.T) {
	for _, args := range [][]string{
		{"ls", "-l"}, {"ls", "-la"}, {"ls", "-lh"}, {"ls", "-lF"}, {"ls", "-ln"}, {"ls", "-l", "d", "f", "l"},
		{"ls", "-lR"}, {"ls", "-lt", "f", "a.go", "big", "d"}, {"ls", "-ld", "d", "dl"}, {"ls", "-lS"}, {"ls", "-s"}, {"ls", "-lrS"},
	} {
		t.Run(joinArgs(args), func(t *testing.T) {
			gdir, udir := t.TempDir(), t.TempDir()
			for i, dir := range []string{gdir, udir} {
				makeTree(t, dir, lsFixture)
				when := time.Date(2020, 3, 4, 5, 6, 7, 0, time.UTC)
				filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
					if err == nil && p != dir {
						if fi.Name() == "f" {
							os.Chtimes(p, when.AddDate(0, 0, 1), when.AddDate(0, 0, 1))
						} else {
							os.Chtimes(p, when, when)
						}
					}
					return nil
				})
				os.Chmod(filepath.Join(dir, "a.go"), 0o755)
				_ = i
			}
			want := runGNU(t, gdir, "", args...)
			got := runUtil(t, afero.NewOsFs(), udir, "", args...)
			// Symlinks carry the time they were made in each tree.
			linkTime := regexp.MustCompile(`(?m)^(l\S+ +\d+ +\S+ +\S+ +\d+ )\w{3} [ \d]\d \d\d:\d\d`)
			want.out = linkTime.ReplaceAllString(want.out, "${1}TIME")
			got.out = linkTime.ReplaceAllString(got.out, "${1}TIME")
			want.out = strings.ReplaceAll(want.out, " root root ", " user user ")
			want.out = strings.ReplaceAll(want.out, " 0 0 ", " 1000 1000 ")
			// Directory "." and ".." times are those of the temp dirs.
			if args[1] == "-la" {
				want.out = keepLines(want.out, " .")
				got.out = keepLines(got.out, " .")
			}
			if got.out != want.out || got.code != want.code {
				t.Errorf("%v:\n got %q (%d)\nwant %q (%d)", args, got.out, got.code, want.out, want.code)
			}
		})
	}
}

func keepLines(s, drop string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasSuffix(l, drop) && !strings.HasSuffix(l, drop+".") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestLsMem(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"b": "12345", "a/": "", "a/x": ""})
	when := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	fsys.Chtimes("/w/b", when, when)
	fsys.Chtimes("/w/a", when, when)
	r := runUtil(t, fsys, "/w", "", "ls", "-l")
	want := "total 8\ndrwxr-xr-x 2 user user 4096 Feb  3  2001 a\n-rw-r--r-- 1 user user    5 Feb  3  2001 b\n"
	if r.out != want || r.code != 0 {
		t.Fatalf("ls -l on MemMapFs:\n got %q\nwant %q", r.out, want)
	}
	if got := lsHuman(1536); got != "1.5K" {
		t.Errorf("lsHuman(1536) = %q", got)
	}
	if got := lsHuman(10*1024 + 1); got != "11K" {
		t.Errorf("lsHuman(10K+1) = %q", got)
	}
}
