// Package host runs WebAssembly guests for wsbx: it is the one place where
// the wazero runtime is configured.
//
// A [Host] owns a wazero runtime with the compiler engine, a compilation
// cache (on disk when [Config].CacheDir is set, in memory otherwise) and the
// WASI snapshot_preview1 host module. [Host.Compile] compiles a module once
// per Host (keyed by the sha256 of its bytes, errors included);
// [Host.Run] instantiates it anonymously for one run and waits for it:
//
//	h, err := host.New(ctx, host.Config{CacheDir: dir})
//	...
//	defer h.Close(ctx)
//	m, err := h.Compile(ctx, wasm)
//	...
//	exit, err := h.Run(ctx, m, host.RunConfig{
//		Args:   []string{"tool", "-v"},
//		Stdout: &out,
//		FS:     workspace, // an afero.Fs, mounted read-write at "/"
//		Dir:    "/workspace",
//	})
//
// # What a guest gets
//
//   - Its arguments and environment, with PWD set to [RunConfig].Dir (Go
//     wasip1 programs resolve relative paths against PWD; wasi-libc programs
//     start in "/").
//   - Stdin, stdout and stderr as given (nil means empty input and discarded
//     output).
//   - The afero.Fs of [RunConfig].FS mounted at "/" through the bridge of
//     package wasifs, or no filesystem at all.
//   - The host's wall clock and monotonic clock, sleeps that end when the
//     run's context is done, and randomness from crypto/rand.
//   - No network: WASI preview1 has no socket calls beyond sock_accept on
//     preopened sockets, and none are given.
//
// # Limits
//
// When the context of a run is done the guest is stopped at its next
// function call or loop iteration, even in an endless loop; Run then
// returns [ExitTimeout] and an error matching providers.ErrExecTimeout and
// context.DeadlineExceeded (or [ExitCanceled] and context.Canceled). A guest
// blocked reading [RunConfig].Stdin is released too: the read in flight is
// abandoned.
//
// Linear memory is limited to [Config].MemoryLimitPages pages of 64 KiB
// (default [DefaultMemoryLimitPages], 256 MiB), or per run by
// [RunConfig].MemoryLimitPages. A guest that fails after being refused
// memory returns [ExitMemoryLimit] and an error matching [ErrMemoryLimit].
//
// # Plugin host functions
//
// [PluginFunctions] defines the wsbx_* host functions of the plugin ABI
// (plugins/ABI.md): logging, and file access for entry plugins, confined to
// the destination a call was granted with [WithPluginWorkspace] and never
// through a symlink. Package plugins moves their bytes in and out of the
// plugin.
//
// # Isolation
//
// Two Hosts share nothing: each has its own runtime, compiled modules and,
// unless both are given the same CacheDir, compilation cache. A shared
// CacheDir is safe; wazero keys its entries by module and engine version.
package host
