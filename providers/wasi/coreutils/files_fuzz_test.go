package coreutils

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// FuzzFileParseFlags checks that option parsing never panics, that operands
// come from the arguments, and that everything after "--" comes back as
// operands, unchanged.
func FuzzFileParseFlags(f *testing.F) {
	for _, s := range []string{"-rf\x00a\x00--\x00-x", "--lines=5\x00f", "-n\x00", "--li\x00x", "-n5\x00--\x00--", "-\x00--verbose"} {
		f.Add(s)
	}
	spec := fileFlagSpec{bools: "rfv", withArg: "n", number: true,
		long: map[string]string{"lines=": "n", "verbose": "v", "color?": "color", "recursive": "r"}}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		fl, err := fileParseFlags(spec, args)
		if err == nil {
			// Every operand is one of the arguments.
			seen := map[string]bool{}
			for _, a := range args {
				seen[a] = true
			}
			for _, o := range fl.operands {
				if !seen[o] {
					t.Fatalf("operand %q is not an argument", o)
				}
			}
		}
		// After a leading "--" everything is an operand, unchanged.
		all := append([]string{"--"}, args...)
		fl, err = fileParseFlags(spec, all)
		if err != nil || len(fl.list) != 0 || strings.Join(fl.operands, "\x00") != joined {
			t.Fatalf("after --: %v %v %q", err, fl, joined)
		}
	})
}

// FuzzParseDate checks that date parsing never panics.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"@1700000000.5", "2001-02-03 04:05:06", "3 days ago", "next week", "@-1.5", "yesterday 12:00"} {
		f.Add(s)
	}
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		fileParseDate(s, now, time.UTC)
	})
}

// FuzzChmodApply checks that any mode string yields only permission bits.
func FuzzChmodApply(f *testing.F) {
	for _, s := range []string{"755", "u+x,go-w", "a=r", "+X", "g=u", "u+s", "07777", "=,"} {
		f.Add(s, uint32(0o644), false)
	}
	f.Fuzz(func(t *testing.T, mode string, old uint32, dir bool) {
		old &= 0o7777
		got, err := chmodApply(mode, old, dir)
		if err == nil && got&^0o7777 != 0 {
			t.Fatalf("chmodApply(%q, %o) = %o: bits outside 07777", mode, old, got)
		}
	})
}

// FuzzTarMemberPath checks that no member name maps outside the
// extraction directory.
func FuzzTarMemberPath(f *testing.F) {
	for _, s := range []string{"a/b", "../x", "/abs", "a/../../b", "./.", "", "a//b/", "..", "x/.."} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, name string, strip int) {
		env, _, _ := testEnv(afero.NewMemMapFs(), "/w/x", "", nil)
		tr := &tarRun{env: env, cmd: "tar", dir: "/w/x", strip: strip % 4}
		if tr.strip < 0 {
			tr.strip = -tr.strip
		}
		p, ok, err := tr.memberPath(name)
		if err != nil || !ok {
			return
		}
		if p != "/w/x" && !strings.HasPrefix(p, "/w/x/") || path.Clean(p) != p {
			t.Fatalf("memberPath(%q) = %q, outside /w/x", name, p)
		}
	})
}

// FuzzFileRealpath resolves paths through a tree with symlinks (including
// loops and absolute targets) and checks the result is absolute and clean.
func FuzzFileRealpath(f *testing.F) {
	for _, s := range []string{"/a/l1/x", "loop/x", "/up/../../b", "abs/etc", "a/./b/../c", "//a//b"} {
		f.Add(s)
	}
	fsys := wasifs.NewMemLayer()
	fsys.MkdirAll("/a/b", 0o755)
	afero.WriteFile(fsys, "/a/b/f", []byte("x"), 0o644)
	ln := fsys.(afero.Linker)
	ln.SymlinkIfPossible("b", "/a/l1")
	ln.SymlinkIfPossible("loop", "/loop")
	ln.SymlinkIfPossible("/a/b/f", "/abs")
	ln.SymlinkIfPossible("../../..", "/a/b/up")
	f.Fuzz(func(t *testing.T, p string) {
		for _, mode := range [][2]bool{{true, false}, {true, true}, {false, false}} {
			r, err := fileRealpath(fsys, path.Join("/", p), mode[0], mode[1])
			if err != nil {
				continue
			}
			if !path.IsAbs(r) || path.Clean(r) != r {
				t.Fatalf("fileRealpath(%q) = %q: not absolute and clean", p, r)
			}
		}
	})
}

// FuzzHashParseLine checks the checksum-line parser never panics and only
// accepts well-formed sums.
func FuzzHashParseLine(f *testing.F) {
	for _, s := range []string{
		"d41d8cd98f00b204e9800998ecf8427e  f", "d41d8cd98f00b204e9800998ecf8427e *f", "MD5 (f) = d41d8cd98f00b204e9800998ecf8427e",
		"\\d41d8cd98f00b204e9800998ecf8427e  a\\nb", "junk",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		sum, name, ok := hashParseLine(line, hashAlgos["md5sum"])
		if ok && (len(sum) != 32 || name == "") {
			t.Fatalf("hashParseLine(%q) = %q, %q", line, sum, name)
		}
	})
}
