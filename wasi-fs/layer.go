package wasifs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/afero"
)

// Operations on one layer, given cleaned root-relative paths in which no
// name but possibly the last is a symlink in that layer.

// directLayer is implemented by layers that look up such paths faster than
// through their afero methods.
type directLayer interface {
	// lstatRel returns the metadata of rel, not following a final symlink.
	lstatRel(rel string) (fs.FileInfo, error)
	// existsRel reports whether rel exists.
	existsRel(rel string) bool
}

// layerProbe looks up name in the directory dirRel of a layer: the kind of
// the entry, its metadata when withInfo, whether the directory holds a
// whiteout for name and, for a directory entry, whether it is opaque.
func layerProbe(fsys afero.Fs, dirRel, name string, withInfo bool) (p probe, err error) {
	if d, ok := fsys.(*memLayer); ok {
		return d.probe(dirRel, name, withInfo)
	}
	rel := joinRel(dirRel, name)
	fi, err := layerLstat(fsys, rel)
	switch {
	case err == nil:
		p.kind, p.info = kindOf(fi), fi
		p.opaque = p.kind == kindDir && layerExists(fsys, joinRel(rel, OpaqueMarker))
	case !isNotExist(err):
		return p, err
	}
	p.whiteout = layerExists(fsys, joinRel(dirRel, WhiteoutPrefix+name))
	return p, nil
}

// probe is what layerProbe learns.
type probe struct {
	kind     entryKind
	info     fs.FileInfo
	whiteout bool
	opaque   bool
}

func kindOf(fi fs.FileInfo) entryKind {
	switch {
	case fi.IsDir():
		return kindDir
	case fi.Mode()&fs.ModeSymlink != 0:
		return kindSymlink
	}
	return kindFile
}

func layerLstat(fsys afero.Fs, rel string) (fs.FileInfo, error) {
	if d, ok := fsys.(directLayer); ok {
		return d.lstatRel(rel)
	}
	if l, ok := fsys.(afero.Lstater); ok {
		fi, _, err := l.LstatIfPossible(layerPath(rel))
		return fi, err
	}
	return fsys.Stat(layerPath(rel))
}

// layerExists reports whether rel exists in the layer; errors other than
// "does not exist" count as absence.
func layerExists(fsys afero.Fs, rel string) bool {
	if d, ok := fsys.(directLayer); ok {
		return d.existsRel(rel)
	}
	_, err := layerLstat(fsys, rel)
	return err == nil
}

func layerReadlink(fsys afero.Fs, rel string) (string, error) {
	r, ok := fsys.(afero.LinkReader)
	if !ok {
		return "", errInvalid
	}
	target, err := r.ReadlinkIfPossible(layerPath(rel))
	if err != nil {
		return "", err
	}
	// BasePathFs stores and returns targets as host paths under its base:
	// give them back relative to the layer's root.
	if bp, ok := fsys.(*afero.BasePathFs); ok {
		if base, err := bp.RealPath("/"); err == nil {
			base = strings.TrimSuffix(base, "/")
			if target == base {
				return "/", nil
			}
			if rest, ok := strings.CutPrefix(target, base+"/"); ok {
				return "/" + rest, nil
			}
		}
	}
	return target, nil
}

func layerSymlink(fsys afero.Fs, target, rel string) error {
	l, ok := fsys.(afero.Linker)
	if !ok {
		return syscall.ENOTSUP
	}
	return l.SymlinkIfPossible(target, layerPath(rel))
}

// readDirLayer lists one directory of a layer.
func readDirLayer(fsys afero.Fs, rel string) ([]fs.FileInfo, error) {
	f, err := fsys.Open(layerPath(rel))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdir(-1)
}

// copyEntry copies the entry at rel in src to dstRel in dst: a directory
// (without its content), a regular file with its content (none when
// truncate), or a symlink. Mode bits and modification time are kept.
func copyEntry(src afero.Fs, rel string, dst afero.Fs, dstRel string, fi fs.FileInfo, truncate bool) error {
	dp := layerPath(dstRel)
	switch {
	case fi.IsDir():
		if err := dst.Mkdir(dp, fi.Mode().Perm()); err != nil {
			return err
		}
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := layerReadlink(src, rel)
		if err != nil {
			return err
		}
		return layerSymlink(dst, target, dstRel)
	default:
		if err := copyFile(src, rel, dst, dp, fi, truncate); err != nil {
			return err
		}
	}
	_ = dst.Chmod(dp, fi.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
	_ = dst.Chtimes(dp, fi.ModTime(), fi.ModTime())
	return nil
}

func copyFile(src afero.Fs, rel string, dst afero.Fs, dp string, fi fs.FileInfo, truncate bool) (err error) {
	out, err := dst.OpenFile(dp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if truncate || fi.Size() == 0 {
		return nil
	}
	in, err := src.Open(layerPath(rel))
	if err != nil {
		return err
	}
	defer in.Close()
	if cloneData(out, in) {
		return nil
	}
	_, err = io.CopyBuffer(out, in, make([]byte, min(fi.Size(), 1<<20)))
	return err
}

// isNotExist reports whether a layer error means the path is absent.
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errnoOf(err) == syscall.ENOTDIR
}
