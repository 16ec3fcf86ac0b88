package docker

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/wsbx/wsbx/providers"
)

// ExportArchive writes the workspace as the portable archive: members named
// relative to the root ("a.txt", "dir/", "dir/b"), no member for the root,
// regular files, directories and symlinks with their mode bits and
// modification times, owners 0:0, PAX headers; a second name of a file is a
// hardlink member to the first.
//
// The engine locks the container while it sends the archive: other
// operations on the session wait until the export ends, which also keeps
// the workspace still while it is read. Do not make w depend on this
// session.
//
// # Errors
//
// CodeArchiveError for a device, FIFO or socket in the workspace, an engine
// failure or a failing w; CodeSessionClosed after Close.
func (s *session) ExportArchive(ctx context.Context, w io.Writer) error {
	const op = "export_archive"
	if err := s.check(op); err != nil {
		return err
	}
	rc, _, err := s.p.cli.CopyFromContainer(ctx, s.id, s.root)
	if err != nil {
		return &providers.Error{Code: providers.CodeArchiveError, Op: op, Target: s.root, Err: s.engineError(op, s.root, err, providers.CodeArchiveError)}
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	tw := tar.NewWriter(w)
	fail := func(target string, err error) error {
		if pe := s.check(op); pe != nil {
			return pe
		}
		return &providers.Error{Code: providers.CodeArchiveError, Op: op, Target: target, Err: err}
	}
	var prefix string
	for first := true; ; first = false {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(s.root, err)
		}
		name := strings.TrimSuffix(hdr.Name, "/")
		if first {
			prefix = name + "/"
			continue
		}
		name = strings.TrimPrefix(name, prefix)
		out := &tar.Header{Name: name, Mode: hdr.Mode & 0o7777, ModTime: hdr.ModTime, Format: tar.FormatPAX}
		var body io.Reader
		switch hdr.Typeflag {
		case tar.TypeDir:
			out.Typeflag, out.Name = tar.TypeDir, name+"/"
		case tar.TypeReg:
			out.Typeflag, out.Size, body = tar.TypeReg, hdr.Size, tr
		case tar.TypeSymlink:
			out.Typeflag, out.Linkname = tar.TypeSymlink, hdr.Linkname
		case tar.TypeLink:
			// A second name of a file written earlier in the archive.
			target := strings.TrimPrefix(strings.TrimSuffix(hdr.Linkname, "/"), prefix)
			out.Typeflag, out.Linkname = tar.TypeLink, target
		default:
			return fail(name, fmt.Errorf("unsupported member type %q", hdr.Typeflag))
		}
		if err := tw.WriteHeader(out); err != nil {
			return fail(name, err)
		}
		if body != nil {
			if _, err := io.Copy(tw, body); err != nil {
				return fail(name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fail(s.root, err)
	}
	return nil
}

// ImportArchive unpacks a tar stream into the workspace, replacing entries
// with the same names. The checked stream is spooled to a temporary host
// file (Config.SpoolDir) and then sent to the engine in one piece.
//
// Each member is checked before it is passed on, and the import fails with
// CodeArchiveError at the first that could reach outside the root: a NUL
// byte, an absolute name, a ".." component, a name below a symlink or a
// file (one in the archive or one already in the workspace whose
// resolution leaves the root), a hardlink to anything but a regular file
// earlier in the archive, or a device, FIFO or other special member.
// A refused archive changes nothing.
//
// # Errors
//
// CodeArchiveError as above, for a malformed stream or an engine failure;
// CodeSessionClosed after Close.
func (s *session) ImportArchive(ctx context.Context, r io.Reader) error {
	const op = "import_archive"
	if err := s.check(op); err != nil {
		return err
	}
	// Every member is checked before anything reaches the engine, which
	// locks the container while it extracts (so no check could run then).
	f, err := s.p.spool()
	if err != nil {
		return &providers.Error{Code: providers.CodeArchiveError, Op: op, Err: err}
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := s.rewriteImport(ctx, r, tw); err != nil {
		var pe *providers.Error
		if errors.As(err, &pe) && (pe.Code == providers.CodeArchiveError || pe.Code == providers.CodeSessionClosed) {
			return pe
		}
		return &providers.Error{Code: providers.CodeArchiveError, Op: op, Err: err}
	}
	if err := tw.Close(); err != nil {
		return &providers.Error{Code: providers.CodeArchiveError, Op: op, Err: err}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return &providers.Error{Code: providers.CodeArchiveError, Op: op, Err: err}
	}
	if err := s.p.cli.CopyToContainer(ctx, s.id, s.root, f, container.CopyToContainerOptions{}); err != nil {
		if pe := s.check(op); pe != nil {
			return pe
		}
		return &providers.Error{Code: providers.CodeArchiveError, Op: op, Err: err}
	}
	return nil
}

// rewriteImport copies the checked members of r to tw.
func (s *session) rewriteImport(ctx context.Context, r io.Reader, tw *tar.Writer) error {
	const op = "import_archive"
	unsafe := func(name, msg string) error {
		return &providers.Error{Code: providers.CodeArchiveError, Op: op, Target: name, Message: msg}
	}
	kinds := map[string]byte{}   // member name -> type, for names in the archive
	checked := map[string]bool{} // workspace dirs known to resolve inside the root
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &providers.Error{Code: providers.CodeArchiveError, Op: op, Err: err}
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		name, msg := cleanMember(hdr.Name)
		if msg != "" {
			return unsafe(hdr.Name, msg)
		}
		if name == "." {
			continue
		}
		// Every parent must be a directory that stays inside the root.
		for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
			if k, ok := kinds[dir]; ok {
				if k != tar.TypeDir {
					return unsafe(hdr.Name, "a parent in the archive is not a directory")
				}
				break // its own parents were checked when it came
			}
			if checked[dir] {
				break
			}
			res, err := s.resolve(ctx, op, dir, true)
			if err != nil {
				return unsafe(hdr.Name, "a parent in the workspace is unsafe: "+err.Error())
			}
			if res.stat != nil && !res.stat.Mode.IsDir() {
				return unsafe(hdr.Name, "a parent in the workspace is not a directory")
			}
			checked[dir] = true
		}
		out := &tar.Header{Name: name, Mode: hdr.Mode & 0o7777, ModTime: hdr.ModTime, Format: tar.FormatPAX}
		var body io.Reader
		switch hdr.Typeflag {
		case tar.TypeDir:
			out.Typeflag, out.Name = tar.TypeDir, name+"/"
		case tar.TypeReg, tar.TypeRegA:
			out.Typeflag, out.Size, body = tar.TypeReg, hdr.Size, tr
		case tar.TypeSymlink:
			if hdr.Linkname == "" || strings.IndexByte(hdr.Linkname, 0) >= 0 {
				return unsafe(hdr.Name, "bad symlink target")
			}
			out.Typeflag, out.Linkname = tar.TypeSymlink, hdr.Linkname
		case tar.TypeLink:
			target, msg := cleanMember(hdr.Linkname)
			if msg != "" || kinds[target] != tar.TypeReg {
				return unsafe(hdr.Name, "a hardlink must name a regular file earlier in the archive")
			}
			out.Typeflag, out.Linkname = tar.TypeLink, target
		default:
			return unsafe(hdr.Name, fmt.Sprintf("unsupported member type %q", hdr.Typeflag))
		}
		if err := tw.WriteHeader(out); err != nil {
			return err
		}
		if body != nil {
			if _, err := io.Copy(tw, body); err != nil {
				return err
			}
		}
		kinds[name] = out.Typeflag
	}
}

// cleanMember returns the cleaned workspace-relative name of a member, or a
// reason to refuse it.
func cleanMember(name string) (string, string) {
	switch {
	case strings.IndexByte(name, 0) >= 0:
		return "", "NUL byte in name"
	case strings.HasPrefix(name, "/"):
		return "", "absolute name"
	case len(name) > providers.MaxPathBytes:
		return "", "name too long"
	}
	var kept []string
	for _, p := range strings.Split(name, "/") {
		switch {
		case p == "" || p == ".":
		case p == "..":
			return "", `".." in name`
		case len(p) > providers.MaxNameBytes:
			return "", "name too long"
		default:
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return ".", ""
	}
	return strings.Join(kept, "/"), ""
}
