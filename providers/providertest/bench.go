package providertest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

// Bench runs the same benchmarks against any provider, so that providers
// measured in one run can be compared:
//
//   - create-exec-close: create a session, run "echo hi", close it;
//   - exec: one exec round trip (argv "echo hi") on an open session;
//   - write-10MiB and read-10MiB: one 10 MiB workspace file;
//   - export: the portable archive of 100 small files and one of 10 MiB;
//   - restore: a new session importing that archive.
//
// The archive benchmarks run when the sessions are providers.Archivers.
func Bench(b *testing.B, p providers.Provider) {
	ctx := context.Background()
	open := func(b *testing.B) providers.Session {
		s, err := p.Create(ctx, providers.SessionSpec{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close(ctx) })
		return s
	}
	echo := func(b *testing.B, s providers.Session, req providers.ExecRequest) {
		res, err := s.Exec(ctx, req)
		if err != nil || string(res.Stdout) != "hi\n" {
			b.Fatalf("exec: %v", err)
		}
	}
	b.Run("create-exec-close", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, err := p.Create(ctx, providers.SessionSpec{})
			if err != nil {
				b.Fatal(err)
			}
			echo(b, s, providers.ExecRequest{Command: "echo hi"})
			if err := s.Close(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("exec", func(b *testing.B) {
		s := open(b)
		b.ReportAllocs()
		for b.Loop() {
			echo(b, s, providers.ExecRequest{Argv: []string{"echo", "hi"}})
		}
	})
	data := make([]byte, 10<<20)
	rand.NewChaCha8([32]byte{}).Read(data)
	b.Run("write-10MiB", func(b *testing.B) {
		s := open(b)
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if err := s.WriteFile(ctx, "big.bin", bytes.NewReader(data), 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-10MiB", func(b *testing.B) {
		s := open(b)
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
				b.Fatalf("read %d bytes: %v", n, err)
			}
			rc.Close()
		}
	})
	fill := func(b *testing.B, s providers.Session) {
		for i := range 100 {
			if err := s.WriteFile(ctx, fmt.Sprintf("src/d%d/f%d.txt", i%10, i), bytes.NewReader(bytes.Repeat([]byte("x"), 1000)), 0); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.WriteFile(ctx, "big.bin", bytes.NewReader(data), 0); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("export", func(b *testing.B) {
		s := open(b)
		a, ok := s.(providers.Archiver)
		if !ok {
			b.Skip("sessions are not providers.Archivers")
		}
		fill(b, s)
		for b.Loop() {
			if err := a.ExportArchive(ctx, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("restore", func(b *testing.B) {
		s := open(b)
		a, ok := s.(providers.Archiver)
		if !ok {
			b.Skip("sessions are not providers.Archivers")
		}
		fill(b, s)
		var buf bytes.Buffer
		if err := a.ExportArchive(ctx, &buf); err != nil {
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
	})
}
