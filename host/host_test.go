package host_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wsbx/wsbx/host"
	"github.com/wsbx/wsbx/providers"
)

func TestEchoArgs(t *testing.T) {
	t.Parallel()
	h := newHost(t, host.Config{})
	m := compile(t, h, goGuest(t, "echoargs"))
	fsys := afero.NewMemMapFs()
	if err := fsys.MkdirAll("/workspace/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	exit, err := h.Run(context.Background(), m, host.RunConfig{
		Args:   []string{"echoargs", "one", "two words", "exit=7"},
		Env:    []string{"WANT_ENV=A,B,PWD,MISSING", "A=1", "B=x=y", "A=2", "junk"},
		Stdin:  io.MultiReader(strings.NewReader("from "), strings.NewReader("stdin\n")), // read through the context-aware wrapper
		Stdout: &stdout,
		Stderr: &stderr,
		FS:     fsys,
		Dir:    "/workspace/sub",
	})
	if err != nil {
		t.Fatalf("Run: %v (stderr %q)", err, stderr.String())
	}
	if exit != 7 {
		t.Errorf("exit = %d, want 7", exit)
	}
	want := `arg[0]=echoargs
arg[1]=one
arg[2]=two words
arg[3]=exit=7
env A="2" true
env B="x=y" true
env PWD="/workspace/sub" true
env MISSING="" false
pwd=/workspace/sub err=<nil>
from stdin
`
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	if stderr.String() != "echoargs: done\n" {
		t.Errorf("stderr = %q", stderr.String())
	}
	got, err := afero.ReadFile(fsys, "/workspace/sub/echoargs.out")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "one two words exit=7\n" {
		t.Errorf("echoargs.out = %q", got)
	}

	// Exit status zero, no stdio and no filesystem: writing the file fails.
	exit, err = h.Run(context.Background(), m, host.RunConfig{Args: []string{"echoargs"}})
	if err != nil || exit != 101 {
		t.Errorf("Run without FS = %d, %v; want 101 (write failed), nil", exit, err)
	}
}

func TestSpinStopsAtDeadline(t *testing.T) {
	t.Parallel()
	h := newHost(t, host.Config{})
	spin := compile(t, h, goGuest(t, "spin"))
	hello := compile(t, h, goGuest(t, "hello"))

	for _, c := range []struct {
		args    []string
		started string
	}{
		{[]string{"spin"}, "spinning\n"},
		{[]string{"spin", "sleep"}, "sleeping\n"}, // sleeps end with the context
	} {
		// The deadline is armed once the guest reports that it runs, so a
		// slow start-up (under -race, on a loaded machine) cannot pass it.
		ctx := newArmedContext()
		var stdout bytes.Buffer
		exit, err := h.Run(ctx, spin, host.RunConfig{Args: c.args, Stdout: writerFunc(func(p []byte) (int, error) {
			ctx.arm(100 * time.Millisecond)
			return stdout.Write(p)
		})})
		deadline, ok := ctx.Deadline()
		if !ok {
			t.Fatalf("%v: the guest never started: %d, %v", c.args, exit, err)
		}
		late := time.Since(deadline)
		t.Logf("%v stopped %v after its deadline", c.args, late)
		if exit != host.ExitTimeout {
			t.Errorf("%v: exit = %d, want %d", c.args, exit, host.ExitTimeout)
		}
		if !errors.Is(err, providers.ErrExecTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%v: err = %v, want exec_timeout and context.DeadlineExceeded", c.args, err)
		}
		if stdout.String() != c.started {
			t.Errorf("%v: stdout = %q", c.args, stdout.String())
		}
		if late > 2*time.Second {
			t.Errorf("%v: guest stopped %v after its deadline", c.args, late)
		}
	}

	// Cancellation instead of a deadline.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exit, err := h.Run(ctx, spin, host.RunConfig{Stdout: writerFunc(func(p []byte) (int, error) {
		time.AfterFunc(50*time.Millisecond, cancel)
		return len(p), nil
	})})
	if exit != host.ExitCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled run = %d, %v", exit, err)
	}

	assertHello(t, h, hello)
}

// armedContext is a context whose deadline is set, once, by arm.
type armedContext struct {
	context.Context
	once     sync.Once
	done     chan struct{}
	mu       sync.Mutex
	deadline time.Time
	err      error
}

func newArmedContext() *armedContext {
	return &armedContext{Context: context.Background(), done: make(chan struct{})}
}

func (c *armedContext) arm(d time.Duration) {
	c.once.Do(func() {
		c.mu.Lock()
		c.deadline = time.Now().Add(d)
		c.mu.Unlock()
		time.AfterFunc(d, func() {
			c.mu.Lock()
			c.err = context.DeadlineExceeded
			c.mu.Unlock()
			close(c.done)
		})
	})
}

func (c *armedContext) Deadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadline, !c.deadline.IsZero()
}

func (c *armedContext) Done() <-chan struct{} { return c.done }

func (c *armedContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func assertHello(t *testing.T, h *host.Host, hello *host.Module) {
	t.Helper()
	var out bytes.Buffer
	exit, err := h.Run(context.Background(), hello, host.RunConfig{Stdout: &out})
	if err != nil || exit != 0 || out.String() != "hello\n" {
		t.Errorf("next run = %d, %v, %q; want 0, nil, hello", exit, err, out.String())
	}
}

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	h := newHost(t, host.Config{MemoryLimitPages: 1024}) // 64 MiB
	bomb := compile(t, h, goGuest(t, "membomb"))
	hello := compile(t, h, goGuest(t, "hello"))

	var stderr bytes.Buffer
	exit, err := h.Run(context.Background(), bomb, host.RunConfig{Stderr: &stderr})
	if exit != host.ExitMemoryLimit || !errors.Is(err, host.ErrMemoryLimit) {
		t.Errorf("membomb = %d, %v; want %d, ErrMemoryLimit", exit, err, host.ExitMemoryLimit)
	}
	out := stderr.String()
	if !strings.Contains(out, "allocated 8 MiB") || strings.Contains(out, "allocated 64 MiB") {
		t.Errorf("membomb stderr does not show allocations stopping below 64 MiB:\n%s", lastLines(out, 5))
	}
	t.Logf("membomb: %v; stderr ends:\n%s", err, lastLines(out, 3))

	// A per-run limit below the Go runtime's start-up needs.
	exit, err = h.Run(context.Background(), hello, host.RunConfig{MemoryLimitPages: 40})
	if exit != host.ExitMemoryLimit || !errors.Is(err, host.ErrMemoryLimit) {
		t.Errorf("hello with 40 pages = %d, %v; want memory limit", exit, err)
	}
	assertHello(t, h, hello)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestCompileCache(t *testing.T) {
	h := newHost(t, host.Config{})
	wasm := cGuest(t)
	var wg sync.WaitGroup
	mods := make([]*host.Module, 8)
	for i := range mods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := h.Compile(context.Background(), wasm)
			if err != nil {
				t.Error(err)
			}
			mods[i] = m
		}()
	}
	wg.Wait()
	for _, m := range mods[1:] {
		if m != mods[0] {
			t.Fatal("concurrent compiles of the same bytes gave different modules")
		}
	}
	if len(mods[0].Digest()) != 64 {
		t.Errorf("Digest = %q", mods[0].Digest())
	}

	bad := []byte("\x00asm\x01\x00\x00\x00\x01") // truncated section
	_, err1 := h.Compile(context.Background(), bad)
	_, err2 := h.Compile(context.Background(), bad)
	if err1 == nil || err1 != err2 {
		t.Errorf("invalid module: errors %v and %v; want the same remembered error", err1, err2)
	}

	// A module importing something other than WASI:
	// (module (import "env" "f" (func)))
	foreign := []byte("\x00asm\x01\x00\x00\x00" +
		"\x01\x04\x01\x60\x00\x00" + // type section: one func type () -> ()
		"\x02\x09\x01\x03env\x01f\x00\x00") // import section: env.f, func type 0
	if _, err := h.Compile(context.Background(), foreign); err == nil || !strings.Contains(err.Error(), "env.f") {
		t.Errorf("foreign import: %v", err)
	}
}

func TestHostsAreIndependent(t *testing.T) {
	a := newHost(t, host.Config{})
	b, err := host.New(context.Background(), host.Config{})
	if err != nil {
		t.Fatal(err)
	}
	wasm := cGuest(t)
	ma := compile(t, a, wasm)
	mb := compile(t, b, wasm)
	if ma == mb {
		t.Fatal("two Hosts returned the same Module")
	}
	if _, err := a.Run(context.Background(), mb, host.RunConfig{}); !errors.Is(err, host.ErrForeignModule) {
		t.Errorf("running another Host's module: %v", err)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := b.Compile(context.Background(), wasm); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Compile after Close: %v", err)
	}
	if _, err := b.Run(context.Background(), mb, host.RunConfig{}); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Run after Close: %v", err)
	}
	var out bytes.Buffer
	if exit, err := a.Run(context.Background(), ma, host.RunConfig{Args: []string{"hello", "3"}, Stdout: &out}); exit != 3 || err != nil || out.String() != "hello\n" {
		t.Errorf("the other Host after Close: %d, %v, %q", exit, err, out.String())
	}
}

func TestCloseStopsRuns(t *testing.T) {
	t.Parallel()
	h, err := host.New(context.Background(), host.Config{CacheDir: cacheDir})
	if err != nil {
		t.Fatal(err)
	}
	spin := compile(t, h, goGuest(t, "spin"))
	started := make(chan struct{})
	type result struct {
		exit int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		exit, err := h.Run(context.Background(), spin, host.RunConfig{Stdout: writerFunc(func(p []byte) (int, error) {
			close(started)
			return len(p), nil
		})})
		done <- result{exit, err}
	}()
	<-started
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if !errors.Is(r.err, host.ErrClosed) {
			t.Errorf("run during Close = %d, %v; want ErrClosed", r.exit, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close returned but the run did not end")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestCGuest(t *testing.T) {
	h := newHost(t, host.Config{})
	m := compile(t, h, cGuest(t))
	for _, c := range []struct {
		args []string
		exit int
	}{{[]string{"hello"}, 0}, {[]string{"hello", "42"}, 42}} {
		var out bytes.Buffer
		exit, err := h.Run(context.Background(), m, host.RunConfig{Args: c.args, Stdout: &out})
		if err != nil || exit != c.exit || out.String() != "hello\n" {
			t.Errorf("%v = %d, %v, %q; want %d, nil, hello", c.args, exit, err, out.String(), c.exit)
		}
	}
}

// TestCGuestUpToDate rebuilds the checked-in C guest and requires the same
// bytes, so hello.wasm always matches hello.c and build.sh.
func TestCGuestUpToDate(t *testing.T) {
	clang, err := exec.LookPath("clang")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("clang is required in CI: apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32")
		}
		t.Skip("clang not installed; install clang lld wasi-libc libclang-rt-dev-wasm32 to check c/hello.wasm")
	}
	dir := filepath.Join(repoRoot(t), "testdata", "guests", "c")
	out := filepath.Join(t.TempDir(), "hello.wasm")
	cmd := exec.Command(clang, "--target=wasm32-wasi", "-O2", "-Wl,--strip-all", "-o", out, filepath.Join(dir, "hello.c"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, b)
	}
	built, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, cGuest(t)) {
		t.Error("testdata/guests/c/hello.wasm is stale or built by another wasi-libc: run testdata/guests/build.sh")
	}
}

func TestDiskCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	wasm := cGuest(t)
	for i := range 2 {
		h, err := host.New(context.Background(), host.Config{CacheDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		m := compile(t, h, wasm)
		if exit, err := h.Run(context.Background(), m, host.RunConfig{}); exit != 0 || err != nil {
			t.Errorf("round %d: %d, %v", i, exit, err)
		}
		if err := h.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Errorf("cache dir holds %d entries, %v", len(entries), err)
	}
}

func TestInterpreter(t *testing.T) {
	h := newHost(t, host.Config{Interpreter: true})
	m := compile(t, h, cGuest(t))
	var out bytes.Buffer
	if exit, err := h.Run(context.Background(), m, host.RunConfig{Args: []string{"hello", "5"}, Stdout: &out}); exit != 5 || err != nil || out.String() != "hello\n" {
		t.Errorf("interpreter: %d, %v, %q", exit, err, out.String())
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := host.New(context.Background(), host.Config{MemoryLimitPages: 65537}); err == nil {
		t.Error("New accepted 65537 pages")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := host.New(context.Background(), host.Config{CacheDir: filepath.Join(file, "sub")}); err == nil {
		t.Error("New accepted a cache dir under a file")
	}
}

// TestConcurrentRuns runs one module from many goroutines at once, each
// with its own filesystem and output.
func TestConcurrentRuns(t *testing.T) {
	h := newHost(t, host.Config{})
	m := compile(t, h, cGuest(t))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			exit, err := h.Run(context.Background(), m, host.RunConfig{
				Args:   []string{"hello", strconv.Itoa(i)},
				Stdout: &out,
				FS:     afero.NewMemMapFs(),
			})
			if err != nil || exit != i || out.String() != "hello\n" {
				t.Errorf("run %d = %d, %v, %q", i, exit, err, out.String())
			}
		}()
	}
	wg.Wait()
}

// TestEngine checks that the settings shared with package plugins make a
// working runtime on the Host's compilation cache.
func TestEngine(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, host.Config{})
	r := wazero.NewRuntimeWithConfig(ctx, h.Engine().RuntimeConfig)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	var out bytes.Buffer
	_, err := r.InstantiateWithConfig(ctx, cGuest(t), wazero.NewModuleConfig().WithStdout(&out).WithArgs("hello", "0"))
	if err != nil || out.String() != "hello\n" {
		t.Errorf("engine run: %v, %q", err, out.String())
	}
}

func TestTrapAndBadArgs(t *testing.T) {
	h := newHost(t, host.Config{})
	// (module (func (export "_start") unreachable))
	trap := []byte("\x00asm\x01\x00\x00\x00" +
		"\x01\x04\x01\x60\x00\x00" + // type section: () -> ()
		"\x03\x02\x01\x00" + // function section: one function of type 0
		"\x07\x0a\x01\x06_start\x00\x00" + // export section: _start = func 0
		"\x0a\x05\x01\x03\x00\x00\x0b") // code section: unreachable, end
	m := compile(t, h, trap)
	exit, err := h.Run(context.Background(), m, host.RunConfig{})
	if exit != host.ExitTrap || !errors.Is(err, host.ErrTrap) {
		t.Errorf("trap = %d, %v; want %d, ErrTrap", exit, err, host.ExitTrap)
	}
	exit, err = h.Run(context.Background(), m, host.RunConfig{Args: []string{"a\x00b"}})
	if exit != -1 || err == nil || errors.Is(err, host.ErrTrap) {
		t.Errorf("NUL in args = %d, %v", exit, err)
	}
	if _, err := h.Run(context.Background(), nil, host.RunConfig{}); !errors.Is(err, host.ErrForeignModule) {
		t.Errorf("nil module: %v", err)
	}
}

// TestBlockedStdinStopsAtDeadline runs a guest that waits for input that
// never comes.
func TestBlockedStdinStopsAtDeadline(t *testing.T) {
	t.Parallel()
	h := newHost(t, host.Config{})
	m := compile(t, h, goGuest(t, "echoargs"))
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx := newArmedContext()
	type result struct {
		exit int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		exit, err := h.Run(ctx, m, host.RunConfig{
			Args:  []string{"echoargs"},
			Stdin: pr,
			Stdout: writerFunc(func(p []byte) (int, error) {
				ctx.arm(100 * time.Millisecond) // the guest is about to read stdin
				return len(p), nil
			}),
		})
		done <- result{exit, err}
	}()
	var exit int
	var err error
	select {
	case r := <-done:
		exit, err = r.exit, r.err
	case <-time.After(30 * time.Second):
		t.Fatal("a guest blocked on stdin was not stopped")
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		t.Fatalf("guest never started: %d, %v", exit, err)
	}
	t.Logf("guest blocked on stdin stopped %v after its deadline", time.Since(deadline))
	if exit != host.ExitTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("blocked guest = %d, %v; want ExitTimeout", exit, err)
	}
	if late := time.Since(deadline); late > 2*time.Second {
		t.Errorf("guest stopped %v after its deadline", late)
	}
}
