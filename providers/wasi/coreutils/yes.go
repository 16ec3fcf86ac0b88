package coreutils

import (
	"context"
	"strings"
)

// cmdYes is yes: print its arguments (or "y") forever, until ctx is done or
// a write fails (as when the reader is gone or an output cap is reached).
func cmdYes(ctx context.Context, env *Env, args []string) int {
	ops := args[1:]
	if len(ops) > 0 && ops[0] == "--" {
		ops = ops[1:]
	}
	line := "y"
	if len(ops) > 0 {
		line = strings.Join(ops, " ")
	}
	line += "\n"
	// Write in blocks of whole lines.
	reps := max(1, fileChunk/len(line))
	block := []byte(strings.Repeat(line, reps))
	for {
		if ctx.Err() != nil {
			return 1
		}
		if _, err := env.Stdout.Write(block); err != nil {
			return 1
		}
	}
}
