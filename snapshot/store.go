package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// Info describes a committed layer. It is also the content of the layer's
// metadata file.
type Info struct {
	// ID is the layer's content-derived ID: see [Store.Commit].
	ID string `json:"id"`
	// Parent is the ID of the layer below, "" for a base layer.
	Parent string `json:"parent,omitempty"`
	// Digest is the layer blob's digest, "sha256:<hex>".
	Digest string `json:"digest"`
	// Size is the layer blob's size in bytes.
	Size int64 `json:"size"`
	// Created is when the layer was first committed.
	Created time.Time `json:"created"`
	// Labels are free-form key/value pairs kept with the layer.
	Labels map[string]string `json:"labels,omitempty"`
}

func (i *Info) clone() Info {
	c := *i
	c.Labels = maps.Clone(i.Labels)
	return c
}

// Option configures a [Store].
type Option func(*config)

type config struct {
	cacheBytes int64
	noSync     bool
}

// withoutSync skips fsync, trading crash safety for speed; only tests that
// do not crash use it (fuzzing).
func withoutSync() Option {
	return func(c *config) { c.noSync = true }
}

// DefaultCacheBytes bounds the layers a Store keeps extracted in memory,
// counted by blob size.
const DefaultCacheBytes int64 = 1 << 30

// WithCacheBytes bounds the extracted layers a Store keeps in memory to
// about n bytes of layer blobs (default [DefaultCacheBytes]). Layers that
// do not fit are extracted again when next needed; a layer in use by an
// open view stays alive as long as the view does. n <= 0 disables the cache.
func WithCacheBytes(n int64) Option {
	return func(c *config) { c.cacheBytes = n }
}

// Label limits, per key and per value.
const maxLabelBytes = 4096

// Store is a directory of committed layers. See the package documentation
// for the format on disk.
//
// A Store is safe for concurrent use. A directory must be used by one Store
// (one process) at a time.
type Store struct {
	dir    string
	cache  *layerCache
	noSync bool

	// gcMu is held for reading while a Commit or Import writes files, and
	// for writing by Remove and GC, so that those never delete a blob that
	// a commit is about to reference.
	gcMu sync.RWMutex

	mu       sync.RWMutex
	layers   map[string]*Info // valid metadata, by ID
	bad      map[string]error // metadata files that did not load, by ID
	children map[string]int   // number of layers whose parent is the key

	loadMu  sync.Mutex
	loading map[string]*loadCall // extractions in flight, by digest
}

// Open opens the store in dir, creating dir if it does not exist, and reads
// the metadata of every committed layer. Metadata that cannot be read is
// remembered: [Store.Stat] and the methods that need that layer report
// [ErrCorrupt] for it, and everything else stays usable.
//
// # Errors
//
// A *providers.Error with code snapshot_error when dir cannot be created or
// read.
func Open(dir string, opts ...Option) (*Store, error) {
	c := config{cacheBytes: DefaultCacheBytes}
	for _, o := range opts {
		o(&c)
	}
	s := &Store{
		dir:      dir,
		cache:    newLayerCache(c.cacheBytes),
		noSync:   c.noSync,
		layers:   map[string]*Info{},
		bad:      map[string]error{},
		children: map[string]int{},
		loading:  map[string]*loadCall{},
	}
	for _, d := range []string{s.blobDir(), s.metaDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, wrap(providers.CodeSnapshotError, "open_store", dir, err)
		}
	}
	entries, err := os.ReadDir(s.metaDir())
	if err != nil {
		return nil, wrap(providers.CodeSnapshotError, "open_store", dir, err)
	}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || isTemp(e.Name()) || validID(id) != nil {
			continue
		}
		info, err := s.readMeta(id)
		if err != nil {
			s.bad[id] = err
			continue
		}
		s.layers[id] = info
	}
	for _, info := range s.layers {
		if info.Parent != "" {
			s.children[info.Parent]++
		}
	}
	return s, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) blobDir() string { return filepath.Join(s.dir, "blobs", "sha256") }
func (s *Store) metaDir() string { return filepath.Join(s.dir, "layers") }

func (s *Store) blobPath(digest string) string {
	return filepath.Join(s.blobDir(), strings.TrimPrefix(digest, "sha256:"))
}

func (s *Store) metaPath(id string) string { return filepath.Join(s.metaDir(), id+".json") }

// readMeta reads and checks the metadata file of id.
func (s *Store) readMeta(id string) (*Info, error) {
	data, err := os.ReadFile(s.metaPath(id))
	if err != nil {
		return nil, detail(ErrCorrupt, "metadata of %s: %v", id, err)
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, detail(ErrCorrupt, "metadata of %s: %v", id, err)
	}
	switch {
	case info.ID != id:
		return nil, detail(ErrCorrupt, "metadata of %s names layer %q", id, info.ID)
	case info.Parent != "" && validID(info.Parent) != nil:
		return nil, detail(ErrCorrupt, "metadata of %s has an invalid parent", id)
	case validDigest(info.Digest) != nil || info.Size < 0:
		return nil, detail(ErrCorrupt, "metadata of %s has an invalid digest or size", id)
	case layerID(info.Parent, info.Digest) != id:
		return nil, detail(ErrCorrupt, "metadata of %s does not match its id", id)
	}
	return &info, nil
}

// layerID derives a layer's ID from its parent's ID and its blob digest:
// the hex SHA-256 of "wsbx.layer.v1\x00" + parent + "\x00" + digest. As the
// digest is the SHA-256 of the canonical layer tar, the ID covers the
// layer's content and, through the parent, the whole chain.
func layerID(parent, digest string) string {
	h := sha256.New()
	h.Write([]byte("wsbx.layer.v1\x00"))
	h.Write([]byte(parent))
	h.Write([]byte{0})
	h.Write([]byte(digest))
	return hex.EncodeToString(h.Sum(nil))
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validID checks the form of a layer ID: 64 lower-case hex digits.
func validID(id string) error {
	if !isHex64(id) {
		return detail(ErrInvalidID, "%q", truncate(id))
	}
	return nil
}

func validDigest(d string) error {
	if hexPart, ok := strings.CutPrefix(d, "sha256:"); !ok || !isHex64(hexPart) {
		return detail(ErrCorrupt, "invalid digest %q", truncate(d))
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func checkLabels(labels map[string]string) error {
	for k, v := range labels {
		if k == "" || len(k) > maxLabelBytes || len(v) > maxLabelBytes {
			return &providers.Error{Code: providers.CodeInvalidRequest, Op: "labels", Target: truncate(k),
				Message: fmt.Sprintf("label keys must be 1 to %d bytes and values at most %d", maxLabelBytes, maxLabelBytes)}
		}
	}
	return nil
}

// info returns the metadata of id. The caller holds s.mu.
func (s *Store) infoLocked(id string) (*Info, error) {
	if err := validID(id); err != nil {
		return nil, err
	}
	if info := s.layers[id]; info != nil {
		return info, nil
	}
	if err := s.bad[id]; err != nil {
		return nil, err
	}
	return nil, detail(ErrNotFound, "%s", id)
}

// Stat returns the metadata of the committed layer id.
//
// Safe for concurrent use.
//
// # Errors
//
// A *providers.Error with code snapshot_error wrapping [ErrInvalidID],
// [ErrNotFound] or [ErrCorrupt] (unreadable metadata).
func (s *Store) Stat(id string) (Info, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	info, err := s.infoLocked(id)
	if err != nil {
		return Info{}, wrap(providers.CodeSnapshotError, "stat", id, err)
	}
	return info.clone(), nil
}

// Parent returns the ID of the parent of id, "" for a base layer.
//
// Safe for concurrent use.
//
// # Errors
//
// As [Store.Stat].
func (s *Store) Parent(id string) (string, error) {
	info, err := s.Stat(id)
	return info.Parent, err
}

// List returns every committed layer with readable metadata, oldest first
// (ties broken by ID).
//
// Safe for concurrent use.
func (s *Store) List() []Info {
	s.mu.RLock()
	out := make([]Info, 0, len(s.layers))
	for _, info := range s.layers {
		out = append(out, info.clone())
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// SetLabels replaces the labels of id. A nil or empty map removes them all.
//
// Safe for concurrent use.
//
// # Errors
//
// As [Store.Stat]; code invalid_request for an empty key or a key or value
// over 4096 bytes; code snapshot_error when the metadata cannot be written.
func (s *Store) SetLabels(id string, labels map[string]string) error {
	if err := checkLabels(labels); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info, err := s.infoLocked(id)
	if err != nil {
		return wrap(providers.CodeSnapshotError, "set_labels", id, err)
	}
	next := info.clone()
	next.Labels = maps.Clone(labels)
	if len(next.Labels) == 0 {
		next.Labels = nil
	}
	if err := s.writeMeta(&next); err != nil {
		return wrap(providers.CodeSnapshotError, "set_labels", id, err)
	}
	s.layers[id] = &next
	return nil
}

// writeMeta atomically writes the metadata file of info.
func (s *Store) writeMeta(info *Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.metaPath(info.ID), append(data, '\n'), !s.noSync)
}

// chain returns the metadata of id and of its ancestors, id first. The
// caller holds s.mu.
func (s *Store) chainLocked(id string) ([]*Info, error) {
	var out []*Info
	for cur := id; cur != ""; {
		info, err := s.infoLocked(cur)
		if err != nil {
			if cur != id && errors.Is(err, ErrNotFound) {
				return nil, detail(ErrCorrupt, "parent %s of %s is missing", cur, out[len(out)-1].ID)
			}
			return nil, err
		}
		if len(out) > len(s.layers) {
			return nil, detail(ErrCorrupt, "parent chain of %s has a cycle", id)
		}
		out = append(out, info)
		cur = info.Parent
	}
	return out, nil
}

// Remove deletes the committed layer id: first its metadata, then its blob
// unless another layer has the same content. A layer whose metadata is
// corrupt can be removed too.
//
// Only committed children count as dependents: the store does not track
// forks. A workspace forked from a removed layer keeps working (its layers
// are in memory), but committing it with the removed layer as parent fails
// with [ErrNotFound]. Keep the layers that running sessions stand on, for
// instance by passing them to [Store.GC] as keep.
//
// Safe for concurrent use; it waits for commits in progress.
//
// # Errors
//
// A *providers.Error with code snapshot_error wrapping [ErrInvalidID],
// [ErrNotFound], [ErrInUse] when another layer has id as its parent, or the
// error of the filesystem.
func (s *Store) Remove(id string) error {
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := validID(id); err != nil {
		return wrap(providers.CodeSnapshotError, "remove", id, err)
	}
	if _, ok := s.bad[id]; ok {
		if err := removeDurable(s.metaPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return wrap(providers.CodeSnapshotError, "remove", id, err)
		}
		delete(s.bad, id)
		return nil
	}
	info, err := s.infoLocked(id)
	if err != nil {
		return wrap(providers.CodeSnapshotError, "remove", id, err)
	}
	if n := s.children[id]; n > 0 {
		return wrap(providers.CodeSnapshotError, "remove", id, detail(ErrInUse, "%d layer(s) depend on %s", n, id))
	}
	if err := removeDurable(s.metaPath(id)); err != nil {
		return wrap(providers.CodeSnapshotError, "remove", id, err)
	}
	delete(s.layers, id)
	if info.Parent != "" {
		if s.children[info.Parent]--; s.children[info.Parent] <= 0 {
			delete(s.children, info.Parent)
		}
	}
	if !s.digestUsedLocked(info.Digest) {
		s.cache.drop(info.Digest)
		if err := os.Remove(s.blobPath(info.Digest)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return wrap(providers.CodeSnapshotError, "remove", id, err)
		}
	}
	return nil
}

func (s *Store) digestUsedLocked(digest string) bool {
	for _, info := range s.layers {
		if info.Digest == digest {
			return true
		}
	}
	return false
}

// GCStats reports what [Store.GC] removed.
type GCStats struct {
	Layers    []string // IDs of the layers removed
	Blobs     int      // blob files removed
	TempFiles int      // temporary files removed (left by a crash)
	Bytes     int64    // bytes freed on disk
}

// GC collects garbage. With no keep IDs it removes only blobs that no layer
// references and temporary files (left behind by a crash). With keep IDs it
// first removes every committed layer that is neither one of keep nor an
// ancestor of one, then does the same.
//
// Safe for concurrent use; it waits for commits in progress, and commits
// wait for it.
//
// # Errors
//
// A *providers.Error with code snapshot_error wrapping [ErrInvalidID] or
// [ErrNotFound] for a bad keep ID (nothing is removed then), or the error
// of the filesystem. ctx.Err() when ctx is done.
func (s *Store) GC(ctx context.Context, keep ...string) (GCStats, error) {
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	var st GCStats
	if len(keep) > 0 {
		live := map[string]bool{}
		for _, k := range keep {
			chain, err := s.chainLocked(k)
			if err != nil {
				return st, wrap(providers.CodeSnapshotError, "gc", k, err)
			}
			for _, info := range chain {
				live[info.ID] = true
			}
		}
		for id, info := range s.layers {
			if live[id] {
				continue
			}
			if err := ctx.Err(); err != nil {
				return st, err
			}
			if err := os.Remove(s.metaPath(id)); err != nil {
				return st, wrap(providers.CodeSnapshotError, "gc", id, err)
			}
			delete(s.layers, id)
			if info.Parent != "" {
				if s.children[info.Parent]--; s.children[info.Parent] <= 0 {
					delete(s.children, info.Parent)
				}
			}
			st.Layers = append(st.Layers, id)
		}
		sort.Strings(st.Layers)
		if err := syncDir(s.metaDir()); err != nil {
			return st, wrap(providers.CodeSnapshotError, "gc", s.dir, err)
		}
	}
	used := map[string]bool{}
	for _, info := range s.layers {
		used[strings.TrimPrefix(info.Digest, "sha256:")] = true
	}
	for _, dir := range []string{s.blobDir(), s.metaDir()} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return st, wrap(providers.CodeSnapshotError, "gc", dir, err)
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return st, err
			}
			name := e.Name()
			temp := isTemp(name)
			if !temp && (dir == s.metaDir() || used[name]) {
				continue
			}
			if fi, err := e.Info(); err == nil {
				st.Bytes += fi.Size()
			}
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return st, wrap(providers.CodeSnapshotError, "gc", name, err)
			}
			if temp {
				st.TempFiles++
			} else {
				st.Blobs++
				s.cache.drop("sha256:" + name)
			}
		}
	}
	return st, nil
}
