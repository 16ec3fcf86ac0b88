package plugins

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path"
	"strings"

	"github.com/wsbx/wsbx/internal/extism"

	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// maxLogBytes caps one wsbx_log message.
const maxLogBytes = 4 << 10

// grant is what the current call may touch through the file host functions.
// It travels in the call's context; calls without one may touch nothing.
type grant struct {
	session providers.Session
	dest    string // workspace path every file operation stays under
}

type grantKey struct{}

func withGrant(ctx context.Context, g *grant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

// hostFunctions returns the wsbx_* host functions of p (ABI.md, "Host
// functions"). Each reads a JSON request and writes a JSON response; none
// traps on bad input.
func (p *Plugin) hostFunctions() []extism.HostFunction {
	fn := func(name string, h func(ctx context.Context, req []byte) (any, error)) extism.HostFunction {
		f := extism.NewHostFunctionWithStack(name, func(ctx context.Context, cp *extism.CurrentPlugin, stack []uint64) {
			var resp abi.Response
			req, err := cp.ReadBytes(stack[0])
			if err == nil {
				var res any
				live, cancel := liveContext(ctx)
				res, err = h(live, req)
				cancel()
				if err == nil {
					resp.Result, err = abi.Marshal(res)
				}
			}
			if err != nil {
				resp.Error = toABIError(name, err)
			}
			b, _ := abi.Marshal(resp)
			off, werr := cp.WriteBytes(b)
			if werr != nil {
				off = 0
			}
			stack[0] = off
		}, []extism.ValueType{extism.ValueTypeI64}, []extism.ValueType{extism.ValueTypeI64})
		f.SetNamespace(abi.HostModule)
		return f
	}
	return []extism.HostFunction{
		fn(abi.HostLog, p.hostLog),
		fn(abi.HostFSWrite, p.hostFSWrite),
		fn(abi.HostFSMkdir, p.hostFSMkdir),
		fn(abi.HostFSRead, p.hostFSRead),
	}
}

type empty struct{}

func (p *Plugin) hostLog(ctx context.Context, req []byte) (any, error) {
	var r abi.LogRequest
	if err := json.Unmarshal(req, &r); err != nil {
		return nil, badRequest(abi.HostLog, err)
	}
	msg := r.Message
	if len(msg) > maxLogBytes {
		msg = msg[:maxLogBytes] + "…"
	}
	lvl := map[string]int{"debug": -4, "info": 0, "warn": 4, "error": 8}[strings.ToLower(r.Level)]
	p.logger.Log(ctx, slog.Level(lvl), msg, "plugin", p.desc.Name)
	return empty{}, nil
}

func (p *Plugin) hostFSWrite(ctx context.Context, req []byte) (any, error) {
	g, r, full, err := p.fsRequest(ctx, abi.HostFSWrite, req)
	if err != nil {
		return nil, err
	}
	return empty{}, g.session.WriteFile(ctx, full, bytes.NewReader(r.Data), r.Mode)
}

func (p *Plugin) hostFSMkdir(ctx context.Context, req []byte) (any, error) {
	g, _, full, err := p.fsRequest(ctx, abi.HostFSMkdir, req)
	if err != nil {
		return nil, err
	}
	return empty{}, g.session.Mkdir(ctx, full, true)
}

func (p *Plugin) hostFSRead(ctx context.Context, req []byte) (any, error) {
	g, _, full, err := p.fsRequest(ctx, abi.HostFSRead, req)
	if err != nil {
		return nil, err
	}
	rc, err := g.session.ReadFile(ctx, full)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(p.opts.MaxOutputBytes)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > p.opts.MaxOutputBytes {
		return nil, &providers.Error{Code: providers.CodePluginError, Op: abi.HostFSRead, Message: "file exceeds the plugin's output limit"}
	}
	return abi.Data{Data: b}, nil
}

// fsRequest decodes a file request and confines its path to the call's
// destination. The session confines the result again (symlinks included).
func (p *Plugin) fsRequest(ctx context.Context, op string, req []byte) (*grant, abi.FSRequest, string, error) {
	var r abi.FSRequest
	g, _ := ctx.Value(grantKey{}).(*grant)
	if g == nil || g.session == nil {
		return nil, r, "", &providers.Error{Code: providers.CodePermissionDenied, Op: op, Message: "this plugin was granted no workspace access"}
	}
	if err := json.Unmarshal(req, &r); err != nil {
		return nil, r, "", badRequest(op, err)
	}
	rel, err := confine(r.Path)
	if err != nil {
		return nil, r, "", err
	}
	return g, r, path.Join(g.dest, rel), nil
}

// confine returns p cleaned, relative and without "..": what a plugin may
// name under its destination.
func confine(p string) (string, error) {
	if p == "" || strings.IndexByte(p, 0) >= 0 {
		return "", &providers.Error{Code: providers.CodeInvalidPath, Op: "path", Target: strings.ReplaceAll(p, "\x00", `\x00`), Message: "empty path or NUL byte"}
	}
	if path.IsAbs(p) {
		return "", &providers.Error{Code: providers.CodePathEscape, Op: "path", Target: p, Message: "absolute path outside the entry's destination"}
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", &providers.Error{Code: providers.CodePathEscape, Op: "path", Target: p, Message: "path leaves the entry's destination"}
	}
	return c, nil
}

func badRequest(op string, err error) error {
	return &providers.Error{Code: providers.CodeInvalidRequest, Op: op, Err: err}
}

// toABIError flattens err for the wire: code, op, target, message.
func toABIError(op string, err error) *providers.Error {
	var pe *providers.Error
	if e, ok := err.(*providers.Error); ok {
		pe = e
	} else if providers.CodeOf(err) != "" {
		pe = &providers.Error{Code: providers.CodeOf(err), Op: op, Message: err.Error()}
	} else {
		pe = &providers.Error{Code: providers.CodePluginError, Op: op, Message: err.Error()}
	}
	out := *pe
	if out.Message == "" && out.Err != nil {
		out.Message = out.Err.Error()
	}
	out.Err = nil
	return &out
}
