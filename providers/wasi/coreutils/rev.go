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
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	status := 0
	for _, op := range ops {
		r, err := openInput(ctx, env, op)
		if err != nil {
			out.Flush()
			env.Errorf("rev", "cannot open %s: %s", op, textErrText(err))
			status = 1
			continue
		}
		lr := newLineReader(r)
		for {
			if outFailed(out) {
				break
			}
			line, hasNL, ok, _ := lr.next()
			if !ok {
				break
			}
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
		}
		r.Close()
	}
	return status
}
