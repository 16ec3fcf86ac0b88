package wasi

import (
	"path"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
)

// FuzzResolve checks the property of the session path resolver: whatever
// the path and whatever symlinks it goes through, a resolved path never
// leaves the workspace root.
func FuzzResolve(f *testing.F) {
	for _, seed := range []string{
		"a", "../x", "/etc/passwd", "/workspace/../etc", "up/etc", "loop/x", "in/../../x",
		"abs-in/f", "rel/../..", "deep/er/esc/x", "a\x00b", "./././a", "//workspace//a", "",
	} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	p := New()
	s, err := p.create(newTestFS(), providers.SessionSpec{})
	if err != nil {
		f.Fatal(err)
	}
	l := s.fs.(afero.Symlinker)
	for link, target := range map[string]string{
		"up":          "../../../..",
		"etc":         "/etc",
		"loop":        "loop",
		"in":          "d",
		"abs-in":      "/workspace/d",
		"rel":         "d/../..",
		"deep/er/esc": "../../..",
		"d/back":      "..",
	} {
		if err := s.fs.MkdirAll(path.Dir("/workspace/"+link), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := l.SymlinkIfPossible(target, "/workspace/"+link); err != nil {
			f.Fatal(err)
		}
	}
	if err := s.fs.MkdirAll("/workspace/d", 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p string, follow bool) {
		abs, err := s.resolve(s.fs, "fuzz", p, follow)
		if err != nil {
			if providers.CodeOf(err) == "" {
				t.Fatalf("resolve(%q): untyped error %v", p, err)
			}
			return
		}
		if abs != s.root && !strings.HasPrefix(abs, s.root+"/") {
			t.Fatalf("resolve(%q, %v) = %q, outside %s", p, follow, abs, s.root)
		}
		if path.Clean(abs) != abs {
			t.Fatalf("resolve(%q) = %q, not clean", p, abs)
		}
	})
}
