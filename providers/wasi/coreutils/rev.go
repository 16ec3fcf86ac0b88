package coreutils

import (
	"bufio"
	"context"
	"unicode/utf8"
)

// rev reverses the characters of each line.
func rev(ctx context.Context, env *Env, args []string) int {
	ops := args[1:]
	if len(ops) > 0 && ops[0] == "--" {
		ops = ops[1:]
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	return readLines(ctx, env, "rev", "cannot open ", ops, out, false, func(line string, hasNL bool) {
		b := []byte(line)
		res := make([]byte, 0, len(b))
		for len(b) > 0 {
			_, size := utf8.DecodeLastRune(b)
			res = append(res, b[len(b)-size:]...)
			b = b[:len(b)-size]
		}
		out.Write(res)
		if hasNL {
			out.WriteByte('\n')
		}
	})
}
