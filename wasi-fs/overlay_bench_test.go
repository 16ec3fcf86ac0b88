package wasifs

import (
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/spf13/afero"
)

const mib = 1 << 20

// benchLayers returns an overlay of an in-memory upper layer over an
// in-memory lower layer holding lower.bin (1 MiB).
func benchOverlay(b *testing.B) (*Overlay, afero.Fs) {
	lower := NewMemLayer()
	if err := afero.WriteFile(lower, "lower.bin", make([]byte, mib), 0o644); err != nil {
		b.Fatal(err)
	}
	return New(NewMemLayer(), lower), lower
}

// BenchmarkOverlayWrite measures 1 MiB writes through the overlay into an
// in-memory upper layer.
func BenchmarkOverlayWrite(b *testing.B) {
	buf := make([]byte, mib)
	b.Run("overwrite", func(b *testing.B) {
		o, _ := benchOverlay(b)
		f, err := o.Create("out.bin")
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		b.SetBytes(mib)
		for b.Loop() {
			if _, err := f.WriteAt(buf, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append-64MiB", func(b *testing.B) {
		o, _ := benchOverlay(b)
		b.SetBytes(mib)
		var f afero.File
		i := 0
		for b.Loop() {
			if i%64 == 0 {
				if f != nil {
					f.Close()
				}
				var err error
				if f, err = o.Create("out.bin"); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := f.Write(buf); err != nil {
				b.Fatal(err)
			}
			i++
		}
		f.Close()
	})
	b.Run("create-write-close", func(b *testing.B) {
		o, _ := benchOverlay(b)
		b.SetBytes(mib)
		for b.Loop() {
			f, err := o.OpenFile("new.bin", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Write(buf); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
			if err := o.Remove("new.bin"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOverlayRead measures 1 MiB reads through the overlay from the
// upper and from a lower in-memory layer.
func BenchmarkOverlayRead(b *testing.B) {
	buf := make([]byte, mib)
	for _, name := range []string{"upper.bin", "lower.bin"} {
		b.Run(name, func(b *testing.B) {
			o, _ := benchOverlay(b)
			if name == "upper.bin" {
				if err := afero.WriteFile(o, name, buf, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			f, err := o.Open(name)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(mib)
			for b.Loop() {
				if n, err := f.ReadAt(buf, 0); n != mib || (err != nil && err != io.EOF) {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// BenchmarkCopyUp measures the first write to a lower file: copying it up.
func BenchmarkCopyUp(b *testing.B) {
	for _, size := range []int{4 << 10, mib} {
		for _, lk := range []string{"mem", "dir"} {
			b.Run(fmt.Sprintf("%s-%dKiB", lk, size>>10), func(b *testing.B) {
				var lower afero.Fs = NewMemLayer()
				if lk == "dir" {
					lower = NewDirLayer(b.TempDir())
				}
				if err := lower.MkdirAll("d/e", 0o755); err != nil {
					b.Fatal(err)
				}
				if err := afero.WriteFile(lower, "d/e/f", make([]byte, size), 0o644); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(size))
				for b.Loop() {
					o := New(NewMemLayer(), lower)
					f, err := o.OpenFile("d/e/f", os.O_RDWR, 0)
					if err != nil {
						b.Fatal(err)
					}
					f.Close()
				}
			})
		}
	}
}

// BenchmarkListMerged lists a directory of 1,000 entries spread over three
// lower layers and the upper layer, with 100 whiteouts.
func BenchmarkListMerged(b *testing.B) {
	layers := []afero.Fs{NewMemLayer(), NewMemLayer(), NewMemLayer(), NewMemLayer()}
	for i := range 1000 {
		l := layers[i%4]
		if err := l.MkdirAll("d", 0o755); err != nil {
			b.Fatal(err)
		}
		if err := afero.WriteFile(l, fmt.Sprintf("d/f%04d", i), []byte("x"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 100 {
		if err := afero.WriteFile(layers[0], fmt.Sprintf("d/%sf%04d", WhiteoutPrefix, i*4+1), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	o := New(layers[0], layers[1:]...)
	for b.Loop() {
		infos, err := afero.ReadDir(o, "d")
		if err != nil || len(infos) != 900 {
			b.Fatal(len(infos), err)
		}
	}
}

// BenchmarkStat resolves a path five directories deep over three layers.
func BenchmarkStat(b *testing.B) {
	lower1, lower2 := NewMemLayer(), NewMemLayer()
	if err := lower2.MkdirAll("a/b/c/d/e", 0o755); err != nil {
		b.Fatal(err)
	}
	if err := afero.WriteFile(lower2, "a/b/c/d/e/f", []byte("x"), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := lower1.MkdirAll("a/b/c", 0o755); err != nil {
		b.Fatal(err)
	}
	o := New(NewMemLayer(), lower1, lower2)
	for b.Loop() {
		if _, err := o.Stat("a/b/c/d/e/f"); err != nil {
			b.Fatal(err)
		}
	}
}
