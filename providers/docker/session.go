package docker

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/docker/docker/api/types/container"

	"github.com/wsbx/wsbx/providers"
)

// session is one container. Its methods are safe for concurrent use.
type session struct {
	p     *Provider
	id    string // container id
	image string
	root  string // absolute workspace root, cleaned
	spec  providers.SessionSpec
	opts  Options

	pidsMu sync.Mutex // serialises raising and restoring the PID limit
	pids   int64

	mu       sync.Mutex
	closed   bool
	closing  chan struct{} // closed by Close
	snapshot string        // image of the last snapshot
}

var (
	_ providers.Session     = (*session)(nil)
	_ providers.Archiver    = (*session)(nil)
	_ providers.Snapshotter = (*session)(nil)
	_ providers.Stater      = (*session)(nil)
)

func newSession(p *Provider, id, image, root string, spec providers.SessionSpec, opts Options, pids int64) *session {
	return &session{p: p, id: id, image: image, root: root, spec: spec, opts: opts, pids: pids, closing: make(chan struct{})}
}

// check returns CodeSessionClosed after Close.
func (s *session) check(op string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return &providers.Error{Code: providers.CodeSessionClosed, Op: op}
	}
	return nil
}

// ensureRoot creates the workspace root when the image lacks it.
func (s *session) ensureRoot(ctx context.Context) error {
	if _, err := s.p.cli.ContainerStatPath(ctx, s.id, s.root); err == nil {
		return nil
	}
	res, err := s.run(ctx, []string{"mkdir", "-p", s.root})
	if err != nil {
		return &providers.Error{Code: providers.CodeSessionCreateError, Op: "create", Target: s.root, Err: err}
	}
	if res.ExitCode != 0 {
		return &providers.Error{Code: providers.CodeRootNotFound, Op: "create", Target: s.root, Message: string(res.Stderr)}
	}
	return nil
}

// Close removes the container. It is idempotent; execs still running end.
//
// # Errors
//
// CodeExecTransport when the engine cannot remove the container.
func (s *session) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	s.p.track(s.id, false)
	if err := s.p.removeContainer(context.WithoutCancel(ctx), s.id); err != nil {
		return &providers.Error{Code: providers.CodeExecTransport, Op: "close", Target: s.id, Err: err, Retryable: true}
	}
	return nil
}

// State returns the session state: the container id, image, root and last
// snapshot. With the commit_snapshots option it first commits a snapshot, so
// the state resumes even after the container is gone. It holds no
// environment values.
//
// # Errors
//
// CodeSessionClosed after Close; the errors of Snapshot.
func (s *session) State(ctx context.Context) (json.RawMessage, error) {
	if err := s.check("state"); err != nil {
		return nil, err
	}
	if s.opts.CommitSnapshots && !s.opts.ReadOnlyRoot {
		if _, err := s.Snapshot(ctx); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	st := state{Type: Name, ContainerID: s.id, Image: s.image, Root: s.root, Snapshot: s.snapshot}
	s.mu.Unlock()
	return json.Marshal(st)
}

// Snapshot commits the container to a new image (docker commit) and returns
// its id. It needs the commit_snapshots option and a writable root (a
// read-only root keeps the workspace in a volume, which commit does not
// hold).
//
// # Errors
//
// CodeUnsupported without the option or with read_only_root;
// CodeSnapshotError when the engine fails; CodeSessionClosed after Close.
func (s *session) Snapshot(ctx context.Context) (providers.SnapshotRef, error) {
	if err := s.check("snapshot"); err != nil {
		return providers.SnapshotRef{}, err
	}
	if !s.opts.CommitSnapshots || s.opts.ReadOnlyRoot {
		return providers.SnapshotRef{}, &providers.Error{Code: providers.CodeUnsupported, Op: "snapshot",
			Message: "docker commit snapshots need the commit_snapshots option and a writable root; use the workspace archive"}
	}
	res, err := s.p.cli.ContainerCommit(ctx, s.id, container.CommitOptions{
		Comment: "wsbx snapshot",
		Pause:   true,
		Config: &container.Config{
			Labels: map[string]string{"dev.wsbx.snapshot": "1", LabelRoot: s.root},
		},
	})
	if err != nil {
		return providers.SnapshotRef{}, &providers.Error{Code: providers.CodeSnapshotError, Op: "snapshot", Target: s.id, Err: err}
	}
	s.mu.Lock()
	s.snapshot = res.ID
	s.mu.Unlock()
	return providers.SnapshotRef{Provider: Name, ID: res.ID}, nil
}
