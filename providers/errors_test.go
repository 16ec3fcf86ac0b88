package providers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestErrorIs(t *testing.T) {
	cause := &fs.PathError{Op: "open", Path: "a", Err: fs.ErrNotExist}
	err := fmt.Errorf("wrapped: %w", &Error{Code: CodeReadNotFound, Op: "read_file", Target: "a", Err: cause})

	tests := []struct {
		name   string
		target error
		want   bool
	}{
		{"sentinel of same code", ErrNotFound, true},
		{"sentinel of other code", ErrExecTimeout, false},
		{"code and op", &Error{Code: CodeReadNotFound, Op: "read_file"}, true},
		{"code and other op", &Error{Code: CodeReadNotFound, Op: "stat"}, false},
		{"fs category", fs.ErrNotExist, true},
		{"other fs category", fs.ErrExist, false},
		{"cause", cause, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(err, tt.target); got != tt.want {
				t.Fatalf("errors.Is(%v, %v) = %v, want %v", err, tt.target, got, tt.want)
			}
		})
	}

	var e *Error
	if !errors.As(err, &e) || e.Target != "a" {
		t.Fatalf("errors.As did not find the *Error: %v", err)
	}
	if CodeOf(err) != CodeReadNotFound {
		t.Fatalf("CodeOf = %q", CodeOf(err))
	}
	if CodeOf(errors.New("plain")) != "" {
		t.Fatal("CodeOf of a plain error must be empty")
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Code: CodeExecTimeout, Op: "exec", Target: "sleep 9", Err: errors.New("deadline exceeded")}, "exec sleep 9: exec_timeout: deadline exceeded"},
		{&Error{Code: CodeSessionClosed}, "session_closed"},
		{&Error{Code: CodePluginError, Op: "call", Message: "trap"}, "call: plugin_error: trap"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestErrorJSONRoundTrip(t *testing.T) {
	in := &Error{Code: CodeExecTransport, Op: "exec", Target: "ls", Retryable: true, Message: "connection reset"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Error
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out != *in {
		t.Fatalf("round trip: got %+v, want %+v", out, *in)
	}
	if !errors.Is(&out, ErrExecTransport) {
		t.Fatal("decoded error lost its code")
	}
}

func TestFromFSError(t *testing.T) {
	dir := t.TempDir()
	_, notExist := os.Open(dir + "/missing")
	os.WriteFile(dir+"/f", nil, 0o644)
	os.Mkdir(dir+"/d", 0o755)
	os.WriteFile(dir+"/d/x", nil, 0o644)
	notEmpty := os.Remove(dir + "/d")
	exist := os.Mkdir(dir+"/d", 0o755)
	_, notDir := os.Open(dir + "/f/x")

	tests := []struct {
		name string
		err  error
		want Code
	}{
		{"not exist", notExist, CodeReadNotFound},
		{"exist", exist, CodeAlreadyExists},
		{"not empty", notEmpty, CodeNotEmpty},
		{"not a directory", notDir, CodeWriteTypeError},
		{"errno not empty", syscall.ENOTEMPTY, CodeNotEmpty},
		{"invalid", fs.ErrInvalid, CodeInvalidPath},
		{"unknown", errors.New("disk on fire"), CodeWriteError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("setup did not produce an error")
			}
			got := FromFSError("op", "p", tt.err, CodeWriteError)
			if CodeOf(got) != tt.want {
				t.Fatalf("code = %q, want %q (err %v)", CodeOf(got), tt.want, tt.err)
			}
			if !errors.Is(got, tt.err) {
				t.Fatal("the cause is not reachable with errors.Is")
			}
		})
	}
	if FromFSError("op", "p", nil, CodeWriteError) != nil {
		t.Fatal("nil in, non-nil out")
	}
	orig := &Error{Code: CodeExecTimeout}
	if FromFSError("op", "p", orig, CodeWriteError) != error(orig) {
		t.Fatal("an existing *Error must pass through unchanged")
	}
}

func TestExecResultCheck(t *testing.T) {
	if err := (&ExecResult{}).Check("true"); err != nil {
		t.Fatalf("exit 0 gave %v", err)
	}
	err := (&ExecResult{ExitCode: 3}).Check("false")
	if !errors.Is(err, ErrExecNonzero) || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("exit 3 gave %v", err)
	}
}

func TestLimitsOr(t *testing.T) {
	def := Limits{ExecTimeout: 5, MemoryBytes: 6, CPUs: 1.5, PIDs: 7, MaxOutputBytes: 8, DiskBytes: 9}
	if got := (Limits{}).Or(def); got != def {
		t.Fatalf("zero.Or(def) = %+v", got)
	}
	set := Limits{ExecTimeout: 1, MemoryBytes: 2, CPUs: 3, PIDs: 4, MaxOutputBytes: 5, DiskBytes: 6}
	if got := set.Or(def); got != set {
		t.Fatalf("set.Or(def) = %+v", got)
	}
}
