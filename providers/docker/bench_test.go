package docker

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

// The benchmarks every provider shares (create, exec, files, archives) are
// providertest.Bench, run against docker and wasi together by
// BenchmarkProviders; this file has the docker-only ones.

// fillWorkspace writes 100 small files and one 10 MiB file.
func fillWorkspace(b *testing.B, s providers.Session) {
	ctx := context.Background()
	for i := range 100 {
		if err := s.WriteFile(ctx, fmt.Sprintf("src/d%d/f%d.txt", i%10, i), bytes.NewReader(bytes.Repeat([]byte("x"), 1000)), 0); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.WriteFile(ctx, "big.bin", bytes.NewReader(make([]byte, 10<<20)), 0); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCommitSnapshot measures Snapshot by docker commit and Restore
// into a new container.
func BenchmarkCommitSnapshot(b *testing.B) {
	p := newProvider(b)
	ctx := context.Background()
	s, err := p.Create(ctx, providers.SessionSpec{Options: commitOptions})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close(ctx) })
	fillWorkspace(b, s)
	for b.Loop() {
		ref, err := s.(providers.Snapshotter).Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		s2, err := p.Restore(ctx, ref, providers.SessionSpec{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s2.Close(ctx)
		p.RemoveSnapshot(ctx, ref)
		b.StartTimer()
	}
}
