package wasi

import (
	"context"
	"encoding/json"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// snapshotSession is a session of a provider with a snapshot store.
type snapshotSession struct{ *session }

var _ providers.Snapshotter = snapshotSession{}

// SnapshotStore keeps committed layers. Package snapshot's *Store is one.
type SnapshotStore interface {
	// Commit freezes active as a new layer on top of parent ("" for none)
	// and returns the snapshot's id.
	Commit(ctx context.Context, active afero.Fs, parent string, labels map[string]string) (string, error)
	// Fork returns a new overlay: an empty in-memory active layer over the
	// snapshot's chain.
	Fork(id string) (*wasifs.Overlay, error)
}

// Snapshot commits what the session changed since its last snapshot (or
// since it started) and continues on a new empty layer above it. Writes
// made by execs running during the call may land on either side. It needs a
// store given with WithSnapshotStore.
//
// # Errors
//
// CodeUnsupported without a store; CodeSnapshotError when the commit
// fails; CodeSessionClosed.
func (s snapshotSession) Snapshot(ctx context.Context) (providers.SnapshotRef, error) {
	const op = "snapshot"
	if s.closed.Load() {
		return providers.SnapshotRef{}, &providers.Error{Code: providers.CodeSessionClosed, Op: op}
	}
	store := s.p.store
	if store == nil {
		return providers.SnapshotRef{}, &providers.Error{Code: providers.CodeUnsupported, Op: op, Message: "the provider has no snapshot store"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	active := s.fs
	if o, ok := s.fs.(*wasifs.Overlay); ok && o.Upper() != nil {
		active = o.Upper()
	}
	id, err := store.Commit(ctx, active, s.parent, nil)
	if err != nil {
		return providers.SnapshotRef{}, providers.NewError(providers.CodeSnapshotError, op, "", err)
	}
	next, err := store.Fork(id)
	if err != nil {
		return providers.SnapshotRef{}, providers.NewError(providers.CodeSnapshotError, op, id, err)
	}
	s.fs = next
	s.parent = id
	return providers.SnapshotRef{Provider: Name, ID: id}, nil
}

// Restore starts a session on a snapshot taken by a session of a provider
// with the same store.
//
// # Errors
//
// CodeUnsupported without a store; CodeSnapshotRestoreError for an unknown
// snapshot or another provider's reference; CodeInvalidRequest for a bad
// spec.
func (p *Provider) Restore(ctx context.Context, ref providers.SnapshotRef, spec providers.SessionSpec) (providers.Session, error) {
	const op = "restore"
	if p.store == nil {
		return nil, &providers.Error{Code: providers.CodeUnsupported, Op: op, Message: "the provider has no snapshot store"}
	}
	if ref.Provider != Name {
		return nil, &providers.Error{Code: providers.CodeSnapshotRestoreError, Op: op, Target: ref.ID, Message: "not a wasi snapshot"}
	}
	o, err := p.store.Fork(ref.ID)
	if err != nil {
		return nil, providers.NewError(providers.CodeSnapshotRestoreError, op, ref.ID, err)
	}
	s, err := p.create(o, spec)
	if err != nil {
		return nil, err
	}
	s.parent = ref.ID
	return snapshotSession{s}, nil
}

// sessionState is the resumable state of a wasi session: its workspace is a
// snapshot in the provider's store. It never holds environment values.
type sessionState struct {
	Type     string `json:"type"`
	Root     string `json:"root"`
	Snapshot string `json:"snapshot"`
}

var (
	_ providers.Stater  = snapshotSession{}
	_ providers.Resumer = (*Provider)(nil)
)

// State snapshots the workspace (see Snapshot) and returns JSON naming the
// snapshot, which Resume on a provider with the same store accepts.
//
// # Errors
//
// Those of Snapshot.
func (s snapshotSession) State(ctx context.Context) (json.RawMessage, error) {
	ref, err := s.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(sessionState{Type: Name, Root: s.root, Snapshot: ref.ID})
}

// Resume starts a session from the state of a session of a provider with
// the same store. The environment and limits come from spec (the state
// holds none); an empty spec root takes the state's.
//
// # Errors
//
// CodeInvalidRequest for malformed or foreign state; those of Restore.
func (p *Provider) Resume(ctx context.Context, state json.RawMessage, spec providers.SessionSpec) (providers.Session, error) {
	var st sessionState
	if err := json.Unmarshal(state, &st); err != nil {
		return nil, providers.NewError(providers.CodeInvalidRequest, "resume", "", err)
	}
	if st.Type != Name || st.Snapshot == "" {
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "resume", Message: "not the state of a wasi session"}
	}
	if spec.Root == "" {
		spec.Root = st.Root
	}
	return p.Restore(ctx, providers.SnapshotRef{Provider: Name, ID: st.Snapshot}, spec)
}
