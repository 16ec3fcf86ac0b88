package manifest

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// memSession is an in-memory providers.Session with only the file
// operations, for materialization tests.
type memSession struct {
	mu    sync.Mutex
	files map[string]memFile
	dirs  map[string]bool
	// failWrite, when set, can fail a WriteFile.
	failWrite func(rel string) error
	writes    int
}

type memFile struct {
	data []byte
	mode fs.FileMode
}

var _ providers.Session = (*memSession)(nil)

func newMemSession() *memSession {
	return &memSession{files: map[string]memFile{}, dirs: map[string]bool{".": true}}
}

func (s *memSession) rel(p string) (string, error) { return providers.WorkspacePath("", p) }

func (s *memSession) Exec(context.Context, providers.ExecRequest) (*providers.ExecResult, error) {
	return nil, providers.ErrUnsupported
}

func (s *memSession) ReadFile(_ context.Context, p string) (io.ReadCloser, error) {
	rel, err := s.rel(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[rel]
	if !ok {
		if s.dirs[rel] {
			return nil, &providers.Error{Code: providers.CodeWriteTypeError, Op: "read_file", Target: rel}
		}
		return nil, &providers.Error{Code: providers.CodeReadNotFound, Op: "read_file", Target: rel}
	}
	return io.NopCloser(bytes.NewReader(f.data)), nil
}

func (s *memSession) mkdirs(rel string) error {
	var parts []string
	for p := rel; p != "."; p = path.Dir(p) {
		parts = append(parts, p)
	}
	for _, p := range slices.Backward(parts) {
		if _, ok := s.files[p]; ok {
			return &providers.Error{Code: providers.CodeWriteTypeError, Op: "mkdir", Target: p, Message: "not a directory"}
		}
		s.dirs[p] = true
	}
	return nil
}

func (s *memSession) WriteFile(ctx context.Context, p string, r io.Reader, mode fs.FileMode) error {
	rel, err := s.rel(p)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return &providers.Error{Code: providers.CodeWriteError, Op: "write_file", Target: rel, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return &providers.Error{Code: providers.CodeWriteError, Op: "write_file", Target: rel, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failWrite != nil {
		if err := s.failWrite(rel); err != nil {
			return err
		}
	}
	if s.dirs[rel] {
		return &providers.Error{Code: providers.CodeWriteTypeError, Op: "write_file", Target: rel, Message: "is a directory"}
	}
	if err := s.mkdirs(path.Dir(rel)); err != nil {
		return err
	}
	if mode == 0 {
		mode = 0o644
	}
	s.files[rel] = memFile{data: data, mode: mode}
	s.writes++
	return nil
}

func (s *memSession) List(_ context.Context, p string) ([]providers.FileInfo, error) {
	rel, err := s.rel(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirs[rel] {
		return nil, &providers.Error{Code: providers.CodeReadNotFound, Op: "list", Target: rel}
	}
	var out []providers.FileInfo
	for _, name := range s.namesLocked() {
		if name != "." && path.Dir(name) == rel {
			out = append(out, s.statLocked(name))
		}
	}
	return out, nil
}

func (s *memSession) namesLocked() []string {
	names := slices.Collect(maps.Keys(s.files))
	names = append(names, slices.Collect(maps.Keys(s.dirs))...)
	slices.Sort(names)
	return names
}

func (s *memSession) statLocked(rel string) providers.FileInfo {
	if f, ok := s.files[rel]; ok {
		return providers.FileInfo{Name: path.Base(rel), Path: rel, Size: int64(len(f.data)), Mode: f.mode, ModTime: time.Unix(0, 0)}
	}
	return providers.FileInfo{Name: path.Base(rel), Path: rel, Mode: fs.ModeDir | 0o755, ModTime: time.Unix(0, 0)}
}

func (s *memSession) Stat(_ context.Context, p string) (providers.FileInfo, error) {
	rel, err := s.rel(p)
	if err != nil {
		return providers.FileInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.files[rel]; !ok && !s.dirs[rel] {
		return providers.FileInfo{}, &providers.Error{Code: providers.CodeReadNotFound, Op: "stat", Target: rel}
	}
	return s.statLocked(rel), nil
}

func (s *memSession) Remove(_ context.Context, p string, recursive bool) error {
	rel, err := s.rel(p)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.files[rel]; ok {
		delete(s.files, rel)
		return nil
	}
	if !s.dirs[rel] || rel == "." {
		return &providers.Error{Code: providers.CodeReadNotFound, Op: "remove", Target: rel}
	}
	prefix := rel + "/"
	for _, n := range s.namesLocked() {
		if strings.HasPrefix(n, prefix) {
			if !recursive {
				return &providers.Error{Code: providers.CodeNotEmpty, Op: "remove", Target: rel}
			}
			delete(s.files, n)
			delete(s.dirs, n)
		}
	}
	delete(s.dirs, rel)
	return nil
}

func (s *memSession) Mkdir(_ context.Context, p string, parents bool) error {
	rel, err := s.rel(p)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !parents && !s.dirs[path.Dir(rel)] {
		return &providers.Error{Code: providers.CodeReadNotFound, Op: "mkdir", Target: rel}
	}
	return s.mkdirs(rel)
}

func (s *memSession) Close(context.Context) error { return nil }

// snapshot returns every path ("dir/" for directories) with file contents.
func (s *memSession) snapshot() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, f := range s.files {
		out[k] = string(f.data)
	}
	for k := range s.dirs {
		if k != "." {
			out[k+"/"] = ""
		}
	}
	return out
}

// paths returns the sorted paths of snapshot.
func (s *memSession) paths() []string {
	return slices.Sorted(maps.Keys(s.snapshot()))
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
