// Package wazerocfg holds the wazero runtime settings of wsbx, so that
// package host (WASI commands) and package plugins (Extism plug-ins) run
// guests the same way. Being internal, it may carry wazero types, which the
// public packages keep out of their signatures.
package wazerocfg

import "github.com/tetratelabs/wazero"

// RuntimeConfig returns the wazero configuration wsbx runs guests with: the
// compiler engine (the interpreter when interpreter is true, or where wazero
// has no compiler), the given compilation cache, guests closed when their
// context is done (without it a spinning guest stalls its goroutine for
// good), and no DWARF-based stack traces (building one costs milliseconds
// on every failing guest).
//
// It sets no memory page limit: package host enforces per-run limits with
// its own memory allocator, and Extism plug-ins take theirs from their
// manifest.
func RuntimeConfig(cache wazero.CompilationCache, interpreter bool) wazero.RuntimeConfig {
	rc := wazero.NewRuntimeConfig()
	if interpreter {
		rc = wazero.NewRuntimeConfigInterpreter()
	}
	return rc.
		WithCompilationCache(cache).
		WithCloseOnContextDone(true).
		WithDebugInfoEnabled(false)
}

// Engine is what a host.Host shares with package plugins: its runtime
// configuration, which carries its compilation cache. The host owns the
// cache and closes it; a runtime made from RuntimeConfig must be closed
// before the host is.
type Engine struct {
	RuntimeConfig wazero.RuntimeConfig
}
