// Package providers is the contract between wsbx and its backends.
//
// A [Provider] creates [Session]s; a Session is one live sandbox: a workspace
// root plus the ability to run commands in it. Every backend (the in-process
// wasi provider, local, docker, the cloud providers, Wasm provider plugins)
// implements these interfaces and passes the shared conformance suite in
// package providertest.
//
// The request and response types carry JSON tags: they are also the messages
// of the plugin ABI (see plugins/ABI.md), so a provider written as a Wasm
// plugin exchanges exactly these values.
//
// Optional powers (workspace archives, snapshots, resumable state) are small
// separate interfaces that a Session or Provider may implement; callers find
// them by type assertion.
//
// # Paths
//
// Paths given to Session file operations name files in the workspace. A
// relative path is resolved against the workspace root; an absolute path is
// accepted only when it lies under the workspace root. A path that would leave
// the root (through "..", an absolute path elsewhere, a symlink or a NUL byte)
// fails with code [CodePathEscape] and never touches anything outside.
//
// # Errors
//
// Every error a provider returns for an ordinary failure is, or wraps, an
// [*Error] with a stable [Code]. Callers branch with errors.Is against the
// sentinel values (ErrExecTimeout, ErrNotFound, ...) or errors.As to read the
// fields. Errors never contain secret values.
//
// This package imports nothing else of wsbx, and nothing outside the standard
// library.
package providers
