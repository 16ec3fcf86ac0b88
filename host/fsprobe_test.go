package host_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/host"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// TestFSProbeOnOverlay runs the fsprobe guest on an overlay workspace and
// checks that exactly its changes land in the upper layer, and nothing in
// the lower one.
func TestFSProbeOnOverlay(t *testing.T) {
	t.Parallel()
	h := newHost(t, host.Config{})
	m := compile(t, h, goGuest(t, "fsprobe"))

	lower := wasifs.NewMemLayer()
	for name, data := range map[string]string{
		"/work/lower.txt":   "lower\n",
		"/work/data/in.txt": "input\n",
		"/work/gone/x.txt":  "x\n",
		"/work/keep.txt":    "keep\n",
	} {
		if err := lower.MkdirAll(path.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(lower, name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lowerBefore := layerListing(t, lower)
	upper := wasifs.NewMemLayer()
	ws := wasifs.New(upper, lower)

	var stdout, stderr bytes.Buffer
	exit, err := h.Run(context.Background(), m, host.RunConfig{
		Args:   []string{"fsprobe"},
		Stdout: &stdout,
		Stderr: &stderr,
		FS:     ws,
		Dir:    "/work",
	})
	if err != nil || exit != 0 {
		t.Fatalf("fsprobe = %d, %v\nstdout:\n%s\nstderr:\n%s", exit, err, stdout.String(), stderr.String())
	}
	// WASI preview1 carries no permission bits: Go's wasip1 port shows
	// every file as 0600 and every directory as 0700. On the host side the
	// bridge creates them 0644 and 0755 (checked in the upper layer below).
	wantOut := `pwd /work
read probe/a.txt "hello\nworld\n"
read data/in.txt "input\n"
read data/moved.txt "input\nmore\n"
read probe/t.txt "1234"
link -> b.txt symlink=true read "hello\nworld\n"
list . data/ keep.txt probe/
list probe b.txt link@ t.txt
list data moved.txt
rewind first=[b.txt] all=[b.txt link t.txt]
stat b.txt size=12 mode=-rw------- same-as-link=true
stat t.txt mtime=2001-02-03T04:05:06Z
stat probe dir=true mode=drwx------
open missing: file does not exist
create excl: file already exists
rmdir non-empty: Directory not empty
mkdir existing: file already exists
stat removed: file does not exist
read escape: file does not exist
ok
`
	if stdout.String() != wantOut {
		t.Errorf("fsprobe stdout:\n%s\nwant:\n%s", stdout.String(), wantOut)
	}

	if got := layerListing(t, lower); got != lowerBefore {
		t.Errorf("lower layer changed:\n%s\nwas:\n%s", got, lowerBefore)
	}
	wantUpper := strings.Join([]string{
		`/ dir -rwxr-xr-x`,
		`/work dir -rwxr-xr-x`,
		`/work/.wh.gone file -rw-r--r-- ""`,
		`/work/.wh.lower.txt file -rw-r--r-- ""`,
		`/work/data dir -rwxr-xr-x`,
		`/work/data/.wh.in.txt file -rw-r--r-- ""`,
		`/work/data/moved.txt file -rw-r--r-- "input\nmore\n"`,
		`/work/probe dir -rwxr-xr-x`,
		`/work/probe/b.txt file -rw-r--r-- "hello\nworld\n"`,
		`/work/probe/link symlink b.txt`,
		`/work/probe/t.txt file -rw-r--r-- "1234"`,
	}, "\n") + "\n"
	if got := layerListing(t, upper); got != wantUpper {
		t.Errorf("upper layer:\n%s\nwant:\n%s", got, wantUpper)
	}
}

// layerListing describes every entry of a layer, one line each, sorted.
func layerListing(t *testing.T, layer afero.Fs) string {
	t.Helper()
	var lines []string
	err := afero.Walk(layer, "/", func(p string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		switch {
		case info.IsDir():
			lines = append(lines, fmt.Sprintf("%s dir %v", p, info.Mode().Perm()))
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := layer.(afero.LinkReader).ReadlinkIfPossible(p)
			if err != nil {
				return err
			}
			lines = append(lines, p+" symlink "+target)
		default:
			data, err := afero.ReadFile(layer, p)
			if err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("%s file %v %q", p, info.Mode().Perm(), data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}
