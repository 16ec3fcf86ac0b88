package manifest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wsbx/wsbx/providers"
)

// DefaultConcurrency is how many entries, and how many files of one
// directory entry, are written at once unless an option says otherwise.
const DefaultConcurrency = 4

// Progress is one progress event of [Materialize]. Bytes count file content
// written into the session; Total is 0 while unknown (a clone or a download
// without Content-Length).
type Progress struct {
	Entry    string // the destination, relative to the root
	Type     string // the entry type
	Done     int64  // bytes written so far
	Total    int64  // bytes expected, 0 when unknown
	Finished bool   // the entry is complete (or failed: see Err)
	Err      error  // set on the final event of a failed entry
}

// Option configures [Materialize].
type Option func(*options)

type options struct {
	concurrency     int
	fileConcurrency int
	progress        func(Progress)
	cache           *Cache
	client          *http.Client
	lookupEnv       func(string) (string, bool)
	entryTypes      map[string]EntryFunc
}

// WithConcurrency sets how many entries are materialized at once (default
// [DefaultConcurrency]).
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency = max(n, 1) }
}

// WithFileConcurrency sets how many files of one local_dir or git_repo entry
// are written at once (default [DefaultConcurrency]).
func WithFileConcurrency(n int) Option {
	return func(o *options) { o.fileConcurrency = max(n, 1) }
}

// WithProgress receives progress events. Calls are serialized: fn need not
// be safe for concurrent use, and it must not block for long.
func WithProgress(fn func(Progress)) Option {
	return func(o *options) { o.progress = fn }
}

// WithCache reuses git trees and downloads across materializations.
func WithCache(c *Cache) Option {
	return func(o *options) { o.cache = c }
}

// WithHTTPClient sets the client of remote_file and remote_dir (default: a
// client with http.DefaultTransport). git_repo uses go-git's transports.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.client = c }
}

// EntryFunc materializes one entry of a type a plugin defines, writing
// into s under dest (a workspace-relative destination). e.Config is the
// entry's configuration.
type EntryFunc func(ctx context.Context, s providers.Session, dest string, e Entry) error

// WithEntryType handles entries of type typ with fn (the runtime registers
// one per entry type of the loaded entry plugins). An entry whose type has
// no handler fails with CodeInvalidManifest.
func WithEntryType(typ string, fn EntryFunc) Option {
	return func(o *options) {
		if o.entryTypes == nil {
			o.entryTypes = map[string]EntryFunc{}
		}
		o.entryTypes[typ] = fn
	}
}

// WithLookupEnv sets where ${NAME} in headers and git credentials
// (GIT_TOKEN, GITHUB_TOKEN) come from. The default looks in the manifest's
// environment, then the process environment.
func WithLookupEnv(fn func(name string) (string, bool)) Option {
	return func(o *options) { o.lookupEnv = fn }
}

// Materialize writes m's entries into s through its file operations. A nil
// m writes nothing.
//
// Entries run concurrently. The first failure cancels the others; then
// every path that did not exist before and every file written into an
// existing directory is removed again, so a failed materialization leaves
// no partial files.
//
// It is safe to call concurrently, also for one session and one Cache.
//
// # Errors
//
// The error is a *providers.Error with Op "materialize" and Target the
// failing entry's destination. Its Code is CodeInvalidManifest or
// CodeInvalidManifestPath for an invalid m, one of this package's codes
// (CodeGitClone, CodeGitSubpath, CodeLocalFileRead, CodeLocalDirRead,
// CodeRemoteFetch, CodeChecksum, CodeArchive) for a source that failed, or
// the session's code (for example CodeWriteError) for a failed write. A
// cancelled ctx gives an error that also matches ctx.Err() with errors.Is.
func Materialize(ctx context.Context, m *Manifest, s providers.Session, opts ...Option) error {
	if m == nil {
		return nil
	}
	if err := m.Validate(); err != nil {
		return err
	}
	o := options{concurrency: DefaultConcurrency, fileConcurrency: DefaultConcurrency}
	for _, opt := range opts {
		opt(&o)
	}
	if o.client == nil {
		o.client = &http.Client{}
	}
	if o.lookupEnv == nil {
		env := m.Env()
		o.lookupEnv = func(k string) (string, bool) {
			if v, ok := env[k]; ok {
				return v, true
			}
			return os.LookupEnv(k)
		}
	}
	mt := &materializer{opts: &o, m: m, s: s}
	if o.progress != nil {
		fn := o.progress
		var mu sync.Mutex
		mt.emit = func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			fn(p)
		}
	} else {
		mt.emit = func(Progress) {}
	}

	// Collect the jobs; dir entries become directories before anything runs.
	var jobs []*job
	var walkErr error
	walkEntries(m.Entries, "", func(dest string, e *Entry) {
		if walkErr != nil {
			return
		}
		j := &job{mt: mt, dest: dest, e: *e, typ: e.canonicalType()}
		if err := mt.prepare(ctx, j); err != nil {
			walkErr = err
			return
		}
		jobs = append(jobs, j)
	})
	if walkErr != nil {
		mt.rollback(ctx)
		return walkErr
	}

	g, _ := newGroup(ctx, o.concurrency)
	started := 0
	for _, j := range jobs {
		if !g.Go(func(ctx context.Context) error { return j.run(ctx) }) {
			break
		}
		started++
	}
	err := g.Wait()
	if err == nil && started < len(jobs) {
		err = &providers.Error{Code: providers.CodeWriteError, Op: "materialize", Target: jobs[started].dest, Err: context.Cause(ctx)}
	}
	if err != nil {
		mt.rollback(ctx)
		return err
	}
	return nil
}

type materializer struct {
	opts *options
	m    *Manifest
	s    providers.Session
	emit func(Progress)

	mu sync.Mutex
	// created are the highest paths that did not exist before; written are
	// files written into directories that did.
	created []string
	written []string
}

// prepare records what rollback must remove for j and creates a dir
// entry's directory.
func (mt *materializer) prepare(ctx context.Context, j *job) error {
	_, err := mt.s.Stat(ctx, j.dest)
	switch {
	case err == nil:
		j.track = true
	case errors.Is(err, providers.ErrNotFound):
		top := j.dest
		for p := path.Dir(j.dest); p != "."; p = path.Dir(p) {
			if _, err := mt.s.Stat(ctx, p); err == nil {
				break
			}
			top = p
		}
		mt.mu.Lock()
		if !slices.Contains(mt.created, top) {
			mt.created = append(mt.created, top)
		}
		mt.mu.Unlock()
	default:
		return j.fail(err, "")
	}
	if j.typ == TypeDir {
		if err := mt.s.Mkdir(ctx, j.dest, true); err != nil {
			return j.fail(err, "")
		}
	}
	return nil
}

// rollback removes what a failed materialization wrote. It runs even when
// ctx is cancelled.
func (mt *materializer) rollback(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	mt.mu.Lock()
	defer mt.mu.Unlock()
	for _, f := range mt.written {
		_ = mt.s.Remove(ctx, f, false)
	}
	for _, p := range mt.created {
		_ = mt.s.Remove(ctx, p, true)
	}
	mt.written, mt.created = nil, nil
}

// job is one entry being materialized.
type job struct {
	mt    *materializer
	dest  string
	e     Entry
	typ   string
	track bool // dest existed: track each file written
	// noCount: progress was already counted while downloading.
	noCount bool

	mu          sync.Mutex
	done, total int64
}

func (j *job) run(ctx context.Context) error {
	j.mt.emit(Progress{Entry: j.dest, Type: j.typ})
	var err error
	switch j.typ {
	case TypeInlineFile:
		err = j.inline(ctx)
	case TypeDir:
		// Created by prepare; children are jobs of their own.
	case TypeLocalFile:
		err = j.localFile(ctx)
	case TypeLocalDir:
		err = j.localDir(ctx)
	case TypeGitRepo:
		err = j.gitRepo(ctx)
	case TypeRemoteFile:
		err = j.remoteFile(ctx)
	case TypeRemoteDir:
		err = j.remoteDir(ctx)
	default:
		err = j.plugin(ctx)
	}
	j.mu.Lock()
	p := Progress{Entry: j.dest, Type: j.typ, Done: j.done, Total: j.total, Finished: true, Err: err}
	j.mu.Unlock()
	j.mt.emit(p)
	return err
}

// fail wraps err as the entry's error. A cause that already carries a code
// keeps it; anything else gets code.
func (j *job) fail(err error, code providers.Code) error {
	if err == nil {
		return nil
	}
	if c := providers.CodeOf(err); c != "" {
		var pe *providers.Error
		if errors.As(err, &pe) && pe.Op == "materialize" {
			return err
		}
		code = c
	}
	if code == "" {
		code = providers.CodeWriteError
	}
	return &providers.Error{Code: code, Op: "materialize", Target: j.dest, Err: err}
}

// failf is fail with a message instead of a cause.
func (j *job) failf(code providers.Code, msg string) error {
	return &providers.Error{Code: code, Op: "materialize", Target: j.dest, Message: msg}
}

func (j *job) setTotal(n int64) {
	j.mu.Lock()
	j.total = n
	j.mu.Unlock()
}

func (j *job) addDone(n int64) {
	j.mu.Lock()
	j.done += n
	p := Progress{Entry: j.dest, Type: j.typ, Done: j.done, Total: j.total}
	j.mu.Unlock()
	j.mt.emit(p)
}

// mode returns the entry's permissions, or def.
func (j *job) mode(def fs.FileMode) fs.FileMode {
	if j.e.Permissions != 0 {
		return fs.FileMode(j.e.Permissions)
	}
	if def == 0 {
		return 0o644
	}
	return def
}

// write writes one file of the entry (rel is relative to the entry's
// destination, "" for the destination itself). Read errors of r get
// readCode; write errors keep the session's code.
func (j *job) write(ctx context.Context, rel string, r io.Reader, mode fs.FileMode, readCode providers.Code) error {
	p := j.dest
	if rel != "" {
		p = j.dest + "/" + rel
	}
	tr := &trackedReader{r: r}
	err := j.mt.s.WriteFile(ctx, p, tr, mode)
	if j.track {
		j.mt.mu.Lock()
		j.mt.written = append(j.mt.written, p)
		j.mt.mu.Unlock()
	}
	if tr.err != nil && readCode != "" {
		return j.fail(&fs.PathError{Op: "read", Path: rel, Err: tr.err}, readCode)
	}
	if err != nil {
		return j.fail(err, providers.CodeWriteError)
	}
	if !j.noCount {
		j.addDone(tr.n)
	}
	return nil
}

// trackedReader counts bytes and remembers a read error.
type trackedReader struct {
	r   io.Reader
	n   int64
	err error
}

func (t *trackedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.n += int64(n)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

func (j *job) inline(ctx context.Context) error {
	data := []byte(j.e.Content)
	if j.e.Encoding == "base64" {
		var err error
		if data, err = decodeBase64(j.e.Content); err != nil {
			return j.fail(err, providers.CodeInvalidManifest)
		}
	}
	j.setTotal(int64(len(data)))
	return j.write(ctx, "", strings.NewReader(string(data)), j.mode(0o644), "")
}

// group runs functions concurrently, at most n at a time; the first error
// cancels the others.
type group struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	sem    chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(ctx context.Context, n int) (*group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	return &group{ctx: ctx, cancel: cancel, sem: make(chan struct{}, max(n, 1))}, ctx
}

// Go starts fn when a slot is free. It returns false, without starting fn,
// once the group is cancelled.
func (g *group) Go(fn func(ctx context.Context) error) bool {
	select {
	case g.sem <- struct{}{}:
	case <-g.ctx.Done():
		return false
	}
	if g.ctx.Err() != nil {
		<-g.sem
		return false
	}
	g.wg.Add(1)
	go func() {
		defer func() { <-g.sem; g.wg.Done() }()
		if err := fn(g.ctx); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel(err)
			})
		}
	}()
	return true
}

// Wait waits for every started function and returns the first error.
func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel(nil)
	return g.err
}

func decodeBase64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// parallel calls fn(ctx, i) for i in [0, count) on at most n goroutines.
// The first error cancels the rest and is returned; a cancelled ctx stops
// handing out work and returns ctx's error.
func parallel(ctx context.Context, n, count int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		once sync.Once
		err  error
	)
	for range min(max(n, 1), count) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= count || ctx.Err() != nil {
					return
				}
				if e := fn(ctx, i); e != nil {
					once.Do(func() { err = e; cancel(e) })
					return
				}
			}
		}()
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// plugin materializes an entry of a plugin-defined type through its
// handler. What the handler writes through the session is tracked like any
// other entry's files, so a failure is rolled back.
func (j *job) plugin(ctx context.Context) error {
	fn := j.mt.opts.entryTypes[j.typ]
	if fn == nil {
		return j.failf(providers.CodeInvalidManifest, fmt.Sprintf("no loaded plugin handles entry type %q", j.typ))
	}
	return j.fail(fn(ctx, &trackingSession{Session: j.mt.s, j: j}, j.dest, j.e), providers.CodePluginError)
}

// trackingSession records the files a plugin handler writes, for rollback.
type trackingSession struct {
	providers.Session
	j *job
}

func (t *trackingSession) WriteFile(ctx context.Context, p string, r io.Reader, mode fs.FileMode) error {
	if err := t.Session.WriteFile(ctx, p, r, mode); err != nil {
		return err
	}
	if t.j.track {
		t.j.mt.mu.Lock()
		t.j.mt.written = append(t.j.mt.written, p)
		t.j.mt.mu.Unlock()
	}
	return nil
}
