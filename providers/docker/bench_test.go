package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

// benchSession creates a session for a benchmark, closed at its end.
func benchSession(b *testing.B, p *Provider) providers.Session {
	b.Helper()
	s, err := p.Create(context.Background(), providers.SessionSpec{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// BenchmarkCreateExecClose measures a session's whole life: create, one
// exec, close.
func BenchmarkCreateExecClose(b *testing.B) {
	p := newProvider(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := p.Create(ctx, providers.SessionSpec{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := s.Exec(ctx, providers.ExecRequest{Command: "echo hi"})
		if err != nil || string(res.Stdout) != "hi\n" {
			b.Fatalf("exec: %v %q", err, res.Stdout)
		}
		if err := s.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExec measures one exec round trip on an open session.
func BenchmarkExec(b *testing.B) {
	p := newProvider(b)
	s := benchSession(b, p)
	ctx := context.Background()
	for b.Loop() {
		res, err := s.Exec(ctx, providers.ExecRequest{Argv: []string{"echo", "hi"}})
		if err != nil || string(res.Stdout) != "hi\n" {
			b.Fatalf("exec: %v %q", err, res.Stdout)
		}
	}
}

// BenchmarkWriteFile10MiB writes a 10 MiB file of known size.
func BenchmarkWriteFile10MiB(b *testing.B) {
	p := newProvider(b)
	s := benchSession(b, p)
	ctx := context.Background()
	data := make([]byte, 10<<20)
	rand.NewChaCha8([32]byte{}).Read(data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := s.WriteFile(ctx, "big.bin", bytes.NewReader(data), 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadFile10MiB reads a 10 MiB file.
func BenchmarkReadFile10MiB(b *testing.B) {
	p := newProvider(b)
	s := benchSession(b, p)
	ctx := context.Background()
	data := make([]byte, 10<<20)
	if err := s.WriteFile(ctx, "big.bin", bytes.NewReader(data), 0); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rc, err := s.ReadFile(ctx, "big.bin")
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, rc); err != nil || n != int64(len(data)) {
			b.Fatalf("read %d: %v", n, err)
		}
		rc.Close()
	}
}

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

// BenchmarkExportArchive exports a workspace of 100 small files and one
// 10 MiB file as the portable archive.
func BenchmarkExportArchive(b *testing.B) {
	p := newProvider(b)
	s := benchSession(b, p)
	fillWorkspace(b, s)
	ctx := context.Background()
	for b.Loop() {
		if err := s.(providers.Archiver).ExportArchive(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRestoreArchive creates a new session and imports that archive
// into it (the session is closed outside the timing).
func BenchmarkRestoreArchive(b *testing.B) {
	p := newProvider(b)
	s := benchSession(b, p)
	fillWorkspace(b, s)
	ctx := context.Background()
	var buf bytes.Buffer
	if err := s.(providers.Archiver).ExportArchive(ctx, &buf); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s2, err := p.Create(ctx, providers.SessionSpec{})
		if err != nil {
			b.Fatal(err)
		}
		if err := s2.(providers.Archiver).ImportArchive(ctx, bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s2.Close(ctx)
		b.StartTimer()
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
