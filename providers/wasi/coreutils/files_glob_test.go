package coreutils

import (
	"path"
	"testing"
)

func TestFileGlob(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"*.go", "a.go", true}, {"*.go", "a.goo", false}, {"*", "", true}, {"?", "", false}, {"a?c", "abc", true},
		{"[abc]x", "bx", true}, {"[!abc]x", "bx", false}, {"[^abc]x", "dx", true}, {"[a-c]*", "cat", true},
		{"[a-c]*", "dog", false}, {"*/b", "a/x/b", true}, {"\\*", "*", true}, {"\\*", "a", false}, {"[", "[", true},
		{"a[", "a[", true}, {"[]]", "]", true}, {"[[:digit:]]*", "9lives", true}, {"[[:upper:]]", "a", false},
		{"*a*b*c*", "xaybzc", true}, {"*a*b*c*", "xaybz", false}, {"**", "abc", true}, {".*", ".hidden", true},
	}
	for _, tt := range tests {
		if got := fileGlob(tt.pat, tt.name); got != tt.want {
			t.Errorf("fileGlob(%q, %q) = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
}

// FuzzFileGlob checks fileGlob against path.Match where both apply (no
// '/', no backslash, no brackets) and that it never panics.
func FuzzFileGlob(f *testing.F) {
	for _, s := range [][2]string{{"*.go", "a.go"}, {"[a-", "b"}, {"a*b?c", "aXXbYc"}, {"[!x]", "y"}, {"\\", "\\"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, name string) {
		got := fileGlob(pat, name)
		for _, c := range pat + name {
			if c == '/' || c == '\\' || c == '[' || c == ']' {
				return
			}
		}
		want, err := path.Match(pat, name)
		if err == nil && got != want {
			t.Fatalf("fileGlob(%q, %q) = %v, path.Match says %v", pat, name, got, want)
		}
	})
}
