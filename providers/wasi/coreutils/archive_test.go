package coreutils

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

var archiveFixture = fixture{
	"f": "hello\n", "d/": "", "d/x": "x\n", "d/sub/": "", "d/sub/y": strings.Repeat("y", 20000), "l": "->f", "e/": "",
}

func TestTarDiff(t *testing.T) {
	var cases []diffCase
	for _, args := range [][]string{
		{"tar"}, {"tar", "cf", "-"}, {"tar", "cf", "a.tar", "nosuch"}, {"tar", "tf", "nosuch.tar"}, {"tar", "xf", "nosuch.tar"},
		{"tar", "cvf", "a.tar", "f", "l"}, {"tar", "-cf", "a.tar", "-C", "d", "x", "sub"}, {"tar", "czf", "a.tgz", "d"},
		{"tar", "xf", "f"}, {"tar", "-c", "-f", "a.tar", "--exclude=sub", "d"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: archiveFixture, args: args, skipErr: joinArgs(args) == "tar xf f"})
	}
	runDiff(t, cases)
}

// TestTarInterop writes archives with the utility and reads them with GNU
// tar, and the other way round, comparing the trees.
func TestTarInterop(t *testing.T) {
	needGNU(t, "tar")
	for _, z := range []string{"", "z"} {
		t.Run("ours to gnu "+z, func(t *testing.T) {
			src, out := t.TempDir(), t.TempDir()
			makeTree(t, src, archiveFixture)
			r := runUtil(t, afero.NewOsFs(), src, "", "tar", "c"+z+"f", filepath.Join(out, "a.tar"), "f", "d", "l", "e")
			if r.code != 0 {
				t.Fatalf("tar c: %+v", r)
			}
			dst := t.TempDir()
			g := runGNU(t, dst, "", "tar", "x"+z+"f", filepath.Join(out, "a.tar"))
			if g.code != 0 {
				t.Fatalf("GNU tar x: %+v", g)
			}
			if got, want := listTree(t, dst), listTree(t, src); got != want {
				t.Errorf("tree after GNU extract:\n%s\nwant\n%s", got, want)
			}
			gl := runGNU(t, out, "", "tar", "tvf", "a.tar")
			ul := runUtil(t, afero.NewOsFs(), out, "", "tar", "tvf", "a.tar")
			// GNU shows names from the archive; dates are of the source.
			if gl.out != ul.out {
				t.Errorf("tar tvf:\n got %q\nwant %q", ul.out, gl.out)
			}
		})
		t.Run("gnu to ours "+z, func(t *testing.T) {
			src, out := t.TempDir(), t.TempDir()
			makeTree(t, src, archiveFixture)
			g := runGNU(t, src, "", "tar", "c"+z+"f", filepath.Join(out, "a.tar"), "f", "d", "l", "e")
			if g.code != 0 {
				t.Fatalf("GNU tar c: %+v", g)
			}
			dst := t.TempDir()
			r := runUtil(t, afero.NewOsFs(), dst, "", "tar", "-xv", "-f", filepath.Join(out, "a.tar"))
			if r.code != 0 {
				t.Fatalf("tar x: %+v", r)
			}
			if got, want := listTree(t, dst), listTree(t, src); got != want {
				t.Errorf("tree after extract:\n%s\nwant\n%s", got, want)
			}
			r = runUtil(t, afero.NewOsFs(), dst, "", "tar", "-xf", filepath.Join(out, "a.tar"), "-C", "d", "--strip-components=1", "d/sub")
			if data, err := os.ReadFile(filepath.Join(dst, "d", "sub", "y")); r.code != 0 || err != nil || len(data) != 20000 {
				t.Errorf("strip-components: %+v %v", r, err)
			}
		})
	}
}

// tarBytes builds an archive from headers and contents.
func tarBytes(t *testing.T, entries ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i < len(entries); i += 2 {
		h := entries[i].(*tar.Header)
		body := entries[i+1].(string)
		h.Size = int64(len(body))
		if h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeDir {
			h.Size = 0
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte(body))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// TestTarRefusesEscapes checks that members never land outside the
// extraction directory.
func TestTarRefusesEscapes(t *testing.T) {
	data := tarBytes(t,
		&tar.Header{Name: "../evil", Typeflag: tar.TypeReg}, "evil",
		&tar.Header{Name: "a/../../evil2", Typeflag: tar.TypeReg}, "evil",
		&tar.Header{Name: "/abs", Typeflag: tar.TypeReg}, "abs",
		&tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/outside"}, "",
		&tar.Header{Name: "link/through", Typeflag: tar.TypeReg}, "through",
		&tar.Header{Name: "ok", Typeflag: tar.TypeReg}, "fine",
	)
	// On the host, with a canary next to the extraction directory.
	root := t.TempDir()
	work := filepath.Join(root, "work")
	os.MkdirAll(filepath.Join(root, "outside"), 0o755)
	os.MkdirAll(work, 0o755)
	os.WriteFile(filepath.Join(root, "a.tar"), data, 0o644)
	r := runUtil(t, afero.NewOsFs(), work, "", "tar", "xf", "../a.tar")
	if r.code != 2 {
		t.Errorf("tar x of hostile archive exited %d, want 2 (%q)", r.code, r.err)
	}
	for _, bad := range []string{"evil", "evil2", "outside/through"} {
		if _, err := os.Lstat(filepath.Join(root, bad)); err == nil {
			t.Errorf("%s was written outside the extraction directory", bad)
		}
	}
	if data, err := os.ReadFile(filepath.Join(work, "ok")); err != nil || string(data) != "fine" {
		t.Errorf("ok member: %q %v", data, err)
	}
	if data, err := os.ReadFile(filepath.Join(work, "abs")); err != nil || string(data) != "abs" {
		t.Errorf("absolute member not extracted below the directory: %q %v", data, err)
	}
	for _, msg := range []string{"../evil: Member name contains '..'", "link/through: Cannot open", "Removing leading `/'"} {
		if !strings.Contains(r.err, msg) {
			t.Errorf("stderr lacks %q:\n%s", msg, r.err)
		}
	}
	// On a MemMapFs.
	fsys := afero.NewMemMapFs()
	fsys.MkdirAll("/w/x", 0o755)
	afero.WriteFile(fsys, "/w/a.tar", data, 0o644)
	r = runUtil(t, fsys, "/w/x", "", "tar", "-x", "-f", "/w/a.tar")
	if ok, _ := afero.Exists(fsys, "/w/evil"); ok {
		t.Errorf("../evil written on MemMapFs")
	}
	if ok, _ := afero.Exists(fsys, "/w/x/ok"); !ok {
		t.Errorf("ok not extracted on MemMapFs: %+v", r)
	}
}

func TestTarMem(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"p/": "", "p/a": "A", "p/b/": "", "p/b/c": "C"})
	when := time.Date(2019, 1, 2, 3, 4, 5, 0, time.UTC)
	fsys.Chtimes("/w/p/b", when, when)
	steps := [][]string{
		{"tar", "czf", "p.tgz", "p"},
		{"mkdir", "out"},
		{"tar", "xzf", "p.tgz", "-C", "out"},
	}
	for _, s := range steps {
		if r := runUtil(t, fsys, "/w", "", s...); r.code != 0 {
			t.Fatalf("%v: %+v", s, r)
		}
	}
	r := runUtil(t, fsys, "/w", "", "cat", "out/p/a", "out/p/b/c")
	if r.out != "AC" {
		t.Errorf("extracted content %q", r.out)
	}
	if fi, err := fsys.Stat("/w/out/p/b"); err != nil || !fi.ModTime().Equal(when) {
		t.Errorf("directory time not restored: %v %v", fi.ModTime(), err)
	}
	r = runUtil(t, fsys, "/w", "", "tar", "tf", "p.tgz")
	if r.out != "p/\np/a\np/b/\np/b/c\n" {
		t.Errorf("tar tf: %q", r.out)
	}
	r = runUtil(t, fsys, "/w", "", "tar", "xOf", "p.tgz", "p/a")
	if r.out != "A" {
		t.Errorf("tar xO: %q", r.out)
	}
	// Archive to stdout and back from stdin.
	r = runUtil(t, fsys, "/w", "", "tar", "cf", "-", "p")
	r2 := runUtil(t, fsys, "/w/out", r.out, "tar", "tvf", "-")
	if !strings.Contains(r2.out, "user/user") || !strings.Contains(r2.out, " p/b/c\n") {
		t.Errorf("tar tvf -: %q", r2.out)
	}
}

func TestGzipDiff(t *testing.T) {
	fx := fixture{"h": "hi\n", "h.gz": "", "n.gz": "notgz\n", "d/": "", "x.gz": ""}
	var cases []diffCase
	for _, args := range [][]string{
		{"gzip", "nosuch"}, {"gzip", "h.gz"}, {"gunzip", "n.gz"}, {"gunzip", "h"}, {"gzip", "d"}, {"gzip", "h"},
		{"gzip", "-d", "nosuch.gz"}, {"zcat", "n.gz"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: fx, args: args, tree: args[1] != "h"})
	}
	runDiff(t, cases)
}

func TestGzipRoundTrip(t *testing.T) {
	needGNU(t, "gzip")
	dir := t.TempDir()
	content := strings.Repeat("the quick brown fox\n", 1000)
	os.WriteFile(filepath.Join(dir, "f"), []byte(content), 0o640)
	r := runUtil(t, afero.NewOsFs(), dir, "", "gzip", "-k", "f")
	if r.code != 0 {
		t.Fatalf("gzip -k: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "f")); err != nil {
		t.Errorf("-k removed the source")
	}
	g := runGNU(t, dir, "", "gzip", "-dc", "f.gz")
	if g.out != content {
		t.Errorf("GNU gunzip of our output differs")
	}
	os.Remove(filepath.Join(dir, "f"))
	r = runUtil(t, afero.NewOsFs(), dir, "", "gunzip", "f.gz")
	if data, _ := os.ReadFile(filepath.Join(dir, "f")); r.code != 0 || string(data) != content {
		t.Errorf("gunzip: %+v", r)
	}
	if fi, err := os.Stat(filepath.Join(dir, "f")); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("gunzip kept mode: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "f.gz")); err == nil {
		t.Errorf("gunzip kept f.gz")
	}
	g = runGNU(t, dir, "", "gzip", "-c", "f")
	r = runUtil(t, afero.NewOsFs(), dir, g.out, "zcat")
	if r.out != content {
		t.Errorf("zcat of GNU gzip output differs")
	}
	r = runUtil(t, afero.NewOsFs(), dir, content, "gzip", "-c")
	zr, err := gzip.NewReader(strings.NewReader(r.out))
	if err != nil {
		t.Fatal(err)
	}
	var back bytes.Buffer
	back.ReadFrom(zr)
	if back.String() != content {
		t.Errorf("gzip -c from stdin does not round-trip")
	}
	// Two members concatenated decompress as one stream.
	r = runUtil(t, afero.NewOsFs(), dir, g.out+g.out, "gunzip", "-c")
	if r.out != content+content {
		t.Errorf("multi-member gunzip: %d bytes", len(r.out))
	}
	r = runUtil(t, afero.NewOsFs(), dir, g.out[:len(g.out)/2], "gunzip", "-c")
	if r.code != 1 || !strings.Contains(r.err, "unexpected end of file") {
		t.Errorf("truncated input: %+v", r.err)
	}
}

func TestBase64AndHashDiff(t *testing.T) {
	fx := fixture{"h": "hi\n", "z": strings.Repeat("\x00", 100), "bin": "\xff\xfe\x00abc", "d/": "", "e": ""}
	var cases []diffCase
	add := func(stdin string, args ...string) {
		cases = append(cases, diffCase{name: joinArgs(args), fx: fx, args: args, stdin: stdin})
	}
	add("", "base64", "z")
	add("", "base64", "-w", "20", "z")
	add("", "base64", "-w0", "bin")
	add("", "base64", "e")
	add("aGkK\n", "base64", "-d")
	add("aGk\n", "base64", "-d")
	add("!!\n", "base64", "-d")
	add("a*GkK\n", "base64", "-di")
	add("", "base64", "nosuch")
	add("", "base64", "h", "z")
	add("abc", "base64")
	for _, c := range []string{"md5sum", "sha1sum", "sha256sum", "sha512sum"} {
		add("stdin\n", c, "h", "z", "bin", "-", "nosuch", "d")
		add("", c, "--tag", "h")
		add("", c, "-b", "h")
	}
	checkFx := fixture{"h": "hi\n", "g": "other\n", "sums": "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  h\n" +
		"98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  g\njunk\n" +
		"98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  nosuch\n",
		"good": "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4 *h\nSHA256 (h) = 98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4\n",
		"junk": "nothing here\n"}
	for _, args := range [][]string{
		{"sha256sum", "-c", "sums"}, {"sha256sum", "--quiet", "-c", "sums"}, {"sha256sum", "--status", "-c", "sums"},
		{"sha256sum", "-c", "good"}, {"sha256sum", "-c", "junk"}, {"sha256sum", "--ignore-missing", "-c", "sums"},
		{"sha256sum", "--strict", "-c", "good"}, {"sha256sum", "-c", "nosuch"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: checkFx, args: args})
	}
	runDiff(t, cases)
}
