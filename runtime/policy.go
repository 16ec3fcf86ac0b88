package runtime

import (
	"context"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/wsbx/wsbx/providers"
)

// Operations a Policy is asked about.
const (
	OpExec    = "exec"
	OpRead    = "read"
	OpWrite   = "write"
	OpNetwork = "network"
)

// Policy decides whether a session may perform one operation: op is OpExec
// (subject: the command line, or the argv joined with spaces), OpRead or
// OpWrite (subject: the workspace path as given), or OpNetwork (subject: a
// host or host:port). A Policy that returns an error denies.
type Policy interface {
	Allow(ctx context.Context, op, session, subject string) (allow bool, reason string, err error)
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, op, session, subject string) (bool, string, error)

// Allow calls f.
func (f PolicyFunc) Allow(ctx context.Context, op, session, subject string) (bool, string, error) {
	return f(ctx, op, session, subject)
}

// AllowList is the built-in Policy of a manifest's [capabilities] section.
// A nil list leaves its operation to the other policies; a non-nil list
// allows only what it matches (deny by default):
//
//   - Exec: command names (the first word of the command line, or argv[0],
//     by base name), or "*";
//   - Read, Write: workspace path globs (path.Match per segment, with "**"
//     for any depth) over paths relative to the workspace root;
//   - Network: host patterns ("*.example.com", "example.com:443").
type AllowList struct {
	Exec, Read, Write, Network []string
}

// Allow implements Policy.
func (a AllowList) Allow(_ context.Context, op, _, subject string) (bool, string, error) {
	var list []string
	var match func(pattern, subject string) bool
	switch op {
	case OpExec:
		list, match = a.Exec, matchCommand
	case OpRead:
		list, match = a.Read, matchPath
	case OpWrite:
		list, match = a.Write, matchPath
	case OpNetwork:
		list, match = a.Network, matchHost
	default:
		return false, "unknown operation " + op, nil
	}
	if list == nil {
		return true, "", nil
	}
	for _, p := range list {
		if match(p, subject) {
			return true, "", nil
		}
	}
	return false, op + " of " + subject + " is not in the manifest's allow list", nil
}

func matchCommand(pattern, cmd string) bool {
	if pattern == "*" {
		return true
	}
	name, _, _ := strings.Cut(strings.TrimSpace(cmd), " ")
	return name == pattern || path.Base(name) == pattern
}

func matchPath(pattern, p string) bool {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	pattern = strings.TrimPrefix(path.Clean("/"+pattern), "/")
	return globMatch(strings.Split(pattern, "/"), strings.Split(p, "/"))
}

// globMatch matches path segments, "**" standing for any number of them.
func globMatch(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if globMatch(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

func matchHost(pattern, hostport string) bool {
	if pattern == "*" {
		return true
	}
	if strings.Contains(pattern, ":") {
		ok, _ := path.Match(pattern, hostport)
		return ok
	}
	host := hostport
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[i:], "]") {
		host = hostport[:i]
	}
	ok, _ := path.Match(pattern, host)
	return ok
}

// guarded wraps a session so that every exec, read and write is first
// allowed by every policy.
type guarded struct {
	providers.Session
	id       string
	root     string
	policies []Policy
}

// rel gives policies the workspace-relative form of p; a path the session
// would refuse anyway is passed as given (and refused there or here).
func (g *guarded) rel(p string) string {
	if r, err := providers.WorkspacePath(g.root, p); err == nil {
		return r
	}
	return p
}

func (g *guarded) check(ctx context.Context, op, subject, target string) error {
	for _, p := range g.policies {
		ok, reason, err := p.Allow(ctx, op, g.id, subject)
		if err != nil {
			return &providers.Error{Code: providers.CodePermissionDenied, Op: op, Target: target, Err: err}
		}
		if !ok {
			if reason == "" {
				reason = "denied by policy"
			}
			return &providers.Error{Code: providers.CodePermissionDenied, Op: op, Target: target, Message: reason}
		}
	}
	return nil
}

func execSubject(req providers.ExecRequest) string {
	if req.Command != "" {
		return req.Command
	}
	return strings.Join(req.Argv, " ")
}

func (g *guarded) Exec(ctx context.Context, req providers.ExecRequest) (*providers.ExecResult, error) {
	subject := execSubject(req)
	if err := g.check(ctx, OpExec, subject, "command"); err != nil {
		return nil, err
	}
	return g.Session.Exec(ctx, req)
}

func (g *guarded) ReadFile(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := g.check(ctx, OpRead, g.rel(p), p); err != nil {
		return nil, err
	}
	return g.Session.ReadFile(ctx, p)
}

func (g *guarded) List(ctx context.Context, p string) ([]providers.FileInfo, error) {
	if err := g.check(ctx, OpRead, g.rel(p), p); err != nil {
		return nil, err
	}
	return g.Session.List(ctx, p)
}

func (g *guarded) Stat(ctx context.Context, p string) (providers.FileInfo, error) {
	if err := g.check(ctx, OpRead, g.rel(p), p); err != nil {
		return providers.FileInfo{}, err
	}
	return g.Session.Stat(ctx, p)
}

func (g *guarded) WriteFile(ctx context.Context, p string, r io.Reader, mode fs.FileMode) error {
	if err := g.check(ctx, OpWrite, g.rel(p), p); err != nil {
		return err
	}
	return g.Session.WriteFile(ctx, p, r, mode)
}

func (g *guarded) Remove(ctx context.Context, p string, recursive bool) error {
	if err := g.check(ctx, OpWrite, g.rel(p), p); err != nil {
		return err
	}
	return g.Session.Remove(ctx, p, recursive)
}

func (g *guarded) Mkdir(ctx context.Context, p string, parents bool) error {
	if err := g.check(ctx, OpWrite, g.rel(p), p); err != nil {
		return err
	}
	return g.Session.Mkdir(ctx, p, parents)
}
