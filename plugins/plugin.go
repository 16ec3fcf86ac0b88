package plugins

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/wsbx/wsbx/host"
	"github.com/wsbx/wsbx/internal/extism"

	"github.com/wsbx/wsbx/internal/wazerocfg"
	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout        = 5 * time.Second
	DefaultMemoryBytes    = 64 << 20
	DefaultMaxOutputBytes = 16 << 20
	DefaultPoolSize       = 4
)

// Source says where a plugin's module comes from. Exactly one of Path and
// Bytes is set. Path may name a .wasm file, or a directory holding exactly one
// .wasm file (or a file named plugin.wasm).
type Source struct {
	Path  string
	Bytes []byte
	// SHA256, when set, is the hex sha256 the module must have.
	SHA256 string
}

// Options are the limits and grants of one plugin.
type Options struct {
	// Timeout bounds each call (DefaultTimeout when zero).
	Timeout time.Duration
	// MemoryBytes bounds the module's linear memory (DefaultMemoryBytes when
	// zero), rounded up to 64 KiB pages.
	MemoryBytes int64
	// MaxOutputBytes bounds each call's output (DefaultMaxOutputBytes).
	MaxOutputBytes int
	// PoolSize bounds the idle instances kept (DefaultPoolSize). Provider
	// plugins always use a single instance: their sessions live in it.
	PoolSize int
	// Config is the plugin's JSON configuration (ABI key wsbx_config).
	Config json.RawMessage
	// AllowedHosts are the hosts the plugin's HTTP requests may reach
	// (Extism glob patterns). Empty grants none.
	AllowedHosts []string
	// Logger receives wsbx_log messages (discarded when nil).
	Logger *slog.Logger
}

// Set compiles and holds the plugins of one Runtime. It is safe for
// concurrent use.
type Set struct {
	cfg       Config
	rc        wazero.RuntimeConfig
	ownsCache wazero.CompilationCache // closed with the Set; nil when shared

	mu      sync.Mutex
	plugins []*Plugin
	closed  bool
}

// Config configures a Set. The zero value compiles with wazero's optimizing
// compiler and caches compiled code in memory.
type Config struct {
	// CacheDir, when set, keeps compiled code on disk, so loading the same
	// module again, in this process or a later one, skips compilation.
	CacheDir string
	// Interpreter runs plugins in wazero's interpreter instead of compiling
	// them: loading is several times faster, calls are slower. Worth it for
	// short-lived processes that load large modules once.
	Interpreter bool
	// Engine, when set, is the wazero configuration and compilation cache
	// of a host.Host (host.Host.Engine), so plugins run exactly as its WASI
	// guests do and share its cache; CacheDir and Interpreter are then
	// unused. The Host owns the cache: close the Set first.
	Engine *wazerocfg.Engine
}

// NewSet returns an empty Set.
//
// # Errors
//
// plugin_error when the cache directory cannot be used.
func NewSet(cfg Config) (*Set, error) {
	if cfg.Engine != nil {
		return &Set{cfg: cfg, rc: cfg.Engine.RuntimeConfig}, nil
	}
	var cache wazero.CompilationCache
	if cfg.CacheDir == "" {
		cache = wazero.NewCompilationCache()
	} else {
		c, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, &providers.Error{Code: providers.CodePluginError, Op: "plugin_cache", Target: cfg.CacheDir, Err: err}
		}
		cache = c
	}
	return &Set{cfg: cfg, rc: wazerocfg.RuntimeConfig(cache, cfg.Interpreter), ownsCache: cache}, nil
}

// Close closes every plugin loaded through the Set and the cache.
func (s *Set) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ps := s.plugins
	s.plugins = nil
	s.mu.Unlock()
	var errs []error
	for _, p := range ps {
		errs = append(errs, p.Close(ctx))
	}
	if s.ownsCache != nil {
		errs = append(errs, s.ownsCache.Close(ctx))
	}
	return errors.Join(errs...)
}

// Plugin is one loaded plugin. It is safe for concurrent use.
type Plugin struct {
	desc     abi.Describe
	sha256   string
	opts     Options
	compiled *extism.CompiledPlugin
	logger   *slog.Logger
	grant    host.PluginGrant // what its host functions give it

	pool    chan *extism.Plugin // idle instances
	exports map[string]bool     // the module's exported functions
	// single serializes all calls onto one instance (provider plugins).
	single sync.Mutex
	// epoch counts the instances discarded after a failure: a provider
	// plugin's sessions live in its one instance, and die with it.
	epoch atomic.Uint64

	closeOnce sync.Once
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Load reads, verifies, compiles and describes a plugin.
//
// # Errors
//
// A providers.Error with code plugin_error when the module cannot be read,
// its sha256 differs, it does not compile, wsbx_describe is missing, fails or
// returns malformed JSON, or it declares an ABI version other than abi.Version.
func (s *Set) Load(ctx context.Context, src Source, opts Options) (*Plugin, error) {
	wasm, target, err := readSource(src)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(wasm)
	digest := hex.EncodeToString(sum[:])
	if src.SHA256 != "" && !strings.EqualFold(src.SHA256, digest) {
		return nil, pluginErr(target, "load", fmt.Errorf("sha256 mismatch: want %s, module has %s", src.SHA256, digest))
	}
	opts = withDefaults(opts)

	manifest := extism.Manifest{
		Wasm:         []extism.Wasm{extism.WasmData{Data: wasm}},
		Memory:       &extism.ManifestMemory{MaxPages: uint32((opts.MemoryBytes + 65535) / 65536), MaxHttpResponseBytes: int64(opts.MaxOutputBytes), MaxVarBytes: 1 << 20},
		AllowedHosts: append([]string{}, opts.AllowedHosts...),
		Config:       map[string]string{},
	}
	if len(opts.Config) > 0 {
		manifest.Config[abi.ConfigKey] = string(opts.Config)
	}
	p := &Plugin{sha256: digest, opts: opts, logger: opts.Logger}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	p.grant = host.PluginGrant{Name: target, Logger: p.logger, MaxReadBytes: opts.MaxOutputBytes}
	compiled, err := extism.NewCompiledPlugin(ctx, manifest, extism.PluginConfig{
		RuntimeConfig: s.rc,
		EnableWasi:    true,
	}, p.hostFunctions())
	if err != nil {
		return nil, pluginErr(target, "load", err)
	}
	p.compiled = compiled
	p.desc.Name = target // until described
	// A provider plugin's calls are serialized (Plugin.single), so it never
	// has more than one instance out, and its pool never holds more than one.
	p.pool = make(chan *extism.Plugin, opts.PoolSize)
	// Export names are fixed per module: look them up once, not per call
	// (each wazero lookup builds a new call engine).
	first, err := p.instance(ctx)
	if err != nil {
		compiled.Close(ctx)
		return nil, pluginErr(target, "load", err)
	}
	p.exports = map[string]bool{}
	for name := range first.Module().ExportedFunctions() {
		p.exports[name] = true
	}
	p.pool <- first
	out, err := p.Call(ctx, abi.ExportDescribe, nil)
	if err != nil {
		compiled.Close(ctx)
		return nil, err
	}
	if err := p.setDescription(out); err != nil {
		compiled.Close(ctx)
		return nil, pluginErr(target, abi.ExportDescribe, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		p.Close(ctx)
		return nil, &providers.Error{Code: providers.CodePluginError, Op: "load", Target: p.desc.Name, Message: "plugin set is closed"}
	}
	s.plugins = append(s.plugins, p)
	return p, nil
}

func (p *Plugin) setDescription(out []byte) error {
	var d abi.Describe
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&d); err != nil {
		return fmt.Errorf("malformed describe output: %w", err)
	}
	switch {
	case d.ABI != abi.Version:
		return fmt.Errorf("plugin speaks ABI version %d; this host speaks %d", d.ABI, abi.Version)
	case d.Kind != abi.KindProvider && d.Kind != abi.KindEntry && d.Kind != abi.KindCapability:
		return fmt.Errorf("unknown plugin kind %q", d.Kind)
	case !nameRE.MatchString(d.Name):
		return fmt.Errorf("invalid plugin name %q", d.Name)
	}
	if d.Kind == abi.KindEntry && len(d.EntryTypes) == 0 {
		d.EntryTypes = []string{d.Name}
	}
	p.desc = d
	p.grant.Name = d.Name
	return nil
}

func withDefaults(o Options) Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MemoryBytes <= 0 {
		o.MemoryBytes = DefaultMemoryBytes
	}
	if o.MaxOutputBytes <= 0 {
		o.MaxOutputBytes = DefaultMaxOutputBytes
	}
	if o.PoolSize <= 0 {
		o.PoolSize = DefaultPoolSize
	}
	return o
}

func readSource(src Source) ([]byte, string, error) {
	switch {
	case src.Bytes != nil && src.Path != "":
		return nil, "", &providers.Error{Code: providers.CodePluginError, Op: "load", Message: "source has both a path and bytes"}
	case src.Bytes != nil:
		return src.Bytes, "<bytes>", nil
	case src.Path == "":
		return nil, "", &providers.Error{Code: providers.CodePluginError, Op: "load", Message: "source is empty"}
	}
	path := src.Path
	fi, err := os.Stat(path)
	if err != nil {
		return nil, src.Path, pluginErr(src.Path, "load", err)
	}
	if fi.IsDir() {
		path, err = moduleInDir(path)
		if err != nil {
			return nil, src.Path, pluginErr(src.Path, "load", err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, src.Path, pluginErr(src.Path, "load", err)
	}
	return b, src.Path, nil
}

func moduleInDir(dir string) (string, error) {
	if fi, err := os.Stat(dir + "/plugin.wasm"); err == nil && fi.Mode().IsRegular() {
		return dir + "/plugin.wasm", nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".wasm") {
			found = append(found, dir+"/"+e.Name())
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("directory holds %d .wasm files; want plugin.wasm or exactly one", len(found))
	}
	return found[0], nil
}

// Describe returns what the plugin declared in wsbx_describe.
func (p *Plugin) Describe() abi.Describe { return p.desc }

// Name is the plugin's declared name.
func (p *Plugin) Name() string { return p.desc.Name }

// Kind is the plugin's declared kind.
func (p *Plugin) Kind() string { return p.desc.Kind }

// Exports are the names of the functions the plugin's module exports,
// sorted: its ABI exports, optional ones included, and whatever its
// toolchain adds (such as _initialize).
func (p *Plugin) Exports() []string { return slices.Sorted(maps.Keys(p.exports)) }

// SHA256 is the hex digest of the plugin's module.
func (p *Plugin) SHA256() string { return p.sha256 }

// Close releases the plugin's instances and compiled code. It is idempotent.
func (p *Plugin) Close(ctx context.Context) error {
	var err error
	p.closeOnce.Do(func() {
		for len(p.pool) > 0 {
			(<-p.pool).Close(ctx)
		}
		err = p.compiled.Close(ctx)
	})
	return err
}

func pluginErr(plugin, export string, cause error) *providers.Error {
	return &providers.Error{Code: providers.CodePluginError, Op: export, Target: plugin, Err: cause}
}
