package manifest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gobwas/glob"

	"github.com/wsbx/wsbx/providers"
)

// srcPath resolves a local source against the manifest's BaseDir.
func (j *job) srcPath() string {
	src := filepath.FromSlash(j.e.Src)
	if filepath.IsAbs(src) || j.mt.m.BaseDir == "" {
		return src
	}
	return filepath.Join(j.mt.m.BaseDir, src)
}

func (j *job) localFile(ctx context.Context) error {
	f, err := os.Open(j.srcPath())
	if err != nil {
		return j.fail(readError(err, j.e.Src), CodeLocalFileRead)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return j.fail(readError(err, j.e.Src), CodeLocalFileRead)
	}
	if !fi.Mode().IsRegular() {
		return j.failf(CodeLocalFileRead, fmt.Sprintf("%s is not a regular file", j.e.Src))
	}
	j.setTotal(fi.Size())
	return j.write(ctx, "", f, j.mode(fi.Mode().Perm()), CodeLocalFileRead)
}

// readError strips a host-specific path down to the name in the manifest.
func readError(err error, name string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

// localFileInfo is one file found under a local_dir's src.
type localFileInfo struct {
	rel  string
	size int64
	mode fs.FileMode
}

// matcher reports whether a slash-separated relative path is excluded.
type matcher []struct {
	g    glob.Glob
	base bool
}

func newMatcher(patterns []string) (matcher, error) {
	var m matcher
	for _, p := range patterns {
		g, err := glob.Compile(strings.TrimSuffix(p, "/"), '/')
		if err != nil {
			return nil, err
		}
		m = append(m, struct {
			g    glob.Glob
			base bool
		}{g, !strings.Contains(strings.TrimSuffix(p, "/"), "/")})
	}
	return m, nil
}

func (m matcher) match(rel string) bool {
	for _, p := range m {
		if p.g.Match(rel) || (p.base && p.g.Match(path.Base(rel))) {
			return true
		}
	}
	return false
}

// localDir copies src through an os.Root, which refuses any path or
// symlink that leaves src.
func (j *job) localDir(ctx context.Context) error {
	root, err := os.OpenRoot(j.srcPath())
	if err != nil {
		return j.fail(readError(err, j.e.Src), CodeLocalDirRead)
	}
	defer root.Close()
	excl, err := newMatcher(j.e.Exclude)
	if err != nil {
		return j.fail(err, providers.CodeInvalidManifest)
	}
	var files []localFileInfo
	var dirs []string
	var walk func(rel string, ancestors []fs.FileInfo) error
	walk = func(rel string, ancestors []fs.FileInfo) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := root.Open(rel)
		if err != nil {
			return readError(err, path.Join(j.e.Src, rel))
		}
		ents, err := d.ReadDir(-1)
		d.Close()
		if err != nil {
			return readError(err, path.Join(j.e.Src, rel))
		}
		for _, de := range ents {
			child := de.Name()
			if rel != "." {
				child = rel + "/" + de.Name()
			}
			if excl.match(child) {
				continue
			}
			fi, err := de.Info()
			if err != nil {
				return readError(err, path.Join(j.e.Src, child))
			}
			if fi.Mode()&fs.ModeSymlink != 0 {
				// Follow it inside the root; the root refuses a target
				// outside src (and absolute targets).
				fi, err = root.Stat(child)
				if err != nil {
					return fmt.Errorf("symlink %s: %w", path.Join(j.e.Src, child), describeRootErr(err))
				}
			}
			switch {
			case fi.IsDir():
				for _, a := range ancestors {
					if os.SameFile(a, fi) {
						return fmt.Errorf("symlink %s: loops back to a parent directory", path.Join(j.e.Src, child))
					}
				}
				dirs = append(dirs, child)
				if err := walk(child, append(ancestors, fi)); err != nil {
					return err
				}
			case fi.Mode().IsRegular():
				files = append(files, localFileInfo{rel: child, size: fi.Size(), mode: fi.Mode().Perm()})
			default:
				// Sockets, pipes and devices have no content to copy.
			}
		}
		return nil
	}
	top, err := root.Stat(".")
	if err != nil {
		return j.fail(readError(err, j.e.Src), CodeLocalDirRead)
	}
	if err := walk(".", []fs.FileInfo{top}); err != nil {
		return j.fail(err, CodeLocalDirRead)
	}
	var total int64
	for _, f := range files {
		total += f.size
	}
	j.setTotal(total)
	s := j.mt.s
	if err := s.Mkdir(ctx, j.dest, true); err != nil {
		return j.fail(err, providers.CodeWriteError)
	}
	for _, d := range dirs {
		if err := s.Mkdir(ctx, j.dest+"/"+d, true); err != nil {
			return j.fail(err, providers.CodeWriteError)
		}
	}
	return j.fail(parallel(ctx, j.mt.opts.fileConcurrency, len(files), func(ctx context.Context, i int) error {
		f := &files[i]
		r, err := root.Open(f.rel)
		if err != nil {
			return j.fail(readError(err, path.Join(j.e.Src, f.rel)), CodeLocalDirRead)
		}
		defer r.Close()
		return j.write(ctx, f.rel, r, j.mode(f.mode), CodeLocalDirRead)
	}), CodeLocalDirRead)
}

// describeRootErr says plainly why os.Root refused a path.
func describeRootErr(err error) error {
	if strings.Contains(err.Error(), "escapes") {
		return errors.New("points outside src")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
