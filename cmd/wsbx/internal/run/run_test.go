package run

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		args []string
		want *Options
	}{
		{[]string{"--", "echo hi | wc -c"}, &Options{Provider: "wasi", Command: "echo hi | wc -c"}},
		{[]string{"--dir", "d", "--", "ls", "-l"}, &Options{Provider: "wasi", Dir: "d", Argv: []string{"ls", "-l"}}},
		{[]string{"--provider", "wasi", "--timeout", "2s", "echo"}, &Options{Provider: "wasi", Timeout: 2 * time.Second, Command: "echo"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.args, io.Discard)
		if err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %+v, want %+v", tt.args, got, tt.want)
		}
	}
	for _, bad := range [][]string{{}, {"--"}, {"--", " "}, {"--nope", "--", "x"}, {"--timeout", "soon", "--", "x"}} {
		if _, err := Parse(bad, io.Discard); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := Parse([]string{"--help"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
}
