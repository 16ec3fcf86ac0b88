package providertest

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

var lifecycleTests = []testCase{
	{"isolated", testLifecycleIsolated},
	{"close", testLifecycleClose},
	{"close-during-exec", testLifecycleCloseDuringExec},
	{"cancel", testLifecycleCancel},
	{"name", testLifecycleName},
}

func testLifecycleName(t *testing.T, h *harness) {
	if h.p.Name() == "" {
		t.Error("Name() is empty")
	}
}

func testLifecycleIsolated(t *testing.T, h *harness) {
	s1 := h.session(t)
	s2 := h.session(t)
	h.write(t, s1, "mine", "1")
	if _, err := s2.Stat(h.ctx, "mine"); err == nil {
		t.Error("a second session sees the first session's file")
	}
	h.sh(t, s1, "echo x > /tmp/wsbx-isolated")
	if code := h.exitCode(t, s2, "test -e /tmp/wsbx-isolated"); code == 0 {
		t.Error("a second session sees the first session's /tmp")
	}
}

func testLifecycleClose(t *testing.T, h *harness) {
	s, err := h.p.Create(h.ctx, h.spec())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	h.write(t, s, "f", "x")
	if err := s.Close(h.ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(h.ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := h.ctx
	_, err = s.Exec(ctx, providers.ExecRequest{Command: "echo"})
	wantCode(t, "Exec after Close", err, providers.CodeSessionClosed)
	_, err = s.ReadFile(ctx, "f")
	wantCode(t, "ReadFile after Close", err, providers.CodeSessionClosed)
	err = s.WriteFile(ctx, "g", strings.NewReader("x"), 0)
	wantCode(t, "WriteFile after Close", err, providers.CodeSessionClosed)
	_, err = s.List(ctx, ".")
	wantCode(t, "List after Close", err, providers.CodeSessionClosed)
	_, err = s.Stat(ctx, "f")
	wantCode(t, "Stat after Close", err, providers.CodeSessionClosed)
	wantCode(t, "Remove after Close", s.Remove(ctx, "f", false), providers.CodeSessionClosed)
	wantCode(t, "Mkdir after Close", s.Mkdir(ctx, "m", false), providers.CodeSessionClosed)
	if a, ok := s.(providers.Archiver); ok {
		wantCode(t, "ExportArchive after Close", a.ExportArchive(ctx, &bytes.Buffer{}), providers.CodeSessionClosed)
		wantCode(t, "ImportArchive after Close", a.ImportArchive(ctx, &bytes.Buffer{}), providers.CodeSessionClosed)
	}
	if sn, ok := s.(providers.Snapshotter); ok {
		_, err := sn.Snapshot(ctx)
		wantCode(t, "Snapshot after Close", err, providers.CodeSessionClosed)
	}
}

// testLifecycleCloseDuringExec closes a session while a command runs: the
// exec returns and Close succeeds.
func testLifecycleCloseDuringExec(t *testing.T, h *harness) {
	s, err := h.p.Create(h.ctx, h.spec())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	started := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := s.Exec(h.ctx, providers.ExecRequest{
			Command: "echo started; sleep 120",
			Stdout:  &syncBuffer{onData: func([]byte) { once.Do(func() { close(started) }) }},
		})
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("Exec returned before Close: %v", err)
	}
	if err := s.Close(h.ctx); err != nil {
		t.Errorf("Close during an exec: %v", err)
	}
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		t.Fatal("Exec still running 90s after Close")
	}
}

// testLifecycleCancel cancels the context of a running exec.
func testLifecycleCancel(t *testing.T, h *harness) {
	s := h.session(t)
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Exec(ctx, providers.ExecRequest{
			Command: "echo started; sleep 120",
			Stdout:  &syncBuffer{onData: func([]byte) { cancel() }},
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Exec with a cancelled context returned no error")
		}
	case <-time.After(90 * time.Second):
		t.Fatal("Exec still running 90s after its context was cancelled")
	}
	if got := h.sh(t, s, "echo next"); got != "next\n" {
		t.Errorf("the next command printed %q", got)
	}
}
