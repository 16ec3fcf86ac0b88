package coreutils

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/afero"
)

func TestSysUtilsDiff(t *testing.T) {
	fx := fixture{"f": "hello\n", "d/": "", "d/x": "x", "l": "->f", "dl": "->d", "bad": "->nosuch", "loop": "->loop",
		"big": strings.Repeat("b", 3000)}
	var cases []diffCase
	add := func(stdin string, args ...string) {
		cases = append(cases, diffCase{name: joinArgs(args), fx: fx, args: args, stdin: stdin, tree: true})
	}
	for _, args := range [][]string{
		{"seq", "3"}, {"seq", "2", "5"}, {"seq", "1", "0.5", "3"}, {"seq", "-s,", "3"}, {"seq", "-w", "8", "11"},
		{"seq", "5", "-1", "3"}, {"seq", "0.1", "0.1", "0.5"}, {"seq", "x"}, {"seq", "-f", "%03g", "3"}, {"seq", "-3", "-1"},
		{"seq", "10", "1"}, {"seq", "-s", " ", "1", "4"}, {"seq", "-w", "-5", "5"}, {"seq", "1", "0", "3"}, {"seq"}, {"seq", "1.5", "3"},
		{"seq", "-f", "x%gy", "2"}, {"seq", "-w", "1", "0.5", "2"},
		{"basename", "/a/b/"}, {"basename", "/a/b.c", ".c"}, {"basename", "-s", ".go", "a.go", "b.go"}, {"basename", "-a", "x/y", "z/w"},
		{"basename", "/"}, {"basename", "a", "b", "c"}, {"basename"}, {"basename", "x.c", "x.c"}, {"basename", ""},
		{"dirname", "a/b", "/x", "a", "/", "a//b//", "//a"}, {"dirname"}, {"dirname", ""},
		{"readlink", "l"}, {"readlink", "f"}, {"readlink", "-f", "l"}, {"readlink", "-f", "nosuch/x"}, {"readlink", "-f", "nosuch"},
		{"readlink", "-e", "bad"}, {"readlink", "-m", "bad/../x"}, {"readlink", "-f", "dl/x"}, {"readlink", "-n", "l"}, {"readlink", "-f", "loop"},
		{"realpath", "l", "d/../f"}, {"realpath", "nosuch"}, {"realpath", "-e", "nosuch"}, {"realpath", "-m", "a/../b/c"},
		{"realpath", "-s", "l"}, {"realpath", "--relative-to=d", "f"}, {"realpath", "bad"}, {"realpath", "nosuch/x"}, {"realpath", "loop"},
		{"truncate", "-s", "10", "f"}, {"truncate", "-s", "+2", "f"}, {"truncate", "-s", "-2", "f"}, {"truncate", "-s", "0", "new"},
		{"truncate", "-c", "-s", "5", "new"}, {"truncate", "-s", "1K", "f"}, {"truncate", "-s", "%1000", "big"}, {"truncate", "-s", "/1000", "big"},
		{"truncate", "f"}, {"truncate", "-s", "5", "d"}, {"truncate", "-s", "x", "f"}, {"truncate", "-r", "big", "f"},
		{"date", "-u", "-d", "@0"}, {"date", "-u", "-d", "@1700000000", "+%Y-%m-%d %H:%M:%S %Z %z %s %j %a %A %b %B %e"},
		{"date", "-d", "@1700000000.123456789", "+%N %3N %F %T %D %R %r %p %I %l %k %C %y %u %w %U %W %V %G %g %n%t%%"},
		{"date", "-u", "-d", "2001-02-03 04:05:06", "-I"}, {"date", "-u", "-d", "@86400", "-Iseconds"}, {"date", "-u", "-d", "@86400", "-R"},
		{"date", "-u", "-d", "@86400", "--rfc-3339=seconds"}, {"date", "-d", "bogus"}, {"date", "-u", "-d", "@86400", "+%-d %_m %05Y %^a %#b"},
		{"date", "-u", "-d", "2024-02-29 +1 year", "+%F"}, {"date", "-d", "@0", "+%:z %::z"}, {"date", "x"},
	} {
		add("", args...)
	}
	add("in\n", "tee", "o1", "o2")
	add("in\n", "tee", "-a", "f")
	add("in\n", "tee", "d", "o")
	add("in\n", "tee", "nosuch/o")
	runDiff(t, cases)
}

func TestEnvAndPrintenv(t *testing.T) {
	fsys := afero.NewMemMapFs()
	fsys.MkdirAll("/w/sub", 0o755)
	env, out, errb := testEnv(fsys, "/w", "", map[string]string{"A": "1", "B": "two"})
	run := func(args ...string) int {
		out.Reset()
		errb.Reset()
		c, _ := Default().Lookup(args[0])
		return c(context.Background(), env, args)
	}
	if code := run("printenv"); code != 0 || out.String() != "A=1\nB=two\n" {
		t.Errorf("printenv: %d %q", code, out.String())
	}
	if code := run("printenv", "B", "NOPE", "A"); code != 1 || out.String() != "two\n1\n" {
		t.Errorf("printenv B NOPE A: %d %q", code, out.String())
	}
	if code := run("env"); code != 0 || out.String() != "A=1\nB=two\n" {
		t.Errorf("env: %d %q", code, out.String())
	}
	if code := run("env", "-i", "X=y"); code != 0 || out.String() != "X=y\n" {
		t.Errorf("env -i X=y: %d %q", code, out.String())
	}
	if code := run("env", "-u", "A", "C=3"); code != 0 || out.String() != "B=two\nC=3\n" {
		t.Errorf("env -u A C=3: %d %q", code, out.String())
	}
	if code := run("env", "C=3", "printenv", "C", "A"); code != 0 || out.String() != "3\n1\n" {
		t.Errorf("env C=3 printenv: %d %q %q", code, out.String(), errb.String())
	}
	if code := run("env", "-i", "C=3", "printenv"); code != 0 || out.String() != "C=3\n" {
		t.Errorf("env -i C=3 printenv: %d %q", code, out.String())
	}
	if code := run("env", "-C", "sub", "pwd"); code != 0 || out.String() != "/w/sub\n" {
		t.Errorf("env -C sub pwd: %d %q", code, out.String())
	}
	if env.Dir != "/w" || env.Getenv("C") != "" {
		t.Errorf("env changed its caller's Env: dir %q", env.Dir)
	}
	if code := run("env", "nosuchcmd"); code != 127 || errb.String() != "env: 'nosuchcmd': No such file or directory\n" {
		t.Errorf("env nosuchcmd: %d %q", code, errb.String())
	}
	if code := run("env", "false"); code != 1 {
		t.Errorf("env false: %d", code)
	}
}

func TestIdentityUtils(t *testing.T) {
	fsys := afero.NewMemMapFs()
	for _, tt := range []struct {
		args []string
		out  string
		code int
	}{
		{[]string{"whoami"}, "user\n", 0},
		{[]string{"id"}, "uid=1000(user) gid=1000(user) groups=1000(user)\n", 0},
		{[]string{"id", "-u"}, "1000\n", 0},
		{[]string{"id", "-un"}, "user\n", 0},
		{[]string{"id", "-g"}, "1000\n", 0},
		{[]string{"uname"}, "Linux\n", 0},
		{[]string{"uname", "-s", "-m"}, "Linux x86_64\n", 0},
		{[]string{"uname", "-a"}, "Linux sandbox 6.1.0-wsbx #1 SMP wsbx x86_64 GNU/Linux\n", 0},
		{[]string{"uname", "-x"}, "", 1},
		{[]string{"hostname"}, "sandbox\n", 0},
		{[]string{"nproc"}, "1\n", 0},
		{[]string{"pwd"}, "/\n", 0},
		{[]string{"true"}, "", 0},
		{[]string{"false"}, "", 1},
		{[]string{"which", "ls", "nosuchcmd", "cat"}, "/usr/bin/ls\n/usr/bin/cat\n", 1},
		{[]string{"which"}, "", 1},
		{[]string{"sleep", "0"}, "", 0},
		{[]string{"sleep", "0.01s"}, "", 0},
		{[]string{"sleep", "x"}, "", 1},
		{[]string{"sleep"}, "", 1},
	} {
		r := runUtil(t, fsys, "/", "", tt.args...)
		if r.out != tt.out || r.code != tt.code {
			t.Errorf("%v = %q (%d, %q), want %q (%d)", tt.args, r.out, r.code, r.err, tt.out, tt.code)
		}
	}
}

func TestSleepStopsOnCancel(t *testing.T) {
	env, _, _ := testEnv(afero.NewMemMapFs(), "/", "", nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- cmdSleep(ctx, env, []string{"sleep", "1000"}) }()
	cancel()
	if code := <-done; code == 0 {
		t.Errorf("sleep cancelled exited 0")
	}
}

// limitWriter accepts n bytes, then fails.
type limitWriter struct {
	n     atomic.Int64
	limit int64
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.n.Add(int64(len(p))) > w.limit {
		return 0, errors.New("output limit reached")
	}
	return len(p), nil
}

func TestYesStops(t *testing.T) {
	env, _, _ := testEnv(afero.NewMemMapFs(), "/", "", nil)
	lw := &limitWriter{limit: 1 << 20}
	env.Stdout = lw
	if code := cmdYes(context.Background(), env, []string{"yes", "hello"}); code != 1 {
		t.Errorf("yes to a failing writer: %d", code)
	}
	// A cancelled context stops it even when writes succeed.
	env.Stdout = &limitWriter{limit: 1 << 62}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- cmdYes(ctx, env, []string{"yes"}) }()
	cancel()
	if code := <-done; code != 1 {
		t.Errorf("yes after cancel: %d", code)
	}
	// The output is whole lines of the argument.
	var buf strings.Builder
	env.Stdout = &prefixWriter{w: &buf, limit: 100}
	cmdYes(context.Background(), env, []string{"yes", "a", "b"})
	if !strings.HasPrefix(buf.String(), "a b\na b\n") {
		t.Errorf("yes a b: %q", buf.String()[:10])
	}
}

// prefixWriter keeps the first limit bytes, then fails.
type prefixWriter struct {
	w     *strings.Builder
	limit int
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if p.w.Len() >= p.limit {
		return 0, errors.New("full")
	}
	p.w.Write(b[:min(len(b), p.limit-p.w.Len())])
	return len(b), nil
}

func TestMktemp(t *testing.T) {
	fsys := afero.NewMemMapFs()
	fsys.MkdirAll("/tmp", 0o777)
	fsys.MkdirAll("/w", 0o755)
	r := runUtil(t, fsys, "/w", "", "mktemp")
	name := strings.TrimSpace(r.out)
	if r.code != 0 || !strings.HasPrefix(name, "/tmp/tmp.") || len(name) != len("/tmp/tmp.XXXXXXXXXX") {
		t.Fatalf("mktemp: %+v", r)
	}
	if fi, err := fsys.Stat(name); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("mktemp did not create a file: %v", err)
	}
	r = runUtil(t, fsys, "/w", "", "mktemp", "-d")
	if fi, err := fsys.Stat(strings.TrimSpace(r.out)); err != nil || !fi.IsDir() {
		t.Errorf("mktemp -d: %+v %v", r, err)
	}
	r = runUtil(t, fsys, "/w", "", "mktemp", "-p", "/w", "job.XXXX.txt")
	if !strings.HasPrefix(r.out, "/w/job.") || !strings.HasSuffix(r.out, ".txt\n") {
		t.Errorf("mktemp -p: %+v", r)
	}
	r = runUtil(t, fsys, "/w", "", "mktemp", "fooXXX")
	if !strings.HasPrefix(r.out, "foo") {
		t.Errorf("mktemp fooXXX: %+v", r)
	}
	if ok, _ := afero.Exists(fsys, "/w/"+strings.TrimSpace(r.out)); !ok {
		t.Errorf("mktemp fooXXX not created in the current directory")
	}
	r = runUtil(t, fsys, "/w", "", "mktemp", "fooXX")
	if r.code != 1 || r.err != "mktemp: too few X's in template 'fooXX'\n" {
		t.Errorf("mktemp fooXX: %+v", r)
	}
	r = runUtil(t, fsys, "/w", "", "mktemp", "-p", "/nosuch")
	if r.code != 1 || !strings.Contains(r.err, "No such file or directory") {
		t.Errorf("mktemp -p /nosuch: %+v", r)
	}
	r = runUtil(t, fsys, "/w", "", "mktemp", "-u")
	if ok, _ := afero.Exists(fsys, strings.TrimSpace(r.out)); ok || r.code != 0 {
		t.Errorf("mktemp -u created %s", r.out)
	}
}

func TestFileUtility(t *testing.T) {
	fsys := afero.NewMemMapFs()
	files := map[string]string{
		"/w/t.txt": "hello\n", "/w/u.txt": "h\u00e9llo\n", "/w/e": "", "/w/s.sh": "#!/bin/sh\necho\n",
		"/w/p.py": "#!/usr/bin/env python3\n", "/w/g.gz": "\x1f\x8b\x08\x00", "/w/m.wasm": "\x00asm\x01\x00\x00\x00",
		"/w/bin": "\x00\x01\x02", "/w/crlf": "a\r\nb\r\n",
	}
	for p, c := range files {
		afero.WriteFile(fsys, p, []byte(c), 0o644)
	}
	fsys.MkdirAll("/w/d", 0o755)
	r := runUtil(t, fsys, "/w", "", "file", "-b", "t.txt", "u.txt", "e", "s.sh", "p.py", "g.gz", "m.wasm", "bin", "crlf", "d", "nosuch")
	want := "ASCII text\nUnicode text, UTF-8 text\nempty\nPOSIX shell script, ASCII text executable\nPython script, ASCII text executable\n" +
		"gzip compressed data\nWebAssembly (wasm) binary module\ndata\nASCII text, with CRLF line terminators\ndirectory\n" +
		"cannot open `nosuch' (No such file or directory)\n"
	if r.out != want {
		t.Errorf("file -b:\n got %q\nwant %q", r.out, want)
	}
	r = runUtil(t, fsys, "/w", "", "file", "t.txt", "d")
	if r.out != "t.txt: ASCII text\nd:     directory\n" {
		t.Errorf("file: %q", r.out)
	}
}

func TestFileDiffGNU(t *testing.T) {
	fx := fixture{"t": "hello\n", "e": "", "d/": "", "l": "->t", "s": "#!/bin/sh\necho hi\n"}
	runDiff(t, []diffCase{{name: "file", fx: fx, args: []string{"file", "t", "e", "d", "l", "s"}}})
}

func TestDateDefault(t *testing.T) {
	env, out, _ := testEnv(afero.NewMemMapFs(), "/", "", map[string]string{})
	before := time.Now().UTC().Truncate(time.Second)
	if code := cmdDate(context.Background(), env, []string{"date"}); code != 0 {
		t.Fatalf("date: %d", code)
	}
	got, err := time.Parse("Mon Jan _2 15:04:05 MST 2006\n", out.String())
	if err != nil || got.Before(before) || got.After(before.Add(time.Minute)) {
		t.Errorf("date = %q (%v)", out.String(), err)
	}
}
