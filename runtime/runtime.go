// Package runtime is the API a Go program embeds wsbx with.
//
// A [Runtime] holds the providers a program registers, default limits and
// the WebAssembly engine with its compilation cache; it creates [Session]s
// and releases all of them, and the engine, on Close. Its configuration is fixed by [New]. Two Runtimes in one process
// share nothing.
//
//	rt, err := runtime.New(runtime.WithWASI())
//	...
//	defer rt.Close(ctx)
//	s, err := rt.Create(ctx, "wasi", providers.SessionSpec{})
//	res, err := s.Exec(ctx, providers.ExecRequest{Command: "echo hi"})
package runtime

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/wsbx/wsbx/host"
	"github.com/wsbx/wsbx/manifest"
	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

// Runtime creates sessions on its registered providers. It is safe for
// concurrent use.
type Runtime struct {
	cfg     config
	host    *host.Host // nil without WithWASI
	plugins *pluginState
	nextID  atomic.Uint64
	// layers keeps the wasi provider's snapshots in memory; templates maps
	// a pinned manifest's key to the snapshot of its materialized entries.
	layers    *memLayers
	templates sync.Map // string -> providers.SnapshotRef

	mu       sync.Mutex
	closed   bool
	sessions map[*Session]struct{}
}

type config struct {
	providers map[string]providers.Provider
	limits    providers.Limits
	cacheDir  string
	wasi      []wasi.Option // WithWASI was given
	wantWASI  bool

	plugins           []PluginSpec
	pluginInterpreter bool
}

// Option configures a Runtime.
type Option func(*config) error

// WithProvider registers p under p.Name(). Registering two providers with
// one name is an error.
func WithProvider(p providers.Provider) Option {
	return func(c *config) error {
		if p == nil {
			return &providers.Error{Code: providers.CodeInvalidRequest, Op: "new", Message: "nil provider"}
		}
		name := p.Name()
		if _, dup := c.providers[name]; dup {
			return &providers.Error{Code: providers.CodeInvalidRequest, Op: "new", Target: name, Message: "provider registered twice"}
		}
		c.providers[name] = p
		return nil
	}
}

// WithWASI registers the in-process wasi provider, running WASI modules on
// the Runtime's own WebAssembly engine and compilation cache (see
// WithCacheDir). It is what a typical Go host registers.
func WithWASI(opts ...wasi.Option) Option {
	return func(c *config) error {
		if _, dup := c.providers[wasi.Name]; dup || c.wantWASI {
			return &providers.Error{Code: providers.CodeInvalidRequest, Op: "new", Target: wasi.Name, Message: "provider registered twice"}
		}
		c.wantWASI = true
		c.wasi = opts
		return nil
	}
}

// WithLimits sets the limits applied to every session whose spec leaves a
// limit zero.
func WithLimits(l providers.Limits) Option {
	return func(c *config) error {
		c.limits = l
		return nil
	}
}

// WithCacheDir sets the directory of the on-disk compilation cache of
// WebAssembly modules ("" keeps the cache in memory).
func WithCacheDir(dir string) Option {
	return func(c *config) error {
		c.cacheDir = dir
		return nil
	}
}

// New returns a Runtime.
//
// # Errors
//
// CodeInvalidRequest for an invalid option (a nil or duplicate provider);
// CodeSessionCreateError when the WebAssembly engine of WithWASI cannot
// start (for instance an unusable cache directory).
func New(opts ...Option) (*Runtime, error) {
	rt := &Runtime{
		cfg:      config{providers: make(map[string]providers.Provider)},
		sessions: make(map[*Session]struct{}),
	}
	for _, o := range opts {
		if err := o(&rt.cfg); err != nil {
			return nil, err
		}
	}
	if rt.cfg.wantWASI {
		if _, dup := rt.cfg.providers[wasi.Name]; dup {
			return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "new", Target: wasi.Name, Message: "provider registered twice"}
		}
		h, err := host.New(context.Background(), host.Config{CacheDir: rt.cfg.cacheDir})
		if err != nil {
			return nil, providers.NewError(providers.CodeSessionCreateError, "new", "", err)
		}
		rt.host = h
		// The in-memory snapshot store comes first, so that an option of
		// the program's own (WithSnapshotStore) replaces it.
		rt.layers = newMemLayers()
		rt.cfg.providers[wasi.Name] = wasi.New(append([]wasi.Option{wasi.WithHost(h), wasi.WithSnapshotStore(rt.layers)}, rt.cfg.wasi...)...)
	}
	if err := rt.startPlugins(context.Background()); err != nil {
		if rt.host != nil {
			rt.host.Close(context.Background())
		}
		return nil, err
	}
	return rt, nil
}

// Providers returns the names of the registered providers, sorted.
func (rt *Runtime) Providers() []string {
	names := make([]string, 0, len(rt.cfg.providers))
	for n := range rt.cfg.providers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CacheDir returns the compilation cache directory ("" for memory).
func (rt *Runtime) CacheDir() string { return rt.cfg.cacheDir }

// Create starts a session on the provider registered as provider. Limits
// the spec leaves zero take the Runtime's defaults. The session lives until
// its Close or the Runtime's.
//
// # Errors
//
// CodeProviderNotFound for an unknown provider; CodeSessionClosed after
// Close; the provider's errors (CodeSessionCreateError,
// CodeInvalidRequest); with WithManifest, the manifest's and plugins' errors
// (CodeInvalidManifest, CodePluginError, the materialization codes) and
// CodePermissionDenied for a network grant the policies refuse.
func (rt *Runtime) Create(ctx context.Context, provider string, spec providers.SessionSpec, opts ...CreateOption) (*Session, error) {
	p, ok := rt.cfg.providers[provider]
	if !ok {
		return nil, &providers.Error{Code: providers.CodeProviderNotFound, Op: "create", Target: provider, Message: "no such provider registered"}
	}
	cc := &createConfig{sessionID: provider + "-" + strconv.FormatUint(rt.nextID.Add(1), 10)}
	for _, o := range opts {
		o(cc)
	}
	policies, mopts, err := rt.prepare(ctx, &spec, cc)
	if err != nil {
		return nil, err
	}
	spec.Limits = spec.Limits.Or(rt.cfg.limits)
	rt.mu.Lock()
	closed := rt.closed
	rt.mu.Unlock()
	if closed {
		return nil, &providers.Error{Code: providers.CodeSessionClosed, Op: "create", Message: "runtime closed"}
	}
	raw, err := rt.createRaw(ctx, provider, p, spec, cc, mopts)
	if err != nil {
		return nil, err
	}
	ps := raw
	if len(policies) > 0 {
		ps = &guarded{Session: raw, id: cc.sessionID, root: spec.RootOrDefault(), policies: policies}
	}
	s := &Session{Session: ps, raw: raw, id: cc.sessionID, rt: rt, provider: provider}
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		ps.Close(ctx)
		return nil, &providers.Error{Code: providers.CodeSessionClosed, Op: "create", Message: "runtime closed"}
	}
	rt.sessions[s] = struct{}{}
	rt.mu.Unlock()
	return s, nil
}

// createRaw creates the provider's session and materializes the manifest
// into it. Built-in entries are the session creator's configuration: they
// are written before, and outside of, the session's policies. Entries of a
// plugin's type are written through them (see prepare).
//
// For the wasi provider, a pinned manifest (see pinnedKey) is materialized
// once per Runtime: the workspace it produced is kept as a committed layer,
// and later sessions from the same manifest start on it, sharing it
// read-only instead of copying the entries again.
func (rt *Runtime) createRaw(ctx context.Context, name string, p providers.Provider, spec providers.SessionSpec, cc *createConfig, mopts []manifest.Option) (providers.Session, error) {
	var key string
	restorer, _ := p.(providers.Restorer)
	if cc.manifest != nil && name == wasi.Name && rt.layers != nil && restorer != nil {
		key = pinnedKey(cc.manifest)
	}
	if key != "" {
		if ref, ok := rt.templates.Load(key); ok {
			if s, err := restorer.Restore(ctx, ref.(providers.SnapshotRef), spec); err == nil {
				return s, nil
			}
			rt.templates.Delete(key) // e.g. a program's own store forgot it
		}
	}
	raw, err := p.Create(ctx, spec)
	if err != nil || cc.manifest == nil {
		return raw, err
	}
	if err := manifest.Materialize(ctx, cc.manifest, raw, mopts...); err != nil {
		raw.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if sn, ok := raw.(providers.Snapshotter); ok && key != "" {
		if ref, err := sn.Snapshot(ctx); err == nil {
			rt.templates.Store(key, ref)
		}
	}
	return raw, nil
}

// Close closes every open session and the Runtime. Create fails afterwards.
// It is idempotent and returns the sessions' close errors joined.
func (rt *Runtime) Close(ctx context.Context) error {
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return nil
	}
	rt.closed = true
	sessions := rt.sessions
	rt.sessions = nil
	rt.mu.Unlock()
	var errs []error
	for s := range sessions {
		if err := s.Session.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	// Plugins first: they share the host's compilation cache.
	if err := rt.plugins.set.Close(ctx); err != nil {
		errs = append(errs, err)
	}
	if rt.host != nil {
		if err := rt.host.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (rt *Runtime) forget(s *Session) {
	rt.mu.Lock()
	delete(rt.sessions, s)
	rt.mu.Unlock()
}

// orphanRemover is implemented by providers whose sessions outlive a process
// that did not close them (containers, for instance).
type orphanRemover interface {
	RemoveOrphans(ctx context.Context, labels map[string]string) ([]string, error)
}

// RemoveOrphans asks every registered provider that keeps resources outside
// the process (the docker provider's containers) to remove those no session
// of this Runtime holds, and returns what was removed. Run it when no other
// process is using the same backend: their sessions look orphaned too.
func (rt *Runtime) RemoveOrphans(ctx context.Context) ([]string, error) {
	var removed []string
	var errs []error
	for _, name := range rt.Providers() {
		if r, ok := rt.cfg.providers[name].(orphanRemover); ok {
			ids, err := r.RemoveOrphans(ctx, nil)
			removed = append(removed, ids...)
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return removed, errors.Join(errs...)
}
