package coreutils

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// cmdTimeout is timeout: run a command with a time limit. When the limit
// passes the command's context is cancelled and timeout exits 124 (with
// --preserve-status, 128+9 for KILL or 128+15 otherwise). -s SIGNAL and -k
// DURATION are accepted; a sandbox command has no signals, only its
// context.
func cmdTimeout(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "vf", withArg: "sk", stopAtOperand: true,
		long: map[string]string{"signal=": "s", "kill-after=": "k", "preserve-status": "preserve", "foreground": "f", "verbose": "v"},
	}, args)
	if !ok {
		return 125
	}
	ops := f.operands
	if len(ops) < 2 {
		if len(ops) == 0 {
			env.Errorf(args[0], "missing operand")
		} else {
			env.Errorf(args[0], "missing operand after %s", fileQuote(ops[0]))
		}
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 125
	}
	d, err := timeoutDuration(ops[0])
	if err != nil {
		env.Errorf(args[0], "invalid time interval %s", fileQuote(ops[0]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 125
	}
	if v, ok := f.value("k"); ok {
		if _, err := timeoutDuration(v); err != nil {
			env.Errorf(args[0], "invalid time interval %s", fileQuote(v))
			return 125
		}
	}
	sig := "TERM"
	if v, ok := f.value("s"); ok {
		sig = strings.TrimPrefix(strings.ToUpper(v), "SIG")
	}
	if env.Exec == nil {
		env.Errorf(args[0], "failed to run command %s: No such file or directory", fileQuote(ops[1]))
		return 127
	}
	if env.LookPath != nil && env.LookPath(ops[1]) == "" {
		env.Errorf(args[0], "failed to run command %s: No such file or directory", fileQuote(ops[1]))
		return 127
	}
	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if d > 0 {
		runCtx, cancel = context.WithTimeout(ctx, d)
	}
	defer cancel()
	code := env.Exec(runCtx, ops[1:])
	if ctx.Err() == nil && errors.Is(runCtx.Err(), context.DeadlineExceeded) {
		if f.has("v") {
			env.Errorf(args[0], "sending signal %s to command %s", sig, fileQuote(ops[1]))
		}
		if f.has("preserve") {
			if sig == "KILL" || sig == "9" {
				return 128 + 9
			}
			return 128 + 15
		}
		return 124
	}
	return code
}

// timeoutDuration parses NUMBER[smhd] (fractions allowed).
func timeoutDuration(s string) (time.Duration, error) {
	v, ok := parseSeconds(s)
	if !ok || math.IsInf(v, 0) {
		return 0, errFileBadDate
	}
	return secondsDuration(v), nil
}

// secondsDuration converts seconds to a Duration, the longest one for
// anything beyond it ("inf" included). float64(math.MaxInt64) rounds up to
// 2^63, which overflows when converted back: compare before converting.
func secondsDuration(v float64) time.Duration {
	ns := v * float64(time.Second)
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// parseSeconds parses the NUMBER[smhd] of sleep and timeout (fractions and
// "inf" allowed) as seconds; it reports false for anything else, negative
// numbers and NaN included.
func parseSeconds(s string) (float64, bool) {
	mul := 1.0
	switch {
	case strings.HasSuffix(s, "s"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		s, mul = s[:len(s)-1], 60
	case strings.HasSuffix(s, "h"):
		s, mul = s[:len(s)-1], 3600
	case strings.HasSuffix(s, "d"):
		s, mul = s[:len(s)-1], 86400
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsNaN(v) {
		return 0, false
	}
	return v * mul, true
}
