package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/wsbx/wsbx/providers"
)

// maxLinkHops bounds the symlinks followed while resolving one path.
const maxLinkHops = 40

// resolved is a workspace path resolved inside the container.
type resolved struct {
	// abs is the absolute container path after following symlinks.
	abs string
	// stat describes abs; nil when it does not exist.
	stat *container.PathStat
	// parent is the deepest existing directory on the way to abs and
	// missing the components below it that do not exist (stat == nil).
	parent  string
	missing []string
}

// resolve follows rel (from providers.WorkspacePath) inside the container
// one component at a time, following symlinks in every component and, when
// followLast, in the last one. The engine reports each symlink's target
// fully resolved; a target outside the workspace root fails with
// CodePathEscape.
func (s *session) resolve(ctx context.Context, op, rel string, followLast bool) (resolved, error) {
	var comps []string
	if rel != "." {
		comps = strings.Split(rel, "/")
	}
	cur := s.root
	hops := 0
	for i := 0; ; i++ {
		st, err := s.p.cli.ContainerStatPath(ctx, s.id, cur)
		if err != nil {
			if isNotFound(err) && s.check(op) == nil {
				missing := append([]string{path.Base(cur)}, comps[i:]...)
				return resolved{abs: path.Join(cur, path.Join(comps[i:]...)), parent: path.Dir(cur), missing: missing}, nil
			}
			return resolved{}, s.engineError(op, rel, err, providers.CodeReadError)
		}
		last := i == len(comps)
		if st.Mode&fs.ModeSymlink != 0 && (!last || followLast) {
			hops++
			target := path.Clean(st.LinkTarget)
			if hops > maxLinkHops {
				return resolved{}, &providers.Error{Code: providers.CodeInvalidPath, Op: op, Target: rel, Message: "too many levels of symbolic links"}
			}
			if !within(s.root, target) {
				return resolved{}, &providers.Error{Code: providers.CodePathEscape, Op: op, Target: rel, Message: "a symlink leads outside the workspace root"}
			}
			cur = target
			i-- // stat the target in place of the link
			continue
		}
		if last {
			return resolved{abs: cur, stat: &st}, nil
		}
		if !st.Mode.IsDir() {
			return resolved{}, &providers.Error{Code: providers.CodeWriteTypeError, Op: op, Target: rel, Message: "not a directory: " + strings.Join(comps[:i], "/")}
		}
		cur = path.Join(cur, comps[i])
	}
}

// within reports whether p is root or below it.
func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+"/")
}

// locate checks the session and the path, then resolves it in the
// container: the prelude of every file operation that works on an existing
// path.
func (s *session) locate(ctx context.Context, op, p string, followLast bool) (string, resolved, error) {
	rel, err := s.relPath(op, p)
	if err != nil {
		return "", resolved{}, err
	}
	r, err := s.resolve(ctx, op, rel, followLast)
	return rel, r, err
}

// relPath returns the workspace-relative form of the cleaned user path p
// (for errors and FileInfo.Path), checking it first.
func (s *session) relPath(op, p string) (string, error) {
	if err := s.check(op); err != nil {
		return "", err
	}
	rel, err := providers.WorkspacePath(s.root, p)
	if err != nil {
		return "", withOp(err, op)
	}
	return rel, nil
}

// withOp sets the Op of a providers.Error from WorkspacePath.
func withOp(err error, op string) error {
	var pe *providers.Error
	if errors.As(err, &pe) {
		c := *pe
		c.Op = op
		return &c
	}
	return err
}

// engineError maps an engine error at the boundary.
func (s *session) engineError(op, target string, err error, fallback providers.Code) error {
	if s.check(op) != nil {
		return &providers.Error{Code: providers.CodeSessionClosed, Op: op, Target: target, Err: err}
	}
	code := fallback
	retry := false
	switch {
	case isNotFound(err):
		code = providers.CodeReadNotFound
	case cerrdefs.IsPermissionDenied(err):
		code = providers.CodePermissionDenied
	case cerrdefs.IsInvalidArgument(err):
		code = providers.CodeInvalidPath
	case client.IsErrConnectionFailed(err), cerrdefs.IsUnavailable(err):
		retry = true
	}
	return &providers.Error{Code: code, Op: op, Target: target, Err: err, Retryable: retry}
}

// isNotFound reports a 404 from the engine.
func isNotFound(err error) bool {
	return cerrdefs.IsNotFound(err)
}

// ReadFile returns the content of one workspace file. The engine locks the
// container while it sends an archive, so the content is taken out whole
// before ReadFile returns (into memory up to 1 MiB, into a temporary host
// file in Config.SpoolDir beyond, removed on Close): an open reader never
// holds up other operations on the session.
//
// # Errors
//
// CodeReadNotFound, CodeWriteTypeError for a directory, CodePathEscape,
// CodeInvalidPath, CodeReadError for engine failures, CodeSessionClosed.
func (s *session) ReadFile(ctx context.Context, p string) (io.ReadCloser, error) {
	const op = "read_file"
	rel, r, err := s.locate(ctx, op, p, true)
	if err != nil {
		return nil, err
	}
	switch {
	case r.stat == nil:
		return nil, &providers.Error{Code: providers.CodeReadNotFound, Op: op, Target: rel, Err: fs.ErrNotExist}
	case r.stat.Mode.IsDir():
		return nil, &providers.Error{Code: providers.CodeWriteTypeError, Op: op, Target: rel, Message: "is a directory"}
	case !r.stat.Mode.IsRegular():
		return nil, &providers.Error{Code: providers.CodeReadError, Op: op, Target: rel, Message: "not a regular file: " + r.stat.Mode.Type().String()}
	}
	rc, _, err := s.p.cli.CopyFromContainer(ctx, s.id, r.abs)
	if err != nil {
		return nil, s.engineError(op, rel, err, providers.CodeReadError)
	}
	// The engine locks the container while an archive stream is open, so
	// the content is taken out at once: into memory up to 1 MiB, into a
	// temporary host file beyond.
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err != nil || hdr.Typeflag != tar.TypeReg {
		return nil, &providers.Error{Code: providers.CodeReadError, Op: op, Target: rel, Err: err, Message: "unexpected archive from the engine"}
	}
	if hdr.Size <= spoolThreshold {
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, s.engineError(op, rel, err, providers.CodeReadError)
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	f, err := s.p.spool()
	if err != nil {
		return nil, &providers.Error{Code: providers.CodeReadError, Op: op, Target: rel, Err: err}
	}
	if _, err := io.Copy(f, tr); err != nil {
		f.Close()
		return nil, s.engineError(op, rel, err, providers.CodeReadError)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, &providers.Error{Code: providers.CodeReadError, Op: op, Target: rel, Err: err}
	}
	return f, nil
}

// spoolThreshold is the size up to which content passes through memory;
// larger content goes through a temporary host file.
const spoolThreshold = 1 << 20

// spoolFile is a temporary host file removed when closed.
type spoolFile struct{ *os.File }

func (f spoolFile) Close() error {
	err := f.File.Close()
	os.Remove(f.Name())
	return err
}

// spool creates a temporary host file in Config.SpoolDir.
func (p *Provider) spool() (spoolFile, error) {
	f, err := os.CreateTemp(p.cfg.SpoolDir, "wsbx-docker-*")
	if err != nil {
		return spoolFile{}, err
	}
	return spoolFile{f}, nil
}

// WriteFile creates or replaces a workspace file, creating missing parent
// directories (mode 0755). A file of unknown size (a reader that is not a
// bytes.Reader, strings.Reader, bytes.Buffer or regular *os.File) longer
// than 1 MiB is spooled to a temporary host file, because the archive
// header needs the size.
//
// # Errors
//
// CodeWriteTypeError when the path or a parent is not a directory as needed,
// CodePathEscape, CodeInvalidPath, CodeWriteError for engine or reader
// failures, CodeSessionClosed.
func (s *session) WriteFile(ctx context.Context, p string, r io.Reader, mode fs.FileMode) error {
	const op = "write_file"
	rel, err := s.relPath(op, p)
	if err != nil {
		return err
	}
	if rel == "." {
		return &providers.Error{Code: providers.CodeWriteTypeError, Op: op, Target: rel, Message: "is a directory"}
	}
	if mode == 0 {
		mode = 0o644
	}
	res, err := s.resolve(ctx, op, rel, true)
	if err != nil {
		return err
	}
	var dst string
	var names []string // members below dst: missing dirs, then the file
	if res.stat != nil {
		if res.stat.Mode.IsDir() {
			return &providers.Error{Code: providers.CodeWriteTypeError, Op: op, Target: rel, Message: "is a directory"}
		}
		dst, names = path.Dir(res.abs), []string{path.Base(res.abs)}
	} else {
		dst, names = res.parent, res.missing
	}
	body, size, cleanup, err := s.p.sized(r)
	if err != nil {
		return &providers.Error{Code: providers.CodeWriteError, Op: op, Target: rel, Err: err}
	}
	defer cleanup()
	now := time.Now()
	err = s.copyTo(ctx, dst, func(tw *tar.Writer) error {
		for i := range names[:len(names)-1] {
			hdr := &tar.Header{Typeflag: tar.TypeDir, Name: path.Join(names[:i+1]...) + "/", Mode: 0o755, ModTime: now, Format: tar.FormatPAX}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: path.Join(names...), Mode: int64(providers.UnixMode(mode)), Size: size, ModTime: now, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		n, err := io.Copy(tw, body)
		if err == nil && n != size {
			err = fmt.Errorf("the content changed size while writing (%d of %d bytes)", n, size)
		}
		return err
	})
	if err != nil {
		return s.engineError(op, rel, err, providers.CodeWriteError)
	}
	return nil
}

// copyTo streams the archive that fill writes into the container directory
// dst, without holding it in memory.
func (s *session) copyTo(ctx context.Context, dst string, fill func(*tar.Writer) error) error {
	pr, pw := io.Pipe()
	filled := make(chan error, 1)
	go func() {
		tw := tar.NewWriter(pw)
		err := fill(tw)
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
		filled <- err
	}()
	err := s.p.cli.CopyToContainer(ctx, s.id, dst, pr, container.CopyToContainerOptions{})
	pr.CloseWithError(errors.New("the engine stopped reading"))
	if ferr := <-filled; ferr != nil && (err == nil || !errors.Is(ferr, io.ErrClosedPipe)) {
		return ferr
	}
	return err
}

// sized returns r with its size, spooling it to a temporary file when the
// size cannot be known otherwise and the content passes 1 MiB.
func (p *Provider) sized(r io.Reader) (io.Reader, int64, func(), error) {
	nop := func() {}
	switch v := r.(type) {
	case interface{ Len() int }:
		return r, int64(v.Len()), nop, nil
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := v.Seek(0, io.SeekCurrent); err == nil {
				return r, fi.Size() - off, nop, nil
			}
		}
	}
	head := make([]byte, spoolThreshold)
	n, err := io.ReadFull(r, head)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return bytes.NewReader(head[:n]), int64(n), nop, nil
	case err != nil:
		return nil, 0, nop, err
	}
	f, err := p.spool()
	if err != nil {
		return nil, 0, nop, err
	}
	cleanup := func() { f.Close() }
	if _, err := f.Write(head); err != nil {
		cleanup()
		return nil, 0, nop, err
	}
	rest, err := io.Copy(f, r)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return nil, 0, nop, err
	}
	return f, int64(n) + rest, cleanup, nil
}

// List returns the entries of a workspace directory, sorted by name. The
// engine sends the whole subtree as an archive; List reads only the headers
// of the direct entries, but the cost grows with the subtree's size.
//
// # Errors
//
// CodeReadNotFound, CodeWriteTypeError for a file, CodePathEscape,
// CodeInvalidPath, CodeReadError, CodeSessionClosed.
func (s *session) List(ctx context.Context, p string) ([]providers.FileInfo, error) {
	const op = "list"
	rel, r, err := s.locate(ctx, op, p, true)
	if err != nil {
		return nil, err
	}
	switch {
	case r.stat == nil:
		return nil, &providers.Error{Code: providers.CodeReadNotFound, Op: op, Target: rel, Err: fs.ErrNotExist}
	case !r.stat.Mode.IsDir():
		return nil, &providers.Error{Code: providers.CodeWriteTypeError, Op: op, Target: rel, Message: "not a directory"}
	}
	rc, _, err := s.p.cli.CopyFromContainer(ctx, s.id, r.abs)
	if err != nil {
		return nil, s.engineError(op, rel, err, providers.CodeReadError)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var prefix string
	var out []providers.FileInfo
	for first := true; ; first = false {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &providers.Error{Code: providers.CodeReadError, Op: op, Target: rel, Err: err}
		}
		name := strings.TrimSuffix(hdr.Name, "/")
		if first {
			prefix = name + "/"
			continue
		}
		name = strings.TrimPrefix(name, prefix)
		if name == "" || strings.Contains(name, "/") {
			continue
		}
		fi := providers.FileInfo{
			Name: name, Path: joinRel(rel, name), Size: hdr.Size,
			Mode: hdr.FileInfo().Mode(), ModTime: hdr.ModTime, LinkTarget: hdr.Linkname,
		}
		if hdr.Typeflag == tar.TypeLink {
			st, err := s.p.cli.ContainerStatPath(ctx, s.id, path.Join(r.abs, name))
			if err != nil {
				return nil, s.engineError(op, fi.Path, err, providers.CodeReadError)
			}
			fi.Size, fi.Mode, fi.ModTime, fi.LinkTarget = st.Size, st.Mode, st.Mtime, ""
		}
		out = append(out, fi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func joinRel(rel, name string) string {
	if rel == "." {
		return name
	}
	return rel + "/" + name
}

// Stat describes one workspace path without following a final symlink.
//
// # Errors
//
// CodeReadNotFound, CodePathEscape, CodeInvalidPath, CodeReadError,
// CodeSessionClosed.
func (s *session) Stat(ctx context.Context, p string) (providers.FileInfo, error) {
	const op = "stat"
	rel, r, err := s.locate(ctx, op, p, false)
	if err != nil {
		return providers.FileInfo{}, err
	}
	if r.stat == nil {
		return providers.FileInfo{}, &providers.Error{Code: providers.CodeReadNotFound, Op: op, Target: rel, Err: fs.ErrNotExist}
	}
	fi := providers.FileInfo{Name: path.Base(rel), Path: rel, Size: r.stat.Size, Mode: r.stat.Mode, ModTime: r.stat.Mtime}
	if r.stat.Mode&fs.ModeSymlink != 0 {
		// The engine's stat gives the resolved target; the archive holds
		// the link's own text.
		rc, _, err := s.p.cli.CopyFromContainer(ctx, s.id, r.abs)
		if err != nil {
			return providers.FileInfo{}, s.engineError(op, rel, err, providers.CodeReadError)
		}
		hdr, err := tar.NewReader(rc).Next()
		rc.Close()
		if err != nil {
			return providers.FileInfo{}, &providers.Error{Code: providers.CodeReadError, Op: op, Target: rel, Err: err}
		}
		fi.LinkTarget = hdr.Linkname
	}
	return fi, nil
}

// Remove deletes a file, a symlink (never its target) or an empty
// directory, or with recursive a whole tree, by running rm or rmdir in the
// container.
//
// # Errors
//
// CodeReadNotFound, CodeNotEmpty, CodePathEscape, CodeInvalidPath,
// CodeInvalidRequest for the workspace root, CodeWriteError,
// CodeSessionClosed.
func (s *session) Remove(ctx context.Context, p string, recursive bool) error {
	const op = "remove"
	rel, err := s.relPath(op, p)
	if err != nil {
		return err
	}
	if rel == "." {
		return &providers.Error{Code: providers.CodeInvalidRequest, Op: op, Target: rel, Message: "cannot remove the workspace root"}
	}
	r, err := s.resolve(ctx, op, rel, false)
	if err != nil {
		return err
	}
	if r.stat == nil {
		return &providers.Error{Code: providers.CodeReadNotFound, Op: op, Target: rel, Err: fs.ErrNotExist}
	}
	argv := []string{"rm", "-f", "--", r.abs}
	switch {
	case recursive:
		argv = []string{"rm", "-rf", "--", r.abs}
	case r.stat.Mode.IsDir():
		argv = []string{"rmdir", "--", r.abs}
	}
	res, err := s.run(ctx, argv)
	if err != nil {
		return withOp(err, op)
	}
	if res.ExitCode != 0 {
		msg := strings.TrimSpace(string(res.Stderr))
		code := providers.CodeWriteError
		if strings.Contains(strings.ToLower(msg), "not empty") {
			code = providers.CodeNotEmpty
		}
		return &providers.Error{Code: code, Op: op, Target: rel, Message: msg}
	}
	return nil
}

// Mkdir creates a directory (mode 0755); with parents it creates missing
// parents and accepts an existing directory.
//
// # Errors
//
// CodeAlreadyExists, CodeReadNotFound for a missing parent without
// parents, CodeWriteTypeError when a parent or the path is a file,
// CodePathEscape, CodeInvalidPath, CodeWriteError, CodeSessionClosed.
func (s *session) Mkdir(ctx context.Context, p string, parents bool) error {
	const op = "mkdir"
	rel, r, err := s.locate(ctx, op, p, true)
	if err != nil {
		return err
	}
	switch {
	case r.stat != nil && !parents:
		return &providers.Error{Code: providers.CodeAlreadyExists, Op: op, Target: rel, Err: fs.ErrExist}
	case r.stat != nil && r.stat.Mode.IsDir():
		return nil
	case r.stat != nil:
		return &providers.Error{Code: providers.CodeWriteTypeError, Op: op, Target: rel, Message: "exists and is not a directory"}
	case len(r.missing) > 1 && !parents:
		return &providers.Error{Code: providers.CodeReadNotFound, Op: op, Target: rel, Message: "parent directory does not exist"}
	}
	now := time.Now()
	err = s.copyTo(ctx, r.parent, func(tw *tar.Writer) error {
		for i := range r.missing {
			hdr := &tar.Header{Typeflag: tar.TypeDir, Name: path.Join(r.missing[:i+1]...) + "/", Mode: 0o755, ModTime: now, Format: tar.FormatPAX}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.engineError(op, rel, err, providers.CodeWriteError)
	}
	return nil
}
