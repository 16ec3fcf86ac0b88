package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"sort"
	"sync"

	"github.com/wsbx/wsbx/manifest"
	"github.com/wsbx/wsbx/plugins"
	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// PluginSpec names one Wasm plugin for WithPlugin: where its module is, its
// configuration and grants.
type PluginSpec struct {
	// Path is the module file (or a directory holding it); Bytes the
	// module itself. Exactly one is set.
	Path  string
	Bytes []byte
	// SHA256, when set, is the hex digest the module must have.
	SHA256 string
	// Config is the plugin's configuration, passed as JSON.
	Config map[string]any
	// AllowedHosts are the hosts the plugin's HTTP may reach.
	AllowedHosts []string
	// Options override the plugin limits (timeout, memory, output size).
	Options plugins.Options
}

// WithPlugin loads a plugin when the Runtime starts. A provider plugin is
// registered as a provider under its declared name; a capability plugin is
// consulted for every session of the Runtime; an entry plugin's entry types
// become available to manifests.
func WithPlugin(spec PluginSpec) Option {
	return func(c *config) error {
		c.plugins = append(c.plugins, spec)
		return nil
	}
}

// WithPluginInterpreter runs plugins on wazero's interpreter instead of its
// compiler: loading is several times faster, calls slower. Worth it for
// short-lived processes that load large plugins once.
func WithPluginInterpreter() Option {
	return func(c *config) error {
		c.pluginInterpreter = true
		return nil
	}
}

// pluginState is the Runtime's plugin registry.
type pluginState struct {
	set *plugins.Set

	mu sync.Mutex
	// loaded caches plugins by module digest and configuration, so many
	// sessions from one manifest load each plugin once.
	loaded map[string]*plugins.Plugin
	// global are the plugins given to New.
	capabilities []*plugins.Capability
	entries      map[string]*plugins.Entry
}

func (rt *Runtime) startPlugins(ctx context.Context) error {
	cfg := plugins.Config{CacheDir: rt.cfg.cacheDir, Interpreter: rt.cfg.pluginInterpreter}
	if rt.host != nil && !rt.cfg.pluginInterpreter {
		// Plugins run on the same wazero configuration and compilation
		// cache as the Runtime's WASI commands.
		cfg.Engine = rt.host.Engine()
	}
	set, err := plugins.NewSet(cfg)
	if err != nil {
		return err
	}
	rt.plugins = &pluginState{set: set, loaded: map[string]*plugins.Plugin{}, entries: map[string]*plugins.Entry{}}
	for _, spec := range rt.cfg.plugins {
		p, err := rt.loadPlugin(ctx, spec)
		if err != nil {
			set.Close(ctx)
			return err
		}
		switch p.Kind() {
		case abi.KindProvider:
			prov, _ := p.Provider()
			if _, dup := rt.cfg.providers[prov.Name()]; dup {
				set.Close(ctx)
				return &providers.Error{Code: providers.CodeInvalidRequest, Op: "new", Target: prov.Name(), Message: "provider registered twice"}
			}
			rt.cfg.providers[prov.Name()] = prov
		case abi.KindCapability:
			c, _ := p.Capability()
			rt.plugins.capabilities = append(rt.plugins.capabilities, c)
		case abi.KindEntry:
			e, _ := p.Entry()
			for _, typ := range e.Types() {
				rt.plugins.entries[typ] = e
			}
		}
	}
	return nil
}

// loadPlugin loads spec, reusing a plugin already loaded with the same
// module and configuration.
func (rt *Runtime) loadPlugin(ctx context.Context, spec PluginSpec) (*plugins.Plugin, error) {
	opts := spec.Options
	if spec.Config != nil {
		b, err := json.Marshal(spec.Config)
		if err != nil {
			return nil, &providers.Error{Code: providers.CodePluginError, Op: "load", Target: spec.Path, Err: err}
		}
		opts.Config = b
	}
	opts.AllowedHosts = spec.AllowedHosts
	key := pluginKey(spec, opts)
	rt.plugins.mu.Lock()
	defer rt.plugins.mu.Unlock()
	if p, ok := rt.plugins.loaded[key]; ok {
		return p, nil
	}
	p, err := rt.plugins.set.Load(ctx, plugins.Source{Path: spec.Path, Bytes: spec.Bytes, SHA256: spec.SHA256}, opts)
	if err != nil {
		return nil, err
	}
	rt.plugins.loaded[key] = p
	return p, nil
}

func pluginKey(spec PluginSpec, opts plugins.Options) string {
	h := sha256.New()
	if spec.Bytes != nil {
		h.Write(spec.Bytes)
	} else {
		abs, _ := filepath.Abs(spec.Path)
		h.Write([]byte("path:" + abs))
	}
	b, _ := json.Marshal(struct {
		SHA256 string
		Opts   plugins.Options
	}{spec.SHA256, opts})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// CreateOption adjusts one Create.
type CreateOption func(*createConfig)

type createConfig struct {
	manifest  *manifest.Manifest
	mopts     []manifest.Option
	policies  []Policy
	sessionID string
}

// WithManifest starts the session from m: its root, environment and limits
// fill what the spec leaves empty, its plugins are loaded, its capabilities
// and capability plugins guard every exec, read and write, its network
// grant is checked, and its entries are materialized (with opts) before
// Create returns. A session whose materialization fails is closed.
func WithManifest(m *manifest.Manifest, opts ...manifest.Option) CreateOption {
	return func(c *createConfig) {
		c.manifest = m
		c.mopts = opts
	}
}

// WithPolicy guards the session with p, in addition to the manifest's
// capabilities and the Runtime's capability plugins.
func WithPolicy(p Policy) CreateOption {
	return func(c *createConfig) { c.policies = append(c.policies, p) }
}

// capabilityPolicy adapts a capability plugin to Policy.
type capabilityPolicy struct{ c *plugins.Capability }

func (p capabilityPolicy) Allow(ctx context.Context, op, session, subject string) (bool, string, error) {
	d, err := p.c.Check(ctx, op, session, subject)
	if err != nil {
		return false, "", err
	}
	reason := d.Reason
	if !d.Allow && reason != "" {
		reason = p.c.Name() + ": " + reason
	}
	return d.Allow, reason, nil
}

// prepare applies the create options to spec and returns the session's
// policies and the manifest's entry handlers.
func (rt *Runtime) prepare(ctx context.Context, spec *providers.SessionSpec, cc *createConfig) ([]Policy, []manifest.Option, error) {
	policies := append([]Policy(nil), cc.policies...)
	rt.plugins.mu.Lock()
	for _, c := range rt.plugins.capabilities {
		policies = append(policies, capabilityPolicy{c})
	}
	entries := make(map[string]*plugins.Entry, len(rt.plugins.entries))
	for t, e := range rt.plugins.entries {
		entries[t] = e
	}
	rt.plugins.mu.Unlock()

	mopts := cc.mopts
	if m := cc.manifest; m != nil {
		if err := m.Validate(); err != nil {
			return nil, nil, err
		}
		if spec.Root == "" {
			spec.Root = m.Root
		}
		if env := m.Env(); len(env) > 0 {
			merged := make(map[string]string, len(env)+len(spec.Env))
			for k, v := range env {
				merged[k] = v
			}
			for k, v := range spec.Env {
				merged[k] = v
			}
			spec.Env = merged
		}
		ml, err := m.Limits.ProviderLimits()
		if err != nil {
			return nil, nil, err
		}
		spec.Limits = spec.Limits.Or(ml)
		if c := m.Capabilities; c != nil {
			policies = append(policies, allowListOf(c))
			if c.Network != nil && spec.Network == nil {
				spec.Network = &providers.NetworkGrant{Hosts: c.Network.Allow}
			}
		}
		names := make([]string, 0, len(m.Plugins))
		for name := range m.Plugins {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			mp := m.Plugins[name]
			path := mp.Path
			if !filepath.IsAbs(path) && m.BaseDir != "" {
				path = filepath.Join(m.BaseDir, path)
			}
			p, err := rt.loadPlugin(ctx, PluginSpec{Path: path, SHA256: mp.SHA256, Config: mp.Config, AllowedHosts: mp.AllowedHosts})
			if err != nil {
				return nil, nil, err
			}
			switch p.Kind() {
			case abi.KindCapability:
				c, _ := p.Capability()
				policies = append(policies, capabilityPolicy{c})
			case abi.KindEntry:
				e, _ := p.Entry()
				for _, typ := range e.Types() {
					entries[typ] = e
				}
			case abi.KindProvider:
				return nil, nil, &providers.Error{Code: providers.CodeInvalidManifest, Op: "create", Target: "plugins." + name,
					Message: "a provider plugin is chosen with the provider name, not loaded per session; register it with WithPlugin"}
			}
		}
	}
	for typ, e := range entries {
		e := e
		mopts = append(mopts, manifest.WithEntryType(typ, func(ctx context.Context, s providers.Session, dest string, en manifest.Entry) error {
			cfg, err := json.Marshal(en.Config)
			if err != nil {
				return err
			}
			// A plugin's writes are the plugin's, not the session
			// creator's: the session's policies check them.
			if len(policies) > 0 {
				s = &guarded{Session: s, id: cc.sessionID, root: spec.RootOrDefault(), policies: policies}
			}
			_, err = e.Materialize(ctx, s, en.Type, cfg, dest)
			return err
		}))
	}
	// The network the spec asks for must be allowed too.
	if spec.Network != nil {
		hosts := spec.Network.Hosts
		if spec.Network.AllowAll {
			hosts = append([]string{"*"}, hosts...)
		}
		g := &guarded{id: cc.sessionID, policies: policies}
		for _, h := range hosts {
			if err := g.check(ctx, OpNetwork, h, h); err != nil {
				return nil, nil, err
			}
		}
	}
	return policies, mopts, nil
}

func allowListOf(c *manifest.Capabilities) AllowList {
	var a AllowList
	if c.Exec != nil {
		a.Exec = append([]string{}, c.Exec.Allow...)
	}
	if c.Read != nil {
		a.Read = append([]string{}, c.Read.Allow...)
	}
	if c.Write != nil {
		a.Write = append([]string{}, c.Write.Allow...)
	}
	if c.Network != nil {
		a.Network = append([]string{}, c.Network.Allow...)
	}
	return a
}
