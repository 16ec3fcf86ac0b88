package wasi

import (
	"bytes"
	"io"
	"sync"
)

// capture collects one output stream of an exec up to a byte cap, copies it
// to an optional streaming writer, and calls stop once when the cap is
// passed. It is safe for concurrent use: pipelines and background jobs write
// to it from several goroutines.
type capture struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	limit     int64
	tee       io.Writer
	stop      func()
	truncated bool
	done      bool // the exec returned; later writes are dropped
}

// Write keeps what fits under the cap and reports the whole of p as written,
// so that a command is stopped by its context rather than by a write error
// in the middle of its output.
func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.truncated || c.done {
		return 0, errOutputLimit
	}
	n := len(p)
	if room := c.limit - int64(c.buf.Len()); int64(n) > room {
		p = p[:room]
		c.truncated = true
	}
	c.buf.Write(p)
	if c.tee != nil && len(p) > 0 {
		c.tee.Write(p) //nolint:errcheck // a failing stream does not stop the command
	}
	if c.truncated {
		c.stop()
		return len(p), errOutputLimit
	}
	return n, nil
}

func (c *capture) result() ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = true
	return c.buf.Bytes(), c.truncated
}

type outputLimitError struct{}

func (outputLimitError) Error() string { return "output limit reached" }

var errOutputLimit error = outputLimitError{}
