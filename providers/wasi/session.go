package wasi

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
)

// session is one sandbox: a filesystem whose "/" is the sandbox root, the
// workspace root inside it, and the base environment. It holds no goroutine
// and no interpreter while idle; every Exec builds its own.
type session struct {
	p      *Provider
	root   string
	env    map[string]string
	limits providers.Limits
	closed atomic.Bool
	// done ends with Close, stopping the execs in flight.
	done   context.Context
	cancel context.CancelFunc

	mu sync.RWMutex // guards fs and parent (swapped by Snapshot)
	fs afero.Fs
	// parent is the snapshot the session's lower layers come from ("" for
	// none).
	parent string
}

var (
	_ providers.Session = (*session)(nil)
)

// filesystem returns the session filesystem, or CodeSessionClosed.
func (s *session) filesystem(op string) (afero.Fs, error) {
	if s.closed.Load() {
		return nil, &providers.Error{Code: providers.CodeSessionClosed, Op: op}
	}
	s.mu.RLock()
	fsys := s.fs
	s.mu.RUnlock()
	return fsys, nil
}

// Close releases the session. It is idempotent and safe for concurrent use;
// execs still running finish on the filesystem they started with.
func (s *session) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cancel()
	s.mu.Lock()
	s.fs = nil
	s.mu.Unlock()
	return nil
}

// maxLinkHops bounds symlink resolution, like Linux's MAXSYMLINKS.
const maxLinkHops = 40

// resolve turns a path given to a file operation into an absolute sandbox
// path inside the workspace root, following symlinks in every component
// (and in the last one when follow is set). A path or link that leaves the
// root fails with CodePathEscape.
// locate is the start of every file operation: the session's current
// filesystem (CodeSessionClosed after Close) and p resolved in it (see
// resolve).
func (s *session) locate(op, p string, follow bool) (afero.Fs, string, error) {
	fsys, err := s.filesystem(op)
	if err != nil {
		return nil, "", err
	}
	abs, err := s.resolve(fsys, op, p, follow)
	return fsys, abs, err
}

func (s *session) resolve(fsys afero.Fs, op, p string, follow bool) (string, error) {
	rel, err := providers.WorkspacePath(s.root, p)
	if err != nil {
		var e *providers.Error
		if errors.As(err, &e) {
			e.Op = op
		}
		return "", err
	}
	if rel == "." {
		return s.root, nil
	}
	lstater, _ := fsys.(afero.Lstater)
	linker, _ := fsys.(afero.Symlinker)
	cur := s.root
	todo := strings.Split(rel, "/")
	hops := 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			if !within(s.root, cur) {
				return "", escape(op, p)
			}
			continue
		}
		next := path.Join(cur, name)
		if (len(todo) == 0 && !follow) || lstater == nil || linker == nil {
			cur = next
			continue
		}
		fi, _, err := lstater.LstatIfPossible(next)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			// Missing components are fine here: the operation itself
			// reports them.
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", providers.NewError(providers.CodeInvalidPath, op, p, syscall.ELOOP)
		}
		target, err := linker.ReadlinkIfPossible(next)
		if err != nil {
			return "", providers.FromFSError(op, p, err, providers.CodeReadError)
		}
		if path.IsAbs(target) {
			if !within(s.root, path.Clean(target)) {
				return "", escape(op, p)
			}
			cur = "/"
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	if !within(s.root, cur) {
		return "", escape(op, p)
	}
	return cur, nil
}

func within(root, p string) bool {
	return p == root || root == "/" || strings.HasPrefix(p, root+"/")
}

func escape(op, p string) error {
	return &providers.Error{Code: providers.CodePathEscape, Op: op, Target: p, Message: "path leaves the workspace root"}
}

// ReadFile opens a workspace file. The caller closes it. Safe for concurrent
// use.
//
// # Errors
//
// CodeReadNotFound, CodeWriteTypeError for a directory, CodePathEscape,
// CodeInvalidPath, CodeSessionClosed.
func (s *session) ReadFile(ctx context.Context, p string) (io.ReadCloser, error) {
	const op = "read_file"
	fsys, abs, err := s.locate(op, p, true)
	if err != nil {
		return nil, err
	}
	f, err := fsys.Open(abs)
	if err != nil {
		return nil, providers.FromFSError(op, p, err, providers.CodeReadError)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, providers.FromFSError(op, p, err, providers.CodeReadError)
	}
	if fi.IsDir() {
		f.Close()
		return nil, providers.NewError(providers.CodeWriteTypeError, op, p, syscall.EISDIR)
	}
	return f, nil
}

// WriteFile creates or replaces a workspace file, creating missing parent
// directories. Safe for concurrent use.
//
// # Errors
//
// CodeWriteTypeError when p is a directory or a parent is a file,
// CodePathEscape, CodeInvalidPath, CodeWriteError, CodeSessionClosed.
func (s *session) WriteFile(ctx context.Context, p string, r io.Reader, mode fs.FileMode) error {
	const op = "write_file"
	fsys, abs, err := s.locate(op, p, true)
	if err != nil {
		return err
	}
	if abs == s.root {
		return providers.NewError(providers.CodeWriteTypeError, op, p, syscall.EISDIR)
	}
	if mode == 0 {
		mode = 0o644
	}
	if err := fsys.MkdirAll(path.Dir(abs), 0o755); err != nil {
		return providers.FromFSError(op, p, err, providers.CodeWriteError)
	}
	if fi, err := fsys.Stat(abs); err == nil && fi.IsDir() {
		return providers.NewError(providers.CodeWriteTypeError, op, p, syscall.EISDIR)
	}
	f, err := fsys.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode.Perm())
	if err != nil {
		return providers.FromFSError(op, p, err, providers.CodeWriteError)
	}
	_, err = io.Copy(f, ctxReader{ctx, r})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return providers.FromFSError(op, p, err, providers.CodeWriteError)
	}
	if err := fsys.Chmod(abs, mode.Perm()); err != nil {
		return providers.FromFSError(op, p, err, providers.CodeWriteError)
	}
	return nil
}

// ctxReader stops a copy when its context is done.
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

// List returns a workspace directory's entries sorted by name. Safe for
// concurrent use.
//
// # Errors
//
// CodeReadNotFound, CodeWriteTypeError for a file, CodePathEscape,
// CodeSessionClosed.
func (s *session) List(ctx context.Context, p string) ([]providers.FileInfo, error) {
	const op = "list"
	fsys, abs, err := s.locate(op, p, true)
	if err != nil {
		return nil, err
	}
	fi, err := fsys.Stat(abs)
	if err != nil {
		return nil, providers.FromFSError(op, p, err, providers.CodeReadError)
	}
	if !fi.IsDir() {
		return nil, providers.NewError(providers.CodeWriteTypeError, op, p, syscall.ENOTDIR)
	}
	infos, err := afero.ReadDir(fsys, abs)
	if err != nil {
		return nil, providers.FromFSError(op, p, err, providers.CodeReadError)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	out := make([]providers.FileInfo, 0, len(infos))
	rel, _ := providers.WorkspacePath(s.root, p)
	for _, fi := range infos {
		out = append(out, s.fileInfo(fsys, path.Join(abs, fi.Name()), path.Join(rel, fi.Name()), fi))
	}
	return out, nil
}

// Stat describes a workspace path without following a final symlink. Safe
// for concurrent use.
//
// # Errors
//
// CodeReadNotFound, CodePathEscape, CodeSessionClosed.
func (s *session) Stat(ctx context.Context, p string) (providers.FileInfo, error) {
	const op = "stat"
	fsys, abs, err := s.locate(op, p, false)
	if err != nil {
		return providers.FileInfo{}, err
	}
	fi, err := lstat(fsys, abs)
	if err != nil {
		return providers.FileInfo{}, providers.FromFSError(op, p, err, providers.CodeReadError)
	}
	rel, _ := providers.WorkspacePath(s.root, p)
	return s.fileInfo(fsys, abs, rel, fi), nil
}

func lstat(fsys afero.Fs, name string) (fs.FileInfo, error) {
	if l, ok := fsys.(afero.Lstater); ok {
		fi, _, err := l.LstatIfPossible(name)
		return fi, err
	}
	return fsys.Stat(name)
}

// fileInfo describes the entry at sandbox path abs, named rel (workspace
// relative, as the caller gave it).
func (s *session) fileInfo(fsys afero.Fs, abs, rel string, fi fs.FileInfo) providers.FileInfo {
	name := path.Base(rel)
	if rel == "." {
		name = path.Base(s.root)
	}
	out := providers.FileInfo{Name: name, Path: rel, Size: fi.Size(), Mode: fi.Mode(), ModTime: fi.ModTime()}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if l, ok := fsys.(afero.Symlinker); ok {
			out.LinkTarget, _ = l.ReadlinkIfPossible(abs)
		}
	}
	return out
}

// Remove deletes a file, a symlink or an empty directory, or with recursive
// a whole tree. Safe for concurrent use.
//
// # Errors
//
// CodeReadNotFound, CodeNotEmpty, CodePathEscape, CodeInvalidRequest for
// the workspace root, CodeSessionClosed.
func (s *session) Remove(ctx context.Context, p string, recursive bool) error {
	const op = "remove"
	fsys, abs, err := s.locate(op, p, false)
	if err != nil {
		return err
	}
	if abs == s.root {
		return &providers.Error{Code: providers.CodeInvalidRequest, Op: op, Target: p, Message: "cannot remove the workspace root"}
	}
	fi, err := lstat(fsys, abs)
	if err != nil {
		return providers.FromFSError(op, p, err, providers.CodeWriteError)
	}
	if recursive && fi.IsDir() {
		err = fsys.RemoveAll(abs)
	} else {
		err = fsys.Remove(abs)
	}
	return providers.FromFSError(op, p, err, providers.CodeWriteError)
}

// Mkdir creates a directory, or with parents a directory and its missing
// parents (succeeding when it exists). Safe for concurrent use.
//
// # Errors
//
// CodeAlreadyExists without parents, CodeReadNotFound for a missing parent
// without parents, CodeWriteTypeError when a file is in the way,
// CodePathEscape, CodeSessionClosed.
func (s *session) Mkdir(ctx context.Context, p string, parents bool) error {
	const op = "mkdir"
	fsys, abs, err := s.locate(op, p, true)
	if err != nil {
		return err
	}
	if parents {
		if fi, err := fsys.Stat(abs); err == nil && !fi.IsDir() {
			return providers.NewError(providers.CodeWriteTypeError, op, p, syscall.ENOTDIR)
		}
		err = fsys.MkdirAll(abs, 0o755)
	} else {
		err = fsys.Mkdir(abs, 0o755)
	}
	return providers.FromFSError(op, p, err, providers.CodeWriteError)
}
