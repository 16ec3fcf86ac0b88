package wasifs

import (
	"io"
	"testing"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// BenchmarkBridgeFileIO measures 1 MiB writes and reads through the bridge's
// File on an overlay with an in-memory upper layer, without a guest: the
// bridge's own cost on top of the overlay.
func BenchmarkBridgeFileIO(b *testing.B) {
	const block = 1 << 20
	const blocks = 64
	buf := make([]byte, block)
	for i := range buf {
		buf[i] = byte(i)
	}
	b.Run("write-1MiB", func(b *testing.B) {
		fsys := MountFS(New(NewMemLayer())).(experimentalsys.FS)
		b.SetBytes(block * blocks)
		for b.Loop() {
			f, errno := fsys.OpenFile("data", experimentalsys.O_WRONLY|experimentalsys.O_CREAT|experimentalsys.O_TRUNC, 0o600)
			if errno != 0 {
				b.Fatal(errno)
			}
			for range blocks {
				if _, errno := f.Write(buf); errno != 0 {
					b.Fatal(errno)
				}
			}
			f.Close()
		}
	})
	b.Run("read-1MiB", func(b *testing.B) {
		fsys := MountFS(New(NewMemLayer())).(experimentalsys.FS)
		f, _ := fsys.OpenFile("data", experimentalsys.O_WRONLY|experimentalsys.O_CREAT, 0o600)
		for range blocks {
			f.Write(buf)
		}
		f.Close()
		b.SetBytes(block * blocks)
		for b.Loop() {
			f, errno := fsys.OpenFile("data", experimentalsys.O_RDONLY, 0)
			if errno != 0 {
				b.Fatal(errno)
			}
			for {
				n, errno := f.Read(buf)
				if errno != 0 {
					b.Fatal(errno)
				}
				if n == 0 {
					break
				}
			}
			f.Close()
		}
	})
	b.Run("open-stat-close", func(b *testing.B) {
		fsys := MountFS(New(NewMemLayer())).(experimentalsys.FS)
		f, _ := fsys.OpenFile("data", experimentalsys.O_WRONLY|experimentalsys.O_CREAT, 0o600)
		f.Close()
		b.ReportAllocs()
		for b.Loop() {
			f, errno := fsys.OpenFile("data", experimentalsys.O_RDONLY, 0)
			if errno != 0 {
				b.Fatal(errno)
			}
			if _, errno := f.Stat(); errno != 0 {
				b.Fatal(errno)
			}
			if _, errno := f.Seek(0, io.SeekEnd); errno != 0 {
				b.Fatal(errno)
			}
			f.Close()
		}
	})
}
