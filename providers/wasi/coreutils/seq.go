package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// cmdSeq is seq: print a sequence of numbers (FIRST, INCREMENT, LAST, which
// may be fractional; -s SEP, -w equal width, -f FORMAT).
func cmdSeq(ctx context.Context, env *Env, args []string) int {
	// Negative numbers are operands, not options.
	var opts, ops []string
	opts = append(opts, args[0])
	for i := 1; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' && (a[1] >= '0' && a[1] <= '9' || a[1] == '.') {
			ops = append(ops, a)
			continue
		}
		if a == "-s" || a == "-f" {
			opts = append(opts, a)
			if i+1 < len(args) {
				i++
				opts = append(opts, args[i])
			}
			continue
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			opts = append(opts, a)
			continue
		}
		ops = append(ops, a)
	}
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "w", withArg: "sf",
		long: map[string]string{"separator=": "s", "equal-width": "w", "format=": "f"},
	}, opts)
	if !ok {
		return 1
	}
	ops = append(ops, f.operands...)
	if len(ops) == 0 {
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	if len(ops) > 3 {
		env.Errorf(args[0], "extra operand %s", fileQuote(ops[3]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	nums := make([]float64, len(ops))
	width := 0
	for i, op := range ops {
		v, err := strconv.ParseFloat(op, 64)
		if err != nil || math.IsNaN(v) {
			env.Errorf(args[0], "invalid floating point argument: %s", fileQuote(op))
			fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
			return 1
		}
		nums[i] = v
	}
	first, step, last := 1.0, 1.0, nums[0]
	switch len(nums) {
	case 2:
		first, last = nums[0], nums[1]
	case 3:
		first, step, last = nums[0], nums[1], nums[2]
	}
	// The precision comes from FIRST and INCREMENT.
	prec := 0
	for i, op := range ops {
		if len(ops) == 3 && i == 2 || len(ops) < 3 && i == len(ops)-1 {
			continue
		}
		if j := strings.IndexByte(op, '.'); j >= 0 && !strings.ContainsAny(op, "eE") {
			prec = max(prec, len(op)-j-1)
		}
	}
	if step == 0 {
		env.Errorf(args[0], "invalid Zero increment value: %s", fileQuote(ops[1]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	format, hasFormat := f.value("f")
	render := func(v float64) string {
		if hasFormat {
			return fmt.Sprintf(format, v)
		}
		return strconv.FormatFloat(v, 'f', prec, 64)
	}
	if hasFormat && !strings.Contains(format, "%") {
		env.Errorf(args[0], "format %s has no %% directive", fileQuote(format))
		return 1
	}
	if f.has("w") && !hasFormat {
		width = max(len(render(first)), len(render(last)))
	}
	sep, _ := f.value("s")
	if !f.has("s") {
		sep = "\n"
	}
	w := bufio.NewWriterSize(env.Stdout, fileChunk)
	n := 0
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if step > 0 && v > last+1e-9*math.Abs(step) || step < 0 && v < last-1e-9*math.Abs(step) {
			break
		}
		if i%1024 == 0 && ctx.Err() != nil {
			return 1
		}
		s := render(v)
		if width > 0 {
			neg := strings.HasPrefix(s, "-")
			s = strings.TrimPrefix(s, "-")
			for len(s) < width-boolInt(neg) {
				s = "0" + s
			}
			if neg {
				s = "-" + s
			}
		}
		if n > 0 {
			w.WriteString(sep)
		}
		if _, err := w.WriteString(s); err != nil {
			return 1
		}
		n++
	}
	if n > 0 {
		w.WriteByte('\n')
	}
	if w.Flush() != nil {
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
