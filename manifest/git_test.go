package manifest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

// gitEnv isolates git commands from the user's configuration.
func gitEnv() []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=wsbx", "GIT_AUTHOR_EMAIL=wsbx@example.com",
		"GIT_COMMITTER_NAME=wsbx", "GIT_COMMITTER_EMAIL=wsbx@example.com",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
}

// needGit returns the git binary, or skips (never in CI).
func needGit(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("git is required in CI: %v", err)
		}
		t.Skipf("skipping: the git binary is not installed (%v)", err)
	}
	return p
}

// runGit runs a git command in dir and returns its trimmed output.
func runGit(t testing.TB, dir string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// testRepo is a small repository: two commits on main, an annotated tag
// v1 on the first, a branch "feature", an executable and a symlink.
type testRepo struct {
	dir         string
	first, head string
	featureHead string
}

func makeTestRepo(t testing.TB) *testRepo {
	t.Helper()
	needGit(t)
	dir := filepath.Join(t.TempDir(), "repo")
	os.MkdirAll(dir, 0o755)
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	writeTree(t, dir, map[string]string{
		"README.md":        "v1\n",
		"cmd/tool/main.go": "package main\n",
		"docs/a.md":        "a\n",
		"docs/deep/b.md":   "b\n",
	})
	os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!/bin/sh\necho hi\n"), 0o755)
	os.Symlink("README.md", filepath.Join(dir, "link"))
	// A hook that must never run.
	os.WriteFile(filepath.Join(dir, ".git", "hooks", "post-checkout"), []byte("#!/bin/sh\ntouch /tmp/wsbx-hook-ran\n"), 0o755)
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "first")
	r := &testRepo{dir: dir, first: runGit(t, dir, nil, "rev-parse", "HEAD")}
	runGit(t, dir, nil, "tag", "-a", "v1", "-m", "release 1")
	runGit(t, dir, nil, "checkout", "-q", "-b", "feature")
	writeTree(t, dir, map[string]string{"feature.txt": "f\n"})
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "feature")
	r.featureHead = runGit(t, dir, nil, "rev-parse", "HEAD")
	runGit(t, dir, nil, "checkout", "-q", "main")
	writeTree(t, dir, map[string]string{"README.md": "v2\n"})
	runGit(t, dir, nil, "commit", "-q", "-am", "second")
	r.head = runGit(t, dir, nil, "rev-parse", "HEAD")
	return r
}

// gitServer serves the repositories under root with git's own smart-HTTP
// backend (git http-backend through CGI). It counts upload-pack fetches
// (POST) and ref advertisements (GET info/refs). When token is set it
// requires basic auth with that password.
type gitServer struct {
	*httptest.Server
	fetches, lists atomic.Int64
}

func serveGit(t testing.TB, root, token string) *gitServer {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	h := &cgi.Handler{Path: backend, Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null"}}
	gs := &gitServer{}
	gs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			if _, p, ok := r.BasicAuth(); !ok || p != token {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
			gs.fetches.Add(1)
		case strings.HasSuffix(r.URL.Path, "/info/refs"):
			gs.lists.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(gs.Close)
	return gs
}

func TestGitRepoFileAndHTTP(t *testing.T) {
	r := makeTestRepo(t)
	srv := serveGit(t, filepath.Dir(r.dir), "")
	os.Remove("/tmp/wsbx-hook-ran")
	for name, u := range map[string]string{"file": "file://" + r.dir, "http": srv.URL + "/repo"} {
		t.Run(name, func(t *testing.T) {
			cases := []struct {
				name  string
				e     Entry
				want  map[string]string
				avoid []string
			}{
				{"head", Entry{}, map[string]string{"README.md": "v2\n", "run.sh": "#!/bin/sh\necho hi\n", "link": "README.md", "docs/deep/b.md": "b\n"}, []string{"feature.txt"}},
				{"branch", Entry{Ref: "feature", Depth: 1}, map[string]string{"README.md": "v1\n", "feature.txt": "f\n"}, nil},
				{"tag", Entry{Ref: "v1"}, map[string]string{"README.md": "v1\n"}, []string{"feature.txt"}},
				{"commit", Entry{Ref: r.first}, map[string]string{"README.md": "v1\n"}, nil},
				{"short-commit", Entry{Ref: r.featureHead[:10]}, map[string]string{"feature.txt": "f\n"}, nil},
				{"subpath", Entry{Subpath: "docs"}, map[string]string{"a.md": "a\n", "deep/b.md": "b\n"}, []string{"README.md"}},
				{"sparse", Entry{Sparse: []string{"docs/deep", "run.sh"}}, map[string]string{"docs/deep/b.md": "b\n", "run.sh": "#!/bin/sh\necho hi\n"}, []string{"docs/a.md", "README.md"}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e := c.e
					e.Type, e.URL = TypeGitRepo, u
					s := newMemSession()
					if err := Materialize(context.Background(), &Manifest{Entries: map[string]Entry{"src": e}}, s); err != nil {
						t.Fatal(err)
					}
					got := s.snapshot()
					for p, want := range c.want {
						if got["src/"+p] != want {
							t.Errorf("%s = %q, want %q", p, got["src/"+p], want)
						}
					}
					for _, p := range c.avoid {
						if _, ok := got["src/"+p]; ok {
							t.Errorf("%s should not be written", p)
						}
					}
					if mode, ok := s.files["src/run.sh"]; ok && mode.mode != 0o755 {
						t.Errorf("run.sh mode %v", mode.mode)
					}
				})
			}
		})
	}
	if _, err := os.Stat("/tmp/wsbx-hook-ran"); err == nil {
		t.Error("a repository hook ran")
	}
}

func TestGitRepoErrors(t *testing.T) {
	r := makeTestRepo(t)
	srv := serveGit(t, filepath.Dir(r.dir), "")
	cases := []struct {
		name string
		e    Entry
		code providers.Code
	}{
		{"missing-ref", Entry{URL: "file://" + r.dir, Ref: "no-such-branch"}, CodeGitClone},
		{"missing-ref-http", Entry{URL: srv.URL + "/repo", Ref: "no-such-branch"}, CodeGitClone},
		{"missing-commit", Entry{URL: "file://" + r.dir, Ref: strings.Repeat("ab", 20)}, CodeGitClone},
		{"missing-repo", Entry{URL: "file://" + r.dir + "-nope"}, CodeGitClone},
		{"missing-repo-http", Entry{URL: srv.URL + "/nope"}, CodeGitClone},
		{"missing-subpath", Entry{URL: "file://" + r.dir, Subpath: "nope"}, CodeGitSubpath},
		{"subpath-is-file", Entry{URL: "file://" + r.dir, Subpath: "README.md"}, CodeGitSubpath},
		{"missing-sparse", Entry{URL: "file://" + r.dir, Sparse: []string{"nope"}}, CodeGitSubpath},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.e
			e.Type = TypeGitRepo
			s := newMemSession()
			err := Materialize(context.Background(), &Manifest{Entries: map[string]Entry{
				"src": e, "other.txt": {Type: TypeInlineFile, Content: "x"},
			}}, s, WithConcurrency(1))
			if providers.CodeOf(err) != c.code {
				t.Fatalf("err = %v, want %s", err, c.code)
			}
			if ps := s.paths(); len(ps) != 0 {
				t.Errorf("partial files: %v", ps)
			}
		})
	}
}

func TestGitRepoTokenFromEnvironment(t *testing.T) {
	r := makeTestRepo(t)
	const token = "tok-3f9a7c-secret"
	srv := serveGit(t, filepath.Dir(r.dir), token)
	e := Entry{Type: TypeGitRepo, URL: srv.URL + "/repo"}
	m := &Manifest{
		Entries:     map[string]Entry{"src": e},
		Environment: map[string]EnvValue{"GIT_TOKEN": {Value: token, Secret: true}},
	}
	s := newMemSession()
	if err := Materialize(context.Background(), m, s); err != nil {
		t.Fatal(err)
	}
	if s.snapshot()["src/README.md"] != "v2\n" {
		t.Error("not cloned")
	}
	// A wrong token fails without printing it.
	m.Environment["GIT_TOKEN"] = EnvValue{Value: "wrong-" + token, Secret: true}
	err := Materialize(context.Background(), m, newMemSession())
	if providers.CodeOf(err) != CodeGitClone {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), token) {
		t.Errorf("token in error: %v", err)
	}
}

func TestGitRepoCache(t *testing.T) {
	r := makeTestRepo(t)
	srv := serveGit(t, filepath.Dir(r.dir), "")
	cache, err := NewCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name            string
		ref             string
		lists2, fetches int64 // requests of the second materialization
	}{
		{"branch", "main", 1, 0},
		{"commit", r.first, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &Manifest{Entries: map[string]Entry{"src": {Type: TypeGitRepo, URL: srv.URL + "/repo", Ref: c.ref}}}
			s1 := newMemSession()
			if err := Materialize(context.Background(), m, s1, WithCache(cache)); err != nil {
				t.Fatal(err)
			}
			if srv.fetches.Load() == 0 {
				t.Fatal("first materialization did not fetch")
			}
			srv.fetches.Store(0)
			srv.lists.Store(0)
			s2 := newMemSession()
			if err := Materialize(context.Background(), m, s2, WithCache(cache)); err != nil {
				t.Fatal(err)
			}
			if f, l := srv.fetches.Load(), srv.lists.Load(); f != c.fetches || l != c.lists2 {
				t.Errorf("second materialization: %d fetches, %d ref lists; want %d, %d", f, l, c.fetches, c.lists2)
			}
			a, b := s1.snapshot(), s2.snapshot()
			if len(a) != len(b) {
				t.Fatalf("cached tree differs: %v vs %v", s1.paths(), s2.paths())
			}
			for k, v := range a {
				if b[k] != v {
					t.Errorf("%s: %q vs %q", k, v, b[k])
				}
			}
			if s2.files["src/run.sh"].mode != 0o755 {
				t.Errorf("cached mode %v", s2.files["src/run.sh"].mode)
			}
		})
	}
	// A new commit on the branch is seen: the ref is resolved every time.
	writeTree(t, r.dir, map[string]string{"README.md": "v3\n"})
	runGit(t, r.dir, nil, "commit", "-q", "-am", "third")
	s := newMemSession()
	m := &Manifest{Entries: map[string]Entry{"src": {Type: TypeGitRepo, URL: srv.URL + "/repo", Ref: "main"}}}
	if err := Materialize(context.Background(), m, s, WithCache(cache)); err != nil {
		t.Fatal(err)
	}
	if got := s.snapshot()["src/README.md"]; got != "v3\n" {
		t.Errorf("after a new commit README.md = %q", got)
	}
}

// repoRoot is this repository's top directory (the parent of manifest/).
func repoRoot(t testing.TB) string {
	t.Helper()
	needGit(t)
	wd, _ := os.Getwd()
	root := filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Fatalf("%s is not a git checkout: %v", root, err)
	}
	return root
}

func TestGitRepoOwnHistory(t *testing.T) {
	root := repoRoot(t)
	head := runGit(t, root, nil, "rev-parse", "HEAD")
	commits := runGit(t, root, nil, "rev-list", "--count", "HEAD")
	files := strings.Split(runGit(t, root, nil, "ls-tree", "-r", "--name-only", "HEAD"), "\n")
	t.Logf("cloning %s: %s commits, %d files", root, commits, len(files))
	s := newMemSession()
	m := &Manifest{Entries: map[string]Entry{"wsbx": {Type: TypeGitRepo, URL: "file://" + root, Ref: head}}}
	if err := Materialize(context.Background(), m, s); err != nil {
		t.Fatal(err)
	}
	got := s.snapshot()
	n := 0
	for k := range got {
		if !strings.HasSuffix(k, "/") {
			n++
		}
	}
	if n != len(files) {
		t.Errorf("wrote %d files, HEAD has %d", n, len(files))
	}
	if want := runGit(t, root, nil, "show", "HEAD:go.mod"); strings.TrimSpace(got["wsbx/go.mod"]) != want {
		t.Errorf("go.mod differs")
	}
	if want := runGit(t, root, nil, "show", "HEAD:providers/errors.go"); strings.TrimSpace(got["wsbx/providers/errors.go"]) != want {
		t.Errorf("providers/errors.go differs")
	}
}

// TestConcurrentSessionsShareCache materializes one manifest into eight
// sessions at once with one cache: the repository is fetched once and the
// archive downloaded once.
func TestConcurrentSessionsShareCache(t *testing.T) {
	r := makeTestRepo(t)
	gs := serveGit(t, filepath.Dir(r.dir), "")
	fsrv := newFileServer(t)
	m := &Manifest{Entries: map[string]Entry{
		"src":  {Type: TypeGitRepo, URL: gs.URL + "/repo", Ref: "main"},
		"data": {Type: TypeRemoteDir, URL: fsrv.put("/d.tar", tarball(t, member{name: "a.txt", body: "a"}))},
	}}
	cache, err := NewCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sessions := make([]*memSession, 8)
	errs := make([]error, 8)
	for i := range sessions {
		sessions[i] = newMemSession()
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Materialize(context.Background(), m, sessions[i], WithCache(cache))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
		if got := sessions[i].snapshot(); got["src/README.md"] != "v2\n" || got["data/a.txt"] != "a" {
			t.Errorf("session %d: %v", i, sessions[i].paths())
		}
	}
	if n := gs.fetches.Load(); n != 1 {
		t.Errorf("%d git fetches, want 1", n)
	}
	if n := fsrv.fullCount("/d.tar"); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
}
