package coreutils

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// utilResult is what one utility run produced.
type utilResult struct {
	out, err string
	code     int
}

// testEnv builds an Env on fsys with dir as the current directory and
// commands resolved through Default().
func testEnv(fsys afero.Fs, dir, stdin string, vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	set := Default()
	env := &Env{FS: fsys, Dir: dir, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	env.Getenv = func(n string) string { return vars[n] }
	env.Environ = func() []string {
		var kv []string
		for k, v := range vars {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		return kv
	}
	env.LookPath = func(n string) string {
		if _, ok := set.Lookup(n); ok {
			return "utility"
		}
		return ""
	}
	env.Exec = func(ctx context.Context, args []string) int {
		if args[0] == "echo" {
			// The shell's builtin, for tests of find -exec and xargs.
			fmt.Fprintln(env.Stdout, strings.Join(args[1:], " "))
			return 0
		}
		c, ok := set.Lookup(args[0])
		if !ok {
			env.Errorf(args[0], "command not found")
			return 127
		}
		return c(ctx, env, args)
	}
	return env, &out, &errb
}

// runUtil runs the utility args[0] on fsys in dir.
func runUtil(t *testing.T, fsys afero.Fs, dir, stdin string, args ...string) utilResult {
	t.Helper()
	c, ok := Default().Lookup(args[0])
	if !ok {
		t.Fatalf("no utility %q", args[0])
	}
	env, out, errb := testEnv(fsys, dir, stdin, map[string]string{"HOME": "/home/user", "PATH": "/usr/bin:/bin"})
	code := c(context.Background(), env, args)
	return utilResult{out.String(), errb.String(), code}
}

// needGNU skips the test when the GNU tool name is missing, or fails it
// when CI=true.
func needGNU(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no %s on this machine (the differential tests need GNU coreutils, findutils, tar, gzip, file and binutils): %v", name, err)
		}
		t.Skipf("no %s on this machine: %v", name, err)
	}
}

// runGNU runs the real utility in dir with the C locale and UTC.
func runGNU(t *testing.T, dir, stdin string, args ...string) utilResult {
	t.Helper()
	needGNU(t, args[0])
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = []string{"LC_ALL=C", "TZ=UTC", "PATH=" + os.Getenv("PATH"), "HOME=/nonexistent"}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", args, err)
	}
	return utilResult{out.String(), errb.String(), code}
}

// fixture describes a directory tree: paths ending in "/" are directories,
// values starting with "->" are symlinks, anything else is file content.
type fixture map[string]string

// makeTree writes fx under root on the host.
func makeTree(t *testing.T, root string, fx fixture) {
	t.Helper()
	keys := make([]string, 0, len(fx))
	for k := range fx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := filepath.Join(root, k)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		v := fx[k]
		switch {
		case strings.HasSuffix(k, "/"):
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(v, "->"):
			if err := os.Symlink(v[2:], p); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// memTree writes fx (without symlinks) into a new MemMapFs under root.
func memTree(t *testing.T, root string, fx fixture) afero.Fs {
	t.Helper()
	fsys := afero.NewMemMapFs()
	if err := fsys.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, v := range fx {
		p := filepath.Join(root, k)
		if strings.HasSuffix(k, "/") {
			if err := fsys.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if strings.HasPrefix(v, "->") {
			t.Fatalf("memTree: no symlinks in MemMapFs (%s)", k)
		}
		if err := fsys.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(fsys, p, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return fsys
}

// diffCase is one differential test: the same command through GNU and
// through the utility, on two copies of the same tree.
type diffCase struct {
	name  string
	fx    fixture
	stdin string
	args  []string
	// skipErr leaves stderr out of the comparison.
	skipErr bool
	// tree compares the resulting trees too.
	tree bool
}

// runDiff runs each case against GNU and the utility (on the host filesystem
// through afero.OsFs) and compares stdout, stderr and the exit status.
func runDiff(t *testing.T, cases []diffCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gdir, udir := t.TempDir(), t.TempDir()
			makeTree(t, gdir, tc.fx)
			makeTree(t, udir, tc.fx)
			want := runGNU(t, gdir, tc.stdin, tc.args...)
			got := runUtil(t, afero.NewOsFs(), udir, tc.stdin, tc.args...)
			want.out = strings.ReplaceAll(want.out, gdir, "ROOT")
			got.out = strings.ReplaceAll(got.out, udir, "ROOT")
			want.err = strings.ReplaceAll(want.err, gdir, "ROOT")
			got.err = strings.ReplaceAll(got.err, udir, "ROOT")
			if got.out != want.out {
				t.Errorf("%v stdout:\n got %q\nwant %q", tc.args, got.out, want.out)
			}
			if got.code != want.code {
				t.Errorf("%v exit = %d, want %d (stderr got %q want %q)", tc.args, got.code, want.code, got.err, want.err)
			}
			if !tc.skipErr && got.err != want.err {
				t.Errorf("%v stderr:\n got %q\nwant %q", tc.args, got.err, want.err)
			}
			if tc.tree {
				if g, w := listTree(t, udir), listTree(t, gdir); g != w {
					t.Errorf("%v tree:\n got %s\nwant %s", tc.args, g, w)
				}
			}
		})
	}
}

// listTree describes a host tree: each path with its type and content.
func listTree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			b.WriteString("ERR " + err.Error() + "\n")
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			tg, _ := os.Readlink(p)
			b.WriteString(rel + " -> " + tg + "\n")
		case fi.IsDir():
			b.WriteString(rel + "/\n")
		default:
			data, _ := os.ReadFile(p)
			b.WriteString(rel + " " + fi.Mode().Perm().String() + " " + strings.ReplaceAll(string(data), "\n", `\n`) + "\n")
		}
		return nil
	})
	return b.String()
}

// cancelledCtx returns a context that is already done.
func cancelledCtx() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx, cancel
}

func sortStrings(s []string) { sort.Strings(s) }
