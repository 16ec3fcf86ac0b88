package manifest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// member is one archive member for test archives.
type member struct {
	name, body, link string
	typ              byte // tar type; 0 is a regular file
	mode             int64
	size             int64 // declared size override for zip bombs (0: len(body))
}

func tarball(t testing.TB, ms ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: m.mode}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(m.body))
	}
	tw.Close()
	return b.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func zipball(t testing.TB, ms ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range ms {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		switch m.typ {
		case tar.TypeSymlink:
			h.SetMode(fs.ModeSymlink | 0o777)
			m.body = m.link
		case tar.TypeDir:
			h.SetMode(fs.ModeDir | 0o755)
		default:
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(m.body))
	}
	zw.Close()
	return b.Bytes()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fileServer serves fixed content by path, with ETag validation, and
// counts full (200) responses per path.
type fileServer struct {
	*httptest.Server
	mu      sync.Mutex
	content map[string][]byte
	full    map[string]int
	auth    atomic.Value // the last Authorization header
	slow    chan struct{}
	// slowStarted is closed when /slow is first requested.
	slowStarted chan struct{}
	slowOnce    sync.Once
}

func newFileServer(t testing.TB) *fileServer {
	fs := &fileServer{content: map[string][]byte{}, full: map[string]int{}, slow: make(chan struct{}, 1), slowStarted: make(chan struct{})}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (f *fileServer) put(p string, b []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.content[p] = b
	return f.URL + p
}

func (f *fileServer) fullCount(p string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.full[p]
}

func (f *fileServer) serve(w http.ResponseWriter, r *http.Request) {
	f.auth.Store(r.Header.Get("Authorization"))
	switch r.URL.Path {
	case "/redirect":
		http.Redirect(w, r, "/hello.txt", http.StatusFound)
		return
	case "/slow":
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		f.slowOnce.Do(func() { close(f.slowStarted) })
		select {
		case f.slow <- struct{}{}:
		default:
		}
		<-r.Context().Done()
		return
	case "/after-slow":
		// Fails once /slow is being served.
		select {
		case <-f.slowStarted:
		case <-r.Context().Done():
		}
		http.Error(w, "gone", http.StatusGone)
		return
	case "/secret.txt":
		if r.Header.Get("Authorization") != "Bearer tkn-8c1e" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
	}
	f.mu.Lock()
	b, ok := f.content[r.URL.Path]
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	etag := `"` + sha(b)[:16] + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f.mu.Lock()
	f.full[r.URL.Path]++
	f.mu.Unlock()
	w.Write(b)
}

func TestRemoteFile(t *testing.T) {
	srv := newFileServer(t)
	hello := []byte("hello, world\n")
	srv.put("/hello.txt", hello)
	srv.put("/secret.txt", []byte("classified"))
	ctx := context.Background()

	t.Run("redirect-and-checksum", func(t *testing.T) {
		s := newMemSession()
		m := &Manifest{Entries: map[string]Entry{"h.txt": {Type: TypeRemoteFile, URL: srv.URL + "/redirect", SHA256: sha(hello), Permissions: 0o600}}}
		if err := Materialize(ctx, m, s); err != nil {
			t.Fatal(err)
		}
		if got := s.snapshot()["h.txt"]; got != string(hello) {
			t.Errorf("h.txt = %q", got)
		}
		if s.files["h.txt"].mode != 0o600 {
			t.Errorf("mode %v", s.files["h.txt"].mode)
		}
	})
	t.Run("header-expansion", func(t *testing.T) {
		s := newMemSession()
		m := &Manifest{
			Entries:     map[string]Entry{"s.txt": {Type: TypeRemoteFile, URL: srv.URL + "/secret.txt", Headers: map[string]string{"Authorization": "Bearer ${API_TOKEN}"}}},
			Environment: map[string]EnvValue{"API_TOKEN": {Value: "tkn-8c1e", Secret: true}},
		}
		if err := Materialize(ctx, m, s); err != nil {
			t.Fatal(err)
		}
		if s.snapshot()["s.txt"] != "classified" {
			t.Error("not fetched with the expanded header")
		}
		// The manifest itself still holds the reference, not the value.
		if strings.Contains(Describe(m)+mustJSON(t, m), "tkn-8c1e") {
			t.Error("token leaked into Describe or JSON")
		}
		m.Environment["API_TOKEN"] = EnvValue{Value: "tkn-wrong", Secret: true}
		err := Materialize(ctx, m, newMemSession())
		if providers.CodeOf(err) != CodeRemoteFetch || strings.Contains(err.Error(), "tkn-wrong") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("lookup-env-option", func(t *testing.T) {
		s := newMemSession()
		m := &Manifest{Entries: map[string]Entry{"s.txt": {Type: TypeRemoteFile, URL: srv.URL + "/secret.txt",
			Headers: map[string]string{"Authorization": "Bearer ${VAULT_TOKEN}"}}}}
		lookup := func(name string) (string, bool) {
			if name == "VAULT_TOKEN" {
				return "tkn-8c1e", true
			}
			return "", false
		}
		if err := Materialize(ctx, m, s, WithLookupEnv(lookup)); err != nil {
			t.Fatal(err)
		}
		if s.snapshot()["s.txt"] != "classified" {
			t.Error("header not expanded through WithLookupEnv")
		}
	})
	t.Run("404", func(t *testing.T) {
		err := Materialize(ctx, &Manifest{Entries: map[string]Entry{"x": {Type: TypeRemoteFile, URL: srv.URL + "/nope?token=abc"}}}, newMemSession())
		if providers.CodeOf(err) != CodeRemoteFetch || !strings.Contains(err.Error(), "404") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "token=abc") {
			t.Errorf("query printed: %v", err)
		}
	})
	t.Run("slow-server-cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() { <-srv.slow; cancel() }()
		s := newMemSession()
		err := Materialize(ctx, &Manifest{Entries: map[string]Entry{
			"slow": {Type: TypeRemoteFile, URL: srv.URL + "/slow"},
			"ok":   {Type: TypeInlineFile, Content: "ok"},
		}}, s)
		if providers.CodeOf(err) != CodeRemoteFetch || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if ps := s.paths(); len(ps) != 0 {
			t.Errorf("partial: %v", ps)
		}
	})
	t.Run("cache", func(t *testing.T) {
		cache, err := NewCache(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		data := []byte("cached content")
		byURL := srv.put("/etag.txt", data)
		data2 := []byte("content addressed")
		bySum := srv.put("/sum.txt", data2)
		m := &Manifest{Entries: map[string]Entry{
			"a": {Type: TypeRemoteFile, URL: byURL},
			"b": {Type: TypeRemoteFile, URL: bySum, SHA256: sha(data2)},
		}}
		for range 3 {
			s := newMemSession()
			if err := Materialize(ctx, m, s, WithCache(cache)); err != nil {
				t.Fatal(err)
			}
			if s.snapshot()["a"] != string(data) || s.snapshot()["b"] != string(data2) {
				t.Fatalf("content: %v", s.snapshot())
			}
		}
		if n := srv.fullCount("/etag.txt"); n != 1 {
			t.Errorf("/etag.txt downloaded %d times", n)
		}
		if n := srv.fullCount("/sum.txt"); n != 1 {
			t.Errorf("/sum.txt downloaded %d times", n)
		}
		// Changed content is seen: its ETag changes.
		srv.put("/etag.txt", []byte("new content"))
		s := newMemSession()
		if err := Materialize(ctx, &Manifest{Entries: map[string]Entry{"a": {Type: TypeRemoteFile, URL: byURL}}}, s, WithCache(cache)); err != nil {
			t.Fatal(err)
		}
		if s.snapshot()["a"] != "new content" {
			t.Errorf("stale: %q", s.snapshot()["a"])
		}
	})
}

func TestRemoteDir(t *testing.T) {
	srv := newFileServer(t)
	ms := []member{
		{name: "./pkg/", typ: tar.TypeDir},
		{name: "./pkg/a.txt", body: "A"},
		{name: "pkg/bin/tool", body: "#!/bin/sh\n", mode: 0o755},
		{name: "pkg/link", typ: tar.TypeSymlink, link: "a.txt"},
		{name: "pkg/hard", typ: tar.TypeLink, link: "pkg/a.txt"},
		{name: "pkg/dirlink", typ: tar.TypeSymlink, link: "bin"},
		{name: "empty/", typ: tar.TypeDir},
	}
	tarData := tarball(t, ms...)
	for name, u := range map[string]string{
		"tar":        srv.put("/a.tar", tarData),
		"tar.gz":     srv.put("/a.tar.gz", gz(t, tarData)),
		"zip":        srv.put("/a.zip", zipball(t, ms[:4]...)),
		"sniff-gzip": srv.put("/download", gz(t, tarData)) + "?id=1",
	} {
		t.Run(name, func(t *testing.T) {
			s := newMemSession()
			var last Progress
			err := Materialize(context.Background(), &Manifest{Entries: map[string]Entry{"d": {Type: TypeRemoteDir, URL: u}}}, s,
				WithProgress(func(p Progress) { last = p }))
			if err != nil {
				t.Fatal(err)
			}
			got := s.snapshot()
			want := map[string]string{"d/pkg/a.txt": "A", "d/pkg/bin/tool": "#!/bin/sh\n", "d/pkg/link": "A"}
			if name != "zip" {
				want["d/pkg/hard"] = "A"
				want["d/empty/"] = ""
			}
			for k, v := range want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s = %q (%v), want %q", k, g, ok, v)
				}
			}
			if _, ok := got["d/pkg/dirlink"]; ok {
				t.Error("a link to a directory was written")
			}
			if name != "zip" && s.files["d/pkg/bin/tool"].mode != 0o755 {
				t.Errorf("mode %v", s.files["d/pkg/bin/tool"].mode)
			}
			if !last.Finished || last.Entry != "d" || last.Done == 0 {
				t.Errorf("last progress %+v", last)
			}
		})
	}
}

func TestMaterializeWritesConcurrently(t *testing.T) {
	// Every entry blocks in its first write until four are in flight: with
	// a concurrency of 4 this finishes; run serially it would not.
	srv := newFileServer(t)
	var inFlight atomic.Int64
	release := make(chan struct{})
	var once sync.Once
	s := newMemSession()
	s.failWrite = nil
	blocking := &blockingSession{memSession: s, enter: func() {
		if inFlight.Add(1) == 4 {
			once.Do(func() { close(release) })
		}
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
	}}
	entries := map[string]Entry{}
	for _, n := range []string{"a", "b", "c", "d"} {
		entries[n] = Entry{Type: TypeRemoteFile, URL: srv.put("/"+n, []byte(n))}
	}
	if err := Materialize(context.Background(), &Manifest{Entries: entries}, blocking, WithConcurrency(4)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-release:
	default:
		t.Fatal("entries did not run concurrently")
	}
}

// blockingSession calls enter before each WriteFile.
type blockingSession struct {
	*memSession
	enter func()
}

func (b *blockingSession) WriteFile(ctx context.Context, p string, r io.Reader, mode fs.FileMode) error {
	b.enter()
	return b.memSession.WriteFile(ctx, p, r, mode)
}

// TestFailureCancelsOtherEntries: one entry fails while another is
// blocked in a download that only ends when its request is cancelled.
func TestFailureCancelsOtherEntries(t *testing.T) {
	srv := newFileServer(t)
	s := newMemSession()
	err := Materialize(context.Background(), &Manifest{Entries: map[string]Entry{
		"a-slow": {Type: TypeRemoteFile, URL: srv.URL + "/slow"},
		"b-fail": {Type: TypeRemoteFile, URL: srv.URL + "/after-slow"},
		"c-ok":   {Type: TypeInlineFile, Content: "ok"},
	}}, s, WithConcurrency(3))
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Code != CodeRemoteFetch || pe.Target != "b-fail" {
		t.Fatalf("err = %v, want remote_fetch_error for b-fail", err)
	}
	if !strings.Contains(err.Error(), "410") {
		t.Errorf("err = %v", err)
	}
	if ps := s.paths(); len(ps) != 0 {
		t.Errorf("partial: %v", ps)
	}
}
