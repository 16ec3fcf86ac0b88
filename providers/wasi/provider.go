package wasi

import (
	"context"
	"path"
	"strings"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi/coreutils"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// Name is the provider's registered name.
const Name = "wasi"

// Provider creates in-process sandbox sessions. It is safe for concurrent
// use. Its configuration is fixed by New.
type Provider struct {
	utils   *coreutils.Set
	modules ModuleRunner
	limits  providers.Limits
	store   SnapshotStore
}

var _ providers.Provider = (*Provider)(nil)

// Option configures a Provider.
type Option func(*Provider)

// WithUtilities replaces the built-in utilities (coreutils.Default() when
// not given). The set is not copied: later registrations show in sessions.
func WithUtilities(s *coreutils.Set) Option {
	return func(p *Provider) { p.utils = s }
}

// WithModuleRunner sets what runs WASI modules found on the sandbox PATH.
// Without one, a WASI module is reported as a command that cannot run
// (exit status 126).
func WithModuleRunner(m ModuleRunner) Option {
	return func(p *Provider) { p.modules = m }
}

// WithLimits sets the default limits of sessions whose spec leaves a limit
// zero.
func WithLimits(l providers.Limits) Option {
	return func(p *Provider) { p.limits = l }
}

// WithSnapshotStore makes sessions implement providers.Snapshotter and
// providers.Stater, committing layers to the store, and lets the provider
// Restore and Resume sessions from it.
func WithSnapshotStore(s SnapshotStore) Option {
	return func(p *Provider) { p.store = s }
}

// New returns a wasi Provider.
func New(opts ...Option) *Provider {
	p := &Provider{}
	for _, o := range opts {
		o(p)
	}
	if p.utils == nil {
		p.utils = coreutils.Default()
	}
	return p
}

// Name returns "wasi".
func (p *Provider) Name() string { return Name }

// Create starts a session on a new, empty in-memory filesystem holding the
// workspace root and /tmp.
//
// # Errors
//
// CodeInvalidRequest for a root that is not a clean absolute path, or for a
// network grant (guests have no network); CodeSessionCreateError when the
// filesystem cannot be prepared.
func (p *Provider) Create(ctx context.Context, spec providers.SessionSpec) (providers.Session, error) {
	s, err := p.create(wasifs.New(wasifs.NewMemLayer()), spec)
	if err != nil {
		return nil, err
	}
	if p.store != nil {
		return snapshotSession{s}, nil
	}
	return s, nil
}

func (p *Provider) create(fsys afero.Fs, spec providers.SessionSpec) (*session, error) {
	root := spec.RootOrDefault()
	if !path.IsAbs(root) || path.Clean(root) != root || strings.IndexByte(root, 0) >= 0 {
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "create", Target: root, Message: "root must be a clean absolute path"}
	}
	if spec.Network != nil && (spec.Network.AllowAll || len(spec.Network.Hosts) > 0) {
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "create", Message: "the wasi provider has no network"}
	}
	for _, dir := range [...]string{root, "/tmp"} {
		if err := fsys.MkdirAll(dir, 0o755); err != nil {
			return nil, providers.NewError(providers.CodeSessionCreateError, "create", dir, err)
		}
	}
	s := &session{
		p:      p,
		root:   root,
		fs:     fsys,
		env:    spec.Env,
		limits: mergeLimits(spec.Limits, p.limits),
	}
	s.done, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

func mergeLimits(l, def providers.Limits) providers.Limits {
	l = l.Or(def)
	if l.MaxOutputBytes == 0 {
		l.MaxOutputBytes = providers.DefaultMaxOutputBytes
	}
	return l
}
