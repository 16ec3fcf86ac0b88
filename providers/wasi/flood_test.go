package wasi_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// TestFloodKeepsHostMemoryBounded floods stdout with yes under the default
// 10 MiB cap and samples the heap meanwhile: the command is stopped at the
// cap and the heap stays within a small multiple of it.
func TestFloodKeepsHostMemoryBounded(t *testing.T) {
	s := newSession(t, providers.SessionSpec{})
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var max uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				peak <- max
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > max {
					max = ms.HeapAlloc
				}
			}
		}
	}()
	res, err := s.Exec(context.Background(), providers.ExecRequest{Command: "yes | cat | cat", Timeout: 5 * time.Minute})
	close(done)
	max := <-peak
	if err != nil {
		t.Fatal(err)
	}
	if !res.StdoutTruncated || len(res.Stdout) != providers.DefaultMaxOutputBytes {
		t.Fatalf("truncated=%v with %d bytes, want the %d-byte cap", res.StdoutTruncated, len(res.Stdout), providers.DefaultMaxOutputBytes)
	}
	growth := int64(max) - int64(base)
	t.Logf("heap peak %.1f MiB over the base while flooding", float64(growth)/(1<<20))
	if growth > 8*providers.DefaultMaxOutputBytes {
		t.Errorf("heap grew by %d MiB for a %d MiB cap", growth>>20, providers.DefaultMaxOutputBytes>>20)
	}
}
