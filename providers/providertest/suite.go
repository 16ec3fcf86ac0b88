// Package providertest is the conformance suite that every wsbx provider
// passes.
//
// A provider adopts it with one test:
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, func(t *testing.T) providers.Provider {
//			return myprovider.New(...)
//		})
//	}
//
// Run creates sessions with the provider and checks exec (shell strings,
// argv, environment, working directory, stdin, streamed output, exit codes,
// timeouts, output caps, concurrency), workspace files (write, read, list,
// stat, remove, mkdir, binary and large content, typed errors), path
// confinement (hostile paths and symlinks), the portable workspace archive
// (when the session is a [providers.Archiver]), native snapshots and resume
// (when the provider offers them; a Snapshot failing with
// providers.CodeUnsupported skips) and Close. [RunTransfer] moves a
// workspace between two providers through the portable archive.
//
// Every check is a named subtest ("exec/timeout", "files/large", ...). A
// provider that cannot support one skips it by name, always with a reason:
//
//	providertest.Run(t, newProvider,
//		providertest.Skip("files/large", "the backend caps files at 10 MiB"))
//
// The commands the suite runs are limited to what both busybox and the wasi
// provider's built-in utilities offer: sh with its builtins, echo, cat, ls,
// printf, sleep, touch, ln, mkdir, wc, head, yes and test.
package providertest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// NewProvider returns the provider under test. Run calls it once per
// top-level group of subtests; t is that group's test.
type NewProvider func(t *testing.T) providers.Provider

// Option adjusts a Run.
type Option func(*config)

type config struct {
	spec    providers.SessionSpec
	skip    map[string]string
	timeout time.Duration
}

// Skip skips the subtest with the given name ("exec/timeout", "files/large",
// "archive", ...) and every subtest below it. reason is printed; an empty
// reason fails the run.
func Skip(name, reason string) Option {
	return func(c *config) { c.skip[name] = reason }
}

// WithSpec sets the base SessionSpec of every session the suite creates
// (provider options, labels, limits). Subtests that need a root, an
// environment or limits add them to a copy.
func WithSpec(spec providers.SessionSpec) Option {
	return func(c *config) { c.spec = spec }
}

// WithTimeout bounds each subtest (5 minutes by default).
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// Run runs the conformance suite against the provider that newProvider
// returns.
func Run(t *testing.T, newProvider NewProvider, opts ...Option) {
	t.Helper()
	c := &config{skip: map[string]string{}, timeout: 5 * time.Minute}
	for _, o := range opts {
		o(c)
	}
	for name, reason := range c.skip {
		if strings.TrimSpace(reason) == "" {
			t.Fatalf("providertest.Skip(%q) needs a reason", name)
		}
	}
	s := &suite{cfg: c, newProvider: newProvider}
	s.group(t, "exec", execTests)
	s.group(t, "files", fileTests)
	s.group(t, "confinement", confinementTests)
	s.group(t, "archive", archiveTests)
	s.group(t, "snapshot", snapshotTests)
	s.group(t, "state", stateTests)
	s.group(t, "lifecycle", lifecycleTests)
}

// testCase is one named subtest of a group.
type testCase struct {
	name string
	fn   func(t *testing.T, h *harness)
}

type suite struct {
	cfg         *config
	newProvider NewProvider
}

// group runs the cases of one group against one provider value.
func (s *suite) group(t *testing.T, name string, cases []testCase) {
	t.Run(name, func(t *testing.T) {
		if reason, ok := s.cfg.skip[name]; ok {
			t.Skip(reason)
		}
		p := s.newProvider(t)
		if p == nil {
			t.Fatal("the provider factory returned nil")
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if reason, ok := s.cfg.skip[name+"/"+tc.name]; ok {
					t.Skip(reason)
				}
				ctx, cancel := context.WithTimeout(context.Background(), s.cfg.timeout)
				defer cancel()
				tc.fn(t, &harness{ctx: ctx, p: p, cfg: s.cfg})
			})
		}
	})
}

// harness gives one subtest its provider, context and session helpers.
type harness struct {
	ctx context.Context
	p   providers.Provider
	cfg *config
}

// spec returns a copy of the base spec that a subtest may change.
func (h *harness) spec() providers.SessionSpec {
	s := h.cfg.spec
	s.Env = cloneMap(s.Env)
	s.Labels = cloneMap(s.Labels)
	return s
}

// session creates a session from the base spec, closed when t ends.
func (h *harness) session(t *testing.T) providers.Session {
	t.Helper()
	return h.sessionWith(t, h.spec())
}

// sessionWith creates a session from spec, closed when t ends.
func (h *harness) sessionWith(t *testing.T, spec providers.SessionSpec) providers.Session {
	t.Helper()
	s, err := h.p.Create(h.ctx, spec)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if s == nil {
		t.Fatal("Create returned a nil session and no error")
	}
	closeOnCleanup(t, s)
	return s
}

// closeOnCleanup closes s when t ends, with a fresh context (t's context may
// be done by then).
func closeOnCleanup(t *testing.T, s providers.Session) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// sh runs a shell command that must succeed and returns its stdout.
func (h *harness) sh(t *testing.T, s providers.Session, cmd string) string {
	t.Helper()
	res, err := s.Exec(h.ctx, providers.ExecRequest{Command: cmd})
	if err != nil {
		t.Fatalf("Exec(%q): %v", cmd, err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("Exec(%q): exit %d, stderr %q", cmd, res.ExitCode, res.Stderr)
	}
	return string(res.Stdout)
}

// exitCode runs a shell command and returns its exit code.
func (h *harness) exitCode(t *testing.T, s providers.Session, cmd string) int {
	t.Helper()
	res, err := s.Exec(h.ctx, providers.ExecRequest{Command: cmd})
	if err != nil {
		t.Fatalf("Exec(%q): %v", cmd, err)
	}
	return res.ExitCode
}

// write writes a small file that must succeed.
func (h *harness) write(t *testing.T, s providers.Session, path, content string) {
	t.Helper()
	if err := s.WriteFile(h.ctx, path, strings.NewReader(content), 0); err != nil {
		t.Fatalf("WriteFile(%q): %v", path, err)
	}
}

// wantCode fails t unless err is a *providers.Error with code.
func wantCode(t *testing.T, what string, err error, code providers.Code) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want %s", what, code)
		return
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Errorf("%s: got %T %v, want a *providers.Error with code %s", what, err, err, code)
		return
	}
	if pe.Code != code {
		t.Errorf("%s: got code %s (%v), want %s", what, pe.Code, err, code)
	}
}

// syncBuffer is a goroutine-safe bytes sink for streamed output.
type syncBuffer struct {
	mu     sync.Mutex
	b      []byte
	writes int
	onData func(all []byte)
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.b = append(b.b, p...)
	b.writes++
	all := append([]byte(nil), b.b...)
	fn := b.onData
	b.mu.Unlock()
	if fn != nil {
		fn(all)
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b)
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
