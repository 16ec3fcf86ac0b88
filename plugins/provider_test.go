package plugins

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/providertest"
	"github.com/wsbx/wsbx/providers/wasi"
)

var memsandbox struct {
	once sync.Once
	path string
	err  error
}

// buildMemsandbox builds the Go provider plugin from its source in
// sdk-plugins/go/examples/memsandbox, once per test binary. It embeds the
// wasi provider, so a committed build would go stale with every change there.
func buildMemsandbox(t testing.TB) string {
	t.Helper()
	memsandbox.once.Do(func() {
		if built := filepath.Join("..", "testdata", "plugins", "go-memsandbox.wasm"); warmCache {
			if _, err := os.Stat(built); err == nil {
				memsandbox.path = built // built by testdata/plugins/build.sh in .ci/run
				return
			}
		}
		out := filepath.Join(testCacheDir, "go-memsandbox.wasm")
		// The same flags as testdata/plugins/build.sh, so the module (and its
		// entry in a shared compilation cache) is the same.
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", out, "./examples/memsandbox")
		cmd.Dir = filepath.Join("..", "sdk-plugins", "go")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			memsandbox.err = err
			memsandbox.path = string(b)
			return
		}
		memsandbox.path = out
	})
	if memsandbox.err != nil {
		t.Fatalf("building the memsandbox plugin: %v\n%s", memsandbox.err, memsandbox.path)
	}
	return memsandbox.path
}

// memsandboxProvider loads the memsandbox plugin into a Set of its own and
// returns it as a provider.
func memsandboxProvider(t testing.TB) providers.Provider {
	t.Helper()
	s, err := NewSet(Config{CacheDir: testCacheDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	p, err := s.Load(context.Background(), Source{Path: buildMemsandbox(t)}, Options{
		Timeout:        2 * time.Minute,
		MemoryBytes:    1 << 30,
		MaxOutputBytes: 64 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := p.Provider()
	if err != nil {
		t.Fatal(err)
	}
	return prov
}

// TestProviderPluginConformance runs the provider conformance suite against
// the Go provider plugin, through the plugin ABI.
func TestProviderPluginConformance(t *testing.T) {
	prov := memsandboxProvider(t)
	if prov.Name() != "memsandbox" {
		t.Fatalf("name = %q", prov.Name())
	}
	providertest.Run(t, func(t *testing.T) providers.Provider { return prov },
		providertest.Skip("files/large", "the plugin ABI moves a file as one message, bounded by MaxOutputBytes"),
	)
}

// TestProviderPluginTransferWithWasi moves a workspace from a session of
// the memsandbox plugin to a wasi session through the portable archive, and
// back.
func TestProviderPluginTransferWithWasi(t *testing.T) {
	prov := memsandboxProvider(t)
	providertest.RunTransfer(t,
		func(t *testing.T) providers.Provider { return prov },
		func(t *testing.T) providers.Provider { return wasi.New() },
	)
}

// TestLoadFixtures loads every built fixture and checks what it declares.
// .ci/run runs it first without the race detector, which fills the shared
// compilation cache (WSBX_TEST_WASM_CACHE) for the race-enabled run.
func TestLoadFixtures(t *testing.T) {
	s, err := NewSet(Config{CacheDir: testCacheDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	want := map[string]string{
		"go-deny-commands.wasm":  "capability/deny-commands",
		"go-template-entry.wasm": "entry/template",
		"c-read-only.wasm":       "capability/read-only",
		"c-hostile.wasm":         "entry/hostile",
		"as-allow-hosts.wasm":    "capability/allow-hosts",
		buildMemsandbox(t):       "provider/memsandbox",
	}
	for name, kind := range want {
		path := name
		if !filepath.IsAbs(name) && filepath.Dir(name) == "." {
			path = fixture(t, name)
		}
		opts := Options{Timeout: 2 * time.Minute}
		if kind == "provider/memsandbox" {
			opts.MemoryBytes = 1 << 30 // as in TestProviderPluginConformance
		}
		p, err := s.Load(context.Background(), Source{Path: path}, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := p.Kind() + "/" + p.Name(); got != kind {
			t.Errorf("%s declares %s, want %s", name, got, kind)
		}
	}
}

// TestProviderPluginLosesSessionsWithItsInstance: a call stopped by its
// context takes the plugin's instance with it. The sessions that instance
// held answer session_closed, saying why, and the plugin serves new ones.
func TestProviderPluginLosesSessionsWithItsInstance(t *testing.T) {
	prov := memsandboxProvider(t)
	ctx := context.Background()
	old, err := prov.Create(ctx, providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	stop, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := old.Exec(stop, providers.ExecRequest{Command: "while :; do :; done"}); !errors.Is(err, providers.ErrPluginError) {
		t.Fatalf("endless exec stopped by its context: %v", err)
	}
	_, err = old.Exec(ctx, providers.ExecRequest{Command: "echo hi"})
	if !errors.Is(err, providers.ErrSessionClosed) || !strings.Contains(err.Error(), "instance failed") {
		t.Fatalf("exec on a lost session: %v", err)
	}
	old.Close(ctx)

	fresh, err := prov.Create(ctx, providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close(ctx)
	res, err := fresh.Exec(ctx, providers.ExecRequest{Command: "echo hi"})
	if err != nil || string(res.Stdout) != "hi\n" {
		t.Fatalf("exec on a new session: %v %+v", err, res)
	}
}

// TestProviderPluginStreamDeadline: a streamed command whose context runs
// out is cancelled inside the plugin; the exec ends with exec_timeout and
// the partial output, and the session serves the next command.
func TestProviderPluginStreamDeadline(t *testing.T) {
	prov := memsandboxProvider(t)
	ctx := context.Background()
	sess, err := prov.Create(ctx, providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	var streamed strings.Builder
	res, err := sess.Exec(short, providers.ExecRequest{Command: "echo begun; sleep 30; echo never", Stdout: &streamed})
	if !errors.Is(err, providers.ErrExecTimeout) {
		t.Fatalf("exec past its context's deadline: %v", err)
	}
	if streamed.String() != "begun\n" || res == nil || string(res.Stdout) != "begun\n" {
		t.Fatalf("streamed %q, result %+v", streamed.String(), res)
	}
	if r, err := sess.Exec(ctx, providers.ExecRequest{Command: "echo next"}); err != nil || string(r.Stdout) != "next\n" {
		t.Fatalf("next command: %v %+v", err, r)
	}
}
