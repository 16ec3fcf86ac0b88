package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"regexp"
	"strconv"
	"sync"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/manifest"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// memLayers is the in-memory snapshot store the Runtime gives its wasi
// provider (unless the program gives one of its own): snapshots of wasi
// sessions are committed layers kept in memory for the Runtime's life, and
// forks share them read-only. It implements wasi.SnapshotStore.
type memLayers struct {
	mu     sync.Mutex
	layers map[string]memLayer
	next   int
}

type memLayer struct {
	fs     afero.Fs
	parent string
}

func newMemLayers() *memLayers { return &memLayers{layers: map[string]memLayer{}} }

// Commit freezes a copy of active (what changed since parent), so that no
// later write to active can reach the sessions that fork from it. It costs
// what changed, not the whole workspace.
func (m *memLayers) Commit(ctx context.Context, active afero.Fs, parent string, _ map[string]string) (string, error) {
	frozen, err := copyLayer(ctx, active)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.layers[parent]; parent != "" && !ok {
		return "", errors.New("unknown parent snapshot " + parent)
	}
	m.next++
	id := "mem-" + strconv.Itoa(m.next)
	m.layers[id] = memLayer{fs: frozen, parent: parent}
	return id, nil
}

// Fork returns a new empty in-memory layer over the snapshot's chain.
func (m *memLayers) Fork(id string) (*wasifs.Overlay, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var chain []afero.Fs
	for cur := id; cur != ""; {
		l, ok := m.layers[cur]
		if !ok {
			return nil, errors.New("unknown snapshot " + cur)
		}
		chain = append(chain, l.fs)
		cur = l.parent
	}
	return wasifs.New(wasifs.NewMemLayer(), chain...), nil
}

// copyLayer copies every entry of a layer (files, directories, symlinks,
// whiteout markers) into a new memory layer.
func copyLayer(ctx context.Context, src afero.Fs) (afero.Fs, error) {
	dst := wasifs.NewMemLayer()
	err := afero.Walk(src, "/", func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "/" {
			return nil
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := src.(afero.LinkReader).ReadlinkIfPossible(p)
			if err != nil {
				return err
			}
			return dst.(afero.Linker).SymlinkIfPossible(target, p)
		case fi.IsDir():
			if err := dst.MkdirAll(p, fi.Mode().Perm()); err != nil {
				return err
			}
		default:
			in, err := src.Open(p)
			if err != nil {
				return err
			}
			out, err := dst.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
			if err != nil {
				in.Close()
				return err
			}
			_, err = io.Copy(out, in)
			in.Close()
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		return dst.Chtimes(p, fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		return nil, err
	}
	// Directories get their times after their children are written.
	err = afero.Walk(src, "/", func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.IsDir() && p != "/" {
			err = dst.Chtimes(p, fi.ModTime(), fi.ModTime())
		}
		return err
	})
	return dst, err
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// pinnedKey returns a key for m's workspace content when that content is
// fully determined by the manifest itself: inline files and directories,
// git repositories at a full commit id, remote files and archives with a
// sha256. Local sources and plugin entries can change behind the manifest,
// so a manifest with any of them has no key ("").
func pinnedKey(m *manifest.Manifest) string {
	pinned := true
	var walk func(map[string]manifest.Entry)
	walk = func(entries map[string]manifest.Entry) {
		for _, e := range entries {
			switch e.Type {
			case manifest.TypeInlineFile, manifest.TypeFile:
			case manifest.TypeDir:
				walk(e.Entries)
			case manifest.TypeGitRepo:
				pinned = pinned && commitRE.MatchString(e.Ref)
			case manifest.TypeRemoteFile, manifest.TypeRemoteDir:
				pinned = pinned && e.SHA256 != ""
			default:
				pinned = false
			}
		}
	}
	walk(m.Entries)
	if !pinned || len(m.Entries) == 0 {
		return ""
	}
	b, err := json.Marshal(struct {
		Root    string
		Entries map[string]manifest.Entry
	}{path.Clean("/" + m.RootOrDefault()), m.Entries})
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
