package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"strings"

	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// PluginFunction is one of the host functions a wsbx plugin may import
// (plugins/ABI.md, "Host functions"), apart from how its bytes cross into
// the guest, which is package plugins' business. Call takes the JSON
// request and returns the JSON abi.Response; a bad or refused request gets
// an error response, never a trap.
type PluginFunction struct {
	Name string
	Call func(ctx context.Context, req []byte) []byte
}

// PluginGrant is what one plugin is given through the host functions.
type PluginGrant struct {
	// Name is the plugin's, for its log records.
	Name string
	// Logger receives wsbx_log records; nil discards them.
	Logger *slog.Logger
	// MaxReadBytes caps a file wsbx_fs_read returns.
	MaxReadBytes int
}

// maxLogBytes caps one wsbx_log message.
const maxLogBytes = 4 << 10

// PluginFunctions returns the wsbx_* host functions of the plugin g
// describes. It keeps g and reads it on every call (a plugin's name is
// known only once its wsbx_describe, itself a call, has returned); g must
// not change while the plugin is in use. The file functions reach a
// workspace only in calls whose context carries one (WithPluginWorkspace),
// and there only under its destination; everywhere else they answer
// permission_denied.
func PluginFunctions(g *PluginGrant) []PluginFunction {
	fn := func(name string, h func(ctx context.Context, req []byte) (any, error)) PluginFunction {
		return PluginFunction{Name: name, Call: func(ctx context.Context, req []byte) []byte {
			var resp abi.Response
			res, err := h(ctx, req)
			if err == nil {
				resp.Result, err = abi.Marshal(res)
			}
			if err != nil {
				resp.Error = abiError(name, err)
			}
			b, _ := abi.Marshal(resp) // plain data: always marshals
			return b
		}}
	}
	return []PluginFunction{
		fn(abi.HostLog, g.log),
		fn(abi.HostFSWrite, g.fsWrite),
		fn(abi.HostFSMkdir, g.fsMkdir),
		fn(abi.HostFSRead, g.fsRead),
	}
}

// pluginWorkspace is a workspace the file host functions may reach.
type pluginWorkspace struct {
	session providers.Session
	dest    string // workspace path every file operation stays under
}

type pluginWorkspaceKey struct{}

// WithPluginWorkspace returns ctx granting the file host functions called
// under it the files of session under dest, a workspace path. The session
// applies its own checks (its confinement, and in a Runtime the session's
// capabilities) to every operation.
func WithPluginWorkspace(ctx context.Context, session providers.Session, dest string) context.Context {
	return context.WithValue(ctx, pluginWorkspaceKey{}, &pluginWorkspace{session: session, dest: dest})
}

type empty struct{}

func (g *PluginGrant) log(ctx context.Context, req []byte) (any, error) {
	var r abi.LogRequest
	if err := json.Unmarshal(req, &r); err != nil {
		return nil, badRequest(abi.HostLog, err)
	}
	msg := r.Message
	if len(msg) > maxLogBytes {
		msg = msg[:maxLogBytes] + "…"
	}
	lvl := map[string]slog.Level{"debug": slog.LevelDebug, "warn": slog.LevelWarn, "error": slog.LevelError}[strings.ToLower(r.Level)]
	if g.Logger != nil {
		g.Logger.Log(ctx, lvl, msg, "plugin", g.Name)
	}
	return empty{}, nil
}

func (g *PluginGrant) fsWrite(ctx context.Context, req []byte) (any, error) {
	w, r, full, err := fsRequest(ctx, abi.HostFSWrite, req)
	if err != nil {
		return nil, err
	}
	return empty{}, w.session.WriteFile(ctx, full, bytes.NewReader(r.Data), r.Mode)
}

func (g *PluginGrant) fsMkdir(ctx context.Context, req []byte) (any, error) {
	w, _, full, err := fsRequest(ctx, abi.HostFSMkdir, req)
	if err != nil {
		return nil, err
	}
	return empty{}, w.session.Mkdir(ctx, full, true)
}

func (g *PluginGrant) fsRead(ctx context.Context, req []byte) (any, error) {
	w, _, full, err := fsRequest(ctx, abi.HostFSRead, req)
	if err != nil {
		return nil, err
	}
	rc, err := w.session.ReadFile(ctx, full)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(g.MaxReadBytes)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > g.MaxReadBytes {
		return nil, &providers.Error{Code: providers.CodePluginError, Op: abi.HostFSRead, Message: "file exceeds the plugin's output limit"}
	}
	return abi.Data{Data: b}, nil
}

// fsRequest decodes a file request and confines its path to the call's
// destination. The session confines the result again (symlinks included).
func fsRequest(ctx context.Context, op string, req []byte) (*pluginWorkspace, abi.FSRequest, string, error) {
	var r abi.FSRequest
	w, _ := ctx.Value(pluginWorkspaceKey{}).(*pluginWorkspace)
	if w == nil || w.session == nil {
		return nil, r, "", &providers.Error{Code: providers.CodePermissionDenied, Op: op, Message: "this plugin was granted no workspace access"}
	}
	if err := json.Unmarshal(req, &r); err != nil {
		return nil, r, "", badRequest(op, err)
	}
	rel, err := ConfinePluginPath(r.Path)
	if err != nil {
		return nil, r, "", err
	}
	if err := w.noSymlinks(ctx, op, rel); err != nil {
		return nil, r, "", err
	}
	return w, r, path.Join(w.dest, rel), nil
}

// noSymlinks refuses a path that crosses a symlink below the destination:
// one made by an earlier entry, or by a command, could lead a plugin's
// writes elsewhere in the workspace. (The session keeps every path inside
// the workspace whatever the links; a link swapped in between this check
// and the operation is caught there.)
func (w *pluginWorkspace) noSymlinks(ctx context.Context, op, rel string) error {
	p := w.dest
	for _, name := range strings.Split(rel, "/") {
		if name == "." {
			continue
		}
		p = path.Join(p, name)
		fi, err := w.session.Stat(ctx, p)
		if errors.Is(err, providers.ErrNotFound) {
			return nil // the rest does not exist yet
		}
		if err != nil {
			return err
		}
		if fi.Mode&fs.ModeSymlink != 0 {
			return &providers.Error{Code: providers.CodePathEscape, Op: op, Target: rel, Message: "path crosses a symlink in the entry's destination"}
		}
	}
	return nil
}

// ConfinePluginPath returns p cleaned, relative and without "..": what a
// plugin may name under its destination.
//
// # Errors
//
// invalid_path for an empty path or one with a NUL byte; path_escape for an
// absolute path or one that leaves the destination.
func ConfinePluginPath(p string) (string, error) {
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

// abiError flattens err for the wire: code, op, target, message.
func abiError(op string, err error) *providers.Error {
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
