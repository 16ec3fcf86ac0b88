package wasi

import (
	"context"
	"io"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/snapshot"
)

var _ providers.Archiver = (*session)(nil)

// ExportArchive writes the workspace as the portable workspace archive (a
// tar with workspace-relative members) to w. Safe for concurrent use; files
// written meanwhile may or may not be included.
//
// # Errors
//
// CodeArchiveError when the workspace cannot be read or w fails;
// CodeSessionClosed.
func (s *session) ExportArchive(ctx context.Context, w io.Writer) error {
	fsys, err := s.filesystem("export_archive")
	if err != nil {
		return err
	}
	return snapshot.WriteArchive(ctx, fsys, s.root, w)
}

// ImportArchive unpacks a portable workspace archive into the workspace,
// replacing files with the same names. Safe for concurrent use.
//
// # Errors
//
// CodeArchiveError for a member that escapes the root, an unsupported
// member, a malformed stream or an archive over the default limits;
// CodeSessionClosed.
func (s *session) ImportArchive(ctx context.Context, r io.Reader) error {
	fsys, err := s.filesystem("import_archive")
	if err != nil {
		return err
	}
	return snapshot.ReadArchive(ctx, r, fsys, s.root, snapshot.Limits{})
}
