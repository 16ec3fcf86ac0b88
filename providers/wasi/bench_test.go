package wasi_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

// BenchmarkCreateEchoClose measures a whole sandbox life on a warm
// provider: create a session, get the output of "echo hi", close.
func BenchmarkCreateEchoClose(b *testing.B) {
	ctx := context.Background()
	p := wasi.New()
	b.ReportAllocs()
	for b.Loop() {
		s, err := p.Create(ctx, providers.SessionSpec{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := s.Exec(ctx, providers.ExecRequest{Command: "echo hi"})
		if err != nil || string(res.Stdout) != "hi\n" {
			b.Fatalf("%v %q", err, res.Stdout)
		}
		s.Close(ctx)
	}
}

// BenchmarkPipeline measures a utility pipeline on an open session.
func BenchmarkPipeline(b *testing.B) {
	ctx := context.Background()
	s, err := wasi.New().Create(ctx, providers.SessionSpec{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	var data strings.Builder
	for i := range 100 {
		data.WriteString([]string{"x apple\n", "banana\n", "x cherry\n", "x apple\n"}[i%4])
	}
	if err := s.WriteFile(ctx, "f", strings.NewReader(data.String()), 0); err != nil {
		b.Fatal(err)
	}
	req := providers.ExecRequest{Command: "grep x f | sort | uniq -c"}
	res, err := s.Exec(ctx, req)
	if err != nil || string(res.Stdout) != "     50 x apple\n     25 x cherry\n" {
		b.Fatalf("%v %q %q", err, res.Stdout, res.Stderr)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Exec(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleSessions holds 1,000 open sessions, each having run one
// command, and reports the heap they keep per session.
func BenchmarkIdleSessions(b *testing.B) {
	ctx := context.Background()
	p := wasi.New()
	const n = 1000
	for b.Loop() {
		sessions := make([]providers.Session, n)
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range sessions {
			s, err := p.Create(ctx, providers.SessionSpec{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Exec(ctx, providers.ExecRequest{Command: "echo hi"}); err != nil {
				b.Fatal(err)
			}
			sessions[i] = s
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/session")
		for _, s := range sessions {
			s.Close(ctx)
		}
	}
}

// BenchmarkWASICommand runs a WASI module as a command on an open session
// with a warm compilation cache: a Go-built and a C-built hello.
func BenchmarkWASICommand(b *testing.B) {
	ctx := context.Background()
	h, dir := guests(b)
	for _, m := range []struct{ name, file string }{
		{"go", filepath.Join(dir, "hello.wasm")},
		{"c", filepath.Join("..", "..", "testdata", "guests", "c", "hello.wasm")},
	} {
		b.Run(m.name, func(b *testing.B) {
			wasm, err := os.ReadFile(m.file)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := h.Compile(ctx, wasm); err != nil {
				b.Fatal(err)
			}
			s, err := wasi.New(wasi.WithHost(h)).Create(ctx, providers.SessionSpec{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(ctx)
			if err := s.WriteFile(ctx, "hello.wasm", bytes.NewReader(wasm), 0o755); err != nil {
				b.Fatal(err)
			}
			req := providers.ExecRequest{Argv: []string{"./hello.wasm"}}
			res, err := s.Exec(ctx, req)
			if err != nil || res.ExitCode != 0 || len(res.Stdout) == 0 {
				b.Fatalf("%v exit %d %q %q", err, res.ExitCode, res.Stdout, res.Stderr)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Exec(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGuestDeadline reports how long after its deadline an endless
// guest is stopped.
func BenchmarkGuestDeadline(b *testing.B) {
	ctx := context.Background()
	h, dir := guests(b)
	wasm, err := os.ReadFile(filepath.Join(dir, "spin.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	s, err := wasi.New(wasi.WithHost(h)).Create(ctx, providers.SessionSpec{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.WriteFile(ctx, "spin.wasm", bytes.NewReader(wasm), 0o755); err != nil {
		b.Fatal(err)
	}
	const deadline = 100 * time.Millisecond
	var over time.Duration
	for b.Loop() {
		start := time.Now()
		_, err := s.Exec(ctx, providers.ExecRequest{Argv: []string{"./spin.wasm"}, Timeout: deadline})
		over += time.Since(start) - deadline
		if !errors.Is(err, providers.ErrExecTimeout) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(over.Microseconds())/float64(b.N)/1000, "ms-past-deadline")
}
