// Copyright (c) 2017, Daniel Martí <mvdan@mvdan.cc>
// See LICENSE for licensing information

package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/syntax"
)

// File descriptors. The standard three live in the runner's stdin, stdout
// and stderr; every other open descriptor ("exec 3< file", "4> out",
// "{var}> file") is an entry of Runner.fds, as is a readable descriptor 1
// or 2 ("read -u 1 x 1<<EOF"). Redirections are applied left to right, so
// "5> f >&5" sends stdout to f.

// fdFile is one open descriptor: its readable and writable ends (either may
// be nil) and the file to close, if any.
type fdFile struct {
	r stdinFile
	w io.Writer
	c io.Closer
}

// firstVarFD is where "{var}>file" starts looking for a free descriptor.
const firstVarFD = 10

// badFD is the error of a redirection from a descriptor that is not open.
type badFD string

func (e badFD) Error() string { return string(e) + ": Bad file descriptor" }

// badFDWriter stands for a closed or read-only standard output.
type badFDWriter struct{}

func (badFDWriter) Write([]byte) (int, error) { return 0, syscall.EBADF }

func (r *Runner) setFD(n int, f fdFile) {
	if r.fds == nil {
		r.fds = make(map[int]fdFile)
	}
	r.fds[n] = f
}

// readFD returns the readable end of descriptor n, or nil.
func (r *Runner) readFD(n int) stdinFile {
	if f, ok := r.fds[n]; ok && f.r != nil {
		return f.r
	}
	if n == 0 && r.stdin != nil {
		return r.stdin
	}
	return nil
}

// writeFD returns the writable end of descriptor n, or nil.
func (r *Runner) writeFD(n int) io.Writer {
	switch n {
	case 1:
		return r.stdout
	case 2:
		return r.stderr
	}
	if f, ok := r.fds[n]; ok {
		return f.w
	}
	return nil
}

// assign makes descriptor n the file f.
func (r *Runner) assign(n int, f fdFile) {
	switch n {
	case 0:
		r.stdin = f.r
		delete(r.fds, 0)
		return
	case 1, 2:
		w := f.w
		if w == nil {
			w = badFDWriter{}
		}
		if n == 1 {
			r.stdout = w
		} else {
			r.stderr = w
		}
		if f.r == nil {
			delete(r.fds, n)
			return
		}
	}
	r.setFD(n, f)
}

// closeFD closes descriptor n for the rest of the redirection's scope.
func (r *Runner) closeFD(n int) {
	switch n {
	case 0:
		r.stdin = nil
	case 1:
		r.stdout = badFDWriter{}
	case 2:
		r.stderr = io.Discard
	}
	delete(r.fds, n)
}

// fdVarName returns NAME for a "{NAME}>..." redirection.
func fdVarName(rd *syntax.Redirect) (string, bool) {
	if rd.N == nil {
		return "", false
	}
	v := rd.N.Value
	if len(v) > 2 && v[0] == '{' && v[len(v)-1] == '}' && syntax.ValidName(v[1:len(v)-1]) {
		return v[1 : len(v)-1], true
	}
	return "", false
}

func (r *Runner) freeFD() int {
	n := firstVarFD
	for {
		if _, used := r.fds[n]; !used {
			return n
		}
		n++
	}
}

func (r *Runner) redir(ctx context.Context, rd *syntax.Redirect, varFDs *[]int) (io.Closer, error) {
	// The descriptor the redirection applies to; -1 for the operator's
	// default.
	n := -1
	if rd.N != nil {
		if name, ok := fdVarName(rd); ok {
			n = r.freeFD()
			r.setVarString(name, strconv.Itoa(n))
			*varFDs = append(*varFDs, n)
		} else {
			v, err := strconv.Atoi(rd.N.Value)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("%s: bad file descriptor", rd.N.Value)
			}
			n = v
		}
	}
	orDefault := func(def int) int {
		if n < 0 {
			return def
		}
		return n
	}

	switch rd.Op {
	case syntax.Hdoc, syntax.DashHdoc, syntax.WordHdoc:
		var doc string
		if rd.Op == syntax.WordHdoc {
			doc = r.literal(rd.Word) + "\n"
		} else {
			doc = r.hdocString(rd)
		}
		pr := newStringReader(doc)
		r.assign(orDefault(0), fdFile{r: pr, c: pr})
		return pr, nil
	case syntax.DplOut, syntax.DplIn:
		arg := r.literal(rd.Word)
		def := 1
		if rd.Op == syntax.DplIn {
			def = 0
		}
		target := orDefault(def)
		if arg == "-" {
			r.closeFD(target)
			return nil, nil
		}
		m, err := strconv.Atoi(strings.TrimSuffix(arg, "-"))
		if err != nil || m < 0 {
			if rd.Op == syntax.DplOut && n < 0 {
				// ">&file" is "&>file".
				return r.redirFile(ctx, syntax.RdrAll, arg, -1)
			}
			return nil, fmt.Errorf("%s: ambiguous redirect", arg)
		}
		src := fdFile{w: r.writeFD(m), r: r.readFD(m)}
		if rd.Op == syntax.DplOut && src.w == nil || rd.Op == syntax.DplIn && src.r == nil {
			return nil, badFD(strconv.Itoa(m))
		}
		if rd.Op == syntax.DplOut {
			src.r = nil
		} else {
			src.w = nil
		}
		r.assign(target, src)
		if strings.HasSuffix(arg, "-") { // "N>&M-" moves M to N
			r.closeFD(m)
		}
		return nil, nil
	case syntax.RdrIn, syntax.RdrOut, syntax.AppOut, syntax.ClbOut,
		syntax.RdrAll, syntax.AppAll, syntax.RdrInOut:
		return r.redirFile(ctx, rd.Op, r.literal(rd.Word), n)
	}
	return nil, fmt.Errorf("unhandled redirect op: %v", rd.Op)
}

// redirFile opens a file for a redirection to descriptor n (-1 for the
// operator's default).
func (r *Runner) redirFile(ctx context.Context, op syntax.RedirOperator, arg string, n int) (io.Closer, error) {
	mode := os.O_RDONLY
	switch op {
	case syntax.AppOut, syntax.AppAll:
		mode = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	case syntax.RdrOut, syntax.RdrAll, syntax.ClbOut:
		mode = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	case syntax.RdrInOut:
		mode = os.O_RDWR | os.O_CREATE
	}
	if r.opts[optNoClobber] && (op == syntax.RdrOut || op == syntax.RdrAll) {
		if info, err := r.stat(ctx, arg); err == nil && info.Mode().IsRegular() {
			return nil, &os.PathError{Op: "sh:", Path: arg, Err: errClobber}
		}
	}
	f, err := r.open(ctx, arg, mode, 0o644, false)
	if err != nil {
		return nil, err
	}
	switch op {
	case syntax.RdrIn:
		if n < 0 {
			n = 0
		}
		stdin, err := newStdinFile(f)
		if err != nil {
			return nil, err
		}
		r.assign(n, fdFile{r: stdin, c: f})
	case syntax.RdrInOut:
		if n < 0 {
			n = 0
		}
		stdin, err := newStdinFile(f)
		if err != nil {
			return nil, err
		}
		r.assign(n, fdFile{r: stdin, w: f, c: f})
	case syntax.RdrOut, syntax.AppOut, syntax.ClbOut:
		if n < 0 {
			n = 1
		}
		r.assign(n, fdFile{w: f, c: f})
	case syntax.RdrAll, syntax.AppAll:
		r.stdout = f
		r.stderr = f
	}
	return f, nil
}

var errClobber = errors.New("cannot overwrite existing file")

// stringReader is a here-document: an in-memory reader, closable.
type stringReader struct {
	*strings.Reader
}

func newStringReader(s string) stringReader { return stringReader{strings.NewReader(s)} }

func (stringReader) Close() error { return nil }

func (stringReader) SetReadDeadline(time.Time) error { return nil }
