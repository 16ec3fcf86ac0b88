package runtime_test

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/manifest"
	"github.com/wsbx/wsbx/plugins"
	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/runtime"
)

// wasmCacheDir is the compilation cache of the plugin tests: the directory
// in WSBX_TEST_WASM_CACHE (which .ci/run fills with a non-race process
// first, since the race detector slows wazero's compiler several times) or
// a temporary one.
func wasmCacheDir(t *testing.T) string {
	if d := os.Getenv("WSBX_TEST_WASM_CACHE"); d != "" {
		return d
	}
	return sharedTempCache(t)
}

var tempCache struct {
	once sync.Once
	dir  string
}

func sharedTempCache(t *testing.T) string {
	tempCache.once.Do(func() {
		d, err := os.MkdirTemp("", "wsbx-runtime-cache-")
		if err != nil {
			panic(err)
		}
		tempCache.dir = d
	})
	return tempCache.dir
}

func pluginFixture(name string) string {
	return filepath.Join("..", "testdata", "plugins", name)
}

func newPluginRuntime(t *testing.T, opts ...runtime.Option) *runtime.Runtime {
	t.Helper()
	rt, err := runtime.New(append([]runtime.Option{runtime.WithWASI(), runtime.WithCacheDir(wasmCacheDir(t))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(context.Background()) })
	return rt
}

// goPluginEngine runs Go-built plugins (megabytes of Wasm) on the
// interpreter unless a warm compilation cache is given: compiling them under
// the race detector takes minutes.
func goPluginEngine() []runtime.Option {
	if os.Getenv("WSBX_TEST_WASM_CACHE") != "" {
		return nil
	}
	return []runtime.Option{runtime.WithPluginInterpreter()}
}

// slow is generous: a Go-built plugin's first instance starts the Go runtime.
var slow = plugins.Options{Timeout: 2 * time.Minute}

func exec1(t *testing.T, s *runtime.Session, cmd string) (*providers.ExecResult, error) {
	t.Helper()
	return s.Exec(context.Background(), providers.ExecRequest{Command: cmd})
}

// TestCapabilityPluginGo: the Go deny-commands plugin, given to the
// Runtime, guards every session's execs.
func TestCapabilityPluginGo(t *testing.T) {
	rt := newPluginRuntime(t, append(goPluginEngine(), runtime.WithPlugin(runtime.PluginSpec{
		Path:    pluginFixture("go-deny-commands.wasm"),
		Config:  map[string]any{"patterns": []string{`^rm\s+-rf`}},
		Options: slow,
	}))...)
	s, err := rt.Create(context.Background(), "wasi", providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec1(t, s, "echo ok")
	if err != nil || string(res.Stdout) != "ok\n" {
		t.Fatalf("allowed command: %v %v", res, err)
	}
	_, err = exec1(t, s, "rm -rf /workspace")
	if !errors.Is(err, providers.ErrPermissionDenied) || !strings.Contains(err.Error(), "deny-commands") {
		t.Fatalf("denied command: %v", err)
	}
}

// TestCapabilityPluginC: the C read-only plugin, named in a manifest,
// denies writes, and the manifest's entries are still written.
func TestCapabilityPluginC(t *testing.T) {
	dir := t.TempDir()
	wasm, err := os.ReadFile(pluginFixture("c-read-only.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ro.wasm"), wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(dir, "wsbx.toml")
	os.WriteFile(mf, []byte(`
[plugins.ro]
path = "ro.wasm"

[entries."data.txt"]
type = "inline_file"
content = "seed"
`), 0o644)
	m, err := manifest.Load(mf)
	if err != nil {
		t.Fatal(err)
	}
	rt := newPluginRuntime(t)
	ctx := context.Background()
	s, err := rt.Create(ctx, "wasi", providers.SessionSpec{}, runtime.WithManifest(m))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s.ReadFile(ctx, "data.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "seed" {
		t.Fatalf("data.txt = %q", b)
	}
	err = s.WriteFile(ctx, "new.txt", strings.NewReader("x"), 0)
	if !errors.Is(err, providers.ErrPermissionDenied) || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("write: %v", err)
	}
	if err := s.Remove(ctx, "data.txt", false); !errors.Is(err, providers.ErrPermissionDenied) {
		t.Fatalf("remove: %v", err)
	}
}

// TestCapabilityPluginAssemblyScript: the AssemblyScript allow-hosts plugin
// decides on the network a session asks for.
func TestCapabilityPluginAssemblyScript(t *testing.T) {
	rt := newPluginRuntime(t, runtime.WithPlugin(runtime.PluginSpec{
		Path:   pluginFixture("as-allow-hosts.wasm"),
		Config: map[string]any{"hosts": []string{"pypi.org"}},
	}))
	ctx := context.Background()
	// The policy lets pypi.org through to the provider, which then says
	// that it has no network at all.
	_, err := rt.Create(ctx, "wasi", providers.SessionSpec{Network: &providers.NetworkGrant{Hosts: []string{"pypi.org:443"}}})
	if providers.CodeOf(err) != providers.CodeInvalidRequest || !strings.Contains(err.Error(), "no network") {
		t.Fatalf("granted host: %v", err)
	}
	_, err = rt.Create(ctx, "wasi", providers.SessionSpec{Network: &providers.NetworkGrant{Hosts: []string{"evil.example:443"}}})
	if !errors.Is(err, providers.ErrPermissionDenied) || !strings.Contains(err.Error(), "allow list") {
		t.Fatalf("other host: %v", err)
	}
}

// pluginManifest parses a TOML manifest that loads fixture as plugin name,
// followed by rest.
func pluginManifest(t *testing.T, name, fixture, rest string) *manifest.Manifest {
	t.Helper()
	abs, err := filepath.Abs(pluginFixture(fixture))
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse([]byte("[plugins."+name+"]\npath = "+strconv.Quote(abs)+"\n"+rest), "toml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEntryPluginGo: a manifest entry of the type the Go template plugin
// defines is rendered into the session.
func TestEntryPluginGo(t *testing.T) {
	m := pluginManifest(t, "template", "go-template-entry.wasm", `
[entries.app]
type = "template"
config = { vars = { name = "demo", port = 8080 }, files = { "README.md" = "# {{.name}}", "conf/app.ini" = "port={{.port}}" } }
`)
	rt := newPluginRuntime(t, goPluginEngine()...)
	ctx := context.Background()
	s, err := rt.Create(ctx, "wasi", providers.SessionSpec{}, runtime.WithManifest(m))
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec1(t, s, "cat app/README.md; echo; cat app/conf/app.ini")
	if err != nil || string(res.Stdout) != "# demo\nport=8080" {
		t.Fatalf("rendered files: %q %v", res.Stdout, err)
	}
}

// TestEntryPluginEscape: an entry plugin that writes outside its
// destination fails the session's creation, and nothing is left behind.
func TestEntryPluginEscape(t *testing.T) {
	m := pluginManifest(t, "hostile", "c-hostile.wasm", `
[entries.dest]
type = "hostile"
`)
	rt := newPluginRuntime(t)
	_, err := rt.Create(context.Background(), "wasi", providers.SessionSpec{}, runtime.WithManifest(m))
	if !errors.Is(err, providers.ErrPathEscape) {
		t.Fatalf("got %v", err)
	}
}

// TestProviderPluginGo: the Go memsandbox provider plugin is used through
// the Runtime exactly like a built-in provider.
func TestProviderPluginGo(t *testing.T) {
	wasm := filepath.Join(t.TempDir(), "memsandbox.wasm")
	if cached := pluginFixture("go-memsandbox.wasm"); fileExists(cached) && os.Getenv("WSBX_TEST_WASM_CACHE") != "" {
		wasm = cached // built by testdata/plugins/build.sh in CI
	} else {
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", wasm, "./examples/memsandbox")
		cmd.Dir = filepath.Join("..", "sdk-plugins", "go")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	rt := newPluginRuntime(t, append(goPluginEngine(), runtime.WithPlugin(runtime.PluginSpec{Path: wasm, Options: plugins.Options{Timeout: 2 * time.Minute, MemoryBytes: 512 << 20}}))...)
	if got := strings.Join(rt.Providers(), ","); got != "memsandbox,wasi" {
		t.Fatalf("providers = %s", got)
	}
	ctx := context.Background()
	s, err := rt.Create(ctx, "memsandbox", providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, "in.txt", strings.NewReader("b\na\nb\n"), 0); err != nil {
		t.Fatal(err)
	}
	res, err := exec1(t, s, "sort in.txt | uniq -c | tr -s ' '")
	if err != nil || string(res.Stdout) != " 1 a\n 2 b\n" {
		t.Fatalf("exec: %q %v", res.Stdout, err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestEntryPluginWritesAreChecked: what an entry plugin writes through the
// host functions passes the session's policies, unlike the built-in entries
// the session's creator wrote.
func TestEntryPluginWritesAreChecked(t *testing.T) {
	m := pluginManifest(t, "template", "go-template-entry.wasm", `
[entries."notes.txt"]
type = "file"
content = "from the creator"

[entries.app]
type = "template"
config = { files = { "README.md" = "readme", "secret.env" = "TOKEN=x" } }
`)
	var mu sync.Mutex
	var asked []string
	noEnv := runtime.PolicyFunc(func(_ context.Context, op, _, subject string) (bool, string, error) {
		mu.Lock()
		asked = append(asked, op+" "+subject)
		mu.Unlock()
		if op == runtime.OpWrite && strings.HasSuffix(subject, ".env") {
			return false, "no env files", nil
		}
		return true, "", nil
	})
	rt := newPluginRuntime(t, goPluginEngine()...)
	_, err := rt.Create(context.Background(), "wasi", providers.SessionSpec{}, runtime.WithManifest(m), runtime.WithPolicy(noEnv))
	if !errors.Is(err, providers.ErrPermissionDenied) || !strings.Contains(err.Error(), "no env files") {
		t.Fatalf("got %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(asked, "write app/README.md") || slices.ContainsFunc(asked, func(a string) bool { return strings.Contains(a, "notes.txt") }) {
		t.Fatalf("the policy was asked %q", asked)
	}
}
