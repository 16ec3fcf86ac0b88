package plugins

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/wsbx/wsbx/providers/providertest"
	"github.com/wsbx/wsbx/providers/wasi"
)

func benchSet(b *testing.B, cfg Config) *Set {
	s, err := NewSet(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// BenchmarkNoopCall measures a call of an export that does nothing (C-built
// module): what the host adds to every plugin call.
func BenchmarkNoopCall(b *testing.B) {
	s := benchSet(b, Config{CacheDir: testCacheDir})
	p := load(b, s, "c-hostile.wasm", Options{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Call(ctx, "noop", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCapabilityCheck is one check round trip (JSON in, decision out)
// per plugin language.
func BenchmarkCapabilityCheck(b *testing.B) {
	for _, tc := range []struct{ name, fixture, config string }{
		{"go", "go-deny-commands.wasm", `{"patterns": ["^rm\\s+-rf", "curl"]}`},
		{"c", "c-read-only.wasm", ``},
		{"assemblyscript", "as-allow-hosts.wasm", `{"hosts": ["pypi.org"]}`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := benchSet(b, Config{CacheDir: testCacheDir})
			p := load(b, s, tc.fixture, Options{Config: json.RawMessage(tc.config)})
			c, _ := p.Capability()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Check(ctx, "exec", "s", "ls -la /workspace"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadWarmCache loads a Go-built plugin (3.8 MB) with its compiled
// code already in the on-disk cache: a new Set, as a new process would.
func BenchmarkLoadWarmCache(b *testing.B) {
	dir := b.TempDir()
	wasm, err := os.ReadFile(fixture(b, "go-deny-commands.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	warm := benchSet(b, Config{CacheDir: dir})
	if _, err := warm.Load(ctx, Source{Bytes: wasm}, Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		s, err := NewSet(Config{CacheDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Load(ctx, Source{Bytes: wasm}, Options{}); err != nil {
			b.Fatal(err)
		}
		s.Close(ctx)
	}
}

// BenchmarkProviderPlugin runs providertest.Bench against the memsandbox
// provider plugin (the wasi provider compiled into a Go plugin) and, in the
// same run, against the wasi provider itself: the difference is what the
// plugin boundary costs.
func BenchmarkProviderPlugin(b *testing.B) {
	prov := memsandboxProvider(b)
	b.Run("plugin", func(b *testing.B) { providertest.Bench(b, prov) })
	b.Run("wasi", func(b *testing.B) { providertest.Bench(b, wasi.New()) })
}
