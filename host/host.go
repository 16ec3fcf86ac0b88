package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wsbx/wsbx/internal/wazerocfg"
)

// DefaultMemoryLimitPages is the memory limit of a guest when
// Config.MemoryLimitPages is zero: 4096 pages of 64 KiB, 256 MiB.
const DefaultMemoryLimitPages = 4096

// maxMemoryPages is the most a 32-bit WebAssembly memory can have (4 GiB).
const maxMemoryPages = 65536

// Config configures a Host. It is plain data, copied by New.
type Config struct {
	// CacheDir is a directory for wazero's on-disk compilation cache,
	// created if missing. Empty keeps the cache in memory, owned by the
	// Host. Hosts, and processes, may share a CacheDir.
	CacheDir string

	// MemoryLimitPages limits the linear memory of each guest, in pages
	// of 64 KiB. Zero means DefaultMemoryLimitPages; at most 65536.
	MemoryLimitPages uint32

	// Interpreter selects wazero's interpreter instead of its compiler.
	// The compiler is the default where wazero has one (amd64, arm64);
	// the interpreter compiles faster and runs slower.
	Interpreter bool
}

// Host runs WebAssembly guests. It is safe for concurrent use: any number of
// goroutines may Compile and Run at once.
type Host struct {
	cfg      Config
	cache    wazero.CompilationCache
	rtConfig wazero.RuntimeConfig
	runtime  wazero.Runtime

	// done is canceled by Close, which stops the runs in flight.
	done   context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	closed  bool
	busy    sync.WaitGroup // compiles and runs in flight
	modules map[[sha256.Size]byte]*compileCall
}

// compileCall is one compilation, shared by every Compile of the same bytes.
type compileCall struct {
	done chan struct{} // closed when m and err are set
	m    *Module
	err  error
}

// Module is a compiled WebAssembly module, ready to Run on the Host that
// compiled it. It is immutable and safe for concurrent use; it lives until
// its Host is closed.
type Module struct {
	h        *Host
	compiled wazero.CompiledModule
	digest   [sha256.Size]byte
	minPages uint32 // the largest minimum of its memories, in pages
}

// Digest returns the hex sha256 of the module's bytes.
func (m *Module) Digest() string { return hex.EncodeToString(m.digest[:]) }

// New returns a Host configured by cfg.
//
// # Errors
//
// New fails when cfg.MemoryLimitPages is over 65536, when CacheDir cannot
// be created, or when the WASI host module cannot be instantiated.
func New(ctx context.Context, cfg Config) (*Host, error) {
	if cfg.MemoryLimitPages == 0 {
		cfg.MemoryLimitPages = DefaultMemoryLimitPages
	}
	if cfg.MemoryLimitPages > maxMemoryPages {
		return nil, fmt.Errorf("host: memory limit of %d pages is over the maximum of %d", cfg.MemoryLimitPages, maxMemoryPages)
	}
	var cache wazero.CompilationCache
	if cfg.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("host: compilation cache: %w", err)
		}
		cache = c
	} else {
		cache = wazero.NewCompilationCache()
	}
	rc := wazerocfg.RuntimeConfig(cache, cfg.Interpreter)
	r := wazero.NewRuntimeWithConfig(ctx, rc)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
		_ = r.Close(ctx)
		_ = cache.Close(ctx)
		return nil, fmt.Errorf("host: instantiate wasi_snapshot_preview1: %w", err)
	}
	done, cancel := context.WithCancel(context.Background())
	return &Host{
		cfg:      cfg,
		cache:    cache,
		rtConfig: rc,
		runtime:  r,
		done:     done,
		cancel:   cancel,
		modules:  map[[sha256.Size]byte]*compileCall{},
	}, nil
}

// Engine returns the wazero settings of h, for package plugins, which runs
// Extism plug-ins on the same engine and compilation cache. Its type lives in
// an internal package, so only wsbx itself can use it. The result stays
// valid until h is closed.
func (h *Host) Engine() *wazerocfg.Engine {
	return &wazerocfg.Engine{RuntimeConfig: h.rtConfig}
}

// enter registers a compile or run; the caller must call h.busy.Done.
func (h *Host) enter() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	h.busy.Add(1)
	return nil
}

// Compile compiles wasm, a WebAssembly binary that imports nothing but WASI
// snapshot_preview1, or returns the Module compiled earlier from the same
// bytes. Concurrent calls with the same bytes compile once; a failed
// compilation is remembered too, and later calls return its error without
// compiling again. Compiled modules stay in memory until the Host is
// closed. Compile is safe for concurrent use.
//
// # Errors
//
//   - ErrClosed after Close.
//   - the context's error, if it is done while waiting for another
//     goroutine's compilation of the same bytes.
//   - an error naming the problem when wasm is not valid WebAssembly or
//     imports a module other than wasi_snapshot_preview1.
func (h *Host) Compile(ctx context.Context, wasm []byte) (*Module, error) {
	if err := h.enter(); err != nil {
		return nil, err
	}
	defer h.busy.Done()
	sum := sha256.Sum256(wasm)
	h.mu.Lock()
	call, ok := h.modules[sum]
	if !ok {
		call = &compileCall{done: make(chan struct{})}
		h.modules[sum] = call
	}
	h.mu.Unlock()
	if ok {
		select {
		case <-call.done:
			return call.m, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call.m, call.err = h.compile(ctx, wasm, sum)
	if call.err != nil && ctx.Err() != nil {
		// A failure caused by the caller's context is not the module's:
		// forget it, so the next Compile tries again.
		h.mu.Lock()
		delete(h.modules, sum)
		h.mu.Unlock()
	}
	close(call.done)
	return call.m, call.err
}

func (h *Host) compile(ctx context.Context, wasm []byte, sum [sha256.Size]byte) (*Module, error) {
	cm, err := h.runtime.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("host: compile: %w", err)
	}
	for _, f := range cm.ImportedFunctions() {
		if mod, name, _ := f.Import(); mod != wasi_snapshot_preview1.ModuleName {
			_ = cm.Close(ctx)
			return nil, fmt.Errorf("host: compile: module imports %s.%s; only %s is provided", mod, name, wasi_snapshot_preview1.ModuleName)
		}
	}
	if len(cm.ImportedMemories()) != 0 {
		_ = cm.Close(ctx)
		return nil, errors.New("host: compile: module imports a memory; none is provided")
	}
	m := &Module{h: h, compiled: cm, digest: sum}
	for _, mem := range cm.ExportedMemories() {
		m.minPages = max(m.minPages, mem.Min())
	}
	return m, nil
}

// Close stops the runs in flight, waits for them, and releases everything
// the Host holds: its runtime, compiled modules and in-memory compilation
// cache (an on-disk cache stays on disk). Later calls of any method return
// ErrClosed; Close itself may be called again and returns nil.
func (h *Host) Close(ctx context.Context) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.busy.Wait()
	err := h.runtime.Close(ctx)
	if cerr := h.cache.Close(ctx); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("host: close: %w", err)
	}
	return nil
}
