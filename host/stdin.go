package host

import (
	"bytes"
	"context"
	"io"
	"strings"
)

// guestStdin returns r as a guest's stdin that stops blocking when ctx is
// done. wazero cannot stop a guest inside a host call, so a guest blocked in
// a read of a pipe that never delivers would outlive its deadline. Readers
// that never block are returned as they are.
func guestStdin(ctx context.Context, r io.Reader) io.Reader {
	switch r.(type) {
	case *bytes.Reader, *strings.Reader, *bytes.Buffer:
		return r
	}
	return &ctxReader{ctx: ctx, r: r}
}

// ctxReader reads r in a goroutine per call, so that a call can return
// when ctx is done. After that, the read in flight is abandoned: its data is
// lost, and its goroutine ends when r's Read returns.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	buf []byte // reused while no read was abandoned
}

type readResult struct {
	n   int
	err error
}

// Read implements io.Reader.
func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	buf := c.buf[:len(p)]
	done := make(chan readResult, 1)
	go func() {
		n, err := c.r.Read(buf)
		done <- readResult{n, err}
	}()
	select {
	case res := <-done:
		copy(p, buf[:res.n])
		return res.n, res.err
	case <-c.ctx.Done():
		c.buf = nil // the abandoned read still owns buf
		return 0, c.ctx.Err()
	}
}
