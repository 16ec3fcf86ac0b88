package runtime

import (
	"context"
	"testing"
)

func TestAllowList(t *testing.T) {
	a := AllowList{
		Exec:    []string{"ls", "grep"},
		Read:    []string{"src/**", "*.md"},
		Write:   []string{"out/*"},
		Network: []string{"*.example.com", "pypi.org:443"},
	}
	tests := []struct {
		op, subject string
		want        bool
	}{
		{OpExec, "ls -la", true},
		{OpExec, "/bin/ls", true},
		{OpExec, "grep -r x .", true},
		{OpExec, "rm -rf /", false},
		{OpExec, "lsx", false},
		{OpRead, "src/a/b.go", true},
		{OpRead, "README.md", true},
		{OpRead, "docs/README.md", false},
		{OpRead, "secrets/key", false},
		{OpWrite, "out/x", true},
		{OpWrite, "out/x/y", false},
		{OpWrite, "src/a", false},
		{OpNetwork, "api.example.com:443", true},
		{OpNetwork, "example.com", false},
		{OpNetwork, "pypi.org:443", true},
		{OpNetwork, "pypi.org:80", false},
		{"teleport", "x", false},
	}
	for _, tt := range tests {
		got, reason, err := a.Allow(context.Background(), tt.op, "s", tt.subject)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Allow(%s, %q) = %v (%s), want %v", tt.op, tt.subject, got, reason, tt.want)
		}
		if !got && reason == "" {
			t.Errorf("Allow(%s, %q): denied without a reason", tt.op, tt.subject)
		}
	}
	// A nil list leaves its operation alone.
	if ok, _, _ := (AllowList{}).Allow(context.Background(), OpExec, "s", "anything"); !ok {
		t.Error("an empty AllowList denied exec")
	}
	// An empty, non-nil list denies everything.
	if ok, _, _ := (AllowList{Exec: []string{}}).Allow(context.Background(), OpExec, "s", "ls"); ok {
		t.Error("an empty exec allow list allowed ls")
	}
}
