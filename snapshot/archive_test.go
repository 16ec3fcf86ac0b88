package snapshot

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// member is one tar member for mkTar.
type member struct {
	name string
	typ  byte
	body string
	link string
	mode int64
	size int64 // header size when body is empty and size > 0 (a lying header)
}

func reg(name, body string) member   { return member{name: name, typ: tar.TypeReg, body: body} }
func dir(name string) member         { return member{name: name, typ: tar.TypeDir} }
func sym(name, target string) member { return member{name: name, typ: tar.TypeSymlink, link: target} }
func hard(name, target string) member {
	return member{name: name, typ: tar.TypeLink, link: target}
}

// mkTar builds a tar stream. A member with a lying size ends the stream
// right after its header.
func mkTar(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		mode := m.mode
		if mode == 0 {
			mode = 0o644
		}
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: mode, Size: int64(len(m.body)), ModTime: time.Unix(1e9, 0)}
		if m.size > 0 {
			h.Size = m.size
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("header %q: %v", m.name, err)
		}
		if m.size > 0 {
			tw.Flush()
			return buf.Bytes()
		}
		if _, err := tw.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteReadArchiveRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := wasifs.NewMemLayer()
	writeFile(t, src, "/workspace/a.txt", "alpha")
	writeFile(t, src, "/workspace/bin/run", "#!/bin/sh\n")
	writeFile(t, src, "/workspace/deep/er/f", "f")
	writeFile(t, src, "/outside", "not exported")
	symlinkT(t, src, "../a.txt", "/workspace/bin/a")
	symlinkT(t, src, "/workspace/a.txt", "/workspace/abs")
	if err := src.Chmod("/workspace/bin/run", 0o755|fs.ModeSetuid); err != nil {
		t.Fatal(err)
	}
	if err := src.Chmod("/workspace/deep", 0o700); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2021, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for _, p := range []string{"/workspace/a.txt", "/workspace/deep/er", "/workspace/deep"} {
		if err := src.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := WriteArchive(ctx, src, "workspace", &buf); err != nil {
		t.Fatal(err)
	}
	archive := buf.Bytes()

	// Members are workspace-relative, sorted depth-first, owned by 0:0.
	var names []string
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || !h.AccessTime.IsZero() {
			t.Errorf("%s: owner %d:%d %q atime %v", h.Name, h.Uid, h.Gid, h.Uname, h.AccessTime)
		}
		names = append(names, h.Name)
	}
	wantNames := []string{"a.txt", "abs", "bin/", "bin/a", "bin/run", "deep/", "deep/er/", "deep/er/f"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("members %q, want %q", names, wantNames)
	}

	// Deterministic.
	var again bytes.Buffer
	if err := WriteArchive(ctx, src, "/workspace/", &again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), archive) {
		t.Error("two archives of the same tree differ")
	}

	for _, tc := range []struct {
		name string
		fsys func(t *testing.T) afero.Fs
	}{
		{"mem", func(t *testing.T) afero.Fs { return wasifs.NewMemLayer() }},
		{"dir", func(t *testing.T) afero.Fs { return wasifs.NewDirLayer(t.TempDir()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := tc.fsys(t)
			if err := ReadArchive(ctx, bytes.NewReader(archive), dst, "/workspace", Limits{}); err != nil {
				t.Fatal(err)
			}
			if got, want := tree(t, dst, "/workspace"), tree(t, src, "/workspace"); got != want {
				t.Errorf("tree after round trip:\n%s\nwant:\n%s", got, want)
			}
			for _, p := range []string{"/workspace/a.txt", "/workspace/deep/er", "/workspace/deep"} {
				fi, err := dst.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if !fi.ModTime().Equal(mt) {
					t.Errorf("mtime of %s = %v, want %v", p, fi.ModTime(), mt)
				}
			}
			fi, _ := dst.Stat("/workspace/bin/run")
			if fi.Mode() != 0o755|fs.ModeSetuid {
				t.Errorf("mode of run = %v", fi.Mode())
			}
			var out bytes.Buffer
			if err := WriteArchive(ctx, dst, "workspace", &out); err != nil {
				t.Fatal(err)
			}
			if got, want := headers(t, out.Bytes()), headers(t, archive); got != want {
				t.Errorf("re-archiving the extracted tree gives\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestReadArchiveReplaces(t *testing.T) {
	ctx := context.Background()
	fsys := wasifs.NewMemLayer()
	writeFile(t, fsys, "/keep", "keep")
	writeFile(t, fsys, "/file-becomes-dir", "x")
	writeFile(t, fsys, "/dir-becomes-file/child", "x")
	writeFile(t, fsys, "/over", "old")
	symlinkT(t, fsys, "keep", "/link-becomes-file")
	archive := mkTar(t,
		reg("file-becomes-dir/inner", "in"),
		reg("dir-becomes-file", "now a file"),
		reg("over", "new"),
		reg("link-becomes-file", "plain"),
		dir("./"),
	)
	if err := ReadArchive(ctx, bytes.NewReader(archive), fsys, "", Limits{}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`/dir-becomes-file f 0644 "now a file"`,
		`/file-becomes-dir d 0755`,
		`/file-becomes-dir/inner f 0644 "in"`,
		`/keep f 0644 "keep"`,
		`/link-becomes-file f 0644 "plain"`,
		`/over f 0644 "new"`,
	}, "\n")
	if got := tree(t, fsys, "/"); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	if got := readFile(t, fsys, "/keep"); got != "keep" {
		t.Errorf("a file was written through a symlink: keep = %q", got)
	}
}

func TestReadArchiveHardlinkCopies(t *testing.T) {
	ctx := context.Background()
	fsys := wasifs.NewMemLayer()
	archive := mkTar(t, reg("a", "content"), hard("b", "a"), hard("./c", "./a"))
	if err := ReadArchive(ctx, bytes.NewReader(archive), fsys, "", Limits{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/a", "/b", "/c"} {
		if got := readFile(t, fsys, p); got != "content" {
			t.Errorf("%s = %q", p, got)
		}
	}
	// Copies, not shared storage.
	writeFile(t, fsys, "/a", "changed")
	if got := readFile(t, fsys, "/b"); got != "content" {
		t.Errorf("b follows a: %q", got)
	}
}

// hostile lists archives that must be refused, with the category.
func hostile(t testing.TB) []struct {
	name    string
	archive []byte
	limits  Limits
	want    error
} {
	big := strings.Repeat("x", 6000)
	many := make([]member, 11)
	for i := range many {
		many[i] = reg("f"+string(rune('a'+i)), "")
	}
	return []struct {
		name    string
		archive []byte
		limits  Limits
		want    error
	}{
		{"dotdot", mkTar(t, reg("../evil", "x")), Limits{}, ErrUnsafeMember},
		{"dotdot inside", mkTar(t, reg("a/../../evil", "x")), Limits{}, ErrUnsafeMember},
		{"dotdot dir", mkTar(t, dir("../")), Limits{}, ErrUnsafeMember},
		{"absolute", mkTar(t, reg("/etc/evil", "x")), Limits{}, ErrUnsafeMember},
		{"whiteout", mkTar(t, reg("d/.wh.victim", "")), Limits{}, ErrUnsafeMember},
		{"opaque marker", mkTar(t, reg(".wh..wh..opq", "")), Limits{}, ErrUnsafeMember},
		{"symlink up", mkTar(t, sym("l", "../outside")), Limits{}, ErrUnsafeMember},
		{"symlink deep up", mkTar(t, dir("d/"), sym("d/l", "../../outside")), Limits{}, ErrUnsafeMember},
		{"symlink absolute outside", mkTar(t, sym("l", "/etc")), Limits{}, ErrUnsafeMember},
		{"symlink absolute dotdot", mkTar(t, sym("l", "/workspace/../etc")), Limits{}, ErrUnsafeMember},
		{"symlink dotdot after name", mkTar(t, sym("s", "."), sym("l", "s/../../x")), Limits{}, ErrUnsafeMember},
		{"symlink dotdot after dot link", mkTar(t, sym("s", "."), sym("l", "s/../x")), Limits{}, ErrUnsafeMember},
		{"write through symlink", mkTar(t, sym("l", "sub"), reg("l/file", "x")), Limits{}, ErrUnsafeMember},
		{"write through symlink to dot", mkTar(t, sym("l", "."), dir("l/")), Limits{}, ErrUnsafeMember},
		{"empty symlink", mkTar(t, sym("l", "")), Limits{}, ErrUnsafeMember},
		{"hardlink up", mkTar(t, hard("h", "../etc/passwd")), Limits{}, ErrUnsafeMember},
		{"hardlink absolute", mkTar(t, hard("h", "/etc/passwd")), Limits{}, ErrUnsafeMember},
		{"hardlink to missing", mkTar(t, hard("h", "nothere")), Limits{}, ErrUnsafeMember},
		{"hardlink to symlink", mkTar(t, sym("l", "a"), hard("h", "l")), Limits{}, ErrUnsafeMember},
		{"hardlink to dir", mkTar(t, dir("d/"), hard("h", "d")), Limits{}, ErrUnsafeMember},
		{"hardlink to itself", mkTar(t, hard("h", "h")), Limits{}, ErrUnsafeMember},
		{"char device", mkTar(t, member{name: "null", typ: tar.TypeChar}), Limits{}, ErrUnsupportedMember},
		{"block device", mkTar(t, member{name: "sda", typ: tar.TypeBlock}), Limits{}, ErrUnsupportedMember},
		{"fifo", mkTar(t, member{name: "p", typ: tar.TypeFifo}), Limits{}, ErrUnsupportedMember},
		{"too many members", mkTar(t, many...), Limits{MaxMembers: 10}, ErrLimit},
		{"size bomb header", mkTar(t, member{name: "bomb", typ: tar.TypeReg, size: 5 << 30}), Limits{}, ErrLimit},
		{"extracted limit", mkTar(t, reg("a", big), reg("b", big)), Limits{MaxExtractedBytes: 10000}, ErrLimit},
		{"hardlink bomb", mkTar(t, reg("a", big), hard("b", "a")), Limits{MaxExtractedBytes: 10000}, ErrLimit},
		{"input limit", mkTar(t, reg("a", big)), Limits{MaxInputBytes: 4096}, ErrLimit},
		{"truncated", mkTar(t, reg("a", big))[:3000], Limits{}, io.ErrUnexpectedEOF},
	}
}

func TestReadArchiveRefusesHostile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range hostile(t) {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			root := filepath.Join(base, "root")
			if err := os.Mkdir(root, 0o755); err != nil {
				t.Fatal(err)
			}
			fsys := wasifs.NewDirLayer(root)
			err := ReadArchive(ctx, bytes.NewReader(tc.archive), fsys, "workspace", tc.limits)
			wantCode(t, err, providers.CodeArchiveError, tc.want)
			if got := dirEntries(t, base); !slices.Equal(got, []string{"root"}) {
				t.Errorf("entries next to the root: %v", got)
			}
			if got := dirEntries(t, root); !slices.Equal(got, []string{"workspace"}) {
				t.Errorf("entries in the layer outside the extraction root: %v", got)
			}
		})
	}
}

func TestReadArchiveAllowsConfinedLinks(t *testing.T) {
	ctx := context.Background()
	archive := mkTar(t,
		dir("d/"), dir("d/e/"), reg("d/e/f", "f"),
		sym("d/e/up", "../../d/e/f"),
		sym("d/abs", "/workspace/d/e/f"),
		sym("d/dot", "./e/./f"),
		sym("top", "d/e"),
		hard("d/h", "d/e/f"),
	)
	fsys := wasifs.NewMemLayer()
	if err := ReadArchive(ctx, bytes.NewReader(archive), fsys, "workspace", Limits{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"d/e/up", "d/abs", "d/dot", "top/f", "d/h"} {
		if got := readFile(t, fsys, "/workspace/"+p); got != "f" {
			t.Errorf("%s = %q", p, got)
		}
	}
}

func TestReadArchiveContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := ReadArchive(ctx, bytes.NewReader(mkTar(t, reg("a", "a"))), wasifs.NewMemLayer(), "", Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ReadArchive: %v", err)
	}
	err = WriteArchive(ctx, wasifs.NewMemLayer(), "", io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled WriteArchive: %v", err)
	}
}

func TestWriteArchiveErrors(t *testing.T) {
	ctx := context.Background()
	err := WriteArchive(ctx, wasifs.NewMemLayer(), "missing", io.Discard)
	wantCode(t, err, providers.CodeArchiveError, fs.ErrNotExist)
	fsys := wasifs.NewMemLayer()
	writeFile(t, fsys, "/f", "x")
	err = WriteArchive(ctx, fsys, "f", io.Discard)
	wantCode(t, err, providers.CodeArchiveError, nil)
}

// headers lists the headers of a tar, one per line, with symlink mtimes
// left out (symlink times cannot be set through afero).
func headers(t testing.TB, archive []byte) string {
	t.Helper()
	var lines []string
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		mt := h.ModTime.UTC().Format(time.RFC3339Nano)
		if h.Typeflag == tar.TypeSymlink {
			mt = "-"
		}
		lines = append(lines, fmt.Sprintf("%s %c %o %d %s %s", h.Name, h.Typeflag, h.Mode, h.Size, h.Linkname, mt))
	}
	return strings.Join(lines, "\n")
}

// ReadArchive into a session's overlay replaces entries of the lower layers
// and never writes to them.
func TestReadArchiveIntoOverlay(t *testing.T) {
	ctx := context.Background()
	lower := wasifs.NewMemLayer()
	writeFile(t, lower, "/workspace/keep", "keep")
	writeFile(t, lower, "/workspace/over", "old")
	writeFile(t, lower, "/workspace/dir/x", "x")
	symlinkT(t, lower, "dir", "/workspace/link")
	before := tree(t, lower, "/")
	ov := wasifs.New(wasifs.NewMemLayer(), lower)
	archive := mkTar(t, reg("over", "new"), reg("dir/y", "y"), reg("link", "file now"), reg("dir", "dir is a file"))
	if err := ReadArchive(ctx, bytes.NewReader(archive), ov, "workspace", Limits{}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`/workspace d 0755`,
		`/workspace/dir f 0644 "dir is a file"`,
		`/workspace/keep f 0644 "keep"`,
		`/workspace/link f 0644 "file now"`,
		`/workspace/over f 0644 "new"`,
	}, "\n")
	if got := tree(t, ov, "/"); got != want {
		t.Errorf("overlay after import:\n%s\nwant:\n%s", got, want)
	}
	if got := tree(t, lower, "/"); got != before {
		t.Errorf("the lower layer changed:\n%s", got)
	}
	// A symlink in a lower layer is not written through.
	ov = wasifs.New(wasifs.NewMemLayer(), lower)
	err := ReadArchive(ctx, bytes.NewReader(mkTar(t, reg("link/evil", "x"))), ov, "workspace", Limits{})
	wantCode(t, err, providers.CodeArchiveError, ErrUnsafeMember)
}
