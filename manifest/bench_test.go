package manifest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// makeLocalTree writes n files of about 100 bytes into 100 directories.
func makeLocalTree(b testing.TB, n int) string {
	dir := b.TempDir()
	for i := range 100 {
		os.MkdirAll(filepath.Join(dir, fmt.Sprintf("d%03d", i)), 0o755)
	}
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("d%03d", i%100), fmt.Sprintf("f%05d.txt", i))
		if err := os.WriteFile(p, bytes.Repeat([]byte{byte('a' + i%26)}, 100), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkLocalDir10000 materializes a local_dir of 10,000 files.
func BenchmarkLocalDir10000(b *testing.B) {
	src := makeLocalTree(b, 10_000)
	m := &Manifest{Entries: map[string]Entry{"tree": {Type: TypeLocalDir, Src: src}}}
	b.ResetTimer()
	for b.Loop() {
		s := newMemSession()
		if err := Materialize(context.Background(), m, s); err != nil {
			b.Fatal(err)
		}
		if s.writes != 10_000 {
			b.Fatalf("%d files written", s.writes)
		}
	}
	b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "files/s")
}

// makeBigRepo builds a repository of 5,000 files and 200 commits with git
// fast-import: the first commit adds every file, each later one changes 25.
func makeBigRepo(b testing.TB) string {
	needGit(b)
	dir := filepath.Join(b.TempDir(), "big")
	os.MkdirAll(dir, 0o755)
	runGit(b, dir, nil, "init", "-q", "-b", "main")
	var s bytes.Buffer
	mark := 0
	blob := func(content string) int {
		mark++
		fmt.Fprintf(&s, "blob\nmark :%d\ndata %d\n%s\n", mark, len(content), content)
		return mark
	}
	path := func(i int) string { return fmt.Sprintf("pkg%02d/sub%d/file%04d.go", i%50, i%7, i) }
	body := func(i, rev int) string {
		return fmt.Sprintf("package pkg%02d\n\n// File %d, revision %d.\nfunc F%d() int { return %d }\n", i%50, i, rev, i, i*rev)
	}
	for c := range 200 {
		type change struct {
			path string
			mark int
		}
		var changes []change
		if c == 0 {
			for i := range 5000 {
				changes = append(changes, change{path(i), blob(body(i, 0))})
			}
		} else {
			for k := range 25 {
				i := (c*25 + k) % 5000
				changes = append(changes, change{path(i), blob(body(i, c))})
			}
		}
		msg := fmt.Sprintf("commit %d", c)
		fmt.Fprintf(&s, "commit refs/heads/main\ncommitter wsbx <wsbx@example.com> %d +0000\ndata %d\n%s\n", 1767225600+c*60, len(msg), msg)
		for _, ch := range changes {
			fmt.Fprintf(&s, "M 100644 :%d %s\n", ch.mark, ch.path)
		}
		s.WriteString("\n")
	}
	runGit(b, dir, s.Bytes(), "fast-import", "--quiet")
	runGit(b, dir, nil, "repack", "-adq")
	return dir
}

// BenchmarkGitRepo materializes a git_repo of 5,000 files and 200 commits:
// "first" clones every time (a fresh cache each time), "cached" reuses a
// warm cache (ls-remote plus the cached tree).
func BenchmarkGitRepo(b *testing.B) {
	repo := makeBigRepo(b)
	m := &Manifest{Entries: map[string]Entry{"src": {Type: TypeGitRepo, URL: "file://" + repo, Ref: "main"}}}
	ctx := context.Background()
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			cache, err := NewCache(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			s := newMemSession()
			if err := Materialize(ctx, m, s, WithCache(cache)); err != nil {
				b.Fatal(err)
			}
			if s.writes != 5000 {
				b.Fatalf("%d files", s.writes)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		cache, err := NewCache(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if err := Materialize(ctx, m, newMemSession(), WithCache(cache)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			s := newMemSession()
			if err := Materialize(ctx, m, s, WithCache(cache)); err != nil {
				b.Fatal(err)
			}
			if s.writes != 5000 {
				b.Fatalf("%d files", s.writes)
			}
		}
	})
}

// BenchmarkGitRepoCacheSpeedup reports how many times faster later
// materializations of the 5,000-file repository are than the first:
// "speedup" with the same Cache value (trees kept in memory), and
// "disk-speedup" with a new Cache on the same directory (as a new process
// would see it: the tree is read from the directory).
func BenchmarkGitRepoCacheSpeedup(b *testing.B) {
	repo := makeBigRepo(b)
	m := &Manifest{Entries: map[string]Entry{"src": {Type: TypeGitRepo, URL: "file://" + repo, Ref: "main"}}}
	ctx := context.Background()
	run := func(c *Cache) time.Duration {
		t0 := time.Now()
		s := newMemSession()
		if err := Materialize(ctx, m, s, WithCache(c)); err != nil {
			b.Fatal(err)
		}
		if s.writes != 5000 {
			b.Fatalf("%d files", s.writes)
		}
		return time.Since(t0)
	}
	const k = 5
	var first, cached, disk time.Duration
	n := 0
	for b.Loop() {
		dir := b.TempDir()
		cache, err := NewCache(dir)
		if err != nil {
			b.Fatal(err)
		}
		first += run(cache)
		for range k {
			cached += run(cache)
			fresh, err := NewCache(dir)
			if err != nil {
				b.Fatal(err)
			}
			disk += run(fresh)
		}
		n++
	}
	ms := func(d time.Duration, runs int) float64 { return float64(d) / float64(runs) / 1e6 }
	b.ReportMetric(ms(first, n), "first-ms")
	b.ReportMetric(ms(cached, k*n), "cached-ms")
	b.ReportMetric(ms(disk, k*n), "disk-ms")
	b.ReportMetric(ms(first, n)/ms(cached, k*n), "speedup")
	b.ReportMetric(ms(first, n)/ms(disk, k*n), "disk-speedup")
}

// BenchmarkSameManifest100Sessions materializes one manifest (a git_repo
// of 5,000 files, a local_dir of 1,000 files, a remote archive and an
// inline file) into 100 sessions, four at a time, with one shared cache.
// One op is all 100 sessions.
func BenchmarkSameManifest100Sessions(b *testing.B) {
	repo := makeBigRepo(b)
	local := makeLocalTree(b, 1000)
	srv := newFileServer(b)
	var ms []member
	for i := range 200 {
		ms = append(ms, member{name: fmt.Sprintf("data/%03d.txt", i), body: fmt.Sprintf("row %d\n", i)})
	}
	archive := gz(b, tarball(b, ms...))
	m := &Manifest{Entries: map[string]Entry{
		"src":       {Type: TypeGitRepo, URL: "file://" + repo, Ref: "main"},
		"local":     {Type: TypeLocalDir, Src: local},
		"data":      {Type: TypeRemoteDir, URL: srv.put("/data.tar.gz", archive), SHA256: sha(archive)},
		"README.md": {Type: TypeInlineFile, Content: "hello\n"},
	}}
	ctx := context.Background()
	cache, err := NewCache(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		errs := make(chan error, 100)
		for range 100 {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				s := newMemSession()
				if err := Materialize(ctx, m, s, WithCache(cache)); err != nil {
					errs <- err
				} else if s.writes != 5000+1000+200+1 {
					errs <- fmt.Errorf("%d files", s.writes)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*100), "ms/session")
}
