// Copyright (c) 2017, Daniel Martí <mvdan@mvdan.cc>
// See LICENSE for licensing information

package interp

import (
	"context"
	"io"
	"strconv"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Process substitutions run on in-memory pipes named "/dev/fd/N", like
// bash's, instead of named pipes on the host. The pipe is registered in a
// table shared by a runner and its subshells; opening the name (through the
// runner's redirections, or through [HandlerContext.OpenProcFile] for
// commands) returns the pipe's other end. The statement that started a
// substitution releases it when it ends: the pipe is closed and the
// substituted commands are stopped and waited for.

const procFirstFD = 63

// procFiles is the table of live process substitution pipes.
type procFiles struct {
	mu   sync.Mutex
	live map[int]*procPipe
}

// procPipe is one process substitution.
type procPipe struct {
	fd     int
	r      *io.PipeReader
	w      *io.PipeWriter
	in     bool // <(...): the command reads r, the substitution writes w
	opened bool
	cancel context.CancelFunc
	done   chan struct{}
}

func (t *procFiles) add(p *procPipe) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.live == nil {
		t.live = make(map[int]*procPipe)
	}
	fd := procFirstFD
	for t.live[fd] != nil {
		fd--
	}
	p.fd = fd
	t.live[fd] = p
	return "/dev/fd/" + strconv.Itoa(fd)
}

// open returns the command's end of the pipe called path.
func (t *procFiles) open(path string) (io.ReadWriteCloser, bool) {
	n, ok := strings.CutPrefix(path, "/dev/fd/")
	if !ok {
		return nil, false
	}
	fd, err := strconv.Atoi(n)
	if err != nil {
		return nil, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.live[fd]
	if p == nil || p.opened {
		return nil, false
	}
	p.opened = true
	if p.in {
		return readOnly{p.r}, true
	}
	return writeOnly{p.w}, true
}

func (t *procFiles) remove(p *procPipe) {
	t.mu.Lock()
	if t.live[p.fd] == p {
		delete(t.live, p.fd)
	}
	t.mu.Unlock()
}

type readOnly struct{ *io.PipeReader }

func (readOnly) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

type writeOnly struct{ *io.PipeWriter }

func (writeOnly) Read([]byte) (int, error) { return 0, io.EOF }

// procSubst starts a process substitution and returns its path.
func (r *Runner) procSubst(ctx context.Context, ps *syntax.ProcSubst) (string, error) {
	if ps.Op == syntax.CmdInTemp { // zsh's =(...)
		return "", errUnsupportedProcSubst
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	p := &procPipe{r: pr, w: pw, in: ps.Op == syntax.CmdIn, cancel: cancel, done: make(chan struct{})}
	path := r.procFiles.add(p)
	r.procPending = append(r.procPending, p)
	r2 := r.subshell(true)
	if p.in {
		r2.stdout = pw
	} else {
		r2.stdin = jsReader{pr}
		r2.stdout = r.origStdout
	}
	go func() {
		defer close(p.done)
		r2.stmts(ctx, ps.Stmts)
		r2.exit.exiting = false
		if p.in {
			pw.Close()
		} else {
			pr.CloseWithError(io.ErrClosedPipe)
		}
	}()
	return path, nil
}

// releaseProcSubsts ends the process substitutions started since mark.
func (r *Runner) releaseProcSubsts(mark int) {
	for _, p := range r.procPending[mark:] {
		if p.in {
			// Nobody reads any more: stop the writer.
			p.r.CloseWithError(io.ErrClosedPipe)
			p.cancel()
		} else {
			// No more input: let the reader finish.
			p.w.Close()
		}
		<-p.done
		p.cancel()
		r.procFiles.remove(p)
	}
	clear(r.procPending[mark:])
	r.procPending = r.procPending[:mark]
}

type procSubstError string

func (e procSubstError) Error() string { return string(e) }

const errUnsupportedProcSubst = procSubstError("unsupported process substitution")

// OpenProcFile opens the command's end of the process substitution named
// path ("/dev/fd/63"). It reports false when path names no live process
// substitution or when it was already opened.
func (hc HandlerContext) OpenProcFile(path string) (io.ReadWriteCloser, bool) {
	if hc.runner == nil || hc.runner.procFiles == nil {
		return nil, false
	}
	return hc.runner.procFiles.open(path)
}
