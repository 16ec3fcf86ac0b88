package plugins

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

func fixture(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("..", "testdata", "plugins", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("fixture %s missing (run testdata/plugins/build.sh): %v", name, err)
	}
	return p
}

// testCacheDir is shared by every Set in the test binary, so each fixture is
// compiled once per run.
var testCacheDir string

// warmCache is set when testCacheDir is WSBX_TEST_WASM_CACHE, which .ci/run
// fills from a process without the race detector (it slows wazero's
// compiler several times on multi-megabyte Go modules).
var warmCache bool

func TestMain(m *testing.M) {
	if dir := os.Getenv("WSBX_TEST_WASM_CACHE"); dir != "" {
		testCacheDir, warmCache = dir, true
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "wsbx-plugins-cache-")
	if err != nil {
		panic(err)
	}
	testCacheDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newSet returns a Set for the Go-built fixtures: on the compiler with a
// warm cache, otherwise on the interpreter. The tests of the C-built
// fixtures use the compiler always.
func newSet(t testing.TB) *Set {
	t.Helper()
	s, err := NewSet(Config{CacheDir: testCacheDir, Interpreter: !warmCache})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func load(t testing.TB, s *Set, name string, opts Options) *Plugin {
	t.Helper()
	if opts.Timeout == 0 && strings.HasPrefix(name, "go-") {
		// Starting the Go runtime of a new instance in the interpreter,
		// under the race detector, takes seconds.
		opts.Timeout = 2 * time.Minute
	}
	p, err := s.Load(context.Background(), Source{Path: fixture(t, name)}, opts)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return p
}

func wantPluginError(t *testing.T, err error, plugin, export string) {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Code != providers.CodePluginError {
		t.Fatalf("want plugin_error, got %v", err)
	}
	if pe.Target != plugin || pe.Op != export {
		t.Fatalf("error names plugin %q export %q; want %q %q (%v)", pe.Target, pe.Op, plugin, export, err)
	}
}

func TestDescribeAndKinds(t *testing.T) {
	s := newSet(t)
	p := load(t, s, "go-deny-commands.wasm", Options{})
	d := p.Describe()
	if d.ABI != abi.Version || d.Kind != "capability" || d.Name != "deny-commands" || d.Version == "" {
		t.Fatalf("describe = %+v", d)
	}
	if !json.Valid(d.ConfigSchema) {
		t.Fatalf("config schema is not JSON: %s", d.ConfigSchema)
	}
	if _, err := p.Entry(); !errors.Is(err, providers.ErrPluginError) {
		t.Fatalf("a capability plugin used as an entry plugin: %v", err)
	}
	if _, err := p.Provider(); !errors.Is(err, providers.ErrPluginError) {
		t.Fatalf("a capability plugin used as a provider: %v", err)
	}
}

func TestLoadSources(t *testing.T) {
	s := newSet(t)
	path := fixture(t, "go-deny-commands.wasm")
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.wasm"), wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, src := range map[string]Source{
		"file":  {Path: path},
		"dir":   {Path: dir},
		"bytes": {Bytes: wasm},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := s.Load(ctx, src, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Name() != "deny-commands" {
				t.Fatalf("name = %q", p.Name())
			}
		})
	}
	t.Run("sha256 verified", func(t *testing.T) {
		p, err := s.Load(ctx, Source{Bytes: wasm}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, Source{Bytes: wasm, SHA256: p.SHA256()}, Options{}); err != nil {
			t.Fatalf("right digest refused: %v", err)
		}
		bad := strings.Repeat("0", 64)
		_, err = s.Load(ctx, Source{Bytes: wasm, SHA256: bad}, Options{})
		if !errors.Is(err, providers.ErrPluginError) || !strings.Contains(err.Error(), "sha256 mismatch") {
			t.Fatalf("wrong digest: %v", err)
		}
	})
	t.Run("not wasm", func(t *testing.T) {
		_, err := s.Load(ctx, Source{Bytes: []byte("#!/bin/sh\necho hi\n")}, Options{})
		if !errors.Is(err, providers.ErrPluginError) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := s.Load(ctx, Source{Path: filepath.Join(dir, "nope.wasm")}, Options{})
		if !errors.Is(err, providers.ErrPluginError) || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestCapabilityDenyCommands(t *testing.T) {
	s := newSet(t)
	p := load(t, s, "go-deny-commands.wasm", Options{Config: json.RawMessage(`{"patterns": ["^rm\\s+-rf", "curl"]}`)})
	c, err := p.Capability()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		op, subject string
		allow       bool
	}{
		{"exec", "ls -la", true},
		{"exec", "rm -rf /", false},
		{"exec", "echo x | curl -d @- example.com", false},
		{"read", "curl.txt", true},
	}
	for _, tt := range tests {
		d, err := c.Check(ctx, tt.op, "s1", tt.subject)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allow != tt.allow {
			t.Errorf("check(%s, %q) = %+v, want allow=%v", tt.op, tt.subject, d, tt.allow)
		}
		if !d.Allow && !strings.Contains(d.Reason, "denied pattern") {
			t.Errorf("deny without a reason: %+v", d)
		}
	}
}

func TestCapabilityBadConfig(t *testing.T) {
	s := newSet(t)
	p := load(t, s, "go-deny-commands.wasm", Options{Config: json.RawMessage(`{"patterns": ["("]}`)})
	c, _ := p.Capability()
	_, err := c.Check(context.Background(), "exec", "s", "ls")
	wantPluginError(t, err, "deny-commands", "check")
}

func TestConcurrentCalls(t *testing.T) {
	s := newSet(t)
	p := load(t, s, "go-deny-commands.wasm", Options{Config: json.RawMessage(`{"patterns": ["^bad"]}`), PoolSize: 2})
	c, _ := p.Capability()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 8 {
				subject := "good"
				if (i+j)%2 == 0 {
					subject = "bad"
				}
				d, err := c.Check(context.Background(), "exec", "s", subject)
				if err != nil {
					errs <- err
					return
				}
				if d.Allow != (subject == "good") {
					errs <- errors.New("wrong decision for " + subject)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// newWorkspace returns a session of the wasi provider for entry plugins to
// write into.
func newWorkspace(t *testing.T) providers.Session {
	t.Helper()
	ctx := context.Background()
	s, err := wasi.New().Create(ctx, providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	return s
}

// workspaceFiles returns the regular files of s by workspace-relative path.
func workspaceFiles(t *testing.T, s providers.Session) map[string]string {
	t.Helper()
	ctx := context.Background()
	r, err := s.Exec(ctx, providers.ExecRequest{Command: "find . -type f"})
	if err != nil || r.ExitCode != 0 {
		t.Fatalf("find: %v %+v", err, r)
	}
	files := map[string]string{}
	for _, name := range strings.Fields(string(r.Stdout)) {
		rc, err := s.ReadFile(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimPrefix(name, "./")] = string(b)
	}
	return files
}

func TestEntryTemplate(t *testing.T) {
	s := newSet(t)
	p := load(t, s, "go-template-entry.wasm", Options{})
	e, err := p.Entry()
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Types(); len(got) != 1 || got[0] != "template" {
		t.Fatalf("types = %v", got)
	}
	sess := newWorkspace(t)
	cfg := json.RawMessage(`{"vars": {"name": "demo", "port": 8080}, "files": {"README.md": "# {{.name}}", "conf/app.ini": "port={{.port}}"}}`)
	res, err := e.Materialize(context.Background(), sess, "template", cfg, "app")
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 2 {
		t.Fatalf("result = %+v", res)
	}
	want := map[string]string{"app/README.md": "# demo", "app/conf/app.ini": "port=8080"}
	if got := workspaceFiles(t, sess); !maps.Equal(got, want) {
		t.Errorf("workspace holds %q, want %q", got, want)
	}

	// A template error is the plugin's error, and nothing is half-written
	// by the failing file.
	_, err = e.Materialize(context.Background(), newWorkspace(t), "template", json.RawMessage(`{"files": {"x": "{{.missing}}"}}`), "app")
	wantPluginError(t, err, "template", "materialize")
}

func TestHostFunctionsRefusedWithoutGrant(t *testing.T) {
	// A capability-kind plugin calling the file host functions gets an
	// error response, not a trap: the hostile plugin's materialize export
	// runs without a grant when called directly.
	s := newSet(t)
	p := load(t, s, "c-hostile.wasm", Options{Config: json.RawMessage(`{"kind": "capability"}`)})
	_, err := p.Call(context.Background(), "materialize", []byte(`{"type":"x","config":{},"dest":"d"}`))
	if !errors.Is(err, providers.ErrPermissionDenied) {
		t.Fatalf("got %v", err)
	}
	// and the plugin keeps serving
	if _, err := p.Call(context.Background(), "noop", nil); err != nil {
		t.Fatal(err)
	}
}

func TestHostilePlugins(t *testing.T) {
	// The C-built module is small, so this test runs on the compiler.
	s, err := NewSet(Config{CacheDir: testCacheDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	ctx := context.Background()
	opts := Options{Timeout: time.Second, MemoryBytes: 32 << 20, MaxOutputBytes: 1 << 20}
	p := load(t, s, "c-hostile.wasm", opts)

	alive := func(t *testing.T) {
		t.Helper()
		out, err := p.Call(ctx, "echo", []byte("still here"))
		if err != nil || string(out) != "still here" {
			t.Fatalf("plugin no longer serves: %q %v", out, err)
		}
	}

	for _, export := range []string{"spin", "membomb", "trap", "huge_output", "no_such_export"} {
		t.Run(export, func(t *testing.T) {
			_, err := p.Call(ctx, export, nil)
			wantPluginError(t, err, "hostile", export)
			alive(t)
		})
	}

	t.Run("write outside destination", func(t *testing.T) {
		e, err := p.Entry()
		if err != nil {
			t.Fatal(err)
		}
		sess := newWorkspace(t)
		_, err = e.Materialize(ctx, sess, "hostile", nil, "dest")
		if !errors.Is(err, providers.ErrPathEscape) {
			t.Fatalf("got %v", err)
		}
		if got := workspaceFiles(t, sess); len(got) != 1 || got["dest/inside.txt"] == "" {
			t.Fatalf("files written: %q", got)
		}
		alive(t)
	})

	t.Run("http to a host not granted", func(t *testing.T) {
		var hits int
		var mu sync.Mutex
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hits++
			mu.Unlock()
			io.WriteString(w, "secret")
		}))
		defer srv.Close()
		cfg, _ := json.Marshal(map[string]string{"url": srv.URL, "kind": "entry"})
		o := opts
		o.Config = cfg
		denied := load(t, s, "c-hostile.wasm", o)
		_, err := denied.Call(ctx, "http_get", nil)
		wantPluginError(t, err, "hostile", "http_get")
		mu.Lock()
		if hits != 0 {
			t.Fatalf("the server was reached %d times", hits)
		}
		mu.Unlock()

		o.AllowedHosts = []string{"127.0.0.1"}
		granted := load(t, s, "c-hostile.wasm", o)
		out, err := granted.Call(ctx, "http_get", nil)
		if err != nil || string(out) != "secret" {
			t.Fatalf("granted host: %q %v", out, err)
		}
	})

	for _, mode := range []string{"malformed", "abi2"} {
		t.Run("describe "+mode, func(t *testing.T) {
			_, err := s.Load(ctx, Source{Path: fixture(t, "c-hostile-"+mode+".wasm")}, opts)
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Code != providers.CodePluginError || pe.Op != abi.ExportDescribe {
				t.Fatalf("got %v", err)
			}
			alive(t)
		})
	}

	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		_, err := p.Call(cctx, "spin", nil)
		wantPluginError(t, err, "hostile", "spin")
		alive(t)
	})
}

// TestOtherLanguages loads the C and AssemblyScript example plugins.
func TestOtherLanguages(t *testing.T) {
	s, err := NewSet(Config{CacheDir: testCacheDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	ctx := context.Background()
	tests := []struct {
		fixture, config string
		op, subject     string
		allow           bool
	}{
		{"c-read-only.wasm", ``, "write", "a.txt", false},
		{"c-read-only.wasm", ``, "read", "a.txt", true},
		{"c-read-only.wasm", ``, "network", "example.com", false},
		{"c-read-only.wasm", `{"network":true}`, "network", "example.com", true},
		{"as-allow-hosts.wasm", `{"hosts": ["pypi.org"]}`, "network", "pypi.org:443", true},
		{"as-allow-hosts.wasm", `{"hosts": ["pypi.org"]}`, "network", "evil.example:443", false},
		{"as-allow-hosts.wasm", `{"hosts": ["pypi.org"]}`, "exec", "ls", true},
	}
	for _, tt := range tests {
		p := load(t, s, tt.fixture, Options{Config: json.RawMessage(tt.config)})
		c, err := p.Capability()
		if err != nil {
			t.Fatal(err)
		}
		d, err := c.Check(ctx, tt.op, "s", tt.subject)
		if err != nil {
			t.Fatalf("%s: %v", tt.fixture, err)
		}
		if d.Allow != tt.allow {
			t.Errorf("%s %s %q = %+v, want allow=%v", tt.fixture, tt.op, tt.subject, d, tt.allow)
		}
		if !d.Allow && d.Reason == "" {
			t.Errorf("%s: deny without reason", tt.fixture)
		}
	}
	// A malformed check input is the plugin's error, not a crash.
	p := load(t, s, "as-allow-hosts.wasm", Options{})
	_, err = p.Call(ctx, "check", []byte(`{}`))
	wantPluginError(t, err, "allow-hosts", "check")
}

// TestCallReusesFunctionHandles guards the call path against per-call
// function lookups: each wazero lookup builds a call engine with a 10 KiB
// stack, and an Extism call once made eight of them. A no-op call now
// allocates about 1.3 KiB.
func TestCallReusesFunctionHandles(t *testing.T) {
	s, err := NewSet(Config{CacheDir: testCacheDir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	p := load(t, s, "c-hostile.wasm", Options{})
	ctx := context.Background()
	call := func() {
		if _, err := p.Call(ctx, "noop", nil); err != nil {
			t.Fatal(err)
		}
	}
	call() // the first call looks the handles up
	const calls = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range calls {
		call()
	}
	runtime.ReadMemStats(&after)
	if perCall := (after.TotalAlloc - before.TotalAlloc) / calls; perCall > 8<<10 {
		t.Fatalf("a no-op call allocates %d bytes; a looked-up function handle alone is 10 KiB", perCall)
	}
}
