package manifest

import (
	"context"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

// TestMaterializeIntoWasiSession writes every kind of entry into a real
// in-process session and reads it back with the session's own commands.
func TestMaterializeIntoWasiSession(t *testing.T) {
	ctx := context.Background()
	repo := makeTestRepo(t)
	srv := newFileServer(t)
	base := t.TempDir()
	writeTree(t, base, map[string]string{"lib/a.txt": "local a\n", "lib/b/c.txt": "local c\n"})

	m, err := Parse([]byte(`
[environment]
GREETING = "hello"

[entries."README.md"]
type = "inline_file"
content = "inline\n"

[entries."bin/hi"]
type = "file"
content = "echo hi\n"
permissions = "0755"

[entries.lib]
type = "local_dir"
src = "`+base+`/lib"

[entries.repo]
type = "git_repo"
url = "file://`+repo.dir+`"
ref = "v1"

[entries.data]
type = "remote_dir"
url = "`+srv.put("/d.tar.gz", gz(t, tarball(t, member{name: "x/y.txt", body: "remote y\n"})))+`"
`), "toml")
	if err != nil {
		t.Fatal(err)
	}
	p := wasi.New()
	s, err := p.Create(ctx, providers.SessionSpec{Root: m.RootOrDefault(), Env: m.Env()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := Materialize(ctx, m, s); err != nil {
		t.Fatal(err)
	}
	res, err := s.Exec(ctx, providers.ExecRequest{Command: "cat README.md lib/a.txt lib/b/c.txt repo/README.md data/x/y.txt && echo $GREETING && sh bin/hi"})
	if err != nil {
		t.Fatal(err)
	}
	want := "inline\nlocal a\nlocal c\nv1\nremote y\nhello\nhi\n"
	if string(res.Stdout) != want || res.ExitCode != 0 {
		t.Errorf("stdout %q (exit %d, stderr %q), want %q", res.Stdout, res.ExitCode, res.Stderr, want)
	}
	fi, err := s.Stat(ctx, "bin/hi")
	if err != nil || fi.Mode.Perm() != 0o755 {
		t.Errorf("bin/hi: %v %v", fi.Mode, err)
	}

	// A failing manifest leaves a fresh session empty.
	s2, err := p.Create(ctx, providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(ctx)
	m.Entries["bad"] = Entry{Type: TypeGitRepo, URL: "file://" + repo.dir, Ref: "no-such-ref"}
	err = Materialize(ctx, m, s2)
	if providers.CodeOf(err) != CodeGitClone {
		t.Fatalf("err = %v", err)
	}
	list, err := s2.List(ctx, ".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fi := range list {
		names = append(names, fi.Name)
	}
	if len(names) != 0 {
		t.Errorf("left in the session: %s", strings.Join(names, " "))
	}
}
