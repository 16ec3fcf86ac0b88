package host_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/wsbx/wsbx/host"
)

// guestDir holds the guests built from testdata/guests for this test
// binary, and cacheDir the compilation cache its Hosts share, so each guest
// is compiled once per test binary rather than once per test.
var guestDir, cacheDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wsbx-host-guests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	guestDir = dir
	cacheDir = filepath.Join(dir, "cache")
	if shared := os.Getenv("WSBX_TEST_WASM_CACHE"); shared != "" {
		// Shared with other test binaries; .ci/run warms it without the
		// race detector, which slows wazero's compiler several times.
		cacheDir = shared
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// guestBuild is one guest build, done at most once per test binary.
type guestBuild struct {
	once sync.Once
	wasm []byte
	err  error
}

var (
	guestBuildsMu sync.Mutex
	guestBuilds   = map[string]*guestBuild{}
)

// repoRoot is the module root, two levels up from this package.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		tb.Fatal(err)
	}
	return root
}

// goGuest builds testdata/guests/<name> with GOOS=wasip1 GOARCH=wasm and
// returns the module's bytes. Builds are cached for the test binary.
func goGuest(tb testing.TB, name string) []byte {
	tb.Helper()
	guestBuildsMu.Lock()
	b, ok := guestBuilds[name]
	if !ok {
		b = &guestBuild{}
		guestBuilds[name] = b
	}
	guestBuildsMu.Unlock()
	b.once.Do(func() {
		out := filepath.Join(guestDir, name+".wasm")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-trimpath", "-o", out, "./testdata/guests/"+name)
		cmd.Dir = repoRoot(tb)
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", name, err, stderr.Bytes())
			return
		}
		if b.wasm, b.err = os.ReadFile(out); b.err != nil {
			return
		}
		b.err = warmCache(b.wasm)
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.wasm
}

// warmCache compiles wasm into the shared compilation cache once, so that
// tests running in parallel do not each compile the same guest.
func warmCache(wasm []byte) error {
	ctx := context.Background()
	h, err := host.New(ctx, host.Config{CacheDir: cacheDir})
	if err != nil {
		return err
	}
	_, err = h.Compile(ctx, wasm)
	if cerr := h.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// cGuest returns the checked-in C guest testdata/guests/c/hello.wasm.
func cGuest(tb testing.TB) []byte {
	tb.Helper()
	wasm, err := os.ReadFile(filepath.Join(repoRoot(tb), "testdata", "guests", "c", "hello.wasm"))
	if err != nil {
		tb.Fatal(err)
	}
	return wasm
}

// newHost returns a Host closed at the end of the test. Unless cfg names a
// cache directory or the interpreter, the Host uses the test binary's
// shared compilation cache.
func newHost(tb testing.TB, cfg host.Config) *host.Host {
	tb.Helper()
	if cfg.CacheDir == "" && !cfg.Interpreter {
		cfg.CacheDir = cacheDir
	}
	h, err := host.New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := h.Close(context.Background()); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return h
}

func compile(tb testing.TB, h *host.Host, wasm []byte) *host.Module {
	tb.Helper()
	m, err := h.Compile(context.Background(), wasm)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
