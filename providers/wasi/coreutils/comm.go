package coreutils

import (
	"bufio"
	"context"
	"strings"
)

var commSpec = optSpec{
	noArg: "123z",
	long: map[string]string{"output-delimiter=": "output-delimiter", "check-order": "check-order",
		"nocheck-order": "nocheck-order", "total": "total", "zero-terminated": "z"},
}

// comm compares two sorted files line by line.
func comm(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], commSpec)
	if err != nil {
		return usageErr(env, "comm", err, 1)
	}
	var hide [4]bool
	sep := "\t"
	total := false
	for _, o := range opts {
		switch o.name {
		case "1", "2", "3":
			hide[o.name[0]-'0'] = true
		case "output-delimiter":
			sep = o.val
		case "total":
			total = true
		}
	}
	if len(ops) != 2 {
		if len(ops) < 2 {
			if len(ops) == 0 {
				return usageErr(env, "comm", errString("missing operand"), 1)
			}
			return usageErr(env, "comm", errString("missing operand after '"+ops[0]+"'"), 1)
		}
		return usageErr(env, "comm", errString("extra operand '"+ops[2]+"'"), 1)
	}
	var lrs [2]*lineReader
	for i, op := range ops {
		r, err := openInput(ctx, env, op)
		if err != nil {
			env.Errorf("comm", "%s: %s", op, textErrText(err))
			return 1
		}
		defer r.Close()
		lrs[i] = newLineReader(r)
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	var counts [4]int
	emit := func(col int, line string) {
		counts[col]++
		if hide[col] {
			return
		}
		for c := 1; c < col; c++ {
			if !hide[c] {
				out.WriteString(sep)
			}
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	a, _, okA, _ := lrs[0].next()
	b, _, okB, _ := lrs[1].next()
	for okA || okB {
		if ctx.Err() != nil {
			return 1
		}
		switch {
		case !okB || okA && a < b:
			emit(1, a)
			a, _, okA, _ = lrs[0].next()
		case !okA || b < a:
			emit(2, b)
			b, _, okB, _ = lrs[1].next()
		default:
			emit(3, a)
			a, _, okA, _ = lrs[0].next()
			b, _, okB, _ = lrs[1].next()
		}
	}
	if total {
		out.WriteString(strings.Join([]string{itoa(counts[1]), itoa(counts[2]), itoa(counts[3]), "total"}, sep) + "\n")
	}
	return 0
}
