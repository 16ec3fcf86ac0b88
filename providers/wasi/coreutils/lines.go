package coreutils

import (
	"bufio"
	"context"
)

// eachLine applies f to every line of the operands, keeping terminators.
func eachLine(ctx context.Context, env *Env, name string, ops []string, f func(out *bufio.Writer, line string)) int {
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	return readLines(ctx, env, name, "", ops, out, false, func(line string, hasNL bool) {
		f(out, line)
		if hasNL {
			out.WriteByte('\n')
		}
	})
}

// readLines calls f with each line of the operands ("-" when there are
// none), without its newline, and whether the newline was there. A file
// that cannot be opened is reported as name: openPrefix, the operand and
// the error, and makes the status 1. Reading a file stops once out has
// failed; at a read error it stops when stopOnErr is set, else a partial
// line read before the error is passed on.
func readLines(ctx context.Context, env *Env, name, openPrefix string, ops []string, out *bufio.Writer, stopOnErr bool, f func(line string, hasNL bool)) int {
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	status := 0
	for _, op := range ops {
		r, err := openInput(ctx, env, op)
		if err != nil {
			out.Flush()
			env.Errorf(name, "%s%s: %s", openPrefix, op, textErrText(err))
			status = 1
			continue
		}
		lr := newLineReader(r)
		for {
			if outFailed(out) {
				break
			}
			line, hasNL, ok, err := lr.next()
			if !ok || stopOnErr && err != nil {
				break
			}
			f(line, hasNL)
		}
		r.Close()
	}
	return status
}
