package coreutils

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// overlayFS builds the session filesystem the wasi provider uses: a
// writable memory layer over a read-only memory layer holding a tree with
// symlinks.
func overlayFS(t *testing.T) afero.Fs {
	t.Helper()
	lower := wasifs.NewMemLayer()
	when := time.Date(2021, 6, 7, 8, 9, 10, 0, time.UTC)
	for _, d := range []string{"/workspace/src/pkg", "/workspace/docs", "/tmp"} {
		if err := lower.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for p, c := range map[string]string{
		"/workspace/src/main.go":     "package main\n",
		"/workspace/src/pkg/util.go": "package pkg\n",
		"/workspace/docs/README.md":  "# docs\nline two\n",
		"/workspace/notes.txt":       "alpha\nbeta\ngamma\n",
	} {
		if err := afero.WriteFile(lower, p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		lower.Chtimes(p, when, when)
	}
	sl, ok := lower.(afero.Linker)
	if !ok {
		t.Fatalf("wasifs.NewMemLayer does not support symlinks")
	}
	if err := sl.SymlinkIfPossible("src/main.go", "/workspace/link.go"); err != nil {
		t.Fatal(err)
	}
	if err := sl.SymlinkIfPossible("/etc", "/workspace/etc"); err != nil {
		t.Fatal(err)
	}
	return wasifs.New(wasifs.NewMemLayer(), lower)
}

// TestUtilitiesOnOverlay runs the file utilities against the layered
// session filesystem, step by step.
func TestUtilitiesOnOverlay(t *testing.T) {
	fsys := overlayFS(t)
	steps := []struct {
		args  []string
		stdin string
		out   string // "" means not checked unless code is 0 and want empty
		code  int
		err   string // substring of stderr
	}{
		{args: []string{"ls"}, out: "docs\netc\nlink.go\nnotes.txt\nsrc\n"},
		{args: []string{"ls", "-l", "link.go"}, out: "lrwxrwxrwx 1 user user 11 ", code: 0},
		{args: []string{"find", ".", "-type", "l"}, out: "./etc\n./link.go\n"},
		{args: []string{"find", ".", "-name", "*.go", "-type", "f"}, out: "./src/main.go\n./src/pkg/util.go\n"},
		{args: []string{"cat", "link.go"}, out: "package main\n"},
		{args: []string{"readlink", "link.go"}, out: "src/main.go\n"},
		{args: []string{"readlink", "-f", "link.go"}, out: "/workspace/src/main.go\n"},
		{args: []string{"cat", "etc/passwd"}, code: 1, err: "cat: etc/passwd: No such file or directory"},
		{args: []string{"cat", "../../etc/passwd"}, code: 1, err: "No such file or directory"},
		{args: []string{"wc", "-l", "notes.txt"}, out: "3 notes.txt\n"},
		{args: []string{"head", "-n", "1", "docs/README.md"}, out: "# docs\n"},
		{args: []string{"mkdir", "-p", "build/out"}},
		{args: []string{"cp", "-a", "src", "build/src"}},
		{args: []string{"cp", "-P", "link.go", "build/"}},
		{args: []string{"readlink", "build/link.go"}, out: "src/main.go\n"},
		{args: []string{"ls", "-l", "build/src/main.go"}, out: "-rw-r--r-- 1 user user 13 Jun  7  2021 build/src/main.go\n"},
		{args: []string{"mv", "notes.txt", "build/notes.txt"}},
		{args: []string{"cat", "notes.txt"}, code: 1, err: "No such file or directory"},
		{args: []string{"tail", "-n", "1", "build/notes.txt"}, out: "gamma\n"},
		{args: []string{"rm", "-r", "docs"}},
		{args: []string{"ls", "docs"}, code: 2, err: "ls: cannot access 'docs': No such file or directory"},
		{args: []string{"rmdir", "src"}, code: 1, err: "rmdir: failed to remove 'src': Directory not empty"},
		{args: []string{"ln", "-s", "build/notes.txt", "n"}},
		{args: []string{"cat", "n"}, out: "alpha\nbeta\ngamma\n"},
		{args: []string{"chmod", "750", "src/main.go"}},
		{args: []string{"stat", "-c", "%a %A %F %s", "src/main.go", "n"}, out: "750 -rwxr-x--- regular file 13\n777 lrwxrwxrwx symbolic link 15\n"},
		{args: []string{"touch", "-d", "2022-01-01", "new"}},
		{args: []string{"stat", "-c", "%y %F", "new"}, out: "2022-01-01 00:00:00.000000000 +0000 regular empty file\n"},
		{args: []string{"tar", "czf", "/tmp/ws.tgz", "src", "link.go"}},
		{args: []string{"mkdir", "/tmp/x"}},
		{args: []string{"tar", "xzf", "/tmp/ws.tgz", "-C", "/tmp/x"}},
		{args: []string{"find", "/tmp/x"}, out: "/tmp/x\n/tmp/x/link.go\n/tmp/x/src\n/tmp/x/src/main.go\n/tmp/x/src/pkg\n/tmp/x/src/pkg/util.go\n"},
		{args: []string{"readlink", "/tmp/x/link.go"}, out: "src/main.go\n"},
		{args: []string{"sha256sum", "src/main.go"}, out: "df1d036cbbf3df46e2045071e082245ece204c7f53ecf0a4e022bff9bb228f47  src/main.go\n"},
		{args: []string{"du", "-s", "src"}, out: "16\tsrc\n"},
		{args: []string{"find", "src", "build", "-name", "*.go", "-type", "f", "-exec", "cat", "{}", "+"}, out: "package main\npackage pkg\npackage main\npackage pkg\n"},
		{args: []string{"find", ".", "-newer", "new", "-name", "*.go"}, out: "./build/link.go\n./link.go\n"},
		{args: []string{"rm", "-rf", "build", "src", "link.go", "n", "new", "etc"}},
		{args: []string{"ls", "-A"}, out: ""},
		{args: []string{"gzip", "-c"}, stdin: "z\n"},
		{args: []string{"mktemp", "-d"}},
	}
	for _, s := range steps {
		r := runUtil(t, fsys, "/workspace", s.stdin, s.args...)
		if r.code != s.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", s.args, r.code, s.code, r.err)
			continue
		}
		if s.err != "" && !strings.Contains(r.err, s.err) {
			t.Errorf("%v: stderr %q lacks %q", s.args, r.err, s.err)
		}
		if s.out != "" && !strings.HasPrefix(r.out, s.out) {
			t.Errorf("%v:\n got %q\nwant %q", s.args, r.out, s.out)
		}
		if s.out == "" && s.code == 0 && s.stdin == "" && s.args[0] != "mktemp" && r.out != "" {
			t.Errorf("%v: unexpected output %q", s.args, r.out)
		}
	}
}
