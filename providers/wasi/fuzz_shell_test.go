package wasi_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
)

// FuzzShell runs arbitrary command lines: the shell must neither panic nor
// outlive its timeout, and the session must keep serving commands.
func FuzzShell(f *testing.F) {
	for _, seed := range []string{
		"echo hi | cat", "exec 3< /etc/passwd; read -u 3 x", "cat <(echo a) > >(cat)", "{v}>f; echo $v >&$v",
		"f() { f; }; f", "while :; do echo y; done", "x=$((1/0))", "cd /..; ls -la", "echo <(true) 2>&-",
		"read x <<< 'word'; echo ${x:0:2}", "exec >&-; echo gone", "set -o noclobber; echo > f; echo > f",
	} {
		f.Add(seed)
	}
	p := wasi.New()
	f.Fuzz(func(t *testing.T, command string) {
		ctx := context.Background()
		s, err := p.Create(ctx, providers.SessionSpec{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close(ctx)
		start := time.Now()
		_, err = s.Exec(ctx, providers.ExecRequest{Command: command, Timeout: 500 * time.Millisecond, MaxOutputBytes: 1 << 16})
		if command == "" {
			if providers.CodeOf(err) != providers.CodeInvalidRequest {
				t.Fatalf("empty command: %v", err)
			}
		} else if err != nil && !errors.Is(err, providers.ErrExecTimeout) {
			t.Fatalf("%q: %v", command, err)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Fatalf("%q ran %v past a 500ms timeout", command, d)
		}
		res, err := s.Exec(ctx, providers.ExecRequest{Command: "echo ok"})
		if err != nil || string(res.Stdout) != "ok\n" {
			t.Fatalf("after %q: %q %v", command, res.Stdout, err)
		}
	})
}
