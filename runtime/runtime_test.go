package runtime_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
	"github.com/wsbx/wsbx/runtime"
)

func TestCreateUnknownProvider(t *testing.T) {
	rt, err := runtime.New()
	if err != nil {
		t.Fatal(err)
	}
	_, err = rt.Create(context.Background(), "wasi", providers.SessionSpec{})
	if providers.CodeOf(err) != providers.CodeProviderNotFound {
		t.Fatalf("got %v", err)
	}
}

func TestDuplicateProvider(t *testing.T) {
	_, err := runtime.New(runtime.WithProvider(wasi.New()), runtime.WithProvider(wasi.New()))
	if providers.CodeOf(err) != providers.CodeInvalidRequest {
		t.Fatalf("got %v", err)
	}
}

func TestCloseClosesSessions(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.New(runtime.WithProvider(wasi.New()))
	if err != nil {
		t.Fatal(err)
	}
	s, err := rt.Create(ctx, "wasi", providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, providers.ExecRequest{Command: "true"}); !errors.Is(err, providers.ErrSessionClosed) {
		t.Fatalf("exec after runtime close: %v", err)
	}
	if _, err := rt.Create(ctx, "wasi", providers.SessionSpec{}); !errors.Is(err, providers.ErrSessionClosed) {
		t.Fatalf("create after close: %v", err)
	}
	if err := rt.Close(ctx); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestDefaultLimits(t *testing.T) {
	ctx := context.Background()
	rt, err := runtime.New(runtime.WithProvider(wasi.New()), runtime.WithLimits(providers.Limits{MaxOutputBytes: 10}))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	s, err := rt.Create(ctx, "wasi", providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Exec(ctx, providers.ExecRequest{Command: "echo 0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.StdoutTruncated || string(res.Stdout) != "0123456789" {
		t.Fatalf("got %q truncated=%v", res.Stdout, res.StdoutTruncated)
	}
}

// TestTwoRuntimesDoNotInterfere runs two Runtimes side by side: sessions,
// files, closing one, and utility registrations stay apart.
func TestTwoRuntimesDoNotInterfere(t *testing.T) {
	ctx := context.Background()
	p1, p2 := wasi.New(), wasi.New()
	rt1, err := runtime.New(runtime.WithProvider(p1))
	if err != nil {
		t.Fatal(err)
	}
	rt2, err := runtime.New(runtime.WithProvider(p2), runtime.WithLimits(providers.Limits{MaxOutputBytes: 3}))
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close(ctx)
	s1, err := rt1.Create(ctx, "wasi", providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := rt2.Create(ctx, "wasi", providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, s := range []*runtime.Session{s1, s2} {
		wg.Go(func() {
			for range 20 {
				if _, err := s.Exec(ctx, providers.ExecRequest{Command: "echo rt" + string(rune('1'+i)) + " > mine.txt"}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for i, s := range []*runtime.Session{s1, s2} {
		rc, err := s.ReadFile(ctx, "mine.txt")
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if want := "rt" + string(rune('1'+i)) + "\n"; string(data) != want {
			t.Errorf("session %d sees %q, want %q", i+1, data, want)
		}
	}
	// Limits are per Runtime.
	res, err := s1.Exec(ctx, providers.ExecRequest{Command: "echo abcdef"})
	if err != nil || string(res.Stdout) != "abcdef\n" {
		t.Fatalf("rt1 output %q %v", res.Stdout, err)
	}
	res, err = s2.Exec(ctx, providers.ExecRequest{Command: "echo abcdef"})
	if err != nil || string(res.Stdout) != "abc" {
		t.Fatalf("rt2 output %q %v", res.Stdout, err)
	}
	// Closing one Runtime leaves the other's sessions alive.
	if err := rt1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Exec(ctx, providers.ExecRequest{Command: "true"}); !errors.Is(err, providers.ErrSessionClosed) {
		t.Fatalf("rt1 session after close: %v", err)
	}
	if res, err := s2.Exec(ctx, providers.ExecRequest{Command: "echo ok"}); err != nil || !strings.HasPrefix(string(res.Stdout), "ok") {
		t.Fatalf("rt2 session after rt1 closed: %q %v", res.Stdout, err)
	}
	if got := rt2.Providers(); len(got) != 1 || got[0] != "wasi" {
		t.Fatalf("providers %v", got)
	}
}

func TestWithWASI(t *testing.T) {
	ctx := context.Background()
	if _, err := runtime.New(runtime.WithWASI(), runtime.WithProvider(wasi.New())); providers.CodeOf(err) != providers.CodeInvalidRequest {
		t.Fatalf("WithWASI and another wasi provider: %v", err)
	}
	rt, err := runtime.New(runtime.WithWASI(), runtime.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	s, err := rt.Create(ctx, "wasi", providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	// A module that is not valid Wasm past its magic number reaches the
	// engine, which refuses it.
	if err := s.WriteFile(ctx, "bad.wasm", strings.NewReader("\x00asm\x01\x00\x00\x00\xff"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := s.Exec(ctx, providers.ExecRequest{Command: "./bad.wasm"})
	if err != nil || res.ExitCode != 126 || strings.Contains(string(res.Stderr), "no module runner") {
		t.Fatalf("exit %d stderr %q err %v", res.ExitCode, res.Stderr, err)
	}
	if err := rt.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
