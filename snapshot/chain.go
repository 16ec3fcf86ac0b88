package snapshot

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// loadCall is one extraction of a blob in flight; concurrent callers for the
// same digest wait for it instead of extracting again.
type loadCall struct {
	done chan struct{}
	fs   afero.Fs
	err  error
}

// layer returns the extracted content of info's blob, from the cache or by
// extracting and verifying the blob.
func (s *Store) layer(info *Info) (afero.Fs, error) {
	if l := s.cache.get(info.Digest); l != nil {
		return l, nil
	}
	s.loadMu.Lock()
	if c, ok := s.loading[info.Digest]; ok {
		s.loadMu.Unlock()
		<-c.done
		return c.fs, c.err
	}
	c := &loadCall{done: make(chan struct{})}
	s.loading[info.Digest] = c
	s.loadMu.Unlock()

	c.fs, c.err = s.extractBlob(info)
	if c.err == nil {
		s.cache.put(info.Digest, c.fs, info.Size)
	}
	s.loadMu.Lock()
	delete(s.loading, info.Digest)
	s.loadMu.Unlock()
	close(c.done)
	return c.fs, c.err
}

// extractBlob reads info's blob into a new in-memory layer, checking its
// size, its digest and every member.
func (s *Store) extractBlob(info *Info) (afero.Fs, error) {
	name := s.blobPath(info.Digest)
	f, err := os.Open(name)
	if err != nil {
		return nil, detail(ErrCorrupt, "blob %s of layer %s: %v", info.Digest, info.ID, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, detail(ErrCorrupt, "blob %s: %v", info.Digest, err)
	}
	if fi.Size() != info.Size {
		return nil, detail(ErrCorrupt, "blob %s of layer %s has %d bytes, want %d", info.Digest, info.ID, fi.Size(), info.Size)
	}
	h := sha256.New()
	r := io.TeeReader(bufio.NewReaderSize(f, 256<<10), h)
	layer := wasifs.NewMemLayer()
	x := newExtractor(context.Background(), layer, "", Limits{MaxInputBytes: -1, MaxExtractedBytes: -1, MaxMembers: -1}, true)
	if err := x.run(r, "extract"); err != nil {
		return nil, detail(ErrCorrupt, "blob %s of layer %s: %v", info.Digest, info.ID, err)
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, detail(ErrCorrupt, "blob %s: %v", info.Digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != info.Digest {
		return nil, detail(ErrCorrupt, "blob %s of layer %s has digest %s", info.Digest, info.ID, got)
	}
	return layer, nil
}

// Layers returns the layers of the chain of id, id's own layer first, for
// stacking under an upper layer with [wasifs.New]. "" gives no layers. The
// layers are read-only and shared with every other caller: they come from
// the store's cache, extracted and verified once.
//
// Safe for concurrent use.
//
// # Errors
//
// A *providers.Error with code snapshot_restore_error wrapping
// [ErrInvalidID], [ErrNotFound], or [ErrCorrupt] when a layer's metadata or
// blob is damaged or a parent is missing.
func (s *Store) Layers(id string) ([]afero.Fs, error) {
	l, err := s.chainLayers(id)
	if err != nil {
		return nil, wrap(providers.CodeSnapshotRestoreError, "layers", id, err)
	}
	return l, nil
}

func (s *Store) chainLayers(id string) ([]afero.Fs, error) {
	if id == "" {
		return nil, nil
	}
	s.mu.RLock()
	chain, err := s.chainLocked(id)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	out := make([]afero.Fs, len(chain))
	for i := len(chain) - 1; i >= 0; i-- { // bottom up: the top is cached last
		l, err := s.layer(chain[i])
		if err != nil {
			return nil, err
		}
		out[i] = afero.NewReadOnlyFs(l)
	}
	return out, nil
}

// Open returns a read-only view of the whole chain of id, a
// [*wasifs.Overlay] without upper layer: writes fail with EROFS. "" gives an
// empty view. Views share the cached layers, so opening the same snapshot
// many times is cheap.
//
// Safe for concurrent use.
//
// # Errors
//
// As [Store.Layers], with op "open".
func (s *Store) Open(id string) (afero.Fs, error) {
	l, err := s.chainLayers(id)
	if err != nil {
		return nil, wrap(providers.CodeSnapshotRestoreError, "open", id, err)
	}
	return wasifs.New(nil, l...), nil
}

// Fork returns a new writable workspace on the chain of id: an overlay with
// a new, empty in-memory upper layer (the active layer, to be passed to
// [Store.Commit] later) over the chain's layers. "" gives an empty
// workspace. Forks of the same snapshot share its layers and never see each
// other's writes.
//
// Safe for concurrent use.
//
// # Errors
//
// As [Store.Layers], with op "fork".
func (s *Store) Fork(id string) (*wasifs.Overlay, error) {
	l, err := s.chainLayers(id)
	if err != nil {
		return nil, wrap(providers.CodeSnapshotRestoreError, "fork", id, err)
	}
	return wasifs.New(wasifs.NewMemLayer(), l...), nil
}

// ChangeKind says how a path changed.
type ChangeKind string

// Change kinds.
const (
	Added    ChangeKind = "added"
	Modified ChangeKind = "modified"
	Deleted  ChangeKind = "deleted"
)

// Change is one changed path of [Store.Diff].
type Change struct {
	Path string     `json:"path"` // absolute in the snapshot: "/workspace/a.txt"
	Kind ChangeKind `json:"kind"`
}

// Diff lists what the layer id changes against its parent, sorted by path,
// computed from the layer's content: a whiteout is a deletion (of a path the
// parent has); a file, symlink or directory the parent also has is a
// modification; anything else is an addition. A directory the parent also
// has counts as modified only when its permissions differ (changes inside
// it are listed as their own paths). An opaque directory deletes every
// entry of the parent's directory that the layer does not have.
//
// Safe for concurrent use.
//
// # Errors
//
// As [Store.Layers], with op "diff".
func (s *Store) Diff(id string) ([]Change, error) {
	changes, err := s.diff(id)
	if err != nil {
		return nil, wrap(providers.CodeSnapshotRestoreError, "diff", id, err)
	}
	return changes, nil
}

func (s *Store) diff(id string) ([]Change, error) {
	s.mu.RLock()
	chain, err := s.chainLocked(id)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	top, err := s.layer(chain[0])
	if err != nil {
		return nil, err
	}
	lowers, err := s.chainLayers(chain[0].Parent)
	if err != nil {
		return nil, err
	}
	parent := wasifs.New(nil, lowers...)
	var out []Change
	var walk func(dir string) error
	walk = func(dir string) error {
		names, err := readDirNames(top, dir)
		if err != nil {
			return err
		}
		for _, name := range names {
			p := path.Join(dir, name)
			switch {
			case name == opaqueMarker:
				parentNames, err := readDirNames(parent, dir)
				if err != nil {
					continue // the parent has no directory here
				}
				for _, pn := range parentNames {
					if _, err := lstat(top, path.Join(dir, pn)); errors.Is(err, fs.ErrNotExist) {
						out = append(out, Change{path.Join(dir, pn), Deleted})
					}
				}
			case strings.HasPrefix(name, whiteoutPrefix):
				gone := path.Join(dir, strings.TrimPrefix(name, whiteoutPrefix))
				if _, err := lstat(parent, gone); err == nil {
					out = append(out, Change{gone, Deleted})
				}
			default:
				fi, err := lstat(top, p)
				if err != nil {
					return err
				}
				pfi, perr := lstat(parent, p)
				switch {
				case perr != nil:
					out = append(out, Change{p, Added})
				case fi.IsDir() && pfi.IsDir():
					if fi.Mode() != pfi.Mode() {
						out = append(out, Change{p, Modified})
					}
				default:
					out = append(out, Change{p, Modified})
				}
				if fi.IsDir() {
					if err := walk(p); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := walk("/"); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
