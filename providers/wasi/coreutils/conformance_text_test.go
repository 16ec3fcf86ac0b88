package coreutils

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// conformanceDir holds the shell cases recorded from real bash.
const conformanceDir = "../../../../shared/conformance/shell/just-bash"

type shellFixture struct {
	Command  string            `json:"command"`
	Files    map[string]string `json:"files"`
	Stdout   string            `json:"stdout"`
	ExitCode int               `json:"exitCode"`
}

// textFixtureFiles are the corpus files about the text utilities.
var textFixtureFiles = []string{
	"awk", "sed", "sort", "uniq", "tr", "cut", "paste", "grep",
	"grep-files-without-match", "grep-patterns-from-file", "grep-stdin-operand",
	"text-processing", "column-join", "jq", "jq-arg", "jq-args-positional", "jq.raw-input",
}

// textKnownFailures lists corpus cases this package does not reproduce, with
// the reason.
var textKnownFailures = map[string]string{}

// runShellFixture runs one case through mvdan.cc/sh with the utilities of
// this package as its only external commands. missing names a command the
// case needs that the package does not provide.
func runShellFixture(t *testing.T, fx shellFixture) (stdout string, code int, missing string) {
	dir := t.TempDir()
	writeFiles(t, dir, fx.Files)
	file, err := syntax.NewParser().Parse(strings.NewReader(fx.Command), "")
	if err != nil {
		return "", -1, "parse: " + err.Error()
	}
	set := Default()
	fsys := afero.NewBasePathFs(afero.NewOsFs(), dir)
	var out bytes.Buffer
	var execFn func(ctx context.Context, args []string) error
	execFn = func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		c, ok := set.Lookup(args[0])
		if !ok {
			if missing == "" {
				missing = args[0]
			}
			return interp.ExitStatus(127)
		}
		rel, _ := filepath.Rel(dir, hc.Dir)
		env := &Env{
			FS: fsys, Dir: filepath.ToSlash(filepath.Join("/", rel)),
			Stdin: hc.Stdin, Stdout: hc.Stdout, Stderr: hc.Stderr,
			Getenv:  func(n string) string { return hc.Env.Get(n).String() },
			Environ: func() []string { return nil },
		}
		if env.Stdin == nil {
			env.Stdin = strings.NewReader("")
		}
		env.Exec = func(ctx context.Context, a []string) int {
			if err := execFn(ctx, a); err != nil {
				if es, ok := err.(interp.ExitStatus); ok {
					return int(es)
				}
				return 1
			}
			return 0
		}
		if st := c(ctx, env, args); st != 0 {
			return interp.ExitStatus(uint8(st))
		}
		return nil
	}
	r, err := interp.New(
		interp.Dir(dir),
		interp.StdIO(strings.NewReader(""), &out, &bytes.Buffer{}),
		interp.ExecHandlers(func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc { return execFn }),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = r.Run(ctx, file)
	code = 0
	if es, ok := err.(interp.ExitStatus); ok {
		code = int(es)
	} else if err != nil {
		code = -1
	}
	return out.String(), code, missing
}

func TestTextConformance(t *testing.T) {
	if _, err := os.Stat(conformanceDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("conformance corpus missing: %v", err)
		}
		t.Skipf("conformance corpus not found at %s", conformanceDir)
	}
	passed, failed, needs := 0, 0, map[string]int{}
	var failures []string
	for _, name := range textFixtureFiles {
		data, err := os.ReadFile(filepath.Join(conformanceDir, name+".comparison.fixtures.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cases map[string]shellFixture
		if err := json.Unmarshal(data, &cases); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, 0, len(cases))
		for id := range cases {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			fx := cases[id]
			out, code, missing := runShellFixture(t, fx)
			if missing != "" {
				needs[missing]++
				continue
			}
			if out == fx.Stdout && code == fx.ExitCode {
				passed++
				continue
			}
			if _, ok := textKnownFailures[id]; ok {
				continue
			}
			failed++
			failures = append(failures, id+" "+name+": "+fx.Command+"\n   got  "+jsonQ(out)+" "+itoa(code)+"\n   want "+jsonQ(fx.Stdout)+" "+itoa(fx.ExitCode))
		}
	}
	t.Logf("%d passed, %d failed, not run (command provided elsewhere): %v", passed, failed, needs)
	for _, f := range failures {
		t.Error(f)
	}
}

func jsonQ(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
