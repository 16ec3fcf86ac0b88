package snapshot

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// Whiteout names of the OCI image-layer convention, as used by package
// wasifs: a deleted name N in directory D is the empty file D/.wh.N, and an
// opaque directory D holds the file D/.wh..wh..opq.
const (
	whiteoutPrefix = wasifs.WhiteoutPrefix
	opaqueMarker   = wasifs.OpaqueMarker
)

// Default limits of [ReadArchive] and [Store.Import].
const (
	DefaultMaxInputBytes     int64 = 1 << 30 // 1 GiB read from the stream
	DefaultMaxExtractedBytes int64 = 4 << 30 // 4 GiB of file content
	DefaultMaxMembers              = 100_000 // tar headers
)

// Limits bound what [ReadArchive] and [Store.Import] accept. A zero field
// means its default; a negative field means no limit.
type Limits struct {
	// MaxInputBytes bounds the bytes read from the stream.
	MaxInputBytes int64
	// MaxExtractedBytes bounds the total size of the regular files written
	// (hardlinks count again, as they are written as copies).
	MaxExtractedBytes int64
	// MaxMembers bounds the number of tar headers.
	MaxMembers int
}

// DefaultLimits returns the default limits: 1 GiB input, 4 GiB extracted,
// 100,000 members.
func DefaultLimits() Limits {
	return Limits{
		MaxInputBytes:     DefaultMaxInputBytes,
		MaxExtractedBytes: DefaultMaxExtractedBytes,
		MaxMembers:        DefaultMaxMembers,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxInputBytes == 0 {
		l.MaxInputBytes = d.MaxInputBytes
	}
	if l.MaxExtractedBytes == 0 {
		l.MaxExtractedBytes = d.MaxExtractedBytes
	}
	if l.MaxMembers == 0 {
		l.MaxMembers = d.MaxMembers
	}
	return l
}

// WriteArchive writes the tree under root in fsys to w as a tar stream: the
// portable workspace archive. Members are named relative to root ("a.txt",
// "dir/", "dir/b"); root itself has no member. root is a slash-separated
// path in fsys; "", "." and "/" mean the whole of fsys.
//
// The archive holds regular files, directories and symlinks with their
// permission bits (including setuid, setgid and sticky) and modification
// times (nanoseconds, as PAX records). It is deterministic: members come in
// depth-first order with the names of each directory sorted, owners are
// 0:0 without names, and no access or change times are recorded. Symlinks
// are read with afero.LinkReader when fsys implements it and stat with
// afero.Lstater.
//
// WriteArchive does not close w. It is safe for concurrent use when fsys is.
//
// # Errors
//
// A *providers.Error with code workspace_archive_error: wrapping
// fs.ErrNotExist when root does not exist, [ErrUnsupportedMember] for a
// device, socket or FIFO, or the error of fsys or w. ctx.Err() when ctx is
// done.
func WriteArchive(ctx context.Context, fsys afero.Fs, root string, w io.Writer) error {
	rel, err := cleanRoot(root)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	if err := writeTree(ctx, fsys, rel, tw, nil, false); err != nil {
		return wrap(providers.CodeArchiveError, "write_archive", root, err)
	}
	if err := tw.Close(); err != nil {
		return wrap(providers.CodeArchiveError, "write_archive", root, err)
	}
	return nil
}

// ReadArchive unpacks the tar stream r into fsys under root, creating root
// if needed and replacing entries with the same names. It is the inverse of
// [WriteArchive].
//
// Each member is checked before it is written, and refused with
// [ErrUnsafeMember] when they could reach outside root: absolute names,
// names with a ".." component, names whose base starts with ".wh." (the
// layer whiteout prefix), writes through a symlink (one in the archive or
// one already in fsys), symlinks whose target is absolute and outside
// "/"+root or relative with more leading ".." than the link is deep, or
// with ".." after a name, and hardlinks to anything but a regular file
// written earlier by the same archive (hardlinks are written as copies).
// Devices, FIFOs and other special members are refused with
// [ErrUnsupportedMember]; PAX global headers are ignored. Symlinks need an
// fsys that implements afero.Symlinker.
//
// Permission bits and modification times are restored, except the times
// of symlinks, which afero cannot set.
//
// limits bound the input, the extracted bytes and the member count; a
// zero Limits means [DefaultLimits]. Members already written when an error
// occurs stay in fsys.
//
// # Errors
//
// A *providers.Error with code workspace_archive_error and the member as
// target, wrapping [ErrUnsafeMember], [ErrUnsupportedMember], [ErrLimit], a
// tar format error, or the error of fsys. ctx.Err() when ctx is done.
func ReadArchive(ctx context.Context, r io.Reader, fsys afero.Fs, root string, limits Limits) error {
	rel, err := cleanRoot(root)
	if err != nil {
		return err
	}
	x := newExtractor(ctx, fsys, rel, limits, false)
	return x.run(r, "read_archive")
}

// cleanRoot turns a caller's root into a slash path relative to the
// filesystem root: "" for the whole filesystem.
func cleanRoot(root string) (string, error) {
	if strings.IndexByte(root, 0) >= 0 {
		return "", &providers.Error{Code: providers.CodeInvalidPath, Op: "archive", Message: "NUL byte in root"}
	}
	c := path.Clean("/" + root)
	return strings.TrimPrefix(c, "/"), nil
}

// fsPath returns the path in the filesystem of rel under root.
func fsPath(root, rel string) string {
	return "/" + path.Join(root, rel)
}

func lstat(fsys afero.Fs, name string) (fs.FileInfo, error) {
	if l, ok := fsys.(afero.Lstater); ok {
		fi, _, err := l.LstatIfPossible(name)
		return fi, err
	}
	return fsys.Stat(name)
}

func readlink(fsys afero.Fs, name string) (string, error) {
	if l, ok := fsys.(afero.LinkReader); ok {
		return l.ReadlinkIfPossible(name)
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: afero.ErrNoReadlink}
}

// readDirNames returns the names in dir, sorted.
func readDirNames(fsys afero.Fs, dir string) ([]string, error) {
	f, err := fsys.Open(dir)
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// writeTree writes the members under root of fsys to tw, in canonical
// order. When mirror is not nil every member is also created in mirror at
// the same path, so one pass both serialises and copies a layer. A layer
// tar (layer true) records every symlink with the Unix epoch as its time:
// symlink times cannot be restored, and the layer's digest must not depend
// on when a symlink was extracted.
func writeTree(ctx context.Context, fsys afero.Fs, root string, tw *tar.Writer, mirror afero.Fs, layer bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fi, err := lstat(fsys, fsPath(root, ""))
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &fs.PathError{Op: "archive", Path: fsPath(root, ""), Err: errors.New("not a directory")}
	}
	var buf []byte
	var walk func(rel string) error
	walk = func(rel string) error {
		names, err := readDirNames(fsys, fsPath(root, rel))
		if err != nil {
			return err
		}
		for _, name := range names {
			if err := ctx.Err(); err != nil {
				return err
			}
			crel := path.Join(rel, name)
			p := fsPath(root, crel)
			fi, err := lstat(fsys, p)
			if err != nil {
				return err
			}
			m := fi.Mode()
			h := &tar.Header{
				Name:    crel,
				Mode:    int64(providers.UnixMode(m)),
				ModTime: fi.ModTime(),
				Format:  tar.FormatPAX,
			}
			switch {
			case m.IsDir():
				h.Typeflag = tar.TypeDir
				h.Name += "/"
				if err := tw.WriteHeader(h); err != nil {
					return err
				}
				if mirror != nil {
					if err := mirror.Mkdir(p, m.Perm()); err != nil {
						return err
					}
				}
				if err := walk(crel); err != nil {
					return err
				}
				if mirror != nil {
					if err := mirror.Chmod(p, m.Perm()|m&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
						return err
					}
					if err := mirror.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
						return err
					}
				}
			case m.IsRegular():
				h.Typeflag = tar.TypeReg
				h.Size = fi.Size()
				if err := tw.WriteHeader(h); err != nil {
					return err
				}
				if buf == nil {
					buf = make([]byte, 64<<10)
				}
				if err := copyRegular(fsys, p, tw, mirror, fi, buf); err != nil {
					return err
				}
			case m&fs.ModeSymlink != 0:
				target, err := readlink(fsys, p)
				if err != nil {
					return err
				}
				h.Typeflag = tar.TypeSymlink
				h.Linkname = target
				if layer {
					h.ModTime = time.Unix(0, 0)
				}
				if err := tw.WriteHeader(h); err != nil {
					return err
				}
				if mirror != nil {
					if err := symlink(mirror, target, p); err != nil {
						return err
					}
				}
			default:
				return &fs.PathError{Op: "archive", Path: p, Err: detail(ErrUnsupportedMember, "%s", m.Type())}
			}
		}
		return nil
	}
	return walk("")
}

// copyRegular copies the content of the regular file p to tw and, when
// mirror is not nil, to a new file at p in mirror.
func copyRegular(fsys afero.Fs, p string, tw *tar.Writer, mirror afero.Fs, fi fs.FileInfo, buf []byte) error {
	src, err := fsys.Open(p)
	if err != nil {
		return err
	}
	defer src.Close()
	var w io.Writer = tw
	var dst afero.File
	if mirror != nil {
		dst, err = mirror.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
		if err != nil {
			return err
		}
		defer dst.Close()
		if err := dst.Truncate(fi.Size()); err != nil {
			return err
		}
		w = io.MultiWriter(tw, dst)
	}
	n, err := io.CopyBuffer(w, io.LimitReader(src, fi.Size()), buf)
	if err != nil {
		return err
	}
	if n != fi.Size() {
		return &fs.PathError{Op: "archive", Path: p, Err: io.ErrUnexpectedEOF}
	}
	if mirror != nil {
		if err := dst.Close(); err != nil {
			return err
		}
		if err := mirror.Chmod(p, fi.Mode().Perm()|fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
			return err
		}
		return mirror.Chtimes(p, fi.ModTime(), fi.ModTime())
	}
	return nil
}

func symlink(fsys afero.Fs, target, name string) error {
	l, ok := fsys.(afero.Symlinker)
	if !ok {
		return &fs.PathError{Op: "symlink", Path: name, Err: detail(ErrUnsupportedMember, "filesystem has no symlinks")}
	}
	return l.SymlinkIfPossible(target, name)
}

// extractor unpacks one tar stream.
type extractor struct {
	ctx    context.Context
	fsys   afero.Fs
	root   string
	limits Limits
	// layer allows whiteout names: the stream is a layer blob, not a
	// portable archive.
	layer bool

	members   int
	extracted int64
	// dirs holds the paths (relative to root, "" for root) known to be real
	// directories, not symlinks.
	dirs map[string]bool
	// files holds the regular files written so far, for hardlinks.
	files    map[string]bool
	dirTimes []dirTime
}

type dirTime struct {
	path string
	t    time.Time
}

func newExtractor(ctx context.Context, fsys afero.Fs, root string, limits Limits, layer bool) *extractor {
	return &extractor{
		ctx:    ctx,
		fsys:   fsys,
		root:   root,
		limits: limits.withDefaults(),
		layer:  layer,
		dirs:   map[string]bool{},
		files:  map[string]bool{},
	}
}

// inputLimitReader fails once more than max bytes have been read.
type inputLimitReader struct {
	r        io.Reader
	n, max   int64
	exceeded bool
}

func (l *inputLimitReader) Read(p []byte) (int, error) {
	if l.max >= 0 {
		if l.n > l.max {
			l.exceeded = true
			return 0, ErrLimit
		}
		if rest := l.max - l.n + 1; int64(len(p)) > rest {
			p = p[:rest]
		}
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.max >= 0 && l.n > l.max {
		l.exceeded = true
		return n, ErrLimit
	}
	return n, err
}

// ctxReader fails once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (x *extractor) run(r io.Reader, op string) error {
	in := &inputLimitReader{r: r, max: x.limits.MaxInputBytes}
	tr := tar.NewReader(ctxReader{x.ctx, in})
	fail := func(target string, err error) error {
		if in.exceeded {
			err = detail(ErrLimit, "input is larger than %d bytes", x.limits.MaxInputBytes)
		}
		if ctxErr := x.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr
		}
		return wrap(providers.CodeArchiveError, op, target, err)
	}
	if err := x.ensureRoot(); err != nil {
		return fail("", err)
	}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail("", err)
		}
		x.members++
		if x.limits.MaxMembers >= 0 && x.members > x.limits.MaxMembers {
			return fail(h.Name, detail(ErrLimit, "more than %d members", x.limits.MaxMembers))
		}
		if err := x.member(tr, h); err != nil {
			return fail(h.Name, err)
		}
	}
	for i := len(x.dirTimes) - 1; i >= 0; i-- {
		d := x.dirTimes[i]
		if err := x.fsys.Chtimes(d.path, d.t, d.t); err != nil {
			return fail(d.path, err)
		}
	}
	return nil
}

// ensureRoot creates root and checks that none of its components is a
// symlink.
func (x *extractor) ensureRoot() error {
	p := ""
	for _, c := range strings.Split(x.root, "/") {
		if c == "" {
			continue
		}
		p = path.Join(p, c)
		fi, err := lstat(x.fsys, "/"+p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := x.fsys.Mkdir("/"+p, 0o755); err != nil {
				return err
			}
		case err != nil:
			return err
		case !fi.IsDir():
			return detail(ErrUnsafeMember, "root component %s is not a directory", p)
		}
	}
	x.dirs[""] = true
	return nil
}

// cleanMember checks a member name and returns it relative to the root.
func (x *extractor) cleanMember(name string) (string, error) {
	switch {
	case strings.IndexByte(name, 0) >= 0:
		return "", detail(ErrUnsafeMember, "NUL byte in name")
	case strings.HasPrefix(name, "/"):
		return "", detail(ErrUnsafeMember, "absolute name")
	case len(name) > providers.MaxPathBytes:
		return "", detail(ErrUnsafeMember, "name too long")
	}
	parts := strings.Split(name, "/")
	kept := parts[:0]
	for _, p := range parts {
		switch {
		case p == "" || p == ".":
			continue
		case p == "..":
			return "", detail(ErrUnsafeMember, `".." in name`)
		case len(p) > providers.MaxNameBytes:
			return "", detail(ErrUnsafeMember, "name too long")
		case !x.layer && strings.HasPrefix(p, whiteoutPrefix):
			return "", detail(ErrUnsafeMember, "whiteout name")
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "/"), nil
}

// checkLinkTarget refuses a symlink at rel whose target could resolve
// outside the root.
func (x *extractor) checkLinkTarget(rel, target string) error {
	switch {
	case target == "":
		return detail(ErrUnsafeMember, "empty symlink target")
	case strings.IndexByte(target, 0) >= 0:
		return detail(ErrUnsafeMember, "NUL byte in symlink target")
	case len(target) > providers.MaxPathBytes:
		return detail(ErrUnsafeMember, "symlink target too long")
	}
	parts := strings.Split(target, "/")
	if strings.HasPrefix(target, "/") {
		for _, p := range parts {
			if p == ".." {
				return detail(ErrUnsafeMember, "symlink target %q has ..", target)
			}
		}
		c := path.Clean(target)
		r := "/" + x.root
		if x.root != "" && c != r && !strings.HasPrefix(c, r+"/") {
			return detail(ErrUnsafeMember, "symlink target %q is outside %s", target, r)
		}
		return nil
	}
	depth := 0
	if d := path.Dir(rel); d != "." {
		depth = strings.Count(d, "/") + 1
	}
	up, named := 0, false
	for _, p := range parts {
		switch p {
		case "", ".":
		case "..":
			if named {
				return detail(ErrUnsafeMember, "symlink target %q has .. after a name", target)
			}
			up++
		default:
			named = true
		}
	}
	if up > depth {
		return detail(ErrUnsafeMember, "symlink target %q leaves the root", target)
	}
	return nil
}

// ensureDir makes rel a real directory, creating it and its parents as
// needed. It refuses to go through a symlink.
func (x *extractor) ensureDir(rel string) error {
	if x.dirs[rel] {
		return nil
	}
	if err := x.ensureDir(parentOf(rel)); err != nil {
		return err
	}
	p := fsPath(x.root, rel)
	fi, err := lstat(x.fsys, p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := x.fsys.Mkdir(p, 0o755); err != nil {
			return err
		}
	case err != nil:
		return err
	case fi.IsDir():
	case fi.Mode()&fs.ModeSymlink != 0:
		return detail(ErrUnsafeMember, "%s is a symlink", rel)
	default:
		if err := x.fsys.Remove(p); err != nil {
			return err
		}
		delete(x.files, rel)
		if err := x.fsys.Mkdir(p, 0o755); err != nil {
			return err
		}
	}
	x.dirs[rel] = true
	return nil
}

// parentOf returns the parent of rel, "" for a top-level name.
func parentOf(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}

// clear makes room for a non-directory member at rel.
func (x *extractor) clear(rel string) error {
	if err := x.ensureDir(parentOf(rel)); err != nil {
		return err
	}
	p := fsPath(x.root, rel)
	fi, err := lstat(x.fsys, p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		if err := x.fsys.RemoveAll(p); err != nil {
			return err
		}
		x.forget(rel)
		return nil
	default:
		delete(x.files, rel)
		return x.fsys.Remove(p)
	}
}

// forget drops what is known about rel and everything under it.
func (x *extractor) forget(rel string) {
	prefix := rel + "/"
	delete(x.dirs, rel)
	for d := range x.dirs {
		if strings.HasPrefix(d, prefix) {
			delete(x.dirs, d)
		}
	}
	for f := range x.files {
		if strings.HasPrefix(f, prefix) {
			delete(x.files, f)
		}
	}
}

func (x *extractor) member(tr *tar.Reader, h *tar.Header) error {
	if h.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	rel, err := x.cleanMember(h.Name)
	if err != nil {
		return err
	}
	mode := providers.ModeFromUnix(uint32(h.Mode))
	if rel == "" {
		if h.Typeflag == tar.TypeDir {
			return nil // the root itself
		}
		return detail(ErrUnsafeMember, "member names the root")
	}
	p := fsPath(x.root, rel)
	switch h.Typeflag {
	case tar.TypeDir:
		if err := x.ensureDir(rel); err != nil {
			return err
		}
		if err := x.fsys.Chmod(p, mode); err != nil {
			return err
		}
		x.dirTimes = append(x.dirTimes, dirTime{p, h.ModTime})
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
		if h.Size < 0 {
			return detail(ErrUnsafeMember, "negative size")
		}
		if err := x.reserve(h.Size); err != nil {
			return err
		}
		if err := x.clear(rel); err != nil {
			return err
		}
		if err := x.writeFile(p, tr, h.Size, mode, h.ModTime); err != nil {
			return err
		}
		x.files[rel] = true
	case tar.TypeLink:
		src, err := x.cleanMember(h.Linkname)
		if err != nil {
			return err
		}
		if !x.files[src] || src == rel {
			return detail(ErrUnsafeMember, "hardlink target %q is not a regular file of the archive", h.Linkname)
		}
		sp := fsPath(x.root, src)
		fi, err := x.fsys.Stat(sp)
		if err != nil {
			return err
		}
		if err := x.reserve(fi.Size()); err != nil {
			return err
		}
		in, err := x.fsys.Open(sp)
		if err != nil {
			return err
		}
		defer in.Close()
		if err := x.clear(rel); err != nil {
			return err
		}
		if err := x.writeFile(p, in, fi.Size(), fi.Mode(), fi.ModTime()); err != nil {
			return err
		}
		x.files[rel] = true
	case tar.TypeSymlink:
		// A layer may hold any symlink a session made (the overlay keeps
		// them inside its root); a portable archive may not.
		if x.layer && (h.Linkname == "" || strings.IndexByte(h.Linkname, 0) >= 0) {
			return detail(ErrUnsafeMember, "invalid symlink target")
		}
		if err := x.checkLinkTarget(rel, h.Linkname); err != nil && !x.layer {
			return err
		}
		if err := x.clear(rel); err != nil {
			return err
		}
		if err := symlink(x.fsys, h.Linkname, p); err != nil {
			return err
		}
	default:
		return detail(ErrUnsupportedMember, "type %q", h.Typeflag)
	}
	return nil
}

// reserve counts n bytes against the extraction limit.
func (x *extractor) reserve(n int64) error {
	if x.limits.MaxExtractedBytes >= 0 && n > x.limits.MaxExtractedBytes-x.extracted {
		return detail(ErrLimit, "more than %d bytes extracted", x.limits.MaxExtractedBytes)
	}
	x.extracted += n
	return nil
}

func (x *extractor) writeFile(p string, r io.Reader, size int64, mode fs.FileMode, mtime time.Time) error {
	f, err := x.fsys.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode.Perm())
	if err != nil {
		return err
	}
	if size > 0 {
		// One allocation of the final size, for layers kept in memory.
		if err := f.Truncate(size); err != nil {
			f.Close()
			return err
		}
	}
	n, err := io.Copy(f, ctxReader{x.ctx, io.LimitReader(r, size)})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != size {
		return io.ErrUnexpectedEOF
	}
	if err := x.fsys.Chmod(p, mode); err != nil {
		return err
	}
	return x.fsys.Chtimes(p, mtime, mtime)
}
