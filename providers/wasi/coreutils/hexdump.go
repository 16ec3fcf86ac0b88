package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
)

var hexdumpSpec = optSpec{
	withArg: "ns",
	noArg:   "Cvxcbod",
	long:    map[string]string{"canonical": "C"},
}

// hexdump shows file contents in hexadecimal: the canonical -C form and
// the default two-byte form.
func hexdump(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], hexdumpSpec)
	if err != nil {
		return usageErr(env, "hexdump", err, 1)
	}
	canonical := args[0] == "hd"
	limit, skip := int64(-1), int64(0)
	for _, o := range opts {
		switch o.name {
		case "C":
			canonical = true
		case "n", "s":
			n, err := strconv.ParseInt(o.val, 0, 64)
			if err != nil || n < 0 {
				env.Errorf("hexdump", "bad length value")
				return 1
			}
			if o.name == "n" {
				limit = n
			} else {
				skip = n
			}
		}
	}
	src, closeAll, ok := dumpInput(ctx, env, "hexdump", ops, skip, limit)
	if !ok {
		return 1
	}
	defer closeAll()
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	off, ok := dumpBlocks(src, out, 16, skip, false, func(off int64, line []byte) {
		n := len(line)
		if canonical {
			fmt.Fprintf(out, "%08x  ", off)
			for i := 0; i < 16; i++ {
				if i < n {
					fmt.Fprintf(out, "%02x ", line[i])
				} else {
					out.WriteString("   ")
				}
				if i == 7 {
					out.WriteByte(' ')
				}
			}
			out.WriteString(" |")
			for _, c := range line {
				if c >= 0x20 && c < 0x7f {
					out.WriteByte(c)
				} else {
					out.WriteByte('.')
				}
			}
			out.WriteString("|\n")
		} else {
			fmt.Fprintf(out, "%07x", off)
			for i := 0; i < n; i += 2 {
				v := uint16(line[i])
				if i+1 < n {
					v |= uint16(line[i+1]) << 8
				}
				fmt.Fprintf(out, " %04x", v)
			}
			if n < 16 {
				out.WriteString(strings.Repeat(" ", (16-n)/2*5))
			}
			out.WriteByte('\n')
		}
	})
	if !ok {
		return 1
	}
	if canonical {
		fmt.Fprintf(out, "%08x\n", off)
	} else {
		fmt.Fprintf(out, "%07x\n", off)
	}
	return 0
}
