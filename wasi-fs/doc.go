// Package wasifs is the layered workspace filesystem of wsbx: an [afero.Fs]
// overlay of read-only lower layers under one writable upper layer, with the
// semantics of Linux overlayfs.
//
// # Layers
//
// A layer is any [afero.Fs]. [NewMemLayer] gives an in-memory layer and
// [NewDirLayer] a layer on a host directory; both store symlinks and keep
// them inside the layer. [New] stacks them:
//
//	ws := wasifs.New(wasifs.NewMemLayer(), committed2, committed1)
//
// The upper (first) layer receives every change; the lower layers, listed
// top-most first, are only ever read, so one committed layer can sit under
// many overlays at once. Other afero filesystems work as layers too
// (afero.MemMapFs has no symlinks; afero.BasePathFs lets the host follow
// symlinks out of its directory, so prefer NewDirLayer). A nil upper layer gives a read-only
// view whose writes fail with EROFS (which also matches [fs.ErrPermission]).
//
// # Layer format
//
// The format is that of OCI image layers, so an upper layer is also a
// snapshot delta and can be committed as it is:
//
//   - A file, directory or symlink present in a layer hides the entry of the
//     same path in every layer below it; directories present in several
//     layers are merged.
//   - A whiteout, an empty regular file D/.wh.N (prefix [WhiteoutPrefix]),
//     records that D/N was removed: it hides N in the layers below.
//   - An opaque directory D holds the empty marker file D/.wh..wh..opq
//     ([OpaqueMarker]): the layers below contribute nothing to D. Removing a
//     directory and creating one of the same name leaves an opaque directory.
//   - A whiteout or marker hides only what is below its own layer; an entry
//     in the same layer as its whiteout stays visible.
//
// Whiteouts and markers never appear in listings, and user paths with a
// name that starts with ".wh." are refused with EINVAL.
//
// # Operations
//
// Writing to a file that lives in a lower layer first copies it up into the
// upper layer (open for writing or with O_TRUNC, Truncate, Chmod, Chtimes).
// Removing or renaming an entry that exists in a lower layer writes a
// whiteout; renaming a lower directory copies its merged tree up before
// whiting it out. Rename follows rename(2): it replaces a file or an empty
// directory. Layers keep no owners (Chown only checks that the entry
// exists) and there are no hard links.
//
// # Paths
//
// Paths are interpreted inside the overlay root: "a/b" and "/a/b" are the
// same, ".." stops at the root, and symlinks, absolute or relative, resolve
// inside the root. A chain of more than 40 symlinks fails with ELOOP. A NUL
// byte fails with EINVAL and a name over 255 bytes or a path over 4096 bytes
// with ENAMETOOLONG.
//
// # Errors
//
// Every error is an [*fs.PathError] (for Rename, on the old name) whose Err
// is, or wraps, a [syscall.Errno], so both errors.Is(err, fs.ErrNotExist)
// and errors.Is(err, syscall.ENOTEMPTY) work. EINVAL and ENAMETOOLONG also
// match [fs.ErrInvalid], and EROFS matches [fs.ErrPermission].
//
// # Concurrency
//
// An [Overlay] and the layers from [NewMemLayer] and [NewDirLayer] are safe
// for concurrent use. Metadata operations on an Overlay are serialized; reads
// and writes on open files are not.
package wasifs

// WhiteoutPrefix starts the name of a whiteout file: D/.wh.N records that
// D/N was removed from the layers below.
const WhiteoutPrefix = ".wh."

// OpaqueMarker is the name of the empty file that makes the directory holding
// it opaque: the layers below contribute nothing to it.
const OpaqueMarker = ".wh..wh..opq"
