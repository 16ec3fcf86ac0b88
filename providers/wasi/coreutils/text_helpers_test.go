package coreutils

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// textCase is one invocation of a utility on files and stdin.
type textCase struct {
	name  string
	args  []string
	stdin string
	files map[string]string
	// want* are checked when wantSet is true.
	wantOut  string
	wantCode int
	wantErr  string // substring of stderr
	// sortLines compares outputs as sorted line sets (directory order).
	sortLines bool
}

// writeFiles creates files under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// textEnv returns an Env rooted at dir (seen as "/").
func textEnv(dir, stdin string, stdout, stderr *bytes.Buffer) *Env {
	env := &Env{
		FS:      afero.NewBasePathFs(afero.NewOsFs(), dir),
		Dir:     "/",
		Stdin:   strings.NewReader(stdin),
		Stdout:  stdout,
		Stderr:  stderr,
		Getenv:  func(string) string { return "" },
		Environ: func() []string { return nil },
	}
	set := Default()
	env.Exec = func(ctx context.Context, args []string) int {
		if args[0] == "sh" && len(args) == 3 && args[1] == "-c" {
			// A stand-in for the shell: a single simple command.
			return env.Exec(ctx, strings.Fields(args[2]))
		}
		if args[0] == "echo" {
			// A stand-in for the shell's echo builtin.
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
	env.LookPath = func(name string) string {
		if _, ok := set.Lookup(name); ok {
			return "utility"
		}
		return ""
	}
	return env
}

// runText runs a utility of the Default set in a fresh directory.
func runText(t testing.TB, dir string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd, ok := Default().Lookup(args[0])
	if !ok {
		t.Fatalf("no utility %q", args[0])
	}
	var out, errb bytes.Buffer
	env := textEnv(dir, stdin, &out, &errb)
	code := cmd(context.Background(), env, args)
	return out.String(), errb.String(), code
}

// runReal runs the host's GNU tool with the same arguments (tests only).
func runReal(t testing.TB, dir, stdin string, args ...string) (string, int, bool) {
	t.Helper()
	p, err := exec.LookPath(args[0])
	if err != nil {
		return "", 0, false
	}
	c := exec.Command(p, args[1:]...)
	c.Dir = dir
	c.Env = []string{"LC_ALL=C", "PATH=" + os.Getenv("PATH")}
	c.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	c.Stdout = &out
	err = c.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code, true
}

// checkCases runs table cases against their expectations.
func checkCases(t *testing.T, cases []textCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = strings.Join(tc.args, " ")
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			out, errs, code := runText(t, dir, tc.stdin, tc.args...)
			if out != tc.wantOut || code != tc.wantCode {
				t.Errorf("%q: got (%q, %d), want (%q, %d); stderr %q", tc.args, out, code, tc.wantOut, tc.wantCode, errs)
			}
			if tc.wantErr != "" && !strings.Contains(errs, tc.wantErr) {
				t.Errorf("%q: stderr %q lacks %q", tc.args, errs, tc.wantErr)
			}
		})
	}
}

// diffCases runs each case through both the utility and the host's GNU tool
// and compares stdout and exit status. The GNU tools are the oracle; a
// missing tool is reported as a skip (a failure when CI=true).
func diffCases(t *testing.T, cases []textCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = strings.Join(tc.args, " ")
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			want, wantCode, ok := runReal(t, dir, tc.stdin, tc.args...)
			if !ok {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s is not installed", tc.args[0])
				}
				t.Skipf("%s is not installed on this machine", tc.args[0])
			}
			dir2 := t.TempDir()
			writeFiles(t, dir2, tc.files)
			out, errs, code := runText(t, dir2, tc.stdin, tc.args...)
			if tc.sortLines {
				out, want = sortedLines(out), sortedLines(want)
			}
			if out != want || code != wantCode {
				t.Errorf("%q:\n got (%q, %d)\nwant (%q, %d)\nstderr %q", tc.args, out, code, want, wantCode, errs)
			}
		})
	}
}

func sortedLines(s string) string {
	l := strings.SplitAfter(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "")
}
