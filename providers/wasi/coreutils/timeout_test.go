package coreutils

import (
	"math"
	"testing"
	"time"

	"github.com/spf13/afero"
)

func TestTimeout(t *testing.T) {
	fsys := afero.NewMemMapFs()
	for _, tt := range []struct {
		args []string
		out  string
		code int
		err  string
	}{
		{[]string{"timeout", "0.05", "sleep", "10"}, "", 124, ""},
		{[]string{"timeout", "0.05", "sleep", "inf"}, "", 124, ""}, // forever, not an overflow to a past deadline
		{[]string{"timeout", "0.05", "sleep", "1e300d"}, "", 124, ""},
		{[]string{"timeout", "-v", "0.05s", "sleep", "10"}, "", 124, "timeout: sending signal TERM to command 'sleep'\n"},
		{[]string{"timeout", "--preserve-status", "-s", "KILL", "0.05", "sleep", "10"}, "", 137, ""},
		{[]string{"timeout", "5", "seq", "2"}, "1\n2\n", 0, ""},
		{[]string{"timeout", "5", "false"}, "", 1, ""},
		{[]string{"timeout", "0", "true"}, "", 0, ""},
		{[]string{"timeout", "5", "nosuchcmd"}, "", 127, "timeout: failed to run command 'nosuchcmd': No such file or directory\n"},
		{[]string{"timeout", "x", "true"}, "", 125, "timeout: invalid time interval 'x'\nTry 'timeout --help' for more information.\n"},
		{[]string{"timeout", "5"}, "", 125, "timeout: missing operand after '5'\nTry 'timeout --help' for more information.\n"},
		{[]string{"timeout", "1m", "yes"}[:2], "", 125, ""},
	} {
		r := runUtil(t, fsys, "/", "", tt.args...)
		if r.out != tt.out || r.code != tt.code || tt.err != "" && r.err != tt.err {
			t.Errorf("%v = %q %d %q, want %q %d %q", tt.args, r.out, r.code, r.err, tt.out, tt.code, tt.err)
		}
	}
}

func TestTimeoutStopsYes(t *testing.T) {
	env, _, _ := testEnv(afero.NewMemMapFs(), "/", "", nil)
	env.Stdout = &limitWriter{limit: 1 << 62}
	c, _ := Default().Lookup("timeout")
	if code := c(t.Context(), env, []string{"timeout", "0.05", "yes"}); code != 124 {
		t.Errorf("timeout yes: %d", code)
	}
}

func TestSecondsDuration(t *testing.T) {
	for _, tt := range []struct {
		secs float64
		want time.Duration
	}{
		{1.5, 1500 * time.Millisecond},
		{0, 0},
		{math.Inf(1), math.MaxInt64},
		{9.3e9, math.MaxInt64}, // just past the largest Duration
	} {
		if got := secondsDuration(tt.secs); got != tt.want {
			t.Errorf("secondsDuration(%g) = %v, want %v", tt.secs, got, tt.want)
		}
	}
}
