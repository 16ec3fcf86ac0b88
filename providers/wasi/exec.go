package wasi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spf13/afero"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi/internal/interp"
)

// Default environment of every exec; the session's and the request's
// environment override it.
const defaultPath = "/usr/local/bin:/usr/bin:/bin"

// exitTimeout is the exit code reported for a command stopped by its
// timeout, as timeout(1) does.
const exitTimeout = 124

// Exec runs one command: a shell command line interpreted in-process, or an
// argv run without a shell. Safe for concurrent use: every call has its own
// interpreter and they share the session filesystem.
//
// # Errors
//
// CodeExecTimeout when the command ran past its timeout (the partial result
// comes with it); CodeExecTransport when the caller's context was cancelled;
// CodeInvalidRequest for a request with neither or both of Command and Argv;
// CodeReadNotFound or CodePathEscape for a bad Cwd; CodeSessionClosed.
func (s *session) Exec(ctx context.Context, req providers.ExecRequest) (*providers.ExecResult, error) {
	const op = "exec"
	start := time.Now()
	fsys, err := s.filesystem(op)
	if err != nil {
		return nil, err
	}
	if (req.Command == "") == (len(req.Argv) == 0) {
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: op, Message: "exactly one of command and argv must be set"}
	}
	dir := s.root
	if req.Cwd != "" {
		if dir, err = s.resolve(fsys, op, req.Cwd, true); err != nil {
			return nil, err
		}
		fi, err := fsys.Stat(dir)
		if err != nil {
			return nil, providers.FromFSError(op, req.Cwd, err, providers.CodeReadNotFound)
		}
		if !fi.IsDir() {
			return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: op, Target: req.Cwd, Message: "cwd is not a directory"}
		}
	}

	timeout := req.Timeout
	if timeout == 0 {
		timeout = s.limits.ExecTimeout
	}
	limit := req.MaxOutputBytes
	if limit <= 0 {
		limit = s.limits.MaxOutputBytes
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopOnClose := context.AfterFunc(s.done, func() { cancel(errClosed) })
	defer stopOnClose()
	if timeout > 0 {
		var cancelT context.CancelFunc
		runCtx, cancelT = context.WithTimeoutCause(runCtx, timeout, errTimeout)
		defer cancelT()
	}
	stop := func() { cancel(errOutputLimit) }
	stdout := &capture{limit: limit, tee: req.Stdout, stop: stop}
	stderr := &capture{limit: limit, tee: req.Stderr, stop: stop}

	var stdin io.Reader
	switch {
	case req.Stdin != nil:
		stdin = newStdin(runCtx, req.Stdin)
	case len(req.StdinData) > 0:
		stdin = bytes.NewReader(req.StdinData)
	}

	x := &execution{s: s, fs: fsys, env: s.environ(req.Env, dir)}
	var code int
	if len(req.Argv) > 0 {
		code = x.runArgv(runCtx, dir, req.Argv, stdin, stdout, stderr)
	} else {
		code = x.runShell(runCtx, dir, req.Command, stdin, stdout, stderr)
	}

	res := &providers.ExecResult{ExitCode: code}
	res.Stdout, res.StdoutTruncated = stdout.result()
	res.Stderr, res.StderrTruncated = stderr.result()
	res.Duration = time.Since(start)
	switch cause := context.Cause(runCtx); {
	case cause == nil, errors.Is(cause, errOutputLimit):
		return res, nil
	case errors.Is(cause, errClosed):
		return res, &providers.Error{Code: providers.CodeSessionClosed, Op: op, Message: "the session was closed during the exec"}
	case errors.Is(cause, errTimeout) || errors.Is(cause, context.DeadlineExceeded):
		res.ExitCode = exitTimeout
		return res, &providers.Error{Code: providers.CodeExecTimeout, Op: op, Retryable: true,
			Err: context.DeadlineExceeded, Message: "command ran past its timeout"}
	default:
		return res, providers.NewError(providers.CodeExecTransport, op, "", cause)
	}
}

type timeoutError struct{}

func (timeoutError) Error() string { return "exec timeout" }

var errTimeout error = timeoutError{}

type closedError struct{}

func (closedError) Error() string { return "session closed" }

var errClosed error = closedError{}

// environ builds the environment of one exec as sorted "K=V" pairs.
func (s *session) environ(extra map[string]string, dir string) []string {
	m := make(map[string]string, len(s.env)+len(extra)+6)
	m["PATH"] = defaultPath
	m["HOME"] = s.root
	m["TMPDIR"] = "/tmp"
	m["SHELL"] = "/bin/sh"
	m["USER"] = "user"
	for k, v := range s.env {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	m["PWD"] = dir
	env := make([]string, 0, len(m))
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// newStdin makes a caller's reader safe to hand to commands: reads end when
// ctx does, even if the caller's reader blocks.
func newStdin(ctx context.Context, r io.Reader) io.Reader {
	switch r.(type) {
	case *bytes.Reader, *strings.Reader, *bytes.Buffer:
		return r
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, r)
		pw.CloseWithError(err)
	}()
	context.AfterFunc(ctx, func() { pr.CloseWithError(io.EOF) })
	return pr
}

// execution is the state of one Exec shared by its interpreter and the
// commands it runs.
type execution struct {
	s   *session
	fs  afero.Fs // the session filesystem when the exec started
	env []string
}

func (x *execution) runShell(ctx context.Context, dir, command string, stdin io.Reader, stdout, stderr io.Writer) int {
	file, err := syntax.NewParser().Parse(strings.NewReader(command), "")
	if err != nil {
		fmt.Fprintf(stderr, "sh: %v\n", err)
		return 2
	}
	r, err := x.newRunner(dir, stdin, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "sh: %v\n", err)
		return 2
	}
	return runStatus(r.Run(ctx, file), stderr)
}

func (x *execution) newRunner(dir string, stdin io.Reader, stdout, stderr io.Writer) (*interp.Runner, error) {
	r, err := interp.New(
		interp.Env(expand.ListEnviron(x.env...)),
		interp.StdIO(stdin, stdout, stderr),
		interp.OpenHandler(x.open),
		interp.StatHandler(x.stat),
		interp.ReadDirHandler2(x.readDir),
		interp.ExecHandlers(x.execMiddleware),
		interp.LookPathHandler(x.lookPathHandler),
	)
	if err != nil {
		return nil, err
	}
	r.Dir = dir
	return r, nil
}

// runStatus turns the interpreter's result into an exit status.
func runStatus(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var es interp.ExitStatus
	if errors.As(err, &es) {
		return int(es)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 1
	}
	fmt.Fprintf(stderr, "sh: %v\n", err)
	return 1
}

func (x *execution) runArgv(ctx context.Context, dir string, argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if interp.IsBuiltin(argv[0]) {
		// A shell builtin has no life outside the shell: run it through
		// the interpreter with every argument quoted.
		words := make([]string, len(argv))
		for i, a := range argv {
			q, err := syntax.Quote(a, syntax.LangBash)
			if err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", argv[0], err)
				return 2
			}
			words[i] = q
		}
		return x.runShell(ctx, dir, strings.Join(words, " "), stdin, stdout, stderr)
	}
	c := &call{x: x, dir: dir, stdin: stdin, stdout: stdout, stderr: stderr, getenv: x.getenv}
	return c.run(ctx, argv)
}

func (x *execution) getenv(name string) string {
	prefix := name + "="
	i := sort.SearchStrings(x.env, prefix)
	if i < len(x.env) && strings.HasPrefix(x.env[i], prefix) {
		return x.env[i][len(prefix):]
	}
	return ""
}

// absPath resolves p against dir.
func absPath(dir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(dir, p)
}
