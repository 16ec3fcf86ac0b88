package docker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/wsbx/wsbx/providers"
)

// execIDVar is the environment variable that marks every process of one
// exec, so that all of them can be found and killed.
const execIDVar = "WSBX_EXEC_ID"

// killScript kills every process whose environment holds WSBX_EXEC_ID=$1,
// repeating until none is left (a process may fork while the first pass
// runs). It needs only sh, grep -z and kill.
const killScript = `i=0
while [ "$i" -lt 50 ]; do
	p=$(grep -lsxzF "` + execIDVar + `=$1" /proc/[0-9]*/environ)
	[ -z "$p" ] && exit 0
	for f in $p; do f=${f#/proc/}; kill -9 "${f%/environ}" 2>/dev/null; done
	i=$((i+1))
done
exit 1`

// pollInterval is how often a running exec is inspected.
const pollInterval = 500 * time.Millisecond

// errCapped stops the output copy when a stream passes its cap.
var errCapped = errors.New("output cap reached")

// Exec runs one command in the container. See providers.Session.
//
// # Errors
//
// CodeInvalidRequest unless exactly one of Command and Argv is set;
// CodePathEscape or CodeReadNotFound for a bad Cwd; CodeExecTimeout (with
// the partial result) when the timeout passes; CodeExecTransport when the
// engine fails or ctx is cancelled (wrapping ctx.Err()); CodeSessionClosed
// after Close. Safe for concurrent use.
func (s *session) Exec(ctx context.Context, req providers.ExecRequest) (*providers.ExecResult, error) {
	if err := s.check("exec"); err != nil {
		return nil, err
	}
	var cmd []string
	switch {
	case req.Command != "" && len(req.Argv) > 0, req.Command == "" && len(req.Argv) == 0:
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: "exec", Message: "set exactly one of command and argv"}
	case req.Command != "":
		cmd = []string{"/bin/sh", "-c", req.Command}
	default:
		cmd = req.Argv
	}
	dir := s.root
	if req.Cwd != "" {
		rel, err := providers.WorkspacePath(s.root, req.Cwd)
		if err != nil {
			return nil, withOp(err, "exec")
		}
		r, err := s.resolve(ctx, "exec", rel, true)
		if err != nil {
			return nil, err
		}
		if r.stat == nil {
			return nil, &providers.Error{Code: providers.CodeReadNotFound, Op: "exec", Target: req.Cwd, Message: "working directory does not exist"}
		}
		if !r.stat.Mode.IsDir() {
			return nil, &providers.Error{Code: providers.CodeWriteTypeError, Op: "exec", Target: req.Cwd, Message: "working directory is not a directory"}
		}
		dir = r.abs
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = s.spec.Limits.ExecTimeout
	}
	limit := req.MaxOutputBytes
	if limit <= 0 {
		limit = s.spec.Limits.MaxOutputBytes
	}
	if limit <= 0 {
		limit = providers.DefaultMaxOutputBytes
	}
	stdin := req.Stdin
	if stdin == nil && len(req.StdinData) > 0 {
		stdin = bytes.NewReader(req.StdinData)
	}
	return s.execute(ctx, execSpec{
		cmd: cmd, env: envList(s.spec.Env, req.Env), dir: dir, stdin: stdin,
		stdout: req.Stdout, stderr: req.Stderr, limit: limit, timeout: timeout, track: true,
	})
}

// envList merges environments into sorted "K=V" pairs, later maps winning.
func envList(maps ...map[string]string) []string {
	merged := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			merged[k] = v
		}
	}
	out := make([]string, 0, len(merged)+1)
	for k, v := range merged {
		if k == execIDVar {
			continue
		}
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// execSpec is one exec instance to run.
type execSpec struct {
	cmd            []string
	env            []string
	dir            string
	stdin          io.Reader
	stdout, stderr io.Writer
	limit          int64
	timeout        time.Duration
	// track marks the processes so that a stopped exec can be killed.
	track bool
}

// execute runs x and waits for it, stopping it on timeout, cancellation,
// output cap or Close.
func (s *session) execute(ctx context.Context, x execSpec) (*providers.ExecResult, error) {
	env := x.env
	var tag string
	if x.track {
		tag = newID()
		env = append(append([]string(nil), env...), execIDVar+"="+tag)
	}
	created, err := s.p.cli.ContainerExecCreate(ctx, s.id, container.ExecOptions{
		AttachStdin:  x.stdin != nil,
		AttachStdout: true,
		AttachStderr: true,
		Env:          env,
		WorkingDir:   x.dir,
		Cmd:          x.cmd,
	})
	if err != nil {
		return nil, s.execError(ctx, err)
	}
	resp, err := s.p.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return nil, s.execError(ctx, err)
	}
	defer resp.Close()
	start := time.Now()
	if x.stdin != nil {
		go func() {
			_, _ = io.Copy(resp.Conn, x.stdin)
			_ = resp.CloseWrite()
		}()
	}
	out := &capture{limit: x.limit, sink: x.stdout}
	errOut := &capture{limit: x.limit, sink: x.stderr}
	copied := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(out, errOut, resp.Reader)
		copied <- err
	}()
	var deadline <-chan time.Time
	if x.timeout > 0 {
		t := time.NewTimer(x.timeout)
		defer t.Stop()
		deadline = t.C
	}
	// The engine can leave an attach stream open after the command exits
	// (a background child holding stdout, or an engine race): poll, and
	// once the command has been seen exited on two polls, stop waiting and
	// kill what is left of it.
	poll := time.NewTicker(pollInterval)
	defer poll.Stop()
	var stopErr error
	capped, exited := false, 0
	exitFromPoll := -1
wait:
	for {
		select {
		case err := <-copied:
			if errors.Is(err, errCapped) {
				// Stop reading first: the engine reports the exec stopped
				// only once its output is delivered or dropped.
				resp.Close()
				s.kill(ctx, tag)
				capped = true
			} else if err != nil {
				stopErr = s.execError(ctx, err)
			}
			break wait
		case <-poll.C:
			ins, err := s.p.cli.ContainerExecInspect(ctx, created.ID)
			if err != nil || ins.Running {
				continue
			}
			if exited++; exited < 2 {
				continue
			}
			exitFromPoll = ins.ExitCode
			resp.Close()
			<-copied
			s.kill(ctx, tag)
			break wait
		case <-deadline:
			stopErr = &providers.Error{Code: providers.CodeExecTimeout, Op: "exec", Target: firstWord(x.cmd),
				Message: "stopped after " + x.timeout.String()}
			s.kill(ctx, tag)
			break wait
		case <-ctx.Done():
			stopErr = &providers.Error{Code: providers.CodeExecTransport, Op: "exec", Target: firstWord(x.cmd), Err: ctx.Err()}
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				stopErr.(*providers.Error).Code = providers.CodeExecTimeout
			}
			s.kill(ctx, tag)
			break wait
		case <-s.closing:
			stopErr = &providers.Error{Code: providers.CodeSessionClosed, Op: "exec", Target: firstWord(x.cmd)}
			break wait
		}
	}
	if stopErr != nil {
		resp.Close()
		<-copied
	}
	res := &providers.ExecResult{
		Stdout: out.bytes(), Stderr: errOut.bytes(),
		StdoutTruncated: out.truncated, StderrTruncated: errOut.truncated,
		ExitCode: -1,
	}
	if stopErr != nil {
		res.Duration = time.Since(start)
		return res, stopErr
	}
	if exitFromPoll >= 0 {
		res.ExitCode, res.Duration = exitFromPoll, time.Since(start)
		return res, nil
	}
	code, err := s.exitCode(ctx, created.ID)
	res.Duration = time.Since(start)
	if err != nil {
		return res, err
	}
	res.ExitCode = code
	if capped {
		res.ExitCode = 128 + 9 // killed at the output cap
	}
	return res, nil
}

// exitCode waits for an exec whose output has ended to be reported as
// stopped, and returns its exit code.
func (s *session) exitCode(ctx context.Context, execID string) (int, error) {
	wait := time.Millisecond
	for {
		ins, err := s.p.cli.ContainerExecInspect(ctx, execID)
		if err != nil {
			return -1, s.execError(ctx, err)
		}
		if !ins.Running {
			return ins.ExitCode, nil
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return -1, &providers.Error{Code: providers.CodeExecTransport, Op: "exec", Err: ctx.Err()}
		case <-s.closing:
			return -1, &providers.Error{Code: providers.CodeSessionClosed, Op: "exec"}
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// execError maps an engine error of an exec.
func (s *session) execError(ctx context.Context, err error) error {
	if s.check("exec") != nil {
		return &providers.Error{Code: providers.CodeSessionClosed, Op: "exec", Err: err}
	}
	if ctx.Err() != nil {
		return &providers.Error{Code: providers.CodeExecTransport, Op: "exec", Err: ctx.Err()}
	}
	return &providers.Error{Code: providers.CodeExecTransport, Op: "exec", Err: err, Retryable: !isNotFound(err)}
}

// kill stops every process of the exec tagged tag. It raises the PID limit
// for a moment when the container has no room left to run the killer, and
// restarts the container as the last resort. It never fails: the container
// survives either way.
func (s *session) kill(ctx context.Context, tag string) {
	if tag == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	raised := false
	for attempt := range 5 {
		if s.check("exec") != nil {
			return
		}
		res, err := s.execute(ctx, execSpec{
			cmd: []string{"/bin/sh", "-c", killScript, "wsbx-kill", tag}, limit: 64 << 10,
		})
		if err == nil && res.ExitCode == 0 {
			break
		}
		if !raised {
			raised = s.setPIDs(ctx, s.pids+64)
		}
		if attempt == 4 {
			timeout := 0
			_ = s.p.cli.ContainerRestart(ctx, s.id, container.StopOptions{Timeout: &timeout})
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	if raised {
		s.setPIDs(ctx, s.pids)
	}
}

// setPIDs changes the container's PID limit and reports whether it did.
func (s *session) setPIDs(ctx context.Context, n int64) bool {
	s.pidsMu.Lock()
	defer s.pidsMu.Unlock()
	_, err := s.p.cli.ContainerUpdate(ctx, s.id, container.UpdateConfig{Resources: container.Resources{PidsLimit: &n}})
	return err == nil
}

// run runs argv in the workspace root with no session environment and a
// 1 MiB output cap.
func (s *session) run(ctx context.Context, argv []string) (*providers.ExecResult, error) {
	return s.execute(ctx, execSpec{cmd: argv, dir: s.root, limit: 1 << 20, track: true})
}

func firstWord(cmd []string) string {
	if len(cmd) == 0 {
		return ""
	}
	if len(cmd) == 3 && cmd[0] == "/bin/sh" && cmd[1] == "-c" {
		c := cmd[2]
		if i := bytes.IndexAny([]byte(c), " \t\n;|&"); i >= 0 {
			c = c[:i]
		}
		return c
	}
	return cmd[0]
}

// capture keeps up to limit bytes of one output stream and forwards the
// same bytes to sink.
type capture struct {
	mu        sync.Mutex
	buf       []byte
	limit     int64
	truncated bool
	sink      io.Writer
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(p)
	room := c.limit - int64(len(c.buf))
	capped := int64(n) > room
	if capped {
		n = int(max(room, 0))
	}
	c.buf = append(c.buf, p[:n]...)
	if c.sink != nil && n > 0 {
		_, _ = c.sink.Write(p[:n])
	}
	if capped {
		c.truncated = true
		return n, errCapped
	}
	return n, nil
}

func (c *capture) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buf == nil {
		return []byte{}
	}
	return c.buf
}
