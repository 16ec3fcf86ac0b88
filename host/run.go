package host

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/afero"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/sys"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// RunConfig describes one run of a guest. It is plain data; Run does not
// keep it.
type RunConfig struct {
	// Args are the guest's arguments, the program name first.
	Args []string

	// Env holds "KEY=value" pairs; entries without "=" are ignored, and a
	// later entry replaces an earlier one with the same key.
	Env []string

	// Stdin is read by the guest; nil gives an empty input. A read that
	// blocks is abandoned when the run's context is done (its data is then
	// lost), so a guest waiting for input still stops at its deadline.
	Stdin io.Reader

	// Stdout and Stderr receive the guest's output; nil discards it. A
	// write error is returned to the guest as EIO.
	Stdout, Stderr io.Writer

	// FS is mounted read-write at "/" (see wasifs.MountFS); nil gives the
	// guest no filesystem.
	FS afero.Fs

	// Dir is the working directory, an absolute path in FS, passed as PWD.
	Dir string

	// MemoryLimitPages overrides the Host's limit for this run; zero keeps
	// it. At most 65536.
	MemoryLimitPages uint32
}

// Run instantiates m with rc, runs its _start function to the end and
// returns the guest's exit status. The instance is anonymous and closed
// before Run returns. Run is safe for concurrent use.
//
// A guest that exits gives its status and a nil error, unless it exits
// non-zero after its context is done (it failed because of that, say when a
// read of Stdin was abandoned), which counts as a timeout. Otherwise the
// error tells why, with the status listed:
//
//   - ExitTimeout and an error matching providers.ErrExecTimeout and
//     context.DeadlineExceeded when ctx's deadline passes;
//   - ExitCanceled and context.Canceled when ctx is canceled;
//   - ExitMemoryLimit and ErrMemoryLimit when the guest was refused memory
//     past its limit and then failed (also when its memory starts past the
//     limit, without running it);
//   - ExitTrap and ErrTrap when the guest trapped;
//   - -1 and ErrClosed when the Host is or gets closed, ErrForeignModule
//     for a Module of another Host, or an error about rc (an argument with
//     a NUL byte, a memory limit over 65536 pages).
func (h *Host) Run(ctx context.Context, m *Module, rc RunConfig) (int, error) {
	if m == nil || m.h != h {
		return -1, ErrForeignModule
	}
	if err := h.enter(); err != nil {
		return -1, err
	}
	defer h.busy.Done()

	limit := h.cfg.MemoryLimitPages
	if rc.MemoryLimitPages != 0 {
		limit = rc.MemoryLimitPages
	}
	if limit > maxMemoryPages {
		return -1, fmt.Errorf("host: run: memory limit of %d pages is over the maximum of %d", limit, maxMemoryPages)
	}
	for i, a := range rc.Args {
		if strings.IndexByte(a, 0) >= 0 {
			return -1, fmt.Errorf("host: run: argument %d contains a NUL byte", i)
		}
	}
	if m.minPages > limit {
		return ExitMemoryLimit, fmt.Errorf("host: run: module memory starts at %d pages, over the limit of %d: %w", m.minPages, limit, ErrMemoryLimit)
	}

	// The run ends when ctx is done or the Host closes.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(h.done, cancel)
	defer stop()

	alloc := &limitAllocator{limit: uint64(limit) * wasmPage}
	mc := h.moduleConfig(runCtx, rc)
	mod, err := h.runtime.InstantiateModule(experimental.WithMemoryAllocator(runCtx, alloc), m.compiled, mc)
	if mod != nil {
		_ = mod.Close(context.Background())
	}
	return h.outcome(ctx, err, alloc.hit.Load())
}

// outcome turns the result of a run into an exit status and error.
func (h *Host) outcome(ctx context.Context, err error, memoryHit bool) (int, error) {
	if err == nil {
		return 0, nil
	}
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()

	var exit *sys.ExitError
	if errors.As(err, &exit) {
		switch code := exit.ExitCode(); code {
		case sys.ExitCodeDeadlineExceeded, sys.ExitCodeContextCanceled:
			// Fall through to the context checks below.
		case 0:
			return 0, nil
		default:
			if memoryHit {
				return ExitMemoryLimit, fmt.Errorf("host: run: guest exited with status %d: %w", code, ErrMemoryLimit)
			}
			if ctx.Err() == nil && !closed {
				return int(code), nil
			}
			// A guest failing once its context is done failed because of
			// it (a read of Stdin was abandoned, say): fall through.
		}
	}
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return ExitTimeout, &providers.Error{Code: providers.CodeExecTimeout, Op: "run", Err: context.DeadlineExceeded}
	case ctx.Err() != nil:
		return ExitCanceled, fmt.Errorf("host: run: %w", ctx.Err())
	case closed:
		return -1, ErrClosed
	case memoryHit:
		return ExitMemoryLimit, fmt.Errorf("host: run: %w: %w", ErrMemoryLimit, err)
	}
	return ExitTrap, fmt.Errorf("host: run: %w: %w", ErrTrap, err)
}

// moduleConfig builds the wazero configuration of one run.
func (h *Host) moduleConfig(ctx context.Context, rc RunConfig) wazero.ModuleConfig {
	mc := wazero.NewModuleConfig().
		WithName(""). // anonymous: runs never collide
		WithArgs(rc.Args...).
		WithSysWalltime().
		WithSysNanotime().
		WithNanosleep(func(ns int64) { sleepCtx(ctx, ns) }).
		WithRandSource(rand.Reader)
	for _, kv := range envPairs(rc.Env, rc.Dir) {
		mc = mc.WithEnv(kv[0], kv[1])
	}
	if rc.Stdin != nil {
		mc = mc.WithStdin(guestStdin(ctx, rc.Stdin))
	}
	if rc.Stdout != nil {
		mc = mc.WithStdout(rc.Stdout)
	}
	if rc.Stderr != nil {
		mc = mc.WithStderr(rc.Stderr)
	}
	if rc.FS != nil {
		mount := wasifs.MountFS(rc.FS).(experimentalsys.FS)
		mc = mc.WithFSConfig(wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(mount, "/"))
	}
	return mc
}

// envPairs splits env into key/value pairs, later keys replacing earlier
// ones in place, and sets PWD to dir when dir is not empty.
func envPairs(env []string, dir string) [][2]string {
	pairs := make([][2]string, 0, len(env)+1)
	index := make(map[string]int, len(env)+1)
	set := func(k, v string) {
		if i, ok := index[k]; ok {
			pairs[i][1] = v
			return
		}
		index[k] = len(pairs)
		pairs = append(pairs, [2]string{k, v})
	}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.IndexByte(kv, 0) >= 0 {
			continue
		}
		set(k, v)
	}
	if dir != "" {
		set("PWD", dir)
	}
	return pairs
}

// sleepCtx sleeps for ns nanoseconds or until ctx is done.
func sleepCtx(ctx context.Context, ns int64) {
	if ns <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(ns))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
