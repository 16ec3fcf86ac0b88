package providers

import (
	"errors"
	"io/fs"
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

func TestUnixMode(t *testing.T) {
	tests := []struct {
		m fs.FileMode
		u uint32
	}{
		{0o644, 0o644},
		{0o755 | fs.ModeSetuid, 0o4755},
		{0o750 | fs.ModeSetgid, 0o2750},
		{0o777 | fs.ModeSticky, 0o1777},
		{0o700 | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky, 0o7700},
	}
	for _, tt := range tests {
		if got := UnixMode(tt.m | fs.ModeDir); got != tt.u {
			t.Errorf("UnixMode(%v) = %o, want %o", tt.m, got, tt.u)
		}
		if got := ModeFromUnix(tt.u); got != tt.m {
			t.Errorf("ModeFromUnix(%o) = %v, want %v", tt.u, got, tt.m)
		}
	}
}
