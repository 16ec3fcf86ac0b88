package docker

import (
	"path"
	"strings"
	"testing"
)

func TestCleanMember(t *testing.T) {
	for _, tc := range []struct{ in, want, refused string }{
		{in: "a.txt", want: "a.txt"},
		{in: "./a/b/", want: "a/b"},
		{in: "a//b/./c", want: "a/b/c"},
		{in: "./", want: "."},
		{in: "../x", refused: `".." in name`},
		{in: "a/../../x", refused: `".." in name`},
		{in: "a/..", refused: `".." in name`},
		{in: "/etc/passwd", refused: "absolute name"},
		{in: "a\x00b", refused: "NUL byte in name"},
		{in: strings.Repeat("n", 256), refused: "name too long"},
	} {
		got, msg := cleanMember(tc.in)
		if got != tc.want || msg != tc.refused {
			t.Errorf("cleanMember(%q) = %q, %q; want %q, %q", tc.in, got, msg, tc.want, tc.refused)
		}
	}
}

// FuzzCleanMember hunts for a member name that is accepted but could leave
// the workspace root.
func FuzzCleanMember(f *testing.F) {
	for _, s := range []string{"a", "./a/b/", "../a", "a/../../b", "/abs", "a\x00", "...", "a/.../b", ".//..//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, msg := cleanMember(name)
		if msg != "" {
			if got != "" {
				t.Fatalf("refused %q but returned %q", name, got)
			}
			return
		}
		if got == "." {
			return
		}
		if got == "" || strings.HasPrefix(got, "/") || strings.IndexByte(got, 0) >= 0 || path.Clean(got) != got {
			t.Fatalf("cleanMember(%q) = %q: not a clean relative name", name, got)
		}
		if got == ".." || strings.HasPrefix(got, "../") {
			t.Fatalf("cleanMember(%q) = %q leaves the root", name, got)
		}
		if path.Clean("/root/"+got) != "/root/"+got || !within("/root", path.Join("/root", got)) {
			t.Fatalf("cleanMember(%q) = %q leaves the root", name, got)
		}
	})
}

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		p    string
		want bool
	}{{"/workspace", true}, {"/workspace/a", true}, {"/workspacex", false}, {"/", false}, {"/etc", false}} {
		if got := within("/workspace", tc.p); got != tc.want {
			t.Errorf("within(/workspace, %q) = %v", tc.p, got)
		}
	}
}

func TestEnvList(t *testing.T) {
	got := envList(map[string]string{"B": "1", "A": "x", execIDVar: "forged"}, map[string]string{"B": "2"})
	if strings.Join(got, ",") != "A=x,B=2" {
		t.Errorf("envList = %v", got)
	}
}
