package providertest

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

var archiveTests = []testCase{
	{"round-trip", testArchiveRoundTrip},
	{"import-portable", testArchiveImportPortable},
	{"hostile", testArchiveHostile},
}

var snapshotTests = []testCase{
	{"native", testSnapshotNative},
}

var stateTests = []testCase{
	{"resume", testStateResume},
}

// archiver returns s as an Archiver or skips t.
func archiver(t *testing.T, s providers.Session) providers.Archiver {
	t.Helper()
	a, ok := s.(providers.Archiver)
	if !ok {
		t.Skipf("%T does not implement providers.Archiver", s)
	}
	return a
}

// populate fills a workspace with one of each kind of entry.
func (h *harness) populate(t *testing.T, s providers.Session) {
	t.Helper()
	h.write(t, s, "f.txt", "hello\n")
	if err := s.WriteFile(h.ctx, "bin/run.sh", strings.NewReader("#!/bin/sh\necho run\n"), 0o755); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	var b []byte
	for i := range 256 {
		b = append(b, byte(i))
	}
	if err := s.WriteFile(h.ctx, "d/e/deep.bin", bytes.NewReader(b), 0o600); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	if err := s.Mkdir(h.ctx, "emptydir", false); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	h.sh(t, s, "ln -s f.txt lnk && ln -s d/e dirlink && ln -s ../f.txt d/up && ln -s missing dangling")
}

// entry is one workspace entry in a comparable form.
type entry struct {
	Type string // "file", "dir", "symlink"
	Perm fs.FileMode
	Size int64
	Hash string
	Link string
	Mod  time.Time
}

func (e entry) String() string {
	return fmt.Sprintf("%s %v size=%d sha=%.12s link=%q", e.Type, e.Perm, e.Size, e.Hash, e.Link)
}

// tree walks the workspace with List and ReadFile.
func (h *harness) tree(t *testing.T, s providers.Session) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	var walk func(dir string)
	walk = func(dir string) {
		list, err := s.List(h.ctx, dir)
		if err != nil {
			t.Fatalf("List(%q): %v", dir, err)
		}
		for _, fi := range list {
			p := fi.Path
			e := entry{Perm: fi.Mode.Perm(), Mod: fi.ModTime}
			switch {
			case fi.Mode&fs.ModeSymlink != 0:
				e.Type, e.Link, e.Perm = "symlink", fi.LinkTarget, 0
			case fi.IsDir():
				e.Type = "dir"
				walk(p)
			case fi.Mode.IsRegular():
				e.Type, e.Size = "file", fi.Size
				rc, err := s.ReadFile(h.ctx, p)
				if err != nil {
					t.Fatalf("ReadFile(%q): %v", p, err)
				}
				sum := sha256.New()
				if _, err := io.Copy(sum, rc); err != nil {
					t.Fatalf("ReadFile(%q): %v", p, err)
				}
				rc.Close()
				e.Hash = hex.EncodeToString(sum.Sum(nil))
			default:
				e.Type = fi.Mode.Type().String()
			}
			out[p] = e
		}
	}
	walk(".")
	return out
}

// memberName normalises a tar member name and checks it is workspace-relative.
func memberName(t *testing.T, name string) string {
	t.Helper()
	n := strings.TrimSuffix(strings.TrimPrefix(name, "./"), "/")
	if n == "" || n == "." {
		return "."
	}
	if path.IsAbs(n) || n != path.Clean(n) || n == ".." || strings.HasPrefix(n, "../") {
		t.Errorf("archive member %q is not a clean workspace-relative name", name)
	}
	return n
}

// ReadArchive lists the members of a portable workspace archive as a map
// from workspace-relative name to header, for tests that compare archives.
func ReadArchive(r io.Reader) (map[string]*tar.Header, error) {
	out := map[string]*tar.Header{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		n := strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/")
		if n == "" {
			n = "."
		}
		out[n] = hdr
	}
}

func testArchiveRoundTrip(t *testing.T, h *harness) {
	s1 := h.session(t)
	a1 := archiver(t, s1)
	h.populate(t, s1)
	want := h.tree(t, s1)

	var buf bytes.Buffer
	if err := a1.ExportArchive(h.ctx, &buf); err != nil {
		t.Fatalf("ExportArchive: %v", err)
	}
	members, err := ReadArchive(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("the export is not a tar stream: %v", err)
	}
	names := map[string]bool{}
	for raw, hdr := range members {
		n := memberName(t, raw)
		names[n] = true
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeDir, tar.TypeSymlink:
		default:
			t.Errorf("member %q has type %q; the portable archive holds files, dirs and symlinks", raw, hdr.Typeflag)
		}
	}
	for p, e := range want {
		if !names[p] {
			t.Errorf("the archive lacks %s (%v)", p, e)
		}
	}
	if hdr := members["bin/run.sh"]; hdr != nil && hdr.FileInfo().Mode().Perm() != 0o755 {
		t.Errorf("bin/run.sh has mode %v in the archive", hdr.FileInfo().Mode())
	}
	if hdr := members["lnk"]; hdr != nil && (hdr.Typeflag != tar.TypeSymlink || hdr.Linkname != "f.txt") {
		t.Errorf("lnk in the archive: type %q target %q", hdr.Typeflag, hdr.Linkname)
	}

	s2 := h.session(t)
	a2 := archiver(t, s2)
	h.write(t, s2, "f.txt", "replaced by the import, longer than the original")
	h.write(t, s2, "other", "kept")
	if err := a2.ImportArchive(h.ctx, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("ImportArchive: %v", err)
	}
	got := h.tree(t, s2)
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			t.Errorf("after import, %s is missing", p)
			continue
		}
		if g.String() != w.String() {
			t.Errorf("after import, %s = %v, want %v", p, g, w)
		}
		if w.Type == "file" && !g.Mod.Truncate(time.Second).Equal(w.Mod.Truncate(time.Second)) {
			t.Errorf("after import, %s has mtime %v, want %v", p, g.Mod, w.Mod)
		}
	}
	if got := h.read(t, s2, "other"); got != "kept" {
		t.Errorf("a file not in the archive changed: %q", got)
	}
	if got := h.sh(t, s2, "cat lnk; sh bin/run.sh; ./bin/run.sh"); got != "hello\nrun\nrun\n" {
		t.Errorf("the imported workspace runs as %q", got)
	}
}

// buildTar writes headers (with bodies for regular files) into a tar stream.
func buildTar(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := e.hdr
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(e.body))
		}
		if hdr.ModTime.IsZero() {
			hdr.ModTime = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
		}
		if err := tw.WriteHeader(&hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type tarEntry struct {
	hdr  tar.Header
	body string
}

func testArchiveImportPortable(t *testing.T, h *harness) {
	s := h.session(t)
	a := archiver(t, s)
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	data := buildTar(t, []tarEntry{
		{hdr: tar.Header{Name: "x/", Typeflag: tar.TypeDir, Mode: 0o750, ModTime: mtime}},
		{hdr: tar.Header{Name: "x/y", Typeflag: tar.TypeReg, Mode: 0o640, ModTime: mtime}, body: "why\n"},
		{hdr: tar.Header{Name: "x/z", Typeflag: tar.TypeSymlink, Linkname: "y", Mode: 0o777}},
		{hdr: tar.Header{Name: "./p/q/r", Typeflag: tar.TypeReg, Mode: 0o755}, body: "#!/bin/sh\necho r\n"},
		{hdr: tar.Header{Name: "top", Typeflag: tar.TypeReg, Mode: 0o644}, body: ""},
	})
	if err := a.ImportArchive(h.ctx, bytes.NewReader(data)); err != nil {
		t.Fatalf("ImportArchive: %v", err)
	}
	fi, err := s.Stat(h.ctx, "x/y")
	if err != nil {
		t.Fatalf("Stat(x/y): %v", err)
	}
	if fi.Mode.Perm() != 0o640 || fi.Size != 4 || !fi.ModTime.Equal(mtime) {
		t.Errorf("x/y = %+v, want mode 0640, size 4, mtime %v", fi, mtime)
	}
	if got := h.read(t, s, "x/z"); got != "why\n" {
		t.Errorf("x/z, a symlink to y, reads %q", got)
	}
	fi, err = s.Stat(h.ctx, "x")
	if err != nil || !fi.IsDir() || fi.Mode.Perm() != 0o750 {
		t.Errorf("Stat(x) = %+v, %v; want a directory with mode 0750", fi, err)
	}
	if got := h.sh(t, s, "p/q/r; cat top; echo ."); got != "r\n.\n" {
		t.Errorf("running the imported script printed %q", got)
	}
}

func testArchiveHostile(t *testing.T, h *harness) {
	s := h.session(t)
	a := archiver(t, s)
	const outside = "/tmp/wsbx-outside-archive"
	h.sh(t, s, "mkdir -p "+outside)
	for _, tc := range []struct {
		name    string
		entries []tarEntry
	}{
		{"dotdot", []tarEntry{{hdr: tar.Header{Name: "../../../../../.." + outside + "/evil", Typeflag: tar.TypeReg, Mode: 0o644}, body: "evil"}}},
		{"dotdot-inner", []tarEntry{{hdr: tar.Header{Name: "a/../../evil", Typeflag: tar.TypeReg, Mode: 0o644}, body: "evil"}}},
		{"absolute", []tarEntry{{hdr: tar.Header{Name: outside + "/evil", Typeflag: tar.TypeReg, Mode: 0o644}, body: "evil"}}},
		{"through-symlink", []tarEntry{
			{hdr: tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: outside, Mode: 0o777}},
			{hdr: tar.Header{Name: "l/evil", Typeflag: tar.TypeReg, Mode: 0o644}, body: "evil"},
		}},
		{"through-relative-symlink", []tarEntry{
			{hdr: tar.Header{Name: "r", Typeflag: tar.TypeSymlink, Linkname: "../../../../../../../.." + outside, Mode: 0o777}},
			{hdr: tar.Header{Name: "r/evil", Typeflag: tar.TypeReg, Mode: 0o644}, body: "evil"},
		}},
		{"hardlink-out", []tarEntry{{hdr: tar.Header{Name: "hl", Typeflag: tar.TypeLink, Linkname: "../../../../etc/passwd"}}}},
	} {
		err := a.ImportArchive(h.ctx, bytes.NewReader(buildTar(t, tc.entries)))
		wantCode(t, "ImportArchive "+tc.name, err, providers.CodeArchiveError)
	}
	if got := h.sh(t, s, "ls -a "+outside+" | wc -l"); strings.TrimSpace(got) != "2" {
		t.Errorf("a hostile archive wrote outside the workspace: %s has %s entries", outside, strings.TrimSpace(got))
	}
	// Garbage is an archive error too.
	err := a.ImportArchive(h.ctx, strings.NewReader(strings.Repeat("not a tar stream ", 100)))
	wantCode(t, "ImportArchive of garbage", err, providers.CodeArchiveError)
	if got := h.sh(t, s, "echo ok"); got != "ok\n" {
		t.Errorf("the session after hostile imports printed %q", got)
	}
}

func testSnapshotNative(t *testing.T, h *harness) {
	s1 := h.session(t)
	snap, ok := s1.(providers.Snapshotter)
	if !ok {
		t.Skipf("%T does not implement providers.Snapshotter", s1)
	}
	rest, ok := h.p.(providers.Restorer)
	if !ok {
		t.Skipf("%T does not implement providers.Restorer", h.p)
	}
	h.populate(t, s1)
	want := h.tree(t, s1)
	ref, err := snap.Snapshot(h.ctx)
	if errors.Is(err, providers.ErrUnsupported) {
		t.Skipf("Snapshot is unsupported with this spec: %v", err)
	}
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if ref.Provider != h.p.Name() || ref.ID == "" {
		t.Errorf("SnapshotRef = %+v, want provider %q and an id", ref, h.p.Name())
	}
	h.write(t, s1, "after-snapshot", "x")
	s2, err := rest.Restore(h.ctx, ref, h.spec())
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	closeOnCleanup(t, s2)
	got := h.tree(t, s2)
	if _, ok := got["after-snapshot"]; ok {
		t.Error("the restored session sees a file written after the snapshot")
	}
	compareTrees(t, got, want)
	// The sessions are independent.
	h.write(t, s2, "only-in-2", "x")
	if _, err := s1.Stat(h.ctx, "only-in-2"); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("Stat in the original session of a file written in the restored one: %v", err)
	}
}

func compareTrees(t *testing.T, got, want map[string]entry) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, p := range keys {
		g, ok := got[p]
		switch {
		case !ok:
			t.Errorf("%s is missing", p)
		case g.String() != want[p].String():
			t.Errorf("%s = %v, want %v", p, g, want[p])
		}
	}
}

func testStateResume(t *testing.T, h *harness) {
	spec := h.spec()
	if spec.Env == nil {
		spec.Env = map[string]string{}
	}
	const secret = "wsbx-secret-value-8f3a"
	spec.Env["WSBX_TOKEN"] = secret
	s1 := h.sessionWith(t, spec)
	st, ok := s1.(providers.Stater)
	if !ok {
		t.Skipf("%T does not implement providers.Stater", s1)
	}
	res, ok := h.p.(providers.Resumer)
	if !ok {
		t.Skipf("%T does not implement providers.Resumer", h.p)
	}
	h.write(t, s1, "state.txt", "persisted")
	state, err := st.State(h.ctx)
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	if !json.Valid(state) {
		t.Fatalf("State is not JSON: %q", state)
	}
	if strings.Contains(string(state), secret) {
		t.Errorf("State contains a secret environment value: %s", state)
	}
	s2, err := res.Resume(h.ctx, state, spec)
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	closeOnCleanup(t, s2)
	if got := h.read(t, s2, "state.txt"); got != "persisted" {
		t.Errorf("the resumed session reads %q", got)
	}
	if got := h.sh(t, s2, `echo "$WSBX_TOKEN"`); got != secret+"\n" {
		t.Errorf("the resumed session's environment gives %q", got)
	}
	_, err = res.Resume(h.ctx, json.RawMessage(`{"garbage":`), spec)
	if err == nil {
		t.Error("Resume of malformed state succeeded")
	}
}
