package interp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// TestDefaultsNeverTouchTheHost runs a runner with its default handlers
// against a canary file on the host: nothing reads, lists, writes or runs
// anything there.
func TestDefaultsNeverTouchTheHost(t *testing.T) {
	dir := t.TempDir()
	const secret = "interp-canary-51d2"
	canary := filepath.Join(dir, "canary")
	if err := os.WriteFile(canary, []byte(secret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WSBX_HOST_SECRET", secret)
	script := strings.Join([]string{
		"read x < " + canary + "; echo \"$x\"",
		"echo " + dir + "/*",
		"cd " + dir + " && echo cd-worked",
		"[ -e " + canary + " ] && echo exists",
		"source " + canary,
		"cat " + canary,
		"echo overwritten > " + canary,
		"echo new > " + dir + "/new",
		"cat <(echo subst) > " + dir + "/subst",
		"type -p sh; command -v ls; echo \"$WSBX_HOST_SECRET$HOME$$\"",
		"pwd -P",
	}, "\n")
	file, err := syntax.NewParser().Parse(strings.NewReader(script), "")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r, err := New(StdIO(nil, &out, &out))
	if err != nil {
		t.Fatal(err)
	}
	r.Run(context.Background(), file)
	got := out.String()
	for _, bad := range []string{secret, "cd-worked", "exists", "/bin/"} {
		if strings.Contains(got, bad) {
			t.Errorf("output shows %q:\n%s", bad, got)
		}
	}
	if !strings.Contains(got, "cat: command not found") {
		t.Errorf("external commands ran:\n%s", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("host directory changed: %v %v", entries, err)
	}
	if data, _ := os.ReadFile(canary); string(data) != secret+"\n" {
		t.Errorf("canary changed to %q", data)
	}
}
