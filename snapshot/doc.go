// Package snapshot keeps committed workspace layers on disk and turns them
// back into filesystems.
//
// A session of the in-process sandbox writes to an active layer (the upper
// layer of a [wasifs.Overlay]) over a chain of committed, read-only layers.
// [Store.Commit] freezes the active layer into a committed layer whose ID
// derives from its content and its parent; the chain ending at that ID is a
// snapshot. [Store.Open] gives a read-only view of a snapshot,
// [Store.Fork] a new active layer over it, and [Store.Export] and
// [Store.Import] move snapshots in and out as portable tar archives.
//
//	st, err := snapshot.Open(dir)
//	ws, err := st.Fork("")                   // empty workspace
//	// ... write to ws ...
//	id, err := st.Commit(ctx, ws.Upper(), "", nil)
//	ws, err = st.Fork(id)                    // continue on the snapshot
//
// The vocabulary follows containerd's snapshotter: an active layer is
// writable and has no ID; a committed layer is immutable and has one;
// committing consumes the active layer (the caller continues on a fork); a
// layer that is the parent of another cannot be removed.
//
// # Layer format
//
// A layer is an afero.Fs in the format of package wasifs, which is that of
// OCI image layers: files, directories and symlinks, plus whiteouts (an
// empty file D/.wh.N records that D/N was deleted) and opaque markers
// (D/.wh..wh..opq hides everything below D).
//
// # Storage
//
// The store is a directory:
//
//	blobs/sha256/<hex>   one canonical layer tar per distinct layer content
//	layers/<id>.json     metadata of a committed layer: {id, parent, digest, size, created, labels}
//
// A layer tar holds the layer's entries depth-first with sorted names,
// owner 0:0, permission bits, nanosecond modification times (PAX; the Unix
// epoch for symlinks, whose times afero cannot restore), and whiteouts as
// the empty files they are; the same content always gives the same bytes.
// A layer's ID is the hex SHA-256 of the blob's digest and the
// parent's ID, so it covers the whole chain.
//
// Every file is written to a temporary file (".tmp-*") in its final
// directory, synced, renamed into place, and the directory synced. Commit
// writes the blob before the metadata, and a layer exists only once its
// metadata does, so a crash at any moment leaves either a complete layer or
// no layer plus garbage that [Store.GC] removes. Remove deletes metadata
// before the blob.
//
// Opening a layer reads its blob once, checks its size, digest and members,
// and keeps the extracted layer in memory (bounded by [WithCacheBytes]),
// shared read-only by every view and fork. A damaged blob or metadata file
// fails with [ErrCorrupt] for the snapshots that need it; other snapshots
// stay usable.
//
// # Archives
//
// [WriteArchive] and [ReadArchive] write and read the portable workspace
// archive for any afero.Fs, with the same confinement checks and [Limits]
// as [Store.Import]; providers use them for their archive operations.
//
// # Errors
//
// Errors are *providers.Error values (codes snapshot_error,
// snapshot_restore_error and workspace_archive_error) that wrap one of the
// categories [ErrNotFound], [ErrCorrupt], [ErrInUse], [ErrInvalidID],
// [ErrUnsafeMember], [ErrUnsupportedMember] and [ErrLimit]; branch with
// errors.Is.
package snapshot
