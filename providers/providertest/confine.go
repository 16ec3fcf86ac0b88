package providertest

import (
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

var confinementTests = []testCase{
	{"hostile-paths", testConfineHostilePaths},
	{"symlinks", testConfineSymlinks},
}

// opResult is the error of one file operation.
type opResult struct {
	op  string
	err error
}

// fileOps runs the Session file operations on p in a fixed order and
// returns their errors. With final set, p names a symlink in the workspace
// itself: Stat and Remove act on the link, so they are left out.
func (h *harness) fileOps(s providers.Session, p string, final bool) []opResult {
	var out []opResult
	rc, err := s.ReadFile(h.ctx, p)
	if err == nil {
		rc.Close()
	}
	out = append(out, opResult{"ReadFile", err})
	out = append(out, opResult{"WriteFile", s.WriteFile(h.ctx, p, strings.NewReader("wsbx-evil"), 0)})
	_, err = s.List(h.ctx, p)
	out = append(out, opResult{"List", err})
	out = append(out, opResult{"Mkdir", s.Mkdir(h.ctx, p, true)})
	if !final {
		_, err = s.Stat(h.ctx, p)
		out = append(out, opResult{"Stat", err})
		out = append(out, opResult{"Remove", s.Remove(h.ctx, p, true)})
	}
	return out
}

func testConfineHostilePaths(t *testing.T, h *harness) {
	spec := h.spec()
	root := spec.RootOrDefault()
	s := h.sessionWith(t, spec)
	h.write(t, s, "sub/keep", "keep")
	for _, tc := range []struct {
		path string
		code providers.Code
	}{
		{"../../etc/shadow", providers.CodePathEscape},
		{"../../etc/passwd", providers.CodePathEscape},
		{"..", providers.CodePathEscape},
		{"/etc/passwd", providers.CodePathEscape},
		{"/", providers.CodePathEscape},
		{"/tmp/wsbx-evil", providers.CodePathEscape},
		{"sub/../../wsbx-evil", providers.CodePathEscape},
		{root + "/../wsbx-evil", providers.CodePathEscape},
		{root + "x/wsbx-evil", providers.CodePathEscape},
		{"a\x00b", providers.CodeInvalidPath},
		{"sub/keep\x00/../x", providers.CodeInvalidPath},
		{"", providers.CodeInvalidPath},
		{strings.Repeat("n", 300), providers.CodeInvalidPath},
	} {
		for _, r := range h.fileOps(s, tc.path, false) {
			wantCode(t, r.op+"("+strings.ReplaceAll(tc.path, "\x00", `\x00`)+")", r.err, tc.code)
		}
	}
	if got := h.read(t, s, "sub/keep"); got != "keep" {
		t.Errorf("sub/keep changed to %q", got)
	}
	if code := h.exitCode(t, s, "test -e /tmp/wsbx-evil || test -e "+root+"x || test -e "+root+"/../wsbx-evil"); code == 0 {
		t.Error("a hostile path created a file outside the workspace")
	}
}

// testConfineSymlinks makes symlinks that point out of the workspace with
// exec, then checks that no file operation follows them out.
func testConfineSymlinks(t *testing.T, h *harness) {
	spec := h.spec()
	root := spec.RootOrDefault()
	s := h.sessionWith(t, spec)
	const outside = "/tmp/wsbx-outside"
	h.sh(t, s, "mkdir -p "+outside+"/dir && echo secret > "+outside+"/secret && "+
		"ln -s /etc etc && ln -s "+outside+" out && ln -s ../../../../../.. up && "+
		"ln -s up up2 && ln -s "+outside+"/secret sec && mkdir -p deep/er && ln -s ../../.. deep/er/esc")
	h.write(t, s, "inside.txt", "inside")
	h.sh(t, s, "ln -s inside.txt rel-in && ln -s "+root+"/inside.txt abs-in && mkdir d && ln -s ../inside.txt d/up-in")

	for _, p := range []string{
		"etc/passwd", "etc/shadow", "etc",
		"out/secret", "out", "out/dir", "out/dir/new/deeper", "out/wsbx-new",
		"up/etc/passwd", "up" + outside + "/secret", "up",
		"up2" + outside + "/secret",
		"sec",
		"deep/er/esc" + outside + "/secret",
	} {
		final := !strings.Contains(p, "/")
		for _, r := range h.fileOps(s, p, final) {
			wantCode(t, r.op+"("+p+")", r.err, providers.CodePathEscape)
		}
		if final {
			// Stat does not follow a final symlink: describing the link is fine.
			if fi, err := s.Stat(h.ctx, p); err != nil || fi.Mode&fs.ModeSymlink == 0 {
				t.Errorf("Stat(%s), a symlink in the workspace = %+v, %v", p, fi, err)
			}
		}
	}
	// Nothing outside changed.
	if got := h.sh(t, s, "cat "+outside+"/secret; ls "+outside); got != "secret\ndir\nsecret\n" {
		t.Errorf("outside the workspace now holds %q", got)
	}
	// Symlinks that stay inside the workspace work.
	for _, p := range []string{"rel-in", "abs-in", "d/up-in"} {
		if got := h.read(t, s, p); got != "inside" {
			t.Errorf("ReadFile(%s) = %q, want %q", p, got, "inside")
		}
	}
	// Removing an escaping link removes the link only.
	if err := s.Remove(h.ctx, "out", false); err != nil {
		t.Errorf("Remove of the link itself: %v", err)
	}
	if got := h.sh(t, s, "cat "+outside+"/secret"); got != "secret\n" {
		t.Errorf("removing the link changed its target: %q", got)
	}
	rc, err := s.ReadFile(h.ctx, "inside.txt")
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "inside" {
		t.Errorf("inside.txt = %q", b)
	}
}
