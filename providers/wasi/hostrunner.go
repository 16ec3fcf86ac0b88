package wasi

import (
	"context"

	"github.com/wsbx/wsbx/host"
)

// WithHost runs WASI modules on h (a ModuleRunner over package host). The
// provider does not close h.
func WithHost(h *host.Host) Option {
	return WithModuleRunner(hostRunner{h})
}

// hostRunner adapts a *host.Host to ModuleRunner. Compile is cached by the
// Host (by the module's sha256), so a module is compiled once per Host.
type hostRunner struct{ h *host.Host }

const wasmPageBytes = 64 << 10

func (r hostRunner) RunModule(ctx context.Context, wasm []byte, cfg ModuleConfig) (int, error) {
	m, err := r.h.Compile(ctx, wasm)
	if err != nil {
		return exitNotExecutable, err
	}
	var pages uint32
	if cfg.MemoryBytes > 0 {
		pages = uint32(min((cfg.MemoryBytes+wasmPageBytes-1)/wasmPageBytes, 65536))
	}
	return r.h.Run(ctx, m, host.RunConfig{
		Args:             cfg.Args,
		Env:              cfg.Env,
		Stdin:            cfg.Stdin,
		Stdout:           cfg.Stdout,
		Stderr:           cfg.Stderr,
		FS:               cfg.FS,
		Dir:              cfg.Dir,
		MemoryLimitPages: pages,
	})
}
