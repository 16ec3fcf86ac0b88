package wasi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

var updateFailures = flag.Bool("update-failures", false, "rewrite testdata/just-bash-failures.txt from this run")

const failuresFile = "testdata/just-bash-failures.txt"

// justBashCase is one recorded bash run from the just-bash comparison
// fixtures.
type justBashCase struct {
	Command  string            `json:"command"`
	Files    map[string]string `json:"files"`
	Stdout   string            `json:"stdout"`
	Stderr   string            `json:"stderr"`
	ExitCode int               `json:"exitCode"`
}

// justBashDir finds the shared just-bash fixtures: ../shared next to the
// repository root.
func justBashDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("repository root (go.mod) not found")
		}
		dir = parent
	}
	cases := filepath.Join(dir, "..", "shared", "conformance", "shell", "just-bash")
	if _, err := os.Stat(cases); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("just-bash fixtures missing at %s (shared/ must be a sibling of the repository): %v", cases, err)
		}
		t.Skipf("just-bash fixtures not found at %s: %v", cases, err)
	}
	return cases
}

// TestJustBash runs the 778 recorded bash cases of just-bash through wasi
// sessions and compares stdout and the exit code. Cases listed in
// testdata/just-bash-failures.txt are known failures; any other failure is
// a regression. Run with -update-failures to rewrite the list (keeping the
// reasons of cases still listed).
func TestJustBash(t *testing.T) {
	dir := justBashDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.comparison.fixtures.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s: %v", dir, err)
	}
	known := readFailures(t)
	p := wasi.New()
	var total, passed int
	failures := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases map[string]justBashCase
		if err := json.Unmarshal(data, &cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ids := make([]string, 0, len(cases))
		for id := range cases {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		group := strings.TrimSuffix(filepath.Base(f), ".comparison.fixtures.json")
		for _, id := range ids {
			total++
			name := group + "/" + id
			if reason := runJustBashCase(t, p, cases[id]); reason != "" {
				failures[name] = reason
			} else {
				passed++
			}
		}
	}
	t.Logf("just-bash: %d passed, %d failed (%d cases, %.1f%%)", passed, total-passed, total, 100*float64(passed)/float64(total))
	fmt.Printf("just-bash: %d passed, %d failed\n", passed, total-passed)
	if *updateFailures {
		// Reasons already written down (by hand) are kept.
		for name := range failures {
			if reason, ok := known[name]; ok && reason != "" {
				failures[name] = reason
			}
		}
		writeFailures(t, failures)
		return
	}
	var regressions, fixed []string
	for name, reason := range failures {
		if _, ok := known[name]; !ok {
			regressions = append(regressions, name+": "+reason)
		}
	}
	for name := range known {
		if _, ok := failures[name]; !ok {
			fixed = append(fixed, name)
		}
	}
	sort.Strings(regressions)
	sort.Strings(fixed)
	if len(fixed) > 0 {
		t.Logf("%d listed cases now pass (run with -update-failures to drop them): %s", len(fixed), strings.Join(fixed, ", "))
	}
	for _, r := range regressions {
		t.Errorf("regression: %s", r)
	}
}

// runJustBashCase runs one case in a fresh session and returns why it
// failed, or "".
func runJustBashCase(t *testing.T, p *wasi.Provider, c justBashCase) string {
	ctx := context.Background()
	s, err := p.Create(ctx, providers.SessionSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	for name, content := range c.Files {
		if err := s.WriteFile(ctx, name, strings.NewReader(content), 0); err != nil {
			return "setup: " + err.Error()
		}
	}
	type outcome struct {
		res *providers.ExecResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := s.Exec(ctx, providers.ExecRequest{Command: c.Command, Timeout: 10 * time.Second})
		done <- outcome{res, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(30 * time.Second):
		t.Errorf("case hangs: %q", c.Command)
		return "hangs"
	}
	if o.err != nil {
		if errors.Is(o.err, providers.ErrExecTimeout) {
			t.Errorf("case timed out: %q", c.Command)
		}
		return "error: " + o.err.Error()
	}
	got := string(o.res.Stdout)
	switch {
	case got != c.Stdout && o.res.ExitCode != c.ExitCode:
		return fmt.Sprintf("exit %d want %d; stdout differs%s", o.res.ExitCode, c.ExitCode, stderrHint(o.res.Stderr))
	case got != c.Stdout:
		return "stdout differs" + stderrHint(o.res.Stderr)
	case o.res.ExitCode != c.ExitCode:
		return fmt.Sprintf("exit %d want %d%s", o.res.ExitCode, c.ExitCode, stderrHint(o.res.Stderr))
	}
	return ""
}

func stderrHint(stderr []byte) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(stderr)), "\n")
	if line == "" {
		return ""
	}
	if len(line) > 100 {
		line = line[:100] + "..."
	}
	return " (stderr: " + line + ")"
}

func readFailures(t *testing.T) map[string]string {
	t.Helper()
	known := map[string]string{}
	f, err := os.Open(failuresFile)
	if errors.Is(err, os.ErrNotExist) {
		return known
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, "\t")
		known[name] = reason
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return known
}

func writeFailures(t *testing.T, failures map[string]string) {
	t.Helper()
	names := make([]string, 0, len(failures))
	for name := range failures {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# just-bash cases the wasi provider fails: GROUP/ID<TAB>reason.\n")
	b.WriteString("# Regenerate with: go test ./providers/wasi -run TestJustBash -update-failures\n")
	b.WriteString("# (reasons of cases already listed are kept; new ones get the test's summary).\n")
	for _, name := range names {
		b.WriteString(name + "\t" + failures[name] + "\n")
	}
	if err := os.WriteFile(failuresFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
