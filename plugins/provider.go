package plugins

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"

	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// Provider returns p as a providers.Provider. Its sessions live inside the
// plugin's single instance: if a call traps, runs past its timeout or is
// cancelled, the instance is replaced and the sessions are gone. Later calls
// on them fail with session_closed saying so; new sessions work.
//
// Files cross the ABI whole, so ReadFile and WriteFile are bounded by the
// plugin's MaxOutputBytes and memory limit. A plugin that exports
// exec_start, exec_poll and exec_cancel streams: an Exec with stdout or
// stderr writers, or with a context that can end, starts the command and
// polls it, so the writers receive output as it is produced, other calls on
// the session go through between polls, and a cancelled context cancels the
// command, leaving the session usable. Otherwise the writers receive the
// output when the command has finished.
//
// # Errors
//
// plugin_error when p is not of kind provider.
func (p *Plugin) Provider() (providers.Provider, error) {
	if p.desc.Kind != abi.KindProvider {
		return nil, kindErr(p, abi.KindProvider)
	}
	pp := &pluginProvider{
		p:         p,
		streams:   p.exports[abi.ExportExecStart] && p.exports[abi.ExportExecPoll] && p.exports[abi.ExportExecCancel],
		snapshots: p.exports[abi.ExportSnapshot] && p.exports[abi.ExportRestore],
		archives:  p.exports[abi.ExportExportArchive] && p.exports[abi.ExportImportArchive],
	}
	if pp.snapshots {
		return snapshotProvider{pp}, nil
	}
	return pp, nil
}

type pluginProvider struct {
	p         *Plugin
	streams   bool // exports exec_start, exec_poll and exec_cancel
	snapshots bool // exports snapshot and restore
	archives  bool // exports export_archive and import_archive
}

// snapshotProvider is a pluginProvider whose plugin exports snapshot and
// restore: it is a providers.Restorer, and its sessions are
// providers.Snapshotters.
type snapshotProvider struct{ *pluginProvider }

var _ providers.Restorer = snapshotProvider{}

// Restore starts a session from a snapshot the plugin took. Snapshots live
// in the plugin's instance, like its sessions.
func (sp snapshotProvider) Restore(ctx context.Context, ref providers.SnapshotRef, spec providers.SessionSpec) (providers.Session, error) {
	if ref.Provider != sp.p.desc.Name {
		return nil, &providers.Error{Code: providers.CodeSnapshotRestoreError, Op: abi.ExportRestore, Target: ref.ID,
			Message: fmt.Sprintf("snapshot of provider %q, not %q", ref.Provider, sp.p.desc.Name)}
	}
	return sp.session(ctx, abi.ExportRestore, abi.RestoreCall{ID: ref.ID, Spec: spec})
}

// A session's optional powers are methods of the type Create returns, found
// by type assertion, so there is one type per combination of the plugin's
// optional exports.
type (
	snapshotSession        struct{ *pluginSession } // snapshot and restore
	archiveSession         struct{ *pluginSession } // export_archive and import_archive
	snapshotArchiveSession struct{ archiveSession } // both
)

var (
	_ providers.Snapshotter = snapshotSession{}
	_ providers.Archiver    = archiveSession{}
	_ providers.Snapshotter = snapshotArchiveSession{}
	_ providers.Archiver    = snapshotArchiveSession{}
)

func (s snapshotSession) Snapshot(ctx context.Context) (providers.SnapshotRef, error) {
	return s.snapshot(ctx)
}

func (s archiveSession) ExportArchive(ctx context.Context, w io.Writer) error {
	return s.exportArchive(ctx, w)
}

func (s archiveSession) ImportArchive(ctx context.Context, r io.Reader) error {
	return s.importArchive(ctx, r)
}

func (s snapshotArchiveSession) Snapshot(ctx context.Context) (providers.SnapshotRef, error) {
	return s.snapshot(ctx)
}

// exportArchive asks the plugin for the workspace's portable archive, which
// crosses the ABI as one message (bounded by MaxOutputBytes).
func (s *pluginSession) exportArchive(ctx context.Context, w io.Writer) error {
	if err := s.check(abi.ExportExportArchive); err != nil {
		return err
	}
	var d abi.Data
	if err := s.p.callJSON(ctx, abi.ExportExportArchive, abi.SessionRef{Session: s.id}, &d); err != nil {
		return err
	}
	if _, err := w.Write(d.Data); err != nil {
		return &providers.Error{Code: providers.CodeArchiveError, Op: abi.ExportExportArchive, Err: err}
	}
	return nil
}

// importArchive sends the archive read from r to the plugin, which unpacks
// it and refuses members that leave the workspace.
func (s *pluginSession) importArchive(ctx context.Context, r io.Reader) error {
	if err := s.check(abi.ExportImportArchive); err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(s.p.opts.MaxOutputBytes)+1))
	if err != nil {
		return &providers.Error{Code: providers.CodeArchiveError, Op: abi.ExportImportArchive, Err: err}
	}
	if len(b) > s.p.opts.MaxOutputBytes {
		return &providers.Error{Code: providers.CodeArchiveError, Op: abi.ExportImportArchive, Message: "archive exceeds the plugin's size limit"}
	}
	return s.p.callJSON(ctx, abi.ExportImportArchive, abi.ArchiveCall{Session: s.id, Data: b}, nil)
}

// snapshot asks the plugin to freeze the session's workspace.
func (s *pluginSession) snapshot(ctx context.Context) (providers.SnapshotRef, error) {
	if err := s.check(abi.ExportSnapshot); err != nil {
		return providers.SnapshotRef{}, err
	}
	var id abi.SnapshotID
	if err := s.p.callJSON(ctx, abi.ExportSnapshot, abi.SessionRef{Session: s.id}, &id); err != nil {
		return providers.SnapshotRef{}, err
	}
	if id.ID == "" {
		return providers.SnapshotRef{}, pluginErr(s.p.desc.Name, abi.ExportSnapshot, errors.New("snapshot returned no id"))
	}
	return providers.SnapshotRef{Provider: s.p.desc.Name, ID: id.ID}, nil
}

var _ providers.Provider = (*pluginProvider)(nil)

func (pp *pluginProvider) Name() string { return pp.p.desc.Name }

func (pp *pluginProvider) Create(ctx context.Context, spec providers.SessionSpec) (providers.Session, error) {
	return pp.session(ctx, abi.ExportCreate, spec)
}

// session calls export (create or restore), which answers with a new
// session's id.
func (pp *pluginProvider) session(ctx context.Context, export string, in any) (providers.Session, error) {
	var ref abi.SessionRef
	var epoch uint64
	if err := pp.p.callJSONTimeout(ctx, export, in, &ref, pp.p.opts.Timeout, &epoch); err != nil {
		return nil, err
	}
	if ref.Session == "" {
		return nil, pluginErr(pp.p.desc.Name, export, fmt.Errorf("%s returned no session id", export))
	}
	s := &pluginSession{p: pp.p, id: ref.Session, epoch: epoch, streams: pp.streams}
	switch {
	case pp.snapshots && pp.archives:
		return snapshotArchiveSession{archiveSession{s}}, nil
	case pp.snapshots:
		return snapshotSession{s}, nil
	case pp.archives:
		return archiveSession{s}, nil
	}
	return s, nil
}

type pluginSession struct {
	p       *Plugin
	id      string
	epoch   uint64 // the plugin's epoch when the session was created
	streams bool

	mu     sync.Mutex
	closed bool
}

var _ providers.Session = (*pluginSession)(nil)

func (s *pluginSession) check(op string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return &providers.Error{Code: providers.CodeSessionClosed, Op: op}
	}
	if s.p.epoch.Load() != s.epoch {
		return &providers.Error{Code: providers.CodeSessionClosed, Op: op, Target: s.id,
			Message: "the plugin's instance failed and was replaced; the sessions it held are gone"}
	}
	return nil
}

func (s *pluginSession) Exec(ctx context.Context, req providers.ExecRequest) (*providers.ExecResult, error) {
	if err := s.check("exec"); err != nil {
		return nil, err
	}
	if req.Stdin != nil && req.StdinData == nil {
		b, err := io.ReadAll(io.LimitReader(req.Stdin, int64(s.p.opts.MaxOutputBytes)+1))
		if err != nil {
			return nil, &providers.Error{Code: providers.CodeExecTransport, Op: "exec", Err: err}
		}
		if len(b) > s.p.opts.MaxOutputBytes {
			return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "exec", Message: "stdin exceeds the plugin's size limit"}
		}
		req.StdinData = b
	}
	if s.streams && (req.Stdout != nil || req.Stderr != nil || ctx.Done() != nil) {
		return s.execStreaming(ctx, req)
	}
	start := time.Now()
	var res providers.ExecResult
	// The plugin enforces the command's own timeout; the call may take that
	// long plus the plugin's usual bound.
	err := s.p.callJSONTimeout(ctx, abi.ExportExec, abi.ExecCall{Session: s.id, Request: req}, &res, s.p.opts.Timeout+req.Timeout, nil)
	if err != nil && providers.CodeOf(err) != providers.CodeExecTimeout {
		return nil, err
	}
	if res.Duration == 0 {
		res.Duration = time.Since(start)
	}
	if req.Stdout != nil && len(res.Stdout) > 0 {
		req.Stdout.Write(res.Stdout)
	}
	if req.Stderr != nil && len(res.Stderr) > 0 {
		req.Stderr.Write(res.Stderr)
	}
	return &res, err
}

// pollWait is how long one exec_poll may wait for output.
const pollWait = 50 * time.Millisecond

// execStreaming runs req through exec_start and exec_poll. Polls run on a
// context that does not end with ctx: when ctx ends (or the command outlives
// its timeout by the plugin's call timeout) the command is cancelled with
// exec_cancel and polled to its end, so the plugin's instance, and the
// session, live on.
func (s *pluginSession) execStreaming(ctx context.Context, req providers.ExecRequest) (*providers.ExecResult, error) {
	start := time.Now()
	var ref abi.ExecRef
	if err := s.p.callJSON(ctx, abi.ExportExecStart, abi.ExecCall{Session: s.id, Request: req}, &ref); err != nil {
		return nil, err
	}
	calls := context.WithoutCancel(ctx)
	var deadline <-chan time.Time
	if req.Timeout > 0 {
		t := time.NewTimer(req.Timeout + s.p.opts.Timeout)
		defer t.Stop()
		deadline = t.C
	}
	var stopped error           // why the command was cancelled
	var giveUp <-chan time.Time // once cancelled, how long it may take to end
	for {
		if stopped == nil {
			select {
			case <-ctx.Done():
				stopped = ctx.Err()
			case <-deadline:
				stopped = context.DeadlineExceeded
			default:
			}
			if stopped != nil {
				if err := s.p.callJSON(calls, abi.ExportExecCancel, ref, nil); err != nil {
					return nil, err
				}
				t := time.NewTimer(s.p.opts.Timeout)
				defer t.Stop()
				giveUp = t.C
			}
		}
		var ch abi.ExecChunk
		if err := s.p.callJSON(calls, abi.ExportExecPoll, abi.ExecPoll{Exec: ref.Exec, WaitMS: int(pollWait / time.Millisecond)}, &ch); err != nil {
			return nil, err
		}
		if req.Stdout != nil && len(ch.Stdout) > 0 {
			req.Stdout.Write(ch.Stdout)
		}
		if req.Stderr != nil && len(ch.Stderr) > 0 {
			req.Stderr.Write(ch.Stderr)
		}
		if ch.Done {
			res := ch.Result
			if res == nil {
				res = &providers.ExecResult{}
			}
			if res.Duration == 0 {
				res.Duration = time.Since(start)
			}
			switch {
			case errors.Is(stopped, context.DeadlineExceeded):
				return res, &providers.Error{Code: providers.CodeExecTimeout, Op: "exec", Retryable: true, Err: stopped, Message: "command ran past its timeout"}
			case stopped != nil:
				return res, providers.NewError(providers.CodeExecTransport, "exec", "", fmt.Errorf("command cancelled: %w", stopped))
			case ch.Error != nil:
				if ch.Error.Code == providers.CodePluginError && ch.Error.Target == "" {
					ch.Error.Target = s.p.desc.Name
				}
				return res, ch.Error
			}
			return res, nil
		}
		select {
		case <-giveUp:
			return nil, pluginErr(s.p.desc.Name, abi.ExportExecCancel, fmt.Errorf("the command did not end within %v of its cancellation: %w", s.p.opts.Timeout, stopped))
		default:
		}
	}
}

func (s *pluginSession) ReadFile(ctx context.Context, path string) (io.ReadCloser, error) {
	if err := s.check("read_file"); err != nil {
		return nil, err
	}
	var d abi.Data
	if err := s.p.callJSON(ctx, abi.ExportReadFile, abi.PathCall{Session: s.id, Path: path}, &d); err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(d.Data)), nil
}

func (s *pluginSession) WriteFile(ctx context.Context, path string, r io.Reader, mode fs.FileMode) error {
	if err := s.check("write_file"); err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(s.p.opts.MaxOutputBytes)+1))
	if err != nil {
		return &providers.Error{Code: providers.CodeWriteError, Op: "write_file", Target: path, Err: err}
	}
	if len(b) > s.p.opts.MaxOutputBytes {
		return &providers.Error{Code: providers.CodeInvalidRequest, Op: "write_file", Target: path, Message: "file exceeds the plugin's size limit"}
	}
	return s.p.callJSON(ctx, abi.ExportWriteFile, abi.WriteCall{Session: s.id, Path: path, Data: b, Mode: mode}, nil)
}

func (s *pluginSession) List(ctx context.Context, path string) ([]providers.FileInfo, error) {
	if err := s.check("list"); err != nil {
		return nil, err
	}
	var e abi.Entries
	err := s.p.callJSON(ctx, abi.ExportList, abi.PathCall{Session: s.id, Path: path}, &e)
	return e.Entries, err
}

func (s *pluginSession) Stat(ctx context.Context, path string) (providers.FileInfo, error) {
	if err := s.check("stat"); err != nil {
		return providers.FileInfo{}, err
	}
	var fi providers.FileInfo
	err := s.p.callJSON(ctx, abi.ExportStat, abi.PathCall{Session: s.id, Path: path}, &fi)
	return fi, err
}

func (s *pluginSession) Remove(ctx context.Context, path string, recursive bool) error {
	if err := s.check("remove"); err != nil {
		return err
	}
	return s.p.callJSON(ctx, abi.ExportRemove, abi.RemoveCall{Session: s.id, Path: path, Recursive: recursive}, nil)
}

func (s *pluginSession) Mkdir(ctx context.Context, path string, parents bool) error {
	if err := s.check("mkdir"); err != nil {
		return err
	}
	return s.p.callJSON(ctx, abi.ExportMkdir, abi.MkdirCall{Session: s.id, Path: path, Parents: parents}, nil)
}

func (s *pluginSession) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	return s.p.callJSON(ctx, abi.ExportClose, abi.SessionRef{Session: s.id}, nil)
}
