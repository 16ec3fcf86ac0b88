package wasi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/host"
	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

// The guests of testdata/guests, built once per test binary with
// GOOS=wasip1, and one Host whose compilation cache they share.
var (
	guestOnce sync.Once
	guestDir  string
	guestHost *host.Host
	guestErr  error
)

func guests(t testing.TB) (*host.Host, string) {
	t.Helper()
	guestOnce.Do(func() {
		guestDir, guestErr = os.MkdirTemp("", "wsbx-wasi-guests-")
		if guestErr != nil {
			return
		}
		for _, name := range []string{"echoargs", "spin", "membomb", "hello"} {
			cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-trimpath",
				"-o", filepath.Join(guestDir, name+".wasm"), "./testdata/guests/"+name)
			cmd.Dir = filepath.Join("..", "..")
			cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				guestErr = errors.New("go build " + name + ": " + err.Error() + "\n" + stderr.String())
				return
			}
		}
		cache := filepath.Join(guestDir, "cache")
		if shared := os.Getenv("WSBX_TEST_WASM_CACHE"); shared != "" {
			// Shared with other test binaries; .ci/run warms it without
			// the race detector, which slows wazero's compiler several times.
			cache = shared
		}
		guestHost, guestErr = host.New(context.Background(), host.Config{CacheDir: cache})
		// Compile now, so that no exec deadline covers a compilation (the
		// Host keeps compiled modules by their sha256).
		for _, name := range []string{"echoargs", "spin", "membomb", "hello"} {
			if guestErr != nil {
				return
			}
			var wasm []byte
			if wasm, guestErr = os.ReadFile(filepath.Join(guestDir, name+".wasm")); guestErr == nil {
				_, guestErr = guestHost.Compile(context.Background(), wasm)
			}
		}
	})
	if guestErr != nil {
		t.Fatal(guestErr)
	}
	return guestHost, guestDir
}

func writeGuest(t *testing.T, s providers.Session, name, dst string) {
	t.Helper()
	_, dir := guests(t)
	f, err := os.Open(filepath.Join(dir, name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := s.WriteFile(context.Background(), dst, f, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestWASIGuestRunsAsACommand(t *testing.T) {
	h, _ := guests(t)
	ctx := context.Background()
	s := newSession(t, providers.SessionSpec{Env: map[string]string{"FOO": "bar"}}, wasi.WithHost(h))
	writeGuest(t, s, "echoargs", "echoargs.wasm")
	writeGuest(t, s, "echoargs", "bin/tool") // no extension: found by its magic number

	res := run(t, s, providers.ExecRequest{
		Command: `echo piped | WANT_ENV=FOO,PATH ./echoargs.wasm "a b" exit=3`,
	})
	want := []string{"arg[0]=./echoargs.wasm", "arg[1]=a b", "arg[2]=exit=3", `env FOO="bar" true`, "pwd=/workspace err=<nil>", "piped"}
	for _, w := range want {
		if !strings.Contains(string(res.Stdout), w+"\n") {
			t.Errorf("stdout lacks %q:\n%s", w, res.Stdout)
		}
	}
	if res.ExitCode != 3 || !strings.Contains(string(res.Stderr), "echoargs: done") {
		t.Errorf("exit %d, stderr %q", res.ExitCode, res.Stderr)
	}
	rc, err := s.ReadFile(ctx, "echoargs.out")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	if string(data) != "a b exit=3\n" {
		t.Errorf("file written by the guest: %q", data)
	}

	// Found on the sandbox PATH, run from a subdirectory, in a pipeline.
	if err := s.Mkdir(ctx, "sub", false); err != nil {
		t.Fatal(err)
	}
	res = run(t, s, providers.ExecRequest{
		Command: `PATH=/workspace/bin:$PATH; tool one | while read l; do case $l in arg*|pwd*) echo "$l";; esac; done; command -v tool`,
		Cwd:     "sub",
	})
	if got, want := string(res.Stdout), "arg[0]=tool\narg[1]=one\npwd=/workspace/sub err=<nil>\n/workspace/bin/tool\n"; got != want {
		t.Errorf("PATH lookup: got %q, want %q (stderr %q)", got, want, res.Stderr)
	}
	res = run(t, s, providers.ExecRequest{Argv: []string{"./echoargs.wasm", "exit=5"}})
	if res.ExitCode != 5 {
		t.Errorf("argv: exit %d", res.ExitCode)
	}
}

func TestWASIGuestLimits(t *testing.T) {
	h, _ := guests(t)
	ctx := context.Background()
	s := newSession(t, providers.SessionSpec{Limits: providers.Limits{MemoryBytes: 64 << 20}}, wasi.WithHost(h))
	writeGuest(t, s, "spin", "spin.wasm")
	writeGuest(t, s, "membomb", "membomb.wasm")
	const deadline = time.Second
	start := time.Now()
	res, err := s.Exec(ctx, providers.ExecRequest{Command: "./spin.wasm; echo after", Timeout: deadline})
	overshoot := time.Since(start) - deadline
	if !errors.Is(err, providers.ErrExecTimeout) {
		t.Fatalf("spin: got %v, want exec_timeout", err)
	}
	if strings.Contains(string(res.Stdout), "after") {
		t.Errorf("spin stdout %q", res.Stdout)
	}
	t.Logf("an endless guest stopped %v after its deadline", overshoot)
	if overshoot > 5*time.Second {
		t.Errorf("the endless guest ran %v past its deadline", overshoot)
	}
	if res := run(t, s, providers.ExecRequest{Command: "echo next"}); string(res.Stdout) != "next\n" {
		t.Fatalf("after the timeout: %q", res.Stdout)
	}

	res = run(t, s, providers.ExecRequest{Command: "./membomb.wasm; echo status=$?", Timeout: 5 * time.Minute})
	if !strings.Contains(string(res.Stdout), "status=137") || !strings.Contains(string(res.Stderr), "memory limit") {
		t.Errorf("membomb: stdout %q stderr tail %q", res.Stdout, tail(res.Stderr))
	}
	if res := run(t, s, providers.ExecRequest{Command: "echo next"}); string(res.Stdout) != "next\n" {
		t.Fatalf("after the memory limit: %q", res.Stdout)
	}
}

func tail(b []byte) string {
	if len(b) > 300 {
		b = b[len(b)-300:]
	}
	return string(b)
}

func TestWASIModuleWithoutRunner(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	if err := s.WriteFile(context.Background(), "m.wasm", strings.NewReader("\x00asm\x01\x00\x00\x00"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := run(t, s, providers.ExecRequest{Command: "./m.wasm"})
	if res.ExitCode != 126 || !strings.Contains(string(res.Stderr), "no module runner") {
		t.Fatalf("exit %d stderr %q", res.ExitCode, res.Stderr)
	}
}
