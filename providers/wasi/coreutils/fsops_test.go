package coreutils

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

var opsFixture = fixture{
	"f": "hello\n", "g": "other\n", "d/": "", "d/x": "x\n", "d/sub/": "", "d/sub/y": "y\n", "e/": "",
	"l": "->f", "dl": "->d", "bad": "->nosuch",
}

func TestFileOpsDiff(t *testing.T) {
	var cases []diffCase
	for _, args := range [][]string{
		{"mkdir", "n"}, {"mkdir", "d"}, {"mkdir", "q/r"}, {"mkdir", "-p", "q/r/s"}, {"mkdir", "-pv", "q/r"},
		{"mkdir", "-v", "n", "m"}, {"mkdir", "-p", "d", "f"}, {"mkdir"}, {"mkdir", "-m", "700", "n"}, {"mkdir", "f/x"},
		{"rmdir", "e"}, {"rmdir", "d"}, {"rmdir", "f"}, {"rmdir", "nosuch"}, {"rmdir", "-p", "d/sub"},
		{"rmdir", "--ignore-fail-on-non-empty", "d"},
		{"rm", "f"}, {"rm", "nosuch"}, {"rm", "-f", "nosuch", "g"}, {"rm", "d"}, {"rm", "-r", "d"}, {"rm", "-rf", "d", "e", "nosuch"},
		{"rm", "-d", "e"}, {"rm", "-d", "d"}, {"rm", "-rv", "d/sub"}, {"rm", "-r", "."}, {"rm"}, {"rm", "-f"}, {"rm", "l", "dl"},
		{"rm", "-r", "dl"}, {"rm", "-rf", "d/"},
		{"cp", "f", "n"}, {"cp", "f", "g"}, {"cp", "f", "d"}, {"cp", "f", "g", "d"}, {"cp", "d", "n"}, {"cp", "-r", "d", "n"},
		{"cp", "-r", "d", "e"}, {"cp", "nosuch", "n"}, {"cp", "f"}, {"cp", "f", "f"},
		{"cp", "-v", "f", "g", "d"}, {"cp", "-rv", "d/sub", "n"}, {"cp", "f", "g", "h"}, {"cp", "-n", "f", "g"},
		{"cp", "l", "n"}, {"cp", "-P", "l", "n"}, {"cp", "-r", "dl", "n"}, {"cp", "-a", "d", "n"}, {"cp", "-t", "d", "f", "g"},
		{"cp", "-T", "-r", "d", "e"}, {"cp", "bad", "n"}, {"cp", "-a", "bad", "n"}, {"cp", "f", "e/"},
		{"mv", "f", "n"}, {"mv", "f", "g"}, {"mv", "f", "d"}, {"mv", "f", "g", "d"}, {"mv", "d", "n"}, {"mv", "d", "e"},
		{"mv", "nosuch", "n"}, {"mv", "d", "d/sub"}, {"mv", "-v", "f", "n"}, {"mv", "-n", "f", "g"}, {"mv", "f", "g", "h"},
		{"mv", "e", "f"}, {"mv", "f", "e/"}, {"mv", "l", "n"}, {"mv", "-T", "e", "d"}, {"mv", "f", "f"}, {"mv", "f"},
		{"ln", "-s", "f", "n"}, {"ln", "-s", "f", "g"}, {"ln", "-sf", "f", "g"}, {"ln", "-s", "../f", "d"}, {"ln", "-sv", "f", "n"},
		{"ln", "-s", "f", "g", "e"}, {"ln", "-s", "nosuch", "n"}, {"ln", "-s", "d/x"}, {"ln", "-sfn", "e", "dl"}, {"ln", "-sf", "e", "dl"},
		{"touch", "n"}, {"touch", "q/n"}, {"touch", "-c", "n"}, {"touch", "f", "n", "d"}, {"touch"},
		{"chmod", "700", "f"}, {"chmod", "u+x,g-r", "f"}, {"chmod", "+x", "f"}, {"chmod", "-R", "go-rwx", "d"}, {"chmod", "a=r", "f"},
		{"chmod", "755", "nosuch"}, {"chmod", "xyz", "f"}, {"chmod", "-v", "644", "f"}, {"chmod", "-w", "f"}, {"chmod", "g=u", "f"},
		{"chmod", "o+X", "d", "f"}, {"chmod", "4755", "f"}, {"chmod", "-c", "644", "f", "g"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: opsFixture, args: args, tree: true})
	}
	// GNU copies part of the tree before it notices; cp refuses at once.
	cases = append(cases, diffCase{name: "cp into itself", fx: opsFixture, args: []string{"cp", "-R", "d", "d/sub"}})
	runDiff(t, cases)
}

func TestFileOpsMem(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"f": "hello\n", "d/": "", "d/x": "x", "d/s/": "", "d/s/y": "y", "e/": ""})
	steps := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"rmdir", "d"}, 1, ""},
		{[]string{"rm", "d"}, 1, ""},
		{[]string{"cp", "-r", "d", "c"}, 0, ""},
		{[]string{"cat", "c/s/y"}, 0, "y"},
		{[]string{"mv", "c", "e"}, 0, ""},
		{[]string{"ls", "-R", "e"}, 0, "e:\nc\n\ne/c:\ns\nx\n\ne/c/s:\ny\n"},
		{[]string{"rm", "-r", "e"}, 0, ""},
		{[]string{"ls"}, 0, "d\nf\n"},
		{[]string{"mkdir", "-p", "a/b/c"}, 0, ""},
		{[]string{"rmdir", "-p", "a/b/c"}, 0, ""},
		{[]string{"ls"}, 0, "d\nf\n"},
		{[]string{"touch", "-d", "2001-02-03 04:05:06", "f"}, 0, ""},
		{[]string{"ls", "-l", "f"}, 0, "-rw-r--r-- 1 user user 6 Feb  3  2001 f\n"},
		{[]string{"chmod", "u=rwx,go=", "f"}, 0, ""},
		{[]string{"ls", "-l", "f"}, 0, "-rwx------ 1 user user 6 Feb  3  2001 f\n"},
		{[]string{"cp", "-p", "f", "g"}, 0, ""},
		{[]string{"ls", "-l", "g"}, 0, "-rwx------ 1 user user 6 Feb  3  2001 g\n"},
		{[]string{"ln", "-s", "f", "l"}, 1, ""},
		{[]string{"ln", "f", "h"}, 1, ""},
	}
	for _, s := range steps {
		r := runUtil(t, fsys, "/w", "", s.args...)
		if r.code != s.code || (s.out != "" || r.code == 0) && r.out != s.out {
			t.Fatalf("%v: got %q (%d, %q), want %q (%d)", s.args, r.out, r.code, r.err, s.out, s.code)
		}
	}
	r := runUtil(t, fsys, "/w", "", "ln", "f", "h")
	if r.err != "ln: failed to create hard link 'h' => 'f': Operation not supported\n" {
		t.Errorf("ln hard link: %q", r.err)
	}
}

func TestChmodApply(t *testing.T) {
	tests := []struct {
		mode string
		old  uint32
		dir  bool
		want uint32
	}{
		{"755", 0o644, false, 0o755}, {"u+x", 0o644, false, 0o744}, {"+x", 0o644, false, 0o755},
		{"go-rwx", 0o755, false, 0o700}, {"a=r", 0o755, false, 0o444}, {"u=rw,g=r,o=", 0o777, false, 0o640},
		{"+X", 0o644, true, 0o755}, {"+X", 0o644, false, 0o644}, {"+X", 0o744, false, 0o755}, {"g=u", 0o750, false, 0o770},
		{"u+s", 0o755, false, 0o4755}, {"+t", 0o755, true, 0o1755}, {"=w", 0o777, false, 0o200}, {"o+w", 0o644, false, 0o646},
	}
	for _, tt := range tests {
		got, err := chmodApply(tt.mode, tt.old, tt.dir)
		if err != nil || got != tt.want {
			t.Errorf("chmodApply(%q, %o) = %o, %v; want %o", tt.mode, tt.old, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "8", "u", "u+q", "99999", "a+rw,"} {
		if _, err := chmodApply(bad, 0o644, false); err == nil {
			t.Errorf("chmodApply(%q) accepted", bad)
		}
	}
}

func TestParseDate(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := map[string]string{
		"@0":                           "1970-01-01T00:00:00Z",
		"@1700000000":                  "2023-11-14T22:13:20Z",
		"2001-02-03":                   "2001-02-03T00:00:00Z",
		"2001-02-03 04:05:06":          "2001-02-03T04:05:06Z",
		"2001-02-03T04:05:06Z":         "2001-02-03T04:05:06Z",
		"2001-02-03T04:05:06+02:00":    "2001-02-03T02:05:06Z",
		"yesterday":                    "2024-05-05T07:08:09Z",
		"2 days ago":                   "2024-05-04T07:08:09Z",
		"+1 hour":                      "2024-05-06T08:08:09Z",
		"2001-02-03 +1 week":           "2001-02-10T00:00:00Z",
		"next month":                   "2024-06-06T07:08:09Z",
		"now":                          "2024-05-06T07:08:09Z",
		"Sat Feb  3 04:05:06 UTC 2001": "2001-02-03T04:05:06Z",
		"12:30":                        "2024-05-06T12:30:00Z",
	}
	for in, want := range tests {
		got, err := fileParseDate(in, now, time.UTC)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("fileParseDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"@x", "bogus", "3 fortnights hence"} {
		if _, err := fileParseDate(bad, now, time.UTC); err == nil {
			t.Errorf("fileParseDate(%q) accepted", bad)
		}
	}
}

func TestRmCancelled(t *testing.T) {
	fsys := afero.NewMemMapFs()
	for i := 0; i < 50; i++ {
		afero.WriteFile(fsys, "/w/d/"+strings.Repeat("x", i+1), []byte("x"), 0o644)
	}
	env, _, _ := testEnv(fsys, "/w", "", nil)
	ctx, cancel := cancelledCtx()
	defer cancel()
	if code := cmdRm(ctx, env, []string{"rm", "-rf", "d"}); code == 0 {
		t.Errorf("rm -rf on a cancelled context exited 0")
	}
	if _, err := fsys.Stat("/w/d"); err != nil {
		t.Errorf("rm -rf on a cancelled context removed the tree")
	}
}

func TestTouchTimes(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"ref": "r"})
	ref := time.Date(2011, 12, 13, 14, 15, 16, 0, time.UTC)
	fsys.Chtimes("/w/ref", ref, ref)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"touch", "-t", "202001020304.05", "a"}, "2020-01-02 03:04:05"},
		{[]string{"touch", "-t", "9901020304", "a"}, "1999-01-02 03:04:00"},
		{[]string{"touch", "-d", "@1000000000", "a"}, "2001-09-09 01:46:40"},
		{[]string{"touch", "-r", "ref", "a"}, "2011-12-13 14:15:16"},
		{[]string{"touch", "-d", "2011-12-13 14:15:16 +1 day", "a"}, "2011-12-14 14:15:16"},
	} {
		if r := runUtil(t, fsys, "/w", "", tt.args...); r.code != 0 {
			t.Fatalf("%v: %+v", tt.args, r)
		}
		fi, err := fsys.Stat("/w/a")
		if err != nil || fi.ModTime().UTC().Format("2006-01-02 15:04:05") != tt.want {
			t.Errorf("%v: mtime %v, want %s", tt.args, fi.ModTime(), tt.want)
		}
	}
	for _, bad := range [][]string{{"touch", "-t", "2020", "a"}, {"touch", "-d", "not a date", "a"}, {"touch", "-r", "nosuch", "a"}} {
		if r := runUtil(t, fsys, "/w", "", bad...); r.code != 1 || r.err == "" {
			t.Errorf("%v: %+v", bad, r)
		}
	}
}
