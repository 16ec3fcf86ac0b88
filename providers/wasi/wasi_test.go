package wasi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

func newSession(t *testing.T, spec providers.SessionSpec, opts ...wasi.Option) providers.Session {
	t.Helper()
	s, err := wasi.New(opts...).Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func run(t *testing.T, s providers.Session, req providers.ExecRequest) *providers.ExecResult {
	t.Helper()
	res, err := s.Exec(context.Background(), req)
	if err != nil {
		t.Fatalf("exec %q: %v", req.Command, err)
	}
	return res
}

func TestShell(t *testing.T) {
	tests := []struct {
		name, command, stdout string
		code                  int
	}{
		{"echo", "echo hi", "hi\n", 0},
		{"pipe", "echo hello | { read x; echo got:$x; }", "got:hello\n", 0},
		{"and or", "false && echo no || echo yes", "yes\n", 0},
		{"exit code", "exit 3", "", 3},
		{"variables", "a=1; b=$((a+2)); echo $a$b", "13\n", 0},
		{"functions", "f() { echo \"<$1>\"; return 4; }; f x; echo $?", "<x>\n4\n", 0},
		{"subshell", "x=1; (x=2; echo $x); echo $x", "2\n1\n", 0},
		{"redirect and cat builtin read", "echo data > f.txt; read line < f.txt; echo $line", "data\n", 0},
		{"append", "echo a > f; echo b >> f; while read l; do echo -$l; done < f", "-a\n-b\n", 0},
		{"here-doc", "read a <<EOF\nhere\nEOF\necho $a", "here\n", 0},
		{"glob", ": > b.gl; : > a.gl; : > c.log; echo *.gl", "a.gl b.gl\n", 0},
		{"cd and pwd", "cd /tmp && pwd; cd - >/dev/null; pwd", "/tmp\n/workspace\n", 0},
		{"cd missing", "cd /nope", "", 1},
		{"cd /..", "cd /..; pwd", "/\n", 0},
		{"not found", "no-such-command", "", 127},
		{"process substitution", "read x < <(echo sub); echo $x", "sub\n", 0},
		{"proc subst path", "echo <(true)", "/dev/fd/63\n", 0},
		{"dev null", "echo gone > /dev/null; echo kept", "kept\n", 0},
		{"syntax error", "echo (", "", 2},
		{"test file", "echo x > f; [ -f f ] && echo file; [ -d f ] || echo notdir", "file\nnotdir\n", 0},
		{"type builtin", "type echo", "echo is a shell builtin\n", 0},
		{"pid is fixed", "echo $$", "1\n", 0},
	}
	s := newSession(t, providers.SessionSpec{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, s, providers.ExecRequest{Command: tt.command})
			if string(res.Stdout) != tt.stdout || res.ExitCode != tt.code {
				t.Errorf("%q: got %q exit %d (stderr %q), want %q exit %d", tt.command, res.Stdout, res.ExitCode, res.Stderr, tt.stdout, tt.code)
			}
		})
	}
}

func TestNotFoundMessage(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	res := run(t, s, providers.ExecRequest{Command: "frobnicate --x"})
	if res.ExitCode != 127 || !strings.Contains(string(res.Stderr), "frobnicate: command not found") {
		t.Fatalf("got exit %d stderr %q", res.ExitCode, res.Stderr)
	}
	res = run(t, s, providers.ExecRequest{Argv: []string{"frobnicate"}})
	if res.ExitCode != 127 {
		t.Fatalf("argv: got exit %d", res.ExitCode)
	}
}

func TestArgvSkipsTheShell(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	res := run(t, s, providers.ExecRequest{Argv: []string{"echo", "$HOME", "*", "a b", "it's"}})
	if got, want := string(res.Stdout), "$HOME * a b it's\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestEnvCwdStdin(t *testing.T) {
	s := newSession(t, providers.SessionSpec{Env: map[string]string{"A": "session", "B": "session"}})
	if err := s.Mkdir(context.Background(), "sub/dir", true); err != nil {
		t.Fatal(err)
	}
	res := run(t, s, providers.ExecRequest{
		Command: `echo "$A $B $PWD"; read line; echo "in:$line"`,
		Env:     map[string]string{"B": "request"},
		Cwd:     "sub/dir",
		Stdin:   strings.NewReader("typed\n"),
	})
	if got, want := string(res.Stdout), "session request /workspace/sub/dir\nin:typed\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	res = run(t, s, providers.ExecRequest{Command: "read x; echo $x", StdinData: []byte("bytes\n")})
	if string(res.Stdout) != "bytes\n" {
		t.Fatalf("StdinData: got %q", res.Stdout)
	}
	_, err := s.Exec(context.Background(), providers.ExecRequest{Command: "true", Cwd: "../.."})
	if !errors.Is(err, providers.ErrPathEscape) {
		t.Fatalf("cwd ../..: got %v, want path escape", err)
	}
	_, err = s.Exec(context.Background(), providers.ExecRequest{Command: "true", Cwd: "missing"})
	if !errors.Is(err, providers.ErrNotFound) {
		t.Fatalf("missing cwd: got %v, want not found", err)
	}
}

func TestStreaming(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	var out, errb bytes.Buffer
	res := run(t, s, providers.ExecRequest{Command: "echo out; echo err >&2", Stdout: &out, Stderr: &errb})
	if out.String() != "out\n" || errb.String() != "err\n" || string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" {
		t.Fatalf("stream %q %q, result %q %q", out.String(), errb.String(), res.Stdout, res.Stderr)
	}
}

func TestTimeout(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	res, err := s.Exec(context.Background(), providers.ExecRequest{Command: "echo start; while true; do :; done", Timeout: 50 * time.Millisecond})
	if !errors.Is(err, providers.ErrExecTimeout) {
		t.Fatalf("got %v, want exec_timeout", err)
	}
	if res == nil || string(res.Stdout) != "start\n" || res.ExitCode != 124 {
		t.Fatalf("partial result %+v", res)
	}
	// The session serves the next command.
	if res := run(t, s, providers.ExecRequest{Command: "echo next"}); string(res.Stdout) != "next\n" {
		t.Fatalf("after timeout: %q", res.Stdout)
	}
	// A session limit applies when the request sets none.
	s2 := newSession(t, providers.SessionSpec{Limits: providers.Limits{ExecTimeout: 20 * time.Millisecond}})
	if _, err := s2.Exec(context.Background(), providers.ExecRequest{Command: "while :; do :; done"}); !errors.Is(err, providers.ErrExecTimeout) {
		t.Fatalf("session limit: got %v", err)
	}
}

func TestCancel(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := s.Exec(ctx, providers.ExecRequest{Command: "while :; do :; done"})
	if !errors.Is(err, providers.ErrExecTransport) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

func TestOutputFloodIsCapped(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	for _, cmd := range []string{"while true; do echo y; done", "while true; do echo y >&2; done"} {
		res, err := s.Exec(context.Background(), providers.ExecRequest{Command: cmd, MaxOutputBytes: 1000, Timeout: time.Minute})
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if !res.StdoutTruncated && !res.StderrTruncated {
			t.Fatalf("%s: not marked truncated", cmd)
		}
		if len(res.Stdout) > 1000 || len(res.Stderr) > 1000 {
			t.Fatalf("%s: kept %d/%d bytes over a 1000-byte cap", cmd, len(res.Stdout), len(res.Stderr))
		}
	}
	// The default cap applies without a request cap.
	s2 := newSession(t, providers.SessionSpec{Limits: providers.Limits{MaxOutputBytes: 100}})
	res := run(t, s2, providers.ExecRequest{Command: "while :; do echo yyyyyyyyyy; done"})
	if !res.StdoutTruncated || len(res.Stdout) != 100 {
		t.Fatalf("session cap: truncated=%v len=%d", res.StdoutTruncated, len(res.Stdout))
	}
}

func TestFiles(t *testing.T) {
	ctx := context.Background()
	s := newSession(t, providers.SessionSpec{})
	if err := s.WriteFile(ctx, "a/b/c.txt", strings.NewReader("content"), 0); err != nil {
		t.Fatal(err)
	}
	rc, err := s.ReadFile(ctx, "/workspace/a/b/c.txt")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	if string(data) != "content" {
		t.Fatalf("read %q", data)
	}
	res := run(t, s, providers.ExecRequest{Command: "read x < a/b/c.txt; echo $x; echo new > a/new.txt"})
	if string(res.Stdout) != "content\n" {
		t.Fatalf("shell sees %q", res.Stdout)
	}
	list, err := s.List(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "b" || !list[0].IsDir() || list[1].Name != "new.txt" || list[1].Path != "a/new.txt" || list[1].Size != 4 {
		t.Fatalf("list %+v", list)
	}
	fi, err := s.Stat(ctx, "a/b/c.txt")
	if err != nil || fi.Size != 7 || fi.Mode.Perm() != 0o644 {
		t.Fatalf("stat %+v %v", fi, err)
	}

	checks := []struct {
		name string
		err  error
		want *providers.Error
	}{
		{"read missing", readErr(s, "nope"), providers.ErrNotFound},
		{"read dir", readErr(s, "a"), providers.ErrWriteType},
		{"read escape", readErr(s, "../etc/passwd"), providers.ErrPathEscape},
		{"read abs escape", readErr(s, "/etc/passwd"), providers.ErrPathEscape},
		{"read NUL", readErr(s, "a\x00b"), providers.ErrInvalidPath},
		{"write dir", s.WriteFile(ctx, "a", strings.NewReader("x"), 0), providers.ErrWriteType},
		{"write escape", s.WriteFile(ctx, "../../x", strings.NewReader("x"), 0), providers.ErrPathEscape},
		{"remove non-empty", s.Remove(ctx, "a", false), providers.ErrNotEmpty},
		{"remove missing", s.Remove(ctx, "nope", true), providers.ErrNotFound},
		{"mkdir exists", s.Mkdir(ctx, "a", false), providers.ErrAlreadyExists},
		{"mkdir no parent", s.Mkdir(ctx, "x/y", false), providers.ErrNotFound},
		{"list file", listErr(s, "a/new.txt"), providers.ErrWriteType},
	}
	for _, c := range checks {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: got %v, want code %s", c.name, c.err, c.want.Code)
		}
	}
	if err := s.Remove(ctx, "a", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "a"); !errors.Is(err, providers.ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}
}

func readErr(s providers.Session, p string) error {
	rc, err := s.ReadFile(context.Background(), p)
	if err == nil {
		rc.Close()
	}
	return err
}

func listErr(s providers.Session, p string) error {
	_, err := s.List(context.Background(), p)
	return err
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s, err := wasi.New().Create(ctx, providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("second close: %v", err)
	}
	_, err = s.Exec(ctx, providers.ExecRequest{Command: "true"})
	if !errors.Is(err, providers.ErrSessionClosed) {
		t.Fatalf("exec after close: %v", err)
	}
	if err := s.WriteFile(ctx, "f", strings.NewReader(""), 0); !errors.Is(err, providers.ErrSessionClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

func TestConcurrentExecs(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			n := string(rune('a' + i))
			res, err := s.Exec(context.Background(), providers.ExecRequest{Command: "x=" + n + "; cd /tmp; echo $x > " + n + "; read y < " + n + "; echo $y $PWD"})
			if err != nil {
				t.Error(err)
				return
			}
			if got, want := string(res.Stdout), n+" /tmp\n"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
	wg.Wait()
	// Each exec had its own working directory: the next starts at the root.
	if res := run(t, s, providers.ExecRequest{Command: "pwd"}); string(res.Stdout) != "/workspace\n" {
		t.Fatalf("pwd %q", res.Stdout)
	}
}

func TestInvalidRequests(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	_, err := s.Exec(context.Background(), providers.ExecRequest{})
	if providers.CodeOf(err) != providers.CodeInvalidRequest {
		t.Fatalf("empty request: %v", err)
	}
	_, err = wasi.New().Create(context.Background(), providers.SessionSpec{Root: "relative"})
	if providers.CodeOf(err) != providers.CodeInvalidRequest {
		t.Fatalf("relative root: %v", err)
	}
	_, err = wasi.New().Create(context.Background(), providers.SessionSpec{Network: &providers.NetworkGrant{AllowAll: true}})
	if providers.CodeOf(err) != providers.CodeInvalidRequest {
		t.Fatalf("network: %v", err)
	}
}
