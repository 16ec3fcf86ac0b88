package host_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wsbx/wsbx/host"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// BenchmarkCompileWarmDiskCache measures a new Host plus Compile of a module
// already in the on-disk compilation cache, plus Close: the cost a new
// process pays before its first run.
func BenchmarkCompileWarmDiskCache(b *testing.B) {
	for _, g := range []struct {
		name string
		wasm func(testing.TB) []byte
	}{
		{"go-hello", func(tb testing.TB) []byte { return goGuest(tb, "hello") }},
		{"c-hello", cGuest},
	} {
		b.Run(g.name, func(b *testing.B) {
			wasm := g.wasm(b)
			dir := filepath.Join(b.TempDir(), "cache")
			ctx := context.Background()
			warm := func() {
				h, err := host.New(ctx, host.Config{CacheDir: dir})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := h.Compile(ctx, wasm); err != nil {
					b.Fatal(err)
				}
				if err := h.Close(ctx); err != nil {
					b.Fatal(err)
				}
			}
			warm()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				warm()
			}
		})
	}
}

// BenchmarkRun measures instantiating and running a compiled module to its
// end on a warm Host.
func BenchmarkRun(b *testing.B) {
	for _, g := range []struct {
		name string
		wasm func(testing.TB) []byte
		args []string
		exit int
	}{
		{"go-hello", func(tb testing.TB) []byte { return goGuest(tb, "hello") }, []string{"hello"}, 0},
		{"c-hello", cGuest, []string{"hello"}, 0},
		{"c-hello-exit-1", cGuest, []string{"hello", "1"}, 1},
	} {
		b.Run(g.name, func(b *testing.B) {
			h := newHost(b, host.Config{})
			m := compile(b, h, g.wasm(b))
			ctx := context.Background()
			fsys := wasifs.New(wasifs.NewMemLayer())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				exit, err := h.Run(ctx, m, host.RunConfig{Args: g.args, Stdout: io.Discard, FS: fsys, Dir: "/"})
				if err != nil || exit != g.exit {
					b.Fatalf("Run = %d, %v", exit, err)
				}
			}
		})
	}
}

// BenchmarkGuestFileIO measures file throughput of a guest through the
// bridge on an overlay with an in-memory upper layer: 64 MiB in 1 MiB and
// 64 KiB blocks. MB/s counts the whole run (Go runtime start-up included);
// guest-MB/s counts only the guest's I/O loop.
func BenchmarkGuestFileIO(b *testing.B) {
	const mib = 64
	h := newHost(b, host.Config{})
	m := compile(b, h, goGuest(b, "fileio"))
	ctx := context.Background()
	for _, blockKiB := range []int{1024, 64} {
		for _, mode := range []string{"write", "read"} {
			b.Run(fmt.Sprintf("%s-%dKiB", mode, blockKiB), func(b *testing.B) {
				fsys := wasifs.New(wasifs.NewMemLayer())
				run := func(mode string) (n, ns int64) {
					var out, errOut bytes.Buffer
					exit, err := h.Run(ctx, m, host.RunConfig{
						Args:   []string{"fileio", mode, "/data", fmt.Sprint(mib), fmt.Sprint(blockKiB)},
						Stdout: &out, Stderr: &errOut, FS: fsys,
					})
					if err != nil || exit != 0 {
						b.Fatalf("fileio %s = %d, %v: %s", mode, exit, err, errOut.String())
					}
					if _, err := fmt.Sscanf(out.String(), "bytes=%d ns=%d", &n, &ns); err != nil {
						b.Fatalf("fileio output %q: %v", out.String(), err)
					}
					return n, ns
				}
				if mode == "read" {
					run("write")
				}
				b.SetBytes(mib << 20)
				var guestNs int64
				b.ResetTimer()
				for b.Loop() {
					_, ns := run(mode)
					guestNs += ns
				}
				b.ReportMetric(float64(int64(b.N)*mib<<20)/1e6/(float64(guestNs)/1e9), "guest-MB/s")
			})
		}
	}
}

// BenchmarkSpinStop measures how long after its context deadline a guest
// in an endless loop is stopped. The deadline is armed 10ms after the guest
// reports that it spins.
func BenchmarkSpinStop(b *testing.B) {
	h := newHost(b, host.Config{})
	m := compile(b, h, goGuest(b, "spin"))
	var late time.Duration
	b.ResetTimer()
	for b.Loop() {
		ctx := newArmedContext()
		exit, _ := h.Run(ctx, m, host.RunConfig{Stdout: writerFunc(func(p []byte) (int, error) {
			ctx.arm(10 * time.Millisecond)
			return len(p), nil
		})})
		deadline, _ := ctx.Deadline()
		late += time.Since(deadline)
		if exit != host.ExitTimeout {
			b.Fatalf("exit = %d", exit)
		}
	}
	b.ReportMetric(float64(late.Microseconds())/float64(b.N), "µs-after-deadline")
}

// BenchmarkCompileSameBytes measures Compile of bytes the Host has already
// compiled: a sha256 of the module and a map lookup.
func BenchmarkCompileSameBytes(b *testing.B) {
	h := newHost(b, host.Config{})
	wasm := cGuest(b)
	compile(b, h, wasm)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Compile(context.Background(), wasm); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoopIterations runs a Go guest that counts to 10 million, on a
// Host and on a bare wazero runtime without WithCloseOnContextDone. The
// difference is what stopping a runaway guest costs: wazero's compiler then
// leaves compiled code for Go at every loop iteration to check whether the
// module was closed (wazero issue #2466), and Go's Wasm code enters a loop
// in every function as well.
func BenchmarkLoopIterations(b *testing.B) {
	const n = "10000000"
	wasm := goGuest(b, "spin")
	ctx := context.Background()
	b.Run("host", func(b *testing.B) {
		h := newHost(b, host.Config{})
		m := compile(b, h, wasm)
		for b.Loop() {
			if exit, err := h.Run(ctx, m, host.RunConfig{Args: []string{"spin", n}}); exit != 0 || err != nil {
				b.Fatalf("exit %d: %v", exit, err)
			}
		}
	})
	b.Run("no-termination-check", func(b *testing.B) {
		r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
		defer r.Close(ctx)
		wasi_snapshot_preview1.MustInstantiate(ctx, r)
		m, err := r.CompileModule(ctx, wasm)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			mod, err := r.InstantiateModule(ctx, m, wazero.NewModuleConfig().WithArgs("spin", n).WithName(""))
			if err != nil {
				b.Fatal(err)
			}
			mod.Close(ctx)
		}
	})
}
