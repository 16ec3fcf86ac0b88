package plugins

import (
	"bytes"
	"context"
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
// plugin's MaxOutputBytes and memory limit; stdout and stderr writers in an
// ExecRequest receive the output when the command has finished.
//
// # Errors
//
// plugin_error when p is not of kind provider.
func (p *Plugin) Provider() (providers.Provider, error) {
	if p.desc.Kind != abi.KindProvider {
		return nil, kindErr(p, abi.KindProvider)
	}
	return &pluginProvider{p: p}, nil
}

type pluginProvider struct{ p *Plugin }

var _ providers.Provider = (*pluginProvider)(nil)

func (pp *pluginProvider) Name() string { return pp.p.desc.Name }

func (pp *pluginProvider) Create(ctx context.Context, spec providers.SessionSpec) (providers.Session, error) {
	var ref abi.SessionRef
	var epoch uint64
	if err := pp.p.callJSONTimeout(ctx, abi.ExportCreate, spec, &ref, pp.p.opts.Timeout, &epoch); err != nil {
		return nil, err
	}
	if ref.Session == "" {
		return nil, pluginErr(pp.p.desc.Name, abi.ExportCreate, fmt.Errorf("create returned no session id"))
	}
	return &pluginSession{p: pp.p, id: ref.Session, epoch: epoch}, nil
}

type pluginSession struct {
	p     *Plugin
	id    string
	epoch uint64 // the plugin's epoch when the session was created

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
