package runtime_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wsbx/wsbx/manifest"
	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/runtime"
)

// TestPinnedManifestShared: sessions from one pinned manifest share the
// materialized workspace as a read-only layer: the remote file is fetched
// once, every session sees the entries, and each session's writes stay its
// own.
func TestPinnedManifestShared(t *testing.T) {
	const body = "data from the server\n"
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	sum := sha256.Sum256([]byte(body))
	m, err := manifest.Parse([]byte(`
[entries."notes/readme.txt"]
type = "inline_file"
content = "hello\n"

[entries."data.txt"]
type = "remote_file"
url = "`+srv.URL+`/data.txt"
sha256 = "`+hex.EncodeToString(sum[:])+`"
`), "toml")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := runtime.New(runtime.WithWASI())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(context.Background())
	ctx := context.Background()

	var sessions []*runtime.Session
	for i := range 3 {
		s, err := rt.Create(ctx, "wasi", providers.SessionSpec{}, runtime.WithManifest(m))
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
		res, err := s.Exec(ctx, providers.ExecRequest{Command: "cat notes/readme.txt data.txt"})
		if err != nil || string(res.Stdout) != "hello\n"+body {
			t.Fatalf("session %d: %q %v", i, res.Stdout, err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the remote file was fetched %d times, want once", n)
	}

	// Writes, removals and changes stay in their session.
	s0, s1 := sessions[0], sessions[1]
	if _, err := s0.Exec(ctx, providers.ExecRequest{Command: "echo mine > notes/readme.txt; rm data.txt; echo new > new.txt"}); err != nil {
		t.Fatal(err)
	}
	res, err := s1.Exec(ctx, providers.ExecRequest{Command: "cat notes/readme.txt data.txt; ls"})
	if err != nil || !strings.HasPrefix(string(res.Stdout), "hello\n"+body) || strings.Contains(string(res.Stdout), "new.txt") {
		t.Fatalf("another session sees the first one's changes: %q %v", res.Stdout, err)
	}
	res, err = s0.Exec(ctx, providers.ExecRequest{Command: "cat notes/readme.txt; ls"})
	if err != nil || string(res.Stdout) != "mine\nnew.txt\nnotes\n" {
		t.Fatalf("the first session's own view: %q %v", res.Stdout, err)
	}
	// And a new session still starts from the manifest's content.
	s3, err := rt.Create(ctx, "wasi", providers.SessionSpec{}, runtime.WithManifest(m))
	if err != nil {
		t.Fatal(err)
	}
	res, err = s3.Exec(ctx, providers.ExecRequest{Command: "cat notes/readme.txt data.txt"})
	if err != nil || string(res.Stdout) != "hello\n"+body {
		t.Fatalf("a later session: %q %v", res.Stdout, err)
	}
}

// TestUnpinnedManifestMaterializedEachTime: a remote file without a
// checksum may change, so each session fetches it.
func TestUnpinnedManifestMaterializedEachTime(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "version "+string(rune('0'+hits.Add(1))))
	}))
	defer srv.Close()
	m, err := manifest.Parse([]byte("[entries.\"v.txt\"]\ntype = \"remote_file\"\nurl = \""+srv.URL+"\"\n"), "toml")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := runtime.New(runtime.WithWASI())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(context.Background())
	ctx := context.Background()
	for i := 1; i <= 2; i++ {
		s, err := rt.Create(ctx, "wasi", providers.SessionSpec{}, runtime.WithManifest(m))
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Exec(ctx, providers.ExecRequest{Command: "cat v.txt"})
		if want := "version " + string(rune('0'+i)); err != nil || string(res.Stdout) != want {
			t.Fatalf("session %d: %q, want %q (%v)", i, res.Stdout, want, err)
		}
	}
}

// BenchmarkManifest100Sessions starts 100 sessions from one manifest: a
// remote archive of 1,000 files. Pinned (with its sha256), the first
// session materializes and the others start on the shared layer; unpinned,
// every session downloads and unpacks it.
func BenchmarkManifest100Sessions(b *testing.B) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := range 1000 {
		data := bytes.Repeat([]byte{'a' + byte(i%26)}, 1000)
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("src/d%d/f%d.txt", i%20, i), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	tw.Close()
	archive := buf.Bytes()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(archive) }))
	defer srv.Close()
	sum := sha256.Sum256(archive)
	for _, tc := range []struct{ name, checksum string }{
		{"pinned", `sha256 = "` + hex.EncodeToString(sum[:]) + `"`},
		{"unpinned", ""},
	} {
		m, err := manifest.Parse([]byte("[entries.src]\ntype = \"remote_dir\"\nformat = \"tar\"\nurl = \""+srv.URL+"/src.tar\"\n"+tc.checksum+"\n"), "toml")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				rt, err := runtime.New(runtime.WithWASI())
				if err != nil {
					b.Fatal(err)
				}
				for range 100 {
					s, err := rt.Create(ctx, "wasi", providers.SessionSpec{}, runtime.WithManifest(m))
					if err != nil {
						b.Fatal(err)
					}
					s.Close(ctx)
				}
				rt.Close(ctx)
			}
		})
	}
}
