package coreutils

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

func TestStatDiff(t *testing.T) {
	fx := fixture{"f": "hello\n", "e": "", "d/": "", "l": "->f", "bad": "->nosuch"}
	var cases []diffCase
	for _, args := range [][]string{
		{"stat", "-c", "%n %s %a %A %F", "f", "e", "d", "l", "bad"},
		{"stat", "-c", "%N|%B|%o|%m", "f", "l"},
		{"stat", "-L", "-c", "%n %s %F", "l"},
		{"stat", "--printf", "%n\\t%s\\n", "f", "d"},
		{"stat", "-c", "[%10n] [%-5s] %%", "f"},
		{"stat", "nosuch"},
		{"stat", "-c", "%n", "nosuch", "f"},
		{"stat"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: fx, args: args})
	}
	runDiff(t, cases)
}

func TestStatTimesAndDefault(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"f": "hello\n"})
	when := time.Date(2020, 1, 2, 3, 4, 5, 600, time.UTC)
	fsys.Chtimes("/w/f", when, when)
	r := runUtil(t, fsys, "/w", "", "stat", "-c", "%y|%Y|%x|%z|%w|%W|%F|%a|%h|%u", "f")
	want := "2020-01-02 03:04:05.000000600 +0000|1577934245|2020-01-02 03:04:05.000000600 +0000|2020-01-02 03:04:05.000000600 +0000|-|0|regular file|644|1|1000\n"
	if r.out != want {
		t.Errorf("stat -c times:\n got %q\nwant %q", r.out, want)
	}
	r = runUtil(t, fsys, "/w", "", "stat", "f")
	for _, line := range []string{"  File: f\n", "  Size: 6         \tBlocks: 8          IO Block: 4096   regular file\n",
		"Access: (0644/-rw-r--r--)  Uid: ( 1000/    user)   Gid: ( 1000/    user)\n",
		"Modify: 2020-01-02 03:04:05.000000600 +0000\n"} {
		if !strings.Contains(r.out, line) {
			t.Errorf("stat f: missing %q in\n%s", line, r.out)
		}
	}
}

// TestStatDefaultDiff compares GNU's default layout line by line, leaving
// out the device, inode and times the sandbox does not have.
func TestStatDefaultDiff(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, fixture{"f": "hello\n", "l": "->f"})
	want := runGNU(t, dir, "", "stat", "f", "l")
	got := runUtil(t, afero.NewOsFs(), dir, "", "stat", "f", "l")
	keep := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "  File:") || strings.HasPrefix(l, "  Size:") || strings.HasPrefix(l, "Access: (") {
				l = strings.ReplaceAll(l, "(    0/    root)", "( 1000/    user)")
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	if keep(got.out) != keep(want.out) {
		t.Errorf("stat default:\n got %s\nwant %s", keep(got.out), keep(want.out))
	}
}

func TestDuDiff(t *testing.T) {
	fx := fixture{"d/": "", "d/sub/": "", "d/sub/y": strings.Repeat("y", 5000), "d/x": "x\n", "f": "hello\n", "e": "", "l": "->f"}
	var cases []diffCase
	for _, args := range [][]string{
		{"du"}, {"du", "-a"}, {"du", "-s", "d", "f"}, {"du", "-sh", "d"}, {"du", "-c", "d", "f"}, {"du", "-ab", "d"},
		{"du", "-d", "1"}, {"du", "nosuch"}, {"du", "--apparent-size", "-s", "d"}, {"du", "-sb", "d"}, {"du", "-sk", "d"},
		{"du", "-sm", "d"}, {"du", "-ah", "d"}, {"du", "-sc", "d", "f", "e"}, {"du", "--max-depth=0", "d"}, {"du", "-as"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: fx, args: args})
	}
	// du lists a directory's entries in directory order; compare sorted.
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gdir, udir := t.TempDir(), t.TempDir()
			makeTree(t, gdir, tc.fx)
			makeTree(t, udir, tc.fx)
			want := runGNU(t, gdir, "", tc.args...)
			got := runUtil(t, afero.NewOsFs(), udir, "", tc.args...)
			if sortLines(got.out) != sortLines(want.out) || got.code != want.code || got.err != want.err {
				t.Errorf("%v:\n got %q %d %q\nwant %q %d %q", tc.args, got.out, got.code, got.err, want.out, want.code, want.err)
			}
		})
	}
}

func sortLines(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestDuMem(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"d/": "", "d/a": strings.Repeat("a", 5000), "d/s/": "", "d/s/b": "b"})
	r := runUtil(t, fsys, "/w", "", "du", "d")
	if r.out != "8\td/s\n20\td\n" {
		t.Errorf("du d on MemMapFs: %q", r.out)
	}
	r = runUtil(t, fsys, "/w", "", "du", "-sb", "d")
	if r.out != fmt.Sprint(5000+1+4096*2)+"\td\n" {
		t.Errorf("du -sb d on MemMapFs: %q", r.out)
	}
}
