// Package wasi is the in-process sandbox provider: sessions whose
// filesystem lives in memory (a wasifs overlay) and whose commands run
// inside the Go process, never as host processes and never on host paths.
//
// # Commands
//
// [providers.ExecRequest.Command] is a POSIX shell command line, run by a
// bash-compatible interpreter (a copy of mvdan.cc/sh/v3/interp changed to
// keep off the host): pipes, redirections, &&, ||, variables, globs,
// functions, subshells, here-documents, process substitutions, numeric file
// descriptors and cd. A name resolves, in order, to a shell function or
// builtin; a built-in utility (package coreutils: ls, cat, grep, sed, ...);
// a WASI module (a ".wasm" file or any file starting with the Wasm magic
// number) or shell script on the sandbox PATH or named by path. WASI
// modules run through the [ModuleRunner] given with [WithModuleRunner],
// with the session filesystem mounted at "/". An unknown name gives exit
// status 127 and "NAME: command not found" on stderr.
//
// [providers.ExecRequest.Argv] runs a program without a shell: no
// expansion, no word splitting.
//
// # Files, archives and snapshots
//
// Session file operations take workspace paths (relative to the root, or
// absolute under it) and never follow a symlink out of the root. Sessions
// export and import the portable workspace archive (providers.Archiver).
// With a store ([WithSnapshotStore]) a snapshot commits what changed since
// the last one and the session continues on a new layer; [Provider.Restore]
// and [Provider.Resume] start sessions on a snapshot.
//
// # Limits
//
// A command past its timeout is stopped (builtins and utilities see their
// context end; guests are closed) and Exec returns the partial result, exit
// status 124, and an error with code exec_timeout. Output past the cap
// (providers.DefaultMaxOutputBytes per stream unless set) stops the command
// and marks the result truncated. Guests have no network.
//
// # Concurrency
//
// Sessions are safe for concurrent use. Every Exec has its own interpreter
// (its variables, functions and working directory live only for that Exec);
// all execs and file operations of a session share its filesystem. An idle
// session holds no goroutine.
package wasi
