package coreutils

import (
	"context"
	"fmt"
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
		v, ok := parseSeconds(op)
		if !ok {
			env.Errorf(args[0], "invalid time interval %s", fileQuote(op))
			fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
			return 1
		}
		total += v
	}
	d := secondsDuration(total)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return 0
	case <-ctx.Done():
		return 1
	}
}
