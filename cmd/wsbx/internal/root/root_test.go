package root

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func wsbx(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, IO{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestRun(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "f.txt"), []byte("from the host\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		stdin          string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"shell", "", []string{"run", "--", "echo hi; echo err >&2; exit 3"}, 3, "hi\n", "err\n"},
		{"argv", "", []string{"run", "--", "echo", "a  b", "$HOME", "*"}, 0, "a  b $HOME *\n", ""},
		{"stdin", "typed\n", []string{"run", "--", "read x; echo got $x"}, 0, "got typed\n", ""},
		{"dir", "", []string{"run", "--dir", dir, "--", "read x < sub/f.txt; echo $x; pwd; [ -e link ] || echo no-link"}, 0,
			"from the host\n/workspace\nno-link\n", "wsbx run: --dir: skipping " + filepath.Join(dir, "link") + " (L---------)\n"},
		{"not found", "", []string{"run", "--", "nope"}, 127, "", "nope: command not found\n"},
		{"timeout", "", []string{"run", "--timeout", "50ms", "--", "while :; do :; done"}, 124, "", "wsbx run: exec: exec_timeout: context deadline exceeded\n"},
		{"missing command", "", []string{"run"}, 2, "", "wsbx run: missing command after --\n"},
		{"bad dir", "", []string{"run", "--dir", filepath.Join(dir, "absent"), "--", "true"}, 1, "", ""},
		{"unknown provider", "", []string{"run", "--provider", "nope", "--", "true"}, 1, "", ""},
		{"unknown command", "", []string{"frob"}, 2, "", ""},
		{"no args", "", nil, 2, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := wsbx(t, tt.stdin, tt.args...)
			if code != tt.code || stdout != tt.stdout || (tt.stderr != "" && stderr != tt.stderr) {
				t.Errorf("wsbx %q: exit %d stdout %q stderr %q; want exit %d stdout %q stderr %q", tt.args, code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
	// The host directory is untouched by the sandbox.
	code, _, _ := wsbx(t, "", "run", "--dir", dir, "--", "echo changed > sub/f.txt")
	if data, err := os.ReadFile(filepath.Join(dir, "sub", "f.txt")); code != 0 || err != nil || string(data) != "from the host\n" {
		t.Errorf("host file after the run: %q %v (exit %d)", data, err, code)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		code, stdout, _ := wsbx(t, "", args...)
		if code != 0 || !strings.Contains(stdout, "wsbx run [--provider wasi|docker]") || !strings.Contains(stdout, "wsbx manifest check") {
			t.Errorf("%q: exit %d, stdout %q", args, code, stdout)
		}
	}
	code, _, stderr := wsbx(t, "", "run", "--help")
	if code != 0 || !strings.Contains(stderr, "-dir") {
		t.Errorf("run --help: exit %d, stderr %q", code, stderr)
	}
	code, stdout, _ := wsbx(t, "", "version")
	if code != 0 || !strings.HasPrefix(stdout, "wsbx ") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}

func TestManifestAndPluginCommands(t *testing.T) {
	dir := t.TempDir()
	mf := filepath.Join(dir, "m.toml")
	os.WriteFile(mf, []byte("[entries.\"hello.txt\"]\ntype = \"file\"\ncontent = \"hello from the manifest\\n\"\n"), 0o644)
	code, stdout, stderr := wsbx(t, "", "manifest", "check", mf)
	if code != 0 || !strings.Contains(stdout, "hello.txt") {
		t.Errorf("manifest check: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = wsbx(t, "", "run", "-m", mf, "--", "cat hello.txt")
	if code != 0 || stdout != "hello from the manifest\n" || !strings.Contains(stderr, "hello.txt") {
		t.Errorf("run -m: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	os.WriteFile(mf, []byte("[entries.\"../x\"]\ntype = \"file\"\n"), 0o644)
	if code, _, stderr := wsbx(t, "", "manifest", "check", mf); code != 1 || !strings.Contains(stderr, "invalid_manifest_path") {
		t.Errorf("bad manifest: exit %d stderr %q", code, stderr)
	}
	wasm := filepath.Join("..", "..", "..", "..", "testdata", "plugins", "c-read-only.wasm")
	code, stdout, _ = wsbx(t, "", "plugin", "inspect", wasm)
	if code != 0 || !strings.Contains(stdout, "read-only") {
		t.Errorf("plugin inspect: exit %d stdout %q", code, stdout)
	}
	if code, _, _ := wsbx(t, "", "plugin", "frob"); code != 2 {
		t.Errorf("plugin frob: exit %d", code)
	}
}
