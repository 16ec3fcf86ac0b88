// Package coreutils holds the built-in utilities of the wasi provider: ls,
// cat, grep, sed, find, tar, jq and the other commands agents reach for,
// written in Go and compatible with GNU for the flags agents use.
//
// A utility sees only what its [Env] gives it: the session filesystem, the
// current directory and stdio. It never opens a host path and never starts a
// host process.
package coreutils

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"sync"

	"github.com/spf13/afero"
)

// Env is what a utility sees: the session filesystem and its stdio, never the
// host.
type Env struct {
	// FS is the session filesystem. Paths are absolute sandbox paths
	// ("/workspace/a").
	FS afero.Fs
	// Dir is the current directory, an absolute sandbox path.
	Dir    string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv returns the value of an environment variable ("" if unset).
	Getenv func(name string) string
	// Environ returns the environment as sorted "K=V" pairs.
	Environ func() []string
	// Exec runs another command through the session's command lookup
	// (builtins, utilities, WASI modules) with this Env's stdio and
	// directory, and returns its exit status. Used by xargs, find -exec and
	// env.
	Exec func(ctx context.Context, args []string) int
	// LookPath reports how a command name resolves: "builtin", "utility",
	// or the sandbox path of a WASI module; "" when it is not found.
	LookPath func(name string) string
}

// Abs resolves p against the current directory and cleans it.
func (e *Env) Abs(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(e.Dir, p)
}

// Errorf prints "name: message" to Stderr.
func (e *Env) Errorf(name, format string, args ...any) {
	fmt.Fprintf(e.Stderr, name+": "+format+"\n", args...)
}

// Command is one utility. args[0] is the name it was called by. It returns the
// exit status, prints its errors to env.Stderr as "name: message", and stops
// promptly when ctx is done.
type Command func(ctx context.Context, env *Env, args []string) int

// Set is a registry of utilities. It is safe for concurrent use.
type Set struct {
	mu   sync.RWMutex
	cmds map[string]Command
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{cmds: make(map[string]Command)} }

// Default returns a new Set holding every built-in utility.
func Default() *Set {
	s := NewSet()
	registerFileUtils(s)
	registerTextUtils(s)
	return s
}

// Register adds or replaces the utility called name.
func (s *Set) Register(name string, c Command) {
	s.mu.Lock()
	s.cmds[name] = c
	s.mu.Unlock()
}

// Lookup returns the utility called name.
func (s *Set) Lookup(name string) (Command, bool) {
	s.mu.RLock()
	c, ok := s.cmds[name]
	s.mu.RUnlock()
	return c, ok
}

// Names returns the names of all utilities, sorted.
func (s *Set) Names() []string {
	s.mu.RLock()
	names := make([]string, 0, len(s.cmds))
	for n := range s.cmds {
		names = append(names, n)
	}
	s.mu.RUnlock()
	sort.Strings(names)
	return names
}
