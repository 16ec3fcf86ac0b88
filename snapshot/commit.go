package snapshot

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"time"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// Commit freezes active, a layer in the format of package wasifs (files,
// directories and symlinks plus whiteout and opaque markers, typically the
// upper layer of a session's overlay), as a committed layer on top of parent
// ("" for a base layer), and returns its ID.
//
// Commit serialises active once, in canonical order, into a layer blob
// (see the package documentation) while copying it into memory for the
// layer cache; it never reads the layers below, so its cost grows with the
// size of active, not with the size of the chain. The blob and then the
// metadata file are written atomically, so a crash leaves either a complete
// layer or none.
//
// The ID is the hex SHA-256 over the blob's digest and parent's ID:
// committing the same content on the same parent again returns the same
// ID. The existing layer keeps its creation time and gets labels merged
// into its labels.
//
// active must not change during the call; afterwards the caller should
// discard it and continue on a [Store.Fork] of the new ID (the committed
// layer never shares memory with active).
//
// Safe for concurrent use.
//
// # Errors
//
// A *providers.Error with code snapshot_error wrapping [ErrNotFound],
// [ErrCorrupt] or [ErrInvalidID] for parent, [ErrUnsupportedMember] for a
// device or FIFO in active, or the error of active or of the disk; code
// invalid_request for bad labels. ctx.Err() when ctx is done.
func (s *Store) Commit(ctx context.Context, active afero.Fs, parent string, labels map[string]string) (string, error) {
	if err := checkLabels(labels); err != nil {
		return "", err
	}
	return s.commit(ctx, "commit", active, false, parent, labels)
}

// commit commits active. When owned is true active belongs to the store
// (nobody else can change it) and is cached as it is instead of copied.
func (s *Store) commit(ctx context.Context, op string, active afero.Fs, owned bool, parent string, labels map[string]string) (string, error) {
	s.gcMu.RLock()
	defer s.gcMu.RUnlock()
	if parent != "" {
		s.mu.RLock()
		_, err := s.infoLocked(parent)
		s.mu.RUnlock()
		if err != nil {
			return "", wrap(providers.CodeSnapshotError, op, parent, err)
		}
	}
	var mirror afero.Fs
	if owned {
		mirror = active
	} else {
		mirror = wasifs.NewMemLayer()
	}
	var copyTo afero.Fs
	if !owned {
		copyTo = mirror
	}
	digest, size, err := s.writeBlob(ctx, active, copyTo)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return "", ctxErr
		}
		return "", wrap(providers.CodeSnapshotError, op, parent, err)
	}
	id := layerID(parent, digest)

	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.layers[id]; old != nil {
		if len(labels) > 0 {
			next := old.clone()
			if next.Labels == nil {
				next.Labels = map[string]string{}
			}
			maps.Copy(next.Labels, labels)
			if !maps.Equal(next.Labels, old.Labels) {
				if err := s.writeMeta(&next); err != nil {
					return "", wrap(providers.CodeSnapshotError, op, id, err)
				}
				s.layers[id] = &next
			}
		}
	} else {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		info := &Info{ID: id, Parent: parent, Digest: digest, Size: size, Created: time.Now().UTC(), Labels: maps.Clone(labels)}
		if len(info.Labels) == 0 {
			info.Labels = nil
		}
		if err := s.writeMeta(info); err != nil {
			return "", wrap(providers.CodeSnapshotError, op, id, err)
		}
		s.layers[id] = info
		delete(s.bad, id)
		if parent != "" {
			s.children[parent]++
		}
	}
	s.cache.put(digest, mirror, size)
	return id, nil
}

// countWriter counts the bytes written through it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// writeBlob writes the canonical tar of layer to a new blob, copying it into
// mirror on the way (unless mirror is nil), and returns the blob's digest
// and size.
func (s *Store) writeBlob(ctx context.Context, layer, mirror afero.Fs) (digest string, size int64, err error) {
	f, err := createTemp(s.blobDir())
	if err != nil {
		return "", 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	var n countWriter
	bw := bufio.NewWriterSize(io.MultiWriter(f, h, &n), 64<<10)
	tw := tar.NewWriter(bw)
	if err := writeTree(ctx, layer, "", tw, mirror, true); err != nil {
		return "", 0, err
	}
	if err := tw.Close(); err != nil {
		return "", 0, err
	}
	if err := bw.Flush(); err != nil {
		return "", 0, err
	}
	digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	if err := commitTemp(f, s.blobPath(digest), !s.noSync); err != nil {
		return "", 0, fmt.Errorf("write blob: %w", err)
	}
	return digest, n.n, nil
}
