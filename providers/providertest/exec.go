package providertest

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

var execTests = []testCase{
	{"shell", testExecShell},
	{"argv", testExecArgv},
	{"env", testExecEnv},
	{"cwd", testExecCwd},
	{"stdin", testExecStdin},
	{"stream", testExecStream},
	{"exit-code", testExecExitCode},
	{"invalid-request", testExecInvalid},
	{"timeout", testExecTimeout},
	{"output-cap", testExecOutputCap},
	{"concurrent", testExecConcurrent},
	{"custom-root", testExecCustomRoot},
}

func testExecShell(t *testing.T, h *harness) {
	s := h.session(t)
	res, err := s.Exec(h.ctx, providers.ExecRequest{
		Command: "echo out; echo err >&2; x=$((6*7)); echo \"$x\" | cat",
	})
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	if got, want := string(res.Stdout), "out\n42\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if got, want := string(res.Stderr), "err\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if res.ExitCode != 0 || res.StdoutTruncated || res.StderrTruncated {
		t.Errorf("result = exit %d, truncated %v/%v; want exit 0, not truncated",
			res.ExitCode, res.StdoutTruncated, res.StderrTruncated)
	}
}

func testExecArgv(t *testing.T, h *harness) {
	s := h.session(t)
	// Without a shell, metacharacters are plain bytes.
	res, err := s.Exec(h.ctx, providers.ExecRequest{
		Argv: []string{"echo", "a  b", "$HOME;", "|", "*", "`x`"},
	})
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	if got, want := string(res.Stdout), "a  b $HOME; | * `x`\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	res, err = s.Exec(h.ctx, providers.ExecRequest{
		Argv: []string{"sh", "-c", `printf '%s|' "$0" "$1"`, "zero", "one two"},
	})
	if err != nil {
		t.Fatalf("Exec sh -c: %v", err)
	}
	if got, want := string(res.Stdout), "zero|one two|"; got != want {
		t.Errorf("sh -c stdout = %q, want %q", got, want)
	}
}

func testExecEnv(t *testing.T, h *harness) {
	spec := h.spec()
	if spec.Env == nil {
		spec.Env = map[string]string{}
	}
	spec.Env["WSBX_BASE"] = "base value"
	spec.Env["WSBX_OVER"] = "from session"
	s := h.sessionWith(t, spec)
	res, err := s.Exec(h.ctx, providers.ExecRequest{
		Command: `printf '%s|%s|%s\n' "$WSBX_BASE" "$WSBX_OVER" "$WSBX_REQ"`,
		Env:     map[string]string{"WSBX_OVER": "from request", "WSBX_REQ": "a=b c"},
	})
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	if got, want := string(res.Stdout), "base value|from request|a=b c\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	// The request environment is per exec.
	if got := h.sh(t, s, `printf '%s|%s' "$WSBX_OVER" "$WSBX_REQ"`); got != "from session|" {
		t.Errorf("next exec sees %q, want %q", got, "from session|")
	}
}

func testExecCwd(t *testing.T, h *harness) {
	spec := h.spec()
	root := spec.RootOrDefault()
	s := h.sessionWith(t, spec)
	if got := h.sh(t, s, "pwd"); got != root+"\n" {
		t.Errorf("pwd with no Cwd = %q, want %q", got, root+"\n")
	}
	if err := s.Mkdir(h.ctx, "sub/dir", true); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	for _, cwd := range []string{"sub/dir", root + "/sub/dir", "./sub/../sub/dir/"} {
		res, err := s.Exec(h.ctx, providers.ExecRequest{Command: "pwd; echo x > here", Cwd: cwd})
		if err != nil {
			t.Fatalf("Exec Cwd %q: %v", cwd, err)
		}
		if got, want := string(res.Stdout), root+"/sub/dir\n"; got != want {
			t.Errorf("pwd with Cwd %q = %q, want %q", cwd, got, want)
		}
	}
	if _, err := s.Stat(h.ctx, "sub/dir/here"); err != nil {
		t.Errorf("a file written in Cwd is not there: %v", err)
	}
	res, err := s.Exec(h.ctx, providers.ExecRequest{Argv: []string{"ls"}, Cwd: "sub"})
	if err != nil {
		t.Fatalf("Exec argv with Cwd: %v", err)
	}
	if got := string(res.Stdout); got != "dir\n" {
		t.Errorf("ls in sub = %q, want %q", got, "dir\n")
	}
	for _, cwd := range []string{"../..", "/etc", "sub/../../x"} {
		_, err := s.Exec(h.ctx, providers.ExecRequest{Command: "pwd", Cwd: cwd})
		wantCode(t, "Exec with Cwd "+cwd, err, providers.CodePathEscape)
	}
}

func testExecStdin(t *testing.T, h *harness) {
	s := h.session(t)
	in := "line one\nline two\n"
	res, err := s.Exec(h.ctx, providers.ExecRequest{Command: "cat", Stdin: strings.NewReader(in)})
	if err != nil {
		t.Fatalf("Exec with Stdin: %v", err)
	}
	if string(res.Stdout) != in {
		t.Errorf("cat of Stdin = %q, want %q", res.Stdout, in)
	}
	res, err = s.Exec(h.ctx, providers.ExecRequest{Argv: []string{"wc", "-l"}, StdinData: []byte(in)})
	if err != nil {
		t.Fatalf("Exec with StdinData: %v", err)
	}
	if got := strings.TrimSpace(string(res.Stdout)); got != "2" {
		t.Errorf("wc -l of StdinData = %q, want 2", got)
	}
	// Without stdin a reader sees end of file at once.
	res, err = s.Exec(h.ctx, providers.ExecRequest{Command: "cat; echo done"})
	if err != nil {
		t.Fatalf("Exec without stdin: %v", err)
	}
	if string(res.Stdout) != "done\n" {
		t.Errorf("cat without stdin = %q, want %q", res.Stdout, "done\n")
	}
}

// testExecStream proves output reaches the writers while the command still
// runs: the command waits for a file that the Stdout writer creates once it
// has seen the first line.
func testExecStream(t *testing.T, h *harness) {
	s := h.session(t)
	var once sync.Once
	writeErr := make(chan error, 1)
	stdout := &syncBuffer{onData: func(all []byte) {
		if strings.Contains(string(all), "ready\n") {
			once.Do(func() {
				writeErr <- s.WriteFile(h.ctx, "go-on", strings.NewReader("x"), 0)
			})
		}
	}}
	stderr := &syncBuffer{}
	res, err := s.Exec(h.ctx, providers.ExecRequest{
		Command: "echo ready; echo warn >&2; i=0; while [ ! -e go-on ]; do i=$((i+1)); " +
			"if [ $i -gt 120 ]; then echo gave-up; exit 9; fi; sleep 1; done; echo end",
		Stdout:  stdout,
		Stderr:  stderr,
		Timeout: 3 * time.Minute,
	})
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	select {
	case err := <-writeErr:
		if err != nil {
			t.Fatalf("WriteFile during the exec: %v", err)
		}
	default:
		t.Fatal("the Stdout writer never saw the first line")
	}
	if res.ExitCode != 0 || string(res.Stdout) != "ready\nend\n" {
		t.Fatalf("exit %d, stdout %q; want 0, %q (output was not streamed while the command ran)",
			res.ExitCode, res.Stdout, "ready\nend\n")
	}
	if got := stdout.String(); got != string(res.Stdout) {
		t.Errorf("streamed stdout %q differs from captured %q", got, res.Stdout)
	}
	if got := stderr.String(); got != "warn\n" || string(res.Stderr) != "warn\n" {
		t.Errorf("stderr streamed %q, captured %q; want %q", got, res.Stderr, "warn\n")
	}
}

func testExecExitCode(t *testing.T, h *harness) {
	s := h.session(t)
	for _, code := range []int{0, 1, 3, 42, 255} {
		res, err := s.Exec(h.ctx, providers.ExecRequest{Command: fmt.Sprintf("echo before; exit %d", code)})
		if err != nil {
			t.Fatalf("exit %d: Exec returned an error: %v", code, err)
		}
		if res.ExitCode != code {
			t.Errorf("exit %d: ExitCode = %d", code, res.ExitCode)
		}
		if string(res.Stdout) != "before\n" {
			t.Errorf("exit %d: stdout = %q", code, res.Stdout)
		}
		err = res.Check("exit")
		if code == 0 && err != nil {
			t.Errorf("Check on exit 0: %v", err)
		}
		if code != 0 && !errors.Is(err, providers.ErrExecNonzero) {
			t.Errorf("Check on exit %d: %v, want %s", code, err, providers.CodeExecNonzero)
		}
	}
	res, err := s.Exec(h.ctx, providers.ExecRequest{Command: "wsbx-no-such-command-xyz"})
	if err != nil {
		t.Fatalf("Exec of a missing command: %v", err)
	}
	if res.ExitCode != 127 {
		t.Errorf("missing command in the shell: exit %d, want 127", res.ExitCode)
	}
	res, err = s.Exec(h.ctx, providers.ExecRequest{Argv: []string{"wsbx-no-such-command-xyz"}})
	if err == nil && res.ExitCode == 0 {
		t.Errorf("argv of a missing program: exit 0 and no error")
	}
}

func testExecInvalid(t *testing.T, h *harness) {
	s := h.session(t)
	_, err := s.Exec(h.ctx, providers.ExecRequest{})
	wantCode(t, "Exec of an empty request", err, providers.CodeInvalidRequest)
	_, err = s.Exec(h.ctx, providers.ExecRequest{Command: "echo", Argv: []string{"echo"}})
	wantCode(t, "Exec with both Command and Argv", err, providers.CodeInvalidRequest)
}

// testExecTimeout checks that a timed-out command is really stopped: if it
// survived, it would create the marker before the next command ends.
func testExecTimeout(t *testing.T, h *harness) {
	s := h.session(t)
	start := time.Now()
	res, err := s.Exec(h.ctx, providers.ExecRequest{
		Command: "echo started; sleep 3; touch marker; echo finished",
		Timeout: time.Second,
	})
	wantCode(t, "Exec past its timeout", err, providers.CodeExecTimeout)
	if !errors.Is(err, providers.ErrExecTimeout) {
		t.Errorf("errors.Is(err, ErrExecTimeout) is false for %v", err)
	}
	if res == nil {
		t.Error("a timed-out Exec returned no partial result")
	} else if strings.Contains(string(res.Stdout), "finished") {
		t.Errorf("stdout %q shows the command ran to its end", res.Stdout)
	}
	if d := time.Since(start); d > 2*time.Minute {
		t.Errorf("Exec returned %v after its 1s timeout", d)
	}
	// The session serves the next command; by its end the marker would exist
	// if the first command were still running.
	if got := h.sh(t, s, "sleep 4; echo next"); got != "next\n" {
		t.Errorf("next command printed %q", got)
	}
	if _, err := s.Stat(h.ctx, "marker"); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("Stat(marker) = %v, want %s: the timed-out command kept running", err, providers.CodeReadNotFound)
	}
	// A session-wide timeout applies when the request has none.
	spec := h.spec()
	spec.Limits.ExecTimeout = time.Second
	s2 := h.sessionWith(t, spec)
	_, err = s2.Exec(h.ctx, providers.ExecRequest{Command: "sleep 60"})
	wantCode(t, "Exec past the session's ExecTimeout", err, providers.CodeExecTimeout)
	if got := h.sh(t, s2, "echo alive"); got != "alive\n" {
		t.Errorf("next command printed %q", got)
	}
}

func testExecOutputCap(t *testing.T, h *harness) {
	s := h.session(t)
	for _, tc := range []struct {
		name, cmd string
		stderr    bool
	}{
		{"stdout", "yes wsbx-flood", false},
		{"stderr", "yes wsbx-flood >&2", true},
	} {
		var streamed syncBuffer
		req := providers.ExecRequest{Command: tc.cmd, MaxOutputBytes: 4096, Timeout: 2 * time.Minute}
		if tc.stderr {
			req.Stderr = &streamed
		} else {
			req.Stdout = &streamed
		}
		res, err := s.Exec(h.ctx, req)
		if err != nil {
			t.Fatalf("%s flood: Exec: %v (a capped command is not an error)", tc.name, err)
		}
		out, trunc := res.Stdout, res.StdoutTruncated
		if tc.stderr {
			out, trunc = res.Stderr, res.StderrTruncated
		}
		if !trunc {
			t.Errorf("%s flood: not marked truncated", tc.name)
		}
		if len(out) > 4096 || len(out) == 0 {
			t.Errorf("%s flood: captured %d bytes, want 1..4096", tc.name, len(out))
		}
		if !strings.HasPrefix(string(out), "wsbx-flood\n") {
			t.Errorf("%s flood: captured output starts %q", tc.name, out[:min(len(out), 32)])
		}
		if n := len(streamed.String()); n > 4096 {
			t.Errorf("%s flood: %d bytes streamed past the 4096-byte cap", tc.name, n)
		}
	}
	// A session-wide cap applies when the request has none.
	spec := h.spec()
	spec.Limits.MaxOutputBytes = 1000
	s2 := h.sessionWith(t, spec)
	res, err := s2.Exec(h.ctx, providers.ExecRequest{Command: "yes", Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatalf("session cap: Exec: %v", err)
	}
	if !res.StdoutTruncated || len(res.Stdout) > 1000 {
		t.Errorf("session cap: truncated %v with %d bytes, want truncated at most 1000", res.StdoutTruncated, len(res.Stdout))
	}
	if got := h.sh(t, s, "echo after; echo e >&2"); got != "after\n" {
		t.Errorf("the next command printed %q", got)
	}
	if got := h.sh(t, s2, "echo after"); got != "after\n" {
		t.Errorf("the next command printed %q", got)
	}
}

func testExecConcurrent(t *testing.T, h *harness) {
	s := h.session(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := fmt.Sprintf("job-%d", i)
			res, err := s.Exec(h.ctx, providers.ExecRequest{
				Command: fmt.Sprintf("echo %s > f%d; cat f%d; echo %s >&2", want, i, i, want),
			})
			switch {
			case err != nil:
				errs <- fmt.Errorf("job %d: %w", i, err)
			case res.ExitCode != 0:
				errs <- fmt.Errorf("job %d: exit %d, stderr %q", i, res.ExitCode, res.Stderr)
			case string(res.Stdout) != want+"\n" || string(res.Stderr) != want+"\n":
				errs <- fmt.Errorf("job %d: stdout %q stderr %q, want %q on both", i, res.Stdout, res.Stderr, want+"\n")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, err := s.List(h.ctx, ".")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != n {
		t.Errorf("List after the jobs: %d entries, want %d", len(list), n)
	}
}

// testExecCustomRoot runs a session whose workspace root is not the default.
func testExecCustomRoot(t *testing.T, h *harness) {
	spec := h.spec()
	spec.Root = "/srv/wsbx-root/work"
	s := h.sessionWith(t, spec)
	if got := h.sh(t, s, "pwd"); got != spec.Root+"\n" {
		t.Errorf("pwd = %q, want %q", got, spec.Root+"\n")
	}
	h.write(t, s, "a.txt", "custom\n")
	if got := h.sh(t, s, "cat "+path.Join(spec.Root, "a.txt")); got != "custom\n" {
		t.Errorf("cat of the written file = %q", got)
	}
	if _, err := s.Stat(h.ctx, spec.Root+"/a.txt"); err != nil {
		t.Errorf("Stat by absolute path under the root: %v", err)
	}
	_, err := s.ReadFile(h.ctx, providers.DefaultRoot+"/a.txt")
	wantCode(t, "ReadFile under the default root of a custom-root session", err, providers.CodePathEscape)
}
