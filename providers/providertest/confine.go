package providertest

import (
	"io"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

var confinementTests = []testCase{
	{"hostile-paths", testConfineHostilePaths},
	{"symlinks", testConfineSymlinks},
}

// fileOps runs every Session file operation on p and returns their errors by
// operation name.
func (h *harness) fileOps(s providers.Session, p string) map[string]error {
	errs := map[string]error{}
	rc, err := s.ReadFile(h.ctx, p)
	if err == nil {
		rc.Close()
	}
	errs["ReadFile"] = err
	errs["WriteFile"] = s.WriteFile(h.ctx, p, strings.NewReader("wsbx-evil"), 0)
	_, errs["List"] = s.List(h.ctx, p)
	_, errs["Stat"] = s.Stat(h.ctx, p)
	errs["Remove"] = s.Remove(h.ctx, p, true)
	errs["Mkdir"] = s.Mkdir(h.ctx, p, true)
	return errs
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
		for op, err := range h.fileOps(s, tc.path) {
			wantCode(t, op+"("+strings.ReplaceAll(tc.path, "\x00", `\x00`)+")", err, tc.code)
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
		for op, err := range h.fileOps(s, p) {
			if op == "Stat" && !strings.Contains(p, "/") {
				// Stat does not follow a final symlink: describing the link is fine.
				if err != nil {
					t.Errorf("Stat(%s), a symlink in the workspace: %v", p, err)
				}
				continue
			}
			if op == "Remove" && !strings.Contains(p, "/") {
				continue // removing the link itself is allowed; checked below
			}
			wantCode(t, op+"("+p+")", err, providers.CodePathEscape)
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
