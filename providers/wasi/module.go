package wasi

import (
	"context"
	"io"

	"github.com/spf13/afero"
)

// ModuleRunner runs WASI command modules (wasip1 "_start" programs). The
// host package provides the implementation a Runtime uses.
type ModuleRunner interface {
	// RunModule compiles (or finds compiled) and runs the module wasm with
	// cfg, returning its exit code. It returns promptly when ctx is done.
	// A non-nil error means the module could not run at all (invalid
	// module, out of memory, ...).
	RunModule(ctx context.Context, wasm []byte, cfg ModuleConfig) (exitCode int, err error)
}

// ModuleConfig is what one run of a WASI module sees.
type ModuleConfig struct {
	// Args are the arguments, Args[0] the name the module was called by.
	Args []string
	// Env is the environment as "K=V" pairs.
	Env []string
	// Stdin, Stdout and Stderr are the module's stdio.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// FS is the session filesystem, mounted at "/" in the guest.
	FS afero.Fs
	// Dir is the working directory (PWD), an absolute sandbox path.
	Dir string
	// MemoryBytes caps the guest's linear memory (0: the runner's default).
	MemoryBytes int64
}
