package snapshot

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
)

func mustOpen(t testing.TB, dir string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFile(t testing.TB, fsys afero.Fs, name, content string) {
	t.Helper()
	if err := fsys.MkdirAll(path.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := afero.WriteFile(fsys, name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, fsys afero.Fs, name string) string {
	t.Helper()
	b, err := afero.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func symlinkT(t testing.TB, fsys afero.Fs, target, name string) {
	t.Helper()
	if err := fsys.(afero.Symlinker).SymlinkIfPossible(target, name); err != nil {
		t.Fatal(err)
	}
}

// tree describes every entry under root of fsys, one line per entry:
// "path d 0755", "path f 0644 content" or "path l target", sorted.
func tree(t testing.TB, fsys afero.Fs, root string) string {
	t.Helper()
	var lines []string
	var walk func(dir string)
	walk = func(dir string) {
		names, err := readDirNames(fsys, dir)
		if err != nil {
			t.Fatalf("readdir %s: %v", dir, err)
		}
		for _, n := range names {
			p := path.Join(dir, n)
			fi, err := lstat(fsys, p)
			if err != nil {
				t.Fatalf("lstat %s: %v", p, err)
			}
			rel := strings.TrimPrefix(p, strings.TrimSuffix(root, "/"))
			switch {
			case fi.IsDir():
				lines = append(lines, fmt.Sprintf("%s d %04o", rel, fi.Mode().Perm()))
				walk(p)
			case fi.Mode()&fs.ModeSymlink != 0:
				target, err := readlink(fsys, p)
				if err != nil {
					t.Fatal(err)
				}
				lines = append(lines, fmt.Sprintf("%s l %s", rel, target))
			default:
				f, err := fsys.Open(p)
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				lines = append(lines, fmt.Sprintf("%s f %04o %q", rel, fi.Mode().Perm(), b))
			}
		}
	}
	walk(root)
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// wantCode checks that err is a *providers.Error with code and matches cat.
func wantCode(t testing.TB, err error, code providers.Code, cat error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want %s / %v", code, cat)
	}
	if got := providers.CodeOf(err); got != code {
		t.Errorf("code of %v = %q, want %q", err, got, code)
	}
	if cat != nil && !errors.Is(err, cat) {
		t.Errorf("error %v does not match %v", err, cat)
	}
}

func listIDs(s *Store) []string {
	var ids []string
	for _, i := range s.List() {
		ids = append(ids, i.ID)
	}
	sort.Strings(ids)
	return ids
}

func dirEntries(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func readAll(fsys afero.Fs, name string) (string, error) {
	b, err := afero.ReadFile(fsys, name)
	return string(b), err
}
