package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/spf13/afero"

	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// fillLayer writes n files of size bytes each under /workspace, 100 files
// per directory.
func fillLayer(tb testing.TB, fsys afero.Fs, n, size int) {
	tb.Helper()
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	for i := 0; i < n; i++ {
		d := fmt.Sprintf("/workspace/d%03d", i/100)
		if i%100 == 0 {
			if err := fsys.MkdirAll(d, 0o755); err != nil {
				tb.Fatal(err)
			}
		}
		if err := afero.WriteFile(fsys, fmt.Sprintf("%s/f%05d", d, i), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkCommitOneChange commits a layer holding one changed 10 KiB file
// on top of a workspace of 1 file and of 10,000 files / 100 MB. Commit cost
// must not grow with the workspace: compare the two ns/op.
func BenchmarkCommitOneChange(b *testing.B) {
	ctx := context.Background()
	for _, ws := range []struct {
		name  string
		files int
		size  int
		opts  []Option
	}{
		{"workspace=1file", 1, 10 << 10, nil},
		{"workspace=10000files_100MB", 10000, 10000, nil},
		// Without fsync, which dominates and varies with the disk: the
		// CPU cost alone.
		{"nosync/workspace=1file", 1, 10 << 10, []Option{withoutSync()}},
		{"nosync/workspace=10000files_100MB", 10000, 10000, []Option{withoutSync()}},
	} {
		b.Run(ws.name, func(b *testing.B) {
			s := mustOpen(b, b.TempDir(), ws.opts...)
			base := wasifs.NewMemLayer()
			fillLayer(b, base, ws.files, ws.size)
			baseID, err := s.Commit(ctx, base, "", nil)
			if err != nil {
				b.Fatal(err)
			}
			changed := bytes.Repeat([]byte("x"), 10<<10)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				w, err := s.Fork(baseID)
				if err != nil {
					b.Fatal(err)
				}
				if err := afero.WriteFile(w, "/workspace/d000/f00000", changed, 0o644); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := s.Commit(ctx, w.Upper(), baseID, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFork forks a cached snapshot of 10,000 files in 3 layers.
func BenchmarkFork(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b, b.TempDir())
	parent := ""
	for l := 0; l < 3; l++ {
		layer := wasifs.NewMemLayer()
		fillLayer(b, layer, 10000/3, 1000)
		id, err := s.Commit(ctx, layer, parent, nil)
		if err != nil {
			b.Fatal(err)
		}
		parent = id
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ws, err := s.Fork(parent)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ws.Stat("/workspace/d000/f00000"); err != nil {
			b.Fatal(err)
		}
	}
}

const benchFiles, benchFileSize = 1000, 64 << 10 // 64 MiB

// BenchmarkOpenUncached opens a 64 MiB snapshot (1,000 files) with an
// empty cache: read, verify and extract its blob.
func BenchmarkOpenUncached(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	layer := wasifs.NewMemLayer()
	fillLayer(b, layer, benchFiles, benchFileSize)
	id, err := mustOpen(b, dir).Commit(ctx, layer, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchFiles * benchFileSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := mustOpen(b, dir).Open(id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExport exports a 64 MiB snapshot (1,000 files in 2 layers).
func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b, b.TempDir())
	l1, l2 := wasifs.NewMemLayer(), wasifs.NewMemLayer()
	fillLayer(b, l1, benchFiles, benchFileSize/2)
	fillLayer(b, l2, benchFiles, benchFileSize)
	id, err := s.Commit(ctx, l1, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	if id, err = s.Commit(ctx, l2, id, nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchFiles * benchFileSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Export(ctx, id, io.Discard, ExportOptions{Root: "workspace"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport imports a 64 MiB archive (1,000 files) as a committed
// layer: extracted, serialised, and its blob written (and synced, unless
// nosync).
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	src := wasifs.NewMemLayer()
	fillLayer(b, src, benchFiles, benchFileSize)
	var archive bytes.Buffer
	if err := WriteArchive(ctx, src, "workspace", &archive); err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct {
		name string
		opts []Option
	}{
		{"durable", []Option{WithCacheBytes(0)}},
		{"nosync", []Option{WithCacheBytes(0), withoutSync()}},
	} {
		b.Run(v.name, func(b *testing.B) {
			s := mustOpen(b, b.TempDir(), v.opts...)
			b.SetBytes(benchFiles * benchFileSize)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Import(ctx, bytes.NewReader(archive.Bytes()), ImportOptions{Root: "workspace"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
