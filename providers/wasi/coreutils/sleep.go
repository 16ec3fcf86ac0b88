package coreutils

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// cmdSleep is sleep: wait for the sum of its arguments (NUMBER[smhd],
// fractions allowed), or until ctx is done.
func cmdSleep(ctx context.Context, env *Env, args []string) int {
	ops := args[1:]
	if len(ops) > 0 && ops[0] == "--" {
		ops = ops[1:]
	}
	if len(ops) == 0 {
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	var total float64
	for _, op := range ops {
		s, mul := op, 1.0
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
			env.Errorf(args[0], "invalid time interval %s", fileQuote(op))
			fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
			return 1
		}
		total += v * mul
	}
	d := time.Duration(math.Min(total*float64(time.Second), math.MaxInt64))
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return 0
	case <-ctx.Done():
		return 1
	}
}
