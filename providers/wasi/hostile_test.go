package wasi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
)

// TestHostileCommandsNeverReachTheHost plants a canary file on the host and
// runs commands that try to read, list, overwrite or link to it, or to other
// host files, by relative, absolute and symlinked paths.
func TestHostileCommandsNeverReachTheHost(t *testing.T) {
	ctx := context.Background()
	hostDir := t.TempDir()
	const secret = "canary-7f3a9c"
	canary := filepath.Join(hostDir, "canary.txt")
	if err := os.WriteFile(canary, []byte(secret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(hostDir, "created-by-sandbox")

	p := New()
	s, err := p.create(newTestFS(), providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	linker := s.fs.(afero.Symlinker)
	for target, link := range map[string]string{
		"/etc":                           "/workspace/etc",
		canary:                           "/workspace/canary-link",
		"../../../../../../../" + canary: "/workspace/rel-link",
		hostDir:                          "/workspace/dir-link",
	} {
		if err := linker.SymlinkIfPossible(target, link); err != nil {
			t.Fatalf("symlink %s: %v", link, err)
		}
	}
	up := strings.Repeat("../", 12)
	commands := []string{
		"cat " + canary,
		"cat " + up + canary,
		"read x < " + canary + "; echo $x",
		"read x < " + up + canary + "; echo $x",
		"echo $(< " + canary + ")",
		"source " + canary,
		". " + canary,
		"cd /..; ls; cd " + hostDir + " && read x < canary.txt; echo $x",
		"cd " + up + "; pwd; read x < " + canary[1:] + "; echo $x",
		"read x < etc/passwd; echo $x",
		"read x < /etc/passwd; echo $x",
		"cat etc/passwd /etc/hostname /proc/self/environ",
		"read x < canary-link; echo $x",
		"read x < rel-link; echo $x",
		"read x < dir-link/canary.txt; echo $x",
		"echo pwned > " + canary,
		"echo pwned >> " + canary,
		"echo pwned > canary-link; echo pwned > dir-link/canary.txt",
		"echo pwned > " + fresh,
		"echo pwned > " + up + fresh,
		"echo *; echo " + hostDir + "/*; echo /etc/*",
		hostDir + "/canary.txt",
		"command -v " + canary + "; type " + canary,
		"cat <(cat " + canary + ")",
	}
	for _, cmd := range commands {
		res, err := s.Exec(ctx, providers.ExecRequest{Command: cmd})
		if err != nil {
			t.Fatalf("%q: %v", cmd, err)
		}
		out := string(res.Stdout) + string(res.Stderr)
		if strings.Contains(out, secret) || strings.Contains(out, "root:x:0") {
			t.Errorf("%q revealed a host file: %q", cmd, out)
		}
	}
	for _, p := range []string{"canary-link", "rel-link", "dir-link/canary.txt", "etc/passwd"} {
		rc, err := s.ReadFile(ctx, p)
		if err == nil {
			rc.Close()
			t.Errorf("ReadFile(%q) succeeded", p)
		} else if !errors.Is(err, providers.ErrPathEscape) && !errors.Is(err, providers.ErrNotFound) {
			t.Errorf("ReadFile(%q): %v", p, err)
		}
	}
	if err := s.WriteFile(ctx, "canary-link", strings.NewReader("pwned"), 0); !errors.Is(err, providers.ErrPathEscape) {
		t.Errorf("WriteFile through a link out of the root: %v", err)
	}
	if data, err := os.ReadFile(canary); err != nil || string(data) != secret+"\n" {
		t.Errorf("canary changed: %q %v", data, err)
	}
	entries, err := os.ReadDir(hostDir)
	if err != nil || len(entries) != 1 {
		t.Errorf("host dir changed: %v %v", entries, err)
	}
}
