package providers

import (
	"errors"
	"path"
	"strings"
	"testing"
)

func TestWorkspacePath(t *testing.T) {
	long := strings.Repeat("a", MaxNameBytes+1)
	tests := []struct {
		root, in string
		want     string
		code     Code
	}{
		{"", "a/b", "a/b", ""},
		{"", "./a//b/", "a/b", ""},
		{"", ".", ".", ""},
		{"", "a/../b", "b", ""},
		{"", "/workspace", ".", ""},
		{"", "/workspace/x/y", "x/y", ""},
		{"/workspace", "/workspace/../workspace/x", "x", ""},
		{"/", "/etc/passwd", "etc/passwd", ""},
		{"", "/workspacex/y", "", CodePathEscape},
		{"", "/etc/passwd", "", CodePathEscape},
		{"", "..", "", CodePathEscape},
		{"", "../../etc/shadow", "", CodePathEscape},
		{"", "a/../../b", "", CodePathEscape},
		{"", "/workspace/../etc", "", CodePathEscape},
		{"", "", "", CodeInvalidPath},
		{"", "a\x00b", "", CodeInvalidPath},
		{"", long, "", CodeInvalidPath},
		{"", strings.Repeat("a/", MaxPathBytes), "", CodeInvalidPath},
	}
	for _, tt := range tests {
		got, err := WorkspacePath(tt.root, tt.in)
		if tt.code != "" {
			if !errors.Is(err, &Error{Code: tt.code}) {
				t.Errorf("WorkspacePath(%q, %q) error = %v, want code %s", tt.root, tt.in, err, tt.code)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("WorkspacePath(%q, %q) = %q, %v; want %q", tt.root, tt.in, got, err, tt.want)
		}
	}
}

// FuzzWorkspacePath checks the property that matters: an accepted path,
// joined to the root, never leaves the root.
func FuzzWorkspacePath(f *testing.F) {
	for _, s := range []string{"a", "../x", "/workspace/../..", "a/./b/../../..", "/", "\x00", "//workspace//a"} {
		f.Add("/workspace", s)
	}
	f.Add("/", "../../etc")
	f.Fuzz(func(t *testing.T, root, p string) {
		if !path.IsAbs(root) {
			root = "/" + root
		}
		rel, err := WorkspacePath(root, p)
		if err != nil {
			if CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if strings.IndexByte(rel, 0) >= 0 || path.IsAbs(rel) {
			t.Fatalf("WorkspacePath(%q, %q) = %q", root, p, rel)
		}
		r := path.Clean(root)
		joined := path.Join(r, rel)
		if joined != r && !strings.HasPrefix(joined, strings.TrimSuffix(r, "/")+"/") {
			t.Fatalf("WorkspacePath(%q, %q) = %q escapes to %q", root, p, rel, joined)
		}
	})
}
