package snapshot

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// ExportOptions configure [Store.Export].
type ExportOptions struct {
	// Root is the directory of the snapshot to export, such as "workspace";
	// members are named relative to it. "" exports the whole snapshot.
	Root string
}

// Export writes the flattened content of the chain of id to w as one
// portable workspace archive, in the format of [WriteArchive]: what a
// session on the snapshot would see under opts.Root, without layers or
// whiteouts.
//
// Symlinks are exported as they are. A snapshot may hold symlinks that a
// portable archive may not (one whose target climbs above opts.Root, which
// the overlay confines to the snapshot's root); its archive is then refused
// by [Store.Import] and [ReadArchive].
//
// Safe for concurrent use.
//
// # Errors
//
// As [Store.Layers] with op "export"; a *providers.Error with code
// workspace_archive_error when the root does not exist or w fails.
// ctx.Err() when ctx is done.
func (s *Store) Export(ctx context.Context, id string, w io.Writer, opts ExportOptions) error {
	root, err := cleanRoot(opts.Root)
	if err != nil {
		return err
	}
	l, err := s.chainLayers(id)
	if err != nil {
		return wrap(providers.CodeSnapshotRestoreError, "export", id, err)
	}
	view := wasifs.New(nil, l...)
	tw := tar.NewWriter(w)
	if err := writeTree(ctx, view, root, tw, nil, false); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr
		}
		return wrap(providers.CodeArchiveError, "export", "/"+root, err)
	}
	if err := tw.Close(); err != nil {
		return wrap(providers.CodeArchiveError, "export", "/"+root, err)
	}
	return nil
}

// ImportOptions configure [Store.Import].
type ImportOptions struct {
	// Parent is the layer to import on top of, "" for a base layer. Members
	// replace the parent's entries of the same name; the parent's other
	// entries stay.
	Parent string
	// Root is the directory the archive's members are placed under, such as
	// "workspace". "" places them at the snapshot's root.
	Root string
	// Labels are given to the new layer.
	Labels map[string]string
	// Limits bound the archive; the zero value means [DefaultLimits].
	Limits Limits
}

// Import reads a portable workspace archive (a tar such as [Store.Export]
// and [WriteArchive] write) and commits it as a new layer, returning its
// ID. Members are checked as by [ReadArchive]: nothing in the archive can
// reach outside opts.Root, and the limits apply. The layer is built in
// memory and committed like [Store.Commit], so importing the same archive
// on the same parent gives the same ID.
//
// Directories on the way to opts.Root that the archive creates keep the
// parent's permissions and times, or get 0755 and the Unix epoch.
//
// Safe for concurrent use.
//
// # Errors
//
// A *providers.Error with code workspace_archive_error and op "import",
// wrapping [ErrUnsafeMember], [ErrUnsupportedMember], [ErrLimit] or a tar
// format error; otherwise as [Store.Commit]. ctx.Err() when ctx is done.
func (s *Store) Import(ctx context.Context, r io.Reader, opts ImportOptions) (string, error) {
	if err := checkLabels(opts.Labels); err != nil {
		return "", err
	}
	root, err := cleanRoot(opts.Root)
	if err != nil {
		return "", err
	}
	lowers, err := s.chainLayers(opts.Parent)
	if err != nil {
		return "", wrap(providers.CodeSnapshotError, "import", opts.Parent, err)
	}
	parentView := wasifs.New(nil, lowers...)

	layer := wasifs.NewMemLayer()
	type rootDir struct {
		path  string
		mode  fs.FileMode
		mtime time.Time
	}
	var dirs []rootDir
	p := ""
	for _, c := range strings.Split(root, "/") {
		if c == "" {
			continue
		}
		p += "/" + c
		d := rootDir{p, 0o755, time.Unix(0, 0).UTC()}
		if fi, err := lstat(parentView, p); err == nil && fi.IsDir() {
			d.mode, d.mtime = fi.Mode().Perm(), fi.ModTime()
		}
		if err := layer.Mkdir(p, d.mode); err != nil {
			return "", wrap(providers.CodeSnapshotError, "import", p, err)
		}
		dirs = append(dirs, d)
	}
	x := newExtractor(ctx, layer, root, opts.Limits, false)
	if err := x.run(r, "import"); err != nil {
		return "", err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := layer.Chtimes(dirs[i].path, dirs[i].mtime, dirs[i].mtime); err != nil {
			return "", wrap(providers.CodeSnapshotError, "import", dirs[i].path, err)
		}
	}
	return s.commit(ctx, "import", layer, true, opts.Parent, opts.Labels)
}
