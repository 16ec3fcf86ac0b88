package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/client"

	"github.com/wsbx/wsbx/providers"
)

// Name is the provider's registered name.
const Name = "docker"

// Labels on the containers and images wsbx creates.
const (
	// LabelSession marks a wsbx session container (value "1").
	LabelSession = "dev.wsbx.session"
	// LabelRoot records the session's workspace root.
	LabelRoot = "dev.wsbx.root"
	// LabelPrefix prefixes the SessionSpec.Labels copied onto the container.
	LabelPrefix = "dev.wsbx.label."
)

// DefaultPIDs is the PID limit of a session whose Limits.PIDs is zero.
const DefaultPIDs = 1024

// Config configures a Provider.
type Config struct {
	// Image is the image of sessions whose options name none.
	Image string
	// Host overrides the engine address ("unix:///var/run/docker.sock",
	// "tcp://host:2376"); empty means DOCKER_HOST or the local default.
	Host string
	// SpoolDir holds temporary files for content that passes through the
	// host (ReadFile and WriteFile over 1 MiB, ImportArchive); empty means
	// os.TempDir().
	SpoolDir string
}

// Options are the provider-specific settings in SessionSpec.Options.
type Options struct {
	// Image overrides Config.Image.
	Image string `json:"image,omitempty"`
	// ReadOnlyRoot makes the root filesystem read-only; the workspace (an
	// anonymous volume) and /tmp (a tmpfs) stay writable. Snapshots of such
	// a session by docker commit do not hold the workspace, so Snapshot is
	// refused; the workspace archive still works.
	ReadOnlyRoot bool `json:"read_only_root,omitempty"`
	// CommitSnapshots enables Snapshot by docker commit.
	CommitSnapshots bool `json:"commit_snapshots,omitempty"`
}

// Provider creates Docker sessions. It is safe for concurrent use.
type Provider struct {
	cli *client.Client
	cfg Config

	mu   sync.Mutex
	live map[string]bool // container ids of open sessions
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Restorer = (*Provider)(nil)
	_ providers.Resumer  = (*Provider)(nil)
)

// New returns a Provider that talks to the engine named by cfg.Host or the
// environment, negotiating the API version. It does not contact the engine;
// see [Provider.Ping].
//
// # Errors
//
// CodeSessionCreateError when the client cannot be configured (a malformed
// DOCKER_HOST, unreadable TLS files).
func New(cfg Config) (*Provider, error) {
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if cfg.Host != "" {
		opts = append(opts, client.WithHost(cfg.Host))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, &providers.Error{Code: providers.CodeSessionCreateError, Op: "docker_client", Err: err}
	}
	return &Provider{cli: cli, cfg: cfg, live: map[string]bool{}}, nil
}

// Name returns "docker".
func (p *Provider) Name() string { return Name }

// Ping checks that the engine answers.
//
// # Errors
//
// CodeExecTransport wrapping the engine or connection error.
func (p *Provider) Ping(ctx context.Context) error {
	if _, err := p.cli.Ping(ctx); err != nil {
		return &providers.Error{Code: providers.CodeExecTransport, Op: "docker_ping", Err: err, Retryable: true}
	}
	return nil
}

// Close closes the engine client. Open sessions keep their containers until
// their own Close (which then fails to reach the engine) or RemoveOrphans.
func (p *Provider) Close() error { return p.cli.Close() }

// Create starts a container for a new session.
//
// # Errors
//
// CodeInvalidRequest for malformed options, a relative root or a network
// grant the engine cannot enforce; CodeSessionCreateError when no image is
// named or the engine refuses the container (a missing image included).
func (p *Provider) Create(ctx context.Context, spec providers.SessionSpec) (providers.Session, error) {
	opts, err := p.options(spec)
	if err != nil {
		return nil, err
	}
	return p.start(ctx, spec, opts, opts.Image)
}

// options decodes and completes spec.Options.
func (p *Provider) options(spec providers.SessionSpec) (Options, error) {
	var o Options
	if len(spec.Options) > 0 && string(spec.Options) != "null" {
		dec := json.NewDecoder(strings.NewReader(string(spec.Options)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return o, &providers.Error{Code: providers.CodeInvalidRequest, Op: "create", Target: "options", Err: err}
		}
	}
	if o.Image == "" {
		o.Image = p.cfg.Image
	}
	if o.Image == "" {
		return o, &providers.Error{Code: providers.CodeSessionCreateError, Op: "create", Message: "no image: set Config.Image or the image option"}
	}
	return o, nil
}

// start creates and starts a container from image and returns its session.
func (p *Provider) start(ctx context.Context, spec providers.SessionSpec, opts Options, image string) (*session, error) {
	root := path.Clean(spec.RootOrDefault())
	if !path.IsAbs(root) || root == "/" || strings.IndexByte(root, 0) >= 0 {
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "create", Target: root, Message: "the workspace root must be an absolute path below /"}
	}
	netMode := container.NetworkMode("none")
	if g := spec.Network; g != nil {
		switch {
		case g.AllowAll:
			netMode = "bridge"
		case len(g.Hosts) > 0:
			return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "create", Target: "network",
				Message: "the docker provider cannot limit the network to some hosts; grant allow_all or nothing"}
		}
	}
	labels := map[string]string{LabelSession: "1", LabelRoot: root}
	for k, v := range spec.Labels {
		labels[LabelPrefix+k] = v
	}
	pids := spec.Limits.PIDs
	if pids <= 0 {
		pids = DefaultPIDs
	}
	init := true
	hc := &container.HostConfig{
		NetworkMode:    netMode,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		Init:           &init,
		ReadonlyRootfs: opts.ReadOnlyRoot,
		Resources: container.Resources{
			Memory:    spec.Limits.MemoryBytes,
			NanoCPUs:  int64(spec.Limits.CPUs * 1e9),
			PidsLimit: &pids,
		},
	}
	if spec.Limits.MemoryBytes > 0 {
		hc.MemorySwap = spec.Limits.MemoryBytes // no swap beyond the limit
	}
	if opts.ReadOnlyRoot {
		hc.Tmpfs = map[string]string{"/tmp": "rw,nosuid,nodev,mode=1777"}
		hc.Mounts = []mount.Mount{{Type: mount.TypeVolume, Target: root}}
	}
	cfg := &container.Config{
		Image:      image,
		Entrypoint: []string{"/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"},
		Cmd:        nil,
		WorkingDir: root,
		Labels:     labels,
		// The session environment is passed per exec, never stored here.
		Env: nil,
	}
	created, err := p.cli.ContainerCreate(ctx, cfg, hc, nil, nil, "")
	if err != nil {
		return nil, &providers.Error{Code: providers.CodeSessionCreateError, Op: "create", Target: image, Err: err}
	}
	id := created.ID
	if err := p.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		p.removeContainer(context.WithoutCancel(ctx), id)
		return nil, &providers.Error{Code: providers.CodeSessionCreateError, Op: "create", Target: image, Err: err}
	}
	s := newSession(p, id, image, root, spec, opts, pids)
	// Make sure the root exists (a committed image or a volume has it; a
	// plain image gets it from WorkingDir).
	if err := s.ensureRoot(ctx); err != nil {
		p.removeContainer(context.WithoutCancel(ctx), id)
		return nil, err
	}
	p.track(id, true)
	return s, nil
}

// track records whether container id belongs to an open session.
func (p *Provider) track(id string, open bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if open {
		p.live[id] = true
	} else {
		delete(p.live, id)
	}
}

// removeContainer force-removes a container and its anonymous volumes;
// a missing container is not an error.
func (p *Provider) removeContainer(ctx context.Context, id string) error {
	err := p.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// Restore starts a session from a snapshot image made by Snapshot.
//
// # Errors
//
// CodeSnapshotRestoreError for a reference of another provider or an image
// the engine does not have; the errors of Create otherwise.
func (p *Provider) Restore(ctx context.Context, ref providers.SnapshotRef, spec providers.SessionSpec) (providers.Session, error) {
	if ref.Provider != Name || ref.ID == "" {
		return nil, &providers.Error{Code: providers.CodeSnapshotRestoreError, Op: "restore", Target: ref.ID,
			Message: fmt.Sprintf("not a docker snapshot (provider %q)", ref.Provider)}
	}
	opts, err := p.optionsNoImage(spec)
	if err != nil {
		return nil, err
	}
	s, err := p.start(ctx, spec, opts, ref.ID)
	if err != nil {
		var pe *providers.Error
		if errors.As(err, &pe) && pe.Code == providers.CodeSessionCreateError {
			return nil, &providers.Error{Code: providers.CodeSnapshotRestoreError, Op: "restore", Target: ref.ID, Err: pe.Err, Message: pe.Message}
		}
		return nil, err
	}
	s.snapshot = ref.ID
	return s, nil
}

// optionsNoImage decodes spec.Options without requiring an image.
func (p *Provider) optionsNoImage(spec providers.SessionSpec) (Options, error) {
	o, err := p.options(spec)
	if providers.CodeOf(err) == providers.CodeSessionCreateError {
		return o, nil
	}
	return o, err
}

// state is the JSON of a session's state.
type state struct {
	Type        string `json:"type"`
	ContainerID string `json:"container_id"`
	Image       string `json:"image"`
	Root        string `json:"root"`
	// Snapshot is the image of the last snapshot, used when the container
	// is gone.
	Snapshot string `json:"snapshot,omitempty"`
}

// Resume returns a session for saved state: the same container when it
// still exists (started again if it stopped), otherwise a new container
// from the state's snapshot image. spec supplies what the state does not
// hold: the environment, limits and options.
//
// # Errors
//
// CodeInvalidRequest for malformed state; CodeSnapshotRestoreError when the
// container is gone and the state has no snapshot, or the restore fails.
func (p *Provider) Resume(ctx context.Context, raw json.RawMessage, spec providers.SessionSpec) (providers.Session, error) {
	var st state
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "resume", Err: err}
	}
	if st.Type != Name || st.ContainerID == "" {
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "resume", Message: "not docker session state"}
	}
	if st.Root != "" {
		spec.Root = st.Root
	}
	opts, err := p.optionsNoImage(spec)
	if err != nil {
		return nil, err
	}
	info, err := p.cli.ContainerInspect(ctx, st.ContainerID)
	switch {
	case err == nil:
		if info.State == nil || !info.State.Running {
			if err := p.cli.ContainerStart(ctx, st.ContainerID, container.StartOptions{}); err != nil {
				return nil, &providers.Error{Code: providers.CodeSnapshotRestoreError, Op: "resume", Target: st.ContainerID, Err: err}
			}
		}
		pids := int64(DefaultPIDs)
		if info.HostConfig != nil && info.HostConfig.PidsLimit != nil {
			pids = *info.HostConfig.PidsLimit
		}
		s := newSession(p, st.ContainerID, st.Image, path.Clean(spec.RootOrDefault()), spec, opts, pids)
		s.snapshot = st.Snapshot
		p.track(st.ContainerID, true)
		return s, nil
	case !isNotFound(err):
		return nil, &providers.Error{Code: providers.CodeExecTransport, Op: "resume", Target: st.ContainerID, Err: err, Retryable: true}
	case st.Snapshot == "":
		return nil, &providers.Error{Code: providers.CodeSnapshotRestoreError, Op: "resume", Target: st.ContainerID,
			Message: "the container is gone and the state holds no snapshot"}
	}
	return p.Restore(ctx, providers.SnapshotRef{Provider: Name, ID: st.Snapshot}, spec)
}

// RemoveOrphans force-removes every container labelled [LabelSession] that
// is not held by an open session of p and carries all the given session
// labels (SessionSpec.Labels; none means every wsbx container), and returns
// their ids. Open sessions of other processes on the same engine look the
// same: narrow with labels, or run it when no other process uses the engine.
//
// # Errors
//
// CodeExecTransport when the engine cannot list or remove containers; the
// ids removed before the failure are returned with it.
func (p *Provider) RemoveOrphans(ctx context.Context, labels map[string]string) ([]string, error) {
	f := filters.NewArgs(filters.Arg("label", LabelSession+"=1"))
	for k, v := range labels {
		f.Add("label", LabelPrefix+k+"="+v)
	}
	list, err := p.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, &providers.Error{Code: providers.CodeExecTransport, Op: "remove_orphans", Err: err, Retryable: true}
	}
	var removed []string
	var errs []error
	for _, c := range list {
		p.mu.Lock()
		open := p.live[c.ID]
		p.mu.Unlock()
		if open {
			continue
		}
		if err := p.removeContainer(ctx, c.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, c.ID)
	}
	if len(errs) > 0 {
		return removed, &providers.Error{Code: providers.CodeExecTransport, Op: "remove_orphans", Err: errors.Join(errs...)}
	}
	return removed, nil
}

// RemoveSnapshot removes the image of a snapshot made by Snapshot.
//
// # Errors
//
// CodeSnapshotError for a reference of another provider or when the engine
// refuses (the image is in use by a container); a missing image is not an
// error.
func (p *Provider) RemoveSnapshot(ctx context.Context, ref providers.SnapshotRef) error {
	if ref.Provider != Name || ref.ID == "" {
		return &providers.Error{Code: providers.CodeSnapshotError, Op: "remove_snapshot", Target: ref.ID, Message: "not a docker snapshot"}
	}
	_, err := p.cli.ImageRemove(ctx, ref.ID, image.RemoveOptions{PruneChildren: true})
	if err != nil && !isNotFound(err) {
		return &providers.Error{Code: providers.CodeSnapshotError, Op: "remove_snapshot", Target: ref.ID, Err: err}
	}
	return nil
}

// newID returns a random hex id.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
